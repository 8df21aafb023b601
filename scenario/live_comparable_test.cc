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

TEST(WhyLiveMustNotRun, SocketOpsOfAChildAreRefused) {
  const Scenario s = Parse(std::string(kTask) +
                           "c = fork\n"
                           "on_thread c\n"
                           "b = socket unix dgram\n");
  const NotLiveComparable why = WhyLiveMustNotRun(s, 7);
  EXPECT_EQ(why.op, 2);
  EXPECT_NE(why.reason.find("socket in a scenario with processes"), std::string::npos)
      << why.reason;
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
  EXPECT_NE(why.reason.find("a child process holds"), std::string::npos) << why.reason;
  // Made after the fork: the child never had it. Closed in the child: its own table's.
  const Scenario after = Parse(std::string(kTask) +
                               "c = fork\n"
                               "a = socket unix dgram\n"
                               "close a\n");
  EXPECT_EQ(WhyLiveMustNotRun(after, 7).ToString(), "");
  const Scenario in_child = Parse(std::string(kTask) +
                                  "a = socket unix dgram\n"
                                  "c = fork\n"
                                  "on_thread c\n"
                                  "close a\n");
  EXPECT_EQ(WhyLiveMustNotRun(in_child, 7).ToString(), "");
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
