#include "scenario/generator.h"

#include <map>
#include <set>
#include <string>

#include "engine/landlock_uapi.h"
#include "gtest/gtest.h"
#include "scenario/fs_ops.h"
#include "scenario/live_comparable.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

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
      fs = fs || ReachesFilesystem(op.kind);
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
  for (OpKind k : {OpKind::kMkdir, OpKind::kMknod, OpKind::kOpen, OpKind::kExecute, OpKind::kExecve,
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
      EXPECT_FALSE(ReachesFilesystem(op.kind)) << OpKindName(op.kind);
    }
  }
  options.filesystem_percent = 100;
  ScenarioGenerator fs_only(5, options);
  for (int i = 0; i < 500; ++i) {
    bool fs = false;
    for (const Op& op : fs_only.Next().ops) fs = fs || ReachesFilesystem(op.kind);
    EXPECT_TRUE(fs);
  }
}

uint64_t U64At(const std::vector<uint8_t>& b, size_t off) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && off + i < b.size(); ++i) v |= static_cast<uint64_t>(b[off + i]) << (8 * i);
  return v;
}

// udp_percent: rulesets handling and rules granting UDP rights (bits 2 and 3), and UDP sockets,
// often enough for the explainer's scenarios to tell a change of one UDP check from
// udp_checked's flip; at 0 (the default), UDP rights come only as the rare unknown bit.
TEST(Generator, UdpPercentDrawsUdpRightsAndSockets) {
  for (int percent : {0, 30}) {
    GeneratorOptions options;
    options.filesystem_percent = 0;
    options.udp_percent = percent;
    ScenarioGenerator gen(23, options);
    int udp_handled = 0, udp_granted = 0, udp_sockets = 0;
    constexpr int kScenarios = 1000;
    for (int i = 0; i < kScenarios; ++i) {
      for (const Op& op : gen.Next(8 + i % 16).ops) {
        if (op.kind == OpKind::kCreateRuleset && (U64At(op.mem.bytes, 8) & 0xc) != 0) ++udp_handled;
        if (op.kind == OpKind::kAddRule && op.rule_type == 2 && (U64At(op.mem.bytes, 0) & 0xc) != 0) {
          ++udp_granted;
        }
        if (op.kind == OpKind::kSocket && op.type == net::kSockDgram) ++udp_sockets;
      }
    }
    if (percent == 0) {
      EXPECT_LT(udp_handled, kScenarios / 50);
    } else {
      EXPECT_GT(udp_handled, kScenarios / 5);
      EXPECT_GT(udp_granted, kScenarios / 5);
      EXPECT_GT(udp_sockets, kScenarios / 5);
    }
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
