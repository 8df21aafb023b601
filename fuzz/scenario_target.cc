#include "fuzz/scenario_target.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/types/span.h"
#include "scenario/binary.h"

namespace {

// $LOCKSTEP_FUZZ_OPS: "network" decodes only the ops that never reach the filesystem
// (./lockstep fuzz --ops network); unset or "all", every op.
lockstep::DecodeOps OpsFromEnvironment() {
  const char* ops = std::getenv("LOCKSTEP_FUZZ_OPS");
  if (ops == nullptr || ops[0] == '\0' || std::strcmp(ops, "all") == 0) {
    return lockstep::DecodeOps::kAll;
  }
  if (std::strcmp(ops, "network") == 0) return lockstep::DecodeOps::kNetwork;
  std::fprintf(stderr, "LOCKSTEP_FUZZ_OPS=%s: expected all or network\n", ops);
  std::exit(2);
}

const lockstep::DecodeOps g_ops = OpsFromEnvironment();

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  lockstep::InitTarget();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lockstep::InitTarget();
  lockstep::CheckScenario(lockstep::DecodeScenario(absl::MakeConstSpan(data, size), g_ops));
  return 0;
}
