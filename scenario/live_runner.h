// A whole Scenario on the live engine in one go: the probe and twin threads each run the
// scenario's ops back to back (no hand-off per op), then the socket ops' results are combined
// into Landlock's verdicts exactly as LiveEngine does op by op (LandlockVerdict), with the
// stack-alone results in RunResult::stack_alone. Same RunResult as RunScenario(live, s).
// A scenario without filesystem ops runs without the probe's tmpfs (its setup and teardown
// cost about as much as the thread itself).

#ifndef LOCKSTEP_SCENARIO_LIVE_RUNNER_H_
#define LOCKSTEP_SCENARIO_LIVE_RUNNER_H_

#include "engine/live_engine.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace lockstep {

RunResult RunLiveScenario(LiveEngine& engine, const Scenario& scenario);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_LIVE_RUNNER_H_
