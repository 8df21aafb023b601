// The second kernel revision (@kernel_tree_b, $LOCKSTEP_KERNEL_TREE_B) linked into this binary.

#ifndef LOCKSTEP_REVISIONS_KERNEL_B_H_
#define LOCKSTEP_REVISIONS_KERNEL_B_H_

#include "kernel_shim/adapter/kernel_api.h"

#ifdef __cplusplus
extern "C" {
#endif

const struct lockstep_kernel_api *lockstep_kernel_b(void);

#ifdef __cplusplus
}
#endif

#endif  // LOCKSTEP_REVISIONS_KERNEL_B_H_
