// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checks of the shim's instrumentation, run from shim_test.cc: each function sets up one
 * situation in a fresh task, calls kernel code or a shim service, and returns what the shim saw.
 * Kernel world: C++ cannot include these headers, so the checks live here.
 */
#include "lockstep_shim/control.h"
#include "lockstep_shim/kunit.h"
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

#include "ruleset.h"

#include "kernel_shim/shim_selftest.h"

static struct lockstep_shim_finding findings[8];

/* Through the revision's table, so Landlock is initialised (hooks, blob sizes) as for an engine. */
static void begin_task(void)
{
	const struct lockstep_task_spec spec = { .no_new_privs = 1, .cap_sys_admin = 0 };

	lockstep_kernel_default()->begin_task(&spec);
}

static size_t end_task(void)
{
	return lockstep_shim_task_end(findings, ARRAY_SIZE(findings));
}

const char *lockstep_selftest_finding(size_t i)
{
	return i < ARRAY_SIZE(findings) ? findings[i].detail : "";
}

const char *lockstep_selftest_finding_kind(size_t i)
{
	return i < ARRAY_SIZE(findings) ? findings[i].kind : "";
}

/* A WARN_ON_ONCE() inside ruleset.c: merging a NULL ruleset. */
size_t lockstep_selftest_kernel_warn(long *ret)
{
	struct landlock_ruleset *dom;

	begin_task();
	dom = landlock_merge_ruleset(NULL, NULL);
	*ret = IS_ERR(dom) ? PTR_ERR(dom) : 0;
	return end_task();
}

/* insert_rule() asserts the ruleset lock: call landlock_insert_rule() without taking it. */
size_t lockstep_selftest_lockdep_assert(long *ret)
{
	struct landlock_ruleset *rs;
	const struct landlock_id id = { .key.data = 80, .type = LANDLOCK_KEY_NET_PORT };

	begin_task();
	rs = landlock_create_ruleset(0, LANDLOCK_ACCESS_NET_BIND_TCP, 0);
	*ret = landlock_insert_rule(rs, id, LANDLOCK_ACCESS_NET_BIND_TCP);
	landlock_put_ruleset(rs);
	return end_task();
}

/* Returning to user space with the ruleset lock held. */
size_t lockstep_selftest_lock_held_on_exit(void)
{
	struct landlock_ruleset *rs;

	begin_task();
	lockstep_shim_syscall_enter(NULL, 0);
	rs = landlock_create_ruleset(0, LANDLOCK_ACCESS_NET_BIND_TCP, 0);
	mutex_lock(&rs->lock);
	lockstep_shim_syscall_exit();
	mutex_unlock(&rs->lock);
	landlock_put_ruleset(rs);
	return end_task();
}

/* refcount_t misuse: a decrement past zero, then an increment from zero. */
size_t lockstep_selftest_refcount_misuse(void)
{
	refcount_t r = REFCOUNT_INIT(1);

	begin_task();
	(void)refcount_dec_and_test(&r); /* 1 -> 0: fine */
	(void)refcount_dec_and_test(&r); /* underflow */
	refcount_set(&r, 0);
	refcount_inc(&r); /* addition on 0 */
	return end_task();
}

/* A ruleset never put: the leak check at task exit. */
size_t lockstep_selftest_leak(void **leaked)
{
	begin_task();
	*leaked = landlock_create_ruleset(0, LANDLOCK_ACCESS_NET_BIND_TCP, 0);
	return end_task();
}

void lockstep_selftest_free_leaked(void *leaked)
{
	/*
	 * The leak was reported and the counters moved on: free it behind the shim's back (a
	 * ruleset without rules is one allocation) so LSan does not report the test's own leak.
	 */
	lockstep_host_free(leaked);
}

/* landlock_put_ruleset_deferred() frees through schedule_work(), run at syscall exit. */
int lockstep_selftest_deferred_free(unsigned long *live_before_exit,
				    unsigned long *live_after_exit)
{
	struct landlock_ruleset *rs;
	u64 live_at_start;

	begin_task();
	live_at_start = lockstep_shim_stats().live_allocations;
	lockstep_shim_syscall_enter(NULL, 0);
	rs = landlock_create_ruleset(0, LANDLOCK_ACCESS_NET_BIND_TCP, 0);
	landlock_put_ruleset_deferred(rs);
	*live_before_exit = (unsigned long)(lockstep_shim_stats().live_allocations - live_at_start);
	lockstep_shim_syscall_exit();
	*live_after_exit = (unsigned long)(lockstep_shim_stats().live_allocations - live_at_start);
	return (int)end_task();
}

/* Fail the n-th allocation of landlock_create_ruleset(); returns its PTR_ERR or 0. */
long lockstep_selftest_fail_nth(unsigned long n, size_t *findings_count)
{
	struct landlock_ruleset *rs;
	long ret = 0;

	begin_task();
	lockstep_shim_fail_nth_alloc(n);
	rs = landlock_create_ruleset(0, LANDLOCK_ACCESS_NET_BIND_TCP, 0);
	if (IS_ERR(rs))
		ret = PTR_ERR(rs);
	else
		landlock_put_ruleset(rs);
	*findings_count = end_task();
	return ret;
}

/* copy_struct_from_user() on a 24-byte kernel struct with the given user buffer. */
int lockstep_selftest_copy_struct(const void *user, size_t readable, size_t usize,
				  unsigned char out[24])
{
	struct lockstep_user_buf buf = { user, readable };
	int ret;

	begin_task();
	lockstep_shim_syscall_enter(&buf, 1);
	memset(out, 0xaa, 24);
	ret = copy_struct_from_user(out, 24, user, usize);
	lockstep_shim_syscall_exit();
	end_task();
	return ret;
}

/* ---- the VFS model's reference checks and the KUnit runner ---- */

/* One dput() too many on a file's dentry, and an ihold() never matched by iput(). */
size_t lockstep_selftest_vfs_refcounts(void)
{
	struct file *file;
	int fd;

	begin_task();
	fd = (int)lockstep_shim_openat(LOCKSTEP_AT_ROOT, ".", O_PATH);
	if (fd < 0)
		return 0;
	file = current->files->fd[fd];
	dput(file->f_path.dentry); /* the file's own reference is gone: its close underflows */
	ihold(file->f_inode);      /* held past unmount */
	return end_task();
}

/* A suite whose one case fails an expectation, next to the tree's own suites. */
static void lockstep_selftest_failing_case(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 3);
}

static struct kunit_case lockstep_selftest_cases[] = {
	KUNIT_CASE(lockstep_selftest_failing_case),
	{}
};

static struct kunit_suite lockstep_selftest_suite = {
	.name = "lockstep_selftest",
	.test_cases = lockstep_selftest_cases,
};
kunit_test_suite(lockstep_selftest_suite);

int lockstep_selftest_kunit(int *suites, int *cases, char *report, size_t cap)
{
	struct lockstep_kunit_summary summary = lockstep_kernel_default()->run_kunit(report, cap);

	*suites = summary.suites;
	*cases = summary.cases;
	return summary.failed_cases;
}
