// SPDX-License-Identifier: GPL-2.0-only
/* standins.def as an array. */
#include "kernel_shim/standins.h"

const struct lockstep_standin lockstep_standins[] = {
#define LOCKSTEP_STANDIN(kind, name, file, what) { LOCKSTEP_STANDIN_##kind, #name, file, what },
#include "kernel_shim/standins.def"
#undef LOCKSTEP_STANDIN
};

const size_t lockstep_num_standins = sizeof(lockstep_standins) / sizeof(lockstep_standins[0]);
