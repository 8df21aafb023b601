/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The entry table every adapter exposes (kernel_api.h): the syscalls and socket ops wrapped in the
 * shim's syscall entry/exit, task lifecycle, fault injection. Included once by each adapter after
 * it defined adapter_init() (what landlock_init() does at boot: errata, blobs, hooks) and
 * LOCKSTEP_ADAPTER_GENERATION.
 */
#ifndef LOCKSTEP_KERNEL_SHIM_ADAPTER_ENTRY_TABLE_H_
#define LOCKSTEP_KERNEL_SHIM_ADAPTER_ENTRY_TABLE_H_

/* The syscalls syscalls.c defines with SYSCALL_DEFINEn (same signatures since Linux 5.13). */
long sys_landlock_create_ruleset(const struct landlock_ruleset_attr __user *const attr,
				 const size_t size, const __u32 flags);
long sys_landlock_add_rule(const int ruleset_fd, const enum landlock_rule_type rule_type,
			   const void __user *const rule_attr, const __u32 flags);
long sys_landlock_restrict_self(const int ruleset_fd, const __u32 flags);

/* Runs the adapter's adapter_init() once per process, whichever thread gets here first. */
static void init_once(void)
{
	static int state; /* 0: not yet, 1: running, 2: done */
	int expected = 0;

	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2)
		return;
	if (__atomic_compare_exchange_n(&state, &expected, 1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		adapter_init();
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

static void *entry_current_task(void)
{
	return lockstep_current_task;
}

static long entry_cred_blob_offset(void)
{
	return landlock_blob_sizes.lbs_cred;
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

/* ---- the filesystem: each syscall bracketed like the others ---- */

#define FS_SYSCALL(call)                         \
	({                                       \
		long __ret;                      \
                                                 \
		lockstep_shim_syscall_enter(NULL, 0); \
		__ret = (call);                  \
		lockstep_shim_syscall_exit();    \
		__ret;                           \
	})

static long mkdir_op(int dirfd, const char *path)
{
	return FS_SYSCALL(lockstep_shim_mkdirat(dirfd, path));
}

static long mknod_op(int dirfd, const char *path, uint32_t mode, uint32_t dev)
{
	return FS_SYSCALL(lockstep_shim_mknodat(dirfd, path, mode, dev));
}

static long open_op(int dirfd, const char *path, uint32_t flags)
{
	return FS_SYSCALL(lockstep_shim_openat(dirfd, path, flags));
}

static long execute_op(int dirfd, const char *path)
{
	return FS_SYSCALL(lockstep_shim_execute(dirfd, path));
}

static long truncate_op(int dirfd, const char *path)
{
	return FS_SYSCALL(lockstep_shim_truncate(dirfd, path));
}

static long ftruncate_op(int fd)
{
	return FS_SYSCALL(lockstep_shim_ftruncate(fd));
}

static long unlink_op(int dirfd, const char *path)
{
	return FS_SYSCALL(lockstep_shim_unlinkat(dirfd, path));
}

static long rmdir_op(int dirfd, const char *path)
{
	return FS_SYSCALL(lockstep_shim_rmdirat(dirfd, path));
}

static long rename_op(int old_dirfd, const char *old_path, int new_dirfd, const char *new_path,
		      uint32_t flags)
{
	return FS_SYSCALL(lockstep_shim_renameat2(old_dirfd, old_path, new_dirfd, new_path, flags));
}

static long link_op(int old_dirfd, const char *old_path, int new_dirfd, const char *new_path)
{
	return FS_SYSCALL(lockstep_shim_linkat(old_dirfd, old_path, new_dirfd, new_path));
}

static long ioctl_op(int fd, uint32_t cmd)
{
	return FS_SYSCALL(lockstep_shim_ioctl(fd, cmd));
}

static long bind_mount_op(int src_dirfd, const char *src_path, int dst_dirfd, const char *dst_path)
{
	return FS_SYSCALL(lockstep_shim_bind_mount(src_dirfd, src_path, dst_dirfd, dst_path));
}

static struct lockstep_kunit_summary run_kunit(char *report, size_t cap)
{
	init_once();
	return lockstep_shim_kunit_run(report, cap);
}

static size_t hooks_op(struct lockstep_hook_info *out, size_t max)
{
	init_once();
	return lockstep_shim_hooks(out, max);
}

static void *socket_of_fd(int fd)
{
	return lockstep_shim_socket_of_fd(fd);
}

static long hook_bind(void *sock, const void *addr, int addrlen)
{
	return security_socket_bind(sock, (struct sockaddr *)addr, addrlen);
}

static long hook_connect(void *sock, const void *addr, int addrlen)
{
	return security_socket_connect(sock, (struct sockaddr *)addr, addrlen);
}

static const struct lockstep_kernel_api api = {
	.version = LOCKSTEP_TREE_VERSION,
	.origin = LOCKSTEP_TREE_ORIGIN,
	.generation = LOCKSTEP_ADAPTER_GENERATION,
	.fingerprint = LOCKSTEP_TREE_FINGERPRINT,
	.begin_task = begin_task,
	.current_task = entry_current_task,
	.cred_blob_offset = entry_cred_blob_offset,
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
	.mkdir = mkdir_op,
	.mknod = mknod_op,
	.open = open_op,
	.execute = execute_op,
	.truncate = truncate_op,
	.ftruncate = ftruncate_op,
	.unlink = unlink_op,
	.rmdir = rmdir_op,
	.rename = rename_op,
	.link = link_op,
	.ioctl = ioctl_op,
	.bind_mount = bind_mount_op,
	.run_kunit = run_kunit,
	.fail_nth_alloc = lockstep_shim_fail_nth_alloc,
	.stats = lockstep_shim_stats,
	.hooks = hooks_op,
	.socket_of_fd = socket_of_fd,
	.hook_bind = hook_bind,
	.hook_connect = hook_connect,
};

const struct lockstep_kernel_api *LOCKSTEP_API_SYMBOL(void)
{
	return &api;
}

#endif /* LOCKSTEP_KERNEL_SHIM_ADAPTER_ENTRY_TABLE_H_ */
