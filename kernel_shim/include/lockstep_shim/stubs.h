/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stubs.h: kernel facilities that have no effect in this model, kept as no-ops on purpose:
 * section placement, module export, boot-time init markers, tracing. Anything that could hide a
 * bug (locks, RCU, allocation, WARN) is in custom.h instead, instrumented.
 */
#ifndef LOCKSTEP_SHIM_STUBS_H
#define LOCKSTEP_SHIM_STUBS_H

#include "lockstep_shim/dup.h"

/* Section placement: all of memory is writable and kept in this model. */
#define __init
#define __exit
#define __initconst
#define __initdata
#define __ro_after_init
#define __lsm_ro_after_init
#define __read_mostly
#define __section(s)

/* Exporting a symbol re-declares it, which keeps the trailing ';' legal at file scope. */
#define EXPORT_SYMBOL(sym) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_GPL(sym) extern __typeof__(sym) sym

#define IS_ENABLED(option) __lockstep_is_enabled_##option
/* The configuration this model stands for: a kernel with Landlock, INET and IPv6. */
#define __lockstep_is_enabled_CONFIG_INET 1
#define __lockstep_is_enabled_CONFIG_IPV6 1
#define __lockstep_is_enabled_CONFIG_SECURITY_LANDLOCK 1
#define __lockstep_is_enabled_CONFIG_SECURITY_LANDLOCK_KUNIT_TEST 1
#define __lockstep_is_enabled_CONFIG_AUDIT 0
#define __lockstep_is_enabled_CONFIG_LOCKDEP 1
#define __lockstep_is_enabled_CONFIG_DEBUG_LOCK_ALLOC 1
#define CONFIG_INET 1
#define CONFIG_IPV6 1
#define CONFIG_SECURITY_LANDLOCK 1
/* The tree's KUnit suites are compiled in and run by lockstep_shim/kunit.h's runner. */
#define CONFIG_SECURITY_LANDLOCK_KUNIT_TEST 1
/* x86_64, for the compat ioctl numbers fs.c names. */
#define CONFIG_X86_64 1
#define __lockstep_is_enabled_CONFIG_X86_64 1

#endif /* LOCKSTEP_SHIM_STUBS_H */
