// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adapter for the 6.12 generation of Landlock's internal API (struct landlock_id, one rb-tree per
 * key type, layer masks in ruleset.c, scopes, errata). It stands in for setup.c, which is not
 * compiled: it defines the LSM's globals, registers the cred, task, fs and net hooks (setup.c's
 * order), and exposes the revision through one entry table (kernel_api.h).
 *
 * LOCKSTEP_API_SYMBOL names that table's accessor, so each revision linked into a process has its
 * own (e.g. lockstep_kernel_default).
 */
#include "lockstep_shim/control.h"

#include "tree_info.h"

#include "cred.h"
#include "errata.h"
#define LOCKSTEP_HAS_ERRATA 1
#include "kernel_shim/adapter/compute_errata.h"
#include "fs.h"
#include "net.h"
#include "ruleset.h"
#include "setup.h"
#include "task.h"

#define LOCKSTEP_ADAPTER_GENERATION "6.12"

#ifndef LOCKSTEP_API_SYMBOL
#error "LOCKSTEP_API_SYMBOL must name this revision's entry point"
#endif

/* ---- what setup.c would define ---- */

bool landlock_initialized;
int landlock_errata;
const struct lsm_id landlock_lsmid = {
	.name = LANDLOCK_NAME,
	.id = LSM_ID_LANDLOCK,
};
struct lsm_blob_sizes landlock_blob_sizes = {
	.lbs_cred = sizeof(struct landlock_cred_security),
	.lbs_file = sizeof(struct landlock_file_security),
	.lbs_inode = sizeof(struct landlock_inode_security),
	.lbs_superblock = sizeof(struct landlock_superblock_security),
};

/* What landlock_init() does at boot, for this generation. */
static void adapter_init(void)
{
	landlock_errata = compute_errata();
	lockstep_shim_lsm_register_blobs(&landlock_blob_sizes);
	landlock_add_cred_hooks();
	landlock_add_task_hooks();
	landlock_add_fs_hooks();
	landlock_add_net_hooks();
	landlock_initialized = true;
}

/* Domains have no ids before Linux 6.15 (id.c). */
static uint64_t adapter_domain_id(void)
{
	return 0;
}

#include "kernel_shim/adapter/entry_table.h"
