#include "bench/path_walk.h"

#include <string>
#include <vector>

#include "engine/landlock_uapi.h"

namespace lockstep {
namespace bench {
namespace {

constexpr uint64_t kHandled = landlock::kAccessFsReadDir | landlock::kAccessFsReadFile;

std::string Failed(const std::string& what, long ret) {
  return what + " returned " + std::to_string(ret);
}

}  // namespace

const char* RulePlacementName(RulePlacement p) {
  switch (p) {
    case RulePlacement::kLeaf: return "leaf";
    case RulePlacement::kRoot: return "root";
    case RulePlacement::kNone: return "none";
    case RulePlacement::kEveryLevelReadFile: return "every_level";
  }
  return "?";
}

bool OpenAllowed(const PathWalkSpec& spec) {
  return spec.rule == RulePlacement::kLeaf || spec.rule == RulePlacement::kRoot;
}

PathWalkTree BuildPathWalk(Engine& engine, const PathWalkSpec& spec, uint32_t restrict_flags,
                           uint64_t (*live_bytes)(Engine&)) {
  PathWalkTree t;
  if (spec.depth < 1 || spec.layers < 1 || spec.layers > static_cast<int>(landlock::kMaxLayers)) {
    t.error = "bad spec: depth " + std::to_string(spec.depth) + ", layers " +
              std::to_string(spec.layers);
    return t;
  }
  const long root = engine.Open(Engine::kAtRoot, ".", kOpenPath | kOpenDirectory);
  if (root == Engine::kNoFilesystem) {
    t.no_filesystem = true;
    t.error = engine.Name() + " has no filesystem (Open returned kNoFilesystem, -ENOSYS)";
    return t;
  }
  if (root < 0) {
    t.error = Failed("open of the root", root);
    return t;
  }
  const uint64_t before = live_bytes ? live_bytes(engine) : 0;

  // All layers get the same rules, so every ruleset is open while the tree grows (at most 16
  // fds; the chain itself holds two at a time: the kernel engine's fd table has 256 slots).
  const std::vector<uint8_t> attr = RulesetAttr(kHandled, 0, 0);
  std::vector<int> rulesets;
  auto add_rule = [&](long dir_fd, uint64_t allowed) -> bool {
    const std::vector<uint8_t> rule = PathBeneathAttr(allowed, static_cast<int32_t>(dir_fd));
    for (int rs : rulesets) {
      const long r = engine.AddRule(rs, landlock::kRulePathBeneath, UserBuffer::Of(rule), 0);
      if (r != 0) {
        t.error = Failed("add_rule", r);
        return false;
      }
    }
    return true;
  };
  auto cleanup = [&](long open_dir) {
    for (int rs : rulesets) engine.Close(rs);
    if (open_dir >= 0 && open_dir != root) engine.Close(static_cast<int>(open_dir));
    engine.Close(static_cast<int>(root));
  };
  for (int l = 0; l < spec.layers; ++l) {
    const long fd = engine.CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
    if (fd < 0) {
      t.error = Failed("create_ruleset", fd);
      cleanup(-1);
      return t;
    }
    rulesets.push_back(static_cast<int>(fd));
  }

  // Siblings of the chain's top directory, each with a rule the walk never finds on its path
  // (but every lookup searches the tree of rules they fill).
  for (int i = 0; i < spec.unrelated_rules; ++i) {
    const std::string name = "s" + std::to_string(i);
    long r = engine.Mkdir(Engine::kAtRoot, name);
    if (r != 0) {
      t.error = Failed("mkdir " + name, r);
      cleanup(-1);
      return t;
    }
    const long fd = engine.Open(Engine::kAtRoot, name, kOpenPath | kOpenDirectory);
    if (fd < 0) {
      t.error = Failed("open " + name, fd);
      cleanup(-1);
      return t;
    }
    const bool ok = add_rule(fd, landlock::kAccessFsReadDir);
    engine.Close(static_cast<int>(fd));
    if (!ok) {
      cleanup(-1);
      return t;
    }
  }

  // The chain, one level at a time from the previous level's fd (paths stay one name long).
  long parent = root;
  for (int level = 1; level <= spec.depth; ++level) {
    const long made = engine.Mkdir(static_cast<int>(parent), "d");
    const long child =
        made == 0 ? engine.Open(static_cast<int>(parent), "d", kOpenPath | kOpenDirectory) : made;
    if (parent != root) engine.Close(static_cast<int>(parent));
    if (child < 0) {
      t.error = Failed("building level " + std::to_string(level), child);
      cleanup(-1);
      return t;
    }
    parent = child;
    if (spec.rule == RulePlacement::kEveryLevelReadFile &&
        !add_rule(child, landlock::kAccessFsReadFile)) {
      cleanup(child);
      return t;
    }
  }
  const long deep = parent;
  if ((spec.rule == RulePlacement::kLeaf && !add_rule(deep, landlock::kAccessFsReadDir)) ||
      (spec.rule == RulePlacement::kRoot && !add_rule(root, landlock::kAccessFsReadDir))) {
    cleanup(deep);
    return t;
  }
  for (int rs : rulesets) {
    const long r = engine.RestrictSelf(rs, restrict_flags);
    if (r != 0) {
      t.error = Failed("restrict_self", r);
      cleanup(deep);
      return t;
    }
  }
  for (int rs : rulesets) engine.Close(rs);
  engine.Close(static_cast<int>(root));
  t.bytes = live_bytes ? live_bytes(engine) - before : 0;
  t.deep_fd = static_cast<int>(deep);
  return t;
}

long OpenDeepest(Engine& engine, int deep_fd) {
  const long fd = engine.Open(deep_fd, ".", kOpenRdonly | kOpenDirectory);
  if (fd < 0) return fd;
  engine.Close(static_cast<int>(fd));
  return 0;
}

}  // namespace bench
}  // namespace lockstep
