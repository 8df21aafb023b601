/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The entry table every adapter exposes (kernel_api.h): one entry point for every op of
 * engine/ops.h, dispatched here and wrapped in the shim's syscall entry/exit; task lifecycle,
 * fault injection. Included once by each adapter after
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

/*
 * The task's credentials when the hybrid engine first mirrored it (set_privileges or base_op,
 * which it calls before the task's first Landlock syscall, so before any domain): base_op's. A
 * reference held until the task ends; never taken for the other engines.
 */
static _Thread_local const struct cred *task_first_cred;

static const struct cred *first_cred(void)
{
	if (!task_first_cred)
		task_first_cred = get_cred(current_cred());
	return task_first_cred;
}

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
	if (task_first_cred && lockstep_current_task)
		put_cred(task_first_cred);
	task_first_cred = NULL;
	return lockstep_shim_task_end(out, max);
}

/* prctl(PR_SET_NO_NEW_PRIVS): no syscall bracket (gdb's break function for no_new_privs). */
static long set_no_new_privs(void)
{
	task_set_no_new_privs(current);
	return 0;
}

#ifndef LOCKSTEP_PROCESS_WIDE
_Static_assert(LOCKSTEP_MAX_THREADS == LOCKSTEP_MAX_TASK_THREADS,
	       "the shim's thread limit is the one every engine keeps (engine/ops.h)");
#endif
_Static_assert(LOCKSTEP_PID_BASE == LOCKSTEP_TASK_PID_BASE,
	       "the shim's pids are the ones the kernel engine reads back (engine/ops.h)");

/* The LOCKSTEP_ARG_* each op reads (engine/ops.h). */
static const unsigned int op_args[LOCKSTEP_NUM_OPS] = {
#define LOCKSTEP_OP_ARGS(e, c, name, args, ret, tag, functions) [LOCKSTEP_OP_##c] = (args),
	LOCKSTEP_OPS(LOCKSTEP_OP_ARGS)
#undef LOCKSTEP_OP_ARGS
};

/* The shim's model of each op, as the syscall would run it. */
static long run_op(const struct lockstep_op_args *a)
{
	switch ((enum lockstep_op_kind)a->kind) {
	case LOCKSTEP_OP_CREATE_RULESET:
		return sys_landlock_create_ruleset(a->mem.data, a->size, a->flags);
	case LOCKSTEP_OP_ADD_RULE:
		return sys_landlock_add_rule(a->fd, (enum landlock_rule_type)a->rule_type,
					     a->mem.data, a->flags);
	case LOCKSTEP_OP_RESTRICT_SELF:
		return sys_landlock_restrict_self(a->fd, a->flags);
	case LOCKSTEP_OP_SET_NO_NEW_PRIVS:
		return set_no_new_privs();
	case LOCKSTEP_OP_CLOSE:
		return lockstep_shim_close(a->fd);
	case LOCKSTEP_OP_SOCKET:
		return lockstep_shim_socket(a->family, a->type, a->protocol);
	case LOCKSTEP_OP_BIND:
		return lockstep_shim_bind(a->fd, a->mem.data, a->addrlen);
	case LOCKSTEP_OP_CONNECT:
		return lockstep_shim_connect(a->fd, a->mem.data, a->addrlen);
	case LOCKSTEP_OP_SENDTO:
		return lockstep_shim_sendto(a->fd, a->mem.data, a->addrlen, a->flags);
	case LOCKSTEP_OP_MKDIR:
		return lockstep_shim_mkdirat(a->at, a->path);
	case LOCKSTEP_OP_MKNOD:
		/* mknodat() takes the device number as an unsigned int: wider values are cut. */
		return lockstep_shim_mknodat(a->at, a->path, a->mode, (uint32_t)a->dev);
	case LOCKSTEP_OP_OPEN:
		return lockstep_shim_openat(a->at, a->path, a->flags);
	case LOCKSTEP_OP_EXECUTE:
		return lockstep_shim_execute(a->at, a->path);
	case LOCKSTEP_OP_EXECVE:
		return lockstep_shim_execve(a->at, a->path);
	case LOCKSTEP_OP_TRUNCATE:
		return lockstep_shim_truncate(a->at, a->path);
	case LOCKSTEP_OP_FTRUNCATE:
		return lockstep_shim_ftruncate(a->fd);
	case LOCKSTEP_OP_UNLINK:
		return lockstep_shim_unlinkat(a->at, a->path);
	case LOCKSTEP_OP_RMDIR:
		return lockstep_shim_rmdirat(a->at, a->path);
	case LOCKSTEP_OP_RENAME:
		return lockstep_shim_renameat2(a->at, a->path, a->at2, a->path2, a->flags);
	case LOCKSTEP_OP_LINK:
		return lockstep_shim_linkat(a->at, a->path, a->at2, a->path2);
	case LOCKSTEP_OP_IOCTL:
		return lockstep_shim_ioctl(a->fd, a->flags);
	case LOCKSTEP_OP_BIND_MOUNT:
		return lockstep_shim_bind_mount(a->at, a->path, a->at2, a->path2);
	case LOCKSTEP_OP_THREAD:
		return lockstep_shim_thread_create();
	case LOCKSTEP_OP_ON_THREAD:
		return lockstep_shim_thread_switch(a->fd);
	case LOCKSTEP_OP_FORK:
		return lockstep_shim_fork();
	case LOCKSTEP_OP_KILL:
		return lockstep_shim_kill(a->fd, (int)a->flags);
	case LOCKSTEP_OP_PTRACE:
		return lockstep_shim_ptrace_attach(a->fd);
	case LOCKSTEP_OP_TRACEME:
		return lockstep_shim_ptrace_traceme();
	case LOCKSTEP_OP_LISTEN:
		return lockstep_shim_listen(a->fd);
	case LOCKSTEP_OP_SETOWN:
		return lockstep_shim_setown(a->fd, a->at);
	case LOCKSTEP_OP_SIGWAIT:
		return lockstep_shim_sigwait((int)a->flags);
	case LOCKSTEP_OP_ACCEPT:
		return lockstep_shim_accept(a->fd, a->flags);
	case LOCKSTEP_NUM_OPS:
		break;
	}
	return -ENOSYS;
}

/*
 * kernel_api.h's syscall: the op between the shim's syscall entry (which marks the op's user
 * buffer readable, for the ops that take one) and exit (lockdep's checks on the way back to user
 * space, deferred frees); prctl(PR_SET_NO_NEW_PRIVS) without, and on_thread (not a syscall:
 * which thread runs next).
 */
static long entry_syscall(const struct lockstep_op_args *a)
{
	long ret;

	if (a->kind < 0 || a->kind >= LOCKSTEP_NUM_OPS)
		return -ENOSYS;
	if (a->kind == LOCKSTEP_OP_SET_NO_NEW_PRIVS)
		return set_no_new_privs();
	if (a->kind == LOCKSTEP_OP_ON_THREAD)
		return lockstep_shim_thread_switch(a->fd);
	if (op_args[a->kind] & LOCKSTEP_ARG_MEM)
		lockstep_shim_syscall_enter(&a->mem, 1);
	else
		lockstep_shim_syscall_enter(NULL, 0);
	ret = run_op(a);
	lockstep_shim_syscall_exit();
	return ret;
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

/* ---- the hybrid engine's mirror of a real process (kernel_api.h) ---- */

static int set_privileges(int no_new_privs, int cap_sys_admin)
{
	const kernel_cap_t cap = BIT_ULL(CAP_SYS_ADMIN);
	struct cred *new;

	first_cred();
	if (no_new_privs)
		task_set_no_new_privs(current);
	if (cap_sys_admin >= 0 && !!(current_cred()->cap_effective & cap) != !!cap_sys_admin) {
		new = prepare_creds();
		if (!new)
			return -ENOMEM;
		if (cap_sys_admin)
			new->cap_effective |= cap;
		else
			new->cap_effective &= ~cap;
		commit_creds(new);
	}
	return task_no_new_privs(current);
}

static void socket_mirror(void *sock, const void *local, int local_len, const void *peer,
			  int peer_len)
{
	lockstep_shim_socket_mirror(sock, local, local_len, peer, peer_len);
}

/* vfs_read()/vfs_write()'s checks before the file's own read/write. */
static long file_io(int fd, int write, void *buf, size_t len)
{
	CLASS(fd, f)(fd);
	struct file *file;
	loff_t pos = 0;

	if (fd_empty(f))
		return -EBADF;
	file = fd_file(f);
	if (!(file->f_mode & (write ? FMODE_WRITE : FMODE_READ)))
		return -EBADF;
	if (write ? !file->f_op->write : !file->f_op->read)
		return -EINVAL;
	return write ? file->f_op->write(file, buf, len, &pos) : file->f_op->read(file, buf, len, &pos);
}

/* fork(2)'s child: the process has the forking thread alone (the current one). */
static void fork_child(void)
{
	lockstep_shim_exit_siblings();
}

static long base_op(const struct lockstep_op_args *a)
{
	const struct cred *own = current->cred;
	long ret;

	current->cred = first_cred();
	ret = entry_syscall(a);
	current->cred = own;
	return ret;
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
	.syscall = entry_syscall,
	.run_kunit = run_kunit,
	.fail_nth_alloc = lockstep_shim_fail_nth_alloc,
	.stats = lockstep_shim_stats,
	.hooks = hooks_op,
	.socket_of_fd = socket_of_fd,
	.hook_bind = hook_bind,
	.hook_connect = hook_connect,
	.audit_next = lockstep_shim_audit_next,
	.domain_id = adapter_domain_id,
	.set_privileges = set_privileges,
	.socket_mirror = socket_mirror,
	.file_io = file_io,
	.base_op = base_op,
	.fork_child = fork_child,
};

const struct lockstep_kernel_api *LOCKSTEP_API_SYMBOL(void)
{
	return &api;
}

#endif /* LOCKSTEP_KERNEL_SHIM_ADAPTER_ENTRY_TABLE_H_ */
