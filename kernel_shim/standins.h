/* SPDX-License-Identifier: GPL-2.0-only */
/* The shim's stub and instrumented stand-ins (standins.def) as data, for C and C++ alike. */
#ifndef LOCKSTEP_KERNEL_SHIM_STANDINS_H_
#define LOCKSTEP_KERNEL_SHIM_STANDINS_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum lockstep_standin_kind {
	LOCKSTEP_STANDIN_STUB,
	LOCKSTEP_STANDIN_INSTRUMENTED,
};

struct lockstep_standin {
	enum lockstep_standin_kind kind;
	const char *name; /* the identifier the kernel code uses */
	const char *file; /* the shim file defining it, relative to kernel_shim/ */
	const char *what; /* a stub: what it does instead; instrumented: what it checks */
};

extern const struct lockstep_standin lockstep_standins[];
extern const size_t lockstep_num_standins;

#ifdef __cplusplus
}
#endif

#endif /* LOCKSTEP_KERNEL_SHIM_STANDINS_H_ */
