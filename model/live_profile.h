// A live kernel's profile, observed rather than assumed: every switch of model/profile.h that a
// running kernel can differ on is decided by a witness, a short scenario whose outcome differs
// between the switch's values, run on the live engine. The same release string carries different
// backports on different machines, and a developer's own kernel has no release lockstep knows,
// so nothing here reads `uname -r`.
//
// How a switch is decided: the ABI version and errata are what the kernel reports. Every other
// switch's witness runs once on the live kernel; then the oracle runs it with each known value of
// the switch (the switches decided before it already set); the one value whose outcomes agree
// with the live kernel's on every op (OpAgrees: a live 0 whose stack alone said E meets E) is the
// switch's value. No value, or more than one, leaves the switch undetermined (Profile::
// undetermined) with the reason: never a guess.

#ifndef LOCKSTEP_MODEL_LIVE_PROFILE_H_
#define LOCKSTEP_MODEL_LIVE_PROFILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "engine/live_engine.h"
#include "model/profile.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace lockstep {

// One switch's witness and what it showed.
struct WitnessReport {
  std::string switch_name;
  std::string witness;        // the witness scenario, .scn text
  std::string live_outcomes;  // the live kernel's outcome per op, e.g. "fd 0 fd EACCES"
  std::optional<int64_t> value;  // the decided value; empty when undetermined
  std::string note;           // "reported by the kernel", or why it stays undetermined
};

struct LiveProfile {
  Profile profile;  // name "live-<version>", generation "live"
  std::vector<WitnessReport> witnesses;
};

// Probes the kernel behind `live` (a LiveEngine, or any Engine standing in for one in tests)
// whose detection said `info`. FailedPrecondition when Landlock with network rules (ABI 4) is
// not there.
absl::StatusOr<LiveProfile> ProbeLiveProfile(Engine& live, const LiveKernelInfo& info);

// The same for the running kernel, probed once per process with a LiveEngine of its own.
const absl::StatusOr<LiveProfile>& ProbeRunningKernel();

// Whether `name` means anything on a kernel with profile `p`'s earlier switches: the errata
// without the errata query, LOG_SUBDOMAINS_OFF's special case where the flag is unknown, do not.
// A probe sets such a switch to a fixed value.
bool SwitchObservable(const Profile& p, const std::string& name);

// Whether some value of one of `p`'s undetermined switches makes the oracle reproduce `live` on
// `s`: such a disagreement is lockstep not knowing the switch on this kernel, not a finding.
bool UndeterminedMayExplain(const Profile& p, const Scenario& s, const RunResult& live);

// The report as an aligned table: switch, value, witness (first line), live outcomes, note.
std::string WitnessTable(const LiveProfile& lp);

}  // namespace lockstep

#endif  // LOCKSTEP_MODEL_LIVE_PROFILE_H_
