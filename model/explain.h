// Why revision B disagrees with revision A: the oracle's named switches, checked on many scenarios.
//
// A switch that reproduces B on one minimized case proves little: a mutant of net.c without the
// address-family check gives, on its minimized case, what A with net_checks_need_requested_right
// flipped gives. So a switch explains a class only after it has been checked against B itself on
// a few thousand seeded generated scenarios plus the class's own minimized case c:
//
//   variant V = A's profile with the switch flipped (each of FlippedSwitches(A); a switch with
//   several known values has several variants) must agree with B on every op of c and of every
//   generated scenario (FirstDivergence, i.e. OpAgrees semantics), except where V's first
//   difference from B is at an op the switch does not touch (A's oracle gives there what V gives)
//   and of another class (op kind and outcomes) than c's: that is another difference of B, which
//   is a class of its own and is explained or not on its own. Revisions differ in several places
//   at once (Debian 6.12.107 vs 6.12.117: errata, sendmsg_fastopen_checked and
//   whiteout_is_make_reg; the live kernel vs its profile: socket(2) errnos the oracle does not
//   model), so without that exception no switch would ever explain their classes.
//
// When B's profile is known, each pair of switches on which it differs from A is checked the same
// way (A with both set to B's values, named "X + Y"): one op can show two changes at once (the live
// kernel's restrict_self with LOG_SUBDOMAINS_OFF and no ruleset needs both restrict_self_flags and
// log_subdomains_without_ruleset), which no single flip reproduces. Single switches come first.
// B's whole profile, when lockstep has one, is checked the same way. "explained: X" when the
// first variant agreeing with B everywhere is X's, "explained: profile P" when only B's profile
// does, else "new, unexplained (closest switch: X, agrees on N of M)" with X the variant agreeing
// on most of the M scenarios among those that reproduce the case (among all when none does). The generated scenarios run on B and on every variant once per
// Explainer (the first class pays for it, CheckSeconds()); each class then runs only its case.

#ifndef LOCKSTEP_MODEL_EXPLAIN_H_
#define LOCKSTEP_MODEL_EXPLAIN_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "model/profile.h"
#include "scenario/generator.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace lockstep {

struct Explanation {
  bool explained = false;
  // "sendmsg_fastopen_checked" or "profile debian-6.12.107"; empty when unexplained.
  std::string switch_name;
  std::string change;  // the kernel change behind the switch
  // Unexplained: the variant closest to B. `agreeing` of the `checked` scenarios (the generated
  // ones and the class's case) agree, `other_class` of them only through the exception for other
  // classes. Explained: `agreeing` == `checked`.
  std::string closest;
  int agreeing = 0;
  int checked = 0;
  int other_class = 0;
  // "explained: sendmsg_fastopen_checked (hook_socket_sendmsg: ...; checked on 2001 scenarios,
  // 40 first differing in another class)" or "new, unexplained (closest switch: tcp_check, agrees
  // on 1990 of 2001)".
  std::string ToString() const;
};

// Runs a whole scenario on the B side: an Engine through RunScenario, or the live engine through
// RunLiveScenario.
using ScenarioRunner = std::function<RunResult(const Scenario&)>;

// The scenarios every switch is checked against besides a class's own case: `count` scenarios of
// the generator the tests use (ScenarioGenerator(seed + i).Next(8 + i % 16), i = 0..), kept only
// when `accept` says so (e.g. what both revisions of different generations can express).
struct ScenarioSource {
  // 2000 keeps the one-time check near a second under ASan (see revision_diff_test's timing).
  int count = 2000;
  uint64_t seed = 1;
  GeneratorOptions options;
  std::function<bool(const Scenario&)> accept;  // empty: every scenario
  // Generated scenarios tried for `count` accepted ones, at most.
  int max_tries = 40000;

  std::vector<Scenario> Generate() const;
};

class Explainer {
 public:
  // `b` is the revision whose differences from `a` are explained; `b_profile` its own profile
  // when lockstep has one.
  Explainer(ScenarioRunner b, Profile a, std::optional<Profile> b_profile,
            ScenarioSource source = {});
  Explainer(Engine& b, Profile a, std::optional<Profile> b_profile, ScenarioSource source = {});

  // Explains why B disagrees with A on `c`, the class's minimized case. The first call runs the
  // generated scenarios on B and on the variants (CheckSeconds()); later calls run only `c`.
  Explanation Explain(const Scenario& c);

  // What the one-time check found, for logs: each variant with the generated scenarios it agrees
  // on outright, and the time the check took.
  std::string Summary();
  double CheckSeconds() const { return check_seconds_; }
  int Generated() const { return static_cast<int>(checks_.size()); }

 private:
  // How one variant (or B's profile) fares on the generated scenarios: per scenario, empty when
  // it agrees with B, else the class of its first difference when the switch does not touch that
  // op (excusable for any other class), else kTouched.
  struct Checked {
    std::string name, change;
    Profile profile;
    std::vector<std::string> differences;
  };
  static constexpr const char* kTouched = "!";
  void CheckOnce();
  Checked Check(std::string name, std::string change, Profile profile) const;
  // How many of the generated scenarios `v` agrees with B on for a class `klass`, and how many of
  // them only through the exception.
  std::pair<int, int> Agreeing(const Checked& v, const std::string& klass) const;

  ScenarioRunner b_;
  Profile a_;
  std::optional<Profile> b_profile_;
  ScenarioSource source_;

  bool checked_ = false;
  double check_seconds_ = 0;
  std::vector<Scenario> checks_;
  std::vector<RunResult> b_results_, a_results_;
  // FlippedSwitches(a_), then pairs of B's differing switches and B's profile when known.
  std::vector<Checked> variants_;
  size_t single_switches_ = 0;  // how many of variants_ are single switches
};

}  // namespace lockstep

#endif  // LOCKSTEP_MODEL_EXPLAIN_H_
