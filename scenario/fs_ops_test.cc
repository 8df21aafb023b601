#include "scenario/fs_ops.h"

#include <string>

#include "gtest/gtest.h"

namespace lockstep {
namespace fs {
namespace {

TEST(FsOps, MakedevIsGlibcs) {
  EXPECT_EQ(Makedev(1, 3), 0x103u);
  EXPECT_EQ(Makedev(259, 0), 0x10300u);
  EXPECT_EQ(Makedev(0x12345, 0x6789a), 0x000120006783459aull);  // glibc sys/sysmacros.h
  for (uint32_t major : {0u, 1u, 0xfffu, 0x1000u, 0xffffffffu}) {
    for (uint32_t minor : {0u, 3u, 0xffu, 0x100u, 0xffffffffu}) {
      EXPECT_EQ(Major(Makedev(major, minor)), major);
      EXPECT_EQ(Minor(Makedev(major, minor)), minor);
    }
  }
}

TEST(FsOps, ValidPaths) {
  for (const char* p : {".", "a", "a/b", "...", ".a/b.", "A-_9/x", "expect_", "a/expect"}) {
    EXPECT_TRUE(IsValidPath(p)) << p;
    EXPECT_EQ(SafePath(p), p);
  }
  EXPECT_TRUE(IsValidPath(std::string(255, 'x')));
  for (const char* p : {"", "/", "/a", "a/", "a//b", "..", "a/..", "./a", "a/./b", "a b", "a\n",
                        "expect", "a/*"}) {
    EXPECT_FALSE(IsValidPath(p)) << p;
    EXPECT_TRUE(IsValidPath(SafePath(p))) << p << " -> " << SafePath(p);
  }
  EXPECT_FALSE(IsValidPath(std::string(256, 'x')));
}

TEST(FsOps, SafePathNeverLeavesTheTree) {
  EXPECT_EQ(SafePath(""), ".");
  EXPECT_EQ(SafePath("/"), ".");
  EXPECT_EQ(SafePath("../../etc/passwd"), "etc/passwd");
  EXPECT_EQ(SafePath("/a//b/./c/"), "a/b/c");
  EXPECT_EQ(SafePath("a b/c*"), "a_b/c_");
  EXPECT_EQ(SafePath("expect"), "expect_");
  EXPECT_EQ(SafePath(std::string(300, 'n')), std::string(255, 'n'));
  std::string long_path;
  for (int i = 0; i < 100; ++i) long_path += std::string(99, 'd') + "/";
  const std::string safe = SafePath(long_path);
  EXPECT_LE(safe.size(), kMaxPathBytes);
  EXPECT_TRUE(IsValidPath(safe));
}

}  // namespace
}  // namespace fs
}  // namespace lockstep
