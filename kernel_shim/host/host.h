/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host services the kernel world needs from the C library, behind plain prototypes: the shim
 * is compiled with no libc header in sight (glibc's own headers would pull in the shim's
 * <linux/...> forwarders), and host.c is compiled with no kernel header in sight.
 */
#ifndef LOCKSTEP_KERNEL_SHIM_HOST_HOST_H_
#define LOCKSTEP_KERNEL_SHIM_HOST_HOST_H_

#include <stdarg.h>
#include <stddef.h>

void *lockstep_host_alloc(size_t size, int zero);
void lockstep_host_free(void *ptr);
size_t lockstep_host_usable_size(void *ptr);
/* One line to stderr, prefixed "lockstep-shim: ". */
void lockstep_host_vlog(const char *fmt, va_list ap);
void lockstep_host_log(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));
int lockstep_host_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((__format__(printf, 3, 4)));
int lockstep_host_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* Whether environment variable @name is set to a non-empty value other than "0". */
int lockstep_host_env_flag(const char *name);
__attribute__((__noreturn__)) void lockstep_host_abort(void);

/*
 * Fibers: a second stack in the same OS thread, switched to and from explicitly (ucontext,
 * with AddressSanitizer told of every switch). The shim runs a sibling thread's task_work on
 * one, so that the work can block in wait_for_completion() and resume later, while every
 * thread-local of the shim stays the running scenario's.
 */
struct lockstep_host_fiber;
/* The context of the calling OS thread's own stack: what a fiber returns to when it ends. */
struct lockstep_host_fiber *lockstep_host_fiber_self(void);
/* A fiber that runs fn(arg) when first switched to; NULL when out of memory. */
struct lockstep_host_fiber *lockstep_host_fiber_new(void (*fn)(void *), void *arg);
/* Saves the running context in @from and runs @to; returns when something switches back to
 * @from. A fiber whose fn returned switches back to whoever switched to it last. */
void lockstep_host_fiber_switch(struct lockstep_host_fiber *from, struct lockstep_host_fiber *to);
int lockstep_host_fiber_finished(const struct lockstep_host_fiber *fiber);
/* Frees a fiber that finished (or never ran). */
void lockstep_host_fiber_free(struct lockstep_host_fiber *fiber);

#endif /* LOCKSTEP_KERNEL_SHIM_HOST_HOST_H_ */
