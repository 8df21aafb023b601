// Two kernel revisions in one process (@kernel_tree and @kernel_tree_b, each an isolated object
// with its own shim state): both run, they do not share state, and by default (Debian 6.12.117
// vs 6.12.107) they differ exactly where the point releases do.

#include <cerrno>
#include <memory>

#include "engine/kernel_engine.h"
#include "engine/landlock_uapi.h"
#include "gtest/gtest.h"
#include "model/kernel_profile.h"
#include "revisions/kernel_b.h"

namespace lockstep {
namespace {

namespace ll = ::lockstep::landlock;

long FastOpenToDeniedPort(Engine& e) {
  e.BeginTask({});
  const std::vector<uint8_t> attr = RulesetAttr(0, ll::kAccessNetConnectTcp, 0);
  const long rs = e.CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
  e.RestrictSelf(static_cast<int>(rs), 0);
  const long s = e.Socket(net::kAfInet, net::kSockStream, 0);
  const std::vector<uint8_t> addr = SockaddrIn(80);
  const long ret = e.SendTo(static_cast<int>(s), UserBuffer::Of(addr), 16, net::kMsgFastopen);
  EXPECT_TRUE(e.EndTask().empty());
  return ret;
}

TEST(Revisions, BothRevisionsRunInOneProcess) {
  KernelEngine a(lockstep_kernel_default());
  KernelEngine b(lockstep_kernel_b());
  EXPECT_NE(std::string(lockstep_kernel_default()->version), "");
  EXPECT_NE(std::string(lockstep_kernel_b()->version), "");
  for (KernelEngine* e : {&a, &b}) {
    e->BeginTask({});
    EXPECT_GT(e->CreateRuleset(UserBuffer::Null(), 0, ll::kCreateRulesetVersion), 0) << e->Name();
    EXPECT_TRUE(e->EndTask().empty()) << e->Name();
  }
}

TEST(Revisions, EachRevisionRunsItsOwnKunitSuites) {
  for (const lockstep_kernel_api* api : {lockstep_kernel_default(), lockstep_kernel_b()}) {
    KernelEngine e(api);
    const KernelEngine::KunitSummary summary = e.RunKunit();
    // fs.c has had a KUnit suite since Linux 6.7 (6.12 generation); 6.1's has none.
    if (e.Generation() == "6.12") {
      EXPECT_GE(summary.suites, 1) << e.Name();
      EXPECT_GE(summary.cases, 1) << e.Name();
    }
    EXPECT_EQ(summary.failed_cases, 0) << e.Name() << "\n" << summary.report;
  }
}

// The same read_file decisions on both trees: fs.c runs in each (6.1's and 6.12's alike).
TEST(Revisions, FilesystemDecisionsRunOnBoth) {
  constexpr int kRoot = Engine::kAtRoot;
  constexpr uint32_t kPath = 010000000;
  for (const lockstep_kernel_api* api : {lockstep_kernel_default(), lockstep_kernel_b()}) {
    KernelEngine e(api);
    e.BeginTask({});
    ASSERT_EQ(e.Mkdir(kRoot, "a"), 0) << e.Name();
    ASSERT_EQ(e.Mknod(kRoot, "a/f", 0100755, 0), 0) << e.Name();
    ASSERT_EQ(e.Mknod(kRoot, "g", 0100755, 0), 0) << e.Name();
    const std::vector<uint8_t> attr = RulesetAttr(ll::kAccessFsReadFile, 0, 0);
    const long rs = e.CreateRuleset(UserBuffer::Of(attr), 8, 0);  // 8: 6.1's struct size
    const long dir = e.Open(kRoot, "a", kPath);
    ASSERT_GE(rs, 0) << e.Name();
    ASSERT_GE(dir, 0) << e.Name();
    const std::vector<uint8_t> rule = PathBeneathAttr(ll::kAccessFsReadFile, static_cast<int>(dir));
    ASSERT_EQ(e.AddRule(static_cast<int>(rs), ll::kRulePathBeneath, UserBuffer::Of(rule), 0), 0)
        << e.Name();
    ASSERT_EQ(e.RestrictSelf(static_cast<int>(rs), 0), 0) << e.Name();
    const long allowed = e.Open(kRoot, "a/f", 0);
    EXPECT_GE(allowed, 0) << e.Name();
    EXPECT_EQ(e.Open(kRoot, "g", 0), -EACCES) << e.Name();
    const std::vector<EngineFinding> findings = e.EndTask();
    EXPECT_TRUE(findings.empty()) << e.Name() << ": " << findings.front().detail;
  }
}

TEST(Revisions, ShimStateIsPerRevision) {
  KernelEngine a(lockstep_kernel_default());
  KernelEngine b(lockstep_kernel_b());
  a.BeginTask({});
  b.BeginTask({});
  const std::vector<uint8_t> attr = RulesetAttr(ll::kAccessFsReadFile, 0, 0);
  // Interleaved tasks on one thread: each revision has its own `current`, fd table and counters.
  EXPECT_EQ(a.CreateRuleset(UserBuffer::Of(attr), 8, 0), 3);
  EXPECT_EQ(a.CreateRuleset(UserBuffer::Of(attr), 8, 0), 4);
  EXPECT_EQ(b.CreateRuleset(UserBuffer::Of(attr), 8, 0), 3);
  a.FailNthAllocation(1);
  EXPECT_EQ(b.CreateRuleset(UserBuffer::Of(attr), 8, 0), 4);  // not b's fault
  EXPECT_EQ(a.CreateRuleset(UserBuffer::Of(attr), 8, 0), -12);
  EXPECT_TRUE(a.EndTask().empty());
  EXPECT_TRUE(b.EndTask().empty());
}

TEST(Revisions, DebianPointReleasesDifferOnTheSendmsgHook) {
  KernelEngine a(lockstep_kernel_default());
  KernelEngine b(lockstep_kernel_b());
  // 6.12.113 added hook_socket_sendmsg: TCP Fast Open with a destination is checked as connect.
  // Each revision answers as the profile verified against its code says (a 6.1-generation B has
  // no network hooks at all), whichever point releases the two trees are.
  const auto want = [](const KernelEngine& k) -> long {
    absl::StatusOr<TreeProfile> t = ProfileForKernel(k);
    if (!t.ok()) {
      EXPECT_EQ(k.Generation(), "6.1") << t.status();
      return 0;
    }
    EXPECT_TRUE(t->verified) << t->notice;
    return t->profile.sendmsg_fastopen_checked ? -13 : 0;
  };
  EXPECT_EQ(FastOpenToDeniedPort(a), want(a));
  EXPECT_EQ(FastOpenToDeniedPort(b), want(b));
}

}  // namespace
}  // namespace lockstep
