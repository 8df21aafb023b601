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

TEST(WhyLiveMustNotRun, AChildMakesSocketOpsOnTheSocketsItHolds) {
  const Scenario own = Parse(std::string(kTask) +
                             "c = fork\n"
                             "on_thread c\n"
                             "b = socket unix dgram\n"
                             "bind b abstract:b\n"
                             "sendto b abstract:b\n");
  EXPECT_EQ(WhyLiveMustNotRun(own, 7).ToString(), "");
  // A copy of its parent's socket: the same socket, whose twin is the parent's twin's.
  const Scenario inherited = Parse(std::string(kTask) +
                                   "a = socket unix dgram\n"
                                   "c = fork\n"
                                   "on_thread c\n"
                                   "bind a abstract:a\n"
                                   "on_thread 0\n"
                                   "connect a abstract:a\n");
  EXPECT_EQ(WhyLiveMustNotRun(inherited, 7).ToString(), "");
  // Not one its parent made after the fork.
  const Scenario later = Parse(std::string(kTask) +
                               "c = fork\n"
                               "a = socket unix dgram\n"
                               "on_thread c\n"
                               "bind a abstract:a\n");
  const NotLiveComparable why = WhyLiveMustNotRun(later, 7);
  EXPECT_EQ(why.op, 3);
  EXPECT_NE(why.reason.find("neither made nor inherited"), std::string::npos) << why.reason;
  // A raw number names what the running process's own table has under it.
  const Scenario raw = Parse(std::string(kTask) +
                             "c = fork\n"
                             "on_thread c\n"
                             "connect 3 abstract:a\n");
  EXPECT_EQ(WhyLiveMustNotRun(raw, 7).ToString(), "");
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

TEST(WhyLiveMustNotRun, FilesystemOpsRunInTaskZerosProcessOnly) {
  // Task 0's process (any of its threads) makes them, beside children.
  const Scenario zero = Parse(std::string(kTask) +
                              "mknod prog reg mode=0755\n"
                              "t = thread\n"
                              "c = fork\n"
                              "on_thread t\n"
                              "execve prog\n");
  EXPECT_EQ(WhyLiveMustNotRun(zero, 7).ToString(), "");
  // A child does not.
  const Scenario child = Parse(std::string(kTask) +
                               "c = fork\n"
                               "on_thread c\n"
                               "mkdir d\n");
  const NotLiveComparable why = WhyLiveMustNotRun(child, 7);
  EXPECT_EQ(why.op, 2);
  EXPECT_NE(why.reason.find("mkdir in a child process"), std::string::npos) << why.reason;
}

TEST(WhyLiveMustNotRun, AcceptOfAnInetListenerIsNotRun) {
  // The models do not model connections between inet sockets.
  const Scenario tcp = Parse(std::string(kTask) +
                             "l = socket inet stream\n"
                             "accept l\n");
  EXPECT_EQ(WhyLiveMustNotRun(tcp, 7).op, 1);
  EXPECT_EQ(WhyNotLiveComparable(tcp, true).op, 1);
  const Scenario unix_listener = Parse(std::string(kTask) +
                                       "l = socket unix stream\n"
                                       "bind l abstract:l\n"
                                       "listen l\n"
                                       "accept l flags=0x800\n");
  EXPECT_EQ(WhyLiveMustNotRun(unix_listener, 7).ToString(), "");
  EXPECT_EQ(WhyNotLiveComparable(unix_listener, true).ToString(), "");
}

TEST(WhyLiveMustNotRun, TracemeAfterAnExecveIsNotRun) {
  // The execve ends task 0, so the models reparent the child to thread t; the live engine's
  // task 0 thread lives on and stays the real parent.
  const Scenario s = Parse(std::string(kTask) +
                           "mknod prog reg mode=0755\n"
                           "t = thread\n"
                           "c = fork\n"
                           "on_thread t\n"
                           "execve prog\n"
                           "on_thread c\n"
                           "traceme\n");
  EXPECT_EQ(WhyLiveMustNotRun(s, 7).op, 6);
}

TEST(WhyLiveMustNotRun, AnyProcessClosesItsCopyOfASharedSocket) {
  // The parent's close leaves the child's copy (its twin stays open until the last copy goes),
  // and the child's leaves the parent's.
  const Scenario s = Parse(std::string(kTask) +
                           "a = socket unix dgram\n"
                           "c = fork\n"
                           "close a\n"
                           "on_thread c\n"
                           "bind a abstract:a\n"
                           "close a\n");
  EXPECT_EQ(WhyLiveMustNotRun(s, 7).ToString(), "");
  // Once closed in the child, a handle still names nothing else there.
  const Scenario twice = Parse(std::string(kTask) +
                               "a = socket unix dgram\n"
                               "c = fork\n"
                               "on_thread c\n"
                               "close a\n"
                               "close a\n");
  EXPECT_EQ(WhyLiveMustNotRun(twice, 7).ToString(), "");
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
