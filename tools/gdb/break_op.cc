// break_op: which op of a .scn file `./lockstep gdb` stops at, and which kernel function decides it.
//
//   break_op FILE.scn          the first op whose engines (kernel, oracle) disagree or whose expect
//                              fails, else the last bind or connect, else the last op
//   break_op --op=N FILE.scn   op N (1-based, replay's `#` column), checked against the file
//   break_op --list            every op kind and the kernel functions gdb stops in for it, one
//                              "KIND FUNCTION..." line each (engine/ops.h LOCKSTEP_OPS;
//                              lockstep_gdb.py's `lockstep-break` reads the same table from the
//                              binary it debugs)
//
// Prints one line for tools/gdb/lockstep_gdb.py's `lockstep-break`:  N KIND WHY
//   e.g. "11 connect expect-failed"   (WHY: disagree, expect-failed, last-bind-connect, last-op, chosen)
// Exit status: 0, or 2 for an unreadable file or an op number out of range (one line on stderr).

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "engine/kernel_engine.h"
#include "model/oracle_engine.h"
#include "model/kernel_profile.h"
#include "model/profile.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

ABSL_FLAG(int, op, 0, "the op to stop at (1-based); 0: choose as described in --help");
ABSL_FLAG(bool, list, false, "print every op kind and its break functions, then exit");
ABSL_FLAG(std::string, profile, "",
          "oracle profile (a profile name or version such as 6.12.107); default: the kernel "
          "tree's, chosen by the fingerprint of its code");

namespace lockstep {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "break_op: %s\n", message.c_str());
  return 2;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "break_op [--op=N] FILE.scn: the op ./lockstep gdb stops at, as `N KIND WHY`");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_list)) {
    for (const OpKind kind : kAllOpKinds) {
      std::printf("%s %s\n", OpKindName(kind), OpKindBreakFunctions(kind));
    }
    return 0;
  }
  if (args.size() != 2) return Fail("name exactly one .scn file");
  const std::string path = args[1];

  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<Scenario> parsed = ParseScn(text.str(), path);
  if (!parsed.ok()) return Fail(std::string(parsed.status().message()));
  const Scenario& s = *parsed;
  const int n = static_cast<int>(s.ops.size());
  if (n == 0) return Fail(path + ": no ops");

  int index = absl::GetFlag(FLAGS_op) - 1;
  std::string why = "chosen";
  if (absl::GetFlag(FLAGS_op) != 0) {
    if (index < 0 || index >= n) {
      return Fail(path + " has ops 1.." + std::to_string(n) + ", not " +
                  std::to_string(index + 1));
    }
  } else {
    std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
    const std::string name = absl::GetFlag(FLAGS_profile);
    absl::StatusOr<Profile> profile = absl::NotFoundError("no profile");
    if (name.empty()) {
      absl::StatusOr<TreeProfile> t = ProfileForKernel(*kernel);
      profile = t.ok() ? absl::StatusOr<Profile>(t->profile) : t.status();
    } else {
      profile = LookupProfile(name);
    }
    if (!profile.ok()) return Fail(std::string(profile.status().message()));
    OracleEngine oracle(*profile);
    const RunResult k = RunScenario(*kernel, s);
    const RunResult o = RunScenario(oracle, s);
    const int disagree = FirstDivergence(k, o);
    int failed = FirstFailedExpect(s, k, &*profile);
    const int failed_oracle = FirstFailedExpect(s, o, &*profile);
    if (failed < 0 || (failed_oracle >= 0 && failed_oracle < failed)) failed = failed_oracle;
    index = -1;
    if (disagree >= 0 && (failed < 0 || disagree <= failed)) {
      index = disagree;
      why = "disagree";
    } else if (failed >= 0) {
      index = failed;
      why = "expect-failed";
    } else {
      for (int i = n - 1; i >= 0 && index < 0; --i) {
        if (s.ops[i].kind == OpKind::kBind || s.ops[i].kind == OpKind::kConnect) index = i;
      }
      why = "last-bind-connect";
      if (index < 0) {
        index = n - 1;
        why = "last-op";
      }
    }
  }
  std::printf("%d %s %s\n", index + 1, OpKindName(s.ops[index].kind), why.c_str());
  return 0;
}

}  // namespace
}  // namespace lockstep

int main(int argc, char** argv) { return lockstep::Main(argc, argv); }
