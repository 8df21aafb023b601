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
/* The 7 generation (tsync.c; kernel_tree.py's marker): domains apart, rules with flags. */
#if __has_include("tsync.h")
#include "domain.h"
#define LOCKSTEP_SELFTEST_GEN7 1
#endif

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
	void *dom; /* a struct landlock_domain (7.3) or landlock_ruleset (up to 7.2) */

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
#ifdef LOCKSTEP_SELFTEST_GEN7
	*ret = landlock_insert_rule(rs, id, LANDLOCK_ACCESS_NET_BIND_TCP, 0);
#else
	*ret = landlock_insert_rule(rs, id, LANDLOCK_ACCESS_NET_BIND_TCP);
#endif
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
#if __has_include("log.h")
	/* 7.3: only domains are put deferred; a domain made from rs, rs itself put at once. */
	{
		struct landlock_domain *dom;

		mutex_lock(&rs->lock);
		dom = landlock_merge_ruleset(NULL, rs);
		mutex_unlock(&rs->lock);
		landlock_put_ruleset(rs);
		if (!IS_ERR(dom))
			landlock_put_domain_deferred(dom);
	}
#else
	landlock_put_ruleset_deferred(rs);
#endif
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

void lockstep_selftest_audit_net_text(int family, const unsigned char *addr, unsigned int port,
				      int bind, char *out, size_t cap)
{
	struct lsm_network_audit net = {};
	struct common_audit_data ad = { .type = LSM_AUDIT_DATA_NET };
	struct audit_buffer *ab;
	int type = 0;

	net.family = (u16)family;
	if (family == AF_INET) {
		__be32 a;

		memcpy(&a, addr, sizeof(a));
		if (bind)
			net.v4info.saddr = a;
		else
			net.v4info.daddr = a;
	} else {
		memcpy(bind ? &net.v6info.saddr : &net.v6info.daddr, addr, 16);
	}
	if (bind)
		net.sport = cpu_to_be16((u16)port);
	else
		net.dport = cpu_to_be16((u16)port);
	ad.u.net = &net;
	begin_task();
	ab = audit_log_start(NULL, GFP_KERNEL, AUDIT_LANDLOCK_ACCESS);
	audit_log_lsm_data(ab, &ad);
	audit_log_end(ab);
	out[0] = '\0';
	if (lockstep_shim_audit_next(&type, out, cap) != 1)
		lockstep_host_snprintf(out, cap, "(no record)");
	end_task();
}

/* ---- sleeping in atomic context, rwlocks, RCU pointer checks, user-memory writes ---- */

static DEFINE_SPINLOCK(selftest_spinlock);
static DEFINE_RWLOCK(selftest_rwlock);

/*
 * The kernel's own ruleset.c allocating in atomic context: landlock_create_ruleset() allocates
 * with GFP_KERNEL_ACCOUNT, which may sleep. Called under a spinlock (@where 0), under an rwlock
 * held for reading (1) or inside an RCU read section (2), as a broken caller would; -1: none.
 */
size_t lockstep_selftest_alloc_in_atomic(int where)
{
	struct landlock_ruleset *rs;

	begin_task();
	if (where == 0)
		spin_lock(&selftest_spinlock);
	else if (where == 1)
		read_lock(&selftest_rwlock);
	else if (where == 2)
		rcu_read_lock();
	rs = landlock_create_ruleset(0, LANDLOCK_ACCESS_NET_BIND_TCP, 0);
	if (where == 0)
		spin_unlock(&selftest_spinlock);
	else if (where == 1)
		read_unlock(&selftest_rwlock);
	else if (where == 2)
		rcu_read_unlock();
	if (!IS_ERR(rs))
		landlock_put_ruleset(rs);
	return end_task();
}

/* The same call with no lock held: no finding (the allocation may sleep there). */
size_t lockstep_selftest_alloc_in_process_context(void)
{
	return lockstep_selftest_alloc_in_atomic(-1);
}

/* cond_resched() and synchronize_rcu() inside an RCU read section. */
size_t lockstep_selftest_sleep_in_rcu(void)
{
	begin_task();
	rcu_read_lock();
	cond_resched();
	synchronize_rcu();
	rcu_read_unlock();
	cond_resched(); /* fine: no lock, no RCU reader */
	return end_task();
}

/* rwlock rules: shared readers are fine; a writer while reading, a read while writing, an
 * unbalanced read_unlock and the lockdep assertions are findings. */
size_t lockstep_selftest_rwlock(void)
{
	rwlock_t l;

	rwlock_init(&l);
	begin_task();
	read_lock(&l);
	read_lock(&l);                 /* recursive readers: fine */
	lockdep_assert_held(&l);       /* fine */
	lockdep_assert_held_read(&l);  /* fine */
	lockdep_assert_held_write(&l); /* 1: WARN, held for reading only */
	write_lock(&l);                /* 2: deadlock */
	read_unlock(&l);
	read_unlock(&l);
	read_unlock(&l);               /* 3: not held */
	write_lock(&l);
	lockdep_assert_held_write(&l); /* fine */
	read_lock(&l);                 /* 4: deadlock */
	lockdep_assert_not_held(&l);   /* 5: WARN, held */
	write_unlock(&l);
	lockdep_assert_not_held(&l);   /* fine */
	return end_task();
}

/* rcu_dereference() outside a read section, _check() and _protected() with false conditions. */
size_t lockstep_selftest_rcu_dereference(void)
{
	struct mutex m;
	int x = 1;
	int *p = &x;
	int *q;

	mutex_init(&m);
	begin_task();
	q = rcu_dereference(p);                               /* 1 */
	q = rcu_dereference_check(p, lockdep_is_held(&m));    /* 2 */
	q = rcu_dereference_protected(p, lockdep_is_held(&m)); /* 3 */
	rcu_read_lock();
	q = rcu_dereference(p);                               /* fine */
	q = rcu_dereference_check(p, lockdep_is_held(&m));    /* fine: in a read section */
	q = rcu_dereference_protected(p, lockdep_is_held(&m)); /* 4: the lock is what counts */
	rcu_read_unlock();
	mutex_lock(&m);
	q = rcu_dereference_protected(p, lockdep_is_held(&m)); /* fine */
	q = rcu_dereference_check(p, lockdep_is_held(&m));    /* fine */
	mutex_unlock(&m);
	(void)q;
	return end_task();
}

/* copy_to_user() to the caller's (read-only) buffer: a fault, reported. */
size_t lockstep_selftest_copy_to_user(unsigned long *not_copied)
{
	char buf[8] = { 0 };
	struct lockstep_user_buf ub = { buf, sizeof(buf) };
	const u32 v = 7;

	begin_task();
	lockstep_shim_syscall_enter(&ub, 1);
	*not_copied = copy_to_user((void __user *)buf, &v, sizeof(v));
	lockstep_shim_syscall_exit();
	return end_task();
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

/*
 * The task's filesystem is mounted on first use: Landlock's sb_delete hook runs at exit for its
 * two superblocks (the tmpfs and the one it is mounted on) only in a task that resolved a path.
 * Counts for a task with a socket only, then for one with a mkdir; -1 on a failed op.
 */
int lockstep_selftest_vfs_on_first_use(unsigned long *net_task, unsigned long *fs_task)
{
	u64 before;
	long fd;

	begin_task();
	before = lockstep_shim.hook_calls[LOCKSTEP_HOOK_sb_delete];
	fd = lockstep_shim_socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || lockstep_shim_close((int)fd) != 0)
		return -1;
	end_task();
	*net_task = (unsigned long)(lockstep_shim.hook_calls[LOCKSTEP_HOOK_sb_delete] - before);

	begin_task();
	before = lockstep_shim.hook_calls[LOCKSTEP_HOOK_sb_delete];
	if (lockstep_shim_mkdirat(LOCKSTEP_AT_ROOT, "a") != 0)
		return -1;
	end_task();
	*fs_task = (unsigned long)(lockstep_shim.hook_calls[LOCKSTEP_HOOK_sb_delete] - before);
	return 0;
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
