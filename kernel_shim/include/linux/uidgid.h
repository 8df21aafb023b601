/* SPDX-License-Identifier: GPL-2.0-only */
/* Forwarder: the shim is one set of headers split by kind, see lockstep_shim/kernel.h. */
#include "lockstep_shim/kernel.h"
