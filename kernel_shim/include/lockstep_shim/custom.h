/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * custom.h: kernel services whose behaviour this model changes so that tests can observe them.
 * Every stand-in here is instrumented:
 *  - allocation: counted, with a fail-the-Nth-call switch (fault injection);
 *  - WARN_ON*: counted and recorded as findings, never silent; BUG_ON aborts;
 *  - mutexes and spinlocks: owner-tracked; lockdep_assert_held() really checks, recursive locking,
 *    unlocking an unheld lock and sleeping under a spinlock or in an RCU read section are findings;
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

/* ---- allocation (linux/slab.h, gfp.h) ---- */
#define ___GFP_ZERO 0x100u
#define __GFP_ZERO ___GFP_ZERO
#define __GFP_NOWARN 0x2000u
#define __GFP_ACCOUNT 0x400000u
#define GFP_KERNEL 0xcc0u
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOFS 0xc40u
#define GFP_ATOMIC 0xa20u

void *lockstep_shim_kmalloc(size_t size, gfp_t flags);
void lockstep_shim_kfree(const void *ptr);
static inline void *kmalloc(size_t size, gfp_t flags)
{
	return lockstep_shim_kmalloc(size, flags);
}
static inline void *kzalloc(size_t size, gfp_t flags)
{
	return lockstep_shim_kmalloc(size, flags | __GFP_ZERO);
}
static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return lockstep_shim_kmalloc(size_mul(n, size), flags | __GFP_ZERO);
}
static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	return lockstep_shim_kmalloc(size_mul(n, size), flags);
}
static inline void kfree(const void *ptr)
{
	lockstep_shim_kfree(ptr);
}
#define kvfree(p) kfree(p)
#define kvzalloc(size, flags) kzalloc(size, flags)

/* ---- might_sleep and preemption ---- */
void lockstep_shim_might_sleep(const char *file, int line);
#define might_sleep() lockstep_shim_might_sleep(__FILE__, __LINE__)
#define cond_resched() ((void)0)

/* ---- locks (linux/mutex.h, spinlock.h, lockdep.h) ---- */
struct lockstep_lock_state {
	const void *owner; /* the task holding it, or NULL */
	const char *name;
};
struct mutex {
	struct lockstep_lock_state dep;
};
typedef struct spinlock {
	struct lockstep_lock_state dep;
} spinlock_t;

#define SINGLE_DEPTH_NESTING 1
void lockstep_shim_lock(struct lockstep_lock_state *l, bool sleeping, const char *file, int line);
void lockstep_shim_unlock(struct lockstep_lock_state *l, bool sleeping, const char *file,
			  int line);
void lockstep_shim_assert_held(const struct lockstep_lock_state *l, const char *file, int line);

#define mutex_init(m) ((m)->dep = (struct lockstep_lock_state){ .owner = NULL, .name = #m })
#define mutex_lock(m) lockstep_shim_lock(&(m)->dep, true, __FILE__, __LINE__)
#define mutex_lock_nested(m, subclass) mutex_lock(m)
#define mutex_unlock(m) lockstep_shim_unlock(&(m)->dep, true, __FILE__, __LINE__)
#define mutex_is_locked(m) ((m)->dep.owner != NULL)
#define spin_lock_init(s) ((s)->dep = (struct lockstep_lock_state){ .owner = NULL, .name = #s })
#define spin_lock(s) lockstep_shim_lock(&(s)->dep, false, __FILE__, __LINE__)
#define spin_unlock(s) lockstep_shim_unlock(&(s)->dep, false, __FILE__, __LINE__)
#define assert_spin_locked(s) lockstep_shim_assert_held(&(s)->dep, __FILE__, __LINE__)
#define lockdep_assert_held(l) lockstep_shim_assert_held(&(l)->dep, __FILE__, __LINE__)
#define lockdep_assert_not_held(l) ((void)0)
/* Only file owners' locks are rwlocks here, and only asserted on. */
typedef spinlock_t rwlock_t;
#define DEFINE_MUTEX(name) struct mutex name = { .dep = { .owner = NULL, .name = #name } }
#define DEFINE_SPINLOCK(name) spinlock_t name = { .dep = { .owner = NULL, .name = #name } }

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
#define rcu_dereference(p) READ_ONCE(p)
#define rcu_dereference_raw(p) READ_ONCE(p)
#define rcu_dereference_check(p, c) READ_ONCE(p)
#define rcu_dereference_protected(p, c) (p)
#define rcu_access_pointer(p) READ_ONCE(p)
#define rcu_assign_pointer(p, v)                      \
	do {                                          \
		__atomic_thread_fence(__ATOMIC_RELEASE); \
		WRITE_ONCE((p), (v));                 \
	} while (0)
#define RCU_INIT_POINTER(p, v) WRITE_ONCE((p), (v))
#define kfree_rcu(ptr, field) lockstep_shim_kfree_rcu(&(ptr)->field, (void *)(ptr))
#define synchronize_rcu() ((void)0)
/* guard(rcu)(): an RCU read section to the end of the scope (linux/cleanup.h). */
typedef struct {
	int unused;
} class_rcu_t;
static inline class_rcu_t class_rcu_constructor(void)
{
	rcu_read_lock();
	return (class_rcu_t){ 0 };
}
static inline void class_rcu_destructor(class_rcu_t *unused)
{
	(void)unused;
	rcu_read_unlock();
}
#define __LOCKSTEP_PASTE2(a, b) a##b
#define __LOCKSTEP_PASTE(a, b) __LOCKSTEP_PASTE2(a, b)
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
