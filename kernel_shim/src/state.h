/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-thread shim state shared by the shim's own files. */
#ifndef LOCKSTEP_KERNEL_SHIM_SRC_STATE_H_
#define LOCKSTEP_KERNEL_SHIM_SRC_STATE_H_

#include "lockstep_shim/control.h"

#define LOCKSTEP_MAX_FINDINGS 32
#define LOCKSTEP_NR_OPEN 256
#define LOCKSTEP_AUDIT_KEEP 64 /* more than one task end writes: 16 domain records */
#define LOCKSTEP_AUDIT_TEXT_MAX 512

struct lockstep_fdtable {
	struct file *fd[LOCKSTEP_NR_OPEN];
	/* O_CLOEXEC, SOCK_CLOEXEC: closed by execve. A bitmap, as the kernel's fdtable has it. */
	unsigned long close_on_exec[(LOCKSTEP_NR_OPEN + BITS_PER_LONG - 1) / BITS_PER_LONG];
	int max_fds; /* every fd at or above it is free: what task exit has to look at */
};

struct lockstep_shim_state {
	/* allocation */
	u64 allocations;
	u64 live_allocations;
	u64 live_bytes;
	u64 fail_at; /* the value of @allocations whose call fails; 0 = none */
	/* findings */
	u64 warnings;
	size_t num_findings; /* all of them; the first LOCKSTEP_MAX_FINDINGS are kept */
	struct lockstep_shim_finding findings[LOCKSTEP_MAX_FINDINGS];
	/* lock and RCU state of the running task */
	int held_locks;
	int held_spinlocks;
	int rcu_depth;
	/* LSM hook calls by hook id, over all tasks of this thread (never reset) */
	u64 hook_calls[LOCKSTEP_HOOK_COUNT];
	/* audit records of the running task (src/audit.c): all counted, the last few kept;
	 * audit_taken: how many lockstep_shim_audit_next() handed out */
	u64 audit_records;
	u64 audit_taken;
	struct lockstep_audit_record {
		int type;
		char text[LOCKSTEP_AUDIT_TEXT_MAX];
	} audit_log[LOCKSTEP_AUDIT_KEEP];
	/* deterministic randomness (get_random_*), seeded per thread (src/audit.c) */
	u64 random_state;
	/* deferred work: FIFO queues run by lockstep_shim_run_deferred() */
	struct work_struct *work_head, *work_tail;
	struct rcu_head *rcu_head, *rcu_tail;
};

extern _Thread_local struct lockstep_shim_state lockstep_shim;

void lockstep_shim_run_deferred(void);
void lockstep_shim_fdtable_release(struct lockstep_fdtable *table);
/* Whether the fd table has a free slot (open reserves one before looking at the path). */
bool lockstep_shim_fd_available(void);
/* Installs @file at the lowest free fd, taking over the caller's reference. */
int lockstep_shim_fd_install(struct file *file, bool close_on_exec);
void lockstep_shim_close_on_exec(void);
/* Whether @match holds for some file open in some process's fd table. */
bool lockstep_shim_some_open_file(bool (*match)(const struct file *file, const void *arg),
				  const void *arg);
/* de_thread(): every thread of the process but the running one exits. */
void lockstep_shim_exit_siblings(void);
/* A new file with one reference, its LSM blob allocated; NULL on allocation failure. */
struct file *lockstep_shim_alloc_file(const struct file_operations *fops, struct path path,
				      fmode_t mode, unsigned int flags, void *private_data);

/* AF_UNIX sockets (unix.c): a new sock's state; bind, connect, a zero-length sendmsg and listen
 * after the socket layer's checks and hooks (0 or -errno); release at the file's last close. */
void lockstep_unix_init(struct sock *sk);
int lockstep_unix_bind(struct sock *sk, const struct sockaddr *address, int addr_len);
int lockstep_unix_connect(struct sock *sk, const struct sockaddr *address, int addr_len);
int lockstep_unix_sendmsg(struct sock *sk, const struct sockaddr *address, int namelen,
			  unsigned int flags);
int lockstep_unix_listen(struct sock *sk);
/* unix_accept() without waiting: the oldest queued connection's sock grafted on @newsock. */
int lockstep_unix_accept(struct sock *sk, struct socket *newsock);
void lockstep_unix_release(struct sock *sk);
/* sk_wake_async(): SIGIO to the owner of @sk's file when it is O_ASYNC (src/socket.c). */
void lockstep_shim_sk_wake_async(struct sock *sk, int band);
/* sk_send_sigurg(): SIGURG to the owner of @sk's file, if any (src/socket.c). */
void lockstep_shim_sk_send_sigurg(struct sock *sk);
#define LOCKSTEP_POLL_IN 1
#define LOCKSTEP_POLL_ERR 4
#define LOCKSTEP_POLL_HUP 6

/* Named UNIX sockets' files (vfs.c): whether @name is a path of the model; unix_bind_bsd()'s
 * socket file (-EEXIST when the name exists) and its undo; kern_path() from the root. */
bool lockstep_shim_vfs_model_path(const char *name);
int lockstep_shim_vfs_mksock(const char *name, umode_t mode, struct path *out);
void lockstep_shim_vfs_unmksock(struct path *path);
int lockstep_shim_vfs_lookup(const char *name, struct path *out);

/* The task's filesystem (vfs.c): made at task begin, unmounted at task end. */
void lockstep_shim_vfs_begin(void);
void lockstep_shim_vfs_end(void);

#endif /* LOCKSTEP_KERNEL_SHIM_SRC_STATE_H_ */
