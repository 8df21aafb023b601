// What the live engine may run (WhyLiveMustNotRun) and compare (WhyNotLiveComparable) once a
// scenario has processes and signals to file owners.

#include "scenario/live_comparable.h"

#include <string>

#include "gtest/gtest.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

Scenario Parse(const std::string& text) {
  absl::StatusOr<Scenario> s = ParseScn(text, "test.scn");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario{};
}

constexpr char kTask[] = "task no_new_privs=1 cap_sys_admin=0\n";

TEST(WhyLiveMustNotRun, SocketOpsOfTaskZerosProcessRunBesideProcesses) {
  const Scenario s = Parse(std::string(kTask) +
                           "a = socket unix dgram\n"
                           "bind a abstract:a\n"
                           "c = fork\n"
                           "on_thread c\n"
                           "setown a 0\n"
                           "sigwait SIGIO\n"
                           "on_thread 0\n"
                           "b = socket unix dgram\n"
                           "sendto b abstract:a\n"
                           "close b\n");
  EXPECT_EQ(WhyLiveMustNotRun(s, 7).ToString(), "");
}

TEST(WhyLiveMustNotRun, AChildMakesSocketOpsOnItsOwnSocketsOnly) {
  const Scenario own = Parse(std::string(kTask) +
                             "c = fork\n"
                             "on_thread c\n"
                             "b = socket unix dgram\n"
                             "bind b abstract:b\n"
                             "sendto b abstract:b\n");
  EXPECT_EQ(WhyLiveMustNotRun(own, 7).ToString(), "");
  const Scenario inherited = Parse(std::string(kTask) +
                                   "a = socket unix dgram\n"
                                   "c = fork\n"
                                   "on_thread c\n"
                                   "bind a abstract:a\n");
  const NotLiveComparable why = WhyLiveMustNotRun(inherited, 7);
  EXPECT_EQ(why.op, 3);
  EXPECT_NE(why.reason.find("its process did not make"), std::string::npos) << why.reason;
  // Nor a socket of its parent's made after the fork (by number, through a raw fd).
  const Scenario raw = Parse(std::string(kTask) +
                             "c = fork\n"
                             "on_thread c\n"
                             "connect 3 abstract:a\n");
  EXPECT_EQ(WhyLiveMustNotRun(raw, 7).op, 2);
}

TEST(WhyLiveMustNotRun, OtherOpsTakeTheFdsTheProcessHasByInheritanceToo) {
  // setown on a socket the child inherited: the same file in its table, in every engine.
  const Scenario inherited = Parse(std::string(kTask) +
                                   "a = socket unix dgram\n"
                                   "c = fork\n"
                                   "on_thread c\n"
                                   "setown a 0\n");
  EXPECT_EQ(WhyLiveMustNotRun(inherited, 7).ToString(), "");
  // One its parent made after the fork is no fd of the child's.
  const Scenario later = Parse(std::string(kTask) +
                               "c = fork\n"
                               "a = socket unix dgram\n"
                               "on_thread c\n"
                               "setown a 0\n");
  EXPECT_EQ(WhyLiveMustNotRun(later, 7).op, 3);
  // A grandchild inherits through its parent what that one had when it forked.
  const Scenario chain = Parse(std::string(kTask) +
                               "r = create_ruleset scoped=signal\n"
                               "c = fork\n"
                               "on_thread c\n"
                               "g = fork\n"
                               "on_thread g\n"
                               "restrict_self r\n");
  EXPECT_EQ(WhyLiveMustNotRun(chain, 7).ToString(), "");
  const ProcessMap map = MapProcesses(chain);
  EXPECT_EQ(map.of_op.back(), 2);
  EXPECT_TRUE(map.Holds(2, 0));
  EXPECT_FALSE(map.Holds(0, 5));
}

TEST(WhyLiveMustNotRun, ARunningTaskTheTextCannotNameRefusesSocketOps) {
  // on_thread of a raw number that is no task leaves task 0 running; of a handle that made no
  // task, the running task is unknown.
  const Scenario still_zero = Parse(std::string(kTask) +
                                    "c = fork\n"
                                    "on_thread 7\n"
                                    "b = socket unix dgram\n");
  EXPECT_EQ(WhyLiveMustNotRun(still_zero, 7).ToString(), "");
  const Scenario unknown = Parse(std::string(kTask) +
                                 "r = create_ruleset scoped=signal\n"
                                 "c = fork\n"
                                 "on_thread r\n"
                                 "b = socket unix dgram\n");
  EXPECT_EQ(WhyLiveMustNotRun(unknown, 7).op, 3);
}

TEST(WhyLiveMustNotRun, ClosingASocketAChildHoldsIsRefused) {
  const Scenario held = Parse(std::string(kTask) +
                              "a = socket unix dgram\n"
                              "c = fork\n"
                              "close a\n");
  const NotLiveComparable why = WhyLiveMustNotRun(held, 7);
  EXPECT_EQ(why.op, 2);
  EXPECT_NE(why.reason.find("a child process may hold"), std::string::npos) << why.reason;
  // Made after the fork: the child never had it.
  const Scenario after = Parse(std::string(kTask) +
                               "c = fork\n"
                               "a = socket unix dgram\n"
                               "close a\n");
  EXPECT_EQ(WhyLiveMustNotRun(after, 7).ToString(), "");
  // The child's own close of it too (kept simple: any process's close of a socket a fork
  // copied).
  const Scenario in_child = Parse(std::string(kTask) +
                                  "a = socket unix dgram\n"
                                  "c = fork\n"
                                  "on_thread c\n"
                                  "close a\n");
  EXPECT_EQ(WhyLiveMustNotRun(in_child, 7).op, 3);
  // A raw fd may be such a socket.
  const Scenario raw = Parse(std::string(kTask) +
                             "a = socket unix dgram\n"
                             "c = fork\n"
                             "close 3\n");
  EXPECT_EQ(WhyLiveMustNotRun(raw, 7).op, 2);
}

TEST(WhyNotLiveComparable, SetownAndSigwaitAmongThreadsAreComparable) {
  const Scenario s = Parse(std::string(kTask) +
                           "a = socket unix dgram\n"
                           "t = thread\n"
                           "setown a t\n"
                           "setown a 0\n"
                           "on_thread t\n"
                           "sigwait SIGIO\n");
  EXPECT_TRUE(WhyNotLiveComparable(s, true).comparable())
      << WhyNotLiveComparable(s, true).ToString();
  // Still not: a setown on a raw fd the live process may have, and the ops between processes.
  EXPECT_FALSE(WhyNotLiveComparable(Parse(std::string(kTask) + "setown 3 0\n"), true).comparable());
  EXPECT_FALSE(WhyNotLiveComparable(Parse(std::string(kTask) + "c = fork\n"), true).comparable());
}

}  // namespace
}  // namespace lockstep
