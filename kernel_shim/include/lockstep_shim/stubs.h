/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stubs.h: kernel facilities that have no effect in this model, kept as no-ops on purpose:
 * section placement, module export, boot-time init markers. Anything that could hide a bug
 * (locks, RCU, allocation, WARN) is in custom.h instead, instrumented.
 *
 * Every stub here and elsewhere in the shim is listed, with what it does instead, in
 * kernel_shim/standins.def, the one table `./lockstep shim` prints (with the tree's files that
 * use each); standins_test fails if a definition here is missing from it.
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
#define __refdata
#define __initdata_or_module

/* Exporting a symbol re-declares it, which keeps the trailing ';' legal at file scope. */
#define EXPORT_SYMBOL(sym) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_GPL(sym) extern __typeof__(sym) sym

/*
 * The configuration this model stands for: a kernel with Landlock, INET and IPv6 on x86_64.
 * IS_ENABLED(CONFIG_X) is 1 or 0 only for the options named here; any other option is a build
 * error naming it, in C code ("'__lockstep_config_CONFIG_X' undeclared") and in #if, where an
 * unknown identifier would otherwise be a silent 0 (-Wundef is an error in the kernel world:
 * "'__lockstep_config_CONFIG_X' is not defined"). A new option a tree tests is added here, on
 * purpose, with the value this model has.
 */
#pragma GCC diagnostic error "-Wundef"
#define IS_ENABLED(option) __lockstep_config_##option
#define IS_BUILTIN(option) __lockstep_config_##option
#define __lockstep_config_CONFIG_INET 1
#define __lockstep_config_CONFIG_IPV6 1
#define __lockstep_config_CONFIG_SECURITY_LANDLOCK 1
/* The tree's KUnit suites are compiled in and run by lockstep_shim/kunit.h's runner. */
#define __lockstep_config_CONFIG_SECURITY_LANDLOCK_KUNIT_TEST 1
/*
 * Options that differ per adapter generation: kernel_revision.bzl's KERNEL_CONFIG passes
 * -DLOCKSTEP_CONFIG_<option>=0|1 for the generation it compiles (7: AUDIT and
 * SECURITY_LANDLOCK_LOG on). Unset means off: the shim's own sources and the 6.12/6.1
 * generations are built with all three off, as before.
 */
#ifndef LOCKSTEP_CONFIG_AUDIT
#define LOCKSTEP_CONFIG_AUDIT 0
#endif
#ifndef LOCKSTEP_CONFIG_SECURITY_LANDLOCK_LOG
#define LOCKSTEP_CONFIG_SECURITY_LANDLOCK_LOG 0
#endif
#ifndef LOCKSTEP_CONFIG_TRACEPOINTS
#define LOCKSTEP_CONFIG_TRACEPOINTS 0
#endif
#define __lockstep_config_CONFIG_AUDIT LOCKSTEP_CONFIG_AUDIT
#define __lockstep_config_CONFIG_SECURITY_LANDLOCK_LOG LOCKSTEP_CONFIG_SECURITY_LANDLOCK_LOG
#define __lockstep_config_CONFIG_TRACEPOINTS LOCKSTEP_CONFIG_TRACEPOINTS
#define __lockstep_config_CONFIG_LOCKDEP 1
#define __lockstep_config_CONFIG_DEBUG_LOCK_ALLOC 1
#define __lockstep_config_CONFIG_PROVE_RCU 1
#define __lockstep_config_CONFIG_DEBUG_ATOMIC_SLEEP 1
/* x86_64, for the compat ioctl numbers fs.c names. */
#define __lockstep_config_CONFIG_X86_64 1
/* The same options for #ifdef: set ones are defined, unset ones are not (as in the kernel). */
#define CONFIG_INET 1
#define CONFIG_IPV6 1
#define CONFIG_SECURITY_LANDLOCK 1
#define CONFIG_SECURITY_LANDLOCK_KUNIT_TEST 1
#define CONFIG_LOCKDEP 1
#define CONFIG_DEBUG_LOCK_ALLOC 1
#define CONFIG_PROVE_RCU 1
#define CONFIG_DEBUG_ATOMIC_SLEEP 1
#define CONFIG_X86_64 1
#if LOCKSTEP_CONFIG_AUDIT
#define CONFIG_AUDIT 1
#endif
#if LOCKSTEP_CONFIG_SECURITY_LANDLOCK_LOG
#define CONFIG_SECURITY_LANDLOCK_LOG 1
#endif
#if LOCKSTEP_CONFIG_TRACEPOINTS
#define CONFIG_TRACEPOINTS 1
#endif

/*
 * Tracepoints (linux/tracepoint.h) with CONFIG_TRACEPOINTS off: TRACE_EVENT(name, ...) declares
 * an empty trace_<name>() and a trace_<name>_enabled() that is false, as the kernel does without
 * tracepoints. The event's fields and output format are never evaluated. trace.c (the events'
 * formatting) is only built with CONFIG_TRACEPOINTS, which no generation here turns on.
 */
#define TP_PROTO(args...) args
#define TP_ARGS(args...) args
#define TRACE_DEFINE_ENUM(a) _Static_assert(1, #a)
#define TRACE_EVENT(name, proto, args, tstruct, assign, print)         \
	static inline void trace_##name(proto)                          \
	{                                                               \
	}                                                               \
	static inline bool trace_##name##_enabled(void)                 \
	{                                                               \
		return false;                                           \
	}                                                               \
	_Static_assert(1, #name)
#define DECLARE_TRACE(name, proto, args) TRACE_EVENT(name, proto, args, , , )

#endif /* LOCKSTEP_SHIM_STUBS_H */
