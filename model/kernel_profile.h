// The oracle profile for a compiled kernel tree, chosen by the fingerprint of its Landlock code
// (ProfileForTree in model/profile.h): one call for every harness that pairs a KernelEngine with
// its oracle.

#ifndef LOCKSTEP_MODEL_KERNEL_PROFILE_H_
#define LOCKSTEP_MODEL_KERNEL_PROFILE_H_

#include "absl/status/statusor.h"
#include "engine/kernel_engine.h"
#include "model/profile.h"

namespace lockstep {

inline absl::StatusOr<TreeProfile> ProfileForKernel(const KernelEngine& kernel) {
  return ProfileForTree(kernel.Version(), kernel.Fingerprint(), kernel.Generation());
}

}  // namespace lockstep

#endif  // LOCKSTEP_MODEL_KERNEL_PROFILE_H_
