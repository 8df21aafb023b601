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

void lockstep_shim_might_sleep(const char *file, int line)
{
	if (lockstep_shim.held_spinlocks > 0 || lockstep_shim.rcu_depth > 0)
		lockstep_shim_finding("might_sleep", file, line,
				      "sleeping function called from invalid context");
}

void lockstep_shim_lock(struct lockstep_lock_state *l, bool sleeping, const char *file, int line)
{
	const void *self = current;

	if (sleeping)
		lockstep_shim_might_sleep(file, line);
	if (l->owner == self) {
		lockstep_shim_finding("lockdep", file, line, "possible recursive locking detected");
		return;
	}
	if (l->owner) {
		/* Single-threaded model: another owner can only be a task that returned holding it. */
		lockstep_shim_finding("lockdep", file, line, "lock held by another task: deadlock");
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
				      "bad unlock balance detected: releasing a lock not held");
		return;
	}
	l->owner = NULL;
	lockstep_shim.held_locks--;
	if (!sleeping)
		lockstep_shim.held_spinlocks--;
}

void lockstep_shim_assert_held(const struct lockstep_lock_state *l, const char *file, int line)
{
	/* lockdep_assert_held() is a WARN_ON(!lockdep_is_held(l)). */
	if (l->owner != current)
		lockstep_shim_warn(file, line, "lockdep_assert_held(): lock not held");
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
