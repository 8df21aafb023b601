#include "model/explain.h"

#include "model/oracle_engine.h"

namespace lockstep {
namespace {

// Whether the oracle with `profile` gives exactly B's outcomes on `s`.
bool Reproduces(const Profile& profile, const Scenario& s, const RunResult& b) {
  OracleEngine oracle(profile);
  return RunScenario(oracle, s).outcomes == b.outcomes;
}

}  // namespace

std::string Explanation::ToString() const {
  if (!explained) return "new, unexplained";
  return "explained: " + switch_name + " (" + change + ")";
}

Explanation ExplainDivergence(const Scenario& s, const RunResult& b, const Profile& a,
                              const std::optional<Profile>& b_profile) {
  for (const SwitchVariant& v : FlippedSwitches(a)) {
    if (Reproduces(v.profile, s, b)) return {true, v.name, v.change};
  }
  // No single switch: B's whole profile may still account for it.
  if (b_profile && Reproduces(*b_profile, s, b)) {
    return {true, "profile " + b_profile->name, "several switches at once"};
  }
  return {};
}

}  // namespace lockstep
