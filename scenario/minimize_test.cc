#include "scenario/minimize.h"

#include "gtest/gtest.h"
#include "scenario/generator.h"

namespace lockstep {
namespace {

Op OpOf(OpKind kind, FdRef fd = FdRef::Raw(-1)) {
  Op op;
  op.kind = kind;
  op.fd = fd;
  return op;
}

TEST(WithoutOp, RenumbersLaterHandlesAndBreaksHandlesToTheRemovedOp) {
  Scenario s;
  s.ops = {OpOf(OpKind::kSocket), OpOf(OpKind::kSocket), OpOf(OpKind::kBind, FdRef::Handle(1)),
           OpOf(OpKind::kBind, FdRef::Handle(0))};
  const Scenario out = WithoutOp(s, 0);
  ASSERT_EQ(out.ops.size(), 3u);
  EXPECT_EQ(out.ops[1].fd, FdRef::Handle(0));
  EXPECT_EQ(out.ops[2].fd, FdRef::Raw(-1));
}

TEST(WithoutOp, RenumbersDirectoryHandles) {
  Scenario s;
  Op open = OpOf(OpKind::kOpen);
  open.path = "a";
  Op rename = OpOf(OpKind::kRename);
  rename.path = "b";
  rename.path2 = "c";
  rename.at = FdRef::Handle(2);
  rename.at2 = FdRef::Handle(1);
  s.ops = {OpOf(OpKind::kSetNoNewPrivs), open, open, rename};
  const Scenario out = WithoutOp(s, 1);
  ASSERT_EQ(out.ops.size(), 3u);
  EXPECT_EQ(out.ops[2].at, FdRef::Handle(1));
  EXPECT_EQ(out.ops[2].at2, FdRef::Raw(-1));
}

TEST(MinimizeScenario, KeepsOnlyTheFilesystemOpsThePredicateNeeds) {
  GeneratorOptions options;
  options.filesystem_percent = 100;
  ScenarioGenerator gen(3, options);
  int minimized = 0;
  for (int round = 0; round < 50; ++round) {
    Scenario s = gen.Next(20);
    // The "problem": a rename after a restrict_self, resolving from a directory fd.
    const auto fails = [](const Scenario& c) {
      bool restricted = false;
      for (const Op& op : c.ops) {
        if (op.kind == OpKind::kRestrictSelf) restricted = true;
        if (restricted && op.kind == OpKind::kRename && op.at &&
            op.at->kind == FdRef::Kind::kHandle && c.ops[op.at->value].kind == OpKind::kOpen) {
          return true;
        }
      }
      return false;
    };
    if (!fails(s)) continue;
    const Scenario min = MinimizeScenario(s, fails);
    ASSERT_EQ(min.ops.size(), 3u);
    EXPECT_EQ(min.ops[2].kind, OpKind::kRename);
    EXPECT_EQ(min.ops[2].at, FdRef::Handle(min.ops[0].kind == OpKind::kOpen ? 0 : 1));
    ++minimized;
  }
  EXPECT_GT(minimized, 0);
}

TEST(MinimizeScenario, KeepsOnlyTheOpsThePredicateNeeds) {
  ScenarioGenerator gen(7);
  for (int round = 0; round < 50; ++round) {
    Scenario s = gen.Next(20);
    // The "problem": a restrict_self followed later by a bind.
    const auto fails = [](const Scenario& c) {
      bool restricted = false;
      for (const Op& op : c.ops) {
        if (op.kind == OpKind::kRestrictSelf) restricted = true;
        if (restricted && op.kind == OpKind::kBind) return true;
      }
      return false;
    };
    if (!fails(s)) continue;
    const Scenario min = MinimizeScenario(s, fails);
    ASSERT_EQ(min.ops.size(), 2u);
    EXPECT_EQ(min.ops[0].kind, OpKind::kRestrictSelf);
    EXPECT_EQ(min.ops[1].kind, OpKind::kBind);
  }
}

}  // namespace
}  // namespace lockstep
