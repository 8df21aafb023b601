// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adapter for the 6.1 generation of Landlock's internal API (Linux 5.13 to 6.6): rules keyed by
 * object in one rb-tree, landlock_insert_rule(ruleset, object, access), filesystem rights only,
 * layer masks in fs.c. There are no network rules: socket ops reach no Landlock hook, and a
 * ruleset attr is 8 bytes (handled_access_fs), so a net or scope field is a nonzero tail (E2BIG).
 * It stands in for setup.c like the 6.12 adapter; ptrace.c is not compiled.
 */
#include "lockstep_shim/control.h"

#include "tree_info.h"

#include "cred.h"
#include "fs.h"
#include "ruleset.h"
#include "setup.h"
#if __has_include("errata.h")
#include "errata.h"
#define LOCKSTEP_HAS_ERRATA 1
#include "kernel_shim/adapter/compute_errata.h"
#endif

#define LOCKSTEP_ADAPTER_GENERATION "6.1"

#ifndef LOCKSTEP_API_SYMBOL
#error "LOCKSTEP_API_SYMBOL must name this revision's entry point"
#endif

/* ---- what setup.c would define ---- */

bool landlock_initialized;
struct lsm_blob_sizes landlock_blob_sizes = {
	.lbs_cred = sizeof(struct landlock_cred_security),
	.lbs_inode = sizeof(struct landlock_inode_security),
	.lbs_superblock = sizeof(struct landlock_superblock_security),
};

#ifdef LOCKSTEP_HAS_ERRATA
/* Backported to 6.1.y with the erratum mechanism; older 6.1 trees have neither. */
int landlock_errata;
#endif

/* What landlock_init() does at boot, for this generation. */
static void adapter_init(void)
{
#ifdef LOCKSTEP_HAS_ERRATA
	landlock_errata = compute_errata();
#endif
	lockstep_shim_lsm_register_blobs(&landlock_blob_sizes);
	landlock_add_cred_hooks();
	landlock_add_fs_hooks();
	landlock_initialized = true;
}

/* Domains have no ids before Linux 6.15 (id.c). */
static uint64_t adapter_domain_id(void)
{
	return 0;
}

#include "kernel_shim/adapter/entry_table.h"
