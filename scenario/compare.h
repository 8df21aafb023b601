// Compare -> minimize -> report -> finding file: what the tests, the fuzz targets, replay and
// fidelity do with one scenario run on several engines (the columns of a table). It holds the one
// definition of a finding (Judge), in this order:
//   1. an engine disagreement: two compared columns differ at an op (FirstDivergence: a live 0
//      whose stack-alone result is E agrees with E, scenario/runner.h OutcomesAgree);
//   1b. a log disagreement ("same verdict, different log"): every verdict agrees, but two compared
//      columns' denial logs differ at an op or at task exit (LogsAgree; a column that does not
//      know its logs there, or whose profile's revision writes none, is not compared);
//   2. a failed expect: an op's outcome on some column does not meet the op's expect for that
//      column's profile (FirstFailedExpect: the `expect[...]` override that holds, else the plain
//      `expect`; an expect the profile cannot decide is not checked);
//   3. an engine finding: something an engine noticed (EndTask: WARN_ON, leaks, lockdep, ...),
//      on any column, the oracle's included; a log record an engine could not read is one.
// A finding is minimized while it keeps its class (MinimizeWhile), shown as a side-by-side table
// (CompareRuns) and written as a readable, replayable .scn (ReportFinding).

#ifndef LOCKSTEP_SCENARIO_COMPARE_H_
#define LOCKSTEP_SCENARIO_COMPARE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "model/profile.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace lockstep {

// ---- Judging ------------------------------------------------------------------------------------

struct Verdict {
  enum class Kind { kNone, kDisagreement, kLogDisagreement, kFailedExpect, kEngineFinding };
  Kind kind = Kind::kNone;
  // The op it shows at (0-based; a log disagreement at task exit: the number of ops); -1 for an
  // engine finding.
  int op = -1;
  std::vector<size_t> columns;  // a disagreement: the two columns; otherwise the one column
  // A disagreement: each column's outcome at `op` as tables show it ("EACCES", "0 (stack
  // EINVAL)"); a failed expect: the outcome; an engine finding: each finding, "KIND: DETAIL".
  std::vector<std::string> outcomes;
  // The class, without op numbers, engine names or details, so a smaller scenario showing the same
  // problem has the same one: "sendto EACCES -> 0" (the op, then each column's outcome),
  // "sendto: expect EACCES, got 0", "WARN_ON" (the first finding's kind).
  std::string what;

  explicit operator bool() const { return kind != Kind::kNone; }
  // The same kind of problem, on the same columns, of the same class.
  bool SameClass(const Verdict& o) const {
    return kind == o.kind && columns == o.columns && what == o.what;
  }
  // One line for people, `names[c]` naming column c: "kernel-6.12.117 and oracle-6.12.107
  // disagree at op 3: sendto EACCES -> 0".
  std::string Text(const std::vector<std::string>& names) const;
};

// "disagreement", "log disagreement", "failed expect", "engine finding" ("no finding" for
// kNone).
const char* VerdictKindName(Verdict::Kind kind);

// Which columns are compared op by op. Empty: column 0 with every other column.
using ColumnPairs = std::vector<std::pair<size_t, size_t>>;

// The first problem that `results` (the scenario `s` run on each column's engine) show, by the
// order above; within a kind the earliest op, then the first pair or column. Column c's expects
// are for `profiles[c]` (absent or null: the plain expects). kNone when all is well.
Verdict Judge(const Scenario& s, const std::vector<RunResult>& results,
              const std::vector<const Profile*>& profiles = {}, const ColumnPairs& pairs = {});

// `s` made as small as MinimizeScenario (scenario/minimize.h) can while `judge` (run the
// candidate on every column, then Judge) still finds a problem of `v`'s class, so minimizing
// never slides from one problem to another. At most `max_tries` calls of `judge`.
Scenario MinimizeWhile(const Scenario& s, const Verdict& v,
                       const std::function<Verdict(const Scenario&)>& judge,
                       int max_tries = 5000);

// The outcome of op `i` in `r` as tables show it: "EACCES"; a live 0 whose stack alone said E,
// "0 (stack E)"; "-" past the end.
std::string OutcomeText(const RunResult& r, size_t i);

// The denial logs of op `i` in `r` (i == the number of ops: task exit's): "none", the records
// joined by "; ", or "not known".
std::string LogText(const RunResult& r, size_t i);

// ---- The side-by-side table ---------------------------------------------------------------------

struct RunComparison {
  std::string table;         // the rows, each line indented by two spaces, ending in '\n'
  Verdict verdict;           // Judge on the columns (column 0 with every other one)
  int first_divergence = -1;  // first op where a column differs from the first column, or -1
  int expects = 0;           // ops with an `expect`
  int failed_expects = 0;    // ... whose expect some column does not meet
  int unchecked_expects = 0;  // ... whose expect some column's profile cannot decide
  bool findings = false;     // any column's engine noticed something (EndTask findings)
  bool ok() const { return !verdict; }
  // "ok: 7 ops, engines agree, 5/5 expects met" / "FAILED: ..., first disagreement at op 3".
  std::string Summary(size_t num_ops) const;
};

// One aligned row per op with each column's outcome and the op's `expect`, the first
// disagreement and every failed expect marked, then every engine finding. `names[c]` heads the
// column of `results[c]`; every result is `scenario` run on one engine. `profiles[c]` (optional,
// may be null) describes that column's engine: its expects are ExpectFor(op, profile). An expect
// that depends on a switch the profile has not determined is not checked and counts in
// `unchecked_expects`. A live engine's 0 whose stack-alone result is E shows as "0 (stack E)" and
// meets an expect of E (OutcomesAgree).
RunComparison CompareRuns(const Scenario& scenario, const std::vector<std::string>& names,
                          const std::vector<RunResult>& results,
                          const std::vector<const Profile*>& profiles = {});

// Each op of `s` as one line of .scn text, without its expect.
std::vector<std::string> OpLines(const Scenario& s);

// ---- Finding files ------------------------------------------------------------------------------

struct Finding {
  std::string fuzzer;                 // "differential_fuzzer"
  std::string headline;               // one line: what is wrong
  Scenario scenario;                  // the minimized case
  std::vector<std::string> names;     // column names, e.g. {"kernel-6.12.117", "oracle-6.12.117"}
  std::vector<RunResult> results;     // `scenario` run on each column's engine
  size_t expect_column = 0;           // whose outcomes become the `expect`s (the kernel's)
  std::vector<std::string> comments;  // extra lines for the file header (without '#')
  std::string replay_flags;           // flags for `./lockstep replay`, e.g. "--fail_nth=3"
};

// The finding `v` (judged on `results`, `minimized` run on each column) as a Finding: headline
// v.Text(names), the kernel's column 0 for the expects, and the comment "minimized from
// `input_ops` to N ops".
Finding MakeFinding(const std::string& fuzzer, const Verdict& v, size_t input_ops,
                    const Scenario& minimized, const std::vector<std::string>& names,
                    const std::vector<RunResult>& results);

// The .scn text of `f` (header comments, task line, one line per op with its expect and every
// column's outcome as a trailing comment).
std::string FindingText(const Finding& f, const std::string& path);

// Writes the finding into $LOCKSTEP_FINDINGS_DIR (default findings/ under the current
// directory), named by a hash of the scenario and the replay flags (atomically; an existing file
// of the same name is replaced), prints the table and the replay command on stderr, and returns
// the path written ("" if it could not be). A fuzz target aborts afterwards so libFuzzer and
// AFL++ record the input as a crash.
std::string ReportFinding(const Finding& f);

// A stable 64-bit hash (FNV-1a) of bytes, for finding file names.
uint64_t Fnv1a64(const uint8_t* data, size_t size, uint64_t seed = 0xcbf29ce484222325ull);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_COMPARE_H_
