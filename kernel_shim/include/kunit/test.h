/* SPDX-License-Identifier: GPL-2.0-only */
/* Forwarder: KUnit's stand-in, see lockstep_shim/kunit.h. */
#include "lockstep_shim/kunit.h"
