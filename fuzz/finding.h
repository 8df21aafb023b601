// What a fuzz target does with a problem it found: writes the (already minimized) scenario as a
// .scn file — each engine's outcome per op as a comment, the kernel's outcomes as `expect`s — into
// $LOCKSTEP_FINDINGS_DIR (default findings/ under the current directory), named by a hash of the
// scenario, then prints the side-by-side table and the one command that replays it. The caller
// aborts afterwards so libFuzzer and AFL++ record the input as a crash.

#ifndef LOCKSTEP_FUZZ_FINDING_H_
#define LOCKSTEP_FUZZ_FINDING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace lockstep {

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

// The .scn text of `f` (header comments, task line, one line per op with its expect and every
// column's outcome as a trailing comment).
std::string FindingText(const Finding& f, const std::string& path);

// Writes the finding (atomically; an existing file of the same name is replaced), prints the
// table and the replay command on stderr, and returns the path written ("" if it could not be).
std::string ReportFinding(const Finding& f);

// A stable 64-bit hash (FNV-1a) of bytes, for finding file names.
uint64_t Fnv1a64(const uint8_t* data, size_t size, uint64_t seed = 0xcbf29ce484222325ull);

}  // namespace lockstep

#endif  // LOCKSTEP_FUZZ_FINDING_H_
