// The live engine on the running kernel: skipped (with the reason) where Landlock with network
// rules is missing or no private network namespace can be made. Here: capability detection, the
// verdict separation (with and without the domain), fd and port hygiene, the whole corpus with
// its expects for the live profile, and the batch runner equal to the op-by-op engine.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "engine/landlock_uapi.h"
#include "engine/live_engine.h"
#include "engine/live_runner.h"
#include "gtest/gtest.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/generator.h"
#include "scenario/runner.h"
#include "scenario/scn.h"
#include "tests/corpus_files.h"

namespace lockstep {
namespace {

#define SKIP_WITHOUT_LIVE_KERNEL()                                                  \
  do {                                                                              \
    if (!DetectLiveKernel().usable) GTEST_SKIP() << DetectLiveKernel().reason;      \
  } while (0)

std::unique_ptr<LiveEngine> Live() {
  absl::StatusOr<std::unique_ptr<LiveEngine>> e = LiveEngine::Create();
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? std::move(*e) : nullptr;
}

Profile LiveProfile() {
  const LiveKernelInfo& info = DetectLiveKernel();
  absl::StatusOr<Profile> p = ProfileForLiveKernel(info.release, info.abi_version, info.errata);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Profile{};
}

Scenario Parse(const std::string& text) {
  absl::StatusOr<Scenario> s = ParseScn(text, "live_test.scn");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario{};
}

TEST(LiveDetect, ReportsWhatTheKernelSays) {
  const LiveKernelInfo& info = DetectLiveKernel();
  ASSERT_FALSE(info.release.empty());
  if (!info.usable) {
    EXPECT_FALSE(info.reason.empty());
    GTEST_SKIP() << info.reason;
  }
  EXPECT_GE(info.abi_version, 4);
  EXPECT_FALSE(info.version.empty());
  EXPECT_EQ(info.release.compare(0, info.version.size(), info.version), 0);
  std::unique_ptr<LiveEngine> live = Live();
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(live->Name(), "live-" + info.version);
  // The answers of the syscalls themselves, through the engine.
  live->BeginTask(TaskSpec{});
  EXPECT_EQ(live->CreateRuleset(UserBuffer::Null(), 0, landlock::kCreateRulesetVersion),
            info.abi_version);
  if (info.errata_supported) {
    EXPECT_EQ(live->CreateRuleset(UserBuffer::Null(), 0, landlock::kCreateRulesetErrata),
              static_cast<long>(info.errata));
  }
  EXPECT_TRUE(live->EndTask().empty());
}

TEST(LiveDetect, ProfileOnlyForObservedSeries) {
  EXPECT_TRUE(ProfileForLiveKernel("6.18.44-fc-v769", 7, 7).ok());
  EXPECT_EQ(ProfileForLiveKernel("6.18.44-fc-v769", 7, 7)->version, "6.18.44");
  EXPECT_EQ(ProfileForLiveKernel("6.18.1", 7, 3)->errata, 3u);
  EXPECT_EQ(ProfileForLiveKernel("6.19.0", 8, 7).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ProfileForLiveKernel("6.18.2", 8, 7).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(ProfileForLiveKernel("linux", 7, 7).ok());
}

TEST(LiveVerdict, CombinesDomainAndStackAlone) {
  EXPECT_EQ(LandlockVerdict(-EACCES, -ECONNREFUSED), -EACCES);
  EXPECT_EQ(LandlockVerdict(-ECONNREFUSED, -ECONNREFUSED), 0);
  EXPECT_EQ(LandlockVerdict(-EINVAL, -EAFNOSUPPORT), -EINVAL);
  EXPECT_EQ(LandlockVerdict(-EAFNOSUPPORT, -EAFNOSUPPORT), 0);  // the same: undecidable → 0
  EXPECT_EQ(LandlockVerdict(-EADDRINUSE, 0), 0);                // the stack's own difference
  EXPECT_EQ(LandlockVerdict(-EINPROGRESS, -ECONNREFUSED), 0);
  EXPECT_EQ(LandlockVerdict(0, -EADDRINUSE), 0);
}

// Denied connect → EACCES from Landlock; allowed → the stack's ECONNREFUSED, reported as 0 with
// ECONNREFUSED as the stack-alone result.
TEST(LiveEngine, SeparatesDenialFromRefusal) {
  SKIP_WITHOUT_LIVE_KERNEL();
  std::unique_ptr<LiveEngine> live = Live();
  const Scenario s = Parse(
      "r = create_ruleset handled_net=bind|connect\n"
      "add_rule r net_port allowed=connect port=80\n"
      "add_rule r net_port allowed=bind port=8080\n"
      "restrict_self r\n"
      "s = socket inet stream\n"
      "connect s inet:127.0.0.1:81\n"
      "connect s inet:127.0.0.1:80\n"
      "t = socket inet6 stream\n"
      "bind t inet6:[::1]:8081\n"
      "bind t inet6:[::1]:8080\n"
      "bind t inet6:[::1]:8080\n"   // allowed, but the socket is bound: the stack says EINVAL
      "bind t inet6:[::1]:8081\n"   // denied: Landlock first, EACCES
      "connect s inet6:[::1]:80\n"  // family mismatch: Landlock EINVAL, the stack EAFNOSUPPORT
      "sendto s null\n");
  for (const RunResult& r : {RunScenario(*live, s), RunLiveScenario(*live, s)}) {
    ASSERT_EQ(r.outcomes.size(), s.ops.size());
    ASSERT_EQ(r.stack_alone.size(), s.ops.size());
    EXPECT_EQ(r.outcomes[5], Outcome::Errno(EACCES));
    EXPECT_EQ(r.stack_alone[5], Outcome::Errno(ECONNREFUSED));
    EXPECT_EQ(r.outcomes[6], Outcome::Value(0));
    EXPECT_EQ(r.stack_alone[6], Outcome::Errno(ECONNREFUSED));
    EXPECT_EQ(r.outcomes[8], Outcome::Errno(EACCES));
    EXPECT_EQ(r.stack_alone[8], Outcome::Value(0));  // the twin bound 8081 instead
    EXPECT_EQ(r.outcomes[9], Outcome::Value(0));
    // The twin socket was made again after the denied op 9, so both are bound since op 10:
    // binding again is the stack's EINVAL on both, so Landlock's verdict is 0.
    EXPECT_EQ(r.outcomes[10], Outcome::Value(0));
    EXPECT_EQ(r.stack_alone[10], Outcome::Errno(EINVAL));
    EXPECT_EQ(r.outcomes[11], Outcome::Errno(EACCES));
    EXPECT_EQ(r.outcomes[12], Outcome::Errno(EINVAL));
    EXPECT_EQ(r.stack_alone[12], Outcome::Errno(EAFNOSUPPORT));
    EXPECT_FALSE(r.stack_alone[4].has_value());  // socket: not a hooked op
    EXPECT_TRUE(r.findings.empty());
    // The comparison accepts the oracle's EINVAL against 0 + stack EINVAL (op 11), and never a
    // 0 against a real verdict (op 12).
    EXPECT_TRUE(OutcomesAgree(Outcome::Errno(EINVAL), std::nullopt, r.outcomes[10],
                              r.stack_alone[10]));
    EXPECT_FALSE(OutcomesAgree(Outcome::Value(0), std::nullopt, r.outcomes[11],
                               r.stack_alone[11]));
  }
}

// Every bound port is released at EndTask: binding it again in the next task, without the
// domain, succeeds on both threads.
TEST(LiveEngine, NoPortLeftBound) {
  SKIP_WITHOUT_LIVE_KERNEL();
  std::unique_ptr<LiveEngine> live = Live();
  const Scenario s = Parse("s = socket inet stream\nbind s inet:127.0.0.1:4242 expect 0\n");
  for (int round = 0; round < 3; ++round) {
    long probe = 1, twin = 1;
    live->RunBoth([&](Engine& e, bool is_twin) {
      RunResult r = RunScenario(e, s);
      (is_twin ? twin : probe) = r.returned[1];
      return r.returned;
    });
    EXPECT_EQ(probe, 0) << "round " << round;
    EXPECT_EQ(twin, 0) << "round " << round;
    const RunResult r = RunScenario(*live, s);
    EXPECT_EQ(r.returned[1], 0);
    EXPECT_EQ(r.stack_alone[1], Outcome::Value(0));
  }
}

// A number the task did not get from its own ops is not in its fd table: the process's own fds
// (stdin, a file of the test) are never touched.
TEST(LiveEngine, ForeignFdsAreNotTheTasks) {
  SKIP_WITHOUT_LIVE_KERNEL();
  std::unique_ptr<LiveEngine> live = Live();
  const int mine = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(mine, 0);
  live->BeginTask(TaskSpec{});
  EXPECT_EQ(live->Close(mine), -EBADF);
  EXPECT_EQ(live->Close(0), -EBADF);
  EXPECT_EQ(live->RestrictSelf(mine, 0), -EBADF);
  EXPECT_TRUE(live->EndTask().empty());
  EXPECT_EQ(fcntl(mine, F_GETFD), FD_CLOEXEC) << "the engine closed an fd it does not own";
  close(mine);
}

// The restriction stays on the task's threads: the test's own thread can still connect.
TEST(LiveEngine, TheCallerStaysUnrestricted) {
  SKIP_WITHOUT_LIVE_KERNEL();
  std::unique_ptr<LiveEngine> live = Live();
  const Scenario deny = Parse(
      "r = create_ruleset handled_net=connect\nrestrict_self r expect 0\n"
      "s = socket inet stream\nconnect s inet:127.0.0.1:80 expect EACCES\n");
  const Scenario no_domain = Parse("s = socket inet stream\nconnect s inet:127.0.0.1:80 expect 0\n");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(FirstFailedExpect(deny, RunScenario(*live, deny)), -1);
    EXPECT_EQ(FirstFailedExpect(no_domain, RunScenario(*live, no_domain)), -1);
    EXPECT_EQ(FirstFailedExpect(deny, RunLiveScenario(*live, deny)), -1);
    EXPECT_EQ(FirstFailedExpect(no_domain, RunLiveScenario(*live, no_domain)), -1);
  }
}

// The whole corpus: the expects for the live profile's version hold (op by op and batched),
// the oracle with the live profile agrees, and nothing is noticed.
TEST(LiveCorpus, ExpectsHoldForTheLiveProfile) {
  SKIP_WITHOUT_LIVE_KERNEL();
  std::unique_ptr<LiveEngine> live = Live();
  const Profile profile = LiveProfile();
  OracleEngine oracle(profile);
  const std::vector<std::string> files = CorpusFiles();
  ASSERT_GE(files.size(), 40u);
  for (const std::string& name : files) {
    absl::StatusOr<Scenario> s = LoadCorpusCase(name);
    ASSERT_TRUE(s.ok()) << s.status();
    const std::string replay =
        "./lockstep replay --engines=live,oracle --profile=live corpus/" + name;
    const RunResult orr = RunScenario(oracle, *s);
    for (const RunResult& lr : {RunScenario(*live, *s), RunLiveScenario(*live, *s)}) {
      const int e = FirstFailedExpect(*s, lr, profile.version);
      EXPECT_EQ(e, -1) << name << " op " << e + 1 << " (line " << s->ops[e].line
                       << "): expected " << ExpectFor(s->ops[e], profile.version)->ToString()
                       << ", live returned " << lr.outcomes[e].ToString() << " (stack alone: "
                       << (lr.stack_alone.size() > static_cast<size_t>(e) && lr.stack_alone[e]
                               ? lr.stack_alone[e]->ToString()
                               : "-")
                       << ")\nreplay: " << replay;
      const int d = FirstDivergence(orr, lr);
      EXPECT_EQ(d, -1) << name << " op " << d + 1 << ": oracle " << orr.outcomes[d].ToString()
                       << ", live " << lr.outcomes[d].ToString() << "\nreplay: " << replay;
      for (const EngineFinding& f : lr.findings) ADD_FAILURE() << name << ": " << f.kind << ": " << f.detail;
    }
    // The oracle meets the same expects.
    EXPECT_EQ(FirstFailedExpect(*s, orr, profile.version), -1) << name << "\nreplay: " << replay;
  }
}

// The batch runner is the op-by-op engine without the hand-offs: same outcomes, same stack.
TEST(LiveRunner, BatchEqualsOpByOp) {
  SKIP_WITHOUT_LIVE_KERNEL();
  std::unique_ptr<LiveEngine> live = Live();
  GeneratorOptions options;
  options.live_comparable = true;
  ScenarioGenerator gen(42, options);
  for (int i = 0; i < 300; ++i) {
    const Scenario s = gen.Next();
    const RunResult a = RunScenario(*live, s);
    const RunResult b = RunLiveScenario(*live, s);
    ASSERT_EQ(a.outcomes.size(), b.outcomes.size());
    for (size_t op = 0; op < a.outcomes.size(); ++op) {
      EXPECT_EQ(a.outcomes[op], b.outcomes[op]) << "scenario " << i << " op " << op + 1 << "\n"
                                                << PrintScn(s);
    }
    EXPECT_TRUE(a.findings.empty());
    EXPECT_TRUE(b.findings.empty());
  }
}

}  // namespace
}  // namespace lockstep
