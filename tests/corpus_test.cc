// Every corpus/*.scn case on the oracle and on the kernel engine shows no finding
// (scenario/compare.h): the engines agree op by op, neither notices anything, and every `expect`
// holds for the tree's profile (chosen by the fingerprint of its code; expectations that differ
// between revisions are keyed by behaviour switch, `expect[...]`, so they hold on any tree whose
// switches are known).

#include <set>
#include <string>
#include <vector>

#include "engine/kernel_engine.h"
#include "gtest/gtest.h"
#include "model/oracle_engine.h"
#include "model/kernel_profile.h"
#include "model/profile.h"
#include "scenario/compare.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"
#include "tests/corpus_files.h"

namespace lockstep {
namespace {

TEST(Corpus, HasAtLeastFortyCases) { EXPECT_GE(CorpusFiles().size(), 40u); }

// The corpus is the seed of every fuzzer and the first thing a reader replays: every op kind of
// the op table appears in some case, and every case says what some op must return.
TEST(Corpus, EveryOpKindAppearsAndEveryCaseExpects) {
  std::set<OpKind> seen;
  for (const std::string& name : CorpusFiles()) {
    absl::StatusOr<Scenario> s = LoadCorpusCase(name);
    ASSERT_TRUE(s.ok()) << name << ": " << s.status();
    bool expects = false;
    for (const Op& op : s->ops) {
      seen.insert(op.kind);
      expects = expects || op.expect.has_value() || !op.expect_overrides.empty();
    }
    EXPECT_TRUE(expects) << name << " has no expect";
  }
  for (OpKind kind : kAllOpKinds) {
    EXPECT_TRUE(seen.count(kind)) << "no corpus case has an op " << OpKindName(kind);
  }
}

class CorpusCase : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusCase, EnginesAgreeAndExpectsHold) {
  absl::StatusOr<Scenario> s = LoadCorpusCase(GetParam());
  ASSERT_TRUE(s.ok()) << s.status();

  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  absl::StatusOr<TreeProfile> tree = ProfileForKernel(*kernel);
  ASSERT_TRUE(tree.ok()) << tree.status();
  const Profile& profile = tree->profile;
  OracleEngine oracle(profile);
  const std::vector<std::string> names = {kernel->Name(), "oracle-" + profile.version};
  const std::vector<RunResult> results = {RunScenario(*kernel, *s), RunScenario(oracle, *s)};
  const std::vector<const Profile*> profiles = {&profile, &profile};
  const std::string replay = "bazel run //tools:replay -- $PWD/corpus/" + GetParam();

  // No finding (scenario/compare.h): the engines agree op by op, every expect holds for the
  // tree's profile, and neither engine notices anything.
  const Verdict v = Judge(*s, results, profiles);
  const RunComparison cmp = CompareRuns(*s, names, results, profiles);
  EXPECT_FALSE(v) << v.Text(names) << " (line " << (v.op >= 0 ? s->ops[v.op].line : 0)
                  << ", profile " << profile.name << ")\n"
                  << cmp.table << "replay: " << replay;
  // A compiled tree's profile determines every switch.
  EXPECT_EQ(cmp.unchecked_expects, 0) << "expects not checked\n" << cmp.table;
}

INSTANTIATE_TEST_SUITE_P(Cases, CorpusCase, ::testing::ValuesIn(CorpusFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param.substr(0, info.param.size() - 4);
                         });

}  // namespace
}  // namespace lockstep
