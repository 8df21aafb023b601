// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmalloc/kfree with counters and fault injection, and the deferred-work queues behind
 * schedule_work(), call_rcu() and kfree_rcu().
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

void *lockstep_shim_kmalloc(size_t size, gfp_t flags, const char *file, int line)
{
	struct lockstep_shim_state *s = &lockstep_shim;
	void *p;

	/* The slab allocator's own might_sleep_if(gfpflags_allow_blocking(flags)). */
	if (gfpflags_allow_blocking(flags))
		lockstep_shim_might_sleep(file, line, "an allocation that may block (GFP flags "
						      "with direct reclaim, e.g. GFP_KERNEL)");
	s->allocations++;
	if (s->fail_at && s->allocations == s->fail_at) {
		s->fail_at = 0;
		return NULL;
	}
	/* The kernel refuses sizes above KMALLOC_MAX_SIZE; a saturated struct_size() lands here. */
	if (size > (1UL << 30))
		return NULL;
	p = lockstep_host_alloc(size, !!(flags & __GFP_ZERO));
	if (!p)
		return NULL;
	s->live_allocations++;
	s->live_bytes += lockstep_host_usable_size(p);
	return p;
}

void lockstep_shim_kfree(const void *ptr)
{
	struct lockstep_shim_state *s = &lockstep_shim;

	/* kfree(NULL) is a no-op; so is kfree(ZERO_SIZE_PTR), which this model never returns. */
	if (!ptr)
		return;
	s->live_allocations--;
	s->live_bytes -= lockstep_host_usable_size((void *)ptr);
	lockstep_host_free((void *)ptr);
}

void lockstep_shim_fail_nth_alloc(uint64_t n)
{
	lockstep_shim.fail_at = n ? lockstep_shim.allocations + n : 0;
}

struct lockstep_shim_stats lockstep_shim_stats(void)
{
	const struct lockstep_shim_state *s = &lockstep_shim;

	return (struct lockstep_shim_stats){
		.allocations = s->allocations,
		.live_allocations = s->live_allocations,
		.live_bytes = s->live_bytes,
		.warnings = s->warnings,
		.audit_records = s->audit_records,
	};
}

bool schedule_work(struct work_struct *work)
{
	struct lockstep_shim_state *s = &lockstep_shim;

	work->lockstep_next = NULL;
	if (s->work_tail)
		s->work_tail->lockstep_next = work;
	else
		s->work_head = work;
	s->work_tail = work;
	return true;
}

static void queue_rcu(struct rcu_head *head)
{
	struct lockstep_shim_state *s = &lockstep_shim;

	head->next = NULL;
	if (s->rcu_tail)
		s->rcu_tail->next = head;
	else
		s->rcu_head = head;
	s->rcu_tail = head;
}

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	head->func = func;
	head->lockstep_kfree = NULL;
	queue_rcu(head);
}

void lockstep_shim_kfree_rcu(struct rcu_head *head, void *object)
{
	head->func = NULL;
	head->lockstep_kfree = object;
	queue_rcu(head);
}

/* Runs every queued callback, including those queued by callbacks, as a grace period would. */
void lockstep_shim_run_deferred(void)
{
	struct lockstep_shim_state *s = &lockstep_shim;

	while (s->rcu_head || s->work_head) {
		while (s->rcu_head) {
			struct rcu_head *head = s->rcu_head;

			s->rcu_head = head->next;
			if (!s->rcu_head)
				s->rcu_tail = NULL;
			if (head->func)
				head->func(head);
			else
				kfree(head->lockstep_kfree);
		}
		while (s->work_head) {
			struct work_struct *work = s->work_head;

			s->work_head = work->lockstep_next;
			if (!s->work_head)
				s->work_tail = NULL;
			work->func(work);
		}
	}
}

/* krealloc(): a new block with the old contents (as much as fits), the old one freed. */
void *lockstep_shim_krealloc(const void *p, size_t new_size, gfp_t flags, const char *file,
			     int line)
{
	size_t old_size;
	void *q;

	if (!new_size) {
		lockstep_shim_kfree(p);
		return NULL;
	}
	q = lockstep_shim_kmalloc(new_size, flags, file, line);
	if (!q || !p)
		return q;
	old_size = lockstep_host_usable_size((void *)p);
	memcpy(q, p, old_size < new_size ? old_size : new_size);
	lockstep_shim_kfree(p);
	return q;
}
