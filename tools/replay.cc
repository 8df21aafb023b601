// replay: runs .scn scenarios on the engines asked for and prints one aligned row per op with
// every engine's result, marking the first disagreement and every failed `expect`.
//
//   bazel run //tools:replay -- corpus/connect_rule.scn
//   ./lockstep replay --engines=kernel,oracle corpus/*.scn
//   ./lockstep replay --fail_nth=3 findings/0123456789abcdef.scn   (a fault fuzzer finding)
//
// Exit status: 0 when no file shows a finding (scenario/compare.h: every column agrees with the
// first, meets its expects for its profile, and its engine noticed nothing); 1 otherwise; 2 for a
// file that cannot be read or parsed (FILE:LINE:COL: message).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/fault_engine.h"
#include "engine/kernel_engine.h"
#include "engine/live_engine.h"
#include "model/kernel_profile.h"
#include "model/live_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "revisions/kernel_b.h"
#include "scenario/compare.h"
#include "scenario/live_comparable.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

ABSL_FLAG(std::vector<std::string>, engines, std::vector<std::string>({"kernel", "oracle"}),
          "engines to run, in column order: kernel, kernel_b (the second tree, "
          "$LOCKSTEP_KERNEL_TREE_B), oracle, live (the running kernel)");
ABSL_FLAG(std::string, profile, "",
          "oracle profile (a profile name or version such as 6.12.107, or `live`: the running "
          "kernel's, probed by witnesses); default: the kernel tree's, chosen by the fingerprint "
          "of its code");
ABSL_FLAG(bool, quiet, false, "print only files that fail, and the summary");
ABSL_FLAG(bool, live_audit, false,
          "with the live engine: enable the machine's audit for this run if it is disabled (and "
          "disable it again at exit) so the live kernel's denial logs are compared; without it, "
          "they are compared only where audit is already enabled");
ABSL_FLAG(uint64_t, fail_nth, 0,
          "fault injection: the kernel engine's N-th allocation in each scenario fails (0: none); "
          "replays the fault fuzzer's findings");

namespace lockstep {
namespace {

struct Column {
  std::string name;
  std::unique_ptr<Engine> engine;
  KernelEngine* kernel = nullptr;  // set when `engine` is a KernelEngine
  // The profile its expects are for (expect[...] conditions); none: the plain expects.
  std::optional<Profile> profile;
  LiveEngine* live = nullptr;  // set when `engine` is the live kernel
};

std::string ResolvePath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");  // set by `bazel run`
  if (cwd == nullptr || path.empty() || path[0] == '/') return path;
  return std::string(cwd) + "/" + path;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(ResolvePath(path), std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Returns 0 (all good), 1 (divergence, failed expect or finding), 2 (unreadable) or 3 (skipped:
// the live engine cannot run it; the reason is printed).
int ReplayFile(const std::string& path, std::vector<Column>& columns, uint64_t fail_nth,
               bool quiet) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    std::fprintf(stderr, "replay: %s\n", std::string(text.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<Scenario> parsed = ParseScn(*text, path);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", std::string(parsed.status().message()).c_str());
    return 2;
  }
  const Scenario& s = *parsed;
  for (const Column& c : columns) {
    if (c.live == nullptr) continue;
    const NotLiveComparable why = WhyLiveMustNotRun(s, c.live->info().abi_version,
                                                    c.live->info().ptrace_unrestricted);
    if (!why.reason.empty()) {
      std::printf("%s\n  skipped: %s cannot run it: %s\n\n", path.c_str(), c.name.c_str(),
                  why.ToString().c_str());
      return 3;
    }
  }
  std::vector<RunResult> results;
  std::vector<std::string> names;
  for (Column& c : columns) {
    names.push_back(c.name);
    // --fail_nth: the kernel engine's N-th allocation of this scenario fails (fault findings).
    if (c.kernel != nullptr && fail_nth > 0) {
      FaultInjectingEngine armed(*c.kernel, fail_nth);
      results.push_back(RunScenario(armed, s));
    } else {
      results.push_back(RunScenario(*c.engine, s));
    }
  }
  std::vector<const Profile*> profiles;
  for (const Column& c : columns) profiles.push_back(c.profile ? &*c.profile : nullptr);
  // The table, and its verdict: Judge (scenario/compare.h), every column against the first.
  const RunComparison cmp = CompareRuns(s, names, results, profiles);
  const bool ok = cmp.ok();
  if (!quiet || !ok) {
    std::printf("%s\n%s", path.c_str(), cmp.table.c_str());
    std::printf("  %s\n", cmp.Summary(s.ops.size()).c_str());
    if (!ok) std::printf("  finding: %s\n", cmp.verdict.Text(names).c_str());
    std::printf("\n");
  }
  return ok ? 0 : 1;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "replay FILE.scn...: run scenarios on the kernel engine and the oracle, one row per op");
  std::vector<char*> files = absl::ParseCommandLine(argc, argv);
  files.erase(files.begin());
  if (files.empty()) {
    std::fprintf(stderr, "replay: name at least one .scn file (see --help)\n");
    return 2;
  }

  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  const std::string profile_flag = absl::GetFlag(FLAGS_profile);
  // How each profile was chosen: one line each before the tables.
  const auto tree_profile = [](const KernelEngine& k, const char* what) -> std::optional<Profile> {
    absl::StatusOr<TreeProfile> t = ProfileForKernel(k);
    if (!t.ok()) {
      std::printf("profile of %s: %s (its expects: the plain ones)\n", what,
                  std::string(t.status().message()).c_str());
      return std::nullopt;
    }
    std::printf("profile of %s: %s\n", what, t->notice.c_str());
    return t->profile;
  };
  const auto live_profile = []() -> absl::StatusOr<Profile> {
    absl::StatusOr<LiveProfile> lp = ProbeRunningKernel();
    if (!lp.ok()) return lp.status();
    std::printf("profile of the live kernel: %s, probed by %zu witnesses%s%s\n",
                lp->profile.name.c_str(), lp->witnesses.size(),
                lp->profile.undetermined.empty() ? "" : "; undetermined: ",
                absl::StrJoin(lp->profile.undetermined, ", ").c_str());
    return lp->profile;
  };
  std::vector<Column> columns;
  for (const std::string& name : absl::GetFlag(FLAGS_engines)) {
    if (name == "kernel") {
      std::unique_ptr<KernelEngine> engine = NewDefaultKernelEngine();
      KernelEngine* raw = engine.get();
      columns.push_back({kernel->Name(), std::move(engine), raw, tree_profile(*kernel, "kernel")});
    } else if (name == "kernel_b") {
      // The second tree (@kernel_tree_b), its own isolated revision in this binary.
      auto engine = std::make_unique<KernelEngine>(lockstep_kernel_b());
      KernelEngine* raw = engine.get();
      std::optional<Profile> p = tree_profile(*engine, "kernel_b");
      columns.push_back({"kernel_b-" + engine->Version(), std::move(engine), raw, std::move(p)});
    } else if (name == "live") {
      // The running kernel (engine/live_engine.h); its expects are its probed profile's.
      absl::StatusOr<std::unique_ptr<LiveEngine>> live = LiveEngine::Create();
      if (!live.ok()) {
        std::fprintf(stderr, "replay: live engine unavailable: %s\n",
                     std::string(live.status().message()).c_str());
        return 2;
      }
      absl::StatusOr<Profile> p = live_profile();
      if (!p.ok()) {
        std::fprintf(stderr, "replay: %s\n", std::string(p.status().message()).c_str());
        return 2;
      }
      const bool enable = absl::GetFlag(FLAGS_live_audit);
      const absl::Status logs = (*live)->ReadDenialLogs(
          enable ? LiveAudit::Mode::kEnableForRun : LiveAudit::Mode::kLeaveAlone);
      if (!logs.ok()) {
        std::printf("%s: denial logs not compared: %s\n", (*live)->Name().c_str(),
                    std::string(logs.message()).c_str());
      } else {
        std::printf("%s: denial logs read from the audit subsystem%s\n", (*live)->Name().c_str(),
                    enable ? " (--live-audit: audit enabled for this run where it was not, and "
                             "disabled again at exit)"
                           : "");
      }
      LiveEngine* live_engine = live->get();
      columns.push_back({(*live)->Name(), std::move(*live), nullptr, *p, live_engine});
    } else if (name == "oracle") {
      // --profile=live: the running kernel's, probed; --profile=NAME: a named one; default: the
      // kernel tree's, by fingerprint.
      absl::StatusOr<Profile> profile = absl::NotFoundError("no profile");
      if (profile_flag == "live") {
        profile = live_profile();
      } else if (!profile_flag.empty()) {
        profile = LookupProfile(profile_flag);
      } else {
        absl::StatusOr<TreeProfile> t = ProfileForKernel(*kernel);
        profile = t.ok() ? absl::StatusOr<Profile>(t->profile) : t.status();
      }
      if (!profile.ok()) {
        std::fprintf(stderr, "replay: %s\n", std::string(profile.status().message()).c_str());
        return 2;
      }
      columns.push_back({"oracle-" + profile->version, std::make_unique<OracleEngine>(*profile),
                         nullptr, *profile});
    } else {
      std::fprintf(stderr, "replay: unknown engine '%s' (known: kernel, kernel_b, oracle, live)\n",
                   name.c_str());
      return 2;
    }
  }
  int worst = 0, failed = 0, skipped = 0;
  for (const char* file : files) {
    const int rc =
        ReplayFile(file, columns, absl::GetFlag(FLAGS_fail_nth), absl::GetFlag(FLAGS_quiet));
    if (rc == 3) {
      ++skipped;
      continue;
    }
    if (rc != 0) ++failed;
    if (rc > worst) worst = rc;
  }
  std::printf("replay: %zu files, %zu passed, %d failed%s (engines: %s)\n", files.size(),
              files.size() - failed - skipped, failed,
              skipped > 0 ? absl::StrCat(", ", skipped, " skipped").c_str() : "",
              absl::StrJoin(columns, ", ", [](std::string* out, const Column& c) {
                out->append(c.name);
              }).c_str());
  return worst;
}

}  // namespace
}  // namespace lockstep

int main(int argc, char** argv) { return lockstep::Main(argc, argv); }
