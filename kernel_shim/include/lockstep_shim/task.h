/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * task.h: the simulated task a scenario runs in: `current`, its credentials, its fd table and its
 * user memory; the LSM hook table; the syscall definition macros. Modelled: a task here has
 * exactly what Landlock's syscalls and hooks read, and each scenario gets a fresh one.
 */
#ifndef LOCKSTEP_SHIM_TASK_H
#define LOCKSTEP_SHIM_TASK_H

#include "lockstep_shim/net.h"

struct user_namespace {
	int level;
};
extern struct user_namespace init_user_ns;

#define CAP_NET_BIND_SERVICE 10
#define CAP_NET_ADMIN 12
#define CAP_NET_RAW 13
#define CAP_SYS_ADMIN 21

/* User ids (linux/uidgid.h): the model's tasks run as root in the initial namespace. */
typedef unsigned int uid_t;
typedef int pid_t;
typedef struct {
	uid_t val;
} kuid_t;
static inline uid_t from_kuid(struct user_namespace *ns, kuid_t kuid)
{
	(void)ns;
	return kuid.val;
}

struct cred {
	refcount_t usage;
	kuid_t uid;
	kernel_cap_t cap_effective;
	struct user_namespace *user_ns;
	void *security; /* the LSM blob, lsm_blob_sizes.lbs_cred bytes */
	struct rcu_head rcu;
};

struct lockstep_fdtable;
struct lockstep_user_region {
	const void *start;
	size_t len;
};

#define TASK_COMM_LEN 16
/* A task's memory (linux/mm.h): only what Landlock reads, the executable file (none here). */
struct mm_struct {
	struct file *exe_file;
};
/* The most tasks a scenario has in this model, threads of every process (scenario ops `thread`,
 * `fork`, `on_thread`): engine/ops.h's LOCKSTEP_MAX_TASK_THREADS, which this header cannot include
 * (adapter/entry_table.h checks). The process-wide build of the hybrid engine
 * (LOCKSTEP_PROCESS_WIDE) mirrors a real process's threads instead, and sets its own limit. */
#ifndef LOCKSTEP_MAX_THREADS
#define LOCKSTEP_MAX_THREADS 8
#endif
/* The thread group (linux/sched/signal.h): the process's threads, the locks exec and TSYNC take. */
struct rw_semaphore {
	struct lockstep_lock_state dep;
};
#define LOCKSTEP_NSIG 64 /* _NSIG: valid_signal() is sig <= _NSIG, unsigned */
/* A process id (linux/pid.h): the number alone; pids live as long as the scenario. A task has
 * its own (PIDTYPE_PID, what find_vpid() finds) and its process one (PIDTYPE_TGID, task_tgid()),
 * two structs with the same number for a process's first thread. */
struct pid {
	pid_t nr;
};
struct signal_struct {
	int nr_threads; /* live threads */
	struct pid lockstep_tgid; /* the process's id: its first thread's pid */
	/* Every thread the process made, by number (0: the first); a thread that exited stays,
	 * marked PF_EXITING with lockstep_gone set. */
	struct task_struct *lockstep_threads[LOCKSTEP_MAX_THREADS];
	int lockstep_num_threads;
	struct rw_semaphore exec_update_lock;
	struct mutex cred_guard_mutex;
};
/* task_work (linux/task_work.h): callbacks a task runs on its way back to user space. */
struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};

struct task_struct {
	unsigned int flags; /* PF_* */
	char comm[TASK_COMM_LEN];
	struct mm_struct *mm;
	struct signal_struct *signal;
	const struct cred *real_cred;
	const struct cred *cred;
	unsigned long atomic_flags; /* PFA_NO_NEW_PRIVS */
	struct lockstep_fdtable *files;
	/* The user memory a syscall may read: the buffers its caller passed. */
	struct lockstep_user_region user_regions[4];
	int num_user_regions;
	/* Threads (src/task.c): the thread's number in its process (0: its first); whether it is
	 * gone (the process's thread list keeps it); the task_work queued on it and, while it
	 * runs, the fiber running it and the completion it waits for; its lock state while another
	 * runs. */
	int lockstep_tid;
	bool lockstep_gone;
	/* The scenario's number for it (ops `thread`, `fork`, `on_thread`, `kill`, `ptrace`), and
	 * its pid: LOCKSTEP_PID_BASE + the number (a pid 0 would mean none to lsm_audit.c). */
	int lockstep_number;
	pid_t lockstep_pid;
	struct pid lockstep_pid_struct;
	/* The signals pending for it (its own queue, t->pending): every task of the model blocks
	 * every signal, so a signal waits there until rt_sigtimedwait() takes it. A standard signal
	 * is pending once (bit sig - 1), a real-time one once per send (counted, from SIGRTMIN, in
	 * an array allocated at the first one). */
	unsigned long long lockstep_pending;
	unsigned short *lockstep_rt_queued;
	/* real_parent: the thread that forked its process (a thread has its creator's); NULL for
	 * the scenario's first process, whose parent is outside the scenario. */
	struct task_struct *real_parent;
	struct callback_head *task_works;
	struct lockstep_host_fiber *lockstep_fiber;
	struct completion *lockstep_waits_on;
	int lockstep_held_locks, lockstep_held_spinlocks, lockstep_rcu_depth;
};
#define PFA_NO_NEW_PRIVS 0
#define PF_EXITING 0x00000004
#define PF_KTHREAD 0x00200000

#define current_uid() (current_cred()->uid)
/* get_task_comm(buf, task): a NUL-terminated copy of the task's name. */
static inline void __lockstep_get_task_comm(char *buf, size_t size, const struct task_struct *t)
{
	size_t i;

	for (i = 0; i + 1 < size && t->comm[i]; i++)
		buf[i] = t->comm[i];
	for (; i < size; i++)
		buf[i] = '\0';
}
#define get_task_comm(buf, task) __lockstep_get_task_comm((buf), sizeof(buf), (task))
/* The executable of a process (linux/mm.h): a new file reference, NULL without one. */
struct file *get_mm_exe_file(struct mm_struct *mm);
static inline int get_nr_threads(struct task_struct *task)
{
	return task->signal ? task->signal->nr_threads : 1;
}
/* for_each_thread(p, t): every live thread of p's process, p included, by number. */
#define for_each_thread(p, t)                                                                   \
	for (int __lockstep_i = 0;                                                              \
	     __lockstep_i < (p)->signal->lockstep_num_threads &&                                  \
	     ((t) = (p)->signal->lockstep_threads[__lockstep_i], 1);                               \
	     __lockstep_i++)                                                                     \
		if ((t)->lockstep_gone) {                                                       \
		} else
/* Tasks live as long as the scenario: no reference to count. */
#define get_task_struct(t) (t)
#define put_task_struct(t) ((void)(t))

/* exec_update_lock and cred_guard_mutex: instrumented like every lock (custom.h). */
#define init_rwsem(s) ((s)->dep = (struct lockstep_lock_state)__LOCKSTEP_LOCK_INIT(#s))
bool lockstep_shim_trylock(struct lockstep_lock_state *l, bool sleeping, const char *file,
			   int line);
#define down_write_trylock(s) lockstep_shim_trylock(&(s)->dep, true, __FILE__, __LINE__)
#define down_write(s) lockstep_shim_lock(&(s)->dep, true, __FILE__, __LINE__)
#define up_write(s) lockstep_shim_unlock(&(s)->dep, true, __FILE__, __LINE__)
#define down_read(s) lockstep_shim_read_lock(&(s)->dep, __FILE__, __LINE__)
#define up_read(s) lockstep_shim_read_unlock(&(s)->dep, __FILE__, __LINE__)
#define mutex_trylock(m) lockstep_shim_trylock(&(m)->dep, true, __FILE__, __LINE__)

enum task_work_notify_mode {
	TWA_NONE,
	TWA_RESUME,
	TWA_SIGNAL,
	TWA_SIGNAL_NO_IPI,
	TWA_NMI_CURRENT,
};
static inline void init_task_work(struct callback_head *twork,
				  void (*func)(struct callback_head *head))
{
	twork->func = func;
}
/*
 * Queues @work on @task (-ESRCH when it is exiting). A sibling thread runs its queued work as
 * the kernel has it run on the way back to user space, forced by TWA_SIGNAL: here, as soon as
 * the running thread waits for a completion or returns from its syscall (src/task.c runs the
 * work on a fiber of its own, in the sibling's context, so that it can wait too).
 */
int task_work_add(struct task_struct *task, struct callback_head *work,
		  enum task_work_notify_mode mode);
struct callback_head *task_work_cancel(struct task_struct *task, struct callback_head *cb);
/* restart_syscall(): the syscall returns -ERESTARTNOINTR and the task would re-issue it. */
#define restart_syscall() (-ERESTARTNOINTR)

/* Completions (linux/completion.h): a wait lets the siblings' queued work run (src/task.c); a
 * wait that nothing can end is a finding. */
struct completion {
	unsigned int done;
};
static inline void init_completion(struct completion *x)
{
	x->done = 0;
}
static inline void reinit_completion(struct completion *x)
{
	x->done = 0;
}
static inline void complete(struct completion *x)
{
	if (x->done != ~0U)
		x->done++;
}
static inline void complete_all(struct completion *x)
{
	x->done = ~0U;
}
void lockstep_shim_wait_for_completion(struct completion *x, const char *file, int line);
#define wait_for_completion(x) lockstep_shim_wait_for_completion((x), __FILE__, __LINE__)
#define wait_for_completion_interruptible(x) \
	(lockstep_shim_wait_for_completion((x), __FILE__, __LINE__), 0)

/* Randomness (linux/random.h): deterministic in this model (src/audit.c). */
u32 get_random_u32(void);
u8 get_random_u8(void);
u64 get_random_u64(void);
void lockstep_shim_random_seed(u64 seed);

/* exec (linux/binfmts.h): the credentials being prepared for the new program. */
struct linux_binprm {
	struct cred *cred;
	struct file *file;
};

/* Signals (linux/signal.h) and ptrace (linux/ptrace.h): types and flags the hooks take. */
struct kernel_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
};
#define SI_TKILL (-6)    /* sent by tkill/tgkill */
#define PTRACE_MODE_READ 0x01
#define PTRACE_MODE_ATTACH 0x02
#define PTRACE_MODE_NOAUDIT 0x04
#define PTRACE_MODE_FSCREDS 0x08
#define PTRACE_MODE_REALCREDS 0x10

extern _Thread_local struct task_struct *lockstep_current_task;
static inline struct task_struct *get_current(void)
{
	return lockstep_current_task;
}
#define current get_current()

static inline bool task_no_new_privs(struct task_struct *p)
{
	return test_bit(PFA_NO_NEW_PRIVS, &p->atomic_flags);
}
static inline void task_set_no_new_privs(struct task_struct *p)
{
	set_bit(PFA_NO_NEW_PRIVS, &p->atomic_flags);
}

#define __task_cred(task) rcu_dereference((task)->real_cred)
#define current_cred() (current->cred)
#define current_real_cred() (current->real_cred)
#define current_user_ns() (current_cred()->user_ns)

struct cred *prepare_creds(void);
int commit_creds(struct cred *new);
void abort_creds(struct cred *new);
void __put_cred(struct cred *cred);
static inline const struct cred *get_cred(const struct cred *cred)
{
	struct cred *nonconst = (struct cred *)cred;

	if (!cred)
		return cred;
	refcount_inc(&nonconst->usage);
	return cred;
}
static inline void put_cred(const struct cred *cred)
{
	struct cred *nonconst = (struct cred *)cred;

	if (cred && refcount_dec_and_test(&nonconst->usage))
		__put_cred(nonconst);
}

bool ns_capable_noaudit(struct user_namespace *ns, int cap);
bool ns_capable(struct user_namespace *ns, int cap);
bool capable(int cap);

/* ---- user memory (linux/uaccess.h) ---- */
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
/* Reported, not silent: this model maps no writable user memory (src/task.c). */
unsigned long lockstep_shim_copy_to_user(void __user *to, const void *from, unsigned long n,
					 const char *file, int line);
#define copy_to_user(to, from, n) lockstep_shim_copy_to_user((to), (from), (n), __FILE__, __LINE__)
int check_zeroed_user(const void __user *from, size_t size);
int copy_struct_from_user(void *dst, size_t ksize, const void __user *src, size_t usize);

/* ---- LSM hooks (linux/lsm_hooks.h, lsm_hook_defs.h) ---- */
struct lsm_id {
	const char *name;
	u64 id;
};
#define LSM_ID_UNDEF 0
#define LSM_ID_LANDLOCK 110

struct lsm_blob_sizes {
	int lbs_cred;
	int lbs_file;
	int lbs_ib;
	int lbs_inode;
	int lbs_sock;
	int lbs_superblock;
	int lbs_ipc;
	int lbs_key;
	int lbs_msg_msg;
	int lbs_perf_event;
	int lbs_task;
	int lbs_xattr_count;
	int lbs_tun_dev;
	int lbs_bdev;
};

/* The hooks this model knows: one list, lockstep_shim/hooks.def. */
union security_list_options {
#define LOCKSTEP_HOOK(ret, name, params, args, dispatch) ret(*name) params;
#include "lockstep_shim/hooks.def"
#undef LOCKSTEP_HOOK
	void *lockstep_any;
};
enum lockstep_hook_id {
#define LOCKSTEP_HOOK(ret, name, params, args, dispatch) LOCKSTEP_HOOK_##name,
#include "lockstep_shim/hooks.def"
#undef LOCKSTEP_HOOK
	LOCKSTEP_HOOK_COUNT,
};
struct security_hook_list {
	enum lockstep_hook_id lockstep_id;
	union security_list_options hook;
	const void *lsm; /* the LSM: a struct lsm_id since Linux 6.8, its name string before */
};
/*
 * An LSM's definition (linux/lsm_hooks.h): DEFINE_LSM(name) = { .id/.name, .init, .blobs }.
 * Recorded when the program loads (a constructor, as the kernel collects them from a section);
 * lockstep_shim_lsm_init() then does what the kernel's LSM initialisation does with each:
 * set its blob offsets, call its .init (src/lsm.c).
 */
struct lsm_info {
	const char *name; /* until Linux 6.8 */
	const struct lsm_id *id; /* since Linux 6.8 */
	int order;
	unsigned long flags;
	int *enabled;
	int (*init)(void);
	struct lsm_blob_sizes *blobs;
};
void lockstep_shim_define_lsm(struct lsm_info *info, const char *file);
#define DEFINE_LSM(lsm)                                                                \
	static struct lsm_info __lsm_##lsm;                                            \
	static void __attribute__((constructor)) __lockstep_define_lsm_##lsm(void)      \
	{                                                                              \
		lockstep_shim_define_lsm(&__lsm_##lsm, __FILE__);                      \
	}                                                                              \
	static struct lsm_info __lsm_##lsm
/* Initialises every LSM DEFINE_LSM recorded, once; returns how many there were. */
int lockstep_shim_lsm_init(void);
#define LSM_HOOK_INIT(NAME, HOOK) \
	{ .lockstep_id = LOCKSTEP_HOOK_##NAME, .hook = { .NAME = HOOK } }
/*
 * The third argument is a `const struct lsm_id *` since Linux 6.8 and a `const char *` name before.
 * The calling file is recorded with each hook: ./lockstep shim says which file registered it.
 */
void lockstep_shim_security_add_hooks(struct security_hook_list *hooks, int count, const void *lsm,
				      const char *file);
#define security_add_hooks(hooks, count, lsm) \
	lockstep_shim_security_add_hooks((hooks), (count), (lsm), __FILE__)

/* What the kernel's security_*() wrappers do: call each registered hook, stop at an error. */
int security_prepare_creds(struct cred *new, const struct cred *old, gfp_t gfp);
void security_cred_free(struct cred *cred);
int security_inode_alloc(struct inode *inode);
void security_inode_free(struct inode *inode);
int security_sb_alloc(struct super_block *sb);
void security_sb_free(struct super_block *sb);
int security_path_link(struct dentry *old_dentry, const struct path *new_dir,
		       struct dentry *new_dentry);
int security_path_rename(const struct path *old_dir, struct dentry *old_dentry,
			 const struct path *new_dir, struct dentry *new_dentry, unsigned int flags);
int security_path_mkdir(const struct path *dir, struct dentry *dentry, umode_t mode);
int security_path_mknod(const struct path *dir, struct dentry *dentry, umode_t mode,
			unsigned int dev);
int security_path_unlink(const struct path *dir, struct dentry *dentry);
int security_path_rmdir(const struct path *dir, struct dentry *dentry);
int security_path_truncate(const struct path *path);
int security_file_alloc(struct file *file);
void security_file_free(struct file *file);
/* The plain wrappers, generated from hooks.def (LOCKSTEP_INT, LOCKSTEP_VOID). */
#define LOCKSTEP_INT(ret, name, params) ret security_##name params;
#define LOCKSTEP_VOID(ret, name, params) ret security_##name params;
#define LOCKSTEP_CUSTOM(ret, name, params) /* a hand-written wrapper, declared above */
#define LOCKSTEP_NONE(ret, name, params) /* no wrapper: no op of the model calls it */
#define LOCKSTEP_HOOK(ret, name, params, args, dispatch) dispatch(ret, name, params)
#include "lockstep_shim/hooks.def"
#undef LOCKSTEP_HOOK
#undef LOCKSTEP_INT
#undef LOCKSTEP_VOID
#undef LOCKSTEP_CUSTOM
#undef LOCKSTEP_NONE
#define MS_BIND 4096

/* ---- processes: one pid namespace; a task's pid is LOCKSTEP_PID_BASE + its number ---- */
#define LOCKSTEP_PID_BASE 1000
/* The task a pid names (PIDTYPE_PID: the thread; PIDTYPE_TGID: the process's first live
 * thread), NULL once it exited. */
struct task_struct *pid_task(struct pid *pid, enum pid_type type);
/* The pid numbered @nr in the scenario's pid namespace, NULL when no live task has it. */
struct pid *find_vpid(int nr);
/* Queues @sig for @p as send_signal_locked() does for a blocked signal (prepare_signal()'s
 * stop/continue cancellations included). */
void lockstep_shim_send_signal(struct task_struct *p, int sig);
static inline bool same_thread_group(struct task_struct *p1, struct task_struct *p2)
{
	return p1 == p2 || (p1 && p2 && p1->signal == p2->signal);
}
static inline struct pid *task_tgid(struct task_struct *task)
{
	return &task->signal->lockstep_tgid;
}
static inline pid_t pid_nr(struct pid *pid)
{
	return pid ? pid->nr : 0;
}
static inline pid_t task_tgid_nr(struct task_struct *task)
{
	return task->signal->lockstep_tgid.nr;
}
static inline struct pid *get_pid(struct pid *pid)
{
	return pid;
}
static inline void put_pid(struct pid *pid)
{
	(void)pid;
}

/* ---- syscall definitions (linux/syscalls.h): SYSCALL_DEFINEn(name, type, arg, ...) ---- */
#define __LOCKSTEP_PARAM(t, a) t a
#define __LOCKSTEP_MAP1(m, t, a) m(t, a)
#define __LOCKSTEP_MAP2(m, t, a, ...) m(t, a), __LOCKSTEP_MAP1(m, __VA_ARGS__)
#define __LOCKSTEP_MAP3(m, t, a, ...) m(t, a), __LOCKSTEP_MAP2(m, __VA_ARGS__)
#define __LOCKSTEP_MAP4(m, t, a, ...) m(t, a), __LOCKSTEP_MAP3(m, __VA_ARGS__)
#define __LOCKSTEP_MAP5(m, t, a, ...) m(t, a), __LOCKSTEP_MAP4(m, __VA_ARGS__)
#define __LOCKSTEP_MAP6(m, t, a, ...) m(t, a), __LOCKSTEP_MAP5(m, __VA_ARGS__)
#define SYSCALL_DEFINEx(x, name, ...) \
	asmlinkage long sys##name(__LOCKSTEP_MAP##x(__LOCKSTEP_PARAM, __VA_ARGS__))
#define SYSCALL_DEFINE1(name, ...) SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE2(name, ...) SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE3(name, ...) SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE4(name, ...) SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE5(name, ...) SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE6(name, ...) SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif /* LOCKSTEP_SHIM_TASK_H */
