#include "scenario/binary.h"

#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/landlock_uapi.h"
#include "gtest/gtest.h"
#include "scenario/fs_ops.h"
#include "scenario/generator.h"
#include "scenario/random_scenario.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

Scenario Decode(const std::vector<uint8_t>& b) { return DecodeScenario(b); }

TEST(BinaryDecode, EmptyInputIsTheEmptyScenario) {
  const Scenario s = Decode({});
  EXPECT_TRUE(s.ops.empty());
  EXPECT_TRUE(s.task.no_new_privs);
  EXPECT_FALSE(s.task.cap_sys_admin);
  const Scenario t = Decode({3});
  EXPECT_FALSE(t.task.no_new_privs);
  EXPECT_TRUE(t.task.cap_sys_admin);
}

TEST(BinaryDecode, KnownBytes) {
  const Scenario s = Decode({
      0x00,                    // task: defaults
      0, 0, 0, 3, 0, 0, 0, 0,  // create_ruleset RulesetAttr(0, 3, 0), readable all, size 24, flags 0
      1, 0, 0, 0, 3, 3, 0, 0,  // add_rule r0 net_port NetPortAttr(3, 443), readable all, flags 0
      2, 0, 0,                 // restrict_self r0
      5, 0, 1,                 // socket inet stream tcp
      6, 0, 0, 3, 0, 0, 0,     // bind s3 inet:127.0.0.1:443, readable all, addrlen 16
      7, 0x80, 5, 0xff, 7, 0, 0, 0,  // connect -1 null addrlen=7
      8, 1, 6, 3, 0xaa, 0xbb, 0xcc, 3, 0, 1,  // sendto r0 hex:aabbcc readable=1 fastopen
      4, 0x83,                 // close 1000
      3,                       // no_new_privs
  });
  EXPECT_EQ(PrintScn(s),
            "r0 = create_ruleset handled_net=bind|connect\n"
            "add_rule r0 net_port allowed=bind|connect port=443\n"
            "restrict_self r0\n"
            "s3 = socket inet stream tcp\n"
            "bind s3 inet:127.0.0.1:443\n"
            "connect -1 null addrlen=7\n"
            "sendto r0 hex:aabbcc readable=1 flags=fastopen\n"
            "close 1000\n"
            "no_new_privs\n");
  ASSERT_EQ(s.ops.size(), 9u);
  EXPECT_EQ(s.ops[0].mem, UserMem::Of(RulesetAttr(0, 3, 0)));
  EXPECT_EQ(s.ops[1].mem, UserMem::Of(NetPortAttr(3, 443)));
  EXPECT_EQ(s.ops[6].fd, FdRef::Handle(0));  // f = 1: the second most recent fd op
}

// Each kind's tag is fixed for good (binary.h OP): the numbers seeds were written with. A kind
// added to OpKind gets the next free tag; this table then gains a line, no line changes.
TEST(BinaryEncode, OpTagsAreStable) {
  const std::pair<OpKind, uint8_t> kTags[] = {
      {OpKind::kCreateRuleset, 0}, {OpKind::kAddRule, 1},    {OpKind::kRestrictSelf, 2},
      {OpKind::kSetNoNewPrivs, 3}, {OpKind::kClose, 4},      {OpKind::kSocket, 5},
      {OpKind::kBind, 6},          {OpKind::kConnect, 7},    {OpKind::kSendTo, 8},
      {OpKind::kMkdir, 9},         {OpKind::kMknod, 10},     {OpKind::kOpen, 11},
      {OpKind::kExecute, 12},      {OpKind::kTruncate, 13},  {OpKind::kFtruncate, 14},
      {OpKind::kUnlink, 15},       {OpKind::kRmdir, 16},     {OpKind::kRename, 17},
      {OpKind::kLink, 18},         {OpKind::kIoctl, 19},     {OpKind::kBindMount, 20},
      {OpKind::kExecve, 21},       {OpKind::kThread, 22},    {OpKind::kOnThread, 23},
      {OpKind::kFork, 24},         {OpKind::kKill, 25},      {OpKind::kPtrace, 26},
      {OpKind::kTraceme, 27},      {OpKind::kListen, 28},    {OpKind::kSetown, 29},
      {OpKind::kSigwait, 30},      {OpKind::kAccept, 31},
  };
  ASSERT_EQ(sizeof(kTags) / sizeof(kTags[0]), static_cast<size_t>(kNumOpKinds))
      << "a new OpKind: append it here with the next free tag";
  for (const auto& [kind, tag] : kTags) {
    Scenario s;
    Op op;
    op.kind = kind;
    s.ops.push_back(op);
    const std::vector<uint8_t> bytes = EncodeScenario(s);
    ASSERT_GE(bytes.size(), 2u);
    EXPECT_EQ(bytes[1], tag) << OpKindName(kind);
    // The tag is the byte modulo kOpTagSpace: the same op whichever of its bytes a fuzzer wrote.
    std::vector<uint8_t> high = bytes;
    high[1] = static_cast<uint8_t>(tag + kOpTagSpace);
    EXPECT_EQ(DecodeScenario(high), DecodeScenario(bytes)) << OpKindName(kind);
  }
}

// Tags no kind has yet make no op: the byte is skipped, and what follows is the next op.
TEST(BinaryDecode, UnassignedTagsAreInert) {
  const uint8_t no_new_privs = 3;
  for (unsigned tag = kNumOpKinds; tag < 256; ++tag) {
    if (tag % kOpTagSpace < static_cast<unsigned>(kNumOpKinds)) continue;
    const Scenario s = Decode({0x00, static_cast<uint8_t>(tag), no_new_privs});
    ASSERT_EQ(s.ops.size(), 1u) << tag;
    EXPECT_EQ(s.ops[0].kind, OpKind::kSetNoNewPrivs) << tag;
  }
}

TEST(BinaryDecode, EscapesAndPathBeneath) {
  const Scenario s = Decode({
      0x02,                                 // task no_new_privs=0
      5, 0xff, 0x2a, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x11, 0, 0, 0,  // socket 42 -1 17
      1, 0x82, 1, 1, 2, 0, 0, 0,            // add_rule 3 path_beneath PathBeneathAttr(2, s0)
      1, 0x81, 0xff, 9, 0, 0, 0, 4, 0, 0x80, 0,  // add_rule 0 9 attr=null parent_fd=-1
      0, 2, 255, 1,                         // create_ruleset RAW of 256 bytes (all zero: input ends)
  });
  EXPECT_FALSE(s.task.no_new_privs);
  ASSERT_EQ(s.ops.size(), 4u);
  EXPECT_EQ(s.ops[0].family, 42);
  EXPECT_EQ(s.ops[0].type, -1);
  EXPECT_EQ(s.ops[0].protocol, 17);
  EXPECT_EQ(s.ops[0].name, "s0");
  EXPECT_EQ(s.ops[1].fd, FdRef::Raw(3));
  EXPECT_EQ(s.ops[1].rule_type, 1);
  EXPECT_EQ(s.ops[1].mem, UserMem::Of(PathBeneathAttr(2, 0)));
  EXPECT_EQ(s.ops[1].parent_fd, FdRef::Handle(0));
  EXPECT_EQ(s.ops[2].rule_type, 9);
  EXPECT_EQ(s.ops[2].mem, UserMem::Null());
  EXPECT_EQ(s.ops[2].parent_fd, FdRef::Raw(-1));
  EXPECT_EQ(s.ops[3].mem.bytes.size(), 256u);
  EXPECT_EQ(s.ops[3].size, 256u);
  EXPECT_EQ(s.ops[3].name, "r3");
}

TEST(BinaryDecode, FilesystemOps) {
  const Scenario s = Decode({
      0x01,                 // task cap_sys_admin=1
      9, 0x00, 0,           // mkdir a
      11, 0x00, 8, 0,       // open a path: f1
      10, 0x41, 5, 3, 1,    // mknod b/f char:1:3 at=f1
      17, 0xc2, 0, 1, 3, 0xfe, 2, 0x80, 0,  // rename c/a/b/d . flags=exchange at=-1
      19, 0, 0,             // ioctl f1 fionread
      14, 0x83,             // ftruncate 1000
      20, 0xff, 3, 0, 'x', '/', 'y', 0xff, 5, 0, '.', '.', '/', '/', 'z', 1, 0xff, 0xfe, 0xff,
      0xff, 0xff,           // bind_mount x/y z at=f1 at2=-2 (the raw path made safe)
      10, 0, 0xff, 0x00, 0x60, 0, 0, 0x03, 0x01, 0, 0, 0, 0, 0, 0, 0,  // mknod a: raw mode, dev
  });
  EXPECT_EQ(PrintScn(s),
            "task cap_sys_admin=1\n"
            "mkdir a\n"
            "f1 = open a rdonly|path\n"
            "mknod b/f char:1:3 at=f1\n"
            "rename c/a/b/d . flags=exchange at=-1\n"
            "ioctl f1 fionread\n"
            "ftruncate 1000\n"
            "bind_mount x/y z at=f1 at2=-2\n"
            "mknod a block:1:3 mode=00\n");
  ASSERT_EQ(s.ops.size(), 8u);
  EXPECT_EQ(s.ops[1].name, "f1");
  EXPECT_EQ(s.ops[2].at, FdRef::Handle(1));
  EXPECT_FALSE(s.ops[3].at2.has_value());
}

TEST(BinaryDecode, NetworkOnlyLeavesTheFilesystemOpsInert) {
  const std::vector<uint8_t> bytes = {
      0x00,                          // task
      9, 0x00, 0,                    // mkdir a: inert, then 0x00 0 decode as below
      5, 0, 0, 0,                    // socket
      14, 0x83,                      // ftruncate: inert; 0x83 % 32 = 3 is no_new_privs
      4, 0,                          // close
  };
  const Scenario all = DecodeScenario(bytes);
  const Scenario net = DecodeScenario(bytes, DecodeOps::kNetwork);
  for (const Op& op : net.ops) EXPECT_FALSE(ReachesFilesystem(op.kind)) << PrintScn(net);
  EXPECT_LT(net.ops.size(), all.ops.size());
  bool all_has_fs = false;
  for (const Op& op : all.ops) all_has_fs |= ReachesFilesystem(op.kind);
  EXPECT_TRUE(all_has_fs);
  // The network half today (a new op that never reaches the filesystem belongs here too).
  const std::set<std::string> network = {"create_ruleset", "add_rule", "restrict_self",
                                         "no_new_privs",   "close",    "socket",
                                         "bind",           "connect",  "sendto",
                                         "thread",         "on_thread",
                                         "fork",           "kill",     "ptrace",
                                         "traceme",        "listen",
                                         "setown",         "sigwait",
                                         "accept"};
  for (const OpKind k : kAllOpKinds) {
    EXPECT_EQ(ReachesFilesystem(k), network.count(InfoOf(k).name) == 0) << InfoOf(k).name;
  }
}

TEST(BinaryProperty, NetworkOnlyRandomBytesHaveNoFilesystemOp) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes(rng() % 96);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    for (const Op& op : DecodeScenario(bytes, DecodeOps::kNetwork).ops) {
      ASSERT_FALSE(ReachesFilesystem(op.kind)) << PrintScn(DecodeScenario(bytes));
    }
  }
}

TEST(BinaryEncode, EveryValidPathSurvives) {
  for (const char* path : {".", "a", "f/e/d/c", "a/b/c/d/e", "g", "ab", "A", "a.b/-_9",
                           "expect_", "d/expect"}) {
    Scenario s;
    Op op;
    op.kind = OpKind::kRename;
    op.path = path;
    op.path2 = path;
    s.ops.push_back(op);
    EXPECT_EQ(DecodeScenario(EncodeScenario(s)), s) << path;
  }
  Scenario s;
  Op op;
  op.kind = OpKind::kMkdir;
  op.path = std::string(255, 'n') + "/" + std::string(255, 'm');
  s.ops.push_back(op);
  EXPECT_EQ(DecodeScenario(EncodeScenario(s)), s);
  // Short alphabet paths take a byte per name.
  op.path = "a/b/c/d";
  s.ops = {op};
  EXPECT_EQ(EncodeScenario(s).size(), 1u + 1u + 4u + 1u);  // task, kind, path, at
}

TEST(BinaryEncode, InvalidPathsBecomeWhatTheRunnerPasses) {
  Scenario s;
  Op op;
  op.kind = OpKind::kLink;
  op.path = "../../etc/passwd";
  op.path2 = "";
  op.at2 = FdRef::Handle(5);
  s.ops.push_back(op);
  const Scenario canonical = CanonicalForBinary(s);
  EXPECT_EQ(canonical.ops[0].path, "etc/passwd");
  EXPECT_EQ(canonical.ops[0].path2, ".");
  EXPECT_EQ(canonical.ops[0].at2, FdRef::Raw(-1));
  EXPECT_EQ(DecodeScenario(EncodeScenario(s)), canonical);
}

TEST(BinaryDecode, BoundedOps) {
  const std::vector<uint8_t> b(1000, 3);  // task byte, then no_new_privs forever
  EXPECT_EQ(Decode(b).ops.size(), kBinaryMaxOps);
}

// The property fuzzers rely on: every byte string decodes, within bounds, to a scenario that
// re-encodes to a fixed point and prints to .scn that parses back to it. 4 x 50,000 strings,
// split so the test shards (ASan makes one run of 200,000 take over 10 s).
void CheckRandomByteStrings(uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> bytes;
  for (int i = 0; i < count; ++i) {
    // Mostly short inputs (a few ops), every 16th up to 200 bytes (up to the op bound).
    bytes.resize(i % 16 == 0 ? rng() % 200 : rng() % 32);
    for (auto& v : bytes) {
      // Mostly small tags, sometimes anything.
      const uint64_t r = rng();
      v = static_cast<uint8_t>((r & 3) == 0 ? r >> 8 : (r >> 8) % 22);
    }
    const Scenario s = DecodeScenario(bytes);
    ASSERT_LE(s.ops.size(), kBinaryMaxOps);
    for (const Op& op : s.ops) {
      ASSERT_TRUE(fs::IsValidPath(op.path) || op.path.empty()) << op.path;
      ASSERT_TRUE(fs::IsValidPath(op.path2) || op.path2.empty()) << op.path2;
      ASSERT_LE(op.mem.bytes.size(), kBinaryMaxMem);
      ASSERT_LE(op.mem.readable, op.mem.bytes.size());
      ASSERT_FALSE(op.expect.has_value());
    }
    const std::vector<uint8_t> encoded = EncodeScenario(s);
    ASSERT_EQ(DecodeScenario(encoded), s) << "case " << i << "\n" << PrintScn(s);
    if (i % 25 == 0) {
      ASSERT_EQ(CanonicalForBinary(s), s) << PrintScn(s);
      absl::StatusOr<Scenario> text = ParseScn(PrintScn(s), "decoded.scn");
      ASSERT_TRUE(text.ok()) << text.status();
      ASSERT_EQ(*text, s);
    }
  }
}

TEST(BinaryProperty, RandomByteStrings1) { CheckRandomByteStrings(1, 50000); }
TEST(BinaryProperty, RandomByteStrings2) { CheckRandomByteStrings(2, 50000); }
TEST(BinaryProperty, RandomByteStrings3) { CheckRandomByteStrings(3, 50000); }
TEST(BinaryProperty, RandomByteStrings4) { CheckRandomByteStrings(4, 50000); }

TEST(BinaryProperty, RandomScenariosRoundTrip) {
  std::mt19937_64 rng(777);
  for (bool wild : {false, true}) {
    RandomScenarioOptions options;
    options.wild = wild;
    options.max_mem = 300;  // some mems beyond the bound: truncated by CanonicalForBinary
    options.max_ops = 60;   // some scenarios beyond the bound: truncated
    for (int i = 0; i < 2000; ++i) {
      const Scenario s = RandomScenario(rng, options);
      const Scenario canonical = CanonicalForBinary(s);
      ASSERT_LE(canonical.ops.size(), kBinaryMaxOps);
      ASSERT_EQ(DecodeScenario(EncodeScenario(s)), canonical) << PrintScn(s);
      ASSERT_EQ(CanonicalForBinary(canonical), canonical);
    }
  }
}

TEST(BinaryProperty, GeneratedScenariosSurviveEncodeDecode) {
  for (bool live : {false, true}) {
    GeneratorOptions options;
    options.live_comparable = live;
    ScenarioGenerator gen(99, options);
    for (int i = 0; i < 3000; ++i) {
      const Scenario s = gen.Next(8 + i % 24);
      ASSERT_EQ(CanonicalForBinary(s), s) << PrintScn(s);
      ASSERT_EQ(DecodeScenario(EncodeScenario(s)), s) << PrintScn(s);
    }
  }
}

TEST(BinaryProperty, ScnSeedsBecomeFuzzSeeds) {
  const char* kText =
      "task no_new_privs=0 cap_sys_admin=1\n"
      "rs = create_ruleset handled_net=bind|connect scoped=signal expect fd\n"
      "add_rule rs net_port allowed=bind port=65536 expect EINVAL\n"
      "add_rule rs path_beneath allowed=execute parent_fd=rs\n"
      "add_rule rs 7 attr=00 parent_fd=9\n"
      "create_ruleset attr=null size=0 flags=version expect 6\n"
      "restrict_self rs flags=0x10\n"
      "sock = socket inet6 stream|nonblock mptcp\n"
      "bind sock inet6:[2001:db8::7]:443 readable=27\n"
      "connect sock unspec addrlen=-1\n"
      "sendto sock unspec6:[::]:9 flags=fastopen|0x1000\n"
      "close rs\n";
  absl::StatusOr<Scenario> s = ParseScn(kText, "seed.scn");
  ASSERT_TRUE(s.ok()) << s.status();
  const Scenario canonical = CanonicalForBinary(*s);
  EXPECT_EQ(canonical.ops[0].name, "r0");
  EXPECT_EQ(canonical.ops[6].name, "s6");
  EXPECT_EQ(canonical.ops[4].name, "");
  EXPECT_FALSE(canonical.ops[0].expect.has_value());
  EXPECT_EQ(canonical.ops[3].line, 0);
  EXPECT_EQ(DecodeScenario(EncodeScenario(*s)), canonical);
  // The canonical names differ; everything the engines see is the same.
  EXPECT_EQ(PrintScn(canonical),
            "task no_new_privs=0 cap_sys_admin=1\n"
            "r0 = create_ruleset handled_net=bind|connect scoped=signal\n"
            "add_rule r0 net_port allowed=bind port=65536\n"
            "add_rule r0 path_beneath allowed=execute parent_fd=r0\n"
            "add_rule r0 7 attr=00 parent_fd=9\n"
            "create_ruleset attr=null flags=version\n"
            "restrict_self r0 flags=0x10\n"
            "s6 = socket inet6 stream|nonblock mptcp\n"
            "bind s6 inet6:[2001:db8::7]:443 readable=27\n"
            "connect s6 unspec addrlen=-1\n"
            "sendto s6 unspec6:[::]:9 flags=fastopen|0x1000\n"
            "close r0\n");
}

}  // namespace
}  // namespace lockstep
