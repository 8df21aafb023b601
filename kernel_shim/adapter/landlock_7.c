// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adapter for the 7 generation of Landlock's internal API (Linux 7.0+: struct landlock_domain,
 * landlock_get_applicable_subject(), denial logging, tsync.c). The tree's own setup.c is compiled:
 * its DEFINE_LSM is recorded by the shim (lockstep_shim/task.h), and booting the revision is
 * lockstep_shim_lsm_init(): blob offsets, then setup.c's landlock_init() (errata, the cred, task,
 * fs and net hooks, the id counter). The revision is exposed through the same entry table as the
 * other generations (kernel_api.h).
 */
#include "lockstep_shim/control.h"

#include "tree_info.h"

#include "cred.h"
#include "domain.h"
#include "ruleset.h"
#include "setup.h"

#define LOCKSTEP_ADAPTER_GENERATION "7"

#ifndef LOCKSTEP_API_SYMBOL
#error "LOCKSTEP_API_SYMBOL must name this revision's entry point"
#endif

/* What the kernel's LSM initialisation does at boot with setup.c's DEFINE_LSM. */
static void adapter_init(void)
{
	if (lockstep_shim_lsm_init() != 1)
		lockstep_shim_bug(__FILE__, __LINE__, "setup.c's DEFINE_LSM was not recorded once");
	if (!landlock_initialized)
		lockstep_shim_bug(__FILE__, __LINE__, "landlock_init() did not complete");
}

/* The id id.c gave the calling task's youngest domain (its hierarchy), 0 without a domain. */
static uint64_t adapter_domain_id(void)
{
	const struct landlock_cred_security *llcred;

	if (!lockstep_current_task)
		return 0;
	llcred = landlock_cred(current_cred());
	return llcred->domain && llcred->domain->hierarchy ? llcred->domain->hierarchy->id : 0;
}

#include "kernel_shim/adapter/entry_table.h"
