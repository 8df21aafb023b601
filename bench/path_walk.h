// The filesystem benchmark's trees and domains (docs/benchmarks.md, "Filesystem: path walk"),
// built the same way on any Engine: a chain of `depth` nested directories "d/d/.../d" below the
// task's root, rulesets handling read_dir|read_file, and an O_PATH fd on the deepest directory.
// The measured decision opens that directory for reading (openat(deep_fd, ".", O_RDONLY |
// O_DIRECTORY)): resolving "." is O(1), so Landlock's walk from the directory up to the root
// (one rule lookup per level and layer) is what grows with the depth.

#ifndef LOCKSTEP_BENCH_PATH_WALK_H_
#define LOCKSTEP_BENCH_PATH_WALK_H_

#include <cstdint>
#include <string>

#include "engine/engine.h"

namespace lockstep {
namespace bench {

// Where the granting rule of a tree sits.
enum class RulePlacement {
  kLeaf,  // read_dir on the deepest directory: allowed at the first step of the walk
  kRoot,  // read_dir on the root: allowed after walking every level
  kNone,  // no rule: denied after walking every level
  // upstream fs_bench: read_file (not the requested read_dir) on every directory of the chain:
  // every step finds a rule, none grants, denied.
  kEveryLevelReadFile,
};

const char* RulePlacementName(RulePlacement p);  // "leaf", "root", "none", "every_level"

struct PathWalkSpec {
  int depth = 1;       // nested directories below the root (>= 1)
  RulePlacement rule = RulePlacement::kRoot;
  int unrelated_rules = 0;  // read_dir rules on as many sibling directories of the chain's top
  int layers = 1;           // stacked layers, each with the same rules (1..16)
};

// Whether the open of the deepest directory is allowed under `spec`.
bool OpenAllowed(const PathWalkSpec& spec);

struct PathWalkTree {
  int deep_fd = -1;        // O_PATH fd on the deepest directory
  uint64_t bytes = 0;      // what `live_bytes` grew by while the domain was built (rules, objects)
  bool no_filesystem = false;  // the engine's fs ops return Engine::kNoFilesystem
  std::string error;       // empty when built as described (also set when no_filesystem)
};

// In the engine's current task (the caller began it, with no_new_privs): the sibling directories,
// the chain, one ruleset per layer with the rules, restrict_self(`restrict_flags`) per layer.
// `live_bytes` (may be null) reads the engine's allocation counter.
PathWalkTree BuildPathWalk(Engine& engine, const PathWalkSpec& spec, uint32_t restrict_flags,
                           uint64_t (*live_bytes)(Engine&));

// The measured decision: open the deepest directory for reading, close it again. 0 when allowed,
// else the open's -errno.
long OpenDeepest(Engine& engine, int deep_fd);

// Engine flags (Linux values, as Engine::Open takes them).
inline constexpr uint32_t kOpenRdonly = 0;
inline constexpr uint32_t kOpenDirectory = 00200000;
inline constexpr uint32_t kOpenPath = 010000000;

}  // namespace bench
}  // namespace lockstep

#endif  // LOCKSTEP_BENCH_PATH_WALK_H_
