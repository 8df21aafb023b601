// The oracle and the kernel's own code agree: 100,000 seeded random scenarios from the
// edge-seeking generator, run on the OracleEngine with the profile of the tree's version and on
// the KernelEngine, must give the same outcome for every op, and the kernel engine must notice
// nothing (WARN_ON, leaks, lockdep). A disagreement is minimized and printed as a .scn case.

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/kernel_engine.h"
#include "gtest/gtest.h"
#include "model/oracle_engine.h"
#include "model/kernel_profile.h"
#include "model/profile.h"
#include "scenario/generator.h"
#include "scenario/minimize.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

// Scenarios per run; LOCKSTEP_DIFF_SCENARIOS overrides (e.g. 10 million for a soak).
uint64_t ScenarioCount() {
  const char* env = std::getenv("LOCKSTEP_DIFF_SCENARIOS");
  return env ? std::strtoull(env, nullptr, 10) : 100000;
}

bool Diverges(Engine& a, Engine& b, const Scenario& s) {
  const RunResult ra = RunScenario(a, s);
  const RunResult rb = RunScenario(b, s);
  return FirstDivergence(ra, rb) >= 0 || !ra.findings.empty() || !rb.findings.empty();
}

// The minimized case, each op annotated with both engines' outcomes.
std::string Report(Engine& a, Engine& b, const Scenario& s) {
  const RunResult ra = RunScenario(a, s);
  const RunResult rb = RunScenario(b, s);
  Scenario annotated = s;
  std::string text = absl::StrCat("# ", a.Name(), " vs ", b.Name(), ": first divergence at op ",
                                  FirstDivergence(ra, rb) + 1, "\n");
  for (size_t i = 0; i < s.ops.size(); ++i) {
    absl::StrAppend(&text, "#   op ", i + 1, ": ", ra.outcomes[i].ToString(), " vs ",
                    rb.outcomes[i].ToString(), "\n");
    annotated.ops[i].expect = rb.outcomes[i];  // the kernel's answer, for replay
  }
  for (const EngineFinding& f : ra.findings) absl::StrAppend(&text, "# ", a.Name(), " ", f.kind, ": ", f.detail, "\n");
  for (const EngineFinding& f : rb.findings) absl::StrAppend(&text, "# ", b.Name(), " ", f.kind, ": ", f.detail, "\n");
  return text + PrintScn(annotated);
}

TEST(Differential, OracleAgreesWithKernelOnRandomScenarios) {
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  absl::StatusOr<TreeProfile> tree = ProfileForKernel(*kernel);
  ASSERT_TRUE(tree.ok()) << tree.status();
  std::printf("oracle profile: %s\n", tree->notice.c_str());
  OracleEngine oracle(tree->profile);

  const uint64_t count = ScenarioCount();
  uint64_t ops = 0;
  // What the probes returned, so a run that only ever saw one answer is visible.
  std::map<std::string, uint64_t> decisions;
  for (uint64_t seed = 1; seed <= count; ++seed) {
    ScenarioGenerator gen(seed);
    const Scenario s = gen.Next(8 + static_cast<int>(seed % 16));
    ops += s.ops.size();
    const RunResult kr = RunScenario(*kernel, s);
    const RunResult orr = RunScenario(oracle, s);
    for (size_t i = 0; i < s.ops.size(); ++i) {
      const OpKind k = s.ops[i].kind;
      if (k == OpKind::kBind || k == OpKind::kConnect || k == OpKind::kSendTo) {
        decisions[absl::StrCat(OpKindName(k), " ", kr.outcomes[i].ToString())]++;
      }
    }
    if (FirstDivergence(kr, orr) < 0 && kr.findings.empty() && orr.findings.empty()) continue;
    const Scenario min = MinimizeScenario(
        s, [&](const Scenario& c) { return Diverges(oracle, *kernel, c); });
    FAIL() << "seed " << seed << ": the oracle and the kernel disagree; minimized case:\n"
           << Report(oracle, *kernel, min)
           << "\nreplay: save the case above as case.scn and run "
              "bazel run //tools:replay -- $PWD/case.scn";
  }
  std::printf("%llu scenarios, %llu ops: no divergence\n",
              static_cast<unsigned long long>(count), static_cast<unsigned long long>(ops));
  for (const auto& [what, n] : decisions) {
    std::printf("  %-24s %llu\n", what.c_str(), static_cast<unsigned long long>(n));
  }
  // The generator must reach both verdicts and the address errors, or agreement means little.
  for (const char* needed : {"connect 0", "connect EACCES", "bind 0", "bind EACCES", "bind EINVAL",
                             "connect EINVAL", "bind EAFNOSUPPORT", "sendto EACCES"}) {
    EXPECT_GT(decisions[needed], count / 1000) << "the generator rarely reaches: " << needed;
  }
}

// The harness can fail: against a profile that is wrong for this tree (6.12.107 has no sendmsg
// hook), the same loop finds a divergence quickly and minimizes it to a sendto.
TEST(Differential, WrongProfileIsCaughtAndMinimized) {
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  absl::StatusOr<TreeProfile> right = ProfileForKernel(*kernel);
  ASSERT_TRUE(right.ok()) << right.status();
  // Either value of the switch is wrong for a tree whose profile has the other one.
  Profile wrong = right->profile;
  wrong.sendmsg_fastopen_checked = !wrong.sendmsg_fastopen_checked;
  OracleEngine oracle(wrong);
  for (uint64_t seed = 1; seed <= 20000; ++seed) {
    ScenarioGenerator gen(seed);
    const Scenario s = gen.Next(8 + static_cast<int>(seed % 16));
    if (!Diverges(oracle, *kernel, s)) continue;
    const Scenario min = MinimizeScenario(
        s, [&](const Scenario& c) { return Diverges(oracle, *kernel, c); });
    ASSERT_FALSE(min.ops.empty());
    EXPECT_EQ(min.ops.back().kind, OpKind::kSendTo) << Report(oracle, *kernel, min);
    EXPECT_LE(min.ops.size(), 5u) << Report(oracle, *kernel, min);
    return;
  }
  FAIL() << "20,000 scenarios did not show the missing sendmsg hook";
}

}  // namespace
}  // namespace lockstep
