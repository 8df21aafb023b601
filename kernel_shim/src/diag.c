// SPDX-License-Identifier: GPL-2.0-only
/*
 * Findings (WARN, lockdep, refcount), BUG, printk, and the lock and RCU checks behind them.
 * A finding is recorded for the running task and returned by lockstep_shim_task_end(); set
 * LOCKSTEP_SHIM_VERBOSE=1 to also print each as it happens.
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

_Thread_local struct lockstep_shim_state lockstep_shim;

/* "external/kernel_tree/security/landlock/ruleset.c" reads better as "security/landlock/...". */
static const char *short_path(const char *file)
{
	static const char *const roots[] = { "security/", "lib/", "kernel_shim/" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		const char *p = file;
		size_t n = strlen(roots[i]);

		for (; *p; p++)
			if (memcmp(p, roots[i], n) == 0 && (p == file || p[-1] == '/'))
				return p;
	}
	return file;
}

void lockstep_shim_finding(const char *kind, const char *file, int line, const char *what)
{
	struct lockstep_shim_state *s = &lockstep_shim;

	if (s->num_findings < LOCKSTEP_MAX_FINDINGS) {
		struct lockstep_shim_finding *f = &s->findings[s->num_findings];

		lockstep_host_snprintf(f->kind, sizeof(f->kind), "%s", kind);
		lockstep_host_snprintf(f->detail, sizeof(f->detail), "%s:%d: %s",
				       short_path(file), line, what);
	}
	s->num_findings++;
	if (lockstep_host_env_flag("LOCKSTEP_SHIM_VERBOSE"))
		lockstep_host_log("%s at %s:%d: %s", kind, short_path(file), line, what);
}

void lockstep_shim_warn(const char *file, int line, const char *what)
{
	lockstep_shim.warnings++;
	lockstep_shim_finding("WARN", file, line, what);
}

void lockstep_shim_bug(const char *file, int line, const char *what)
{
	lockstep_host_log("kernel BUG at %s:%d: %s", short_path(file), line, what);
	lockstep_host_abort();
}

void lockstep_shim_printk(const char *level, const char *fmt, ...)
{
	va_list ap;

	if (!lockstep_host_env_flag("LOCKSTEP_SHIM_VERBOSE"))
		return;
	va_start(ap, fmt);
	lockstep_host_log("printk(%s):", level);
	lockstep_host_vlog(fmt, ap);
	va_end(ap);
}

void lockstep_shim_refcount_bad(const char *what, const char *file, int line)
{
	/* The kernel's refcount_warn_saturate() is a WARN. */
	lockstep_shim.warnings++;
	lockstep_shim_finding("refcount", file, line, what);
}

void lockstep_shim_might_sleep(const char *file, int line, const char *what)
{
	struct lockstep_shim_state *s = &lockstep_shim;
	char detail[160];

	if (s->held_spinlocks <= 0 && s->rcu_depth <= 0)
		return;
	lockstep_host_snprintf(detail, sizeof(detail),
			       "sleeping function called from invalid context: %s with %s held",
			       what, s->held_spinlocks > 0 ? "a spinlock or rwlock" : "rcu_read_lock()");
	lockstep_shim_finding("might_sleep", file, line, detail);
}

void lockstep_shim_lock(struct lockstep_lock_state *l, bool sleeping, const char *file, int line)
{
	const void *self = current;

	if (sleeping)
		lockstep_shim_might_sleep(file, line, "mutex_lock()");
	if (l->owner == self) {
		lockstep_shim_finding("lockdep", file, line, "possible recursive locking detected");
		return;
	}
	if (l->owner) {
		/* Single-threaded model: another owner can only be a task that returned holding it. */
		lockstep_shim_finding("lockdep", file, line, "lock held by another task: deadlock");
		return;
	}
	if (l->readers) {
		/* write_lock() with read_lock() held: the writer waits for the readers, i.e. itself. */
		lockstep_shim_finding("lockdep", file, line,
				      "write_lock() on an rwlock this task holds for reading: deadlock");
		return;
	}
	l->owner = self;
	lockstep_shim.held_locks++;
	if (!sleeping)
		lockstep_shim.held_spinlocks++;
}

void lockstep_shim_unlock(struct lockstep_lock_state *l, bool sleeping, const char *file, int line)
{
	if (l->owner != current) {
		lockstep_shim_finding("lockdep", file, line,
				      l->readers ? "bad unlock balance detected: write_unlock() of an "
						   "rwlock held for reading" :
						   "bad unlock balance detected: releasing a lock not held");
		return;
	}
	l->owner = NULL;
	lockstep_shim.held_locks--;
	if (!sleeping)
		lockstep_shim.held_spinlocks--;
}

void lockstep_shim_read_lock(struct lockstep_lock_state *l, const char *file, int line)
{
	if (l->owner) {
		lockstep_shim_finding("lockdep", file, line,
				      l->owner == current ?
					      "read_lock() on an rwlock this task holds for writing: deadlock" :
					      "read_lock() on an rwlock held by another task: deadlock");
		return;
	}
	/* Readers may nest (rwlock_t readers are recursive). */
	l->readers++;
	lockstep_shim.held_locks++;
	lockstep_shim.held_spinlocks++;
}

void lockstep_shim_read_unlock(struct lockstep_lock_state *l, const char *file, int line)
{
	if (l->readers <= 0) {
		lockstep_shim_finding("lockdep", file, line,
				      l->owner ? "bad unlock balance detected: read_unlock() of an "
						 "rwlock held for writing" :
						 "bad unlock balance detected: read_unlock() of an "
						 "rwlock not held");
		return;
	}
	l->readers--;
	lockstep_shim.held_locks--;
	lockstep_shim.held_spinlocks--;
}

bool lockstep_shim_is_held(const struct lockstep_lock_state *l)
{
	return l->owner == current || l->readers > 0;
}

void lockstep_shim_assert_held(const struct lockstep_lock_state *l, bool want_held, int mode,
			       const char *file, int line)
{
	bool ok;

	/* lockdep_assert_held() and friends are WARN_ON()s of lockdep's view of the lock. */
	if (!want_held) {
		if (lockstep_shim_is_held(l))
			lockstep_shim_warn(file, line, "lockdep_assert_not_held(): lock held");
		return;
	}
	ok = mode == 'w' ? l->owner == current : mode == 'r' ? l->readers > 0 : lockstep_shim_is_held(l);
	if (!ok)
		lockstep_shim_warn(file, line,
				   mode == 'w' ? "lockdep_assert_held_write(): lock not held for writing" :
				   mode == 'r' ? "lockdep_assert_held_read(): lock not held for reading" :
						 "lockdep_assert_held(): lock not held");
}

void lockstep_shim_rcu_read_lock(void)
{
	lockstep_shim.rcu_depth++;
}

void lockstep_shim_rcu_read_unlock(const char *file, int line)
{
	if (lockstep_shim.rcu_depth <= 0) {
		lockstep_shim_finding("lockdep", file, line, "rcu_read_unlock() without rcu_read_lock()");
		return;
	}
	lockstep_shim.rcu_depth--;
}

bool lockstep_shim_rcu_read_lock_held(void)
{
	return lockstep_shim.rcu_depth > 0;
}

void lockstep_shim_rcu_suspicious(const char *file, int line, const char *what)
{
	char detail[200];

	lockstep_host_snprintf(detail, sizeof(detail), "suspicious RCU usage: %s", what);
	lockstep_shim_finding("RCU", file, line, detail);
}

/* A trylock: takes a free lock like lockstep_shim_lock(); a held one is "busy", not a finding. */
bool lockstep_shim_trylock(struct lockstep_lock_state *l, bool sleeping, const char *file, int line)
{
	if (l->owner || l->readers)
		return false;
	(void)sleeping;
	lockstep_shim_lock(l, false, file, line);
	if (sleeping)
		lockstep_shim.held_spinlocks--; /* a sleeping lock: not atomic context */
	return true;
}
