// The side-by-side table of one scenario run on several engines: one aligned row per op with each
// engine's outcome and the op's `expect`, the first disagreement and every failed expect marked,
// then every engine finding. Shared by the replay tool and the fuzz targets.

#ifndef LOCKSTEP_SCENARIO_REPORT_H_
#define LOCKSTEP_SCENARIO_REPORT_H_

#include <string>
#include <vector>

#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace lockstep {

struct RunComparison {
  std::string table;         // the rows, each line indented by two spaces, ending in '\n'
  int first_divergence = -1;  // first op where a column differs from the first column, or -1
  int expects = 0;           // ops with an `expect`
  int failed_expects = 0;    // ... whose expect some column does not meet
  int unchecked_expects = 0;  // ... whose expect some column's profile cannot decide
  bool findings = false;     // any column's engine noticed something (EndTask findings)
  bool ok() const { return first_divergence < 0 && failed_expects == 0 && !findings; }
  // "ok: 7 ops, engines agree, 5/5 expects met" / "FAILED: ..., first disagreement at op 3".
  std::string Summary(size_t num_ops) const;
};

// `names[c]` heads the column of `results[c]`; every result is `scenario` run on one engine.
// `profiles[c]` (optional, may be null) describes that column's engine: its expects are
// ExpectFor(op, profile) (`expect[...]` overrides). An expect that depends on a switch the
// profile has not determined is not checked and counts in `unchecked_expects`. A live engine's 0
// whose stack-alone result is E shows as "0 (stack E)" and meets an expect of E (OutcomesAgree).
RunComparison CompareRuns(const Scenario& scenario, const std::vector<std::string>& names,
                          const std::vector<RunResult>& results,
                          const std::vector<const Profile*>& profiles = {});

// Each op of `s` as one line of .scn text, without its expect.
std::vector<std::string> OpLines(const Scenario& s);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_REPORT_H_
