// A small seeded generator of random Scenarios for tests: round trips of the .scn and binary
// forms, and anything else that wants varied scenarios near the edges.

#ifndef LOCKSTEP_SCENARIO_RANDOM_SCENARIO_H_
#define LOCKSTEP_SCENARIO_RANDOM_SCENARIO_H_

#include <cstdint>
#include <random>

#include "scenario/scenario.h"

namespace lockstep {

struct RandomScenarioOptions {
  int max_ops = 20;
  size_t max_mem = 64;  // bytes of a raw mem
  // false: only what .scn text can say (names on fd-returning ops, unique; handles to earlier
  // named ops; readable <= bytes; unused fields zero), so ParseScn(PrintScn(s)) == s.
  // true: also invalid and dangling handles, junk or duplicate names, names on ops returning no
  // fd, readable past the bytes, fields the op kind does not use.
  bool wild = false;
};

Scenario RandomScenario(std::mt19937_64& rng, const RandomScenarioOptions& options = {});

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_RANDOM_SCENARIO_H_
