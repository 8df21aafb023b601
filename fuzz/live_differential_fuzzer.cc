// The live differential fuzz target: the same input on the running kernel (LiveEngine: real
// Landlock syscalls in throwaway threads, private network namespaces) against the oracle with the
// live kernel's profile, and, in the same process, the compiled kernel tree against its own
// profile's oracle. A divergence in either pair, or a finding of an engine, is minimized and
// written like the differential fuzzer's, then aborts.
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

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "engine/kernel_engine.h"
#include "engine/live_engine.h"
#include "fuzz/finding.h"
#include "model/kernel_profile.h"
#include "model/live_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/binary.h"
#include "scenario/fs_ops.h"
#include "scenario/live_comparable.h"
#include "scenario/live_runner.h"
#include "scenario/minimize.h"
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

void Init() {
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

// See the file comment and scenario/live_comparable.h.
bool Comparable(const Scenario& s) {
  return LiveComparable(s, g->live->info().devices_usable);
}

struct Runs {
  RunResult live, live_oracle, kernel, kernel_oracle;
  bool live_may_be_undetermined = false;  // UndeterminedMayExplain
  bool Bad() const {
    return (FirstDivergence(live, live_oracle) >= 0 && !live_may_be_undetermined) ||
           FirstDivergence(kernel, kernel_oracle) >= 0 || !live.findings.empty() ||
           !kernel.findings.empty();
  }
};

Runs RunAll(const Scenario& s) {
  Runs r{RunLiveScenario(*g->live, s), RunScenario(*g->live_oracle, s),
         RunScenario(*g->kernel, s), RunScenario(*g->kernel_oracle, s)};
  if (FirstDivergence(r.live, r.live_oracle) >= 0) {
    r.live_may_be_undetermined = UndeterminedMayExplain(g->live_oracle->profile(), s, r.live);
  }
  return r;
}

[[noreturn]] void ReportAndAbort(const Scenario& input) {
  const Scenario min = MinimizeScenario(
      input, [](const Scenario& s) { return Comparable(s) && RunAll(s).Bad(); }, 2000);
  const Runs r = RunAll(min);
  Finding f;
  f.fuzzer = "live_differential_fuzzer";
  f.scenario = min;
  f.names = {g->live->Name(), "oracle-" + g->live_oracle->profile().version, g->kernel->Name(),
             "oracle-" + g->kernel_oracle->profile().version};
  f.results = {r.live, r.live_oracle, r.kernel, r.kernel_oracle};
  f.expect_column = 0;
  const int dl = FirstDivergence(r.live, r.live_oracle);
  const int dk = FirstDivergence(r.kernel, r.kernel_oracle);
  f.headline = dl >= 0 ? absl::StrCat("the live kernel and its oracle disagree at op ", dl + 1)
               : dk >= 0 ? absl::StrCat("the kernel tree and its oracle disagree at op ", dk + 1)
                         : std::string("an engine noticed a problem");
  f.comments.push_back(absl::StrCat("minimized from ", input.ops.size(), " to ", min.ops.size(),
                                    " ops"));
  f.comments.push_back("profile choice: " + g->profile_notice);
  f.replay_flags = "--engines=live,oracle --profile=live";
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
  if (!Comparable(s)) return 0;
  if (RunAll(s).Bad()) ReportAndAbort(s);
  return 0;
}
