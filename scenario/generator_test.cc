#include "scenario/generator.h"

#include <map>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "scenario/fs_ops.h"
#include "scenario/live_comparable.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

bool IsFilesystemOp(OpKind k) {
  return k != OpKind::kCreateRuleset && k != OpKind::kAddRule && k != OpKind::kRestrictSelf &&
         k != OpKind::kSetNoNewPrivs && k != OpKind::kClose && k != OpKind::kSocket &&
         k != OpKind::kBind && k != OpKind::kConnect && k != OpKind::kSendTo;
}

TEST(Generator, MakesEveryFilesystemOp) {
  ScenarioGenerator gen(1);
  std::map<OpKind, int> kinds;
  std::set<uint32_t> rename_flags;
  int fs_scenarios = 0, rules_on_opens = 0, cross_dir_renames = 0, at_handles = 0;
  constexpr int kScenarios = 2000;
  for (int i = 0; i < kScenarios; ++i) {
    const Scenario s = gen.Next(16);
    ASSERT_LE(s.ops.size(), 48u);
    bool fs = false;
    for (const Op& op : s.ops) {
      kinds[op.kind]++;
      fs = fs || IsFilesystemOp(op.kind);
      if (op.kind == OpKind::kRename) {
        rename_flags.insert(op.flags);
        if (op.path.find('/') != op.path2.find('/')) ++cross_dir_renames;
      }
      if (op.kind == OpKind::kAddRule && op.parent_fd &&
          op.parent_fd->kind == FdRef::Kind::kHandle &&
          s.ops[op.parent_fd->value].kind == OpKind::kOpen) {
        ++rules_on_opens;
      }
      if (op.at && op.at->kind == FdRef::Kind::kHandle) ++at_handles;
      if (op.kind == OpKind::kMknod) {
        const uint32_t type = op.mode & fs::kSIfmt;
        if (type == fs::kSIfchr) {
          EXPECT_TRUE(op.dev == fs::kNullDevice || op.dev == 0) << op.dev;
        } else {
          EXPECT_EQ(op.dev, 0u);
        }
      }
      EXPECT_TRUE(op.path.empty() || fs::IsValidPath(op.path)) << op.path;
      EXPECT_TRUE(op.path2.empty() || fs::IsValidPath(op.path2)) << op.path2;
    }
    fs_scenarios += fs;
    // Every scenario is one the text form can say.
    absl::StatusOr<Scenario> back = ParseScn(PrintScn(s), "gen.scn");
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << PrintScn(s);
  }
  for (OpKind k : {OpKind::kMkdir, OpKind::kMknod, OpKind::kOpen, OpKind::kExecute,
                   OpKind::kTruncate, OpKind::kFtruncate, OpKind::kUnlink, OpKind::kRmdir,
                   OpKind::kRename, OpKind::kLink, OpKind::kIoctl, OpKind::kBindMount,
                   OpKind::kBind, OpKind::kConnect, OpKind::kSendTo}) {
    EXPECT_GT(kinds[k], kScenarios / 20) << OpKindName(k);
  }
  EXPECT_GT(fs_scenarios, kScenarios / 3);
  EXPECT_LT(fs_scenarios, kScenarios * 2 / 3);
  EXPECT_GT(rules_on_opens, kScenarios / 2);
  EXPECT_GT(cross_dir_renames, kScenarios / 20);
  EXPECT_GT(at_handles, kScenarios / 10);
  for (uint32_t f : {0u, 1u, 2u, 4u}) EXPECT_TRUE(rename_flags.count(f)) << f;
}

TEST(Generator, FilesystemPercentZeroIsTheNetworkGenerator) {
  GeneratorOptions options;
  options.filesystem_percent = 0;
  ScenarioGenerator gen(5, options);
  for (int i = 0; i < 500; ++i) {
    for (const Op& op : gen.Next().ops) {
      EXPECT_FALSE(IsFilesystemOp(op.kind)) << OpKindName(op.kind);
    }
  }
  options.filesystem_percent = 100;
  ScenarioGenerator fs_only(5, options);
  for (int i = 0; i < 500; ++i) {
    bool fs = false;
    for (const Op& op : fs_only.Next().ops) fs = fs || IsFilesystemOp(op.kind);
    EXPECT_TRUE(fs);
  }
}

TEST(Generator, LiveComparableFilesystemOps) {
  GeneratorOptions options;
  options.live_comparable = true;
  options.filesystem_percent = 100;
  ScenarioGenerator gen(11, options);
  const auto comparable = [](const FdRef& ref) {
    return ref.kind == FdRef::Kind::kHandle || ref.value == -1 || ref.value == (1 << 30);
  };
  for (int i = 0; i < 1000; ++i) {
    for (const Op& op : gen.Next(20).ops) {
      EXPECT_TRUE(comparable(op.fd));
      EXPECT_TRUE(!op.at || comparable(*op.at));
      EXPECT_TRUE(!op.at2 || comparable(*op.at2));
      EXPECT_TRUE(!op.parent_fd || comparable(*op.parent_fd));
      if (op.kind == OpKind::kIoctl) {
        // Only the named commands: no random request reaches a real driver.
        Scenario one;
        one.ops.push_back(op);
        EXPECT_EQ(PrintScn(one).find("0x"), std::string::npos) << PrintScn(one);
      }
    }
  }
}

// Every scenario of the live_comparable mode passes the predicate the live fuzzer and fidelity
// filter with, network and filesystem alike; without the mode, the generator does make
// scenarios the predicate rejects (so the check can fail).
TEST(Generator, LiveComparableScenariosPassTheLivePredicate) {
  for (bool live : {true, false}) {
    GeneratorOptions options;
    options.live_comparable = live;
    ScenarioGenerator gen(17, options);
    int rejected = 0;
    for (int i = 0; i < 3000; ++i) {
      const Scenario s = gen.Next(8 + i % 16);
      const NotLiveComparable why = WhyNotLiveComparable(s, /*devices_usable=*/true);
      if (live) {
        EXPECT_EQ(why.ToString(), "") << PrintScn(s);
      }
      rejected += why.comparable() ? 0 : 1;
    }
    if (!live) {
      EXPECT_GT(rejected, 0);
    }
  }
}

}  // namespace
}  // namespace lockstep
