// Op-level delta reduction: the smallest scenario (by ops) that still shows a problem, so a finding
// reads as the few ops that matter.

#ifndef LOCKSTEP_SCENARIO_MINIMIZE_H_
#define LOCKSTEP_SCENARIO_MINIMIZE_H_

#include <functional>

#include "scenario/scenario.h"

namespace lockstep {

// `s` without op `index`: later handles (fd, parent_fd, at, at2) are renumbered; a handle to the
// removed op becomes the raw fd -1 (the predicate decides whether the result still shows the
// problem).
Scenario WithoutOp(const Scenario& s, size_t index);

// Removes chunks of ops, then single ops, while `still_fails` holds, until no single op can go.
// `still_fails(s)` must be true for the input. At most `max_tries` calls of the predicate.
Scenario MinimizeScenario(const Scenario& s, const std::function<bool(const Scenario&)>& still_fails,
                          int max_tries = 5000);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_MINIMIZE_H_
