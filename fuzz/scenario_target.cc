#include "fuzz/scenario_target.h"

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "scenario/binary.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  lockstep::InitTarget();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lockstep::InitTarget();
  lockstep::CheckScenario(lockstep::DecodeScenario(absl::MakeConstSpan(data, size)));
  return 0;
}
