// The oracle's own cases (exact errnos), then the oracle diffed against the kernel engine on
// hand-built scenarios and seeded random ones from the scenario generator. Ops are the real
// scenario ops (scenario/scenario.h), run one by one on the oracle (RunOp) or as scenarios on both
// engines, judged by scenario/compare.h.

#include "model/oracle_engine.h"

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/errno_name.h"
#include "engine/kernel_engine.h"
#include "engine/landlock_uapi.h"
#include "gtest/gtest.h"
#include "model/kernel_profile.h"
#include "model/profile.h"
#include "scenario/compare.h"
#include "scenario/generator.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace lockstep {
namespace {

using landlock::kAccessFsAll;
using landlock::kAccessFsReadFile;
using landlock::kAccessNetAll;
using landlock::kAccessNetBindTcp;
using landlock::kAccessNetConnectTcp;
using landlock::kRuleNetPort;
using landlock::kRulePathBeneath;

constexpr int kSockNonblock = 04000;
constexpr int kSockCloexec = 02000000;

// ---------------------------------------------------------------------------------------------
// Ops (scenario/scenario.h), built in code: fds are the raw numbers the engines hand out (both
// number them from 3), so a test can run them one by one (RunOp) or as a Scenario.

Op WithMem(OpKind kind, std::vector<uint8_t> bytes) {
  Op op;
  op.kind = kind;
  op.mem = UserMem::Of(std::move(bytes));
  return op;
}
Op Create(uint64_t fs, uint64_t net, uint64_t scoped) {
  Op op = WithMem(OpKind::kCreateRuleset, RulesetAttr(fs, net, scoped));
  op.size = op.mem.bytes.size();
  return op;
}
Op CreateRaw(std::vector<uint8_t> bytes, size_t size, uint32_t flags = 0) {
  Op op = WithMem(OpKind::kCreateRuleset, std::move(bytes));
  op.size = size;
  op.flags = flags;
  return op;
}
Op Query(uint32_t flags) {
  Op op;
  op.kind = OpKind::kCreateRuleset;
  op.mem = UserMem::Null();
  op.flags = flags;
  return op;
}
Op PortRule(int fd, uint64_t access, uint64_t port) {
  Op op = WithMem(OpKind::kAddRule, NetPortAttr(access, port));
  op.fd = FdRef::Raw(fd);
  op.rule_type = kRuleNetPort;
  return op;
}
Op PathRule(int fd, uint64_t access, int32_t parent_fd) {
  Op op = WithMem(OpKind::kAddRule, PathBeneathAttr(access, parent_fd));
  op.fd = FdRef::Raw(fd);
  op.rule_type = kRulePathBeneath;
  return op;
}
Op Restrict(int fd, uint32_t flags = 0) {
  Op op;
  op.kind = OpKind::kRestrictSelf;
  op.fd = FdRef::Raw(fd);
  op.flags = flags;
  return op;
}
Op Nnp() {
  Op op;
  op.kind = OpKind::kSetNoNewPrivs;
  return op;
}
Op CloseOp(int fd) {
  Op op;
  op.kind = OpKind::kClose;
  op.fd = FdRef::Raw(fd);
  return op;
}
Op SocketOp(int family, int type, int protocol = 0) {
  Op op;
  op.kind = OpKind::kSocket;
  op.family = family;
  op.type = type;
  op.protocol = protocol;
  return op;
}
// addrlen kWholeAddr: the address's own size.
constexpr int kWholeAddr = -2147483647 - 1;
Op Addr(OpKind kind, int fd, std::vector<uint8_t> addr, int addrlen = kWholeAddr) {
  Op op = WithMem(kind, std::move(addr));
  op.fd = FdRef::Raw(fd);
  op.addrlen = addrlen != kWholeAddr ? addrlen : static_cast<int>(op.mem.bytes.size());
  return op;
}
Op BindOp(int fd, std::vector<uint8_t> addr, int addrlen = kWholeAddr) {
  return Addr(OpKind::kBind, fd, std::move(addr), addrlen);
}
Op ConnectOp(int fd, std::vector<uint8_t> addr, int addrlen = kWholeAddr) {
  return Addr(OpKind::kConnect, fd, std::move(addr), addrlen);
}
Op SendToOp(int fd, std::vector<uint8_t> addr, uint32_t flags, int addrlen = kWholeAddr) {
  Op op = Addr(OpKind::kSendTo, fd, std::move(addr), addrlen);
  op.flags = flags;
  return op;
}

// ---------------------------------------------------------------------------------------------
// The oracle's own cases (6.12.117 unless said otherwise).

class OracleTest : public ::testing::Test {
 protected:
  explicit OracleTest(const char* version = "6.12.117") : e_(ProfileForVersion(version)) {
    e_.BeginTask(TaskSpec{});
  }
  ~OracleTest() override { EXPECT_TRUE(e_.EndTask().empty()); }

  long Run(const Op& op) { return RunOp(e_, op); }

  // A ruleset handling the net rights `net` with the given (access, port) rules, enforced.
  void Sandbox(uint64_t net, const std::vector<std::pair<uint64_t, uint64_t>>& rules) {
    const long fd = Run(Create(0, net, 0));
    ASSERT_GE(fd, 0);
    for (const auto& [access, port] : rules) {
      ASSERT_EQ(Run(PortRule(static_cast<int>(fd), access, port)), 0);
    }
    ASSERT_EQ(Run(Restrict(static_cast<int>(fd))), 0);
    ASSERT_EQ(Run(CloseOp(static_cast<int>(fd))), 0);
  }
  int Tcp4() { return static_cast<int>(Run(SocketOp(net::kAfInet, net::kSockStream))); }
  int Tcp6() { return static_cast<int>(Run(SocketOp(net::kAfInet6, net::kSockStream))); }

  OracleEngine e_;
};

class Oracle107Test : public OracleTest {
 protected:
  Oracle107Test() : OracleTest("6.12.107") {}
};
class Oracle120Test : public OracleTest {
 protected:
  Oracle120Test() : OracleTest("6.12.0") {}
};

TEST_F(OracleTest, VersionQueryReturnsAbi6) { EXPECT_EQ(Run(Query(1)), 6); }
TEST_F(OracleTest, ErrataQueryReturns0xf) { EXPECT_EQ(Run(Query(2)), 0xf); }
TEST_F(Oracle107Test, ErrataQueryReturns0x7) { EXPECT_EQ(Run(Query(2)), 0x7); }
TEST_F(Oracle120Test, ErrataFlagUnknown) { EXPECT_EQ(Run(Query(2)), -EINVAL); }
TEST_F(OracleTest, BothQueryFlagsInvalid) { EXPECT_EQ(Run(Query(3)), -EINVAL); }
TEST_F(OracleTest, UnknownFlagInvalid) { EXPECT_EQ(Run(Query(4)), -EINVAL); }

TEST_F(OracleTest, VersionFlagWithAttrInvalid) {
  EXPECT_EQ(Run(CreateRaw(RulesetAttr(0, 1, 0), 24, 1)), -EINVAL);
}
TEST_F(OracleTest, VersionFlagWithSizeOnlyInvalid) {
  Op op = Query(1);
  op.size = 24;
  EXPECT_EQ(Run(op), -EINVAL);
}
TEST_F(OracleTest, NullAttrFaults) {
  Op op = Query(0);
  op.size = 24;
  EXPECT_EQ(Run(op), -EFAULT);
}
TEST_F(OracleTest, NullAttrSizeZeroFaultsBeforeSizeCheck) { EXPECT_EQ(Run(Query(0)), -EFAULT); }
TEST_F(OracleTest, SizeBelow8Invalid) {
  EXPECT_EQ(Run(CreateRaw(RulesetAttr(kAccessFsAll, 0, 0), 7)), -EINVAL);
}
TEST_F(OracleTest, SizeAbovePageTooBig) {
  EXPECT_EQ(Run(CreateRaw(RulesetAttrSized(0, 1, 0, 4097), 4097)), -E2BIG);
}
TEST_F(OracleTest, SizePageWithZeroTailAccepted) {
  EXPECT_EQ(Run(CreateRaw(RulesetAttrSized(0, 1, 0, 4096), 4096)), 3);
}
TEST_F(OracleTest, NonzeroTailTooBig) {
  EXPECT_EQ(Run(CreateRaw(RulesetAttrWithTail(0, 1, 0, {0, 0, 1}), 27)), -E2BIG);
}
TEST_F(OracleTest, NonzeroTailByteBeforeUnreadablePartTooBig) {
  // The tail is read in order, as the kernel's check_zeroed_user() does: the nonzero byte comes
  // before the unmapped part.
  Op op = CreateRaw(RulesetAttrWithTail(0, 1, 0, {1, 0, 0, 0}), 28);
  op.mem.readable = 26;
  EXPECT_EQ(Run(op), -E2BIG);
}
TEST_F(OracleTest, UnreadableTailBeforeAnyNonzeroByteFaults) {
  Op op = CreateRaw(RulesetAttrWithTail(0, 1, 0, {0, 0, 0, 1}), 28);
  op.mem.readable = 26;
  EXPECT_EQ(Run(op), -EFAULT);
}
TEST_F(OracleTest, UnreadableHeadFaults) {
  Op op = CreateRaw(RulesetAttr(0, 1, 0), 24);
  op.mem.readable = 23;
  EXPECT_EQ(Run(op), -EFAULT);
}
TEST_F(OracleTest, ShortSizeZeroExtends) {
  // Size 8: only handled_access_fs is read; the net bits beyond are ignored.
  EXPECT_EQ(Run(CreateRaw(RulesetAttr(kAccessFsReadFile, 7, 7), 8)), 3);
  EXPECT_EQ(Run(CreateRaw(RulesetAttr(0, 1, 0), 8)), -ENOMSG);
}
TEST_F(OracleTest, UnknownFsBitInvalid) {
  EXPECT_EQ(Run(Create(kAccessFsAll + 1, 0, 0)), -EINVAL);
}
TEST_F(OracleTest, UnknownNetBitInvalid) { EXPECT_EQ(Run(Create(0, 4, 0)), -EINVAL); }
TEST_F(OracleTest, UnknownScopeBitInvalid) { EXPECT_EQ(Run(Create(0, 1, 4)), -EINVAL); }
TEST_F(OracleTest, NothingHandledNoMsg) { EXPECT_EQ(Run(Create(0, 0, 0)), -ENOMSG); }
TEST_F(OracleTest, ScopeOnlyRulesetOk) { EXPECT_EQ(Run(Create(0, 0, 3)), 3); }

TEST_F(OracleTest, FdsAreLowestFreeFrom3) {
  EXPECT_EQ(Run(Create(0, 1, 0)), 3);
  EXPECT_EQ(Tcp4(), 4);
  EXPECT_EQ(Run(Create(0, 1, 0)), 5);
  EXPECT_EQ(Run(CloseOp(4)), 0);
  EXPECT_EQ(Run(Create(0, 1, 0)), 4);
  EXPECT_EQ(Run(CloseOp(4)), 0);
  EXPECT_EQ(Run(CloseOp(4)), -EBADF);
  EXPECT_EQ(Run(CloseOp(-1)), -EBADF);
  EXPECT_EQ(Run(CloseOp(256)), -EBADF);
}
TEST_F(OracleTest, FdTableFullEmfile) {
  for (int i = 3; i < 256; ++i) ASSERT_EQ(Tcp4(), i);
  EXPECT_EQ(Tcp4(), -EMFILE);
  EXPECT_EQ(Run(Create(0, 1, 0)), -EMFILE);
  EXPECT_EQ(Run(Create(0, 0, 0)), -ENOMSG);  // validation before the fd
}

TEST_F(OracleTest, AddRuleFlagsInvalid) {
  Op op = PortRule(3, 1, 80);
  op.flags = 1;
  EXPECT_EQ(Run(op), -EINVAL);  // before the fd is looked at
}
TEST_F(OracleTest, AddRuleBadFd) { EXPECT_EQ(Run(PortRule(3, 1, 80)), -EBADF); }
TEST_F(OracleTest, AddRuleNotRulesetFd) {
  ASSERT_EQ(Tcp4(), 3);
  EXPECT_EQ(Run(PortRule(3, 1, 80)), -EBADFD);
}
TEST_F(OracleTest, AddRuleUnknownTypeAfterFd) {
  ASSERT_EQ(Run(Create(0, 1, 0)), 3);
  Op op = PortRule(3, 1, 80);
  op.rule_type = 3;
  EXPECT_EQ(Run(op), -EINVAL);
  op.fd = FdRef::Raw(9);
  EXPECT_EQ(Run(op), -EBADF);
}
TEST_F(OracleTest, AddRuleUnreadableAttrFaults) {
  ASSERT_EQ(Run(Create(0, 1, 0)), 3);
  Op op = PortRule(3, 1, 80);
  op.mem.readable = 15;
  EXPECT_EQ(Run(op), -EFAULT);
  op.mem.null = true;
  EXPECT_EQ(Run(op), -EFAULT);
}
TEST_F(OracleTest, AddRuleZeroAccessNoMsg) {
  ASSERT_EQ(Run(Create(0, 1, 0)), 3);
  EXPECT_EQ(Run(PortRule(3, 0, 70000)), -ENOMSG);  // before the port check
}
TEST_F(OracleTest, AddRuleUnhandledAccessInvalid) {
  ASSERT_EQ(Run(Create(0, kAccessNetBindTcp, 0)), 3);
  EXPECT_EQ(Run(PortRule(3, kAccessNetConnectTcp, 80)), -EINVAL);
}
TEST_F(OracleTest, AddRulePortRange) {
  ASSERT_EQ(Run(Create(0, kAccessNetAll, 0)), 3);
  EXPECT_EQ(Run(PortRule(3, 1, 0)), 0);
  EXPECT_EQ(Run(PortRule(3, 1, 65535)), 0);
  EXPECT_EQ(Run(PortRule(3, 1, 65536)), -EINVAL);
  EXPECT_EQ(Run(PortRule(3, 1, 1ull << 32)), -EINVAL);
}
TEST_F(OracleTest, PathBeneathChecks) {
  ASSERT_EQ(Run(Create(kAccessFsReadFile, 1, 0)), 3);
  EXPECT_EQ(Run(PathRule(3, 0, 3)), -ENOMSG);
  EXPECT_EQ(Run(PathRule(3, landlock::kAccessFsExecute, 3)), -EINVAL);
  EXPECT_EQ(Run(PathRule(3, kAccessFsReadFile, 42)), -EBADF);
  EXPECT_EQ(Run(PathRule(3, kAccessFsReadFile, -1)), -EBADF);
  EXPECT_EQ(Run(PathRule(3, kAccessFsReadFile, 3)), -EBADFD);  // a ruleset
  ASSERT_EQ(Tcp4(), 4);
  EXPECT_EQ(Run(PathRule(3, kAccessFsReadFile, 4)), -EBADFD);  // a socket (sockfs)
}
TEST_F(OracleTest, PathBeneathOnNetOnlyRulesetInvalid) {
  ASSERT_EQ(Run(Create(0, 1, 0)), 3);
  EXPECT_EQ(Run(PathRule(3, kAccessFsReadFile, 3)), -EINVAL);
}

TEST_F(OracleTest, RestrictNeedsNoNewPrivs) {
  e_.BeginTask(TaskSpec{false, false});
  ASSERT_EQ(Run(Create(0, 1, 0)), 3);
  EXPECT_EQ(Run(Restrict(3, 1)), -EPERM);  // EPERM before the flags
  EXPECT_EQ(Run(Nnp()), 0);
  EXPECT_EQ(Run(Restrict(3, 1)), -EINVAL);
  EXPECT_EQ(Run(Restrict(3)), 0);
}
TEST_F(OracleTest, RestrictWithCapSysAdmin) {
  e_.BeginTask(TaskSpec{false, true});
  ASSERT_EQ(Run(Create(0, 1, 0)), 3);
  EXPECT_EQ(Run(Restrict(3)), 0);
}
TEST_F(OracleTest, RestrictFdErrors) {
  EXPECT_EQ(Run(Restrict(3)), -EBADF);
  ASSERT_EQ(Tcp4(), 3);
  EXPECT_EQ(Run(Restrict(3)), -EBADFD);
}
TEST_F(OracleTest, SeventeenthLayerTooBig) {
  ASSERT_EQ(Run(Create(0, 1, 0)), 3);
  for (int i = 0; i < 16; ++i) ASSERT_EQ(Run(Restrict(3)), 0);
  EXPECT_EQ(Run(Restrict(3)), -E2BIG);
  EXPECT_EQ(e_.NumLayers(), 16u);
}

TEST_F(OracleTest, NoDomainAllowsEverything) {
  const int s = Tcp4();
  EXPECT_EQ(Run(BindOp(s, SockaddrIn(80))), 0);
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn(80), 1)), 0);
}
TEST_F(OracleTest, FsOnlyDomainDoesNotCheckSockets) {
  ASSERT_EQ(Run(Create(kAccessFsReadFile, 0, 0)), 3);
  ASSERT_EQ(Run(Restrict(3)), 0);
  EXPECT_EQ(Run(ConnectOp(Tcp4(), SockaddrIn(80), 0)), 0);
}
TEST_F(OracleTest, BindDeniedConnectAllowedWhenOnlyBindHandled) {
  Sandbox(kAccessNetBindTcp, {});
  const int s = Tcp4();
  EXPECT_EQ(Run(BindOp(s, SockaddrIn(80))), -EACCES);
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn(80))), 0);
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn(80), 1)), -EINVAL);  // still checked: net is handled
}
TEST_F(OracleTest, RuleGrantsOnlyItsPortAndRight) {
  Sandbox(kAccessNetAll, {{kAccessNetConnectTcp, 443}, {kAccessNetBindTcp, 0}});
  const int s = Tcp6();
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn6(443))), 0);
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn6(444))), -EACCES);
  EXPECT_EQ(Run(BindOp(s, SockaddrIn6(443))), -EACCES);
  EXPECT_EQ(Run(BindOp(s, SockaddrIn6(0))), 0);
  EXPECT_EQ(Run(BindOp(s, SockaddrIn6(0), 24)), 0);
  EXPECT_EQ(Run(BindOp(s, SockaddrIn6(0), 23)), -EINVAL);
}
TEST_F(OracleTest, RulesForOnePortAddUp) {
  Sandbox(kAccessNetAll, {{kAccessNetBindTcp, 8080}, {kAccessNetConnectTcp, 8080}});
  const int s = Tcp4();
  EXPECT_EQ(Run(BindOp(s, SockaddrIn(8080))), 0);
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn(8080))), 0);
}
TEST_F(OracleTest, LayersAreAnded) {
  Sandbox(kAccessNetAll, {{kAccessNetAll, 80}, {kAccessNetAll, 81}});
  Sandbox(kAccessNetConnectTcp, {{kAccessNetConnectTcp, 81}});
  const int s = Tcp4();
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn(80))), -EACCES);
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn(81))), 0);
  EXPECT_EQ(Run(BindOp(s, SockaddrIn(80))), 0);  // the second layer does not handle bind
  EXPECT_EQ(Run(BindOp(s, SockaddrIn(82))), -EACCES);
}
TEST_F(OracleTest, DomainIsASnapshot) {
  ASSERT_EQ(Run(Create(0, kAccessNetConnectTcp, 0)), 3);
  ASSERT_EQ(Run(Restrict(3)), 0);
  ASSERT_EQ(Run(PortRule(3, kAccessNetConnectTcp, 80)), 0);  // after restrict: not in the domain
  ASSERT_EQ(Run(CloseOp(3)), 0);                             // closing keeps the domain
  EXPECT_EQ(Run(ConnectOp(Tcp4(), SockaddrIn(80))), -EACCES);
}
TEST_F(OracleTest, NonTcpSocketsAllowed) {
  Sandbox(kAccessNetAll, {});
  const int udp = static_cast<int>(Run(SocketOp(net::kAfInet, net::kSockDgram)));
  const int mptcp =
      static_cast<int>(Run(SocketOp(net::kAfInet, net::kSockStream, net::kIpprotoMptcp)));
  const int unix_stream = static_cast<int>(Run(SocketOp(net::kAfUnix, net::kSockStream)));
  EXPECT_EQ(Run(ConnectOp(udp, SockaddrIn(80))), 0);
  EXPECT_EQ(Run(ConnectOp(mptcp, SockaddrIn(80))), 0);
  // Landlock lets it through; then unix(7): an abstract name nothing listens on.
  EXPECT_EQ(Run(ConnectOp(unix_stream, SockaddrOfFamily(net::kAfUnix, 3))), -ECONNREFUSED);
}
TEST_F(Oracle120Test, EveryStreamSocketChecked) {
  Sandbox(kAccessNetAll, {});
  const int mptcp =
      static_cast<int>(Run(SocketOp(net::kAfInet, net::kSockStream, net::kIpprotoMptcp)));
  const int unix_stream = static_cast<int>(Run(SocketOp(net::kAfUnix, net::kSockStream)));
  EXPECT_EQ(Run(ConnectOp(mptcp, SockaddrIn(80))), -EACCES);
  EXPECT_EQ(Run(ConnectOp(unix_stream, SockaddrIn(80))), -EINVAL);  // family mismatch
  // An AF_UNIX address passes Landlock's check; nothing listens on the name (unix(7)).
  EXPECT_EQ(Run(ConnectOp(unix_stream, SockaddrOfFamily(net::kAfUnix, 20))), -ECONNREFUSED);
}
TEST_F(OracleTest, ShortAddressInvalid) {
  Sandbox(kAccessNetAll, {});
  const int s = Tcp4();
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn(80), 0)), -EINVAL);
  EXPECT_EQ(Run(ConnectOp(s, SockaddrIn(80), 15)), -EINVAL);
  EXPECT_EQ(Run(BindOp(s, SockaddrIn(80), 1)), -EINVAL);
}
TEST_F(OracleTest, FamilyMismatchInvalid) {
  Sandbox(kAccessNetAll, {{kAccessNetAll, 80}});
  EXPECT_EQ(Run(ConnectOp(Tcp4(), SockaddrIn6(80))), -EINVAL);
  EXPECT_EQ(Run(ConnectOp(Tcp6(), SockaddrIn(80))), -EINVAL);
  EXPECT_EQ(Run(ConnectOp(Tcp4(), SockaddrIn6(80), 16)), -EINVAL);  // too short for AF_INET6
}
TEST_F(OracleTest, OtherFamiliesAllowed) {
  Sandbox(kAccessNetAll, {});
  EXPECT_EQ(Run(ConnectOp(Tcp4(), SockaddrOfFamily(net::kAfUnix, 2))), 0);
  EXPECT_EQ(Run(BindOp(Tcp6(), SockaddrOfFamily(17, 3))), 0);
}
TEST_F(OracleTest, UnspecConnectAlwaysAllowed) {
  Sandbox(kAccessNetAll, {});
  EXPECT_EQ(Run(ConnectOp(Tcp4(), SockaddrUnspec(80), 2)), 0);
  EXPECT_EQ(Run(ConnectOp(Tcp6(), SockaddrUnspec(80), 16)), 0);
  EXPECT_EQ(Run(ConnectOp(Tcp6(), SockaddrUnspec(80), 1)), -EINVAL);
}
TEST_F(OracleTest, UnspecBindOnInet) {
  Sandbox(kAccessNetAll, {{kAccessNetBindTcp, 80}});
  const int s = Tcp4();
  EXPECT_EQ(Run(BindOp(s, SockaddrUnspec(80), 15)), -EINVAL);
  EXPECT_EQ(Run(BindOp(s, SockaddrUnspec(80, net::kInaddrLoopback))), -EAFNOSUPPORT);
  EXPECT_EQ(Run(BindOp(s, SockaddrUnspec(80))), 0);
  EXPECT_EQ(Run(BindOp(s, SockaddrUnspec(81))), -EACCES);
}
TEST_F(OracleTest, UnspecBindOnInet6) {
  Sandbox(kAccessNetAll, {{kAccessNetBindTcp, 80}});
  const int s = Tcp6();
  EXPECT_EQ(Run(BindOp(s, SockaddrUnspec(80), 16)), -EINVAL);
  EXPECT_EQ(Run(BindOp(s, SockaddrUnspec(80, 0, 24))), -EAFNOSUPPORT);
}
TEST_F(Oracle120Test, UnspecSharesInetLength) {
  Sandbox(kAccessNetAll, {{kAccessNetBindTcp, 80}});
  EXPECT_EQ(Run(ConnectOp(Tcp4(), SockaddrUnspec(80), 15)), -EINVAL);
  EXPECT_EQ(Run(ConnectOp(Tcp4(), SockaddrUnspec(80), 16)), 0);
  EXPECT_EQ(Run(BindOp(Tcp6(), SockaddrUnspec(80), 16)), -EINVAL);
  EXPECT_EQ(Run(BindOp(Tcp6(), SockaddrUnspec(80, 0, 28))), -EINVAL);
  EXPECT_EQ(Run(BindOp(Tcp4(), SockaddrUnspec(80, net::kInaddrLoopback))), -EAFNOSUPPORT);
  EXPECT_EQ(Run(BindOp(Tcp4(), SockaddrUnspec(80))), 0);
}
TEST_F(OracleTest, SendmsgFastOpenCheckedAsConnect) {
  Sandbox(kAccessNetConnectTcp, {{kAccessNetConnectTcp, 443}});
  const int s = Tcp4();
  EXPECT_EQ(Run(SendToOp(s, SockaddrIn(80), net::kMsgFastopen)), -EACCES);
  EXPECT_EQ(Run(SendToOp(s, SockaddrIn(443), net::kMsgFastopen)), 0);
  EXPECT_EQ(Run(SendToOp(s, SockaddrIn(80), 0)), 0);
  EXPECT_EQ(Run(SendToOp(s, SockaddrIn(80), net::kMsgFastopen, 0)), -EINVAL);
  Op no_dest = SendToOp(s, SockaddrIn(80), net::kMsgFastopen);
  no_dest.mem.null = true;
  EXPECT_EQ(Run(no_dest), 0);
}
TEST_F(Oracle107Test, SendmsgNotHooked) {
  Sandbox(kAccessNetConnectTcp, {});
  EXPECT_EQ(Run(SendToOp(Tcp4(), SockaddrIn(80), net::kMsgFastopen)), 0);
}

TEST_F(OracleTest, SocketLayerErrors) {
  EXPECT_EQ(Run(SocketOp(net::kAfInet, net::kSockStream | 0x100)), -EINVAL);
  EXPECT_EQ(Run(SocketOp(net::kAfInet, net::kSockStream | kSockNonblock | kSockCloexec)), 3);
  EXPECT_EQ(Run(SocketOp(46, net::kSockStream)), -EAFNOSUPPORT);
  EXPECT_EQ(Run(SocketOp(-1, net::kSockStream)), -EAFNOSUPPORT);
  EXPECT_EQ(Run(SocketOp(17, net::kSockStream)), -EAFNOSUPPORT);
  EXPECT_EQ(Run(SocketOp(net::kAfInet, 11)), -EINVAL);
  EXPECT_EQ(Run(SocketOp(net::kAfInet, 3)), -EPERM);
  EXPECT_EQ(Run(SocketOp(net::kAfInet, 5)), -ESOCKTNOSUPPORT);
  EXPECT_EQ(Run(SocketOp(net::kAfInet, net::kSockStream, net::kIpprotoUdp)), -EPROTONOSUPPORT);
  EXPECT_EQ(Run(SocketOp(net::kAfInet6, net::kSockDgram, 136)), 4);
  EXPECT_EQ(Run(SocketOp(net::kAfUnix, 3)), -ESOCKTNOSUPPORT);
  EXPECT_EQ(Run(SocketOp(net::kAfUnix, net::kSockStream, 2)), -EPROTONOSUPPORT);
}
TEST_F(OracleTest, SocketCallErrorsBeforeLandlock) {
  EXPECT_EQ(Run(BindOp(3, SockaddrIn(80))), -EBADF);
  ASSERT_EQ(Run(Create(0, 1, 0)), 3);
  EXPECT_EQ(Run(BindOp(3, SockaddrIn(80), 200)), -ENOTSOCK);   // ENOTSOCK first for bind
  EXPECT_EQ(Run(ConnectOp(3, SockaddrIn(80), 200)), -EINVAL);  // address first for connect
  EXPECT_EQ(Run(ConnectOp(3, SockaddrIn(80), 17)), -EFAULT);
  EXPECT_EQ(Run(ConnectOp(3, SockaddrIn(80))), -ENOTSOCK);
  EXPECT_EQ(Run(SendToOp(3, SockaddrIn(80), 0, -1)), -ENOTSOCK);  // before the address
  const int s = Tcp4();
  EXPECT_EQ(Run(BindOp(s, SockaddrIn(80), -1)), -EINVAL);
  EXPECT_EQ(Run(BindOp(s, SockaddrIn(80), 129)), -EINVAL);
  EXPECT_EQ(Run(SendToOp(s, SockaddrIn(80), 0, 128)), -EFAULT);
}

TEST(ProfileTest, LookupKnownAndUnknown) {
  for (const char* v : {"6.12.0", "6.12.107", "6.12.111", "6.12.113", "6.12.115", "6.12.117"}) {
    absl::StatusOr<Profile> p = LookupProfile(v);
    ASSERT_TRUE(p.ok()) << v;
    EXPECT_EQ(p->version, v);
  }
  EXPECT_EQ(LookupProfile("debian-6.12.117")->version, "6.12.117");
  absl::StatusOr<Profile> bad = LookupProfile("6.1.0");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("debian-6.12.117"), absl::string_view::npos);
  EXPECT_EQ(ProfileForVersion("6.12.117").name, "debian-6.12.117");
  EXPECT_TRUE(ProfileForVersion("6.12.113").sendmsg_fastopen_checked);
  EXPECT_FALSE(ProfileForVersion("6.12.111").sendmsg_fastopen_checked);
  EXPECT_EQ(ProfileForVersion("6.12.111").errata, 0xfu);
  EXPECT_TRUE(ProfileForVersion("6.12.117").scopes_supported());
  EXPECT_EQ(ProfileForVersion("6.12.117").max_layers, 16u);
}

// Trees are matched by the fingerprint of their code, never refused for a new version label.
TEST(ProfileTest, TreesKnownByTheirCode) {
  // 6.12.118 is 6.12.117's code with only SUBLEVEL changed: the same fingerprint.
  absl::StatusOr<TreeProfile> t = ProfileForTree("6.12.118", "addff566a4538a49", "6.12");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->verified);
  EXPECT_EQ(t->profile.name, "debian-6.12.117");
  EXPECT_EQ(t->notice,
            "6.12.118: Landlock identical to 6.12.117 (verified profile debian-6.12.117, "
            "fingerprint addff566a4538a49)");
  // The same version with the same code: that profile, said plainly.
  t = ProfileForTree("6.12.107", "71e11a7276d6f9b6", "6.12");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->verified);
  EXPECT_EQ(t->profile.name, "debian-6.12.107");
  // 6.12.113 and 6.12.115 share their code: the profile of the tree's own version first.
  EXPECT_EQ(ProfileForTree("6.12.115", "050cb1ce01045fc0", "6.12")->profile.name,
            "debian-6.12.115");
  EXPECT_EQ(ProfileForTree("6.12.113", "050cb1ce01045fc0", "6.12")->profile.name,
            "debian-6.12.113");
  // Unknown code: the nearest known revision of the generation, never a refusal.
  t = ProfileForTree("6.12.999", "0123456789abcdef", "6.12");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->verified);
  EXPECT_EQ(t->profile.name, "debian-6.12.117");
  EXPECT_NE(t->notice.find("no verified profile for this code"), std::string::npos) << t->notice;
  EXPECT_NE(t->notice.find("nearest known revision of the 6.12 generation"), std::string::npos);
  EXPECT_EQ(ProfileForTree("6.12.110", "0123456789abcdef", "6.12")->profile.name,
            "debian-6.12.111");
  EXPECT_EQ(ProfileForTree("6.12.2", "0123456789abcdef", "6.12")->profile.name,
            "upstream-6.12.0");
  // A patched 6.12.117 is not 6.12.117's verified profile.
  EXPECT_FALSE(ProfileForTree("6.12.117", "0123456789abcdef", "6.12")->verified);
  // No profile of a generation at all: NotFound, naming it. Observed live profiles are never
  // matched to a tree.
  EXPECT_EQ(ProfileForTree("6.1.192", "af307a14d8863a5d", "6.1").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ProfileForTree("6.18.44", "0123456789abcdef", "live").status().code(),
            absl::StatusCode::kNotFound);
}

// One table of switches: every Profile field that FlippedSwitches, expectations and witnesses
// use is in it, reads and writes its own field, and names its values.
TEST(ProfileTest, SwitchTable) {
  const Profile base = ProfileForVersion("6.12.117");
  for (const SwitchDef& sw : Switches()) {
    EXPECT_EQ(FindSwitch(sw.name), &sw);
    ASSERT_GE(sw.values.size(), 1u) << sw.name;
    for (int64_t v : sw.values) {
      Profile p = base;
      sw.set(p, v);
      EXPECT_EQ(sw.get(p), v) << sw.name;
      // Setting one switch changes no other.
      for (const SwitchDef& other : Switches()) {
        if (&other != &sw) {
          EXPECT_EQ(other.get(p), other.get(base)) << sw.name << " " << other.name;
        }
      }
      EXPECT_EQ(ParseSwitchValue(sw, SwitchValueText(sw, v)), v) << sw.name;
    }
  }
  EXPECT_EQ(FindSwitch("no_such_switch"), nullptr);
  EXPECT_EQ(SwitchValueText(*FindSwitch("tcp_check"), 1), "sock_stream");
  EXPECT_EQ(SwitchValueText(*FindSwitch("errata"), 0xf), "0xf");
  EXPECT_EQ(SwitchValueText(*FindSwitch("sendmsg_fastopen_checked"), 0), "false");
  EXPECT_EQ(ParseSwitchValue(*FindSwitch("family_mismatch_errno"), "EAFNOSUPPORT"), -97);
  EXPECT_FALSE(ParseSwitchValue(*FindSwitch("abi_version"), "seven").has_value());
  // Every variant differs from the base in exactly its own switch.
  for (const SwitchVariant& v : FlippedSwitches(base)) {
    const SwitchDef* sw = FindSwitch(v.name);
    ASSERT_NE(sw, nullptr) << v.name;
    EXPECT_NE(sw->get(v.profile), sw->get(base)) << v.name;
  }
}

// ---------------------------------------------------------------------------------------------
// Differential: the oracle with the kernel's profile against the kernel engine, judged as every
// harness judges (scenario/compare.h: a disagreement, a failed expect, an engine finding).

// A scenario with a name for messages.
struct Case {
  std::string name;
  Scenario scenario;
};

class Differential {
 public:
  Differential() : Differential(std::nullopt) {}
  // An oracle with another revision's profile: for checking that the diff notices.
  explicit Differential(const std::optional<Profile>& oracle_profile)
      : kernel_(NewDefaultKernelEngine()),
        kernel_profile_(ProfileForKernel(*kernel_)->profile),
        oracle_(oracle_profile ? *oracle_profile : kernel_profile_) {}

  // Counts, per "op-kind result" (e.g. "connect EACCES"), how often the kernel returned it.
  std::map<std::string, int> outcomes;

  // Runs `s` on both engines, each in a fresh task, and judges the results.
  Verdict Check(const Scenario& s) {
    const std::vector<RunResult> results = Run(s);
    for (size_t i = 0; i < s.ops.size() && i < results[0].returned.size(); ++i) {
      const long k = results[0].returned[i];
      ++outcomes[absl::StrCat(OpKindName(s.ops[i].kind), " ",
                              k >= 0 ? (k > 0 ? "positive" : "0") : ErrnoName(k))];
    }
    return Judge(s, results);
  }

  // The finding `v` of `s`, minimized keeping its class, as the .scn a fuzzer would write.
  std::string Report(const std::string& name, const Scenario& s, const Verdict& v) {
    const Scenario min =
        MinimizeWhile(s, v, [this](const Scenario& c) { return Judge(c, Run(c)); });
    const std::vector<RunResult> results = Run(min);
    const Verdict shown = Judge(min, results);
    const std::vector<std::string> names = {kernel_->Name(), "oracle-" + oracle_.profile().version};
    return absl::StrCat("scenario ", name, ": ", v.Text(names), "\n",
                        FindingText(MakeFinding("oracle_test", shown, s.ops.size(), min, names,
                                                results),
                                    "case.scn"));
  }

  const KernelEngine& kernel() const { return *kernel_; }
  const Profile& kernel_profile() const { return kernel_profile_; }

 private:
  std::vector<RunResult> Run(const Scenario& s) {
    return RunScenarioOnEach({kernel_.get(), &oracle_}, s);
  }
  Verdict Judge(const Scenario& s, const std::vector<RunResult>& results) const {
    return lockstep::Judge(s, results, {&kernel_profile_, &oracle_.profile()});
  }

  std::unique_ptr<KernelEngine> kernel_;
  Profile kernel_profile_;
  OracleEngine oracle_;
};

std::vector<Case> HandBuilt() {
  std::vector<Case> out;
  auto add = [&](std::string name, std::vector<Op> ops, TaskSpec spec = TaskSpec{}) {
    out.push_back(Case{std::move(name), Scenario{spec, std::move(ops)}});
  };
  add("queries", {Query(1), Query(2), Query(3), Query(4), CreateRaw(RulesetAttr(0, 1, 0), 24, 1)});
  add("create-sizes",
      {CreateRaw(RulesetAttr(0, 1, 0), 7), CreateRaw(RulesetAttr(0, 1, 0), 8),
       CreateRaw(RulesetAttr(1, 0, 0), 8), CreateRaw(RulesetAttr(0, 1, 0), 16),
       CreateRaw(RulesetAttrSized(0, 1, 0, 4096), 4096), CreateRaw(RulesetAttrSized(0, 1, 0, 4097), 4097),
       CreateRaw(RulesetAttrWithTail(0, 1, 0, {0, 0, 0, 1}), 28), Query(0)});
  {
    Op partial_tail = CreateRaw(RulesetAttrWithTail(0, 1, 0, {1, 0, 0, 0}), 28);
    partial_tail.mem.readable = 26;
    Op exact_tail = CreateRaw(RulesetAttr(0, 1, 0), 25);
    Op short_head = CreateRaw(RulesetAttr(0, 1, 0), 16);
    short_head.mem.readable = 10;
    add("create-faults", {partial_tail, exact_tail, short_head});
  }
  add("create-bits", {Create(1ull << 16, 0, 0), Create(0, 4, 0), Create(0, 0, 4), Create(0, 0, 0),
                      Create(0, 0, 3), Create(kAccessFsAll, 3, 3)});
  add("add-rule-errors",
      {PortRule(3, 1, 80), Create(0, kAccessNetBindTcp, 0), PortRule(3, 0, 80), PortRule(3, 2, 80),
       PortRule(3, 1, 65536), PortRule(3, 1, 65535), PortRule(3, 1, 0), SocketOp(2, 1),
       PortRule(4, 1, 80), PathRule(3, 1, 3), Create(kAccessFsReadFile, 0, 0),
       PathRule(5, kAccessFsReadFile, 3), PathRule(5, kAccessFsReadFile, 4),
       PathRule(5, kAccessFsReadFile, 99), PathRule(5, 0, 99)});
  add("restrict-eperm", {Create(0, 1, 0), Restrict(3, 1), Restrict(3), Nnp(), Restrict(9),
                         Restrict(3, 1), Restrict(3)},
      TaskSpec{false, false});
  add("restrict-cap", {Create(0, 1, 0), Restrict(3)}, TaskSpec{false, true});
  {
    std::vector<Op> ops = {Create(0, kAccessNetConnectTcp, 0), PortRule(3, 2, 80)};
    for (int i = 0; i < 17; ++i) ops.push_back(Restrict(3));
    ops.push_back(SocketOp(2, 1));
    ops.push_back(ConnectOp(4, SockaddrIn(80)));
    ops.push_back(ConnectOp(4, SockaddrIn(81)));
    add("seventeen-layers", ops);
  }
  {
    std::vector<Op> ops;
    for (int i = 3; i < 257; ++i) ops.push_back(SocketOp(2, 1));
    ops.push_back(Create(0, 1, 0));
    ops.push_back(Create(0, 0, 0));
    ops.push_back(CloseOp(100));
    ops.push_back(Create(0, 1, 0));
    ops.push_back(SocketOp(2, 1));
    add("emfile", ops);
  }
  add("snapshot", {Create(0, 2, 0), Restrict(3), PortRule(3, 2, 80), CloseOp(3), SocketOp(2, 1),
                   ConnectOp(3, SockaddrIn(80)), SendToOp(3, SockaddrIn(80), net::kMsgFastopen)});
  add("layers-and", {Create(0, 3, 0), PortRule(3, 3, 80), PortRule(3, 3, 81), Restrict(3),
                     Create(0, 2, 0), PortRule(4, 2, 81), Restrict(4), SocketOp(10, 1),
                     ConnectOp(5, SockaddrIn6(80)), ConnectOp(5, SockaddrIn6(81)),
                     BindOp(5, SockaddrIn6(80)), BindOp(5, SockaddrIn6(82))});
  add("unspec", {Create(0, 3, 0), PortRule(3, 1, 80), Restrict(3), SocketOp(2, 1), SocketOp(10, 1),
                 ConnectOp(4, SockaddrUnspec(80), 2), ConnectOp(4, SockaddrUnspec(80), 1),
                 ConnectOp(5, SockaddrUnspec(80, 0, 15)), BindOp(4, SockaddrUnspec(80), 15),
                 BindOp(4, SockaddrUnspec(80, net::kInaddrLoopback)), BindOp(4, SockaddrUnspec(80)),
                 BindOp(4, SockaddrUnspec(81)), BindOp(5, SockaddrUnspec(80, 0, 23)),
                 BindOp(5, SockaddrUnspec(80, 0, 24)), BindOp(5, SockaddrUnspec(80, 0, 16))});
  add("non-tcp", {Create(0, 3, 0), Restrict(3), SocketOp(2, 2), SocketOp(2, 1, 262), SocketOp(1, 1),
                  SocketOp(1, 2), ConnectOp(4, SockaddrIn(80)), ConnectOp(5, SockaddrIn(80)),
                  ConnectOp(6, SockaddrIn(80)), ConnectOp(7, SockaddrIn(80), 1),
                  SendToOp(5, SockaddrIn(80), net::kMsgFastopen)});
  add("mismatch", {Create(0, 3, 0), PortRule(3, 3, 80), Restrict(3), SocketOp(2, 1), SocketOp(10, 1),
                   ConnectOp(4, SockaddrIn6(80)), ConnectOp(4, SockaddrIn6(80), 16),
                   ConnectOp(5, SockaddrIn(80)), ConnectOp(5, SockaddrIn(80), 24),
                   ConnectOp(4, SockaddrOfFamily(1, 2)), BindOp(5, SockaddrOfFamily(17, 40))});
  add("socket-layer", {Create(0, 1, 0), BindOp(3, SockaddrIn(80), 200), ConnectOp(3, SockaddrIn(80), 200),
                       ConnectOp(3, SockaddrIn(80), 17), ConnectOp(3, SockaddrIn(80)),
                       SendToOp(3, SockaddrIn(80), 0), BindOp(9, SockaddrIn(80)),
                       ConnectOp(9, SockaddrIn(80), 200), SocketOp(2, 1), BindOp(4, SockaddrIn(80), -1),
                       BindOp(4, SockaddrIn(80), 129), SendToOp(4, SockaddrIn(80), 0, 128)});
  {
    Op null_dest = SendToOp(4, SockaddrIn(80), net::kMsgFastopen);
    null_dest.mem.null = true;
    add("fastopen", {Create(0, 2, 0), PortRule(3, 2, 443), Restrict(3), SocketOp(2, 1),
                     SendToOp(4, SockaddrIn(80), net::kMsgFastopen),
                     SendToOp(4, SockaddrIn(443), net::kMsgFastopen),
                     SendToOp(4, SockaddrIn(80), 0), SendToOp(4, SockaddrIn(80), net::kMsgFastopen, 0),
                     SendToOp(4, SockaddrIn(80), net::kMsgFastopen, 1), null_dest,
                     SocketOp(2, 1 | kSockNonblock), SendToOp(5, SockaddrIn(80), net::kMsgFastopen)});
  }
  add("socket-args", {SocketOp(2, 1 | 0x100), SocketOp(46, 1), SocketOp(-1, 1), SocketOp(17, 1),
                      SocketOp(2, 11), SocketOp(2, 3), SocketOp(2, 5), SocketOp(2, 1, 17),
                      SocketOp(10, 2, 136), SocketOp(1, 3), SocketOp(1, 1, 2), SocketOp(1, 5, 1),
                      SocketOp(0, 1), SocketOp(2, -1)});
  return out;
}

TEST(DifferentialTest, ProfileVerifiedForThisTreesCode) {
  Differential d;
  absl::StatusOr<TreeProfile> p = ProfileForKernel(d.kernel());
  ASSERT_TRUE(p.ok()) << p.status();
  // The default tree is one lockstep has verified a profile against (by fingerprint): a new
  // Debian point release whose Landlock code changed shows up here first.
  EXPECT_TRUE(p->verified) << p->notice;
  EXPECT_TRUE(p->profile.undetermined.empty());
}

TEST(DifferentialTest, HandBuiltScenarios) {
  Differential d;
  for (const Case& c : HandBuilt()) {
    const Verdict v = d.Check(c.scenario);
    EXPECT_FALSE(v) << d.Report(c.name, c.scenario, v);
  }
}

TEST(DifferentialTest, SeededRandomScenarios) {
  Differential d;
  constexpr uint64_t kScenarios = 2000;
  // The scenario generator every harness uses (scenario/generator.h), its network and syscall
  // scenarios: what this file's cases are about (tests/differential_test runs the filesystem's).
  GeneratorOptions options;
  options.filesystem_percent = 0;
  int failures = 0;
  for (uint64_t seed = 1; seed <= kScenarios && failures < 5; ++seed) {
    ScenarioGenerator g(seed, options);
    const Scenario s = g.Next(10 + static_cast<int>(seed % 70));
    const Verdict v = d.Check(s);
    if (v) {
      ++failures;
      ADD_FAILURE() << d.Report(absl::StrCat("seed-", seed), s, v);
    }
  }
  // The generator must reach the interesting outcomes, or agreeing proves little.
  for (const char* outcome :
       {"connect EACCES", "connect 0", "connect EINVAL", "connect EFAULT", "connect ENOTSOCK",
        "bind EACCES", "bind 0", "bind EINVAL", "bind EAFNOSUPPORT", "bind EBADF",
        "sendto EACCES", "sendto 0", "sendto EINVAL", "create_ruleset positive",
        "create_ruleset EINVAL", "create_ruleset E2BIG", "create_ruleset EFAULT",
        "create_ruleset ENOMSG", "add_rule 0", "add_rule EINVAL", "add_rule ENOMSG",
        "add_rule EBADFD", "add_rule EBADF", "add_rule EFAULT", "restrict_self 0",
        "restrict_self EPERM", "restrict_self E2BIG", "restrict_self EBADFD",
        "socket positive", "socket EAFNOSUPPORT", "socket EPROTONOSUPPORT", "close 0"}) {
    EXPECT_GT(d.outcomes[outcome], 0) << "the random scenarios never produced " << outcome;
  }
  for (const auto& [outcome, n] : d.outcomes) std::printf("  %-32s %6d\n", outcome.c_str(), n);
}

TEST(DifferentialTest, OtherRevisionsProfilesDisagreeWithThisKernel) {
  // Each other profile differs from the tree's in a switch the hand-built scenarios exercise, so
  // the diff must notice it: the switches matter and the comparison is not vacuous.
  const std::string fingerprint = Differential().kernel().Fingerprint();
  const Profile tree_profile = Differential().kernel_profile();
  for (const Profile& p : KnownProfiles()) {
    bool same_code = false;
    for (const std::string& f : p.fingerprints) same_code = same_code || f == fingerprint;
    if (same_code) continue;
    Differential d(p);
    int disagreements = 0;
    for (const Case& c : HandBuilt()) disagreements += d.Check(c.scenario) ? 1 : 0;
    // A profile with every switch as this tree's profile has it (6.12.113 and 6.12.115 against
    // 6.12.117's tree) must agree; any other must not.
    bool same_switches = true;
    for (const SwitchDef& sw : Switches()) {
      same_switches = same_switches && sw.get(p) == sw.get(tree_profile);
    }
    if (same_switches) {
      EXPECT_EQ(disagreements, 0) << p.name << " has this tree's network and syscall behaviour";
    } else {
      EXPECT_GT(disagreements, 0) << p.name;
    }
  }
}


// ---------------------------------------------------------------------------------------------
// Threads and TSYNC (docs/threads.md), on 7.3.4's profile: each thread's own domain and
// no_new_privs, TSYNC replacing the siblings', and domains shared by whoever holds them.

class OracleThreadsTest : public OracleTest {
 protected:
  OracleThreadsTest() : OracleTest("7.3.4") {}
  // A ruleset handling connect_tcp that grants port `port`, enforced with `flags`.
  long Allow(uint16_t port, uint32_t flags = 0) {
    const long fd = Run(Create(0, kConnect, 0));
    EXPECT_GE(fd, 0);
    EXPECT_EQ(Run(PortRule(static_cast<int>(fd), kConnect, port)), 0);
    const long r = e_.RestrictSelf(static_cast<int>(fd), flags);
    EXPECT_EQ(Run(CloseOp(static_cast<int>(fd))), 0);
    return r;
  }
  long Connect(int fd, uint16_t port) { return Run(ConnectOp(fd, SockaddrIn(port))); }
  std::vector<LogRecord> Logs() {
    std::vector<LogRecord> out;
    EXPECT_TRUE(e_.TakeLogRecords(&out));
    return out;
  }
  static constexpr uint64_t kConnect = 2;  // LANDLOCK_ACCESS_NET_CONNECT_TCP
  static constexpr uint32_t kTsync = 1u << 3;
};

TEST_F(OracleThreadsTest, ThreadsAreNumberedAndAtMostEight) {
  for (long t = 1; t < 8; ++t) EXPECT_EQ(e_.Thread(), t);
  EXPECT_EQ(e_.Thread(), -EAGAIN);
  EXPECT_EQ(e_.OnThread(7), 0);
  EXPECT_EQ(e_.OnThread(8), -ESRCH);
  EXPECT_EQ(e_.OnThread(-1), -ESRCH);
}

TEST_F(OracleThreadsTest, TsyncReplacesASiblingsOwnDomainWhichIsDeallocatedThen) {
  const int s = Tcp4();
  const long t1 = e_.Thread();
  ASSERT_EQ(e_.OnThread(static_cast<int>(t1)), 0);
  ASSERT_EQ(Allow(80), 0);  // domain 1, thread 1's own
  EXPECT_EQ(Connect(s, 81), -EACCES);
  EXPECT_EQ(Logs().size(), 2u);  // access + allocated
  ASSERT_EQ(e_.OnThread(0), 0);
  ASSERT_EQ(Allow(443, kTsync), 0);  // domain 2, for both threads
  const std::vector<LogRecord> logs = Logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].ToString(), "domain=1 deallocated denials=1");
  ASSERT_EQ(e_.OnThread(static_cast<int>(t1)), 0);
  EXPECT_EQ(Connect(s, 80), -EACCES);
  EXPECT_EQ(Connect(s, 443), 0);
  EXPECT_EQ(e_.NumLayers(), 1u);
}

TEST_F(OracleThreadsTest, ADomainAFileStillHoldsOutlivesItsThreadsDomain) {
  const long t1 = e_.Thread();
  ASSERT_EQ(e_.OnThread(static_cast<int>(t1)), 0);
  ASSERT_EQ(Allow(80), 0);  // domain 1
  const int s = Tcp4();     // opened by thread 1: its credentials hold domain 1
  EXPECT_EQ(Connect(s, 81), -EACCES);
  Logs();
  ASSERT_EQ(e_.OnThread(0), 0);
  // Thread 0 has no domain: with TSYNC, thread 1 loses its own.
  ASSERT_EQ(e_.RestrictSelf(-1, (1u << 2) | kTsync), 0);
  EXPECT_TRUE(Logs().empty());  // the socket keeps domain 1
  EXPECT_EQ(Run(CloseOp(s)), 0);
  const std::vector<LogRecord> logs = Logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].ToString(), "domain=1 deallocated denials=1");
}

TEST_F(OracleThreadsTest, ExecveEndsTheOtherThreads) {
  const long t1 = e_.Thread();
  const long t2 = e_.Thread();
  ASSERT_EQ(e_.Mknod(Engine::kAtRoot, "prog", 0100755, 0), 0);
  ASSERT_EQ(e_.OnThread(static_cast<int>(t1)), 0);
  ASSERT_EQ(e_.Execve(Engine::kAtRoot, "prog"), 0);
  EXPECT_EQ(e_.OnThread(0), -ESRCH);
  EXPECT_EQ(e_.OnThread(static_cast<int>(t2)), -ESRCH);
  EXPECT_EQ(e_.OnThread(static_cast<int>(t1)), 0);
  EXPECT_EQ(e_.Thread(), 3);
}

// ---------------------------------------------------------------------------------------------
// Between processes (docs/tasks.md): fork, the signal scope and ptrace, on 7.3.4's profile.

class OracleTasksTest : public OracleThreadsTest {
 protected:
  // Enforces a ruleset scoping `scoped` (and handling connect_tcp when `scoped` is 0).
  long Scope(uint64_t scoped) {
    const long fd = Run(Create(0, scoped == 0 ? kConnect : 0, scoped));
    EXPECT_GE(fd, 0);
    const long r = e_.RestrictSelf(static_cast<int>(fd), 0);
    EXPECT_EQ(Run(CloseOp(static_cast<int>(fd))), 0);
    return r;
  }
  static constexpr uint64_t kSignal = 2;  // LANDLOCK_SCOPE_SIGNAL
};

TEST_F(OracleTasksTest, ForkSharesOpenFilesNotTheTable) {
  const int s = Tcp4();
  const long child = e_.Fork();
  ASSERT_EQ(child, 1);
  ASSERT_EQ(e_.OnThread(static_cast<int>(child)), 0);
  EXPECT_EQ(Run(CloseOp(s)), 0);
  EXPECT_EQ(Run(CloseOp(s)), -EBADF);
  ASSERT_EQ(e_.OnThread(0), 0);
  EXPECT_EQ(Connect(s, 80), 0);  // the parent's fd is still open
}

TEST_F(OracleTasksTest, SignalScopeStopsSignalsLeavingTheDomain) {
  const long outside = e_.Fork();
  ASSERT_EQ(Scope(kSignal), 0);
  const long inside = e_.Fork();
  EXPECT_EQ(e_.Kill(static_cast<int>(inside), 10), 0);
  EXPECT_EQ(e_.Kill(static_cast<int>(outside), 10), -EPERM);
  EXPECT_EQ(e_.Kill(static_cast<int>(outside), 65), -EINVAL);
  EXPECT_EQ(e_.Kill(9, 10), -ESRCH);
  const std::vector<LogRecord> logs = Logs();
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].ToString(), "access domain=1 blockers=scope.signal opid=1");
  // From outside, nothing stops signals in.
  ASSERT_EQ(e_.OnThread(static_cast<int>(outside)), 0);
  EXPECT_EQ(e_.Kill(0, 10), 0);
}

TEST_F(OracleTasksTest, ADomainWithoutTheSignalScopeSignalsAnywhere) {
  const long outside = e_.Fork();
  ASSERT_EQ(Scope(0), 0);
  EXPECT_EQ(e_.Kill(static_cast<int>(outside), 10), 0);
  // ... but it limits ptrace: the tracee must be in the tracer's domain.
  EXPECT_EQ(e_.Ptrace(static_cast<int>(outside)), -EPERM);
}

TEST_F(OracleTasksTest, ThreadsOfOneProcessAlwaysSignalEachOther) {
  const long t1 = e_.Thread();
  ASSERT_EQ(e_.OnThread(static_cast<int>(t1)), 0);
  ASSERT_EQ(Scope(kSignal), 0);
  EXPECT_EQ(e_.Kill(0, 10), 0);
  EXPECT_EQ(e_.Ptrace(0), -EPERM);  // never a tracee: ptrace's own rule
  EXPECT_TRUE(Logs().empty());
}

TEST_F(OracleTasksTest, PtraceNeedsTheTraceeInsideTheTracersDomain) {
  ASSERT_EQ(Scope(0), 0);
  const long child = e_.Fork();
  ASSERT_EQ(e_.OnThread(static_cast<int>(child)), 0);
  ASSERT_EQ(Scope(0), 0);  // nested: domain 2 on domain 1
  EXPECT_EQ(e_.Ptrace(0), -EPERM);
  ASSERT_EQ(e_.OnThread(0), 0);
  EXPECT_EQ(e_.Ptrace(static_cast<int>(child)), 0);
  const std::vector<LogRecord> logs = Logs();
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].ToString(), "access domain=2 blockers=ptrace opid=0");
}

TEST_F(OracleTasksTest, TracemeAsksWhetherTheParentCouldTrace) {
  EXPECT_EQ(e_.Traceme(), -ESRCH);  // task 0's parent is outside the scenario
  const long child = e_.Fork();
  ASSERT_EQ(Scope(0), 0);  // the parent's domain 1: the child is not in it
  ASSERT_EQ(e_.OnThread(static_cast<int>(child)), 0);
  EXPECT_EQ(e_.Traceme(), -EPERM);
  const std::vector<LogRecord> logs = Logs();
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].ToString(), "access domain=1 blockers=ptrace opid=1");
  const long grandchild = e_.Fork();  // its parent (the child) has no domain
  ASSERT_EQ(e_.OnThread(static_cast<int>(grandchild)), 0);
  ASSERT_EQ(Scope(0), 0);
  EXPECT_EQ(e_.Traceme(), 0);
}

TEST_F(OracleTasksTest, TsyncAndTheTaskLimitSpanProcessesAsTheKernelDoes) {
  const long t1 = e_.Thread();
  const long child = e_.Fork();
  ASSERT_EQ(e_.OnThread(static_cast<int>(child)), 0);
  ASSERT_EQ(Allow(80, kTsync), 0);  // the child's process: no sibling
  ASSERT_EQ(e_.OnThread(static_cast<int>(t1)), 0);
  EXPECT_EQ(e_.NumLayers(), 0u);
  for (int i = 0; i < 5; ++i) EXPECT_GE(e_.Fork(), 0);
  EXPECT_EQ(e_.Fork(), -EAGAIN);
  EXPECT_EQ(e_.Thread(), -EAGAIN);
}

}  // namespace
}  // namespace lockstep
