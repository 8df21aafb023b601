#include "scenario/binary.h"

#include <random>
#include <string>
#include <vector>

#include "engine/landlock_uapi.h"
#include "gtest/gtest.h"
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
      v = static_cast<uint8_t>((r & 3) == 0 ? r >> 8 : (r >> 8) % 10);
    }
    const Scenario s = DecodeScenario(bytes);
    ASSERT_LE(s.ops.size(), kBinaryMaxOps);
    for (const Op& op : s.ops) {
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
