// The one definition of a finding (Judge) on results made up by hand: what counts, in which order,
// on which columns; minimizing keeps the class; the table and the finding agree with it.

#include "scenario/compare.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/profile.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

constexpr char kCase[] =
    "r = create_ruleset handled_net=connect\n"
    "add_rule r net_port allowed=connect port=443\n"
    "restrict_self r\n"
    "s = socket inet stream\n"
    "connect s inet:127.0.0.1:443\n"
    "sendto s inet:127.0.0.1:444 flags=fastopen\n";

// The cases below are well-formed: a parse error stops the test with its message.
Scenario Parse(const std::string& text) { return ParseScn(text, "compare_test.scn").value(); }

// What the kernel engine gives for kCase: an fd, 0, 0, an fd, 0, EACCES.
RunResult Kernel(Outcome sendto = Outcome::Errno(13)) {
  RunResult r;
  r.outcomes = {Outcome::Fd(3), Outcome::Value(0), Outcome::Value(0),
                Outcome::Fd(4), Outcome::Value(0), sendto};
  r.returned = {3, 0, 0, 4, 0, sendto.kind == Outcome::Kind::kErrno ? -sendto.value : 0};
  return r;
}

const std::vector<std::string> kNames = {"kernel", "oracle"};

TEST(Judge, AgreementIsNoFinding) {
  const Verdict v = Judge(Parse(kCase), {Kernel(), Kernel()});
  EXPECT_FALSE(v);
  EXPECT_EQ(v.kind, Verdict::Kind::kNone);
  EXPECT_EQ(v.Text(kNames), "no finding");
}

TEST(Judge, Disagreement) {
  const Verdict v = Judge(Parse(kCase), {Kernel(), Kernel(Outcome::Value(0))});
  ASSERT_EQ(v.kind, Verdict::Kind::kDisagreement);
  EXPECT_EQ(v.op, 5);
  EXPECT_EQ(v.columns, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(v.outcomes, (std::vector<std::string>{"EACCES", "0"}));
  EXPECT_EQ(v.what, "sendto EACCES -> 0");
  EXPECT_EQ(v.Text(kNames), "kernel and oracle disagree at op 6: sendto EACCES -> 0");
}

// A live 0 whose stack alone said EACCES agrees with EACCES (OutcomesAgree); shown as such.
TEST(Judge, StackAloneAgrees) {
  RunResult live = Kernel(Outcome::Value(0));
  live.stack_alone.resize(6);
  live.stack_alone[5] = Outcome::Errno(13);
  EXPECT_FALSE(Judge(Parse(kCase), {live, Kernel()}));
  EXPECT_EQ(OutcomeText(live, 5), "0 (stack EACCES)");
  live.stack_alone[5] = Outcome::Errno(111);
  const Verdict v = Judge(Parse(kCase), {live, Kernel()});
  EXPECT_EQ(v.what, "sendto 0 (stack ECONNREFUSED) -> EACCES");
}

// Each column's expects are for its own profile: on a profile without the sendmsg hook the
// override holds, on one with it the plain expect does.
TEST(Judge, FailedExpectForTheColumnsProfile) {
  const Scenario s =
      Parse(std::string(kCase) + "sendto s inet:127.0.0.1:444 flags=fastopen expect EACCES "
                                 "expect[!sendmsg_fastopen_checked] 0\n");
  RunResult hooked = Kernel();
  hooked.outcomes.push_back(Outcome::Errno(13));
  RunResult unhooked = Kernel(Outcome::Value(0));
  unhooked.outcomes.push_back(Outcome::Value(0));
  const Profile p117 = ProfileForVersion("6.12.117");
  const Profile p107 = ProfileForVersion("6.12.107");
  // Alone, each meets its own expect.
  EXPECT_FALSE(Judge(s, {hooked}, {&p117}));
  EXPECT_FALSE(Judge(s, {unhooked}, {&p107}));
  // Judged with the other profile, the expect fails.
  const Verdict v = Judge(s, {unhooked}, {&p117});
  ASSERT_EQ(v.kind, Verdict::Kind::kFailedExpect);
  EXPECT_EQ(v.op, 6);
  EXPECT_EQ(v.columns, (std::vector<size_t>{0}));
  EXPECT_EQ(v.what, "sendto: expect EACCES, got 0");
  EXPECT_EQ(v.Text({"kernel-6.12.107"}),
            "kernel-6.12.107 does not meet the expect of op 7: sendto: expect EACCES, got 0");
  // Without a profile the plain expect is checked, on every column.
  EXPECT_FALSE(Judge(s, {hooked, hooked}));
  const Verdict plain = Judge(s, {unhooked, unhooked});
  ASSERT_EQ(plain.kind, Verdict::Kind::kFailedExpect);
  EXPECT_EQ(plain.columns, (std::vector<size_t>{0}));
}

// Any column's engine findings count, the oracle's included; the class is the finding's kind.
TEST(Judge, EngineFindingOnAnyColumn) {
  RunResult oracle = Kernel();
  oracle.findings.push_back({"WARN_ON", "ruleset.c:123"});
  oracle.findings.push_back({"leak", "1 object"});
  const Verdict v = Judge(Parse(kCase), {Kernel(), oracle});
  ASSERT_EQ(v.kind, Verdict::Kind::kEngineFinding);
  EXPECT_EQ(v.op, -1);
  EXPECT_EQ(v.columns, (std::vector<size_t>{1}));
  EXPECT_EQ(v.what, "WARN_ON");
  EXPECT_EQ(v.Text(kNames), "oracle noticed 2 problem(s): WARN_ON: ruleset.c:123");
}

TEST(Judge, DisagreementFirstThenExpectThenFinding) {
  const Scenario s = Parse(
      "r = create_ruleset handled_net=connect expect EINVAL\n"
      "s = socket inet stream\n"
      "connect s inet:127.0.0.1:443\n");
  RunResult a, b;
  a.outcomes = {Outcome::Fd(3), Outcome::Fd(4), Outcome::Value(0)};
  b.outcomes = {Outcome::Fd(3), Outcome::Fd(4), Outcome::Errno(13)};
  a.findings.push_back({"WARN_ON", "x"});
  EXPECT_EQ(Judge(s, {a, b}).kind, Verdict::Kind::kDisagreement);
  EXPECT_EQ(Judge(s, {a, a}).kind, Verdict::Kind::kFailedExpect);
  Scenario no_expect = s;
  no_expect.ops[0].expect.reset();
  EXPECT_EQ(Judge(no_expect, {a, a}).kind, Verdict::Kind::kEngineFinding);
  // The earliest disagreement over the pairs.
  RunResult c = a;
  c.outcomes[1] = Outcome::Errno(97);
  const Verdict v = Judge(no_expect, {a, b, c});
  EXPECT_EQ(v.op, 1);
  EXPECT_EQ(v.columns, (std::vector<size_t>{0, 2}));
}

// Only the pairs asked for are compared (the live fuzzer: live with its oracle, the tree with
// its own).
TEST(Judge, OnlyTheGivenPairs) {
  const Scenario s = Parse(kCase);
  const std::vector<RunResult> four = {Kernel(), Kernel(), Kernel(Outcome::Value(0)),
                                       Kernel(Outcome::Value(0))};
  EXPECT_TRUE(Judge(s, four));  // column 0 with each other column
  EXPECT_FALSE(Judge(s, four, {}, {{0, 1}, {2, 3}}));
  std::vector<RunResult> three_off = four;
  three_off[3] = Kernel();
  const Verdict v = Judge(s, three_off, {}, {{0, 1}, {2, 3}});
  EXPECT_EQ(v.columns, (std::vector<size_t>{2, 3}));
  EXPECT_EQ(v.what, "sendto 0 -> EACCES");
}

// Minimizing keeps the class: a scenario with two problems is reduced to the one it was found
// with, never to the other.
TEST(MinimizeWhile, KeepsTheClass) {
  const Scenario s = Parse(
      "s = socket inet stream\n"
      "connect s inet:127.0.0.1:1\n"
      "connect s inet:127.0.0.1:2\n"
      "bind s inet:127.0.0.1:3\n"
      "connect s inet:127.0.0.1:4\n");
  // Made-up engines: the first column says EACCES to every connect, the second says so only after
  // a bind; a bind itself is EINVAL on the second column.
  const auto judge = [](const Scenario& c) {
    RunResult a, b;
    bool bound = false;
    for (const Op& op : c.ops) {
      a.outcomes.push_back(op.kind == OpKind::kConnect ? Outcome::Errno(13) : Outcome::Value(0));
      if (op.kind == OpKind::kBind) {
        b.outcomes.push_back(Outcome::Errno(22));
        bound = true;
      } else {
        b.outcomes.push_back(op.kind == OpKind::kConnect && bound ? Outcome::Errno(13)
                                                                  : Outcome::Value(0));
      }
    }
    return Judge(c, {a, b});
  };
  const Verdict v = judge(s);
  ASSERT_EQ(v.what, "connect EACCES -> 0");
  const Scenario min = MinimizeWhile(s, v, judge);
  ASSERT_EQ(min.ops.size(), 1u) << PrintScn(min);
  EXPECT_EQ(min.ops[0].kind, OpKind::kConnect);
  Verdict other = v;
  other.what = "bind 0 -> EINVAL";
  EXPECT_FALSE(v.SameClass(other));
  EXPECT_TRUE(v.SameClass(judge(min)));
}

// The table's verdict is Judge's; the finding's headline is the verdict's text.
TEST(CompareRuns, OkIsJudge) {
  const Scenario s = Parse(kCase);
  const std::vector<RunResult> results = {Kernel(), Kernel(Outcome::Value(0))};
  const RunComparison cmp = CompareRuns(s, kNames, results);
  EXPECT_FALSE(cmp.ok());
  EXPECT_TRUE(cmp.verdict.SameClass(Judge(s, results)));
  EXPECT_NE(cmp.table.find("<< engines disagree"), std::string::npos) << cmp.table;
  EXPECT_EQ(cmp.Summary(s.ops.size()).rfind("FAILED: 6 ops, first disagreement at op 6", 0), 0u);
  EXPECT_TRUE(CompareRuns(s, kNames, {Kernel(), Kernel()}).ok());

  const Finding f = MakeFinding("test", cmp.verdict, 30, s, kNames, results);
  EXPECT_EQ(f.headline, "kernel and oracle disagree at op 6: sendto EACCES -> 0");
  EXPECT_EQ(f.comments, (std::vector<std::string>{"minimized from 30 to 6 ops"}));
  EXPECT_EQ(f.expect_column, 0u);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

LogRecord Access(int domain, const std::string& blockers, const std::string& object) {
  LogRecord r;
  r.type = LogRecord::Type::kAccess;
  r.domain = domain;
  r.blockers = blockers;
  r.object = object;
  return r;
}

LogRecord Allocated(int domain) {
  LogRecord r;
  r.type = LogRecord::Type::kDomainAllocated;
  r.domain = domain;
  return r;
}

LogRecord Deallocated(int domain, uint64_t denials) {
  LogRecord r;
  r.type = LogRecord::Type::kDomainDeallocated;
  r.domain = domain;
  r.denials = denials;
  return r;
}

// kCase's kernel result with its denial logs: the sendto (op 6) denied by domain 1.
RunResult KernelWithLogs(std::vector<LogRecord> op6 = {
                             Access(1, "net.connect_tcp", "daddr=127.0.0.1 dest=444"),
                             Allocated(1)},
                         std::vector<LogRecord> exit = {Deallocated(1, 1)}) {
  RunResult r = Kernel();
  r.logs.resize(7);
  for (OpLog& l : r.logs) l.known = true;
  r.logs[5].records = std::move(op6);
  r.logs[6].records = std::move(exit);
  return r;
}

TEST(JudgeLogs, SameVerdictDifferentLogIsItsOwnClass) {
  const Verdict v =
      Judge(Parse(kCase), {KernelWithLogs(), KernelWithLogs({Allocated(1)})});
  ASSERT_EQ(v.kind, Verdict::Kind::kLogDisagreement);
  EXPECT_EQ(v.op, 5);
  EXPECT_EQ(v.what,
            "sendto log access domain=1 blockers=net.connect_tcp daddr=127.0.0.1 dest=444; "
            "domain=1 allocated -> domain=1 allocated");
  EXPECT_EQ(v.Text(kNames),
            "kernel and oracle log differently at op 6: " + v.what);
  EXPECT_STREQ(VerdictKindName(v.kind), "log disagreement");
}

TEST(JudgeLogs, VerdictDisagreementComesFirst) {
  RunResult other = KernelWithLogs({});
  other.outcomes[5] = Outcome::Value(0);
  EXPECT_EQ(Judge(Parse(kCase), {KernelWithLogs(), other}).kind,
            Verdict::Kind::kDisagreement);
}

TEST(JudgeLogs, TaskExitRecordsCompareInAnyOrder) {
  const RunResult a = KernelWithLogs({}, {Deallocated(1, 1), Deallocated(2, 0)});
  const RunResult b = KernelWithLogs({}, {Deallocated(2, 0), Deallocated(1, 1)});
  EXPECT_FALSE(Judge(Parse(kCase), {a, b}));
  const RunResult c = KernelWithLogs({}, {Deallocated(2, 0), Deallocated(1, 2)});
  const Verdict v = Judge(Parse(kCase), {a, c});
  ASSERT_EQ(v.kind, Verdict::Kind::kLogDisagreement);
  EXPECT_EQ(v.op, 6);
  EXPECT_EQ(v.Text(kNames),
            "kernel and oracle log differently at task exit: exit log domain=1 deallocated "
            "denials=1; domain=2 deallocated denials=0 -> domain=2 deallocated denials=0; "
            "domain=1 deallocated denials=2");
}

// A column that does not know its logs (the live kernel without audit) is not compared.
TEST(JudgeLogs, UnknownLogsAreNotCompared) {
  RunResult unknown = Kernel();
  EXPECT_FALSE(Judge(Parse(kCase), {KernelWithLogs(), unknown}));
  RunResult partly = KernelWithLogs({Allocated(1)});
  partly.logs[5].known = false;
  EXPECT_FALSE(Judge(Parse(kCase), {KernelWithLogs(), partly}));
}

TEST(JudgeLogs, UnparsedRecordIsAnEngineFinding) {
  LogRecord bad;
  bad.type = LogRecord::Type::kUnparsed;
  bad.object = "no domain field: \"\"";
  const RunResult r = KernelWithLogs({bad}, {});
  const Verdict v = Judge(Parse(kCase), {r, r});
  ASSERT_EQ(v.kind, Verdict::Kind::kEngineFinding);
  EXPECT_EQ(v.columns, (std::vector<size_t>{0}));
  EXPECT_EQ(v.outcomes, (std::vector<std::string>{"audit record at op 6: no domain field: \"\""}));
}

TEST(JudgeLogs, LogExpectations) {
  const std::string expected =
      std::string(kCase) +
      "log access domain=1 blockers=net.connect_tcp daddr=127.0.0.1 dest=444\n"
      "log domain=1 allocated\n"
      "log exit domain=1 deallocated denials=1\n";
  EXPECT_FALSE(Judge(Parse(expected), {KernelWithLogs()}));
  const Verdict v = Judge(Parse(expected), {KernelWithLogs({Allocated(1)})});
  ASSERT_EQ(v.kind, Verdict::Kind::kFailedExpect);
  EXPECT_EQ(v.Text(kNames),
            "kernel does not meet the expect of op 6: sendto log: expect access domain=1 "
            "blockers=net.connect_tcp daddr=127.0.0.1 dest=444; domain=1 allocated, got "
            "domain=1 allocated");
  const Verdict at_exit = Judge(Parse(expected), {KernelWithLogs(
      {Access(1, "net.connect_tcp", "daddr=127.0.0.1 dest=444"), Allocated(1)}, {})});
  ASSERT_EQ(at_exit.kind, Verdict::Kind::kFailedExpect);
  EXPECT_EQ(at_exit.Text(kNames),
            "kernel does not meet the expect of task exit: exit log: expect domain=1 "
            "deallocated denials=1, got none");
  // A revision that writes no logs is not held to them.
  Profile no_logs;
  no_logs.restrict_self_flags = 0;
  EXPECT_FALSE(Judge(Parse(expected), {KernelWithLogs({Allocated(1)})}, {&no_logs}));
}

// A finding's file carries the expect column's records as `log` lines: replaying it checks them.
TEST(JudgeLogs, FindingFileHasLogLinesThatParseBack) {
  const Scenario s = Parse(kCase);
  const std::vector<RunResult> results = {KernelWithLogs(), KernelWithLogs({Allocated(1)})};
  const Verdict v = Judge(s, results);
  const Finding f = MakeFinding("test", v, 6, s, kNames, results);
  const std::string text = FindingText(f, "x.scn");
  EXPECT_NE(text.find("\nlog access domain=1 blockers=net.connect_tcp daddr=127.0.0.1 dest=444\n"
                      "log domain=1 allocated\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nlog exit domain=1 deallocated denials=1\n"), std::string::npos) << text;
  const Scenario back = Parse(text);
  ASSERT_TRUE(back.ops[5].expect_log.has_value());
  EXPECT_EQ(back.ops[5].expect_log->size(), 2u);
  EXPECT_FALSE(Judge(back, {KernelWithLogs()}));
  EXPECT_TRUE(Judge(back, {results[1]}));
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

// A revision without denial logs against one with them (a revision diff across 6.15): not a log
// disagreement.
TEST(JudgeLogs, RevisionWithoutLogsIsNotCompared) {
  RunResult none = KernelWithLogs({}, {});
  Profile with_logs, no_logs;
  with_logs.restrict_self_flags = 0x7;
  no_logs.restrict_self_flags = 0;
  EXPECT_TRUE(Judge(Parse(kCase), {KernelWithLogs(), none}, {&with_logs, &with_logs}));
  EXPECT_FALSE(Judge(Parse(kCase), {KernelWithLogs(), none}, {&with_logs, &no_logs}));
}

}  // namespace
}  // namespace lockstep
