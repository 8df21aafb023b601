// A finding's .scn text parses back to the scenario, with the expect column's outcomes as expects;
// FaultInjectingEngine counts allocations per op and fails the chosen one.

#include <string>

#include "engine/fault_engine.h"
#include "engine/kernel_engine.h"
#include "gtest/gtest.h"
#include "model/kernel_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/compare.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

constexpr char kCase[] =
    "task cap_sys_admin=1\n"
    "r = create_ruleset handled_net=connect\n"
    "add_rule r net_port allowed=connect port=443\n"
    "restrict_self r\n"
    "s = socket inet stream\n"
    "connect s inet:127.0.0.1:443\n"
    "connect s inet:127.0.0.1:444\n";

Scenario Parse(const std::string& text) {
  absl::StatusOr<Scenario> s = ParseScn(text, "case.scn");
  EXPECT_TRUE(s.ok()) << s.status() << "\n" << text;
  return s.ok() ? *s : Scenario{};
}

TEST(Finding, TextParsesBackWithKernelOutcomesAsExpects) {
  const Scenario s = Parse(kCase);
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  absl::StatusOr<TreeProfile> tree = ProfileForKernel(*kernel);
  ASSERT_TRUE(tree.ok()) << tree.status();
  OracleEngine oracle(tree->profile);
  Finding f;
  f.fuzzer = "test";
  f.headline = "none";
  f.scenario = s;
  f.names = {kernel->Name(), "oracle"};
  f.results = {RunScenario(*kernel, s), RunScenario(oracle, s)};
  f.results[1].outcomes[4] = Outcome::Errno(13);  // pretend the oracle disagreed
  const std::string text = FindingText(f, "findings/x.scn");
  EXPECT_NE(text.find("# replay: ./lockstep replay findings/x.scn"), std::string::npos) << text;
  EXPECT_NE(text.find("# 5: " + kernel->Name() + "=0  oracle=EACCES"), std::string::npos) << text;
  const Scenario back = Parse(text);
  ASSERT_EQ(back.ops.size(), s.ops.size());
  EXPECT_TRUE(back.task.cap_sys_admin);
  for (size_t i = 0; i < s.ops.size(); ++i) {
    Op want = s.ops[i];
    want.expect = f.results[0].outcomes[i];
    // Where some engine logged, the kernel's records become `log` lines.
    bool logged = false;
    for (const RunResult& r : f.results) {
      logged = logged || (i < r.logs.size() && !r.logs[i].records.empty());
    }
    if (logged) want.expect_log = f.results[0].logs[i].records;
    Op got = back.ops[i];
    EXPECT_EQ(got, want) << "op " << i + 1 << "\n" << text;
  }
  EXPECT_EQ(FirstFailedExpect(back, RunScenario(*kernel, back)), -1);
  EXPECT_EQ(FirstFailedLogExpect(back, RunScenario(*kernel, back)), -1);
}

TEST(FaultInjectingEngine, CountsPerOpAndFailsTheChosenAllocation) {
  const Scenario s = Parse(kCase);
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  FaultInjectingEngine counting(*kernel, 0);
  const RunResult clean = RunScenario(counting, s);
  const std::vector<uint64_t>& after = counting.allocations_after_op();
  ASSERT_EQ(after.size(), s.ops.size());
  EXPECT_GT(after[0], 0u);  // create_ruleset allocates
  for (size_t i = 1; i < after.size(); ++i) EXPECT_GE(after[i], after[i - 1]);
  EXPECT_TRUE(clean.findings.empty());

  FaultInjectingEngine first(*kernel, 1);
  const RunResult faulted = RunScenario(first, s);
  EXPECT_EQ(faulted.outcomes[0], Outcome::Errno(12));  // ENOMEM
  EXPECT_TRUE(faulted.findings.empty());
}

}  // namespace
}  // namespace lockstep
