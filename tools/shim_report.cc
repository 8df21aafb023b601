// ./lockstep shim: what the shim around the tree's code does instead of the kernel.
//  1. The stubs (kernel_shim/standins.def): what each does instead, and which of the tree's
//     Landlock files use it.
//  2. The instrumented stand-ins and what each checks.
//  3. Hook coverage: every LSM hook the tree registers (the shim's hook table after Landlock's
//     init, plus hooks registered by tree files this build does not compile), and the op kinds
//     of corpus/*.scn that reach it through the kernel engine, or "not reached".

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_join.h"
#include "kernel_shim/adapter/kernel_api.h"
#include "kernel_shim/standins.h"
#include "tools/hook_coverage.h"

ABSL_FLAG(std::string, tree_dir, "", "the extracted kernel tree (its security/landlock/ is grepped)");
ABSL_FLAG(std::string, corpus_dir, "corpus", "the .scn scenarios run for hook coverage");

namespace lockstep {
namespace {

std::vector<std::string> ListDir(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
        names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The tree's Landlock files (name -> text).
std::vector<std::pair<std::string, std::string>> TreeFiles(const std::string& tree_dir) {
  std::vector<std::pair<std::string, std::string>> files;
  const std::string dir = tree_dir + "/security/landlock";
  std::vector<std::string> names = ListDir(dir, ".c");
  for (const std::string& h : ListDir(dir, ".h")) names.push_back(h);
  for (const std::string& n : names) files.emplace_back(n, ReadFile(dir + "/" + n));
  return files;
}

std::string UsedBy(const std::vector<std::pair<std::string, std::string>>& files,
                   const std::string& name) {
  const std::regex word("(^|[^A-Za-z0-9_])" + name + "($|[^A-Za-z0-9_])");
  std::vector<std::string> users;
  for (const auto& [file, text] : files) {
    if (std::regex_search(text, word)) users.push_back(file);
  }
  return users.empty() ? "-" : absl::StrJoin(users, " ");
}

int Main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string tree_dir = absl::GetFlag(FLAGS_tree_dir);
  const lockstep_kernel_api* api = lockstep_kernel_default();
  const auto files = TreeFiles(tree_dir);
  std::printf("lockstep shim: tree %s (%s), adapter generation %s\n", api->version, api->origin,
              api->generation);
  if (files.empty()) std::printf("  (no tree sources at --tree_dir='%s': file use not shown)\n",
                                 tree_dir.c_str());

  for (int pass = 0; pass < 2; ++pass) {
    const lockstep_standin_kind kind = pass == 0 ? LOCKSTEP_STANDIN_STUB : LOCKSTEP_STANDIN_INSTRUMENTED;
    size_t n = 0;
    for (size_t i = 0; i < lockstep_num_standins; ++i) n += lockstep_standins[i].kind == kind;
    std::printf("\n%s (%zu, kernel_shim/standins.def)%s\n",
                pass == 0 ? "Stubs: do less than the kernel's, on purpose" :
                            "Instrumented stand-ins: check their contract, report a finding",
                n, "");
    std::printf("  %-26s %s\n  %-26s   %s\n", "NAME", pass == 0 ? "INSTEAD" : "CHECKS", "",
                "used by: the tree's security/landlock/ files naming it");
    for (size_t i = 0; i < lockstep_num_standins; ++i) {
      const lockstep_standin& s = lockstep_standins[i];
      if (s.kind != kind) continue;
      std::printf("  %-26s %s\n  %-26s   used by: %s\n", s.name, s.what, "",
                  UsedBy(files, s.name).c_str());
    }
  }

  const std::string corpus = absl::GetFlag(FLAGS_corpus_dir);
  absl::StatusOr<std::vector<Scenario>> loaded = LoadScenarios(corpus);
  if (!loaded.ok()) {
    std::fprintf(stderr, "lockstep shim: %s\n", std::string(loaded.status().message()).c_str());
    return 1;
  }
  const std::vector<Scenario>& scenarios = *loaded;
  const std::vector<HookCoverage> rows = CollectHookCoverage(api, scenarios, tree_dir);
  std::printf("\nHook coverage: %zu scenarios of %s/ through the kernel engine\n", scenarios.size(),
              corpus.c_str());
  std::printf("  %-24s %-26s %s\n", "HOOK", "REGISTERED BY", "REACHED BY (op kind: calls)");
  int registered = 0, reached = 0;
  std::vector<std::string> unreached;
  for (const HookCoverage& r : rows) {
    ++registered;
    std::string how;
    if (!r.compiled) {
      how = "not reached: file not compiled by this build";
    } else if (r.reached_by.empty()) {
      how = r.dispatched ? "not reached by the corpus" : "not reached: no op of the model calls it";
    } else {
      std::vector<std::string> parts;
      for (const auto& [kind, calls] : r.reached_by) parts.push_back(kind + ": " + std::to_string(calls));
      how = absl::StrJoin(parts, ", ");
      ++reached;
    }
    if (r.reached_by.empty()) unreached.push_back(r.name);
    std::printf("  %-24s %-26s %s\n", r.name.c_str(), r.registered_by.c_str(), how.c_str());
  }
  std::printf("\n%d hooks registered by the tree, %d reached, %zu not reached: %s\n", registered,
              reached, unreached.size(), absl::StrJoin(unreached, " ").c_str());
  return 0;
}

}  // namespace
}  // namespace lockstep

int main(int argc, char** argv) { return lockstep::Main(argc, argv); }
