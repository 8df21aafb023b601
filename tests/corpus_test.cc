// Every corpus/*.scn case on the oracle and on the kernel engine: the engines agree op by op, the
// kernel engine notices nothing, and every `expect` holds. The expects are Debian 6.12.117's;
// on another tree only the agreement is checked (the oracle uses that tree's profile).

#include <string>
#include <vector>

#include "engine/kernel_engine.h"
#include "gtest/gtest.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/runner.h"
#include "tests/corpus_files.h"

namespace lockstep {
namespace {

constexpr char kCorpusVersion[] = "6.12.117";

TEST(Corpus, HasAtLeastFortyCases) { EXPECT_GE(CorpusFiles().size(), 40u); }

class CorpusCase : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusCase, EnginesAgreeAndExpectsHold) {
  absl::StatusOr<Scenario> s = LoadCorpusCase(GetParam());
  ASSERT_TRUE(s.ok()) << s.status();

  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  absl::StatusOr<Profile> profile = LookupProfile(kernel->Version());
  ASSERT_TRUE(profile.ok()) << profile.status();
  OracleEngine oracle(*profile);
  const RunResult kr = RunScenario(*kernel, *s);
  const RunResult orr = RunScenario(oracle, *s);
  const std::string replay = "bazel run //tools:replay -- $PWD/corpus/" + GetParam();

  const int d = FirstDivergence(kr, orr);
  EXPECT_EQ(d, -1) << "op " << d + 1 << ": kernel " << kr.outcomes[d].ToString() << ", oracle "
                   << orr.outcomes[d].ToString() << "\nreplay: " << replay;
  for (const EngineFinding& f : kr.findings) ADD_FAILURE() << f.kind << ": " << f.detail;
  if (kernel->Version() != kCorpusVersion) return;  // expects are 6.12.117's
  const int e = FirstFailedExpect(*s, kr);
  EXPECT_EQ(e, -1) << "op " << e + 1 << " (line " << s->ops[e].line << "): expected "
                   << s->ops[e].expect->ToString() << ", kernel returned "
                   << kr.outcomes[e].ToString() << "\nreplay: " << replay;
}

INSTANTIATE_TEST_SUITE_P(Cases, CorpusCase, ::testing::ValuesIn(CorpusFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param.substr(0, info.param.size() - 4);
                         });

}  // namespace
}  // namespace lockstep
