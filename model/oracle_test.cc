// The oracle's own cases (exact errnos), then the oracle diffed against the kernel engine op by op
// on hand-built and seeded random sequences.

#include "model/oracle_engine.h"

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/errno_name.h"
#include "engine/kernel_engine.h"
#include "engine/landlock_uapi.h"
#include "gtest/gtest.h"
#include "model/kernel_profile.h"
#include "model/profile.h"

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
constexpr uint32_t kMsgDontwait = 0x40;

// ---------------------------------------------------------------------------------------------
// Ops: one syscall with its arguments, owning the bytes its user buffer points to.

struct Op {
  enum Kind { kCreate, kAddRule, kRestrict, kNnp, kClose, kSocket, kBind, kConnect, kSendTo };
  Kind kind = kNnp;
  std::vector<uint8_t> bytes;  // the user buffer's contents
  bool null = false;           // pass NULL instead of the buffer
  size_t readable = 0;         // how many of `bytes` are readable (<= bytes.size())
  size_t size = 0;             // create_ruleset's size
  uint32_t flags = 0;
  int fd = -1;
  int rule_type = 0;
  int addrlen = 0;
  int family = 0, type = 0, protocol = 0;

  UserBuffer Buffer() const {
    if (null) return UserBuffer::Null();
    return {bytes.data(), readable};
  }

  std::string Describe() const {
    const std::string buf =
        null ? "NULL"
             : absl::StrFormat("[%d bytes, %d readable]", bytes.size(), readable);
    switch (kind) {
      case kCreate: return absl::StrFormat("create_ruleset(%s, %d, %#x)", buf, size, flags);
      case kAddRule:
        return absl::StrFormat("add_rule(%d, %d, %s, %#x)", fd, rule_type, buf, flags);
      case kRestrict: return absl::StrFormat("restrict_self(%d, %#x)", fd, flags);
      case kNnp: return "set_no_new_privs()";
      case kClose: return absl::StrFormat("close(%d)", fd);
      case kSocket: return absl::StrFormat("socket(%d, %#x, %d)", family, type, protocol);
      case kBind: return absl::StrFormat("bind(%d, %s, %d)", fd, buf, addrlen);
      case kConnect: return absl::StrFormat("connect(%d, %s, %d)", fd, buf, addrlen);
      case kSendTo: return absl::StrFormat("sendto(%d, %s, %d, %#x)", fd, buf, addrlen, flags);
    }
    return "?";
  }

  std::string Hex() const {
    std::string s;
    for (uint8_t b : bytes) absl::StrAppendFormat(&s, "%02x", b);
    return s;
  }
};

long Apply(Engine& e, const Op& op) {
  switch (op.kind) {
    case Op::kCreate: return e.CreateRuleset(op.Buffer(), op.size, op.flags);
    case Op::kAddRule: return e.AddRule(op.fd, op.rule_type, op.Buffer(), op.flags);
    case Op::kRestrict: return e.RestrictSelf(op.fd, op.flags);
    case Op::kNnp: return e.SetNoNewPrivs();
    case Op::kClose: return e.Close(op.fd);
    case Op::kSocket: return e.Socket(op.family, op.type, op.protocol);
    case Op::kBind: return e.Bind(op.fd, op.Buffer(), op.addrlen);
    case Op::kConnect: return e.Connect(op.fd, op.Buffer(), op.addrlen);
    case Op::kSendTo: return e.SendTo(op.fd, op.Buffer(), op.addrlen, op.flags);
  }
  return -9999;
}

Op Buf(Op::Kind kind, std::vector<uint8_t> bytes) {
  Op op;
  op.kind = kind;
  op.readable = bytes.size();
  op.bytes = std::move(bytes);
  return op;
}
Op Create(uint64_t fs, uint64_t net, uint64_t scoped) {
  Op op = Buf(Op::kCreate, RulesetAttr(fs, net, scoped));
  op.size = op.bytes.size();
  return op;
}
Op CreateRaw(std::vector<uint8_t> bytes, size_t size, uint32_t flags = 0) {
  Op op = Buf(Op::kCreate, std::move(bytes));
  op.size = size;
  op.flags = flags;
  return op;
}
Op Query(uint32_t flags) {
  Op op;
  op.kind = Op::kCreate;
  op.null = true;
  op.flags = flags;
  return op;
}
Op PortRule(int fd, uint64_t access, uint64_t port) {
  Op op = Buf(Op::kAddRule, NetPortAttr(access, port));
  op.fd = fd;
  op.rule_type = kRuleNetPort;
  return op;
}
Op PathRule(int fd, uint64_t access, int32_t parent_fd) {
  Op op = Buf(Op::kAddRule, PathBeneathAttr(access, parent_fd));
  op.fd = fd;
  op.rule_type = kRulePathBeneath;
  return op;
}
Op Restrict(int fd, uint32_t flags = 0) {
  Op op;
  op.kind = Op::kRestrict;
  op.fd = fd;
  op.flags = flags;
  return op;
}
Op Nnp() { return Op(); }
Op CloseOp(int fd) {
  Op op;
  op.kind = Op::kClose;
  op.fd = fd;
  return op;
}
Op SocketOp(int family, int type, int protocol = 0) {
  Op op;
  op.kind = Op::kSocket;
  op.family = family;
  op.type = type;
  op.protocol = protocol;
  return op;
}
// addrlen kWholeAddr: the address's own size.
constexpr int kWholeAddr = -2147483647 - 1;
Op Addr(Op::Kind kind, int fd, std::vector<uint8_t> addr, int addrlen = kWholeAddr) {
  Op op = Buf(kind, std::move(addr));
  op.fd = fd;
  op.addrlen = addrlen != kWholeAddr ? addrlen : static_cast<int>(op.bytes.size());
  return op;
}
Op BindOp(int fd, std::vector<uint8_t> addr, int addrlen = kWholeAddr) {
  return Addr(Op::kBind, fd, std::move(addr), addrlen);
}
Op ConnectOp(int fd, std::vector<uint8_t> addr, int addrlen = kWholeAddr) {
  return Addr(Op::kConnect, fd, std::move(addr), addrlen);
}
Op SendToOp(int fd, std::vector<uint8_t> addr, uint32_t flags, int addrlen = kWholeAddr) {
  Op op = Addr(Op::kSendTo, fd, std::move(addr), addrlen);
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

  long Run(const Op& op) { return Apply(e_, op); }

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
  op.readable = 26;
  EXPECT_EQ(Run(op), -E2BIG);
}
TEST_F(OracleTest, UnreadableTailBeforeAnyNonzeroByteFaults) {
  Op op = CreateRaw(RulesetAttrWithTail(0, 1, 0, {0, 0, 0, 1}), 28);
  op.readable = 26;
  EXPECT_EQ(Run(op), -EFAULT);
}
TEST_F(OracleTest, UnreadableHeadFaults) {
  Op op = CreateRaw(RulesetAttr(0, 1, 0), 24);
  op.readable = 23;
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
  op.fd = 9;
  EXPECT_EQ(Run(op), -EBADF);
}
TEST_F(OracleTest, AddRuleUnreadableAttrFaults) {
  ASSERT_EQ(Run(Create(0, 1, 0)), 3);
  Op op = PortRule(3, 1, 80);
  op.readable = 15;
  EXPECT_EQ(Run(op), -EFAULT);
  op.null = true;
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
  EXPECT_EQ(Run(ConnectOp(unix_stream, SockaddrIn(80), 1)), 0);
}
TEST_F(Oracle120Test, EveryStreamSocketChecked) {
  Sandbox(kAccessNetAll, {});
  const int mptcp =
      static_cast<int>(Run(SocketOp(net::kAfInet, net::kSockStream, net::kIpprotoMptcp)));
  const int unix_stream = static_cast<int>(Run(SocketOp(net::kAfUnix, net::kSockStream)));
  EXPECT_EQ(Run(ConnectOp(mptcp, SockaddrIn(80))), -EACCES);
  EXPECT_EQ(Run(ConnectOp(unix_stream, SockaddrIn(80))), -EINVAL);  // family mismatch
  EXPECT_EQ(Run(ConnectOp(unix_stream, SockaddrOfFamily(net::kAfUnix, 20))), 0);
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
  no_dest.null = true;
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
// Differential: the oracle with the kernel's profile against the kernel engine.

struct Scenario {
  std::string name;
  TaskSpec spec;
  std::vector<Op> ops;
};

// Where a differential run gets its ops: a fixed list, or a generator that sees each result.
class OpSource {
 public:
  virtual ~OpSource() = default;
  // The next op, or false at the end.
  virtual bool Next(Op* op) = 0;
  // What the kernel returned for the op just handed out.
  virtual void Observe(const Op& op, long kernel_result) {
    (void)op;
    (void)kernel_result;
  }
};

class FixedOps : public OpSource {
 public:
  explicit FixedOps(const std::vector<Op>& ops) : ops_(ops) {}
  bool Next(Op* op) override {
    if (i_ >= ops_.size()) return false;
    *op = ops_[i_++];
    return true;
  }

 private:
  const std::vector<Op>& ops_;
  size_t i_ = 0;
};

class Differential {
 public:
  Differential()
      : kernel_(NewDefaultKernelEngine()), oracle_(ProfileForKernel(*kernel_)->profile) {}
  // An oracle with another revision's profile: for checking that the diff notices.
  explicit Differential(const Profile& profile)
      : kernel_(NewDefaultKernelEngine()), oracle_(profile) {}

  // Counts, per "op-kind result" (e.g. "connect EACCES"), how often the kernel returned it.
  std::map<std::string, int> outcomes;

  std::string Run(const Scenario& s) {
    FixedOps ops(s.ops);
    return Run(s.name, s.spec, ops);
  }

  // Runs the ops of `source` on both engines in a fresh task; returns "" when they agree on
  // every op and the kernel noticed nothing, else a report with the whole op sequence.
  std::string Run(const std::string& name, const TaskSpec& spec, OpSource& source) {
    kernel_->BeginTask(spec);
    oracle_.BeginTask(spec);
    std::string trace;
    std::string failure;
    Op op;
    for (size_t i = 0; failure.empty() && source.Next(&op); ++i) {
      const long k = Apply(*kernel_, op);
      const long o = Apply(oracle_, op);
      source.Observe(op, k);
      const std::string what = op.Describe();
      ++outcomes[absl::StrCat(what.substr(0, what.find('(')), " ",
                              k >= 0 ? (k > 0 ? "positive" : "0") : ErrnoName(k))];
      // New fds are compared as "both valid"; everything else exactly.
      const bool returns_fd = op.kind == Op::kCreate || op.kind == Op::kSocket;
      const bool same = returns_fd && k >= 0 && o >= 0 ? true : k == o;
      absl::StrAppendFormat(&trace, "  %3d %-60s kernel=%-8s oracle=%-8s%s%s\n", i, what,
                            ErrnoName(k), ErrnoName(o), same ? "" : "  <== ",
                            op.bytes.empty() || op.null ? "" : " bytes=" + op.Hex());
      if (!same) failure = absl::StrFormat("op %d differs", i);
    }
    const std::vector<EngineFinding> kf = kernel_->EndTask();
    oracle_.EndTask();
    if (failure.empty() && !kf.empty()) {
      failure = "kernel findings:";
      for (const auto& f : kf) absl::StrAppend(&failure, " ", f.kind, ": ", f.detail, ";");
    }
    if (failure.empty()) return "";
    return absl::StrFormat("scenario %s (no_new_privs=%d cap_sys_admin=%d): %s\n%s", name,
                           spec.no_new_privs, spec.cap_sys_admin, failure, trace);
  }

  const KernelEngine& kernel() const { return *kernel_; }

 private:
  std::unique_ptr<KernelEngine> kernel_;
  OracleEngine oracle_;
};

// A small deterministic generator (splitmix64), so a seed names a scenario forever.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  bool OneIn(uint64_t n) { return Below(n) == 0; }
  template <typename T>
  T Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

// Seeded random ops that reach the edges: fds mostly ones the kernel handed out (rulesets where
// a ruleset is expected, sockets where a socket is), ports from a small set so rules hit, sizes
// and lengths around every boundary, bursts of restrict_self up to 17 layers.
class Generator : public OpSource {
 public:
  Generator(uint64_t seed, size_t num_ops) : rng_(seed), left_(num_ops) {}

  TaskSpec Spec() {
    const uint64_t r = rng_.Below(10);
    return r < 8 ? TaskSpec{true, false} : r < 9 ? TaskSpec{false, false} : TaskSpec{false, true};
  }

  bool Next(Op* op) override {
    if (!pending_.empty()) {
      *op = pending_.back();
      pending_.pop_back();
      return true;
    }
    if (left_ == 0) return false;
    --left_;
    *op = NextOp();
    return true;
  }

  void Observe(const Op& op, long k) override {
    if (op.kind == Op::kCreate && k > 0 && op.flags == 0) rulesets_.push_back(static_cast<int>(k));
    if (op.kind == Op::kSocket && k >= 0) sockets_.push_back(static_cast<int>(k));
    if (op.kind == Op::kClose && k == 0) {
      Forget(rulesets_, op.fd);
      Forget(sockets_, op.fd);
    }
  }

 private:
  static void Forget(std::vector<int>& fds, int fd) {
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i] == fd) {
        fds.erase(fds.begin() + static_cast<long>(i));
        return;
      }
    }
  }

  uint16_t Port() { return static_cast<uint16_t>(rng_.Pick(ports_)); }

  int AnyFd() {
    return rng_.Pick<int>({-1, 0, 2, 3, 4, 5, 6, 7, 255, 256, 1 << 20, -2147483647 - 1});
  }
  int RulesetFd() {
    if (rulesets_.empty() || rng_.OneIn(10)) return rng_.OneIn(2) || sockets_.empty() ? AnyFd() : SocketFd();
    return rulesets_[rng_.Below(rulesets_.size())];
  }
  int SocketFd() {
    if (sockets_.empty() || rng_.OneIn(10)) return rng_.OneIn(2) || rulesets_.empty() ? AnyFd() : RulesetFd();
    return sockets_[rng_.Below(sockets_.size())];
  }

  // Truncate the readable part sometimes; NULL sometimes.
  void Mangle(Op& op) {
    if (rng_.OneIn(25)) op.null = true;
    if (rng_.OneIn(15) && !op.bytes.empty()) op.readable = rng_.Below(op.bytes.size());
  }

  Op NextOp() {
    switch (rng_.Below(20)) {
      case 0: case 1: return MakeCreate();
      case 2: case 3: case 4: case 5: return MakeAddRule();
      case 6: case 7: return MakeRestrict();
      case 8: return rng_.OneIn(3) ? Nnp() : CloseOp(rng_.OneIn(3) ? AnyFd() : rng_.OneIn(2) ? SocketFd() : RulesetFd());
      case 9: case 10: return MakeSocket();
      case 11: case 12: case 13: case 14: return MakeAddrOp(Op::kConnect);
      case 15: case 16: case 17: return MakeAddrOp(Op::kBind);
      default: return MakeAddrOp(Op::kSendTo);
    }
  }

  Op MakeCreate() {
    if (rng_.OneIn(12)) {
      Op q = Query(rng_.Pick<uint32_t>({1, 2, 3, 4, 0x80000000u}));
      if (rng_.OneIn(3)) q.size = 24;
      return q;
    }
    uint64_t fs = rng_.OneIn(2) ? 0 : rng_.Next() & 0xffff;
    if (rng_.OneIn(20)) fs |= 1ull << (16 + rng_.Below(48));
    uint64_t net = rng_.OneIn(8) ? 0 : 1 + rng_.Below(3);
    if (rng_.OneIn(20)) net |= 1ull << (2 + rng_.Below(62));
    uint64_t scope = rng_.OneIn(3) ? rng_.Below(4) : 0;
    if (rng_.OneIn(25)) scope |= 4;
    size_t size = 24;
    std::vector<uint8_t> bytes;
    if (rng_.OneIn(5)) {
      size = rng_.Pick<size_t>({0, 1, 7, 8, 9, 16, 23, 25, 32, 4096, 4097, 100000});
      std::vector<uint8_t> tail;
      if (size > 24 && size <= 4097) {
        tail.assign(size - 24, 0);
        if (rng_.OneIn(3)) tail[rng_.Below(tail.size())] = 1;
      }
      bytes = RulesetAttrWithTail(fs, net, scope, tail);
    } else {
      bytes = RulesetAttr(fs, net, scope);
    }
    Op op = CreateRaw(std::move(bytes), size, rng_.OneIn(25) ? 1 : 0);
    Mangle(op);
    return op;
  }

  Op MakeAddRule() {
    const uint64_t access =
        rng_.OneIn(10) ? rng_.Pick<uint64_t>({0, 4, 1ull << 40}) : 1 + rng_.Below(3);
    Op op;
    if (rng_.OneIn(8)) {
      uint64_t fs = rng_.OneIn(8) ? 0 : rng_.Next() & 0xffff;
      if (rng_.OneIn(10)) fs |= 1ull << 20;
      op = PathRule(RulesetFd(), fs, rng_.OneIn(3) ? AnyFd() : rng_.OneIn(2) ? SocketFd() : RulesetFd());
    } else {
      uint64_t port = Port();
      if (rng_.OneIn(10)) port = rng_.Pick<uint64_t>({65536, 1ull << 32, ~0ull, 70000});
      op = PortRule(RulesetFd(), access, port);
    }
    if (rng_.OneIn(20)) op.rule_type = rng_.Pick<int>({0, 3, -1, 1 << 30});
    if (rng_.OneIn(30)) op.flags = 1;
    Mangle(op);
    return op;
  }

  Op MakeRestrict() {
    const Op op = Restrict(RulesetFd(), rng_.OneIn(20) ? 1 : 0);
    // Sometimes a burst, so the 16-layer limit is reached.
    if (rng_.OneIn(6)) {
      for (uint64_t n = rng_.Below(17); n > 0; --n) pending_.push_back(op);
    }
    return op;
  }

  Op MakeSocket() {
    if (rng_.OneIn(8)) {
      const int type = rng_.Pick<int>(
          {1, 2, 3, 5, 10, 11, 15, 1 | kSockNonblock, 1 | kSockCloexec, 1 | 0x100, -1});
      return SocketOp(rng_.Pick<int>({0, 1, 2, 10, 17, 45, 46, -1}), type,
                      rng_.Pick<int>({0, 1, 6, 17, 136, 262, 99}));
    }
    const int family = rng_.OneIn(2) ? net::kAfInet : net::kAfInet6;
    switch (rng_.Below(8)) {
      case 0: return SocketOp(family, net::kSockDgram);
      case 1: return SocketOp(family, net::kSockStream, net::kIpprotoMptcp);
      case 2: return SocketOp(net::kAfUnix, net::kSockStream);
      case 3: return SocketOp(family, net::kSockStream | kSockNonblock, net::kIpprotoTcp);
      default: return SocketOp(family, net::kSockStream);
    }
  }

  std::vector<uint8_t> Address() {
    const uint16_t port = Port();
    switch (rng_.Below(10)) {
      case 0: case 1: case 2:
        return SockaddrIn(port, rng_.OneIn(3) ? net::kInaddrAny : net::kInaddrLoopback);
      case 3: case 4: case 5:
        return SockaddrIn6(port, rng_.OneIn(3) ? Ipv6Any() : Ipv6Loopback());
      case 6: case 7:
        return SockaddrUnspec(port, rng_.OneIn(2) ? net::kInaddrAny : net::kInaddrLoopback,
                              rng_.Pick<size_t>({2, 8, 15, 16, 23, 24, 28}));
      case 8: return SockaddrOfFamily(rng_.Pick<int>({1, 3, 17, 0xffff}), 2 + rng_.Below(30));
      default: {
        std::vector<uint8_t> b(rng_.Below(40));
        for (auto& x : b) x = static_cast<uint8_t>(rng_.Next());
        if (b.size() >= 2 && rng_.OneIn(2)) {
          b[0] = rng_.Pick<uint8_t>({0, 2, 10});
          b[1] = 0;
        }
        return b;
      }
    }
  }

  Op MakeAddrOp(Op::Kind kind) {
    Op op = Addr(kind, SocketFd(), Address());
    if (rng_.OneIn(6)) {
      op.addrlen = rng_.Pick<int>({-1, 0, 1, 2, 15, 16, 23, 24, 27, 28, 29, 128, 129, 1 << 30});
    }
    if (kind == Op::kSendTo) {
      op.flags = rng_.Pick<uint32_t>({0, net::kMsgFastopen, net::kMsgFastopen,
                                      net::kMsgFastopen | kMsgDontwait, kMsgDontwait,
                                      0x08000000u | net::kMsgFastopen});
    }
    Mangle(op);
    return op;
  }

  Rng rng_;
  size_t left_;
  std::vector<Op> pending_;
  std::vector<int> rulesets_;
  std::vector<int> sockets_;
  std::vector<uint64_t> ports_ = {0, 1, 80, 443, 1024, 8080, 65535, 0x5000};
};

std::vector<Scenario> HandBuilt() {
  std::vector<Scenario> out;
  auto add = [&](std::string name, std::vector<Op> ops, TaskSpec spec = TaskSpec{}) {
    out.push_back(Scenario{std::move(name), spec, std::move(ops)});
  };
  add("queries", {Query(1), Query(2), Query(3), Query(4), CreateRaw(RulesetAttr(0, 1, 0), 24, 1)});
  add("create-sizes",
      {CreateRaw(RulesetAttr(0, 1, 0), 7), CreateRaw(RulesetAttr(0, 1, 0), 8),
       CreateRaw(RulesetAttr(1, 0, 0), 8), CreateRaw(RulesetAttr(0, 1, 0), 16),
       CreateRaw(RulesetAttrSized(0, 1, 0, 4096), 4096), CreateRaw(RulesetAttrSized(0, 1, 0, 4097), 4097),
       CreateRaw(RulesetAttrWithTail(0, 1, 0, {0, 0, 0, 1}), 28), Query(0)});
  {
    Op partial_tail = CreateRaw(RulesetAttrWithTail(0, 1, 0, {1, 0, 0, 0}), 28);
    partial_tail.readable = 26;
    Op exact_tail = CreateRaw(RulesetAttr(0, 1, 0), 25);
    Op short_head = CreateRaw(RulesetAttr(0, 1, 0), 16);
    short_head.readable = 10;
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
    null_dest.null = true;
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
  for (const Scenario& s : HandBuilt()) EXPECT_EQ(d.Run(s), "") << s.name;
}

TEST(DifferentialTest, SeededRandomScenarios) {
  Differential d;
  constexpr uint64_t kScenarios = 2000;
  int failures = 0;
  for (uint64_t seed = 1; seed <= kScenarios && failures < 5; ++seed) {
    Generator g(seed, 10 + seed % 70);
    const TaskSpec spec = g.Spec();
    const std::string report = d.Run(absl::StrCat("seed-", seed), spec, g);
    if (!report.empty()) {
      ++failures;
      ADD_FAILURE() << report;
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
  // Each other profile differs from 6.12.117 in a switch the hand-built scenarios exercise, so
  // the diff must notice it: the switches matter and the comparison is not vacuous.
  const std::string fingerprint = Differential().kernel().Fingerprint();
  for (const Profile& p : KnownProfiles()) {
    bool same_code = false;
    for (const std::string& f : p.fingerprints) same_code = same_code || f == fingerprint;
    if (same_code) continue;
    Differential d(p);
    int disagreements = 0;
    for (const Scenario& s : HandBuilt()) disagreements += d.Run(s).empty() ? 0 : 1;
    if (p.version == "6.12.113" || p.version == "6.12.115") {
      EXPECT_EQ(disagreements, 0) << p.name << " has 6.12.117's network and syscall behaviour";
    } else {
      EXPECT_GT(disagreements, 0) << p.name;
    }
  }
}

}  // namespace
}  // namespace lockstep
