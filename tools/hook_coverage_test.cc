// Hook coverage of the default tree over corpus/*.scn (tools/hook_coverage.h): every hook the
// tree registers is in the list, whether or not this build compiles the file registering it, and
// the hooks no op reaches are exactly the known set below. A new tree's new hook is then a
// failure naming it ("not reached"), not a hook that silently goes unexercised.

#include <cstdlib>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/hook_coverage.h"

namespace lockstep {
namespace {

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return srcdir && workspace ? std::string(srcdir) + "/" + workspace + "/" + rel : rel;
}

std::string TreeDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::string file = std::string(srcdir ? srcdir : ".") + "/kernel_tree/security/landlock/ruleset.c";
  return TreeDirOf(file, 2);
}

// Registered by the 6.12 trees but reached by no op of this model (as of 6.12.118):
const std::set<std::string> kKnownUnreached = {
    // fs.c, registered and compiled: the model has no op for them.
    "move_mount", "sb_umount", "sb_remount", "sb_pivotroot", "path_symlink",
    "file_ioctl_compat",
    // cred.c: only for keyctl's session-keyring install.
    "cred_transfer",
};

TEST(HookCoverage, EveryRegisteredHookIsListedAndTheUnreachedAreTheKnownOnes) {
  const std::string tree = TreeDir();
  ASSERT_FALSE(tree.empty());
  const std::map<std::string, std::string> in_tree = TreeHookRegistrations(tree);
  ASSERT_GE(in_tree.size(), 20u) << tree;

  absl::StatusOr<std::vector<Scenario>> corpus = LoadScenarios(Runfile("corpus"));
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  ASSERT_GE(corpus->size(), 40u);
  const std::vector<HookCoverage> rows =
      CollectHookCoverage(lockstep_kernel_default(), *corpus, tree);

  std::set<std::string> listed, unreached;
  for (const HookCoverage& r : rows) {
    listed.insert(r.name);
    if (r.reached_by.empty()) unreached.insert(r.name);
    // A hook reached through an op path must be one the shim says it dispatches.
    if (!r.reached_by.empty()) {
      EXPECT_TRUE(r.dispatched) << r.name;
    }
    if (!r.compiled) {
      EXPECT_TRUE(r.reached_by.empty()) << r.name;
    }
  }
  for (const auto& [name, file] : in_tree) {
    EXPECT_TRUE(listed.count(name)) << name << " (" << file << ") is missing from the list";
  }
  for (const std::string& name : unreached) {
    EXPECT_TRUE(kKnownUnreached.count(name))
        << name << " is registered by the tree but no op reaches it: new in this tree? "
        << "add an op (or a corpus case), or list it in kKnownUnreached with the reason";
  }
  for (const std::string& name : kKnownUnreached) {
    if (listed.count(name)) {
      EXPECT_TRUE(unreached.count(name)) << name << " is reached now: drop it from kKnownUnreached";
    }
  }
}

TEST(HookCoverage, NetworkAndFilesystemHooksAreReachedByTheirOps) {
  absl::StatusOr<std::vector<Scenario>> corpus = LoadScenarios(Runfile("corpus"));
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  const std::vector<HookCoverage> rows = CollectHookCoverage(lockstep_kernel_default(), *corpus, "");
  std::map<std::string, std::map<std::string, uint64_t>> by_hook;
  for (const HookCoverage& r : rows) by_hook[r.name] = r.reached_by;
  EXPECT_GT(by_hook["socket_connect"]["connect"], 0u);
  EXPECT_GT(by_hook["socket_bind"]["bind"], 0u);
  EXPECT_GT(by_hook["path_mkdir"]["mkdir"], 0u);
  EXPECT_GT(by_hook["file_open"]["open"], 0u);
}

}  // namespace
}  // namespace lockstep
