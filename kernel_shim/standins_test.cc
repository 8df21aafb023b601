// standins.def against the shim's sources: every listed stand-in is defined where the table says,
// every definition in stubs.h is listed, and no shim header defines a silent no-op macro that is
// neither listed nor one of the annotations that are no-ops in the kernel too. So the list
// ./lockstep shim prints cannot drift from the shim.

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernel_shim/standins.h"

namespace {

std::string ShimPath(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir && workspace) return std::string(srcdir) + "/" + workspace + "/kernel_shim/" + rel;
  return "kernel_shim/" + rel;
}

std::string Read(const std::string& rel) {
  std::ifstream in(ShimPath(rel));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const char* const kHeaders[] = {
    "include/lockstep_shim/dup.h",  "include/lockstep_shim/stubs.h",
    "include/lockstep_shim/custom.h", "include/lockstep_shim/vfs.h",
    "include/lockstep_shim/net.h",  "include/lockstep_shim/task.h",
    "include/lockstep_shim/audit.h",
};

// Empty in the kernel as well when built without sparse or on these compilers: faithful.
const std::set<std::string> kFaithfulNoOps = {
    "asmlinkage", "notrace",   "__visible",  "__user",      "__kernel",    "__iomem",
    "__rcu",      "__force",   "__bitwise",  "__percpu",    "__must_hold", "__acquires",
    "__releases", "__acquire", "__release",  "__counted_by", "pr_fmt",
};

std::set<std::string> Listed(lockstep_standin_kind kind) {
  std::set<std::string> names;
  for (size_t i = 0; i < lockstep_num_standins; ++i) {
    if (lockstep_standins[i].kind == kind) names.insert(lockstep_standins[i].name);
  }
  return names;
}

TEST(Standins, EachIsDefinedWhereTheTableSays) {
  ASSERT_GT(lockstep_num_standins, 50u);
  for (size_t i = 0; i < lockstep_num_standins; ++i) {
    const lockstep_standin& s = lockstep_standins[i];
    const std::string text = Read(s.file);
    ASSERT_FALSE(text.empty()) << s.file;
    const std::regex def("(#define " + std::string(s.name) + "\\b)|(\\n[a-z][^\\n;]*\\b" +
                         s.name + "\\([^;]*\\n\\{)");
    EXPECT_TRUE(std::regex_search(text, def)) << s.name << " is not defined in " << s.file;
    EXPECT_NE(std::string(s.what), "") << s.name;
  }
}

TEST(Standins, EveryDefinitionInStubsHIsListed) {
  const std::set<std::string> stubs = Listed(LOCKSTEP_STANDIN_STUB);
  const std::string text = Read("include/lockstep_shim/stubs.h");
  const std::regex def("#define ([A-Za-z_][A-Za-z0-9_]*)");
  int seen = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), def), end; it != end; ++it) {
    const std::string name = (*it)[1];
    if (name == "LOCKSTEP_SHIM_STUBS_H" || name.rfind("__lockstep_", 0) == 0 ||
        name.rfind("CONFIG_", 0) == 0 || name.rfind("LOCKSTEP_CONFIG_", 0) == 0 ||
        name == "IS_ENABLED" || name == "IS_BUILTIN") {
      continue;
    }
    ++seen;
    EXPECT_TRUE(stubs.count(name)) << "stubs.h defines " << name
                                   << " but kernel_shim/standins.def does not list it";
  }
  EXPECT_GE(seen, 10);
}

TEST(Standins, NoUnlistedSilentMacro) {
  std::set<std::string> listed = Listed(LOCKSTEP_STANDIN_STUB);
  for (const std::string& n : Listed(LOCKSTEP_STANDIN_INSTRUMENTED)) listed.insert(n);
  // A macro whose whole body is empty or ((void)0): it does nothing.
  const std::regex noop("\\n#define ([A-Za-z_][A-Za-z0-9_]*)(\\([^)]*\\))?[ \\t]*(\\(\\(void\\)0\\))?[ \\t]*\\n");
  for (const char* header : kHeaders) {
    const std::string text = Read(header);
    for (std::sregex_iterator it(text.begin(), text.end(), noop), end; it != end; ++it) {
      const std::string name = (*it)[1];
      if (name.rfind("LOCKSTEP_SHIM_", 0) == 0) continue;  // include guards
      EXPECT_TRUE(listed.count(name) || kFaithfulNoOps.count(name))
          << header << ": " << name << " does nothing; list it in kernel_shim/standins.def";
    }
  }
}

}  // namespace
