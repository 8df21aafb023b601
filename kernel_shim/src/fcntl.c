// SPDX-License-Identifier: GPL-2.0-only
/*
 * A file's owner, as fs/fcntl.c keeps it: fcntl(F_SETOWN_EX) with F_OWNER_TID (the op setown)
 * allocates the owner, sets it under its lock and calls security_file_set_fowner() (Landlock
 * records the setter's domain there); then F_SETFL turns O_ASYNC on, which registers the file
 * for its object's news (a socket's fasync). send_sigio() is the delivery: the owner task, the
 * credential test (always passed: the model's tasks share a uid), security_file_send_sigiotask()
 * (Landlock's signal scope, judged by what it recorded), then SIGIO queued for the owner.
 *
 * send_sigurg() is a stream socket's urgent data for its owner: SIGURG, through the same hook.
 *
 * Not modelled: F_SETOWN (PIDTYPE_TGID) and process-group owners, F_SETSIG.
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

#define LOCKSTEP_SIGIO 29
#define LOCKSTEP_SIGURG 23

int file_f_owner_allocate(struct file *file)
{
	struct fown_struct *f_owner = file_f_owner(file);

	if (f_owner)
		return 0;
	f_owner = kzalloc(sizeof(*f_owner), GFP_KERNEL);
	if (!f_owner)
		return -ENOMEM;
	rwlock_init(&f_owner->lock);
	f_owner->file = file;
	file->f_owner = f_owner;
	return 0;
}

void file_f_owner_release(struct file *file)
{
	kfree(file_f_owner(file)); /* pids live as long as the scenario: nothing to put */
	file->f_owner = NULL;
}

/* __f_setown() with force: the new owner, and the LSMs told under the owner's lock. */
static void f_setown_forced(struct file *filp, struct pid *pid, enum pid_type type)
{
	struct fown_struct *f_owner = file_f_owner(filp);

	write_lock(&f_owner->lock);
	f_owner->pid = pid;
	f_owner->pid_type = type;
	if (pid)
		security_file_set_fowner(filp);
	write_unlock(&f_owner->lock);
}

/* setfl()'s O_ASYNC half: the file's fasync first, then the flag. */
static int setfl_async(int fd, struct file *filp)
{
	if (filp->f_flags & O_ASYNC)
		return 0;
	if (filp->f_op->fasync) {
		int err = filp->f_op->fasync(fd, filp, 1);

		if (err < 0)
			return err;
	}
	filp->f_flags |= O_ASYNC;
	return 0;
}

long lockstep_shim_setown(int fd, int number)
{
	struct fd f = fdget_raw((unsigned int)fd);
	struct pid *pid;
	long err;

	if (!fd_file(f))
		return -EBADF;
	/* check_fcntl_cmd(): an O_PATH file takes only F_DUPFD*, F_GETFD, F_SETFD, F_GETFL. */
	if (fd_file(f)->f_mode & FMODE_PATH) {
		fput(fd_file(f));
		return -EBADF;
	}
	err = file_f_owner_allocate(fd_file(f));
	if (!err) {
		/* F_OWNER_TID: the thread's own pid; a task number no live task has is ESRCH. */
		pid = number >= 0 && number < LOCKSTEP_MAX_THREADS ?
			      find_vpid(LOCKSTEP_PID_BASE + number) :
			      NULL;
		if (!pid)
			err = -ESRCH;
		else
			f_setown_forced(fd_file(f), pid, PIDTYPE_PID);
	}
	if (!err)
		err = setfl_async(fd, fd_file(f));
	fput(fd_file(f));
	return err;
}

/* sigio_perm() and send_sigio_to_task() for SIGIO (F_SETSIG is not modelled). */
static void send_sigio_to_task(struct task_struct *p, struct fown_struct *fown)
{
	const int signum = READ_ONCE(fown->signum);

	if (security_file_send_sigiotask(p, fown, signum))
		return;
	lockstep_shim_send_signal(p, signum ? signum : LOCKSTEP_SIGIO);
}

int send_sigurg(struct file *file)
{
	struct fown_struct *fown = file_f_owner(file);
	struct task_struct *p;
	int ret = 0;

	if (!fown)
		return 0;
	read_lock(&fown->lock);
	if (fown->pid) {
		ret = 1;
		if (fown->pid_type <= PIDTYPE_TGID) {
			rcu_read_lock();
			p = pid_task(fown->pid, PIDTYPE_PID);
			/* send_sigurg_to_task(): sigio_perm() with SIGURG, then the signal. */
			if (p && !security_file_send_sigiotask(p, fown, LOCKSTEP_SIGURG))
				lockstep_shim_send_signal(p, LOCKSTEP_SIGURG);
			rcu_read_unlock();
		}
	}
	read_unlock(&fown->lock);
	return ret;
}

void send_sigio(struct fown_struct *fown, int fd, int band)
{
	struct task_struct *p;

	(void)fd;
	(void)band;
	read_lock(&fown->lock);
	if (fown->pid && fown->pid_type <= PIDTYPE_TGID) {
		rcu_read_lock();
		p = pid_task(fown->pid, PIDTYPE_PID);
		if (p)
			send_sigio_to_task(p, fown);
		rcu_read_unlock();
	}
	read_unlock(&fown->lock);
}
