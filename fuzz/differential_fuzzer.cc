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
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "engine/kernel_engine.h"
#include "fuzz/finding.h"
#include "model/explain.h"
#include "model/kernel_profile.h"
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
  std::string profile_notice;  // how the oracle's profile was chosen, for every finding
  // The profile was not verified against this tree's code (the nearest known revision stands
  // in): a disagreement may be the tree's own change, so findings say which switch explains it.
  bool unverified = false;
};

Engines* g_engines = nullptr;

void Init() {
  if (g_engines != nullptr) return;
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  // $LOCKSTEP_ORACLE_PROFILE diffs the tree against another revision's profile on purpose (every
  // behaviour difference between the two is then a finding; the finding tests use it).
  const char* forced = std::getenv("LOCKSTEP_ORACLE_PROFILE");
  absl::StatusOr<Profile> profile;
  std::string notice;
  bool unverified = false;
  if (forced != nullptr && forced[0] != '\0') {
    profile = LookupProfile(forced);
    notice = absl::StrCat("LOCKSTEP_ORACLE_PROFILE: oracle profile ",
                          profile.ok() ? profile->name : forced, " against kernel tree ",
                          kernel->Version(), " on purpose");
  } else {
    // Chosen by the fingerprint of the tree's code; an unknown revision of a known generation
    // gets the nearest profile, and whatever it changes shows up as findings.
    absl::StatusOr<TreeProfile> tree = ProfileForKernel(*kernel);
    if (tree.ok()) {
      profile = tree->profile;
      notice = tree->notice;
      unverified = !tree->verified;
    } else {
      profile = tree.status();
    }
  }
  if (!profile.ok()) {
    std::fprintf(stderr, "differential_fuzzer: refusing to fuzz kernel tree %s (%s): %s\n",
                 kernel->Version().c_str(), kernel->Origin().c_str(),
                 std::string(profile.status().message()).c_str());
    std::exit(2);
  }
  std::fprintf(stderr, "differential_fuzzer: oracle profile: %s\n", notice.c_str());
  g_engines =
      new Engines{std::move(kernel), std::make_unique<OracleEngine>(*profile), notice, unverified};
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
  f.comments.push_back("profile choice: " + e.profile_notice);
  if (d >= 0 && e.unverified) {
    // Which switch of the stand-in profile the tree's code changed, if one does (checked on the
    // explainer's generated scenarios, not on this case alone).
    Explainer explainer(*e.kernel, e.oracle->profile(), std::nullopt);
    const Explanation x = explainer.Explain(min);
    f.headline += " -- " + x.ToString();
    f.comments.push_back("the tree vs its nearest profile: " + x.ToString());
  }
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
