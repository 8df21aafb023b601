// Runs a Scenario on an Engine: resolves fd handles to the fds this engine returned, turns each
// return value into an Outcome, and collects what the engine noticed. The same scenario run on
// two engines gives two RunResults that compare op by op.

#ifndef LOCKSTEP_SCENARIO_RUNNER_H_
#define LOCKSTEP_SCENARIO_RUNNER_H_

#include <vector>

#include "engine/engine.h"
#include "scenario/scenario.h"

namespace lockstep {

struct RunResult {
  std::vector<long> returned;        // what each op returned, as the engine gave it
  std::vector<Outcome> outcomes;     // the same, as compared across engines
  std::vector<EngineFinding> findings;  // from Engine::EndTask()
};

// The Outcome of `op` returning `ret`.
Outcome OutcomeOf(const Op& op, long ret);

// Runs `scenario` in a fresh task of `engine`. A handle to an op that did not return an fd
// resolves to -1.
RunResult RunScenario(Engine& engine, const Scenario& scenario);

// The index of the first op whose outcomes differ between `a` and `b`, or -1.
int FirstDivergence(const RunResult& a, const RunResult& b);

// The index of the first op whose outcome does not match its `expect`, or -1.
int FirstFailedExpect(const Scenario& scenario, const RunResult& result);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_RUNNER_H_
