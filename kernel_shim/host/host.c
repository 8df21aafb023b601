// SPDX-License-Identifier: GPL-2.0-only
/* libc side of the shim: see host.h. */
#include "kernel_shim/host/host.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
