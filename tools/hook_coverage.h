// Hook coverage of a kernel revision: which LSM hooks its code registers (the shim's hook table
// after Landlock's init), which the tree's sources register in files this build does not compile,
// and which op kinds of a set of scenarios reach each one (the shim counts every hook call; a
// wrapper engine attributes the counts to the op running). For ./lockstep shim and its test.

#ifndef LOCKSTEP_TOOLS_HOOK_COVERAGE_H_
#define LOCKSTEP_TOOLS_HOOK_COVERAGE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kernel_shim/adapter/kernel_api.h"
#include "scenario/scenario.h"

namespace lockstep {

struct HookCoverage {
  std::string name;           // "socket_connect"
  std::string registered_by;  // "security/landlock/net.c"
  bool compiled = true;       // false: registered by a tree file this build does not compile
  bool dispatched = false;    // some op of the model calls it
  std::map<std::string, uint64_t> reached_by;  // op kind ("connect", "task exit") -> calls
  uint64_t calls() const;
};

// The tree's own registrations, from its sources: hook name -> file ("security/landlock/x.c"),
// for every `LSM_HOOK_INIT(name, ...)` in `tree_dir`/security/landlock/*.c. Empty if unreadable.
std::map<std::string, std::string> TreeHookRegistrations(const std::string& tree_dir);

// Runs `scenarios` through a kernel engine over `api` and returns one row per hook the revision
// registers, plus (when `tree_dir` is given) one per hook the tree registers in a file that is
// not compiled. Sorted by registering file, then hook name.
std::vector<HookCoverage> CollectHookCoverage(const lockstep_kernel_api* api,
                                              const std::vector<Scenario>& scenarios,
                                              const std::string& tree_dir);

// Every DIR/*.scn, parsed, in name order.
absl::StatusOr<std::vector<Scenario>> LoadScenarios(const std::string& dir);

// The directory of a kernel tree holding `file` (a path under it, e.g. a runfiles symlink to
// .../security/landlock/ruleset.c): symlinks resolved, `levels` directories up.
std::string TreeDirOf(const std::string& file, int levels);

}  // namespace lockstep

#endif  // LOCKSTEP_TOOLS_HOOK_COVERAGE_H_
