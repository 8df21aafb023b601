// The libFuzzer entry points of a fuzz target whose input is one scenario: bytes → Scenario
// (DecodeScenario, total: scenario/binary.h) → the target's check. The target defines InitTarget
// and CheckScenario; this library defines LLVMFuzzerInitialize and LLVMFuzzerTestOneInput around
// them (the differential, live and revision-diff targets; the fault target reads another format).

#ifndef LOCKSTEP_FUZZ_SCENARIO_TARGET_H_
#define LOCKSTEP_FUZZ_SCENARIO_TARGET_H_

#include "scenario/scenario.h"

namespace lockstep {

// Sets up the target's engines. Called once at start and again before every input (some drivers
// never call LLVMFuzzerInitialize): it returns at once when the engines are there.
void InitTarget();

// Runs and judges one scenario (scenario/compare.h); on a finding it reports it, then aborts so the
// fuzzing engine keeps the input, or returns to go on fuzzing.
void CheckScenario(const Scenario& s);

}  // namespace lockstep

#endif  // LOCKSTEP_FUZZ_SCENARIO_TARGET_H_
