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

#endif /* LOCKSTEP_KERNEL_SHIM_HOST_HOST_H_ */
