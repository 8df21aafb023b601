// The live differential fuzz target: the same input on the running kernel (LiveEngine: real
// Landlock syscalls in throwaway threads, private network namespaces) against the oracle with the
// live kernel's profile, and, in the same process, the compiled kernel tree against its own
// profile's oracle. A finding (scenario/compare.h: a disagreement in either pair, a failed expect,
// anything an engine noticed) is minimized and written like the differential fuzzer's, then
// aborts.
//
// Only inputs both sides can be compared on are run (Comparable): raw fds the live process may
// have open are skipped (-1 and fds from 2^20 up stay), and so are sockets of families, types or
// protocols the oracle's socket layer does not model (it is Landlock's model, not the stack's), and
// mknod of devices other than char 1:3, char 0:0 and block 0:0 (they could reach real drivers).
// Where Landlock with network rules is not available, the target refuses to start with the reason.
//
//   ./lockstep fuzz --target live

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/kernel_engine.h"
#include "engine/live_engine.h"
#include "fuzz/scenario_target.h"
#include "model/kernel_profile.h"
#include "model/live_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/compare.h"
#include "scenario/fs_ops.h"
#include "scenario/live_comparable.h"
#include "scenario/live_runner.h"
#include "scenario/runner.h"

namespace lockstep {
namespace {

struct Engines {
  std::unique_ptr<LiveEngine> live;
  std::unique_ptr<OracleEngine> live_oracle;
  std::unique_ptr<KernelEngine> kernel;
  std::unique_ptr<OracleEngine> kernel_oracle;
  std::string profile_notice;  // how both profiles were chosen, for every finding
};

Engines* g = nullptr;

}  // namespace

// fuzz/scenario_target.h: the engines, once.
void InitTarget() {
  if (g != nullptr) return;
  absl::StatusOr<std::unique_ptr<LiveEngine>> live = LiveEngine::Create();
  if (!live.ok()) {
    std::fprintf(stderr, "live_differential_fuzzer: refusing to fuzz: %s\n",
                 std::string(live.status().message()).c_str());
    std::exit(2);
  }
  // The live kernel's profile is probed by witnesses; the tree's is chosen by its fingerprint.
  absl::StatusOr<LiveProfile> live_profile = ProbeLiveProfile(**live, (*live)->info());
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  absl::StatusOr<TreeProfile> kernel_profile = ProfileForKernel(*kernel);
  for (const absl::Status& st : {live_profile.status(), kernel_profile.status()}) {
    if (!st.ok()) {
      // Without the right profiles every revision difference would be a false finding.
      std::fprintf(stderr, "live_differential_fuzzer: refusing to fuzz: %s\n",
                   std::string(st.message()).c_str());
      std::exit(2);
    }
  }
  std::string notice = absl::StrCat("live profile ", live_profile->profile.name, " probed by ",
                                    live_profile->witnesses.size(), " witnesses");
  if (!live_profile->profile.undetermined.empty()) {
    absl::StrAppend(&notice, " (undetermined: ",
                    absl::StrJoin(live_profile->profile.undetermined, ", "),
                    "; disagreements they may explain are not findings)");
  }
  absl::StrAppend(&notice, "; tree: ", kernel_profile->notice);
  std::fprintf(stderr, "live_differential_fuzzer: %s\n", notice.c_str());
  g = new Engines{*std::move(live), std::make_unique<OracleEngine>(live_profile->profile),
                  std::move(kernel), std::make_unique<OracleEngine>(kernel_profile->profile),
                  notice};
}

namespace {

// See the file comment and scenario/live_comparable.h.
bool Comparable(const Scenario& s) {
  return LiveComparable(s, g->live->info().devices_usable);
}

// The columns: the live kernel, its oracle, the compiled tree, the tree's oracle; each pair of an
// engine and its oracle is compared, and each column's expects are for its own profile.
std::vector<std::string> Names() {
  return {g->live->Name(), "oracle-" + g->live_oracle->profile().version, g->kernel->Name(),
          "oracle-" + g->kernel_oracle->profile().version};
}

std::vector<RunResult> RunAll(const Scenario& s) {
  return {RunLiveScenario(*g->live, s), RunScenario(*g->live_oracle, s),
          RunScenario(*g->kernel, s), RunScenario(*g->kernel_oracle, s)};
}

Verdict JudgeAll(const Scenario& s, const std::vector<RunResult>& r) {
  const std::vector<const Profile*> profiles = {
      &g->live_oracle->profile(), &g->live_oracle->profile(), &g->kernel_oracle->profile(),
      &g->kernel_oracle->profile()};
  ColumnPairs pairs = {{0, 1}, {2, 3}};
  // A switch the witnesses left undetermined may explain a live disagreement: not a finding.
  if (FirstDivergence(r[0], r[1]) >= 0 &&
      UndeterminedMayExplain(g->live_oracle->profile(), s, r[0])) {
    pairs = {{2, 3}};
  }
  return Judge(s, r, profiles, pairs);
}

// Not comparable: no finding.
Verdict JudgeAll(const Scenario& s) { return Comparable(s) ? JudgeAll(s, RunAll(s)) : Verdict{}; }

[[noreturn]] void ReportAndAbort(const Scenario& input, const Verdict& found) {
  const Scenario min = MinimizeWhile(
      input, found, [](const Scenario& s) { return JudgeAll(s); }, 2000);
  const std::vector<RunResult> results = RunAll(min);
  Finding f = MakeFinding("live_differential_fuzzer", JudgeAll(min, results), input.ops.size(),
                          min, Names(), results);
  f.comments.push_back("profile choice: " + g->profile_notice);
  f.replay_flags = "--engines=live,oracle --profile=live";
  ReportFinding(f);
  std::abort();
}

}  // namespace

// fuzz/scenario_target.h: one scenario judged.
void CheckScenario(const Scenario& s) {
  const Verdict v = JudgeAll(s);
  if (v) ReportAndAbort(s, v);
}

}  // namespace lockstep
