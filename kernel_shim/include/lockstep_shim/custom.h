/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * custom.h: kernel services whose behaviour this model changes so that tests can observe them.
 * Every stand-in here is instrumented, except the printk family and wake_up_var (stubs) — each is
 * listed with what it checks in kernel_shim/standins.def, the one table `./lockstep shim` prints
 * (standins_test keeps it in step with this file):
 *  - allocation: counted, with a fail-the-Nth-call switch (fault injection), and might_sleep()
 *    when the GFP flags allow blocking;
 *  - WARN_ON*: counted and recorded as findings, never silent; BUG_ON aborts;
 *  - mutexes, spinlocks, rwlocks: owner-tracked (rwlocks: readers and writer); lockdep's
 *    assertions really check, recursive locking, unlocking an unheld lock, a writer while reading
 *    and sleeping (might_sleep, cond_resched, synchronize_rcu, a blocking allocation) under a
 *    spinlock or rwlock or in an RCU read section are findings;
 *  - rcu_dereference*(): the condition is evaluated, a false one is a finding (PROVE_RCU);
 *  - refcount_t: saturation, increment from zero and underflow are findings, as in the kernel;
 *  - deferred work (schedule_work, call_rcu, kfree_rcu): queued, and run at the end of every
 *    syscall-shaped op, so leak checks at task end are exact.
 */
#ifndef LOCKSTEP_SHIM_CUSTOM_H
#define LOCKSTEP_SHIM_CUSTOM_H

#include "lockstep_shim/dup.h"

/* ---- findings: WARN, BUG, lockdep ---- */
void lockstep_shim_warn(const char *file, int line, const char *what);
void lockstep_shim_finding(const char *kind, const char *file, int line, const char *what);
__noreturn void lockstep_shim_bug(const char *file, int line, const char *what);
void lockstep_shim_printk(const char *level, const char *fmt, ...) __printf(2, 3);

#define WARN_ON(condition)                                                           \
	({                                                                           \
		int __lockstep_ret = !!(condition);                                 \
		if (unlikely(__lockstep_ret))                                        \
			lockstep_shim_warn(__FILE__, __LINE__, "WARN_ON(" #condition ")"); \
		unlikely(__lockstep_ret);                                            \
	})
/* Counted on every hit: "once" only limits the kernel's console output. */
#define WARN_ON_ONCE(condition)                                                           \
	({                                                                                \
		int __lockstep_ret = !!(condition);                                      \
		if (unlikely(__lockstep_ret))                                             \
			lockstep_shim_warn(__FILE__, __LINE__, "WARN_ON_ONCE(" #condition ")"); \
		unlikely(__lockstep_ret);                                                 \
	})
#define WARN(condition, format...)                                                   \
	({                                                                           \
		int __lockstep_ret = !!(condition);                                 \
		if (unlikely(__lockstep_ret))                                        \
			lockstep_shim_warn(__FILE__, __LINE__, "WARN(" #condition ")"); \
		unlikely(__lockstep_ret);                                            \
	})
#define WARN_ONCE(condition, format...) WARN(condition, format)
#define BUG() lockstep_shim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(condition)                                                    \
	do {                                                                 \
		if (unlikely(condition))                                     \
			lockstep_shim_bug(__FILE__, __LINE__, "BUG_ON(" #condition ")"); \
	} while (0)
/*
 * The kernel rejects a true BUILD_BUG_ON at link time, after optimisation folded the condition,
 * so it accepts conditions that are constant only after inlining. A model built at -O0 cannot
 * do that: the check runs when the code runs, and a hit aborts as a build break would.
 */
#define BUILD_BUG_ON(condition)                                                          \
	do {                                                                             \
		if (condition)                                                           \
			lockstep_shim_bug(__FILE__, __LINE__, "BUILD_BUG_ON(" #condition ")"); \
	} while (0)
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int : (-!!(e)); })))

#define pr_fmt(fmt) fmt
#define pr_emerg(fmt, ...) lockstep_shim_printk("emerg", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) lockstep_shim_printk("err", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) lockstep_shim_printk("warn", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) lockstep_shim_printk("notice", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) lockstep_shim_printk("info", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...) lockstep_shim_printk("debug", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_once pr_warn
#define pr_err_once pr_err
#define pr_info_once pr_info

/*
 * ---- allocation (linux/slab.h, gfp.h) ----
 * GFP flags: the bit positions are lockstep's own (Landlock passes the flags through and tests
 * none of them; they are not ABI). What matters is their meaning: a mask that allows direct
 * reclaim may sleep, so allocating with it under a spinlock, an rwlock or in an RCU read section
 * is a might_sleep() finding; GFP_ATOMIC and GFP_NOWAIT never sleep.
 */
#define __GFP_DIRECT_RECLAIM 0x001u /* may sleep to reclaim memory */
#define __GFP_KSWAPD_RECLAIM 0x002u /* may wake the background reclaimer */
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_IO 0x004u             /* may start I/O */
#define __GFP_FS 0x008u             /* may call into the filesystem */
#define __GFP_HIGH 0x010u           /* may use emergency reserves */
#define __GFP_ZERO 0x020u           /* zeroed memory */
#define __GFP_NOWARN 0x040u         /* no allocation-failure warning */
#define __GFP_ACCOUNT 0x080u        /* charged to the caller's memory cgroup */
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOFS (__GFP_RECLAIM | __GFP_IO)
#define GFP_NOIO __GFP_RECLAIM
#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT __GFP_KSWAPD_RECLAIM
static inline bool gfpflags_allow_blocking(gfp_t flags)
{
	return !!(flags & __GFP_DIRECT_RECLAIM);
}

/* Counted, fault-injectable (fail the Nth), and a might_sleep() check at the caller's line when
 * @flags allow blocking. */
void *lockstep_shim_kmalloc(size_t size, gfp_t flags, const char *file, int line);
void lockstep_shim_kfree(const void *ptr);
#define kmalloc(size, flags) lockstep_shim_kmalloc((size), (flags), __FILE__, __LINE__)
#define kzalloc(size, flags) kmalloc((size), (flags) | __GFP_ZERO)
#define kcalloc(n, size, flags) kmalloc(size_mul((n), (size)), (flags) | __GFP_ZERO)
#define kmalloc_array(n, size, flags) kmalloc(size_mul((n), (size)), (flags))
#define kvmalloc(size, flags) kmalloc((size), (flags))
#define kvzalloc(size, flags) kzalloc((size), (flags))
static inline void kfree(const void *ptr)
{
	lockstep_shim_kfree(ptr);
}
#define kvfree(p) kfree(p)
DEFINE_FREE(kfree, void *, if (!IS_ERR_OR_NULL(_T)) kfree(_T))
/*
 * The typed allocation helpers 7.x spells every allocation with (linux/slab.h): the type of the
 * object (or of the expression `*ptr`) gives the size, and they go through kmalloc above, so
 * fault injection and the counters reach them. Neither compiler here has
 * __builtin_counted_by_ref, so, as in the kernel built with them, no __counted_by counter is set.
 */
#define kmalloc_obj(obj, flags) ((__typeof__(obj) *)kmalloc(sizeof(obj), (flags)))
#define kzalloc_obj(obj, flags) ((__typeof__(obj) *)kzalloc(sizeof(obj), (flags)))
#define kmalloc_flex(obj, member, count, flags) \
	((__typeof__(obj) *)kmalloc(struct_size_t(__typeof__(obj), member, (count)), (flags)))
#define kzalloc_flex(obj, member, count, flags) \
	((__typeof__(obj) *)kzalloc(struct_size_t(__typeof__(obj), member, (count)), (flags)))
/* The largest size kmalloc serves (the model's cap in src/memory.c). */
#define KMALLOC_MAX_SIZE (1UL << 30)
void *lockstep_shim_krealloc(const void *p, size_t new_size, gfp_t flags, const char *file,
			     int line);
#define krealloc(p, new_size, flags) \
	lockstep_shim_krealloc((p), (new_size), (flags), __FILE__, __LINE__)
/* Overflow of n * size fails the allocation (size_mul saturates beyond KMALLOC_MAX_SIZE). */
#define krealloc_array(p, n, size, flags) krealloc((p), size_mul((n), (size)), (flags))

/* ---- might_sleep and preemption ---- */
/* A finding when the running task holds a spinlock or rwlock or is in an RCU read section. */
void lockstep_shim_might_sleep(const char *file, int line, const char *what);
#define might_sleep() lockstep_shim_might_sleep(__FILE__, __LINE__, "might_sleep()")
/* A voluntary reschedule point: may sleep, so it carries might_sleep()'s check. */
#define cond_resched() lockstep_shim_might_sleep(__FILE__, __LINE__, "cond_resched()")

/* ---- locks (linux/mutex.h, spinlock.h, rwlock.h, lockdep.h) ---- */
struct lockstep_lock_state {
	const void *owner; /* the task holding it exclusively (mutex, spinlock, rwlock writer) */
	int readers;       /* rwlock readers (all the running task: one task runs at a time) */
	const char *name;
};
struct mutex {
	struct lockstep_lock_state dep;
};
typedef struct spinlock {
	struct lockstep_lock_state dep;
} spinlock_t;
/* An rwlock: readers share it (recursively), a writer excludes everyone; both spin. */
typedef struct {
	struct lockstep_lock_state dep;
} rwlock_t;

#define SINGLE_DEPTH_NESTING 1
void lockstep_shim_lock(struct lockstep_lock_state *l, bool sleeping, const char *file, int line);
void lockstep_shim_unlock(struct lockstep_lock_state *l, bool sleeping, const char *file,
			  int line);
void lockstep_shim_read_lock(struct lockstep_lock_state *l, const char *file, int line);
void lockstep_shim_read_unlock(struct lockstep_lock_state *l, const char *file, int line);
bool lockstep_shim_is_held(const struct lockstep_lock_state *l);
/* lockdep's assertions: a WARN at @file:@line when @want_held does not match the lock state;
 * @mode: 0 any, 'w' held exclusively, 'r' held for reading. */
void lockstep_shim_assert_held(const struct lockstep_lock_state *l, bool want_held, int mode,
			       const char *file, int line);

#define __LOCKSTEP_LOCK_INIT(n) { .owner = NULL, .readers = 0, .name = n }
#define mutex_init(m) ((m)->dep = (struct lockstep_lock_state)__LOCKSTEP_LOCK_INIT(#m))
#define mutex_lock(m) lockstep_shim_lock(&(m)->dep, true, __FILE__, __LINE__)
#define mutex_lock_nested(m, subclass) mutex_lock(m)
#define mutex_unlock(m) lockstep_shim_unlock(&(m)->dep, true, __FILE__, __LINE__)
#define mutex_is_locked(m) ((m)->dep.owner != NULL)
#define spin_lock_init(s) ((s)->dep = (struct lockstep_lock_state)__LOCKSTEP_LOCK_INIT(#s))
#define spin_lock(s) lockstep_shim_lock(&(s)->dep, false, __FILE__, __LINE__)
#define spin_unlock(s) lockstep_shim_unlock(&(s)->dep, false, __FILE__, __LINE__)
#define rwlock_init(l) ((l)->dep = (struct lockstep_lock_state)__LOCKSTEP_LOCK_INIT(#l))
#define read_lock(l) lockstep_shim_read_lock(&(l)->dep, __FILE__, __LINE__)
#define read_unlock(l) lockstep_shim_read_unlock(&(l)->dep, __FILE__, __LINE__)
#define write_lock(l) lockstep_shim_lock(&(l)->dep, false, __FILE__, __LINE__)
#define write_unlock(l) lockstep_shim_unlock(&(l)->dep, false, __FILE__, __LINE__)
#define lockdep_is_held(l) lockstep_shim_is_held(&(l)->dep)
#define assert_spin_locked(s) lockstep_shim_assert_held(&(s)->dep, true, 0, __FILE__, __LINE__)
#define lockdep_assert_held(l) lockstep_shim_assert_held(&(l)->dep, true, 0, __FILE__, __LINE__)
#define lockdep_assert_held_write(l) \
	lockstep_shim_assert_held(&(l)->dep, true, 'w', __FILE__, __LINE__)
#define lockdep_assert_held_read(l) \
	lockstep_shim_assert_held(&(l)->dep, true, 'r', __FILE__, __LINE__)
#define lockdep_assert_not_held(l) \
	lockstep_shim_assert_held(&(l)->dep, false, 0, __FILE__, __LINE__)
#define DEFINE_MUTEX(name) struct mutex name = { .dep = __LOCKSTEP_LOCK_INIT(#name) }
#define DEFINE_SPINLOCK(name) spinlock_t name = { .dep = __LOCKSTEP_LOCK_INIT(#name) }
#define DEFINE_RWLOCK(name) rwlock_t name = { .dep = __LOCKSTEP_LOCK_INIT(#name) }

/* ---- refcount_t (linux/refcount.h): checked like CONFIG_REFCOUNT_FULL ---- */
typedef struct refcount_struct {
	int refs;
} refcount_t;
void lockstep_shim_refcount_bad(const char *what, const char *file, int line);
#define REFCOUNT_INIT(n) { .refs = (n) }
#define REFCOUNT_SATURATED (INT_MIN / 2)
static inline void refcount_set(refcount_t *r, int n)
{
	r->refs = n;
}
static inline unsigned int refcount_read(const refcount_t *r)
{
	return (unsigned int)r->refs;
}
#define refcount_inc(r) __lockstep_refcount_inc((r), __FILE__, __LINE__)
static inline void __lockstep_refcount_inc(refcount_t *r, const char *file, int line)
{
	if (r->refs <= 0) {
		lockstep_shim_refcount_bad(r->refs == 0 ? "refcount_t: addition on 0; use-after-free" :
							  "refcount_t: saturated",
					   file, line);
		r->refs = REFCOUNT_SATURATED;
		return;
	}
	r->refs++;
}
#define refcount_inc_not_zero(r) __lockstep_refcount_inc_not_zero((r))
static inline bool __lockstep_refcount_inc_not_zero(refcount_t *r)
{
	if (r->refs == 0)
		return false;
	r->refs++;
	return true;
}
#define refcount_dec_and_test(r) __lockstep_refcount_dec_and_test((r), __FILE__, __LINE__)
static inline bool __lockstep_refcount_dec_and_test(refcount_t *r, const char *file, int line)
{
	if (r->refs <= 0) {
		lockstep_shim_refcount_bad("refcount_t: underflow; use-after-free", file, line);
		r->refs = REFCOUNT_SATURATED;
		return false;
	}
	return --r->refs == 0;
}
#define refcount_dec(r)                                                           \
	do {                                                                      \
		if (refcount_dec_and_test(r))                                     \
			lockstep_shim_refcount_bad("refcount_t: decrement hit 0; leaking memory", \
						   __FILE__, __LINE__);           \
	} while (0)
#define refcount_dec_and_lock(r, lock)                                            \
	({                                                                        \
		bool __lockstep_zero = refcount_dec_and_test(r);                  \
		if (__lockstep_zero)                                              \
			spin_lock(lock);                                          \
		__lockstep_zero;                                                  \
	})

/* atomic64_t (linux/atomic.h): sequentially consistent where the kernel's are fully ordered. */
typedef struct {
	s64 counter;
} atomic64_t;
#define ATOMIC64_INIT(i) { (i) }
static inline s64 atomic64_read(const atomic64_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}
static inline void atomic64_set(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}
static inline void atomic64_inc(atomic64_t *v)
{
	__atomic_add_fetch(&v->counter, 1, __ATOMIC_RELAXED);
}
static inline s64 atomic64_fetch_add(s64 i, atomic64_t *v)
{
	return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);
}
static inline s64 atomic64_cmpxchg(atomic64_t *v, s64 old, s64 new_value)
{
	__atomic_compare_exchange_n(&v->counter, &old, new_value, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}

static inline long atomic_long_read(const atomic_long_t *v)
{
	return v->counter;
}
static inline void atomic_long_set(atomic_long_t *v, long i)
{
	v->counter = i;
}
static inline void atomic_long_inc(atomic_long_t *v)
{
	v->counter++;
}
static inline long atomic_long_dec_return(atomic_long_t *v)
{
	return --v->counter;
}

/* ---- RCU (linux/rcupdate.h): readers are counted; callbacks run at the end of each op ---- */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
	void *lockstep_kfree; /* the object kfree_rcu() frees, when func is NULL */
};
typedef void (*rcu_callback_t)(struct rcu_head *head);
void lockstep_shim_rcu_read_lock(void);
void lockstep_shim_rcu_read_unlock(const char *file, int line);
void call_rcu(struct rcu_head *head, rcu_callback_t func);
void lockstep_shim_kfree_rcu(struct rcu_head *head, void *object);
#define rcu_read_lock() lockstep_shim_rcu_read_lock()
#define rcu_read_unlock() lockstep_shim_rcu_read_unlock(__FILE__, __LINE__)
/*
 * rcu_dereference*(): the pointer is read once; the condition under which the read is legal is
 * evaluated, as CONFIG_PROVE_RCU does, and a false one is a "suspicious RCU usage" finding:
 * rcu_dereference() needs an RCU read section, _check(p, c) needs one or @c, _protected(p, c)
 * needs @c (the update side's lock, usually lockdep_is_held()).
 */
bool lockstep_shim_rcu_read_lock_held(void);
void lockstep_shim_rcu_suspicious(const char *file, int line, const char *what);
#define rcu_read_lock_held() lockstep_shim_rcu_read_lock_held()
#define __lockstep_rcu_checked(p, legal, what)                                 \
	({                                                                    \
		if (!(legal))                                                 \
			lockstep_shim_rcu_suspicious(__FILE__, __LINE__, what);  \
		READ_ONCE(p);                                                 \
	})
#define rcu_dereference(p) \
	__lockstep_rcu_checked(p, rcu_read_lock_held(), "rcu_dereference(" #p ") outside an RCU read section")
#define rcu_dereference_check(p, c)                                        \
	__lockstep_rcu_checked(p, (c) || rcu_read_lock_held(),              \
			       "rcu_dereference_check(" #p ", " #c "): condition false outside an RCU read section")
#define rcu_dereference_protected(p, c) \
	__lockstep_rcu_checked(p, (c), "rcu_dereference_protected(" #p ", " #c "): condition false")
#define rcu_dereference_raw(p) READ_ONCE(p)
#define rcu_access_pointer(p) READ_ONCE(p)
#define rcu_assign_pointer(p, v)                      \
	do {                                          \
		__atomic_thread_fence(__ATOMIC_RELEASE); \
		WRITE_ONCE((p), (v));                 \
	} while (0)
#define RCU_INIT_POINTER(p, v) WRITE_ONCE((p), (v))
#define kfree_rcu(ptr, field) lockstep_shim_kfree_rcu(&(ptr)->field, (void *)(ptr))
/* Waits for a grace period: may sleep, and inside an RCU read section it would never return.
 * Callbacks queued by call_rcu() still run at the end of the op, not here. */
#define synchronize_rcu() lockstep_shim_might_sleep(__FILE__, __LINE__, "synchronize_rcu()")
/* guard(rcu)(): an RCU read section to the end of the scope (linux/cleanup.h). */
DEFINE_CLASS(rcu, int, rcu_read_unlock(), ({ rcu_read_lock(); 0; }), void)
#define guard(_name) CLASS(_name, __LOCKSTEP_PASTE(__guard_, __COUNTER__))

/*
 * Waiting on a variable (linux/wait_bit.h): a task of this model runs alone, so a wait whose
 * condition is false would never end. That is reported instead of hanging.
 */
#define wake_up_var(var) ((void)(var))
#define wait_var_event(var, condition)                                                  \
	do {                                                                            \
		if (!(condition))                                                       \
			lockstep_shim_finding("deadlock", __FILE__, __LINE__,            \
					      "wait_var_event() would sleep forever: " #condition); \
	} while (0)

/* ---- deferred work (linux/workqueue.h) ---- */
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct {
	work_func_t func;
	struct work_struct *lockstep_next;
};
#define INIT_WORK(w, f)                        \
	do {                                   \
		(w)->func = (f);               \
		(w)->lockstep_next = NULL;     \
	} while (0)
bool schedule_work(struct work_struct *work);

#endif /* LOCKSTEP_SHIM_CUSTOM_H */
