// The differential fuzz target: bytes → Scenario (DecodeScenario, total) → the kernel engine and
// the oracle, with the profile of the kernel tree's version → judged (scenario/compare.h: a
// disagreement, a failed expect, or anything either engine noticed: WARN_ON, leaks, lockdep,
// refcount).
//
// On a finding: op-level minimization keeping its class (MinimizeWhile), a .scn in
// $LOCKSTEP_FINDINGS_DIR (default findings/), the side-by-side table and the replay command on
// stderr, then abort() so libFuzzer / AFL++ keep the input as a crash.
//
//   ./lockstep fuzz                                      (libFuzzer, 60 s, the seeds)
//   bazel-bin/fuzz/differential_fuzzer FILE|DIR...        (default build: replays inputs)

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/kernel_engine.h"
#include "fuzz/scenario_target.h"
#include "model/explain.h"
#include "model/kernel_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/compare.h"
#include "scenario/runner.h"

namespace lockstep {
namespace {

struct Engines {
  std::unique_ptr<KernelEngine> kernel;
  std::unique_ptr<OracleEngine> oracle;
  // Each column's profile, for its expects: the tree's own for the kernel, the oracle's.
  std::optional<Profile> kernel_profile;
  std::vector<const Profile*> profiles;
  std::string profile_notice;  // how the oracle's profile was chosen, for every finding
  // The profile was not verified against this tree's code (the nearest known revision stands
  // in): a disagreement may be the tree's own change, so findings say which switch explains it.
  bool unverified = false;
};

Engines* g_engines = nullptr;

}  // namespace

// fuzz/scenario_target.h: the engines, once.
void InitTarget() {
  if (g_engines != nullptr) return;
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  absl::StatusOr<TreeProfile> tree = ProfileForKernel(*kernel);
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
  } else if (tree.ok()) {
    // Chosen by the fingerprint of the tree's code; an unknown revision of a known generation
    // gets the nearest profile, and whatever it changes shows up as findings.
    profile = tree->profile;
    notice = tree->notice;
    unverified = !tree->verified;
  } else {
    profile = tree.status();
  }
  if (!profile.ok()) {
    std::fprintf(stderr, "differential_fuzzer: refusing to fuzz kernel tree %s (%s): %s\n",
                 kernel->Version().c_str(), kernel->Origin().c_str(),
                 std::string(profile.status().message()).c_str());
    std::exit(2);
  }
  std::fprintf(stderr, "differential_fuzzer: oracle profile: %s\n", notice.c_str());
  g_engines = new Engines{std::move(kernel), std::make_unique<OracleEngine>(*profile)};
  Engines& e = *g_engines;
  if (tree.ok()) e.kernel_profile = tree->profile;
  e.profiles = {e.kernel_profile ? &*e.kernel_profile : nullptr, &e.oracle->profile()};
  e.profile_notice = notice;
  e.unverified = unverified;
}

namespace {

std::vector<RunResult> RunBoth(const Scenario& s) {
  return RunScenarioOnEach({g_engines->kernel.get(), g_engines->oracle.get()}, s);
}

Verdict JudgeBoth(const Scenario& s) { return Judge(s, RunBoth(s), g_engines->profiles); }

[[noreturn]] void ReportAndAbort(const Scenario& input, const Verdict& found) {
  Engines& e = *g_engines;
  const Scenario min = MinimizeWhile(input, found, JudgeBoth);
  const std::vector<RunResult> results = RunBoth(min);
  const Verdict v = Judge(min, results, e.profiles);
  Finding f = MakeFinding("differential_fuzzer", v, input.ops.size(), min,
                          {e.kernel->Name(), "oracle-" + e.oracle->profile().version}, results);
  f.comments.push_back("oracle profile " + e.oracle->profile().name);
  f.comments.push_back("profile choice: " + e.profile_notice);
  if (v.kind == Verdict::Kind::kDisagreement && e.unverified) {
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

// fuzz/scenario_target.h: one scenario judged.
void CheckScenario(const Scenario& s) {
  const Verdict v = JudgeBoth(s);
  if (v) ReportAndAbort(s, v);
}

}  // namespace lockstep
