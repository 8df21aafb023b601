// Why two kernel revisions disagree: the oracle's named switches, tried one at a time.
//
// Given a scenario on which revision B disagrees with revision A, ExplainDivergence() looks for a
// profile that reproduces B's outcomes on every op: A's profile with one switch flipped
// (FlippedSwitches) first, whose name then names the kernel change, else B's own profile when
// lockstep knows B's version. When neither does, the difference is new to lockstep.

#ifndef LOCKSTEP_MODEL_EXPLAIN_H_
#define LOCKSTEP_MODEL_EXPLAIN_H_

#include <optional>
#include <string>

#include "model/profile.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace lockstep {

struct Explanation {
  bool explained = false;
  std::string switch_name;  // "sendmsg_fastopen_checked"; empty when unexplained
  std::string change;       // the kernel change behind the switch
  // "explained: sendmsg_fastopen_checked (hook_socket_sendmsg: ...)" or "new, unexplained".
  std::string ToString() const;
};

// Explains B's outcomes `b` on `s` against A's profile `a`; `b_profile` is B's own profile when
// lockstep has one.
Explanation ExplainDivergence(const Scenario& s, const RunResult& b, const Profile& a,
                              const std::optional<Profile>& b_profile);

}  // namespace lockstep

#endif  // LOCKSTEP_MODEL_EXPLAIN_H_
