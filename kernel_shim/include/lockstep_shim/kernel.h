/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The whole shim. Every <linux/...>, <asm/...> and <net/...> header a Landlock file includes is a
 * one-line forwarder to this file: the parts are split by kind of stand-in (dup.h faithful,
 * stubs.h no-ops, custom.h instrumented, vfs.h/net.h/task.h modelled), not by kernel header.
 * A kernel header missing here fails the build naming it ("linux/foo.h: No such file").
 */
#ifndef LOCKSTEP_SHIM_KERNEL_H
#define LOCKSTEP_SHIM_KERNEL_H

#include "lockstep_shim/dup.h"
#include "lockstep_shim/stubs.h"
#include "lockstep_shim/custom.h"
#include "lockstep_shim/vfs.h"
#include "lockstep_shim/net.h"
#include "lockstep_shim/task.h"
#include "lockstep_shim/audit.h"

#endif /* LOCKSTEP_SHIM_KERNEL_H */
