#include "tools/hook_coverage.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

#include "engine/kernel_engine.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

namespace lockstep {

uint64_t HookCoverage::calls() const {
  uint64_t n = 0;
  for (const auto& [kind, c] : reached_by) n += c;
  return n;
}

namespace {

std::vector<lockstep_hook_info> Hooks(const lockstep_kernel_api* api) {
  std::vector<lockstep_hook_info> hooks(64);
  size_t n = api->hooks(hooks.data(), hooks.size());
  if (n > hooks.size()) {
    hooks.resize(n);
    n = api->hooks(hooks.data(), hooks.size());
  }
  hooks.resize(n);
  return hooks;
}

// A KernelEngine whose every call attributes the hook calls it made to the op running (the
// scenario runner's lockstep_current_op), or to "task begin"/"task exit".
class CountingEngine : public Engine {
 public:
  CountingEngine(const lockstep_kernel_api* api, std::map<std::string, std::vector<uint64_t>>* out)
      : api_(api), kernel_(api), out_(out) {}
  void SetScenario(const Scenario* s) { scenario_ = s; }

  std::string Name() const override { return kernel_.Name(); }
  void BeginTask(const TaskSpec& spec) override {
    Count("task begin", [&] { kernel_.BeginTask(spec); return 0L; });
  }
  std::vector<EngineFinding> EndTask() override {
    std::vector<EngineFinding> f;
    Count("task exit", [&] { f = kernel_.EndTask(); return 0L; });
    return f;
  }
  long Syscall(const OpArgs& args) override {
    return Count(nullptr, [&] { return kernel_.Syscall(args); });
  }

 private:
  template <typename F>
  long Count(const char* label, F call) {
    const std::vector<lockstep_hook_info> before = Hooks(api_);
    const long ret = call();
    const std::vector<lockstep_hook_info> after = Hooks(api_);
    std::string kind = label ? label : "?";
    const int op = lockstep_current_op;
    if (!label && scenario_ && op >= 1 && static_cast<size_t>(op) <= scenario_->ops.size()) {
      kind = OpKindName(scenario_->ops[op - 1].kind);
    }
    for (size_t i = 0; i < after.size() && i < before.size(); ++i) {
      const uint64_t d = after[i].calls - before[i].calls;
      if (d == 0) continue;
      std::vector<uint64_t>& row = (*out_)[kind];
      row.resize(after.size());
      row[i] += d;
    }
    return ret;
  }

  const lockstep_kernel_api* api_;
  KernelEngine kernel_;
  std::map<std::string, std::vector<uint64_t>>* out_;
  const Scenario* scenario_ = nullptr;
};

}  // namespace

std::map<std::string, std::string> TreeHookRegistrations(const std::string& tree_dir) {
  std::map<std::string, std::string> hooks;
  const std::string dir = tree_dir + "/security/landlock";
  DIR* d = opendir(dir.c_str());
  if (!d) return hooks;
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() > 2 && name.compare(name.size() - 2, 2, ".c") == 0) files.push_back(name);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  const std::regex init("LSM_HOOK_INIT\\(\\s*([a-z0-9_]+)\\s*,");
  for (const std::string& f : files) {
    std::ifstream in(dir + "/" + f);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (std::sregex_iterator it(s.begin(), s.end(), init), end; it != end; ++it) {
      hooks.emplace((*it)[1], "security/landlock/" + f);
    }
  }
  return hooks;
}

absl::StatusOr<std::vector<Scenario>> LoadScenarios(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > 4 && n.compare(n.size() - 4, 4, ".scn") == 0) names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  std::vector<Scenario> scenarios;
  for (const std::string& n : names) {
    std::ifstream in(dir + "/" + n);
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<Scenario> s = ParseScn(text.str(), dir + "/" + n);
    if (!s.ok()) return s.status();
    scenarios.push_back(*std::move(s));
  }
  return scenarios;
}

std::string TreeDirOf(const std::string& file, int levels) {
  char buf[PATH_MAX];
  if (!realpath(file.c_str(), buf)) return "";
  std::string dir = buf;
  for (int i = 0; i <= levels; ++i) {
    const size_t slash = dir.rfind('/');
    if (slash == std::string::npos) return "";
    dir.resize(slash);
  }
  return dir;
}

std::vector<HookCoverage> CollectHookCoverage(const lockstep_kernel_api* api,
                                              const std::vector<Scenario>& scenarios,
                                              const std::string& tree_dir) {
  std::map<std::string, std::vector<uint64_t>> by_kind;
  {
    CountingEngine engine(api, &by_kind);
    for (const Scenario& s : scenarios) {
      engine.SetScenario(&s);
      RunScenario(engine, s);
    }
  }
  const std::vector<lockstep_hook_info> hooks = Hooks(api);
  std::vector<HookCoverage> rows;
  for (size_t i = 0; i < hooks.size(); ++i) {
    if (!hooks[i].registered_by) continue;
    HookCoverage row;
    row.name = hooks[i].name;
    row.registered_by = hooks[i].registered_by;
    row.dispatched = hooks[i].dispatched != 0;
    for (const auto& [kind, counts] : by_kind) {
      if (i < counts.size() && counts[i]) row.reached_by[kind] = counts[i];
    }
    rows.push_back(row);
  }
  if (!tree_dir.empty()) {
    for (const auto& registration : TreeHookRegistrations(tree_dir)) {
      const std::string& name = registration.first;
      const std::string& file = registration.second;
      const bool known = std::any_of(rows.begin(), rows.end(),
                                     [&name](const HookCoverage& r) { return r.name == name; });
      if (known) continue;
      HookCoverage row;
      row.name = name;
      row.registered_by = file;
      row.compiled = false;
      rows.push_back(row);
    }
  }
  std::sort(rows.begin(), rows.end(), [](const HookCoverage& a, const HookCoverage& b) {
    return std::tie(a.registered_by, a.name) < std::tie(b.registered_by, b.name);
  });
  return rows;
}

}  // namespace lockstep
