/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control.h: what a revision's adapter uses to run the kernel code: task lifecycle, the user
 * memory of one syscall, the socket layer around the LSM hooks, fault injection and counters.
 * Kernel world (include after the kernel headers); not seen by Landlock's own files.
 */
#ifndef LOCKSTEP_SHIM_CONTROL_H
#define LOCKSTEP_SHIM_CONTROL_H

#include "lockstep_shim/kernel.h"
#include "kernel_shim/adapter/kernel_api.h"

/* Registers the LSM's blob sizes and turns them into offsets, as the LSM framework does. */
void lockstep_shim_lsm_register_blobs(struct lsm_blob_sizes *sizes);

void lockstep_shim_task_begin(bool no_new_privs, bool cap_sys_admin);
/* Ends the task and returns its findings (leaks are checked after every deferred free ran). */
size_t lockstep_shim_task_end(struct lockstep_shim_finding *out, size_t max);
bool lockstep_shim_task_open(void);

/* Brackets one syscall: maps the caller's buffers as user memory, then on return runs deferred
 * work and checks what must hold on return to user space (no lock held, no RCU reader). */
void lockstep_shim_syscall_enter(const struct lockstep_user_buf *bufs, int count);
void lockstep_shim_syscall_exit(void);

/*
 * Threads: clone(CLONE_THREAD | CLONE_VM | CLONE_FILES | CLONE_SIGHAND ...) of the running
 * thread, returning the new thread's number (-EAGAIN past LOCKSTEP_MAX_THREADS); and which
 * thread runs the next ops (-ESRCH: no such thread, or it exited).
 */
long lockstep_shim_thread_create(void);
long lockstep_shim_thread_switch(int number);
/*
 * Between tasks (engine/ops.h): fork() of the running thread into a new process (its number;
 * -EAGAIN past LOCKSTEP_MAX_THREADS tasks); tgkill() of task @number with @sig (queued, never
 * acted on); ptrace(PTRACE_ATTACH) of task @number, detached at once.
 */
long lockstep_shim_fork(void);
long lockstep_shim_kill(int number, int sig);
long lockstep_shim_ptrace_attach(int number);
/* ptrace(PTRACE_TRACEME) of the running task, detached at once; -ESRCH without a parent task. */
long lockstep_shim_ptrace_traceme(void);
/* fcntl(@fd, F_SETOWN_EX, F_OWNER_TID of task @number), then O_ASYNC (src/fcntl.c); and
 * rt_sigtimedwait() of @sig on the running task without waiting (src/task.c). */
long lockstep_shim_setown(int fd, int number);
long lockstep_shim_sigwait(int sig);
/* Every thread of the running process but the current one exits (execve's de_thread, fork). */
void lockstep_shim_exit_siblings(void);

long lockstep_shim_close(int fd);
long lockstep_shim_socket(int family, int type, int protocol);
long lockstep_shim_bind(int fd, const void __user *addr, int addrlen);
long lockstep_shim_connect(int fd, const void __user *addr, int addrlen);
long lockstep_shim_sendto(int fd, const void __user *addr, int addrlen, unsigned int flags);
long lockstep_shim_listen(int fd);
/* accept4(@fd, NULL, NULL, @flags) without waiting (src/socket.c). */
long lockstep_shim_accept(int fd, unsigned int flags);

struct socket *lockstep_shim_socket_of_fd(int fd);
/* The hybrid engine's mirror of a real socket (kernel_api.h socket_mirror): its local and peer
 * addresses as getsockname(2)/getpeername(2) gave them (NULL/0: none). */
void lockstep_shim_socket_mirror(struct socket *sock, const void *local, int local_len,
				 const void *peer, int peer_len);

/* The filesystem syscalls (src/vfs.c, docs/filesystem.md). */
long lockstep_shim_mkdirat(int dirfd, const char *name);
long lockstep_shim_mknodat(int dirfd, const char *name, unsigned int mode, unsigned int dev);
long lockstep_shim_openat(int dirfd, const char *name, unsigned int flags);
long lockstep_shim_execute(int dirfd, const char *name);
long lockstep_shim_execve(int dirfd, const char *name);
long lockstep_shim_truncate(int dirfd, const char *name);
long lockstep_shim_ftruncate(int fd);
long lockstep_shim_unlinkat(int dirfd, const char *name);
long lockstep_shim_rmdirat(int dirfd, const char *name);
long lockstep_shim_renameat2(int old_dirfd, const char *old_name, int new_dirfd,
			     const char *new_name, unsigned int flags);
long lockstep_shim_linkat(int old_dirfd, const char *old_name, int new_dirfd, const char *new_name);
long lockstep_shim_ioctl(int fd, unsigned int cmd);
long lockstep_shim_bind_mount(int src_dirfd, const char *src_name, int dst_dirfd,
			      const char *dst_name);

struct lockstep_kunit_summary lockstep_shim_kunit_run(char *report, size_t cap);

void lockstep_shim_fail_nth_alloc(uint64_t n);
struct lockstep_shim_stats lockstep_shim_stats(void);
/*
 * The task's next audit record not yet taken (kernel_api.h's audit_next): 1 with its type and
 * text (NUL-terminated, cut to @cap), 0 when every record was taken, -N when N records were
 * written but are no longer kept (more than LOCKSTEP_AUDIT_KEEP since the last take): skipped.
 * The records of the last task stay readable after its end, until the next task begins.
 */
long lockstep_shim_audit_next(int *type, char *text, size_t cap);
/* The hook table for ./lockstep shim (kernel_api.h's hooks entry). */
size_t lockstep_shim_hooks(struct lockstep_hook_info *out, size_t max);

#endif /* LOCKSTEP_SHIM_CONTROL_H */
