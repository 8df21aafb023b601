// The oracle and the kernel's own code agree: 100,000 seeded random scenarios from the
// edge-seeking generator, run on the OracleEngine with the profile of the tree's version and on
// the KernelEngine, must show no finding (scenario/compare.h: the same outcome for every op, and
// neither engine notices anything: WARN_ON, leaks, lockdep). A finding is minimized and printed
// as the .scn case a fuzzer would write.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/kernel_engine.h"
#include "gtest/gtest.h"
#include "model/kernel_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/compare.h"
#include "scenario/generator.h"
#include "scenario/runner.h"

namespace lockstep {
namespace {

// Scenarios per run; LOCKSTEP_DIFF_SCENARIOS overrides (e.g. 10 million for a soak).
uint64_t ScenarioCount() {
  const char* env = std::getenv("LOCKSTEP_DIFF_SCENARIOS");
  return env ? std::strtoull(env, nullptr, 10) : 100000;
}

// The kernel engine and the oracle as the columns of one comparison (scenario/compare.h): each
// column's expects are for the profile of its engine.
class KernelAndOracle {
 public:
  KernelAndOracle(KernelEngine& kernel, const Profile& kernel_profile, OracleEngine& oracle)
      : kernel_(kernel), oracle_(oracle), profiles_({&kernel_profile, &oracle.profile()}) {}

  std::vector<RunResult> Run(const Scenario& s) const {
    return RunScenarioOnEach({&kernel_, &oracle_}, s);
  }
  Verdict Judge(const Scenario& s, const std::vector<RunResult>& results) const {
    return lockstep::Judge(s, results, profiles_);
  }
  Verdict Judge(const Scenario& s) const { return Judge(s, Run(s)); }

  // `s` minimized keeping `v`'s class, as the finding file a fuzzer would write.
  std::string Report(const Scenario& s, const Verdict& v) const {
    const Scenario min = MinimizeWhile(s, v, [this](const Scenario& c) { return Judge(c); });
    const std::vector<RunResult> results = Run(min);
    const std::vector<std::string> names = {kernel_.Name(), "oracle-" + oracle_.profile().version};
    const Finding f =
        MakeFinding("differential_test", Judge(min, results), s.ops.size(), min, names, results);
    return FindingText(f, "case.scn");
  }

 private:
  KernelEngine& kernel_;
  OracleEngine& oracle_;
  std::vector<const Profile*> profiles_;
};

TEST(Differential, OracleAgreesWithKernelOnRandomScenarios) {
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  absl::StatusOr<TreeProfile> tree = ProfileForKernel(*kernel);
  ASSERT_TRUE(tree.ok()) << tree.status();
  std::printf("oracle profile: %s\n", tree->notice.c_str());
  OracleEngine oracle(tree->profile);
  const KernelAndOracle engines(*kernel, tree->profile, oracle);

  const uint64_t count = ScenarioCount();
  uint64_t ops = 0;
  // What the probes returned, so a run that only ever saw one answer is visible.
  std::map<std::string, uint64_t> decisions;
  // What the tree does beyond TCP: UDP rights and denial logs drawn where it has them.
  GeneratorOptions options;
  if (tree->profile.udp_checked) options.udp_percent = 30;
  const bool logs = WritesDenialLogs(tree->profile);
  if (logs) options.log_percent = 30;
  // Sibling threads in every generation; TSYNC where the tree knows it (ABI 8).
  options.thread_percent = 20;
  // Scenarios of several processes: fork, kill and ptrace between them (docs/tasks.md);
  // LOCKSTEP_DIFF_TASK_PERCENT overrides the share (100: a soak of those alone).
  const char* task_percent = std::getenv("LOCKSTEP_DIFF_TASK_PERCENT");
  options.task_percent = task_percent ? std::atoi(task_percent) : 15;
  // Abstract UNIX sockets and their scope; LOCKSTEP_DIFF_UNIX_PERCENT overrides the share.
  const char* unix_percent = std::getenv("LOCKSTEP_DIFF_UNIX_PERCENT");
  options.unix_percent = unix_percent ? std::atoi(unix_percent) : 15;
  const bool tsync = (tree->profile.restrict_self_flags & 0x8u) != 0;
  for (uint64_t seed = 1; seed <= count; ++seed) {
    ScenarioGenerator gen(seed, options);
    const Scenario s = gen.Next(8 + static_cast<int>(seed % 16));
    ops += s.ops.size();
    const std::vector<RunResult> results = engines.Run(s);
    if (std::any_of(s.ops.begin(), s.ops.end(),
                    [](const Op& op) { return op.kind == OpKind::kFork; })) {
      decisions["scenario: several processes"]++;
    }
    bool new_program = false;  // an execve ran: the domains are an earlier program's
    for (size_t i = 0; i < s.ops.size(); ++i) {
      const OpKind k = s.ops[i].kind;
      // A socket op on an AF_UNIX socket is counted apart: unix(7)'s answers and the scope.
      const Op& op = s.ops[i];
      const bool on_unix = ReportsStackAlone(k) && op.fd.kind == FdRef::Kind::kHandle &&
                           s.ops[static_cast<size_t>(op.fd.value)].family == 1;  // AF_UNIX
      if (on_unix) {
        decisions[absl::StrCat("unix ", OpKindName(k), " ", results[0].outcomes[i].ToString())]++;
        if (logs && results[0].outcomes[i] == Outcome::Errno(1) && i < results[1].logs.size() &&
            results[1].logs[i].known) {
          decisions[results[0].logs[i].records.empty() ? "log: unix EPERM unlogged"
                                                       : "log: unix EPERM logged"]++;
        }
      } else if (TakesAddress(k) || k == OpKind::kExecve || k == OpKind::kKill ||
                 k == OpKind::kPtrace || k == OpKind::kTraceme) {
        decisions[absl::StrCat(OpKindName(k), " ", results[0].outcomes[i].ToString())]++;
      }
      // Denials logged and not (LOG_* flags, quiet rules) where the oracle knows its logs.
      if (logs && (k == OpKind::kKill || k == OpKind::kPtrace || k == OpKind::kTraceme) &&
          results[0].outcomes[i] == Outcome::Errno(1) && i < results[1].logs.size() &&
          results[1].logs[i].known) {
        decisions[results[0].logs[i].records.empty() ? "log: EPERM unlogged"
                                                     : "log: EPERM logged"]++;
      }
      if (logs && results[0].outcomes[i] == Outcome::Errno(13) && i < results[1].logs.size() &&
          results[1].logs[i].known) {
        const bool logged = !results[0].logs[i].records.empty();
        decisions[logged ? "log: EACCES logged" : "log: EACCES unlogged"]++;
        if (new_program) {
          decisions[logged ? "log: after execve, logged" : "log: after execve, unlogged"]++;
        }
      }
      if (k == OpKind::kExecve && results[0].outcomes[i] == Outcome::Value(0)) new_program = true;
      if (k == OpKind::kOnThread || k == OpKind::kSetown || k == OpKind::kSigwait ||
          k == OpKind::kAccept) {
        decisions[absl::StrCat(OpKindName(k), " ", results[0].outcomes[i].ToString())]++;
      }
      if (k == OpKind::kSigwait && op.flags == 23) {
        decisions[absl::StrCat("sigwait SIGURG ", results[0].outcomes[i].ToString())]++;
      }
      // A SIGIO Landlock kept from a file's owner: a scope.signal record of the op that made
      // the socket's news (7.x's logs), not of a kill.
      if (logs && k != OpKind::kKill && i < results[0].logs.size() && results[0].logs[i].known &&
          std::any_of(results[0].logs[i].records.begin(), results[0].logs[i].records.end(),
                      [](const LogRecord& r) { return r.blockers == "scope.signal"; })) {
        decisions["log: SIGIO refused"]++;
        // An urgent byte's SIGURG refused (its SIGIO, judged alike, is refused with it).
        if (k == OpKind::kSendTo && (op.flags & 1u) != 0) decisions["log: SIGURG refused"]++;
      }
      if (k == OpKind::kRestrictSelf && (s.ops[i].flags & 0x8u) != 0) {
        decisions[absl::StrCat("restrict_self TSYNC ", results[0].outcomes[i].ToString())]++;
      }
      if (k == OpKind::kRestrictSelf && (s.ops[i].flags & 0x10u) != 0) {
        decisions[absl::StrCat("restrict_self NO_NEW_PRIVS ",
                               results[0].outcomes[i].ToString())]++;
      }
    }
    if (logs && s.ops.size() < results[1].logs.size() && results[1].logs[s.ops.size()].known) {
      // Logs compared to the end (the oracle met no denial whose object it cannot name).
      decisions["log: compared to exit"]++;
      if (!results[0].logs[s.ops.size()].records.empty()) decisions["log: exit records"]++;
    }
    const Verdict v = engines.Judge(s, results);
    if (!v) continue;
    FAIL() << "seed " << seed << ": " << v.Text({kernel->Name(), "the oracle"})
           << "; minimized case:\n"
           << engines.Report(s, v)
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
                             "connect EINVAL", "bind EAFNOSUPPORT", "sendto EACCES",
                             "execve 0", "kill 0", "kill EPERM", "kill ESRCH", "kill EINVAL",
                             "ptrace 0", "ptrace EPERM", "ptrace ESRCH", "traceme 0",
                             "traceme EPERM", "traceme ESRCH"}) {
    EXPECT_GT(decisions[needed], count / 1000) << "the generator rarely reaches: " << needed;
  }
  // Abstract UNIX sockets: the scope's verdicts and unix(7)'s answers before it.
  for (const char* needed :
       {"unix connect 0", "unix connect EPERM", "unix connect ECONNREFUSED", "unix connect EISCONN",
        "unix sendto 0", "unix sendto EPERM", "unix sendto ENOTCONN", "unix sendto ECONNREFUSED",
        "unix bind 0", "unix bind EADDRINUSE", "unix bind EINVAL", "unix listen 0",
        "unix listen EOPNOTSUPP", "unix listen EINVAL",
        // Named sockets: make_sock on bind, the file's lookup, another type's socket.
        "unix bind EACCES", "unix connect ENOENT", "unix connect EPROTOTYPE"}) {
    EXPECT_GT(decisions[needed], count / 1000) << "the generator rarely reaches: " << needed;
  }
  if ((tree->profile.fs_access_mask & (1ull << 16)) != 0) {  // RESOLVE_UNIX (ABI 9)
    EXPECT_GT(decisions["unix connect EACCES"], count / 1000)
        << "the generator rarely reaches: unix connect EACCES";
  }
  for (const char* needed : {"on_thread 0", "on_thread ESRCH", "setown 0", "setown ESRCH",
                             "setown EBADF", "sigwait 0", "sigwait EAGAIN", "accept fd",
                             "accept EAGAIN", "accept EINVAL", "sigwait SIGURG 0"}) {
    EXPECT_GT(decisions[needed], count / 1000) << "the generator rarely reaches: " << needed;
  }
  if (tsync) {
    EXPECT_GT(decisions["restrict_self TSYNC 0"], count / 1000)
        << "the generator rarely reaches: restrict_self TSYNC 0";
  }
  if ((tree->profile.restrict_self_flags & 0x10u) != 0) {
    EXPECT_GT(decisions["restrict_self NO_NEW_PRIVS 0"], count / 1000)
        << "the generator rarely reaches: restrict_self NO_NEW_PRIVS 0";
  }
  if (logs) {
    for (const char* needed : {"log: EACCES logged", "log: EACCES unlogged", "log: exit records",
                               "log: after execve, logged", "log: after execve, unlogged",
                               "log: EPERM logged", "log: EPERM unlogged",
                               "log: unix EPERM logged", "log: SIGIO refused"}) {
      EXPECT_GT(decisions[needed], count / 1000) << "the generator rarely reaches: " << needed;
    }
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
  const KernelAndOracle engines(*kernel, right->profile, oracle);
  for (uint64_t seed = 1; seed <= 20000; ++seed) {
    ScenarioGenerator gen(seed);
    const Scenario s = gen.Next(8 + static_cast<int>(seed % 16));
    const Verdict v = engines.Judge(s);
    if (!v) continue;
    EXPECT_EQ(v.kind, Verdict::Kind::kDisagreement) << engines.Report(s, v);
    const Scenario min =
        MinimizeWhile(s, v, [&](const Scenario& c) { return engines.Judge(c); });
    ASSERT_FALSE(min.ops.empty());
    EXPECT_EQ(min.ops.back().kind, OpKind::kSendTo) << engines.Report(s, v);
    EXPECT_LE(min.ops.size(), 5u) << engines.Report(s, v);
    return;
  }
  FAIL() << "20,000 scenarios did not show the missing sendmsg hook";
}

}  // namespace
}  // namespace lockstep
