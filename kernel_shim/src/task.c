// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated task: credentials (prepare/commit/abort, with the LSM cred hooks), the fd table
 * and files, anonymous-inode fds, capabilities, and user memory (copy_from_user and friends).
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

_Thread_local struct task_struct *lockstep_current_task;
/* Every task the scenario made, by its number (ops `thread` and `fork` number them in one
 * sequence); a task that exited stays, marked lockstep_gone. */
static _Thread_local struct task_struct *all_tasks[LOCKSTEP_MAX_THREADS];
static _Thread_local int num_tasks;
struct user_namespace init_user_ns;

/* One pseudo filesystem stands for anon_inodefs and sockfs: internal mount, no user mounts. */
static struct super_block pseudo_sb = { .s_flags = SB_NOUSER };
static struct vfsmount pseudo_mnt = { .mnt_flags = MNT_INTERNAL, .mnt_sb = &pseudo_sb };
static struct inode anon_inode = { .i_flags = S_PRIVATE, .i_sb = &pseudo_sb };
static struct dentry anon_dentry = { .d_inode = &anon_inode, .d_sb = &pseudo_sb };

static void exit_threads_but(struct task_struct *keep);
static void new_process(struct task_struct *task);
static struct task_struct *new_task(void);
static struct task_struct *first_live_thread(struct signal_struct *sig);
static void run_siblings_work(void);

/* ---- credentials ---- */

static void put_cred_rcu(struct rcu_head *rcu)
{
	struct cred *cred = container_of(rcu, struct cred, rcu);

	security_cred_free(cred);
	kfree(cred);
}

void __put_cred(struct cred *cred)
{
	call_rcu(&cred->rcu, put_cred_rcu);
}

struct cred *prepare_creds(void)
{
	const struct cred *old = current->cred;
	struct cred *new = kmalloc(sizeof(*new), GFP_KERNEL);

	if (!new)
		return NULL;
	memcpy(new, old, sizeof(*new));
	refcount_set(&new->usage, 1);
	new->security = NULL;
	if (security_prepare_creds(new, old, GFP_KERNEL) < 0) {
		abort_creds(new);
		return NULL;
	}
	return new;
}

/* real_cred and cred are the same object here, holding one reference between them. */
int commit_creds(struct cred *new)
{
	struct task_struct *task = current;
	const struct cred *old = task->cred;

	task->real_cred = new;
	task->cred = new;
	put_cred(old);
	return 0;
}

void abort_creds(struct cred *new)
{
	put_cred(new);
}

bool ns_capable_noaudit(struct user_namespace *ns, int cap)
{
	(void)ns;
	return (current_cred()->cap_effective >> cap) & 1;
}

bool ns_capable(struct user_namespace *ns, int cap)
{
	return ns_capable_noaudit(ns, cap);
}

bool capable(int cap)
{
	return ns_capable_noaudit(&init_user_ns, cap);
}

/* ---- files ---- */

struct file *get_file(struct file *f)
{
	f->f_count++;
	return f;
}

void fput(struct file *file)
{
	if (--file->f_count > 0)
		return;
	/* __fput(): O_ASYNC off, the release, the owner; then file_free(). */
	if ((file->f_flags & O_ASYNC) && file->f_op->fasync)
		file->f_op->fasync(-1, file, 0);
	if (file->f_op->release)
		file->f_op->release(file->f_inode, file);
	if (file->f_owner)
		file_f_owner_release(file);
	security_file_free(file);
	put_cred(file->f_cred);
	kfree(file);
}

extern struct lsm_blob_sizes lockstep_shim_blob_totals;

struct file *lockstep_shim_alloc_file(const struct file_operations *fops, struct path path,
				      fmode_t mode, unsigned int flags, void *private_data)
{
	struct file *file = kzalloc(sizeof(*file), GFP_KERNEL);

	if (!file)
		return NULL;
	file->f_cred = get_cred(current_cred());
	if (security_file_alloc(file)) {
		put_cred(file->f_cred);
		kfree(file);
		return NULL;
	}
	file->f_count = 1;
	file->f_op = fops;
	file->f_path = path;
	file->f_inode = d_backing_inode(path.dentry);
	file->f_flags = flags;
	file->private_data = private_data;
	/* As alloc_file() does: a mode is usable only if the file has the operation. */
	file->f_mode = mode;
	if ((mode & FMODE_READ) && fops->read)
		file->f_mode |= FMODE_CAN_READ;
	if ((mode & FMODE_WRITE) && fops->write)
		file->f_mode |= FMODE_CAN_WRITE;
	return file;
}

/* The first fd handed out, as in a process whose stdin, stdout and stderr are open. */
#define LOCKSTEP_FIRST_FD 3

static int lowest_free_fd(void)
{
	struct lockstep_fdtable *table = current->files;
	int fd;

	for (fd = LOCKSTEP_FIRST_FD; fd < LOCKSTEP_NR_OPEN; fd++)
		if (!table->fd[fd])
			return fd;
	return -EMFILE;
}

bool lockstep_shim_fd_available(void)
{
	return lowest_free_fd() >= 0;
}

int lockstep_shim_fd_install(struct file *file, bool close_on_exec)
{
	int fd = lowest_free_fd();

	if (fd < 0) {
		fput(file);
		return fd;
	}
	current->files->fd[fd] = file;
	if (close_on_exec)
		set_bit(fd, current->files->close_on_exec);
	else
		clear_bit(fd, current->files->close_on_exec);
	if (fd >= current->files->max_fds)
		current->files->max_fds = fd + 1;
	return fd;
}

/* fdget() skips O_PATH files (they are only names, usable where fdget_raw() is used). */
struct fd fdget(unsigned int fd)
{
	struct fd f = fdget_raw(fd);

	if (f.file && (f.file->f_mode & FMODE_PATH)) {
		fput(f.file);
		f.file = NULL;
	}
	return f;
}

struct fd fdget_raw(unsigned int fd)
{
	struct lockstep_fdtable *table = current->files;
	struct fd f = { NULL };

	if (fd < LOCKSTEP_NR_OPEN && table->fd[fd])
		f.file = get_file(table->fd[fd]);
	return f;
}

long lockstep_shim_close(int fd)
{
	struct lockstep_fdtable *table = current->files;
	struct file *file;

	if (fd < 0 || fd >= LOCKSTEP_NR_OPEN || !table->fd[fd])
		return -EBADF;
	file = table->fd[fd];
	table->fd[fd] = NULL;
	clear_bit(fd, table->close_on_exec);
	fput(file);
	return 0;
}

/* What exec's do_close_on_exec() does. */
void lockstep_shim_close_on_exec(void)
{
	struct lockstep_fdtable *table = current->files;
	int fd;

	for (fd = 0; fd < table->max_fds; fd++)
		if (table->fd[fd] && test_bit(fd, table->close_on_exec))
			lockstep_shim_close(fd);
}

bool lockstep_shim_some_open_file(bool (*match)(const struct file *file, const void *arg),
				  const void *arg)
{
	int t, fd;

	for (t = 0; t < num_tasks; t++) {
		const struct lockstep_fdtable *table = all_tasks[t]->files;

		/* Each process's table once: through its first thread. */
		if (all_tasks[t]->lockstep_tid != 0)
			continue;
		for (fd = 0; fd < table->max_fds; fd++)
			if (table->fd[fd] && match(table->fd[fd], arg))
				return true;
	}
	return false;
}

void lockstep_shim_fdtable_release(struct lockstep_fdtable *table)
{
	int fd;

	for (fd = 0; fd < table->max_fds; fd++) {
		struct file *file = table->fd[fd];

		if (file) {
			table->fd[fd] = NULL;
			fput(file);
		}
	}
}


int anon_inode_getfd(const char *name, const struct file_operations *fops, void *priv, int flags)
{
	struct path path = { .mnt = &pseudo_mnt, .dentry = &anon_dentry };
	struct file *file;

	(void)name;
	if (lowest_free_fd() < 0)
		return -EMFILE;
	file = lockstep_shim_alloc_file(fops, path, OPEN_FMODE(flags),
					(unsigned int)flags & (O_ACCMODE | O_NONBLOCK), priv);
	/* On failure the caller keeps @priv: release() is not called. */
	if (!file)
		return -ENOMEM;
	return lockstep_shim_fd_install(file, flags & O_CLOEXEC);
}

/* ---- user memory: only the buffers the caller of the current syscall passed are mapped ---- */

/* How many bytes from @from on are readable user memory, up to @n. */
static unsigned long readable_bytes(const void __user *from, unsigned long n)
{
	const struct task_struct *task = current;
	const char *p = (const char *)from;
	int i;

	if (!p)
		return 0;
	for (i = 0; i < task->num_user_regions; i++) {
		const char *start = task->user_regions[i].start;
		const char *end = start + task->user_regions[i].len;

		if (start && p >= start && p < end)
			return min_t(unsigned long, n, (unsigned long)(end - p));
	}
	return 0;
}

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	unsigned long ok = readable_bytes(from, n);

	if (ok)
		memcpy(to, (const void *)from, ok);
	/* As the kernel does: a short copy zeroes the rest of the destination. */
	if (ok < n)
		memset((char *)to + ok, 0, n - ok);
	return n - ok;
}

unsigned long lockstep_shim_copy_to_user(void __user *to, const void *from, unsigned long n,
					 const char *file, int line)
{
	char what[160];

	/*
	 * The caller's buffers are mapped read-only (no op of this model hands the kernel memory to
	 * write), so every write faults and the syscall sees -EFAULT where the real one would have
	 * written. That is a gap of the model, not a kernel bug: it is reported, never silent.
	 */
	(void)from;
	if (!n)
		return 0;
	lockstep_host_snprintf(what, sizeof(what),
			       "copy_to_user(%p, %lu bytes): this model maps no writable user memory; "
			       "the caller sees a fault",
			       (void *)to, n);
	lockstep_shim_finding("uaccess", file, line, what);
	return n;
}

int check_zeroed_user(const void __user *from, size_t size)
{
	const unsigned char *p = (const unsigned char *)from;
	size_t i;

	/*
	 * In order, as the kernel's word-at-a-time loop sees it: unmapped memory starts on a page
	 * boundary, so a word is either readable or not, and a nonzero byte before the unmapped part
	 * is found first.
	 */
	for (i = 0; i < size; i++) {
		if (readable_bytes(p + i, 1) < 1)
			return -EFAULT;
		if (p[i])
			return 0;
	}
	return 1;
}

int copy_struct_from_user(void *dst, size_t ksize, const void __user *src, size_t usize)
{
	size_t size = min(ksize, usize);
	size_t rest = max(ksize, usize) - size;

	if (usize < ksize) {
		memset((char *)dst + size, 0, rest);
	} else if (usize > ksize) {
		/* A newer user space may pass a larger struct: only a zeroed tail is compatible. */
		int ret = check_zeroed_user((const char __user *)src + size, rest);

		if (ret <= 0)
			return ret ? ret : -E2BIG;
	}
	if (copy_from_user(dst, src, size))
		return -EFAULT;
	return 0;
}

/* ---- task lifecycle ---- */

void lockstep_shim_task_begin(bool no_new_privs, bool cap_sys_admin)
{
	struct lockstep_shim_state *s = &lockstep_shim;
	struct task_struct *task;
	struct cred *cred;

	if (lockstep_current_task)
		lockstep_shim_task_end(NULL, 0);

	num_tasks = 0;
	task = new_task();
	task->files = lockstep_host_alloc(sizeof(*task->files), 1);
	/* A process of one thread, named like the tool; no mm (no executable file to name). */
	memcpy(task->comm, "lockstep", sizeof("lockstep"));
	new_process(task);
	lockstep_current_task = task;

	/* The task's first credentials are the model's, not a fault-injection target. */
	s->fail_at = 0;
	cred = kzalloc(sizeof(*cred), GFP_KERNEL);
	if (!cred)
		lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	refcount_set(&cred->usage, 1);
	cred->user_ns = &init_user_ns;
	cred->cap_effective = cap_sys_admin ? BIT_ULL(CAP_SYS_ADMIN) : 0;
	if (lockstep_shim_blob_totals.lbs_cred) {
		cred->security = kzalloc(lockstep_shim_blob_totals.lbs_cred, GFP_KERNEL);
		if (!cred->security)
			lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	}
	task->cred = cred;
	task->real_cred = cred;
	if (no_new_privs)
		task_set_no_new_privs(task);

	s->allocations = 0;
	s->warnings = 0;
	s->audit_records = 0;
	s->audit_taken = 0;
	s->num_findings = 0;
	lockstep_shim_vfs_begin();
}

bool lockstep_shim_task_open(void)
{
	return lockstep_current_task != NULL;
}

size_t lockstep_shim_task_end(struct lockstep_shim_finding *out, size_t max)
{
	struct lockstep_shim_state *s = &lockstep_shim;
	struct task_struct *task = lockstep_current_task;
	size_t i, n;
	int t;

	if (!task)
		return 0;
	/* Exit: each process in the order they were made closes every file of its table, then
	 * each of its threads, by number, drops its credentials (and so its domain); let RCU
	 * finish. A file shared with a process that exits later stays open until then. */
	for (t = 0; t < num_tasks; t++) {
		struct task_struct *leader = all_tasks[t];

		if (leader->lockstep_tid != 0)
			continue;
		/* Its first live thread does it (after an execve, maybe not the first one). */
		lockstep_current_task = first_live_thread(leader->signal);
		lockstep_shim_fdtable_release(leader->files);
		exit_threads_but(NULL);
	}
	lockstep_current_task = task;
	lockstep_shim_run_deferred();
	/* The mount namespace goes with the last task in it: the filesystem is unmounted. */
	lockstep_shim_vfs_end();
	if (s->held_locks)
		lockstep_shim_finding("lockdep", __FILE__, __LINE__, "lock held at task exit");
	if (s->rcu_depth)
		lockstep_shim_finding("lockdep", __FILE__, __LINE__,
				      "rcu_read_lock() held at task exit");
	if (s->live_allocations) {
		char what[128];

		lockstep_host_snprintf(what, sizeof(what),
				       "%llu allocations (%llu bytes) not freed at task exit",
				       (unsigned long long)s->live_allocations,
				       (unsigned long long)s->live_bytes);
		lockstep_shim_finding("leak", __FILE__, __LINE__, what);
	}

	lockstep_current_task = NULL;
	/* A process's first thread (its number in the process is 0) frees what its threads share,
	 * after every thread went. */
	for (t = 0; t < num_tasks; t++) {
		if (all_tasks[t]->lockstep_tid == 0) {
			lockstep_host_free(all_tasks[t]->files);
			lockstep_host_free(all_tasks[t]->signal);
		}
	}
	for (t = 0; t < num_tasks; t++) {
		lockstep_host_free(all_tasks[t]->lockstep_rt_queued);
		lockstep_host_free(all_tasks[t]);
	}
	num_tasks = 0;

	n = s->num_findings;
	for (i = 0; out && i < n && i < max && i < LOCKSTEP_MAX_FINDINGS; i++)
		out[i] = s->findings[i];
	/* A leak is reported once: what leaked stays leaked, the next task starts from zero. */
	s->live_allocations = 0;
	s->live_bytes = 0;
	s->held_locks = 0;
	s->held_spinlocks = 0;
	s->rcu_depth = 0;
	s->num_findings = 0;
	s->fail_at = 0;
	return n;
}

void lockstep_shim_syscall_enter(const struct lockstep_user_buf *bufs, int count)
{
	struct task_struct *task = current;
	int i;

	task->num_user_regions = 0;
	for (i = 0; i < count && i < (int)ARRAY_SIZE(task->user_regions); i++) {
		task->user_regions[i].start = bufs[i].data;
		task->user_regions[i].len = bufs[i].readable;
		task->num_user_regions++;
	}
}

void lockstep_shim_syscall_exit(void)
{
	struct lockstep_shim_state *s = &lockstep_shim;

	current->num_user_regions = 0;
	run_siblings_work();
	/* lockdep's check on the way back to user space. */
	if (s->held_locks)
		lockstep_shim_finding("lockdep", __FILE__, __LINE__,
				      "lock held when returning to user space");
	if (s->rcu_depth)
		lockstep_shim_finding("lockdep", __FILE__, __LINE__,
				      "rcu_read_lock() held when returning to user space");
	lockstep_shim_run_deferred();
}

/* ---- process model for 7.x (lockstep_shim/task.h) ---- */

struct file *get_mm_exe_file(struct mm_struct *mm)
{
	return mm && mm->exe_file ? get_file(mm->exe_file) : NULL;
}

/* ---- threads: clone, exit, task_work and the waits that let it run ---- */

/* A thread leaves: its credentials go (exit_creds()); the process's thread list keeps it. */
static void exit_thread(struct task_struct *thread)
{
	if (thread->task_works || thread->lockstep_fiber)
		lockstep_shim_finding("model", __FILE__, __LINE__,
				      "a thread exits with task_work queued or running");
	thread->flags |= PF_EXITING;
	thread->lockstep_gone = true;
	thread->signal->nr_threads--;
	put_cred(thread->cred);
	thread->cred = NULL;
	thread->real_cred = NULL;
}

/* A task numbered after the others, in the scenario's table; NULL when the table is full. */
static struct task_struct *new_task(void)
{
	struct task_struct *task;

	if (num_tasks >= LOCKSTEP_MAX_THREADS)
		return NULL;
	task = lockstep_host_alloc(sizeof(*task), 1);
	if (!task)
		lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	task->lockstep_number = num_tasks;
	task->lockstep_pid = LOCKSTEP_PID_BASE + num_tasks;
	task->lockstep_pid_struct.nr = task->lockstep_pid;
	all_tasks[num_tasks++] = task;
	return task;
}

/* @task starts a process of its own: a thread group of one, its pid the process's id. */
static void new_process(struct task_struct *task)
{
	struct signal_struct *sig = lockstep_host_alloc(sizeof(*sig), 1);

	if (!sig)
		lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	sig->nr_threads = 1;
	sig->lockstep_tgid.nr = task->lockstep_pid;
	sig->lockstep_threads[0] = task;
	sig->lockstep_num_threads = 1;
	init_rwsem(&sig->exec_update_lock);
	mutex_init(&sig->cred_guard_mutex);
	task->signal = sig;
	task->lockstep_tid = 0;
}

/* The first thread of @sig's process that has not exited (a process always has one). */
static struct task_struct *first_live_thread(struct signal_struct *sig)
{
	int i;

	for (i = 0; i < sig->lockstep_num_threads; i++)
		if (!sig->lockstep_threads[i]->lockstep_gone)
			return sig->lockstep_threads[i];
	return sig->lockstep_threads[0];
}

/* The live task numbered @number, or NULL. */
static struct task_struct *task_numbered(int number)
{
	if (number < 0 || number >= num_tasks || all_tasks[number]->lockstep_gone)
		return NULL;
	return all_tasks[number];
}

long lockstep_shim_thread_create(void)
{
	struct task_struct *parent = current;
	struct signal_struct *sig = parent->signal;
	struct task_struct *thread;

	if (sig->lockstep_num_threads >= LOCKSTEP_MAX_THREADS)
		return -EAGAIN;
	thread = new_task();
	if (!thread)
		return -EAGAIN;
	/* dup_task_struct() copies flags and atomic_flags (no_new_privs); CLONE_THREAD shares the
	 * files, mm and signal_struct, and copy_creds() the parent's credentials themselves. */
	memcpy(thread->comm, parent->comm, sizeof(thread->comm));
	thread->flags = parent->flags;
	thread->atomic_flags = parent->atomic_flags;
	thread->mm = parent->mm;
	thread->files = parent->files;
	thread->signal = sig;
	thread->cred = get_cred(parent->cred);
	thread->real_cred = thread->cred;
	thread->real_parent = parent->real_parent; /* CLONE_THREAD: the creator's parent */
	thread->lockstep_tid = sig->lockstep_num_threads;
	sig->lockstep_threads[sig->lockstep_num_threads++] = thread;
	sig->nr_threads++;
	return thread->lockstep_number;
}

long lockstep_shim_fork(void)
{
	struct task_struct *parent = current;
	struct lockstep_fdtable *files;
	struct task_struct *child;
	struct cred *cred;
	int fd;

	if (num_tasks >= LOCKSTEP_MAX_THREADS)
		return -EAGAIN;
	/* copy_creds() without CLONE_THREAD: new credentials prepared from the parent's (Landlock's
	 * cred_prepare hook takes a reference on the domain), before anything else can fail. */
	cred = prepare_creds();
	if (!cred)
		return -ENOMEM;
	files = lockstep_host_alloc(sizeof(*files), 1);
	if (!files)
		lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	child = new_task();
	memcpy(child->comm, parent->comm, sizeof(child->comm));
	child->flags = parent->flags & ~PF_EXITING;
	child->atomic_flags = parent->atomic_flags;
	child->mm = parent->mm; /* dup_mm(): the same executable (none is modelled yet) */
	child->cred = cred;
	child->real_cred = cred;
	child->real_parent = parent;
	new_process(child);
	/* dup_fd(): the same open files, one more reference each, close-on-exec bits copied. */
	for (fd = 0; fd < parent->files->max_fds; fd++) {
		if (parent->files->fd[fd])
			files->fd[fd] = get_file(parent->files->fd[fd]);
	}
	memcpy(files->close_on_exec, parent->files->close_on_exec, sizeof(files->close_on_exec));
	files->max_fds = parent->files->max_fds;
	child->files = files;
	return child->lockstep_number;
}

long lockstep_shim_thread_switch(int number)
{
	struct task_struct *task = task_numbered(number);

	if (!task)
		return -ESRCH;
	lockstep_current_task = task;
	return 0;
}

long lockstep_shim_kill(int number, int sig)
{
	struct task_struct *p = task_numbered(number);
	struct kernel_siginfo info = { .si_signo = sig, .si_code = SI_TKILL };
	int err;

	/* do_send_specific(): the task first, then check_kill_permission(): a valid signal, the
	 * credentials (the model's tasks share a uid), then the LSMs; then the signal is queued
	 * for the thread (signal 0 sends nothing). It is never acted on: the model's tasks block
	 * every signal. */
	if (!p)
		return -ESRCH;
	if ((unsigned int)sig > LOCKSTEP_NSIG)
		return -EINVAL;
	err = security_task_kill(p, &info, sig, NULL);
	if (err)
		return err;
	if (sig)
		lockstep_shim_send_signal(p, sig);
	return 0;
}

struct task_struct *pid_task(struct pid *pid, enum pid_type type)
{
	int t;

	if (!pid)
		return NULL;
	for (t = 0; t < num_tasks; t++) {
		struct task_struct *task = all_tasks[t];

		if (type == PIDTYPE_PID && pid == &task->lockstep_pid_struct)
			return task->lockstep_gone ? NULL : task;
		if (type == PIDTYPE_TGID && pid == task_tgid(task) && task->lockstep_tid == 0) {
			task = first_live_thread(task->signal);
			return task->lockstep_gone ? NULL : task;
		}
	}
	return NULL; /* process groups and sessions are not modelled */
}

struct pid *find_vpid(int nr)
{
	int t;

	for (t = 0; t < num_tasks; t++)
		if (all_tasks[t]->lockstep_pid == nr && !all_tasks[t]->lockstep_gone)
			return &all_tasks[t]->lockstep_pid_struct;
	return NULL;
}

#define LOCKSTEP_SIGCONT 18
#define LOCKSTEP_SIGRTMIN 32
static bool sig_kernel_stop(int sig)
{
	return sig == 19 || sig == 20 || sig == 21 || sig == 22; /* STOP, TSTP, TTIN, TTOU */
}

#define LOCKSTEP_SIGMASK(sig) (1ULL << ((sig) - 1))
#define LOCKSTEP_STOP_SIGNALS \
	(LOCKSTEP_SIGMASK(19) | LOCKSTEP_SIGMASK(20) | LOCKSTEP_SIGMASK(21) | LOCKSTEP_SIGMASK(22))

void lockstep_shim_send_signal(struct task_struct *p, int sig)
{
	struct signal_struct *group = p->signal;
	int t;

	/* prepare_signal(): a stop signal flushes SIGCONT from every thread's queue of the
	 * process, SIGCONT the stop signals. Nothing is ignored: every signal is blocked. */
	if (sig_kernel_stop(sig) || sig == LOCKSTEP_SIGCONT) {
		const unsigned long long flush = sig == LOCKSTEP_SIGCONT ?
							 LOCKSTEP_STOP_SIGNALS :
							 LOCKSTEP_SIGMASK(LOCKSTEP_SIGCONT);

		for (t = 0; t < group->lockstep_num_threads; t++)
			group->lockstep_threads[t]->lockstep_pending &= ~flush;
	}
	/* legacy_queue(): a standard signal already pending is not queued again. */
	p->lockstep_pending |= LOCKSTEP_SIGMASK(sig);
	if (sig < LOCKSTEP_SIGRTMIN)
		return;
	if (!p->lockstep_rt_queued) {
		p->lockstep_rt_queued = lockstep_host_alloc(
			sizeof(*p->lockstep_rt_queued) * (LOCKSTEP_NSIG - LOCKSTEP_SIGRTMIN + 1), 1);
		if (!p->lockstep_rt_queued)
			lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	}
	if (p->lockstep_rt_queued[sig - LOCKSTEP_SIGRTMIN] < 0xffff)
		p->lockstep_rt_queued[sig - LOCKSTEP_SIGRTMIN]++;
}

long lockstep_shim_sigwait(int sig)
{
	struct task_struct *self = current;

	/* do_sigtimedwait() with a zero timeout: SIGKILL and SIGSTOP are taken out of the set;
	 * dequeue_signal() takes one instance from the thread's own queue. */
	if (sig < 1 || sig > LOCKSTEP_NSIG || sig == 9 || sig == 19)
		return -EAGAIN;
	if (!(self->lockstep_pending & LOCKSTEP_SIGMASK(sig)))
		return -EAGAIN;
	if (sig >= LOCKSTEP_SIGRTMIN && --self->lockstep_rt_queued[sig - LOCKSTEP_SIGRTMIN])
		return 0; /* more of it queued: still pending */
	self->lockstep_pending &= ~LOCKSTEP_SIGMASK(sig);
	return 0;
}

long lockstep_shim_ptrace_traceme(void)
{
	struct task_struct *parent = current->real_parent;

	/* The parent thread gone (an execve in its process ended it): its children went to a live
	 * thread of its process (forget_original_parent() -> find_alive_thread()). */
	if (parent && parent->lockstep_gone)
		parent = first_live_thread(parent->signal);
	if (!parent)
		return -ESRCH; /* the op's: no parent among the scenario's tasks */
	/* ptrace_traceme(): not traced yet (the op detaches at once), then the LSMs on the parent
	 * (commoncap: the same capabilities here). */
	return security_ptrace_traceme(parent);
}

long lockstep_shim_ptrace_attach(int number)
{
	struct task_struct *task = task_numbered(number);
	long ret;

	/* ptrace_attach(): its own process is never a tracee; then __ptrace_may_access() with
	 * PTRACE_MODE_ATTACH_REALCREDS under the tracee's cred_guard_mutex: same uid and
	 * capabilities here, so the LSMs decide. A successful attach is detached at once. */
	if (!task)
		return -ESRCH;
	if (same_thread_group(task, current))
		return -EPERM;
	mutex_lock(&task->signal->cred_guard_mutex);
	ret = security_ptrace_access_check(task, PTRACE_MODE_ATTACH | PTRACE_MODE_REALCREDS);
	mutex_unlock(&task->signal->cred_guard_mutex);
	return ret;
}

/* Every live thread of the running process but @keep (NULL: all of them) exits, by number. */
static void exit_threads_but(struct task_struct *keep)
{
	struct signal_struct *sig = current->signal;
	int t;

	for (t = 0; t < sig->lockstep_num_threads; t++) {
		struct task_struct *thread = sig->lockstep_threads[t];

		if (thread != keep && !thread->lockstep_gone)
			exit_thread(thread);
	}
}

void lockstep_shim_exit_siblings(void)
{
	exit_threads_but(current);
}

int task_work_add(struct task_struct *task, struct callback_head *work,
		  enum task_work_notify_mode mode)
{
	struct callback_head **tail = &task->task_works;

	(void)mode; /* every mode runs it before the thread's next return to user space */
	if (task->flags & PF_EXITING)
		return -ESRCH;
	while (*tail)
		tail = &(*tail)->next;
	work->next = NULL;
	*tail = work;
	return 0;
}

struct callback_head *task_work_cancel(struct task_struct *task, struct callback_head *cb)
{
	struct callback_head **p;

	for (p = &task->task_works; *p; p = &(*p)->next) {
		if (*p == cb) {
			*p = cb->next;
			return cb;
		}
	}
	return NULL; /* already taken by task_work_run() (or never queued) */
}

/* task_work_run() on a sibling's fiber, as that thread. */
static void run_task_works(void *arg)
{
	struct task_struct *thread = arg;

	while (thread->task_works) {
		struct callback_head *work = thread->task_works;

		thread->task_works = work->next;
		work->func(work);
	}
}

/*
 * Exchanges the running lock and RCU state with @t's kept one: around a switch to @t's fiber
 * and again on the way back, so @t's fields hold its state while it is not running (zero
 * before its task_work starts) and never a stale copy of the scheduling thread's.
 */
static void swap_int(int *a, int *b)
{
	int tmp = *a;

	*a = *b;
	*b = tmp;
}

static void swap_lock_state(struct task_struct *t)
{
	swap_int(&lockstep_shim.held_locks, &t->lockstep_held_locks);
	swap_int(&lockstep_shim.held_spinlocks, &t->lockstep_held_spinlocks);
	swap_int(&lockstep_shim.rcu_depth, &t->lockstep_rcu_depth);
}

/* Whether @t can run now: queued work not started, or a wait that has ended. */
static bool runnable(const struct task_struct *t)
{
	if (t->lockstep_gone)
		return false;
	if (t->lockstep_fiber)
		return t->lockstep_waits_on && t->lockstep_waits_on->done;
	return t->task_works != NULL;
}

/*
 * Runs one sibling of the running thread (the first runnable one by number) until its work
 * ends or waits; false when none can run. Called on the running thread's own stack only: a
 * fiber never schedules, it returns here when it waits.
 */
static bool run_a_sibling(void)
{
	struct task_struct *self = current;
	struct signal_struct *sig = self->signal;
	struct task_struct *t = NULL;
	int i;

	for (i = 0; i < sig->lockstep_num_threads; i++) {
		if (sig->lockstep_threads[i] != self && runnable(sig->lockstep_threads[i])) {
			t = sig->lockstep_threads[i];
			break;
		}
	}
	if (!t)
		return false;
	if (!t->lockstep_fiber) {
		t->lockstep_fiber = lockstep_host_fiber_new(run_task_works, t);
		if (!t->lockstep_fiber)
			lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	}
	t->lockstep_waits_on = NULL;
	swap_lock_state(t);
	lockstep_current_task = t;
	lockstep_host_fiber_switch(lockstep_host_fiber_self(), t->lockstep_fiber);
	lockstep_current_task = self;
	swap_lock_state(t);
	if (lockstep_host_fiber_finished(t->lockstep_fiber)) {
		/* As on its way back to user space: nothing held. */
		if (t->lockstep_held_locks || t->lockstep_rcu_depth)
			lockstep_shim_finding("lockdep", __FILE__, __LINE__,
					      "lock or rcu_read_lock() held after task_work");
		t->lockstep_held_locks = t->lockstep_held_spinlocks = t->lockstep_rcu_depth = 0;
		lockstep_host_fiber_free(t->lockstep_fiber);
		t->lockstep_fiber = NULL;
	}
	return true;
}

void lockstep_shim_wait_for_completion(struct completion *x, const char *file, int line)
{
	struct task_struct *self = current;

	lockstep_shim_might_sleep(file, line, "wait_for_completion()");
	while (!x->done) {
		if (self->lockstep_fiber) {
			/* A sibling in its task_work: sleeps until the running thread wakes it. */
			self->lockstep_waits_on = x;
			lockstep_host_fiber_switch(self->lockstep_fiber, lockstep_host_fiber_self());
			continue;
		}
		if (!run_a_sibling()) {
			lockstep_shim_finding("deadlock", file, line,
					      "wait_for_completion() would sleep forever: no thread "
					      "can complete it");
			return;
		}
	}
	if (x->done != ~0U)
		x->done--;
}

/* Before the running thread returns to user space, its siblings run what was queued on them
 * (TWA_SIGNAL interrupts them); a wait of theirs that nothing can end is a finding. */
static void run_siblings_work(void)
{
	struct signal_struct *sig = current->signal;
	int i;

	if (sig->lockstep_num_threads == 1)
		return; /* no sibling: nothing can be queued */
	while (run_a_sibling())
		;
	for (i = 0; i < sig->lockstep_num_threads; i++) {
		struct task_struct *t = sig->lockstep_threads[i];

		if (t->lockstep_fiber)
			lockstep_shim_finding("deadlock", __FILE__, __LINE__,
					      "a sibling's task_work waits forever");
	}
}
