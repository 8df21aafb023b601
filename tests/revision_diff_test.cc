// Revision differences are explained by the right switch: the default pair (Debian 6.12.117 as A,
// 6.12.107 as B) differs on the sendmsg hook and on erratum 4 (the errata bit, and fs.c's whiteout
// fix: a whiteout is made with make_reg), and the explainer names exactly those switches for
// minimized cases found by random scenarios; a difference no switch accounts for is
// "new, unexplained".

#include <map>
#include <string>

#include "engine/kernel_engine.h"
#include "gtest/gtest.h"
#include "model/explain.h"
#include "model/oracle_engine.h"
#include "model/kernel_profile.h"
#include "model/profile.h"
#include "revisions/kernel_b.h"
#include "scenario/generator.h"
#include "scenario/minimize.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

TEST(RevisionDiff, DefaultPairDiffersOnlyWhereTheirProfilesSay) {
  KernelEngine a(lockstep_kernel_default());
  KernelEngine b(lockstep_kernel_b());
  // The profiles of both trees, by the fingerprints of their code: every class found must be a
  // switch on which they differ, and the switches they differ on that random scenarios reach
  // must show up.
  absl::StatusOr<TreeProfile> ta = ProfileForKernel(a);
  absl::StatusOr<TreeProfile> tb = ProfileForKernel(b);
  ASSERT_TRUE(ta.ok()) << ta.status();
  ASSERT_TRUE(tb.ok()) << tb.status();
  const Profile pa = ta->profile;
  const Profile pb = tb->profile;
  std::map<std::string, int> classes;
  for (uint64_t seed = 1; seed <= 20000; ++seed) {
    ScenarioGenerator gen(seed);
    Scenario s = gen.Next(12);
    if (FirstDivergence(RunScenario(a, s), RunScenario(b, s)) < 0) continue;
    s = MinimizeScenario(s, [&](const Scenario& c) {
      return FirstDivergence(RunScenario(a, c), RunScenario(b, c)) >= 0;
    });
    const Explanation e = ExplainDivergence(s, RunScenario(b, s), pa, pb);
    ASSERT_TRUE(e.explained) << "unexplained difference:\n" << PrintScn(s);
    classes[e.switch_name]++;
  }
  if (pa.sendmsg_fastopen_checked != pb.sendmsg_fastopen_checked) {
    EXPECT_GT(classes["sendmsg_fastopen_checked"], 0);
  }
  if (pa.whiteout_is_make_reg != pb.whiteout_is_make_reg) {
    EXPECT_GT(classes["whiteout_is_make_reg"], 0);
  }
  for (const auto& [name, n] : classes) {
    const SwitchDef* sw = FindSwitch(name);
    EXPECT_TRUE(sw != nullptr && sw->get(pa) != sw->get(pb))
        << name << " x" << n << ": not a switch on which " << pa.name << " and " << pb.name
        << " differ";
  }
}

TEST(RevisionDiff, SwitchesNameTheChange) {
  KernelEngine a(lockstep_kernel_default());
  absl::StatusOr<TreeProfile> ta = ProfileForKernel(a);
  ASSERT_TRUE(ta.ok()) << ta.status();
  const absl::StatusOr<Profile> pa = ta->profile;
  // What a revision without the sendmsg hook answers: the oracle with that switch flipped.
  absl::StatusOr<Scenario> s = ParseScn(R"(
r = create_ruleset handled_net=connect
restrict_self r
s = socket inet stream
sendto s inet:127.0.0.1:80 flags=fastopen
)",
                                        "fastopen.scn");
  ASSERT_TRUE(s.ok()) << s.status();
  Profile no_hook = *pa;
  no_hook.sendmsg_fastopen_checked = !pa->sendmsg_fastopen_checked;
  OracleEngine b(no_hook);
  const Explanation e = ExplainDivergence(*s, RunScenario(b, *s), *pa, std::nullopt);
  EXPECT_EQ(e.switch_name, "sendmsg_fastopen_checked");
  EXPECT_NE(e.ToString().find("explained: sendmsg_fastopen_checked (hook_socket_sendmsg"),
            std::string::npos)
      << e.ToString();
}

TEST(RevisionDiff, NoSwitchMeansNewAndUnexplained) {
  KernelEngine a(lockstep_kernel_default());
  absl::StatusOr<TreeProfile> ta = ProfileForKernel(a);
  ASSERT_TRUE(ta.ok()) << ta.status();
  const absl::StatusOr<Profile> pa = ta->profile;
  absl::StatusOr<Scenario> s = ParseScn(R"(
r = create_ruleset handled_net=connect
add_rule r net_port allowed=connect port=80
restrict_self r
s = socket inet stream
connect s inet:127.0.0.1:80
)",
                                        "byteorder.scn");
  ASSERT_TRUE(s.ok()) << s.status();
  // A revision that denies the allowed connect (as a byte-order mutant does): no switch does that.
  RunResult b = RunScenario(a, *s);
  b.outcomes.back() = Outcome::Errno(13);
  const Explanation e = ExplainDivergence(*s, b, *pa, std::nullopt);
  EXPECT_FALSE(e.explained);
  EXPECT_EQ(e.ToString(), "new, unexplained");
}

}  // namespace
}  // namespace lockstep
