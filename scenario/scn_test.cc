#include "scenario/scn.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/landlock_uapi.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/profile.h"
#include "scenario/random_scenario.h"
#include "scenario/runner.h"

namespace lockstep {
namespace {

Scenario Parse(const std::string& text) {
  absl::StatusOr<Scenario> s = ParseScn(text, "t.scn");
  EXPECT_TRUE(s.ok()) << s.status() << "\n" << text;
  return s.ok() ? *s : Scenario{};
}

Op ParseOne(const std::string& text) {
  Scenario s = Parse(text);
  EXPECT_FALSE(s.ops.empty()) << text;
  return s.ops.empty() ? Op{} : s.ops.back();
}

std::string ParseError(const std::string& text) {
  absl::StatusOr<Scenario> s = ParseScn(text, "t.scn");
  if (s.ok()) return "<parsed>";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

std::vector<uint8_t> Bytes(std::initializer_list<int> b) {
  std::vector<uint8_t> out;
  for (int v : b) out.push_back(static_cast<uint8_t>(v));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing, op by op, with the exact bytes

TEST(ScnParse, EmptyAndCommentsGiveDefaultTask) {
  const Scenario s = Parse("# nothing\n\n   \t# still nothing\n");
  EXPECT_TRUE(s.ops.empty());
  EXPECT_TRUE(s.task.no_new_privs);
  EXPECT_FALSE(s.task.cap_sys_admin);
  EXPECT_TRUE(Parse("").ops.empty());
}

TEST(ScnParse, Task) {
  Scenario s = Parse("task no_new_privs=0 cap_sys_admin=1\nno_new_privs\n");
  EXPECT_FALSE(s.task.no_new_privs);
  EXPECT_TRUE(s.task.cap_sys_admin);
  s = Parse("task cap_sys_admin=1");
  EXPECT_TRUE(s.task.no_new_privs);
  EXPECT_TRUE(s.task.cap_sys_admin);
  s = Parse("task");
  EXPECT_TRUE(s.task.no_new_privs);
  EXPECT_FALSE(s.task.cap_sys_admin);
}

TEST(ScnParse, CreateRulesetStructured) {
  Op op = ParseOne("r = create_ruleset handled_net=bind|connect expect fd");
  EXPECT_EQ(op.kind, OpKind::kCreateRuleset);
  EXPECT_EQ(op.name, "r");
  EXPECT_EQ(op.mem, UserMem::Of(RulesetAttr(0, 3, 0)));
  EXPECT_EQ(op.mem.bytes.size(), 24u);
  EXPECT_EQ(op.size, 24u);
  EXPECT_EQ(op.flags, 0u);
  EXPECT_EQ(op.expect, Outcome::Fd());
  EXPECT_EQ(op.line, 1);

  op = ParseOne("create_ruleset handled_fs=execute|ioctl_dev|0x10000 scoped=signal "
                "size=16 readable=8");
  EXPECT_EQ(op.mem.bytes, RulesetAttr(1 | 0x8000 | 0x10000, 0, 2));
  EXPECT_EQ(op.mem.readable, 8u);
  EXPECT_EQ(op.size, 16u);

  op = ParseOne("create_ruleset");
  EXPECT_EQ(op.mem, UserMem::Of(RulesetAttr(0, 0, 0)));
  EXPECT_EQ(op.size, 24u);

  op = ParseOne("create_ruleset handled_net=0 scoped=abstract_unix_socket|signal|4 "
                "handled_fs=0xffffffffffffffff");
  EXPECT_EQ(op.mem.bytes, RulesetAttr(~0ull, 0, 7));
}

TEST(ScnParse, CreateRulesetRawAndFlags) {
  Op op = ParseOne("create_ruleset attr=0102ff size=30");
  EXPECT_EQ(op.mem, UserMem::Of(Bytes({1, 2, 0xff})));
  EXPECT_EQ(op.size, 30u);
  op = ParseOne("create_ruleset attr=");
  EXPECT_EQ(op.mem, UserMem::Of({}));
  EXPECT_FALSE(op.mem.null);
  EXPECT_EQ(op.size, 0u);
  op = ParseOne("create_ruleset attr=null size=24");
  EXPECT_EQ(op.mem, UserMem::Null());
  EXPECT_EQ(op.size, 24u);
  op = ParseOne("create_ruleset attr=null size=0 flags=version expect 6");
  EXPECT_EQ(op.flags, landlock::kCreateRulesetVersion);
  EXPECT_EQ(op.expect, Outcome::Value(6));
  op = ParseOne("create_ruleset attr=null size=0 flags=errata|version|0x80000000");
  EXPECT_EQ(op.flags, 0x80000003u);
  op = ParseOne("create_ruleset size=18446744073709551615");
  EXPECT_EQ(op.size, ~0ull);
}

TEST(ScnParse, AddRuleNetPort) {
  Scenario s = Parse("r = create_ruleset handled_net=bind\n"
                     "add_rule r net_port allowed=bind port=443 expect 0\n"
                     "add_rule r net_port allowed=bind|connect|4 port=65536 flags=1 readable=9\n"
                     "add_rule -1 net_port allowed=0 port=18446744073709551615\n");
  ASSERT_EQ(s.ops.size(), 4u);
  EXPECT_EQ(s.ops[1].kind, OpKind::kAddRule);
  EXPECT_EQ(s.ops[1].fd, FdRef::Handle(0));
  EXPECT_EQ(s.ops[1].rule_type, landlock::kRuleNetPort);
  EXPECT_EQ(s.ops[1].mem, UserMem::Of(NetPortAttr(1, 443)));
  EXPECT_EQ(s.ops[1].expect, Outcome::Value(0));
  EXPECT_EQ(s.ops[2].mem.bytes, NetPortAttr(7, 65536));
  EXPECT_EQ(s.ops[2].mem.readable, 9u);
  EXPECT_EQ(s.ops[2].flags, 1u);
  EXPECT_EQ(s.ops[3].fd, FdRef::Raw(-1));
  EXPECT_EQ(s.ops[3].mem.bytes, NetPortAttr(0, ~0ull));
  EXPECT_EQ(s.ops[2].line, 3);
}

TEST(ScnParse, AddRulePathBeneath) {
  Scenario s = Parse("r = create_ruleset handled_fs=read_file\n"
                     "dir = socket unix stream\n"
                     "add_rule r path_beneath allowed=read_file|read_dir parent_fd=dir\n"
                     "add_rule r path_beneath allowed=execute parent_fd=-100\n");
  ASSERT_EQ(s.ops.size(), 4u);
  EXPECT_EQ(s.ops[2].rule_type, landlock::kRulePathBeneath);
  EXPECT_EQ(s.ops[2].mem, UserMem::Of(PathBeneathAttr(4 | 8, 0)));
  EXPECT_EQ(s.ops[2].parent_fd, FdRef::Handle(1));
  EXPECT_EQ(s.ops[3].mem, UserMem::Of(PathBeneathAttr(1, -100)));
  EXPECT_FALSE(s.ops[3].parent_fd.has_value());
}

TEST(ScnParse, AddRuleRaw) {
  Scenario s = Parse("r = create_ruleset handled_net=bind\n"
                     "add_rule r net_port attr=0100 readable=1\n"
                     "add_rule r 7 attr=null flags=0x10\n"
                     "add_rule r path_beneath attr=010000000000000000000000 parent_fd=r\n"
                     "add_rule r -3 attr= parent_fd=12\n");
  ASSERT_EQ(s.ops.size(), 5u);
  EXPECT_EQ(s.ops[1].rule_type, 2);
  EXPECT_EQ(s.ops[1].mem.bytes, Bytes({1, 0}));
  EXPECT_EQ(s.ops[1].mem.readable, 1u);
  EXPECT_EQ(s.ops[2].rule_type, 7);
  EXPECT_EQ(s.ops[2].mem, UserMem::Null());
  EXPECT_EQ(s.ops[2].flags, 0x10u);
  EXPECT_EQ(s.ops[3].mem.bytes, PathBeneathAttr(1, 0));
  EXPECT_EQ(s.ops[3].parent_fd, FdRef::Handle(0));
  EXPECT_EQ(s.ops[4].rule_type, -3);
  EXPECT_EQ(s.ops[4].parent_fd, FdRef::Raw(12));
}

TEST(ScnParse, RestrictNoNewPrivsClose) {
  Scenario s = Parse("task no_new_privs=0\n"
                     "r = create_ruleset handled_net=connect\n"
                     "restrict_self r expect EPERM\n"
                     "no_new_privs expect 0\n"
                     "restrict_self r flags=1|2\n"
                     "close r\n"
                     "close 1000 expect EBADF\n");
  ASSERT_EQ(s.ops.size(), 6u);
  EXPECT_EQ(s.ops[1].kind, OpKind::kRestrictSelf);
  EXPECT_EQ(s.ops[1].fd, FdRef::Handle(0));
  EXPECT_EQ(s.ops[1].expect, Outcome::Errno(1));
  EXPECT_EQ(s.ops[2].kind, OpKind::kSetNoNewPrivs);
  EXPECT_EQ(s.ops[3].flags, 3u);
  EXPECT_EQ(s.ops[4].kind, OpKind::kClose);
  EXPECT_EQ(s.ops[5].fd, FdRef::Raw(1000));
  EXPECT_EQ(s.ops[5].expect, Outcome::Errno(9));
}

TEST(ScnParse, TasksForkKillPtrace) {
  Scenario s = Parse("c = fork expect fd\n"
                     "t = thread\n"
                     "kill c SIGUSR1 expect EPERM\n"
                     "kill t 0\n"
                     "kill 7 -1 expect EINVAL\n"
                     "kill c 33\n"
                     "ptrace c expect 0\n"
                     "ptrace 0\n");
  ASSERT_EQ(s.ops.size(), 8u);
  EXPECT_EQ(s.ops[0].kind, OpKind::kFork);
  EXPECT_EQ(s.ops[0].name, "c");
  EXPECT_EQ(s.ops[2].kind, OpKind::kKill);
  EXPECT_EQ(s.ops[2].fd, FdRef::Handle(0));
  EXPECT_EQ(s.ops[2].flags, 10u);
  EXPECT_EQ(s.ops[2].expect, Outcome::Errno(1));
  EXPECT_EQ(s.ops[3].fd, FdRef::Handle(1));
  EXPECT_EQ(s.ops[3].flags, 0u);
  EXPECT_EQ(s.ops[4].fd, FdRef::Raw(7));
  EXPECT_EQ(s.ops[4].flags, 0xffffffffu);
  EXPECT_EQ(s.ops[5].flags, 33u);
  EXPECT_EQ(s.ops[6].kind, OpKind::kPtrace);
  EXPECT_EQ(s.ops[6].fd, FdRef::Handle(0));
  EXPECT_EQ(s.ops[7].fd, FdRef::Raw(0));
  // Printed back: signals by name where they have one.
  EXPECT_EQ(PrintScn(s), "c = fork expect fd\n"
                         "t = thread\n"
                         "kill c SIGUSR1 expect EPERM\n"
                         "kill t 0\n"
                         "kill 7 -1 expect EINVAL\n"
                         "kill c 33\n"
                         "ptrace c expect 0\n"
                         "ptrace 0\n");
}

TEST(ScnParse, Socket) {
  Op op = ParseOne("s = socket inet stream");
  EXPECT_EQ(op.kind, OpKind::kSocket);
  EXPECT_EQ(op.family, 2);
  EXPECT_EQ(op.type, 1);
  EXPECT_EQ(op.protocol, 0);
  op = ParseOne("socket inet6 dgram|nonblock|cloexec udp");
  EXPECT_EQ(op.family, 10);
  EXPECT_EQ(op.type, 2 | 0x800 | 0x80000);
  EXPECT_EQ(op.protocol, 17);
  op = ParseOne("socket unix seqpacket mptcp");
  EXPECT_EQ(op.family, 1);
  EXPECT_EQ(op.type, 5);
  EXPECT_EQ(op.protocol, 262);
  op = ParseOne("socket unspec raw sctp");
  EXPECT_EQ(op.type, 3);
  EXPECT_EQ(op.protocol, 132);
  op = ParseOne("socket 99 -7 -1");
  EXPECT_EQ(op.family, 99);
  EXPECT_EQ(op.type, -7);
  EXPECT_EQ(op.protocol, -1);
  op = ParseOne("socket 0x2 1 udplite");
  EXPECT_EQ(op.family, 2);
  EXPECT_EQ(op.protocol, 136);
  op = ParseOne("socket inet stream tcp");
  EXPECT_EQ(op.protocol, 6);
}

TEST(ScnParse, Addresses) {
  Scenario s = Parse(
      "s = socket inet stream\n"
      "bind s inet:127.0.0.1:443\n"               // 1
      "connect s inet6:[::1]:80\n"                // 2
      "bind s unspec\n"                           // 3
      "connect s unspec:1.2.3.4:5\n"              // 4
      "connect s unspec6:[fe80::1:2]:9\n"         // 5
      "bind s family:1:110\n"                     // 6
      "bind s hex:0a0B addrlen=-1 readable=1\n"   // 7
      "sendto s null flags=fastopen\n"            // 8
      "sendto s inet:0.0.0.0:0 addrlen=2147483647 flags=dontwait|fastopen|0x1\n"  // 9
      "connect 3 inet6:[1:2:3:4:5:6:7:8]:65535 readable=0\n"                      // 10
      "bind s hex:\n");                           // 11
  ASSERT_EQ(s.ops.size(), 12u);
  EXPECT_EQ(s.ops[1].kind, OpKind::kBind);
  EXPECT_EQ(s.ops[1].fd, FdRef::Handle(0));
  EXPECT_EQ(s.ops[1].mem, UserMem::Of(SockaddrIn(443, 0x7f000001)));
  EXPECT_EQ(s.ops[1].addrlen, 16);
  EXPECT_EQ(s.ops[2].kind, OpKind::kConnect);
  EXPECT_EQ(s.ops[2].mem, UserMem::Of(SockaddrIn6(80)));
  EXPECT_EQ(s.ops[2].addrlen, 28);
  EXPECT_EQ(s.ops[3].mem, UserMem::Of(std::vector<uint8_t>(16, 0)));
  EXPECT_EQ(s.ops[3].addrlen, 16);
  EXPECT_EQ(s.ops[4].mem, UserMem::Of(SockaddrUnspec(5, 0x01020304)));
  std::vector<uint8_t> a6(16, 0);
  a6[0] = 0xfe;
  a6[1] = 0x80;
  a6[13] = 1;
  a6[15] = 2;
  std::vector<uint8_t> u6 = SockaddrIn6(9, a6);
  u6[0] = u6[1] = 0;
  EXPECT_EQ(s.ops[5].mem, UserMem::Of(u6));
  EXPECT_EQ(s.ops[6].mem, UserMem::Of(SockaddrOfFamily(1, 110)));
  EXPECT_EQ(s.ops[6].addrlen, 110);
  EXPECT_EQ(s.ops[7].mem.bytes, Bytes({0x0a, 0x0b}));
  EXPECT_EQ(s.ops[7].mem.readable, 1u);
  EXPECT_EQ(s.ops[7].addrlen, -1);
  EXPECT_EQ(s.ops[8].kind, OpKind::kSendTo);
  EXPECT_EQ(s.ops[8].mem, UserMem::Null());
  EXPECT_EQ(s.ops[8].addrlen, 0);
  EXPECT_EQ(s.ops[8].flags, net::kMsgFastopen);
  EXPECT_EQ(s.ops[9].mem, UserMem::Of(SockaddrIn(0, 0)));
  EXPECT_EQ(s.ops[9].addrlen, INT32_MAX);
  EXPECT_EQ(s.ops[9].flags, 0x20000041u);
  EXPECT_EQ(s.ops[10].fd, FdRef::Raw(3));
  EXPECT_EQ(s.ops[10].mem.bytes,
            SockaddrIn6(65535, Bytes({0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8})));
  EXPECT_EQ(s.ops[10].mem.readable, 0u);
  EXPECT_EQ(s.ops[11].mem, UserMem::Of({}));
  EXPECT_EQ(s.ops[11].addrlen, 0);
}

TEST(ScnParse, Ipv6Forms) {
  const auto addr = [](const std::string& text) {
    Op op = ParseOne("connect 3 inet6:[" + text + "]:1");
    return std::vector<uint8_t>(op.mem.bytes.begin() + 8, op.mem.bytes.begin() + 24);
  };
  EXPECT_EQ(addr("::"), std::vector<uint8_t>(16, 0));
  EXPECT_EQ(addr("::1"), Ipv6Loopback());
  EXPECT_EQ(addr("1::"), Bytes({0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(addr("ABCD:ef01::2:0:3"),
            Bytes({0xab, 0xcd, 0xef, 0x01, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3}));
  EXPECT_EQ(addr("0:0:0:0:0:ffff:7f00:1"),
            Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x7f, 0, 0, 1}));
}

TEST(ScnParse, Outcomes) {
  EXPECT_EQ(ParseOne("no_new_privs expect EACCES").expect, Outcome::Errno(13));
  EXPECT_EQ(ParseOne("no_new_privs expect EWOULDBLOCK").expect, Outcome::Errno(11));
  EXPECT_EQ(ParseOne("no_new_privs expect EAGAIN").expect, Outcome::Errno(11));
  EXPECT_EQ(ParseOne("no_new_privs expect ENOMSG").expect, Outcome::Errno(42));
  EXPECT_EQ(ParseOne("no_new_privs expect ERESTARTSYS").expect, Outcome::Errno(512));
  EXPECT_EQ(ParseOne("no_new_privs expect errno4000").expect, Outcome::Errno(4000));
  EXPECT_EQ(ParseOne("no_new_privs expect 0").expect, Outcome::Value(0));
  EXPECT_EQ(ParseOne("no_new_privs expect -5").expect, Outcome::Value(-5));
  EXPECT_EQ(ParseOne("socket inet stream expect fd").expect, Outcome::Fd());
  EXPECT_FALSE(ParseOne("no_new_privs").expect.has_value());
}

TEST(ScnParse, BehaviourKeyedExpects) {
  Op op = ParseOne(
      "s = socket inet stream\nbind s inet:0.0.0.0:80 expect EINVAL "
      "expect[net_checks_need_requested_right,abi_version>=7] 0 "
      "expect[!sendmsg_fastopen_checked] EACCES");
  ASSERT_EQ(op.expect_overrides.size(), 2u);
  EXPECT_EQ(op.expect, Outcome::Errno(22));
  using Cmp = Op::ExpectCondition::Cmp;
  EXPECT_EQ(op.expect_overrides[0].when,
            (std::vector<Op::ExpectCondition>{{"net_checks_need_requested_right", Cmp::kNe, 0},
                                              {"abi_version", Cmp::kGe, 7}}));
  EXPECT_EQ(op.expect_overrides[0].outcome, Outcome::Value(0));
  EXPECT_EQ(op.expect_overrides[1].when,
            (std::vector<Op::ExpectCondition>{{"sendmsg_fastopen_checked", Cmp::kEq, 0}}));
  EXPECT_EQ(op.expect_overrides[1].outcome, Outcome::Errno(13));
  // The first override whose conditions all hold wins; none: the plain expect; no profile: the
  // plain expect.
  Profile p = ProfileForVersion("6.12.117");  // sendmsg checked, ABI 6
  EXPECT_EQ(ExpectFor(op, &p).outcome, Outcome::Errno(22));
  p.sendmsg_fastopen_checked = false;
  EXPECT_EQ(ExpectFor(op, &p).outcome, Outcome::Errno(13));
  p.net_checks_need_requested_right = true;
  p.abi_version = 7;
  EXPECT_EQ(ExpectFor(op, &p).outcome, Outcome::Value(0));
  EXPECT_EQ(ExpectFor(op, nullptr).outcome, Outcome::Errno(22));
  // An undetermined switch that an override needs leaves the expectation unknown, unless a
  // determined condition of that override is false.
  p.undetermined = {"abi_version"};
  EXPECT_FALSE(ExpectFor(op, &p).outcome.has_value());
  EXPECT_EQ(ExpectFor(op, &p).undetermined, "abi_version");
  p.net_checks_need_requested_right = false;
  EXPECT_EQ(ExpectFor(op, &p).outcome, Outcome::Errno(13));
  // Named values and hex.
  op = ParseOne("no_new_privs expect[tcp_check=sock_stream,errata!=0xf,family_mismatch_errno=EINVAL] 0");
  EXPECT_FALSE(op.expect.has_value());
  ASSERT_EQ(op.expect_overrides.size(), 1u);
  EXPECT_EQ(op.expect_overrides[0].when[0].value, 1);
  EXPECT_EQ(op.expect_overrides[0].when[1].value, 0xf);
  EXPECT_EQ(op.expect_overrides[0].when[2].value, -22);
  Profile q = ProfileForVersion("6.12.117");
  EXPECT_FALSE(ExpectFor(op, &q).outcome.has_value());  // sk_is_tcp: no override, no plain
  // Printed after the plain expect, and parsed back the same.
  const Scenario s = Parse(
      "s = socket inet stream\nbind s inet:0.0.0.0:80 expect EINVAL "
      "expect[!sendmsg_fastopen_checked,tcp_check=sock_stream] 0\n");
  EXPECT_EQ(PrintScn(s),
            "s = socket inet stream\nbind s inet:0.0.0.0:80 expect EINVAL "
            "expect[!sendmsg_fastopen_checked,tcp_check=sock_stream] 0\n");
  EXPECT_EQ(Parse(PrintScn(s)), s);
  Scenario other = s;
  other.ops[1].expect_overrides[0].outcome = Outcome::Errno(13);
  EXPECT_FALSE(other == s);
}

TEST(ScnParse, WhitespaceCommentsAndCrlf) {
  Scenario s = Parse("# header\r\n"
                     "\t s \t=\tsocket   inet\tstream # trailing comment, ünïcode ok\r\n"
                     "\r\n"
                     "bind s inet:127.0.0.1:1#no space needed\n"
                     "close s");
  ASSERT_EQ(s.ops.size(), 3u);
  EXPECT_EQ(s.ops[0].name, "s");
  EXPECT_EQ(s.ops[0].line, 2);
  EXPECT_EQ(s.ops[1].mem, UserMem::Of(SockaddrIn(1)));
  EXPECT_EQ(s.ops[1].line, 4);
  EXPECT_EQ(s.ops[2].line, 5);
}

TEST(ScnParse, NamesMayShadowKeywordsExceptExpect) {
  Scenario s = Parse("close = socket inet stream\nclose close\ntask = socket unix dgram\n"
                     "bind task null\n");
  ASSERT_EQ(s.ops.size(), 4u);
  EXPECT_EQ(s.ops[1].fd, FdRef::Handle(0));
  EXPECT_EQ(s.ops[3].fd, FdRef::Handle(2));
}

// ---------------------------------------------------------------------------------------------
// Printing

Op Named(Op op, std::string name) {
  op.name = std::move(name);
  return op;
}

TEST(ScnPrint, CanonicalForms) {
  Scenario s;
  s.task.no_new_privs = false;
  Op rs;
  rs.kind = OpKind::kCreateRuleset;
  rs.mem = UserMem::Of(RulesetAttr(landlock::kAccessFsReadFile | (1ull << 20), 3, 0));
  rs.size = 24;
  rs.expect = Outcome::Fd();
  s.ops.push_back(Named(rs, "r"));
  Op sock;
  sock.kind = OpKind::kSocket;
  sock.family = 10;
  sock.type = 1 | 0x80000;
  sock.protocol = 262;
  s.ops.push_back(Named(sock, "s6"));
  Op rule;
  rule.kind = OpKind::kAddRule;
  rule.fd = FdRef::Handle(0);
  rule.rule_type = 2;
  rule.mem = UserMem::Of(NetPortAttr(2, 65536));
  rule.expect = Outcome::Errno(22);
  s.ops.push_back(rule);
  Op pb = rule;
  pb.rule_type = 1;
  pb.mem = UserMem::Of(PathBeneathAttr(landlock::kAccessFsExecute, 0));
  pb.parent_fd = FdRef::Handle(1);
  pb.expect.reset();
  s.ops.push_back(pb);
  Op bind;
  bind.kind = OpKind::kBind;
  bind.fd = FdRef::Handle(1);
  bind.mem = UserMem::Of(SockaddrIn(443));
  bind.addrlen = 16;
  bind.expect = Outcome::Value(0);
  s.ops.push_back(bind);
  Op conn = bind;
  conn.kind = OpKind::kConnect;
  conn.mem = UserMem::Of(SockaddrIn6(80, Bytes({0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})));
  conn.addrlen = 24;
  conn.expect = Outcome::Errno(13);
  s.ops.push_back(conn);
  Op send = bind;
  send.kind = OpKind::kSendTo;
  send.mem = UserMem::Null();
  send.addrlen = 0;
  send.flags = net::kMsgFastopen | 0x40 | 0x1;
  send.expect.reset();
  s.ops.push_back(send);
  Op nnp;
  nnp.kind = OpKind::kSetNoNewPrivs;
  s.ops.push_back(nnp);
  Op rsf;
  rsf.kind = OpKind::kRestrictSelf;
  rsf.fd = FdRef::Handle(0);
  s.ops.push_back(rsf);
  Op cl;
  cl.kind = OpKind::kClose;
  cl.fd = FdRef::Raw(-1);
  cl.expect = Outcome::Errno(9);
  s.ops.push_back(cl);

  EXPECT_EQ(PrintScn(s),
            "task no_new_privs=0\n"
            "r = create_ruleset handled_fs=read_file|0x100000 handled_net=bind|connect expect fd\n"
            "s6 = socket inet6 stream|cloexec mptcp\n"
            "add_rule r net_port allowed=connect port=65536 expect EINVAL\n"
            "add_rule r path_beneath allowed=execute parent_fd=s6\n"
            "bind s6 inet:127.0.0.1:443 expect 0\n"
            "connect s6 inet6:[2001:db8::1]:80 addrlen=24 expect EACCES\n"
            "sendto s6 null flags=oob|dontwait|fastopen\n"
            "no_new_privs\n"
            "restrict_self r\n"
            "close -1 expect EBADF\n");
  EXPECT_EQ(*ParseScn(PrintScn(s), "p.scn"), s);
}

TEST(ScnPrint, FilesystemCanonicalForms) {
  const struct {
    const char* in;
    const char* out;
  } kCases[] = {
      {"open a 0", "f = open a rdonly\n"},
      {"open a 3|0x40", "f = open a 3|creat\n"},
      {"open a creat|wronly|0x800", "f = open a wronly|creat|0x800\n"},
      {"open a path", "f = open a rdonly|path\n"},
      {"mknod a char:0:0", "mknod a whiteout\n"},
      {"mknod a 0100000", "mknod a reg\n"},
      {"mknod a 0020000", "mknod a whiteout\n"},
      {"mknod a reg mode=0755", "mknod a reg\n"},
      {"mknod a reg mode=0 dev=0", "mknod a reg mode=00\n"},
      {"mknod a 0170000 mode=4755", "mknod a 0170000 mode=04755\n"},
      {"mknod a block:0:0", "mknod a block:0:0\n"},
      {"rename a b flags=0", "rename a b\n"},
      {"rename a b flags=8|exchange", "rename a b flags=exchange|0x8\n"},
      {"ioctl 3 21531", "ioctl 3 fionread\n"},
      {"ioctl 3 7", "ioctl 3 0x7\n"},
  };
  for (const auto& c : kCases) {
    Scenario s = Parse(absl::StrCat(absl::string_view(c.in).substr(0, 4) == "open" ? "f = " : "",
                                    c.in));
    for (Op& op : s.ops) op.line = 0;
    EXPECT_EQ(PrintScn(s), c.out) << c.in;
  }
}

TEST(ScnPrint, FilesystemOpsBuiltInCode) {
  Scenario s;
  Op open;
  open.kind = OpKind::kOpen;  // unnamed, referenced below: gets a name
  open.path = "a";
  Op mkdir;
  mkdir.kind = OpKind::kMkdir;
  mkdir.path = "../etc/x";  // what the runner passes instead: a valid path
  mkdir.at = FdRef::Handle(0);
  mkdir.at2 = FdRef::Handle(0);  // not used by mkdir: not printed
  mkdir.fd = FdRef::Raw(9);      // not used by mkdir: not printed
  Op link;
  link.kind = OpKind::kLink;
  link.path = "";
  link.path2 = "/abs//x/";
  link.at2 = FdRef::Handle(1);  // mkdir returns no fd
  Op mknod;
  mknod.kind = OpKind::kMknod;
  mknod.path = "expect";
  mknod.mode = 0;
  s.ops = {open, mkdir, link, mknod};
  const std::string text = PrintScn(s);
  EXPECT_EQ(text,
            "fd0 = open a rdonly\n"
            "mkdir etc/x at=fd0\n"
            "link . abs/x at2=-1\n"
            "mknod expect_ 0 mode=00\n");
  EXPECT_TRUE(ParseScn(text, "p.scn").ok());
}

TEST(ScnPrint, AbstractUnixAddressesAndListen) {
  const Scenario s = Parse(
      "s = socket unix dgram\n"
      "bind s abstract:srv.1-x_Y\n"
      "listen s expect EOPNOTSUPP\n"
      "connect s hex:01000061\n"       // family, NUL, "a": an abstract name
      "connect s hex:0100006100\n"     // a NUL inside: only hex says it
      "connect s hex:01002f61\n"       // a pathname without its NUL: only hex says it
      "connect s path:d/s.1\n");      // a pathname and its NUL
  ASSERT_EQ(s.ops.size(), 7u);
  EXPECT_EQ(s.ops[6].mem, UserMem::Of({1, 0, 'd', '/', 's', '.', '1', 0}));
  std::vector<uint8_t> name = {1, 0, 0};
  for (char c : std::string("srv.1-x_Y")) name.push_back(static_cast<uint8_t>(c));
  EXPECT_EQ(s.ops[1].mem, UserMem::Of(name));
  EXPECT_EQ(s.ops[1].addrlen, 12);
  EXPECT_EQ(s.ops[2].kind, OpKind::kListen);
  EXPECT_EQ(s.ops[2].fd, FdRef::Handle(0));
  EXPECT_EQ(PrintScn(s),
            "s = socket unix dgram\n"
            "bind s abstract:srv.1-x_Y\n"
            "listen s expect EOPNOTSUPP\n"
            "connect s abstract:a\n"
            "connect s hex:0100006100\n"
            "connect s hex:01002f61\n"
            "connect s path:d/s.1\n");
}

TEST(ScnPrint, RawForms) {
  const auto print = [](const std::string& text) { return PrintScn(Parse(text)); };
  EXPECT_EQ(print("create_ruleset attr=00112233"), "create_ruleset attr=00112233\n");
  EXPECT_EQ(print("create_ruleset attr=null"), "create_ruleset attr=null\n");
  EXPECT_EQ(print("create_ruleset attr= size=4"), "create_ruleset attr= size=4\n");
  EXPECT_EQ(print("create_ruleset handled_net=1 size=16 readable=8 flags=3"),
            "create_ruleset handled_net=bind size=16 readable=8 flags=version|errata\n");
  EXPECT_EQ(print("create_ruleset flags=version|0x100 size=0 attr=null"),
            "create_ruleset attr=null flags=version|0x100\n");
  // A 24-byte attr is always structured: every 24 bytes are three u64 fields.
  EXPECT_EQ(print("create_ruleset attr=020000000000000000000000000000000100000000000000"),
            "create_ruleset handled_fs=write_file scoped=abstract_unix_socket\n");
  EXPECT_EQ(print("add_rule 3 net_port attr=01"), "add_rule 3 net_port attr=01\n");
  EXPECT_EQ(print("add_rule 3 99 attr=0100000000000000bb01000000000000"),
            "add_rule 3 99 attr=0100000000000000bb01000000000000\n");
  EXPECT_EQ(print("add_rule 3 net_port attr=0100000000000000bb01000000000000 readable=15"),
            "add_rule 3 net_port allowed=bind port=443 readable=15\n");
  EXPECT_EQ(print("add_rule 3 path_beneath attr=010000000000000005000000"),
            "add_rule 3 path_beneath allowed=execute parent_fd=5\n");
  EXPECT_EQ(print("add_rule 3 path_beneath attr=010000000000000005000000 parent_fd=7"),
            "add_rule 3 path_beneath attr=010000000000000005000000 parent_fd=7\n");
  EXPECT_EQ(print("r = create_ruleset\nadd_rule r path_beneath attr=010000000000000005000000 "
                  "parent_fd=r"),
            "r = create_ruleset\n"
            "add_rule r path_beneath attr=010000000000000005000000 parent_fd=r\n");
  EXPECT_EQ(print("add_rule 3 net_port allowed=0x4 port=0 flags=0x10"),
            "add_rule 3 net_port allowed=0x4 port=0 flags=0x10\n");
  EXPECT_EQ(print("bind 3 hex:0200"), "bind 3 family:2:2\n");
  EXPECT_EQ(print("bind 3 hex:02000001"), "bind 3 hex:02000001\n");
  EXPECT_EQ(print("bind 3 hex:"), "bind 3 hex:\n");
  EXPECT_EQ(print("bind 3 hex:00000000000000000000000000000000"), "bind 3 unspec\n");
  EXPECT_EQ(print("bind 3 hex:020001bb7f0000010000000000000000"),
            "bind 3 inet:127.0.0.1:443\n");
  EXPECT_EQ(print("bind 3 hex:020001bb7f0000010000000000000001"),
            "bind 3 hex:020001bb7f0000010000000000000001\n");
  EXPECT_EQ(print("bind 3 unspec:10.0.0.1:8080 addrlen=8"),
            "bind 3 unspec:10.0.0.1:8080 addrlen=8\n");
  EXPECT_EQ(print("bind 3 unspec6:[::]:0"), "bind 3 unspec6:[::]:0\n");
  EXPECT_EQ(print("bind 3 inet6:[0:0:1:0:0:0:1:0]:1"), "bind 3 inet6:[0:0:1::1:0]:1\n");
  EXPECT_EQ(print("bind 3 inet6:[1:0:0:2:0:0:0:3]:1"), "bind 3 inet6:[1:0:0:2::3]:1\n");
  EXPECT_EQ(print("bind 3 inet6:[1:0:2:3:4:5:6:7]:1"), "bind 3 inet6:[1:0:2:3:4:5:6:7]:1\n");
  EXPECT_EQ(print("connect 3 null addrlen=16"), "connect 3 null addrlen=16\n");
  EXPECT_EQ(print("sendto 3 family:10:24 readable=3 flags=0"),
            "sendto 3 family:10:24 readable=3\n");
  EXPECT_EQ(print("socket 99 7 0"), "socket 99 7\n");
  EXPECT_EQ(print("socket inet 0x804 -1"), "socket inet 2052 -1\n");
  EXPECT_EQ(print("socket inet -2147483648 0"), "socket inet -2147483648\n");
  EXPECT_EQ(print("socket inet stream|nonblock 6"), "socket inet stream|nonblock tcp\n");
  EXPECT_EQ(print("restrict_self 3 flags=0x7"), "restrict_self 3 flags=0x7\n");
  EXPECT_EQ(print("no_new_privs expect errno4000"), "no_new_privs expect errno4000\n");
  EXPECT_EQ(print("no_new_privs expect EWOULDBLOCK"), "no_new_privs expect EAGAIN\n");
  EXPECT_EQ(print("task cap_sys_admin=1 no_new_privs=1"), "task cap_sys_admin=1\n");
}

TEST(ScnPrint, ScenariosBuiltInCodeStillPrintParseably) {
  Scenario s;
  Op sock;
  sock.kind = OpKind::kSocket;
  sock.family = 2;
  sock.type = 1;
  s.ops.push_back(sock);  // unnamed but referenced: gets a fresh name
  Op bad = Named(sock, "bad-name");
  s.ops.push_back(bad);
  Op bind;
  bind.kind = OpKind::kBind;
  bind.fd = FdRef::Handle(0);
  bind.mem = UserMem::Of(SockaddrIn(1));
  bind.addrlen = 16;
  bind.name = "not_an_fd";  // ignored: bind returns no fd
  s.ops.push_back(bind);
  bind.fd = FdRef::Handle(7);  // a later op: prints as the -1 the runner passes
  s.ops.push_back(bind);
  bind.fd = FdRef::Handle(2);  // an op that returns no fd
  s.ops.push_back(bind);
  EXPECT_EQ(PrintScn(s),
            "fd0 = socket inet stream\n"
            "fd1 = socket inet stream\n"
            "bind fd0 inet:127.0.0.1:1\n"
            "bind -1 inet:127.0.0.1:1\n"
            "bind -1 inet:127.0.0.1:1\n");
  EXPECT_TRUE(ParseScn(PrintScn(s), "p.scn").ok());
}

TEST(ScnParse, FilesystemOps) {
  const Scenario s = Parse(
      "mkdir a\n"
      "d = open a path|directory\n"
      "mkdir b/c-1.x at=d\n"
      "mknod a/n char:1:3 mode=0600 at=3\n"
      "mknod w whiteout\n"
      "mknod f fifo dev=7\n"
      "mknod t 0140000 mode=7\n"
      "mknod k block:259:65536\n"
      "f = open a/x wronly|creat|trunc|0x400\n"
      "execute a/x at=d\n"
      "truncate .\n"
      "ftruncate f\n"
      "unlink a/x\n"
      "rmdir a at=-100\n"
      "rename a b flags=exchange|noreplace at=d at2=f\n"
      "link a b at2=d\n"
      "ioctl f fionread\n"
      "ioctl 3 0x1234\n"
      "bind_mount a b at=d\n"
      "r = create_ruleset handled_fs=read_file\n"
      "add_rule r path_beneath allowed=read_file parent_fd=d\n");
  ASSERT_EQ(s.ops.size(), 21u);
  EXPECT_EQ(s.ops[0].kind, OpKind::kMkdir);
  EXPECT_EQ(s.ops[0].path, "a");
  EXPECT_FALSE(s.ops[0].at.has_value());
  EXPECT_EQ(s.ops[1].kind, OpKind::kOpen);
  EXPECT_EQ(s.ops[1].name, "d");
  EXPECT_EQ(s.ops[1].flags, 010000000u | 0200000u);
  EXPECT_EQ(s.ops[2].at, FdRef::Handle(1));
  EXPECT_EQ(s.ops[2].path, "b/c-1.x");
  EXPECT_EQ(s.ops[3].mode, 0020600u);
  EXPECT_EQ(s.ops[3].dev, 0x103u);  // makedev(1, 3)
  EXPECT_EQ(s.ops[3].at, FdRef::Raw(3));
  EXPECT_EQ(s.ops[4].mode, 0020755u);
  EXPECT_EQ(s.ops[4].dev, 0u);
  EXPECT_EQ(s.ops[5].mode, 0010755u);
  EXPECT_EQ(s.ops[5].dev, 7u);
  EXPECT_EQ(s.ops[6].mode, 0140007u);
  // glibc: major 259 -> bits 8..19; minor 65536 -> (minor & ~0xff) << 12.
  EXPECT_EQ(s.ops[7].mode, 0060755u);
  EXPECT_EQ(s.ops[7].dev, (uint64_t{259} << 8) | (uint64_t{65536} << 12));
  EXPECT_EQ(s.ops[8].flags, 1u | 0100u | 01000u | 0x400u);
  EXPECT_EQ(s.ops[9].kind, OpKind::kExecute);
  EXPECT_EQ(s.ops[10].path, ".");
  EXPECT_EQ(s.ops[11].fd, FdRef::Handle(8));
  EXPECT_EQ(s.ops[13].at, FdRef::Raw(-100));
  EXPECT_EQ(s.ops[14].flags, 3u);
  EXPECT_EQ(s.ops[14].path2, "b");
  EXPECT_EQ(s.ops[14].at2, FdRef::Handle(8));
  EXPECT_FALSE(s.ops[15].at.has_value());
  EXPECT_EQ(s.ops[15].at2, FdRef::Handle(1));
  EXPECT_EQ(s.ops[16].flags, 0x541bu);
  EXPECT_EQ(s.ops[17].flags, 0x1234u);
  EXPECT_EQ(s.ops[18].kind, OpKind::kBindMount);
  EXPECT_EQ(s.ops[20].parent_fd, FdRef::Handle(1));
  EXPECT_EQ(s.ops[20].mem, UserMem::Of(PathBeneathAttr(landlock::kAccessFsReadFile, 0)));
}

TEST(ScnParse, IoctlCommandNumbers) {
  // include/uapi/asm-generic/ioctls.h and include/uapi/linux/fs.h (6.12, x86_64).
  const struct {
    const char* name;
    uint32_t cmd;
  } kCommands[] = {{"fioclex", 0x5451},          {"fionclex", 0x5450},
                   {"fionbio", 0x5421},          {"fioasync", 0x5452},
                   {"fioqsize", 0x5460},         {"fifreeze", 0xc0045877},
                   {"fithaw", 0xc0045878},       {"fs_ioc_fiemap", 0xc020660b},
                   {"figetbsz", 0x2},            {"ficlone", 0x40049409},
                   {"ficlonerange", 0x4020940d}, {"fideduperange", 0xc0189436},
                   {"fs_ioc_getfsuuid", 0x80111500}, {"fs_ioc_getfssysfspath", 0x80811501},
                   {"fionread", 0x541b},         {"fs_ioc_getflags", 0x80086601},
                   {"fs_ioc_setflags", 0x40086602}};
  for (const auto& c : kCommands) {
    const Op op = ParseOne(absl::StrCat("ioctl 3 ", c.name));
    EXPECT_EQ(op.flags, c.cmd) << c.name;
    Scenario s;
    s.ops.push_back(op);
    s.ops[0].line = 0;
    EXPECT_EQ(PrintScn(s), absl::StrCat("ioctl 3 ", c.name, "\n"));
  }
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST(ScnRoundTrip, HandWritten) {
  const char* const kTexts[] = {
      "",
      "task no_new_privs=0\nno_new_privs expect 0\n",
      "r = create_ruleset handled_net=bind|connect expect fd\n"
      "add_rule r net_port allowed=bind port=443 expect 0\n"
      "add_rule r net_port allowed=connect port=65536 expect EINVAL\n"
      "restrict_self r expect 0\n"
      "s = socket inet stream tcp expect fd\n"
      "bind s inet:127.0.0.1:443 expect 0\n"
      "bind s inet:127.0.0.1:444 expect EACCES\n"
      "connect s unspec expect 0\n"
      "bind s unspec:0.0.0.0:443 addrlen=15 expect EINVAL\n"
      "sendto s inet:127.0.0.1:9 flags=fastopen expect EACCES\n"
      "close s expect 0\n",
      "create_ruleset attr=null size=0 flags=version expect 7\n"
      "create_ruleset attr=null size=0 flags=errata expect 3\n"
      "create_ruleset handled_net=bind size=32 attr=0 # oops, mixed\n",
      "r = create_ruleset handled_fs=read_file|write_file scoped=signal readable=12\n"
      "d = socket unix stream\n"
      "add_rule r path_beneath allowed=read_file parent_fd=d\n"
      "add_rule r path_beneath allowed=read_file parent_fd=-1\n"
      "add_rule r 0 attr=ff readable=0\n"
      "s6 = socket inet6 stream\n"
      "connect s6 inet6:[::ffff:7f00:1]:80 addrlen=24 readable=20\n"
      "connect s6 unspec6:[fe80::]:1\n"
      "bind s6 family:10:23\n"
      "bind s6 hex:0a00\n"
      "sendto s6 null\n",
      "task cap_sys_admin=1\n"
      "mkdir a expect 0\n"
      "mkdir a/b\n"
      "bind_mount a/b . expect 0\n"
      "d = open a path|directory expect fd\n"
      "f = open b/x rdwr|creat at=d expect EACCES\n"
      "r = create_ruleset handled_fs=make_reg|truncate|ioctl_dev|refer\n"
      "add_rule r path_beneath allowed=make_reg|refer parent_fd=d\n"
      "restrict_self r\n"
      "mknod a/null char:1:3 mode=0666\n"
      "mknod a/w whiteout at=d\n"
      "mknod a/z 0 dev=5\n"
      "n = open a/null rdonly|cloexec\n"
      "ioctl n fionbio expect 0\n"
      "ioctl n 0xdeadbeef expect EACCES\n"
      "execute a/x\n"
      "truncate b/x at=f\n"
      "ftruncate f\n"
      "rename a/b x flags=whiteout at2=d expect EXDEV\n"
      "link a/x b/y at=d at2=n\n"
      "unlink . expect EISDIR\n"
      "rmdir a/b\n",
  };
  for (const char* text : kTexts) {
    absl::StatusOr<Scenario> first = ParseScn(text, "t.scn");
    if (!first.ok()) {
      // The third text is deliberately malformed on its last line.
      EXPECT_THAT(std::string(first.status().message()),
                  testing::HasSubstr("cannot be combined with attr="));
      continue;
    }
    const std::string printed = PrintScn(*first);
    absl::StatusOr<Scenario> second = ParseScn(printed, "printed.scn");
    ASSERT_TRUE(second.ok()) << second.status() << "\n" << printed;
    EXPECT_EQ(*second, *first) << printed;
    EXPECT_EQ(PrintScn(*second), printed);
  }
}

TEST(ScnRoundTrip, TwentyThousandRandomScenarios) {
  std::mt19937_64 rng(20240611);
  RandomScenarioOptions options;
  options.max_ops = 12;
  for (int i = 0; i < 20000; ++i) {
    const Scenario s = RandomScenario(rng, options);
    const std::string text = PrintScn(s);
    absl::StatusOr<Scenario> back = ParseScn(text, "random.scn");
    ASSERT_TRUE(back.ok()) << "case " << i << ": " << back.status() << "\n" << text;
    ASSERT_EQ(*back, s) << "case " << i << ":\n" << text << "---\n" << PrintScn(*back);
  }
}

TEST(ScnRoundTrip, WildScenariosPrintToAFixedPoint) {
  std::mt19937_64 rng(7);
  RandomScenarioOptions options;
  options.wild = true;
  for (int i = 0; i < 1500; ++i) {
    const Scenario s = RandomScenario(rng, options);
    const std::string text = PrintScn(s);
    absl::StatusOr<Scenario> once = ParseScn(text, "wild.scn");
    ASSERT_TRUE(once.ok()) << "case " << i << ": " << once.status() << "\n" << text;
    absl::StatusOr<Scenario> twice = ParseScn(PrintScn(*once), "wild2.scn");
    ASSERT_TRUE(twice.ok()) << twice.status();
    ASSERT_EQ(*twice, *once) << text;
  }
}

// ---------------------------------------------------------------------------------------------
// Malformed input: exact file:line:col: message

struct BadCase {
  const char* text;
  const char* error;
};

TEST(ScnMalformed, ExactErrors) {
  const BadCase kCases[] = {
#include "scenario/scn_test_errors.inc"
  };
  for (const BadCase& c : kCases) {
    EXPECT_EQ(ParseError(c.text), c.error) << "input: " << c.text;
  }
}

TEST(ScnMalformed, LineAndColumnAreOneBased) {
  EXPECT_EQ(ParseError("\n\n  frobnicate 1\n"),
            "t.scn:3:3: unknown op 'frobnicate' (expected create_ruleset, add_rule, "
            "restrict_self, no_new_privs, close, socket, bind, connect, sendto, mkdir, mknod, "
            "open, execute, truncate, ftruncate, unlink, rmdir, rename, link, ioctl or "
            "bind_mount)");
  absl::StatusOr<Scenario> s = ParseScn("bogus", "dir/case 1.scn");
  EXPECT_THAT(std::string(s.status().message()), testing::StartsWith("dir/case 1.scn:1:1: "));
}

TEST(ScnMalformed, HugeInputs) {
  // Over the file limit, including a 10 MB single line.
  EXPECT_EQ(ParseError(std::string(10 << 20, 'a')),
            "t.scn:1:1: input is 10485760 bytes, more than the limit of 1048576 bytes");
  std::string at_limit(kScnMaxFileBytes, '\n');
  EXPECT_TRUE(ParseScn(at_limit, "t.scn").ok());
  EXPECT_EQ(ParseError(at_limit + "\n"),
            "t.scn:1:1: input is 1048577 bytes, more than the limit of 1048576 bytes");
  // Line limit: 4096 bytes is fine, 4097 is not.
  const std::string ok_line = "no_new_privs" + std::string(4096 - 12, ' ');
  EXPECT_TRUE(ParseScn("\n" + ok_line + "\n", "t.scn").ok());
  EXPECT_EQ(ParseError("\n" + ok_line + " \n"),
            "t.scn:2:4097: line is 4097 bytes long, more than the limit of 4096");
  EXPECT_EQ(ParseError("# " + std::string(5000, 'x')),
            "t.scn:1:4097: line is 5002 bytes long, more than the limit of 4096");
  // Many small valid lines up to the limit parse (and quickly).
  std::string many;
  while (many.size() + 22 <= kScnMaxFileBytes) many += "no_new_privs expect 0\n";
  absl::StatusOr<Scenario> big = ParseScn(many, "t.scn");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->ops.size(), many.size() / 22);
  // The largest hex a line can hold.
  std::string hex_line = "create_ruleset attr=" + std::string(4076, 'a');
  ASSERT_EQ(hex_line.size(), 4096u);
  big = ParseScn(hex_line, "t.scn");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->ops[0].mem.bytes.size(), 2038u);
}

TEST(ScnMalformed, NulAndBinaryGarbage) {
  EXPECT_EQ(ParseError(std::string("no_new_privs\0", 13)),
            "t.scn:1:13: unexpected byte 0x00 (statements are printable ASCII; other bytes only "
            "in comments)");
  EXPECT_EQ(ParseError(std::string("close 3 # a\0b", 13)),
            "t.scn:1:12: unexpected control byte 0x00 in a comment");
  EXPECT_EQ(ParseError("close \xff\xfe"),
            "t.scn:1:7: unexpected byte 0xff (statements are printable ASCII; other bytes only "
            "in comments)");
  EXPECT_EQ(ParseError("close 3\rclose 4"),
            "t.scn:1:8: unexpected byte 0x0d (statements are printable ASCII; other bytes only "
            "in comments)");
  EXPECT_EQ(ParseError("\x7f" "ELF\x02\x01\x01"),
            "t.scn:1:1: unexpected byte 0x7f (statements are printable ASCII; other bytes only "
            "in comments)");
  // Random binary and random mutations of valid text: an error or a scenario, never a crash,
  // and every error has the FILE:LINE:COL: shape.
  std::mt19937_64 rng(99);
  const std::string seed =
      "task no_new_privs=0\nr = create_ruleset handled_net=bind|connect expect fd\n"
      "add_rule r net_port allowed=bind port=443\ns = socket inet6 stream tcp\n"
      "connect s inet6:[fe80::1]:80 addrlen=24 readable=3\nsendto s null flags=fastopen\n"
      "add_rule r path_beneath allowed=read_file parent_fd=s expect EINVAL\n"
      "bind s unspec:1.2.3.4:5\nbind s family:1:3\nbind s hex:00ff\n";
  int parsed = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string text;
    if (i % 4 == 0) {
      text.resize(rng() % 300);
      for (char& c : text) c = static_cast<char>(rng());
    } else {
      text = seed;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % (text.size() + 1);
        switch (rng() % 4) {
          case 0: if (at < text.size()) text.erase(at, 1 + rng() % 8); break;
          case 1: text.insert(at, 1, "\0 :=|#[]x0-9\n\t"[rng() % 14]); break;
          case 2: if (at < text.size()) text[at] = static_cast<char>(rng()); break;
          default: text = text.substr(0, at); break;
        }
      }
    }
    absl::StatusOr<Scenario> s = ParseScn(text, "f.scn");
    if (s.ok()) {
      ++parsed;
      absl::StatusOr<Scenario> again = ParseScn(PrintScn(*s), "p.scn");
      ASSERT_TRUE(again.ok()) << again.status();
      ASSERT_EQ(*again, *s);
    } else {
      ASSERT_THAT(std::string(s.status().message()),
                  testing::MatchesRegex("f\\.scn:[0-9]+:[0-9]+: .+"));
    }
  }
  EXPECT_GT(parsed, 100);
}

// `log[CONDITIONS]`: the log expectation holds only where the profile meets them (as
// expect[...]); the conditions print back.
TEST(ScnLog, ConditionalLogExpectations) {
  const std::string text =
      "s = socket inet stream\n"
      "connect s inet:127.0.0.1:80\n"
      "log[ruleset_attr_size=48] access domain=1 blockers=net.connect_tcp daddr=127.0.0.1 dest=80\n"
      "log[ruleset_attr_size=48] domain=1 allocated\n"
      "log[ruleset_attr_size=48] exit domain=1 deallocated denials=1\n";
  absl::StatusOr<Scenario> s = ParseScn(text, "t.scn");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->ops[1].expect_log_when.size(), 1u);
  EXPECT_EQ(s->ops[1].expect_log_when[0].name, "ruleset_attr_size");
  EXPECT_EQ(s->expect_exit_log_when, s->ops[1].expect_log_when);
  EXPECT_EQ(PrintScn(*s), text);

  // A run that wrote no records: the expectation fails where it applies, not elsewhere.
  RunResult r;
  r.logs.resize(s->ops.size() + 1, OpLog{true, {}});
  Profile with = ProfileForVersion("7.3.4");
  Profile without = ProfileForVersion("observed-6.18");
  ASSERT_EQ(with.ruleset_attr_size, 48);
  ASSERT_NE(without.ruleset_attr_size, 48);
  ASSERT_TRUE(WritesDenialLogs(without));
  EXPECT_FALSE(LogExpectHolds(*s, r, 1, &with));
  EXPECT_TRUE(LogExpectHolds(*s, r, 1, &without));
  EXPECT_FALSE(LogExpectHolds(*s, r, s->ops.size(), &with));
  EXPECT_TRUE(LogExpectHolds(*s, r, s->ops.size(), &without));
  EXPECT_TRUE(LogExpectHolds(*s, r, 1, nullptr));  // no profile: conditions cannot hold
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

// `log` lines attach the records an op (or task exit) must write; they print back the same.
TEST(ScnLog, ParsesAndPrintsBack) {
  const std::string text =
      "s = socket inet stream\n"
      "connect s inet:127.0.0.1:80\n"
      "log access domain=1 blockers=net.connect_tcp daddr=127.0.0.1 dest=80\n"
      "log domain=1 allocated\n"
      "bind s inet:0.0.0.0:0\n"
      "log none\n"
      "close s\n"
      "log exit domain=1 deallocated denials=2\n"
      "log exit domain=? deallocated denials=0\n";
  absl::StatusOr<Scenario> s = ParseScn(text, "t.scn");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->ops.size(), 4u);
  EXPECT_FALSE(s->ops[0].expect_log.has_value());
  ASSERT_TRUE(s->ops[1].expect_log.has_value());
  ASSERT_EQ(s->ops[1].expect_log->size(), 2u);
  const LogRecord& access = (*s->ops[1].expect_log)[0];
  EXPECT_EQ(access.type, LogRecord::Type::kAccess);
  EXPECT_EQ(access.domain, 1);
  EXPECT_EQ(access.blockers, "net.connect_tcp");
  EXPECT_EQ(access.object, "daddr=127.0.0.1 dest=80");
  EXPECT_EQ((*s->ops[1].expect_log)[1].type, LogRecord::Type::kDomainAllocated);
  ASSERT_TRUE(s->ops[2].expect_log.has_value());
  EXPECT_TRUE(s->ops[2].expect_log->empty());
  EXPECT_FALSE(s->ops[3].expect_log.has_value());
  ASSERT_TRUE(s->expect_exit_log.has_value());
  ASSERT_EQ(s->expect_exit_log->size(), 2u);
  EXPECT_EQ((*s->expect_exit_log)[0].denials, 2u);
  EXPECT_EQ((*s->expect_exit_log)[1].domain, -1);
  EXPECT_EQ(PrintScn(*s), text);
  absl::StatusOr<Scenario> back = ParseScn(PrintScn(*s), "t.scn");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, *s);
}

}  // namespace
}  // namespace lockstep
