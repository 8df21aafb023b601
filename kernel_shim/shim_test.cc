// The shim's instrumentation, checked on kernel code: WARN_ON hits, lockdep assertions, lock
// state at return to user space, refcount misuse, leaks, deferred frees, fault injection and
// copy_struct_from_user(). Each check runs in a fresh task (shim_selftest.c).

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernel_shim/shim_selftest.h"

namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr long kEINVAL = -22;
constexpr long kENOMEM = -12;
constexpr long kE2BIG = -7;
constexpr long kEFAULT = -14;

TEST(ShimWarn, KernelWarnOnIsAFindingWithItsLocation) {
  long ret = 0;
  ASSERT_EQ(lockstep_selftest_kernel_warn(&ret), 1u);
  EXPECT_EQ(ret, kEINVAL);
  EXPECT_STREQ(lockstep_selftest_finding_kind(0), "WARN");
  // landlock_merge_ruleset(NULL, NULL): in ruleset.c up to 7.2, in domain.c from 7.3 (where the
  // parent is a domain and cannot be the ruleset).
  EXPECT_THAT(lockstep_selftest_finding(0),
              AnyOf(StartsWith("security/landlock/ruleset.c:"),
                    StartsWith("security/landlock/domain.c:")));
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("WARN_ON_ONCE(!ruleset"));
}

TEST(ShimLockdep, AssertHeldWithoutTheLockIsAFinding) {
  long ret = -1;
  ASSERT_EQ(lockstep_selftest_lockdep_assert(&ret), 1u);
  EXPECT_EQ(ret, 0);  // the kernel code goes on, as it would with lockdep's WARN
  EXPECT_STREQ(lockstep_selftest_finding_kind(0), "WARN");
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("lockdep_assert_held"));
  EXPECT_THAT(lockstep_selftest_finding(0), StartsWith("security/landlock/ruleset.c:"));
}

TEST(ShimLockdep, LockHeldOnReturnToUserSpaceIsAFinding) {
  ASSERT_EQ(lockstep_selftest_lock_held_on_exit(), 1u);
  EXPECT_STREQ(lockstep_selftest_finding_kind(0), "lockdep");
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("returning to user space"));
}

TEST(ShimRefcount, UnderflowAndAdditionOnZeroAreFindings) {
  ASSERT_EQ(lockstep_selftest_refcount_misuse(), 2u);
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("underflow"));
  EXPECT_THAT(lockstep_selftest_finding(1), HasSubstr("addition on 0"));
}

TEST(ShimLeak, UnfreedRulesetAtTaskExitIsAFinding) {
  void* leaked = nullptr;
  ASSERT_EQ(lockstep_selftest_leak(&leaked), 1u);
  EXPECT_STREQ(lockstep_selftest_finding_kind(0), "leak");
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("1 allocations"));
  lockstep_selftest_free_leaked(leaked);
}

TEST(ShimDeferred, DeferredFreeRunsAtSyscallExit) {
  unsigned long before = 0, after = 0;
  EXPECT_EQ(lockstep_selftest_deferred_free(&before, &after), 0);
  // Queued by schedule_work(), not yet run: a ruleset (one allocation), or on 7.3, where only
  // domains are put deferred, a domain with its hierarchy and details.
  EXPECT_GE(before, 1u);
  EXPECT_EQ(after, 0u);
}

TEST(ShimFaultInjection, FailingTheFirstAllocationGivesEnomem) {
  size_t findings = 99;
  EXPECT_EQ(lockstep_selftest_fail_nth(1, &findings), kENOMEM);
  EXPECT_EQ(findings, 0u);
  EXPECT_EQ(lockstep_selftest_fail_nth(2, &findings), 0);  // only one allocation: not reached
  EXPECT_EQ(findings, 0u);
  EXPECT_EQ(lockstep_selftest_fail_nth(0, &findings), 0);  // disarmed
}

struct CopyCase {
  const char* name;
  size_t user_size;  // bytes in the user buffer
  size_t readable;
  size_t usize;
  uint8_t tail;  // value of user bytes past 24
  int want;
};

TEST(ShimVfs, UnbalancedDentryAndInodeReferencesAreFindings) {
  ASSERT_EQ(lockstep_selftest_vfs_refcounts(), 2u);
  EXPECT_STREQ(lockstep_selftest_finding_kind(0), "refcount");
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("dput() on a dentry without references"));
  EXPECT_STREQ(lockstep_selftest_finding_kind(1), "refcount");
  EXPECT_THAT(lockstep_selftest_finding(1), HasSubstr("inode references left at unmount"));
}

TEST(ShimVfs, TheFilesystemIsMountedOnFirstUse) {
  unsigned long net_task = 99, fs_task = 99;
  ASSERT_EQ(lockstep_selftest_vfs_on_first_use(&net_task, &fs_task), 0);
  EXPECT_EQ(net_task, 0u) << "a task that never resolved a path unmounted a filesystem";
  EXPECT_EQ(fs_task, 2u) << "the tmpfs and the filesystem it is mounted on";
}

TEST(ShimKunit, FailedExpectationsAreReportedNextToTheTreesPassingSuites) {
  int suites = 0;
  int cases = 0;
  char report[4096];
  EXPECT_EQ(lockstep_selftest_kunit(&suites, &cases, report, sizeof(report)), 1);
  EXPECT_GE(suites, 2);  // fs.c's landlock_fs and lockstep_selftest
  EXPECT_GE(cases, 8);   // fs.c's 7 cases and the failing one
  EXPECT_THAT(report, HasSubstr("not ok lockstep_selftest.lockstep_selftest_failing_case: "
                                "expected 1 + 1 == 3"));
  EXPECT_THAT(report, ::testing::Not(HasSubstr("landlock_fs")));
}

TEST(ShimUaccess, CopyStructFromUserKeepsTheKernelRules) {
  const CopyCase cases[] = {
      {"exact", 24, 24, 24, 0, 0},
      {"short struct is zero-extended", 16, 16, 16, 0, 0},
      {"long struct with zero tail", 32, 32, 32, 0, 0},
      {"long struct with nonzero tail", 32, 32, 32, 1, static_cast<int>(kE2BIG)},
      {"unreadable tail", 32, 28, 32, 0, static_cast<int>(kEFAULT)},
      {"unreadable head", 24, 8, 24, 0, static_cast<int>(kEFAULT)},
  };
  for (const CopyCase& c : cases) {
    uint8_t user[64];
    for (size_t i = 0; i < sizeof(user); ++i) user[i] = i < 24 ? static_cast<uint8_t>(i + 1) : c.tail;
    unsigned char out[24];
    EXPECT_EQ(lockstep_selftest_copy_struct(user, c.readable, c.usize, out), c.want) << c.name;
    if (c.want == 0) {
      for (size_t i = 0; i < 24; ++i) {
        EXPECT_EQ(out[i], i < c.usize ? user[i] : 0) << c.name << " byte " << i;
      }
    }
  }
}

TEST(ShimMightSleep, KernelAllocationUnderASpinlockIsAFinding) {
  ASSERT_EQ(lockstep_selftest_alloc_in_atomic(0), 1u);
  EXPECT_STREQ(lockstep_selftest_finding_kind(0), "might_sleep");
  // At the kernel's own kzalloc(..., GFP_KERNEL_ACCOUNT) line in ruleset.c.
  EXPECT_THAT(lockstep_selftest_finding(0), StartsWith("security/landlock/ruleset.c:"));
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("a spinlock or rwlock held"));
}

TEST(ShimMightSleep, KernelAllocationUnderAReadLockIsAFinding) {
  ASSERT_EQ(lockstep_selftest_alloc_in_atomic(1), 1u);
  EXPECT_STREQ(lockstep_selftest_finding_kind(0), "might_sleep");
  EXPECT_THAT(lockstep_selftest_finding(0), StartsWith("security/landlock/ruleset.c:"));
}

TEST(ShimMightSleep, KernelAllocationInAnRcuReadSectionIsAFinding) {
  ASSERT_EQ(lockstep_selftest_alloc_in_atomic(2), 1u);
  EXPECT_STREQ(lockstep_selftest_finding_kind(0), "might_sleep");
  EXPECT_THAT(lockstep_selftest_finding(0), StartsWith("security/landlock/ruleset.c:"));
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("rcu_read_lock() held"));
}

TEST(ShimMightSleep, KernelAllocationInProcessContextIsFine) {
  EXPECT_EQ(lockstep_selftest_alloc_in_process_context(), 0u);
}

TEST(ShimMightSleep, CondReschedAndSynchronizeRcuInAnRcuReadSection) {
  ASSERT_EQ(lockstep_selftest_sleep_in_rcu(), 2u);
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("cond_resched()"));
  EXPECT_THAT(lockstep_selftest_finding(1), HasSubstr("synchronize_rcu()"));
}

TEST(ShimLockdep, RwlockReaderWriterRules) {
  ASSERT_EQ(lockstep_selftest_rwlock(), 5u);
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("lockdep_assert_held_write()"));
  EXPECT_THAT(lockstep_selftest_finding(1), HasSubstr("write_lock() on an rwlock this task holds for reading"));
  EXPECT_THAT(lockstep_selftest_finding(2), HasSubstr("read_unlock() of an rwlock not held"));
  EXPECT_THAT(lockstep_selftest_finding(3), HasSubstr("read_lock() on an rwlock this task holds for writing"));
  EXPECT_THAT(lockstep_selftest_finding(4), HasSubstr("lockdep_assert_not_held(): lock held"));
  EXPECT_STREQ(lockstep_selftest_finding_kind(4), "WARN");
}

TEST(ShimRcu, DereferenceConditionsAreEvaluated) {
  ASSERT_EQ(lockstep_selftest_rcu_dereference(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_STREQ(lockstep_selftest_finding_kind(i), "RCU") << i;
    EXPECT_THAT(lockstep_selftest_finding(i), HasSubstr("suspicious RCU usage")) << i;
  }
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("rcu_dereference(p) outside"));
  EXPECT_THAT(lockstep_selftest_finding(1), HasSubstr("rcu_dereference_check(p, lockdep_is_held(&m))"));
  EXPECT_THAT(lockstep_selftest_finding(3), HasSubstr("rcu_dereference_protected(p, lockdep_is_held(&m))"));
}

TEST(ShimUaccess, CopyToUserIsReportedNotSilent) {
  unsigned long not_copied = 0;
  ASSERT_EQ(lockstep_selftest_copy_to_user(&not_copied), 1u);
  EXPECT_EQ(not_copied, 4u);
  EXPECT_STREQ(lockstep_selftest_finding_kind(0), "uaccess");
  EXPECT_THAT(lockstep_selftest_finding(0), HasSubstr("copy_to_user("));
}

}  // namespace

// audit_log_lsm_data() for a network denial writes what lsm_audit.c writes: " saddr=/src=" for a
// bind, " daddr=/dest=" otherwise, each only when not zero, IPv6 compressed as %pI6c.
TEST(ShimAudit, NetworkObjectTextIsLsmAudits) {
  struct Case {
    int family;
    std::vector<unsigned char> addr;
    unsigned port;
    int bind;
    const char* want;
  };
  const std::vector<unsigned char> v4 = {127, 0, 0, 1}, zero4(4, 0), zero6(16, 0);
  const std::vector<unsigned char> doc = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                          0,    0,    0,    0,    0, 0, 0, 1};
  const std::vector<unsigned char> mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 2};
  const std::vector<unsigned char> isatap = {0xfe, 0x80, 0, 0, 0, 0, 0, 0,
                                             0,    0,    0x5e, 0xfe, 192, 0, 2, 1};
  const std::vector<unsigned char> one_zero = {0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7};
  const std::vector<unsigned char> two_runs = {0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4};
  const Case cases[] = {
      {2, v4, 443, 0, " daddr=127.0.0.1 dest=443"},
      {2, v4, 8080, 1, " saddr=127.0.0.1 src=8080"},
      {2, zero4, 0, 1, ""},
      {2, zero4, 80, 0, " dest=80"},
      {10, doc, 53, 0, " daddr=2001:db8::1 dest=53"},
      {10, mapped, 1, 1, " saddr=::ffff:10.0.0.2 src=1"},
      {10, isatap, 0, 0, " daddr=fe80::5efe:192.0.2.1"},
      {10, one_zero, 0, 0, " daddr=1:0:2:3:4:5:6:7"},  // a single zero word stays
      {10, two_runs, 0, 0, " daddr=1::2:0:0:3:4"},  // the first of two longest runs
      {10, zero6, 22, 1, " src=22"},
  };
  for (const Case& c : cases) {
    char out[256];
    lockstep_selftest_audit_net_text(c.family, c.addr.data(), c.port, c.bind, out, sizeof(out));
    EXPECT_STREQ(out, c.want);
  }
}
