// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adapter for the 6.12 generation of Landlock's internal API (struct landlock_id, one rb-tree per
 * key type, layer masks in ruleset.c, scopes, errata). It stands in for setup.c, which is not
 * compiled: it defines the LSM's globals, registers the cred and net hooks, and exposes the
 * revision through one entry table (kernel_api.h).
 *
 * LOCKSTEP_API_SYMBOL names that table's accessor, so each revision linked into a process has its
 * own (e.g. lockstep_kernel_default).
 */
#include "lockstep_shim/control.h"

#include "tree_info.h"

#include "cred.h"
#include "errata.h"
#include "fs.h"
#include "net.h"
#include "ruleset.h"
#include "setup.h"

#ifndef LOCKSTEP_API_SYMBOL
#error "LOCKSTEP_API_SYMBOL must name this revision's entry point"
#endif

/* The syscalls syscalls.c defines with SYSCALL_DEFINEn. */
long sys_landlock_create_ruleset(const struct landlock_ruleset_attr __user *const attr,
				 const size_t size, const __u32 flags);
long sys_landlock_add_rule(const int ruleset_fd, const enum landlock_rule_type rule_type,
			   const void __user *const rule_attr, const __u32 flags);
long sys_landlock_restrict_self(const int ruleset_fd, const __u32 flags);

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

/* One bit per erratum the tree declares for an ABI it implements (errata/abi-*.h). */
static int compute_errata(void)
{
	int errata = 0;
	size_t i;

	for (i = 0; landlock_errata_init[i].number; i++) {
		if (WARN_ON_ONCE(landlock_errata_init[i].abi > landlock_abi_version))
			continue;
		errata |= (int)BIT(landlock_errata_init[i].number - 1);
	}
	return errata;
}

/*
 * fs.c is not compiled in this generation of the model: no file of the model passes
 * get_path_from_fd() (rulesets and sockets live on internal mounts), so syscalls.c never gets
 * here. Reaching it is a finding.
 */
int landlock_append_fs_rule(struct landlock_ruleset *const ruleset, const struct path *const path,
			    access_mask_t access_hierarchy)
{
	(void)ruleset;
	(void)path;
	(void)access_hierarchy;
	WARN_ON_ONCE(1);
	return -EOPNOTSUPP;
}

static void init_once(void)
{
	static int state; /* 0: not yet, 1: running, 2: done */
	int expected = 0;

	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2)
		return;
	if (__atomic_compare_exchange_n(&state, &expected, 1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		landlock_errata = compute_errata();
		lockstep_shim_lsm_register_blobs(&landlock_blob_sizes);
		landlock_add_cred_hooks();
		landlock_add_net_hooks();
		landlock_initialized = true;
		__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2)
		;
}

/* ---- the entry table ---- */

static void begin_task(const struct lockstep_task_spec *spec)
{
	init_once();
	lockstep_shim_task_begin(spec->no_new_privs, spec->cap_sys_admin);
}

static size_t end_task(struct lockstep_shim_finding *out, size_t max)
{
	return lockstep_shim_task_end(out, max);
}

static long create_ruleset(struct lockstep_user_buf attr, size_t size, uint32_t flags)
{
	long ret;

	lockstep_shim_syscall_enter(&attr, 1);
	ret = sys_landlock_create_ruleset(attr.data, size, flags);
	lockstep_shim_syscall_exit();
	return ret;
}

static long add_rule(int ruleset_fd, int rule_type, struct lockstep_user_buf attr, uint32_t flags)
{
	long ret;

	lockstep_shim_syscall_enter(&attr, 1);
	ret = sys_landlock_add_rule(ruleset_fd, (enum landlock_rule_type)rule_type, attr.data,
				    flags);
	lockstep_shim_syscall_exit();
	return ret;
}

static long restrict_self(int ruleset_fd, uint32_t flags)
{
	long ret;

	lockstep_shim_syscall_enter(NULL, 0);
	ret = sys_landlock_restrict_self(ruleset_fd, flags);
	lockstep_shim_syscall_exit();
	return ret;
}

static long set_no_new_privs(void)
{
	task_set_no_new_privs(current);
	return 0;
}

static long close_fd(int fd)
{
	long ret;

	lockstep_shim_syscall_enter(NULL, 0);
	ret = lockstep_shim_close(fd);
	lockstep_shim_syscall_exit();
	return ret;
}

static long socket_op(int family, int type, int protocol)
{
	long ret;

	lockstep_shim_syscall_enter(NULL, 0);
	ret = lockstep_shim_socket(family, type, protocol);
	lockstep_shim_syscall_exit();
	return ret;
}

static long bind_op(int fd, struct lockstep_user_buf addr, int addrlen)
{
	long ret;

	lockstep_shim_syscall_enter(&addr, 1);
	ret = lockstep_shim_bind(fd, addr.data, addrlen);
	lockstep_shim_syscall_exit();
	return ret;
}

static long connect_op(int fd, struct lockstep_user_buf addr, int addrlen)
{
	long ret;

	lockstep_shim_syscall_enter(&addr, 1);
	ret = lockstep_shim_connect(fd, addr.data, addrlen);
	lockstep_shim_syscall_exit();
	return ret;
}

static long sendto_op(int fd, struct lockstep_user_buf addr, int addrlen, uint32_t flags)
{
	long ret;

	lockstep_shim_syscall_enter(&addr, 1);
	ret = lockstep_shim_sendto(fd, addr.data, addrlen, flags);
	lockstep_shim_syscall_exit();
	return ret;
}

static const struct lockstep_kernel_api api = {
	.version = LOCKSTEP_TREE_VERSION,
	.origin = LOCKSTEP_TREE_ORIGIN,
	.generation = "6.12",
	.begin_task = begin_task,
	.end_task = end_task,
	.create_ruleset = create_ruleset,
	.add_rule = add_rule,
	.restrict_self = restrict_self,
	.set_no_new_privs = set_no_new_privs,
	.close = close_fd,
	.socket = socket_op,
	.bind = bind_op,
	.connect = connect_op,
	.sendto = sendto_op,
	.fail_nth_alloc = lockstep_shim_fail_nth_alloc,
	.stats = lockstep_shim_stats,
};

const struct lockstep_kernel_api *LOCKSTEP_API_SYMBOL(void)
{
	return &api;
}
