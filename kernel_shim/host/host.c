// SPDX-License-Identifier: GPL-2.0-only
/* libc side of the shim: see host.h. */
#include "kernel_shim/host/host.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#if defined(__SANITIZE_ADDRESS__)
#define LOCKSTEP_HOST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOCKSTEP_HOST_ASAN 1
#endif
#endif
#ifdef LOCKSTEP_HOST_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

void *lockstep_host_alloc(size_t size, int zero)
{
	/* malloc(0) may return NULL, which the kernel world would read as failure. */
	if (size == 0)
		size = 1;
	return zero ? calloc(1, size) : malloc(size);
}

void lockstep_host_free(void *ptr)
{
	free(ptr);
}

size_t lockstep_host_usable_size(void *ptr)
{
	return ptr ? malloc_usable_size(ptr) : 0;
}

void lockstep_host_vlog(const char *fmt, va_list ap)
{
	fputs("lockstep-shim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lockstep_host_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lockstep_host_vlog(fmt, ap);
	va_end(ap);
}

int lockstep_host_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int lockstep_host_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int lockstep_host_env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

void lockstep_host_abort(void)
{
	fflush(stderr);
	abort();
}

/* ---- fibers (host.h) ---- */

/* A task_work's stack: restrict_one_thread() and what it calls are shallow; sanitizers widen
 * frames, so this is generous. */
#define LOCKSTEP_FIBER_STACK (256 * 1024)

struct lockstep_host_fiber {
	ucontext_t context;
	void *stack; /* NULL: an OS thread's own stack */
	size_t stack_size;
	const void *asan_bottom; /* the stack ASan is told about when switching to this context */
	size_t asan_size;
	void *asan_fake_stack;
	void (*fn)(void *);
	void *arg;
	struct lockstep_host_fiber *return_to; /* who switched to it last */
	int finished;
};

static _Thread_local struct lockstep_host_fiber thread_self;

struct lockstep_host_fiber *lockstep_host_fiber_self(void)
{
	return &thread_self;
}

static void fiber_trampoline(unsigned int lo, unsigned int hi)
{
	struct lockstep_host_fiber *fiber =
		(struct lockstep_host_fiber *)(((unsigned long)hi << 32) | lo);
	struct lockstep_host_fiber *back;

#ifdef LOCKSTEP_HOST_ASAN
	/* Learns the bounds of the stack that switched here, to switch back to it later. */
	__sanitizer_finish_switch_fiber(NULL, &fiber->return_to->asan_bottom,
					&fiber->return_to->asan_size);
#endif
	fiber->fn(fiber->arg);
	fiber->finished = 1;
	back = fiber->return_to;
#ifdef LOCKSTEP_HOST_ASAN
	/* NULL: this stack is done for, ASan may drop its fake frames. */
	__sanitizer_start_switch_fiber(NULL, back->asan_bottom, back->asan_size);
#endif
	setcontext(&back->context);
	abort(); /* setcontext() does not return */
}

struct lockstep_host_fiber *lockstep_host_fiber_new(void (*fn)(void *), void *arg)
{
	struct lockstep_host_fiber *fiber = calloc(1, sizeof(*fiber));
	unsigned long p = (unsigned long)fiber;

	if (!fiber)
		return NULL;
	fiber->stack = malloc(LOCKSTEP_FIBER_STACK);
	if (!fiber->stack || getcontext(&fiber->context) != 0) {
		free(fiber->stack);
		free(fiber);
		return NULL;
	}
	fiber->stack_size = LOCKSTEP_FIBER_STACK;
	fiber->asan_bottom = fiber->stack;
	fiber->asan_size = fiber->stack_size;
	fiber->fn = fn;
	fiber->arg = arg;
	fiber->context.uc_stack.ss_sp = fiber->stack;
	fiber->context.uc_stack.ss_size = fiber->stack_size;
	fiber->context.uc_link = NULL;
	makecontext(&fiber->context, (void (*)(void))fiber_trampoline, 2,
		    (unsigned int)(p & 0xffffffffu), (unsigned int)(p >> 32));
	return fiber;
}

void lockstep_host_fiber_switch(struct lockstep_host_fiber *from, struct lockstep_host_fiber *to)
{
	to->return_to = from;
#ifdef LOCKSTEP_HOST_ASAN
	__sanitizer_start_switch_fiber(&from->asan_fake_stack, to->asan_bottom, to->asan_size);
#endif
	swapcontext(&from->context, &to->context);
#ifdef LOCKSTEP_HOST_ASAN
	__sanitizer_finish_switch_fiber(from->asan_fake_stack, NULL, NULL);
#endif
}

int lockstep_host_fiber_finished(const struct lockstep_host_fiber *fiber)
{
	return fiber->finished;
}

void lockstep_host_fiber_free(struct lockstep_host_fiber *fiber)
{
	if (!fiber || fiber == &thread_self)
		return;
	free(fiber->stack);
	free(fiber);
}
