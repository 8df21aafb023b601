// The differential fuzz target: bytes → Scenario (DecodeScenario, total) → the oracle, with the
// profile of the kernel tree's version, and the kernel engine → compared op by op; the kernel
// engine must also notice nothing (EndTask findings: WARN_ON, leaks, lockdep, refcount).
//
// On a problem: op-level minimization (MinimizeScenario, predicate "still diverges or still has
// findings"), a .scn in $LOCKSTEP_FINDINGS_DIR (default findings/), the side-by-side table and the
// replay command on stderr, then abort() so libFuzzer / AFL++ keep the input as a crash.
//
//   ./lockstep fuzz                                      (libFuzzer, 60 s, the seeds)
//   bazel-bin/fuzz/differential_fuzzer FILE|DIR...        (default build: replays inputs)

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "engine/kernel_engine.h"
#include "fuzz/finding.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/binary.h"
#include "scenario/minimize.h"
#include "scenario/runner.h"

namespace lockstep {
namespace {

struct Engines {
  std::unique_ptr<KernelEngine> kernel;
  std::unique_ptr<OracleEngine> oracle;
};

Engines* g_engines = nullptr;

void Init() {
  if (g_engines != nullptr) return;
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  // $LOCKSTEP_ORACLE_PROFILE diffs the tree against another revision's profile on purpose (every
  // behaviour difference between the two is then a finding; the finding tests use it).
  const char* forced = std::getenv("LOCKSTEP_ORACLE_PROFILE");
  const std::string version = forced != nullptr && forced[0] != '\0' ? forced : kernel->Version();
  absl::StatusOr<Profile> profile = LookupProfile(version);
  if (forced != nullptr && forced[0] != '\0' && profile.ok()) {
    std::fprintf(stderr,
                 "differential_fuzzer: LOCKSTEP_ORACLE_PROFILE: oracle profile %s against kernel "
                 "tree %s\n",
                 profile->name.c_str(), kernel->Version().c_str());
  }
  if (!profile.ok()) {
    // Without the tree's own profile every revision difference would be a false finding.
    std::fprintf(stderr,
                 "differential_fuzzer: no oracle profile for %s (kernel tree %s, %s); refusing "
                 "to fuzz: %s\n",
                 version.c_str(), kernel->Version().c_str(), kernel->Origin().c_str(),
                 std::string(profile.status().message()).c_str());
    std::exit(2);
  }
  g_engines = new Engines{std::move(kernel), std::make_unique<OracleEngine>(*profile)};
}

bool Bad(const RunResult& kernel, const RunResult& oracle) {
  return FirstDivergence(kernel, oracle) >= 0 || !kernel.findings.empty();
}

[[noreturn]] void ReportAndAbort(const Scenario& input) {
  Engines& e = *g_engines;
  Scenario min = MinimizeScenario(input, [&](const Scenario& s) {
    return Bad(RunScenario(*e.kernel, s), RunScenario(*e.oracle, s));
  });
  Finding f;
  f.fuzzer = "differential_fuzzer";
  f.scenario = min;
  f.names = {e.kernel->Name(), "oracle-" + e.oracle->profile().version};
  f.results = {RunScenario(*e.kernel, min), RunScenario(*e.oracle, min)};
  f.expect_column = 0;
  const int d = FirstDivergence(f.results[0], f.results[1]);
  f.headline = d >= 0 ? absl::StrCat("the kernel and the oracle disagree at op ", d + 1)
                      : absl::StrCat("the kernel engine noticed ", f.results[0].findings.size(),
                                     " problem(s): ", f.results[0].findings[0].kind);
  f.comments.push_back(absl::StrCat("minimized from ", input.ops.size(), " to ", min.ops.size(),
                                    " ops; oracle profile ", e.oracle->profile().name));
  ReportFinding(f);
  std::abort();
}

}  // namespace
}  // namespace lockstep

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  lockstep::Init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lockstep;
  Init();
  const Scenario s = DecodeScenario(absl::MakeConstSpan(data, size));
  const RunResult kernel = RunScenario(*g_engines->kernel, s);
  const RunResult oracle = RunScenario(*g_engines->oracle, s);
  if (Bad(kernel, oracle)) ReportAndAbort(s);
  return 0;
}
