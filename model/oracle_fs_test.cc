// The oracle's filesystem: each op's checks (docs/filesystem.md) and Landlock's filesystem
// decisions, with exact errnos. "Checked on Linux 6.18" marks what was also run on the live
// kernel of the development machine (a throwaway C program: private mount namespace, fresh
// tmpfs, landlock syscalls), not only read in the 6.12 sources.

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/landlock_uapi.h"
#include "gtest/gtest.h"
#include "model/fs_access.h"
#include "model/oracle_engine.h"
#include "model/profile.h"

namespace lockstep {
namespace {

using namespace fs_access;  // NOLINT: the rights read best unqualified here

constexpr int kRoot = Engine::kAtRoot;

// Open flags, mknod types, renameat2 flags (x86-64 Linux).
constexpr uint32_t kRdonly = 0, kWronly = 1, kRdwr = 2;
constexpr uint32_t kCreat = 0100, kExcl = 0200, kTrunc = 01000;
constexpr uint32_t kDirectory = 0200000, kPath = 010000000;
constexpr uint32_t kIfreg = 0100000, kIfchr = 0020000, kIfblk = 0060000, kIfdir = 0040000;
constexpr uint32_t kIffifo = 0010000, kIfsock = 0140000, kIflnk = 0120000;
constexpr uint32_t kNoreplace = 1, kExchange = 2, kWhiteout = 4;
constexpr uint64_t kNullDev = 0x103;  // makedev(1, 3)
constexpr uint64_t kZeroDev = 0x105;  // makedev(1, 5): opens to ENXIO in the model
constexpr uint32_t kFionread = 0x541b;
constexpr uint32_t kFioclex = 0x5451;
constexpr uint32_t kGetFsUuid = 0x80111500;  // FS_IOC_GETFSUUID

class OracleFsTest : public ::testing::Test {
 protected:
  explicit OracleFsTest(Profile profile = ProfileForVersion("6.12.117")) : e_(std::move(profile)) {
    TaskSpec spec;
    spec.cap_sys_admin = true;  // bind mounts need it; restrict_self does not care
    e_.BeginTask(spec);
  }
  ~OracleFsTest() override { EXPECT_TRUE(e_.EndTask().empty()); }

  void Dir(const std::string& path) { ASSERT_EQ(e_.Mkdir(kRoot, path), 0) << path; }
  void File(const std::string& path) { ASSERT_EQ(e_.Mknod(kRoot, path, kIfreg | 0755, 0), 0); }
  int OpenPath(const std::string& path) {
    const long fd = e_.Open(kRoot, path, kPath);
    EXPECT_GE(fd, 0) << path;
    return static_cast<int>(fd);
  }

  int NewRuleset(uint64_t handled_fs, uint64_t handled_net = 0) {
    const std::vector<uint8_t> attr = RulesetAttr(handled_fs, handled_net, 0);
    const long fd = e_.CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
    EXPECT_GE(fd, 0);
    return static_cast<int>(fd);
  }
  long AddRule(int ruleset, uint64_t rights, int parent_fd) {
    const std::vector<uint8_t> attr = PathBeneathAttr(rights, parent_fd);
    return e_.AddRule(ruleset, landlock::kRulePathBeneath, UserBuffer::Of(attr), 0);
  }
  // One more layer handling `handled_fs` (and `handled_net`), with rules (rights, path).
  void Sandbox(uint64_t handled_fs, const std::vector<std::pair<uint64_t, std::string>>& rules,
               uint64_t handled_net = 0) {
    const int ruleset = NewRuleset(handled_fs, handled_net);
    for (const auto& [rights, path] : rules) {
      const int fd = OpenPath(path);
      ASSERT_EQ(AddRule(ruleset, rights, fd), 0) << path;
      ASSERT_EQ(e_.Close(fd), 0);
    }
    ASSERT_EQ(e_.RestrictSelf(ruleset, 0), 0);
    ASSERT_EQ(e_.Close(ruleset), 0);
  }

  OracleEngine e_;
};

// Linux 6.18 as observed on one machine here (a named profile; a live kernel's own is probed).
Profile Live618() { return ProfileForVersion("observed-6.18"); }

class OracleFs618Test : public OracleFsTest {
 protected:
  OracleFs618Test() : OracleFsTest(Live618()) {}
};

// ---- The VFS side: each op's checks in order ----

TEST_F(OracleFsTest, ResolutionErrors) {
  Dir("a");
  File("a/f");
  EXPECT_EQ(e_.Mkdir(kRoot, "x/y"), -ENOENT);
  EXPECT_EQ(e_.Mkdir(kRoot, "a/f/y"), -ENOTDIR);
  EXPECT_EQ(e_.Mkdir(42, "y"), -EBADF);
  const long file_fd = e_.Open(kRoot, "a/f", kRdonly);
  ASSERT_EQ(file_fd, 3);
  EXPECT_EQ(e_.Mkdir(static_cast<int>(file_fd), "y"), -ENOTDIR);
  const int ruleset = NewRuleset(kReadFile);
  EXPECT_EQ(e_.Mkdir(ruleset, "y"), -ENOTDIR);
  // Paths resolve from a directory fd.
  const long dir_fd = e_.Open(kRoot, "a", kPath | kDirectory);
  ASSERT_GE(dir_fd, 0);
  EXPECT_EQ(e_.Mkdir(static_cast<int>(dir_fd), "d"), 0);
  EXPECT_EQ(e_.Open(kRoot, "a/d", kRdonly | kDirectory), 6);
}

TEST_F(OracleFsTest, MkdirExists) {
  Dir("a");
  EXPECT_EQ(e_.Mkdir(kRoot, "a"), -EEXIST);
  EXPECT_EQ(e_.Mkdir(kRoot, "."), -EEXIST);
}

TEST_F(OracleFsTest, MknodTypes) {
  EXPECT_EQ(e_.Mknod(kRoot, "d", kIfdir | 0755, 0), -EPERM);
  EXPECT_EQ(e_.Mknod(kRoot, "l", kIflnk | 0755, 0), -EINVAL);
  EXPECT_EQ(e_.Mknod(kRoot, "x/l", kIflnk | 0755, 0), -EINVAL);  // before resolution
  EXPECT_EQ(e_.Mknod(kRoot, "r", 0755, 0), 0);                   // type 0: a regular file
  EXPECT_EQ(e_.Open(kRoot, "r", kRdwr), 3);
  EXPECT_EQ(e_.Mknod(kRoot, "r", kIffifo | 0755, 0), -EEXIST);
  EXPECT_EQ(e_.Mknod(kRoot, ".", kIffifo | 0755, 0), -EEXIST);
}

TEST_F(OracleFsTest, OpenChecks) {
  Dir("d");
  File("f");
  EXPECT_EQ(e_.Open(kRoot, "f", kCreat | kDirectory), -EINVAL);
  EXPECT_EQ(e_.Open(kRoot, "missing", kRdonly), -ENOENT);
  EXPECT_EQ(e_.Open(kRoot, "f", kCreat | kExcl | kRdwr), -EEXIST);
  EXPECT_EQ(e_.Open(kRoot, "d", kCreat), -EISDIR);
  EXPECT_EQ(e_.Open(kRoot, "f", kDirectory), -ENOTDIR);
  EXPECT_EQ(e_.Open(kRoot, "d", kWronly), -EISDIR);
  EXPECT_EQ(e_.Open(kRoot, "d", kRdonly | kTrunc), -EISDIR);
  EXPECT_EQ(e_.Open(kRoot, "missing", kPath), -ENOENT);
  EXPECT_EQ(e_.Open(kRoot, "f", kPath | kDirectory), -ENOTDIR);
  // New fds are the lowest free from 3, shared with rulesets.
  EXPECT_EQ(e_.Open(kRoot, "new", kCreat | kWronly), 3);
  EXPECT_EQ(e_.Open(kRoot, "new", kCreat | kExcl), -EEXIST);
  EXPECT_EQ(NewRuleset(kReadFile), 4);
  EXPECT_EQ(e_.Open(kRoot, ".", kRdonly), 5);
  EXPECT_EQ(e_.Close(3), 0);
  EXPECT_EQ(e_.Open(kRoot, "d", kPath), 3);
}

TEST_F(OracleFsTest, DevicesSocketsAndFifos) {
  ASSERT_EQ(e_.Mknod(kRoot, "null", kIfchr | 0666, kNullDev), 0);
  ASSERT_EQ(e_.Mknod(kRoot, "zero", kIfchr | 0666, kZeroDev), 0);
  ASSERT_EQ(e_.Mknod(kRoot, "blk", kIfblk | 0666, kNullDev), 0);
  ASSERT_EQ(e_.Mknod(kRoot, "sock", kIfsock | 0666, 0), 0);
  ASSERT_EQ(e_.Mknod(kRoot, "fifo", kIffifo | 0666, 0), 0);
  EXPECT_EQ(e_.Open(kRoot, "null", kRdwr), 3);
  EXPECT_EQ(e_.Open(kRoot, "zero", kRdonly), -ENXIO);
  EXPECT_EQ(e_.Open(kRoot, "blk", kRdonly), -ENXIO);
  EXPECT_EQ(e_.Open(kRoot, "sock", kRdonly), -ENXIO);
  EXPECT_EQ(e_.Open(kRoot, "fifo", kWronly), -ENXIO);  // no reader
  EXPECT_EQ(e_.Open(kRoot, "fifo", kRdonly), 4);
  EXPECT_EQ(e_.Open(kRoot, "fifo", kWronly), 5);  // now there is one
  EXPECT_EQ(e_.Open(kRoot, "fifo", kRdwr), 6);
}

TEST_F(OracleFsTest, ExecuteChecks) {
  Dir("d");
  File("f");
  ASSERT_EQ(e_.Mknod(kRoot, "fifo", kIffifo | 0755, 0), 0);
  EXPECT_EQ(e_.Execute(kRoot, "missing"), -ENOENT);
  EXPECT_EQ(e_.Execute(kRoot, "d"), -EACCES);
  EXPECT_EQ(e_.Execute(kRoot, "fifo"), -EACCES);
  EXPECT_EQ(e_.Execute(kRoot, "f"), 0);
  EXPECT_EQ(e_.Open(kRoot, "f", kPath), 3);  // O_PATH does not write
  EXPECT_EQ(e_.Execute(kRoot, "f"), 0);
  EXPECT_EQ(e_.Open(kRoot, "f", kWronly), 4);
  EXPECT_EQ(e_.Execute(kRoot, "f"), -ETXTBSY);
  EXPECT_EQ(e_.Close(4), 0);
  EXPECT_EQ(e_.Execute(kRoot, "f"), 0);
}

// execve: Execute's checks, and when they pass the close-on-exec fds are closed (every
// ruleset's; O_CLOEXEC opens), the others and the domain stay.
TEST_F(OracleFsTest, ExecveClosesCloseOnExecFdsOnlyWhenItRuns) {
  constexpr uint32_t kCloexec = 02000000;
  Dir("d");
  File("f");
  ASSERT_EQ(e_.Mknod(kRoot, "plain", kIfreg | 0644, 0), 0);
  EXPECT_EQ(e_.Open(kRoot, "d", kRdonly), 3);
  EXPECT_EQ(e_.Open(kRoot, "d", kRdonly | kCloexec), 4);
  const int ruleset = NewRuleset(kMakeDir);
  ASSERT_EQ(ruleset, 5);
  ASSERT_EQ(e_.RestrictSelf(ruleset, 0), 0);
  EXPECT_EQ(e_.Execve(kRoot, "missing"), -ENOENT);
  EXPECT_EQ(e_.Execve(kRoot, "plain"), -EACCES);
  EXPECT_EQ(e_.Execve(kRoot, "d"), -EACCES);
  EXPECT_EQ(e_.RestrictSelf(ruleset, 0), 0);  // a failed execve closes nothing
  EXPECT_EQ(e_.Execve(kRoot, "f"), 0);
  EXPECT_EQ(e_.Close(3), 0);
  EXPECT_EQ(e_.Close(4), -EBADF);
  EXPECT_EQ(e_.Close(ruleset), -EBADF);
  EXPECT_EQ(e_.Mkdir(kRoot, "d/x"), -EACCES);  // the domain stays
}

TEST_F(OracleFsTest, TruncateAndFtruncateChecks) {
  Dir("d");
  File("f");
  ASSERT_EQ(e_.Mknod(kRoot, "fifo", kIffifo | 0755, 0), 0);
  EXPECT_EQ(e_.Truncate(kRoot, "missing"), -ENOENT);
  EXPECT_EQ(e_.Truncate(kRoot, "d"), -EISDIR);
  EXPECT_EQ(e_.Truncate(kRoot, "fifo"), -EINVAL);
  EXPECT_EQ(e_.Truncate(kRoot, "f"), 0);
  EXPECT_EQ(e_.Ftruncate(42), -EBADF);
  EXPECT_EQ(e_.Open(kRoot, "f", kPath), 3);
  EXPECT_EQ(e_.Ftruncate(3), -EBADF);
  EXPECT_EQ(e_.Open(kRoot, "f", kRdonly), 4);
  EXPECT_EQ(e_.Ftruncate(4), -EINVAL);
  EXPECT_EQ(e_.Open(kRoot, "d", kRdonly), 5);
  EXPECT_EQ(e_.Ftruncate(5), -EINVAL);
  EXPECT_EQ(NewRuleset(kReadFile), 6);
  EXPECT_EQ(e_.Ftruncate(6), -EINVAL);
  EXPECT_EQ(e_.Open(kRoot, "f", kWronly), 7);
  EXPECT_EQ(e_.Ftruncate(7), 0);
}

TEST_F(OracleFsTest, UnlinkChecksAndOpenFdsSurvive) {
  Dir("d");
  Dir("mp");
  File("f");
  File("target");
  ASSERT_EQ(e_.BindMount(kRoot, "f", kRoot, "target"), 0);
  EXPECT_EQ(e_.Unlink(42, "."), -EBADF);  // the dirfd first (checked on Linux 6.18)
  EXPECT_EQ(e_.Unlink(kRoot, "."), -EISDIR);
  EXPECT_EQ(e_.Unlink(kRoot, "missing"), -ENOENT);
  EXPECT_EQ(e_.Unlink(kRoot, "d"), -EISDIR);
  EXPECT_EQ(e_.Unlink(kRoot, "target"), -EBUSY);
  EXPECT_EQ(e_.Open(kRoot, "f", kWronly), 3);
  EXPECT_EQ(e_.Unlink(kRoot, "f"), 0);
  EXPECT_EQ(e_.Open(kRoot, "f", kRdonly), -ENOENT);
  EXPECT_EQ(e_.Ftruncate(3), 0);  // still open
}

TEST_F(OracleFsTest, RmdirChecks) {
  Dir("d");
  Dir("d/e");
  Dir("src");
  Dir("mp");
  Dir("empty");
  File("f");
  ASSERT_EQ(e_.BindMount(kRoot, "src", kRoot, "mp"), 0);
  EXPECT_EQ(e_.Rmdir(kRoot, "."), -EINVAL);
  EXPECT_EQ(e_.Rmdir(kRoot, "missing"), -ENOENT);
  EXPECT_EQ(e_.Rmdir(kRoot, "f"), -ENOTDIR);
  EXPECT_EQ(e_.Rmdir(kRoot, "d"), -ENOTEMPTY);
  EXPECT_EQ(e_.Rmdir(kRoot, "mp"), -EBUSY);
  // A mount's root is not busy: checked on Linux 6.18 (rmdir of a bind mount's empty source
  // succeeds; the mount then shows a removed directory).
  EXPECT_EQ(e_.Rmdir(kRoot, "src"), 0);
  EXPECT_EQ(e_.Mkdir(kRoot, "mp/x"), -ENOENT);
  // A removed directory stays open but takes no new names (checked on Linux 6.18).
  const long fd = e_.Open(kRoot, "empty", kPath);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(e_.Rmdir(kRoot, "empty"), 0);
  EXPECT_EQ(e_.Mkdir(static_cast<int>(fd), "x"), -ENOENT);
  EXPECT_EQ(e_.Open(static_cast<int>(fd), "x", kCreat | kRdwr), -ENOENT);
  EXPECT_GE(e_.Open(static_cast<int>(fd), ".", kRdonly), 0);
}

TEST_F(OracleFsTest, RenameChecks) {
  Dir("a");
  Dir("a/b");
  Dir("full");
  File("full/x");
  Dir("empty");
  File("f");
  File("g");
  EXPECT_EQ(e_.Rename(kRoot, "f", kRoot, "h", 8), -EINVAL);
  EXPECT_EQ(e_.Rename(kRoot, "f", kRoot, "g", kExchange | kNoreplace), -EINVAL);
  EXPECT_EQ(e_.Rename(kRoot, "f", kRoot, "g", kExchange | kWhiteout), -EINVAL);
  EXPECT_EQ(e_.Rename(kRoot, ".", kRoot, "h", 0), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "f", kRoot, ".", 0), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "f", kRoot, ".", kNoreplace), -EEXIST);
  EXPECT_EQ(e_.Rename(kRoot, "missing", kRoot, "h", 0), -ENOENT);
  EXPECT_EQ(e_.Rename(kRoot, "f", kRoot, "g", kNoreplace), -EEXIST);
  EXPECT_EQ(e_.Rename(kRoot, "f", kRoot, "h", kExchange), -ENOENT);
  EXPECT_EQ(e_.Rename(kRoot, "a", kRoot, "a/b/c", 0), -EINVAL);   // into itself
  EXPECT_EQ(e_.Rename(kRoot, "a/b", kRoot, "a", 0), -ENOTEMPTY);  // over its ancestor
  EXPECT_EQ(e_.Rename(kRoot, "a/b", kRoot, "a", kExchange), -EINVAL);
  EXPECT_EQ(e_.Rename(kRoot, "a", kRoot, "f", 0), -ENOTDIR);
  EXPECT_EQ(e_.Rename(kRoot, "f", kRoot, "empty", 0), -EISDIR);
  EXPECT_EQ(e_.Rename(kRoot, "empty", kRoot, "full", 0), -ENOTEMPTY);
  EXPECT_EQ(e_.Rename(kRoot, "full", kRoot, "empty", 0), 0);
  EXPECT_EQ(e_.Open(kRoot, "empty/x", kRdonly), 3);
  EXPECT_EQ(e_.Open(kRoot, "full", kRdonly), -ENOENT);
}

TEST_F(OracleFsTest, RenameMountPointBusy) {
  Dir("src");
  Dir("mp");
  ASSERT_EQ(e_.BindMount(kRoot, "src", kRoot, "mp"), 0);
  EXPECT_EQ(e_.Rename(kRoot, "mp", kRoot, "other", 0), -EBUSY);
  // Across the mount: different mounts.
  EXPECT_EQ(e_.Mkdir(kRoot, "mp/z"), 0);
  EXPECT_EQ(e_.Rename(kRoot, "mp/z", kRoot, "z", 0), -EXDEV);
}

TEST_F(OracleFsTest, RenameHardLinksOfOneInodeIsANoOp) {
  Dir("a");
  File("a/f");
  ASSERT_EQ(e_.Link(kRoot, "a/f", kRoot, "g"), 0);
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "g", 0), 0);
  EXPECT_EQ(e_.Open(kRoot, "a/f", kRdonly), 3);
  EXPECT_EQ(e_.Open(kRoot, "g", kRdonly), 4);
}

TEST_F(OracleFsTest, RenameExchangeAndWhiteout) {
  Dir("d");
  File("f");
  EXPECT_EQ(e_.Rename(kRoot, "d", kRoot, "f", kExchange), 0);
  EXPECT_EQ(e_.Open(kRoot, "f", kRdonly | kDirectory), 3);
  EXPECT_EQ(e_.Open(kRoot, "d", kRdonly | kDirectory), -ENOTDIR);
  EXPECT_EQ(e_.Rename(kRoot, "d", kRoot, "w", kWhiteout), 0);
  // The whiteout left behind is a char 0:0 (opens to ENXIO).
  EXPECT_EQ(e_.Open(kRoot, "d", kRdonly), -ENXIO);
  EXPECT_EQ(e_.Open(kRoot, "w", kRdonly), 4);
}

TEST_F(OracleFsTest, LinkChecks) {
  Dir("d");
  Dir("src");
  Dir("mp");
  File("f");
  File("src/g");
  ASSERT_EQ(e_.BindMount(kRoot, "src", kRoot, "mp"), 0);
  EXPECT_EQ(e_.Link(kRoot, "missing", kRoot, "x"), -ENOENT);
  EXPECT_EQ(e_.Link(kRoot, "f", kRoot, "d"), -EEXIST);
  EXPECT_EQ(e_.Link(kRoot, "f", kRoot, "."), -EEXIST);
  EXPECT_EQ(e_.Link(kRoot, "d", kRoot, "x"), -EPERM);
  EXPECT_EQ(e_.Link(kRoot, "mp/g", kRoot, "x"), -EXDEV);
  EXPECT_EQ(e_.Link(kRoot, "f", kRoot, "d/f2"), 0);
  EXPECT_EQ(e_.Open(kRoot, "d/f2", kWronly), 3);
  EXPECT_EQ(e_.Execute(kRoot, "f"), -ETXTBSY);  // one inode
}

TEST_F(OracleFsTest, BindMountChecks) {
  Dir("src");
  Dir("mp");
  File("f");
  EXPECT_EQ(e_.BindMount(kRoot, "src", kRoot, "missing"), -ENOENT);
  EXPECT_EQ(e_.BindMount(kRoot, "missing", kRoot, "mp"), -ENOENT);
  EXPECT_EQ(e_.BindMount(kRoot, "f", kRoot, "mp"), -ENOTDIR);
  EXPECT_EQ(e_.BindMount(kRoot, "src", kRoot, "f"), -ENOTDIR);
  EXPECT_EQ(e_.BindMount(kRoot, "src", kRoot, "mp"), 0);
  // One tree seen in two places.
  EXPECT_EQ(e_.Mkdir(kRoot, "mp/x"), 0);
  EXPECT_EQ(e_.Open(kRoot, "src/x", kRdonly), 3);
  // Stacked: a second mount on the same place covers the first.
  Dir("other");
  File("other/o");
  EXPECT_EQ(e_.BindMount(kRoot, "other", kRoot, "mp"), 0);
  EXPECT_EQ(e_.Open(kRoot, "mp/o", kRdonly), 4);
  EXPECT_EQ(e_.Open(kRoot, "mp/x", kRdonly), -ENOENT);
}

// Stacked mounts (issue 14): all checked on Linux 6.18 (mount(8) and the live engine, private
// mount namespace on tmpfs).

TEST_F(OracleFsTest, FileMountStackedOnAMountRootMakesItsNameBusy) {
  File("c");
  File("a");
  File("x");
  ASSERT_EQ(e_.BindMount(kRoot, "c", kRoot, "a"), 0);
  ASSERT_EQ(e_.Link(kRoot, "c", kRoot, "e"), 0);
  // Only the root of a mount: not busy.
  EXPECT_EQ(e_.Rename(kRoot, "c", kRoot, "d", 0), 0);
  EXPECT_EQ(e_.Rename(kRoot, "d", kRoot, "c", 0), 0);
  // The second mount stacks on the first one's root: c's own name.
  ASSERT_EQ(e_.BindMount(kRoot, "a", kRoot, "a"), 0);
  EXPECT_EQ(e_.Unlink(kRoot, "c"), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "c", kRoot, "d", 0), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "x", kRoot, "c", 0), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "x", kRoot, "c", kExchange), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "c", kRoot, "x", kExchange), -EBUSY);
  EXPECT_EQ(e_.Unlink(kRoot, "a"), -EBUSY);
  // Another name of the same file is another dentry.
  EXPECT_EQ(e_.Unlink(kRoot, "e"), 0);
  EXPECT_GE(e_.Open(kRoot, "a", kRdonly), 3);
}

TEST_F(OracleFsTest, AFileMountRootFollowsItsNameThroughRenames) {
  File("c");
  File("a");
  File("d");
  Dir("m");
  ASSERT_EQ(e_.BindMount(kRoot, "c", kRoot, "a"), 0);
  ASSERT_EQ(e_.Rename(kRoot, "c", kRoot, "m/r", 0), 0);
  ASSERT_EQ(e_.Rename(kRoot, "m/r", kRoot, "d", kExchange), 0);  // the root is now named d
  ASSERT_EQ(e_.BindMount(kRoot, "a", kRoot, "a"), 0);
  EXPECT_EQ(e_.Unlink(kRoot, "m/r"), 0);
  EXPECT_EQ(e_.Unlink(kRoot, "d"), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "d", kRoot, "m/d", 0), -EBUSY);
}

TEST_F(OracleFsTest, DirectoryMountsStackedAndBoundOnThemselves) {
  Dir("c");
  Dir("a");
  Dir("x");
  ASSERT_EQ(e_.BindMount(kRoot, "c", kRoot, "a"), 0);
  ASSERT_EQ(e_.BindMount(kRoot, "a", kRoot, "a"), 0);
  EXPECT_EQ(e_.Rmdir(kRoot, "c"), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "c", kRoot, "d", 0), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "x", kRoot, "c", 0), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "c", kRoot, "x", kExchange), -EBUSY);
  Dir("s");
  ASSERT_EQ(e_.BindMount(kRoot, "s", kRoot, "s"), 0);
  EXPECT_EQ(e_.Rmdir(kRoot, "s"), -EBUSY);
  EXPECT_EQ(e_.Rename(kRoot, "s", kRoot, "t", 0), -EBUSY);
  EXPECT_EQ(e_.Mkdir(kRoot, "s/z"), 0);
}

// Resolution does not enter the mounts on "." or on an fd's directory, but a new mount still
// goes on top of the stack there (lock_mount()), so what it covers is the top mount's root.
TEST_F(OracleFsTest, BindMountOnDotOrAnFdStacksOnTop) {
  Dir("a");
  Dir("s1");
  Dir("s2");
  File("s2/f");
  const int d = OpenPath("a");
  ASSERT_EQ(e_.BindMount(kRoot, "s1", kRoot, "a"), 0);
  ASSERT_EQ(e_.BindMount(kRoot, "s2", d, "."), 0);
  EXPECT_GE(e_.Open(kRoot, "a/f", kRdonly), 0);
  EXPECT_EQ(e_.Rmdir(kRoot, "s1"), -EBUSY);
  Dir("t");
  Dir("t/x");
  Dir("u");
  ASSERT_EQ(e_.BindMount(kRoot, "t", kRoot, "."), 0);
  EXPECT_EQ(e_.Open(kRoot, "x", kPath), -ENOENT);  // the walk starts below the mount
  ASSERT_EQ(e_.BindMount(kRoot, "u", kRoot, "."), 0);
  EXPECT_EQ(e_.Rmdir(kRoot, "t"), -EBUSY);
}

// Nothing is mounted on a name that is gone (do_lock_mount(): cant_mount() → ENOENT, before the
// type check), and, on Linux 6.18, nothing gone is bound anywhere (ENOENT after the type check).
// The kernel engine's VFS (kernel_shim/src/vfs.c) does the same.
TEST_F(OracleFsTest, NoMountOnOrOfANameThatIsGone) {
  File("c");
  File("a");
  File("b");
  File("f");
  Dir("s");
  ASSERT_EQ(e_.BindMount(kRoot, "c", kRoot, "a"), 0);
  ASSERT_EQ(e_.Unlink(kRoot, "c"), 0);  // the mount keeps showing it
  EXPECT_GE(e_.Open(kRoot, "a", kRdonly), 0);
  EXPECT_EQ(e_.BindMount(kRoot, "a", kRoot, "a"), -ENOENT);
  EXPECT_EQ(e_.BindMount(kRoot, "s", kRoot, "a"), -ENOENT);  // before ENOTDIR
  EXPECT_EQ(e_.BindMount(kRoot, "a", kRoot, "b"), -ENOENT);
  EXPECT_EQ(e_.BindMount(kRoot, "a", kRoot, "s"), -ENOTDIR);  // ENOTDIR first
  File("c");
  EXPECT_EQ(e_.Unlink(kRoot, "c"), 0);  // a new name c, not the mount's root

  // A file root replaced by a rename is gone too.
  File("g");
  File("h");
  File("x");
  ASSERT_EQ(e_.BindMount(kRoot, "g", kRoot, "h"), 0);
  ASSERT_EQ(e_.Rename(kRoot, "x", kRoot, "g", 0), 0);
  EXPECT_EQ(e_.BindMount(kRoot, "h", kRoot, "h"), -ENOENT);
  EXPECT_EQ(e_.BindMount(kRoot, "f", kRoot, "g"), 0);

  // A removed directory: a mount's root, or an fd's directory.
  Dir("rc");
  Dir("ra");
  ASSERT_EQ(e_.BindMount(kRoot, "rc", kRoot, "ra"), 0);
  ASSERT_EQ(e_.Rmdir(kRoot, "rc"), 0);
  EXPECT_EQ(e_.BindMount(kRoot, "ra", kRoot, "ra"), -ENOENT);
  EXPECT_EQ(e_.BindMount(kRoot, "s", kRoot, "ra"), -ENOENT);
  EXPECT_EQ(e_.BindMount(kRoot, "ra", kRoot, "s"), -ENOENT);
  EXPECT_EQ(e_.BindMount(kRoot, "ra", kRoot, "f"), -ENOTDIR);
  Dir("p");
  const int d = OpenPath("p");
  ASSERT_EQ(e_.Rmdir(kRoot, "p"), 0);
  EXPECT_EQ(e_.BindMount(kRoot, "s", d, "."), -ENOENT);
  EXPECT_EQ(e_.BindMount(d, ".", kRoot, "s"), -ENOENT);
}

TEST(OracleFsNoCapTest, BindMountNeedsCapSysAdmin) {
  OracleEngine e(ProfileForVersion("6.12.117"));
  e.BeginTask(TaskSpec{});
  ASSERT_EQ(e.Mkdir(Engine::kAtRoot, "a"), 0);
  EXPECT_EQ(e.BindMount(Engine::kAtRoot, "missing", Engine::kAtRoot, "a"), -EPERM);
  EXPECT_EQ(e.BindMount(Engine::kAtRoot, "a", Engine::kAtRoot, "missing"), -ENOENT);
  e.EndTask();
}

TEST_F(OracleFsTest, IoctlFdChecks) {
  File("f");
  EXPECT_EQ(e_.Ioctl(42, kFionread), -EBADF);
  EXPECT_EQ(e_.Open(kRoot, "f", kPath), 3);
  EXPECT_EQ(e_.Ioctl(3, kFionread), -EBADF);
  EXPECT_EQ(NewRuleset(kReadFile), 4);
  EXPECT_EQ(e_.Ioctl(4, kFionread), 0);
}

// ---- landlock_add_rule with files of the tree ----

TEST_F(OracleFsTest, AddRulePathBeneath) {
  Dir("d");
  File("f");
  const int ruleset = NewRuleset(landlock::kAccessFsAll);
  const int dir_fd = OpenPath("d");
  const long file_fd = e_.Open(kRoot, "f", kRdonly);  // not only O_PATH
  ASSERT_GE(file_fd, 0);
  EXPECT_EQ(AddRule(ruleset, kReadDir | kMakeReg, dir_fd), 0);
  EXPECT_EQ(AddRule(ruleset, kReadFile | kExecute | kWriteFile | kTruncate | kIoctlDev,
                    static_cast<int>(file_fd)),
            0);
  // A file takes only file rights.
  EXPECT_EQ(AddRule(ruleset, kReadDir, static_cast<int>(file_fd)), -EINVAL);
  EXPECT_EQ(AddRule(ruleset, kReadFile | kRefer, static_cast<int>(file_fd)), -EINVAL);
  // Rulesets still are not parents; closed fds are bad; the access checks come first.
  EXPECT_EQ(AddRule(ruleset, kReadFile, ruleset), -EBADFD);
  EXPECT_EQ(AddRule(ruleset, kReadFile, 99), -EBADF);
  EXPECT_EQ(AddRule(ruleset, 0, 99), -ENOMSG);
  const int narrow = NewRuleset(kReadFile);
  EXPECT_EQ(AddRule(narrow, kWriteFile, dir_fd), -EINVAL);
}

// ---- Landlock's decisions ----

TEST_F(OracleFsTest, NoFsDomainAllowsEverything) {
  Sandbox(0, {}, landlock::kAccessNetBindTcp);  // a network-only domain
  EXPECT_EQ(e_.Mkdir(kRoot, "d"), 0);
  EXPECT_EQ(e_.Open(kRoot, "f", kCreat | kRdwr), 3);
}

TEST_F(OracleFsTest, RulesOnAncestorsGrant) {
  Dir("a");
  Dir("a/b");
  Dir("c");
  Sandbox(kMakeReg | kMakeDir, {{kMakeReg, "a"}});
  EXPECT_EQ(e_.Mknod(kRoot, "a/b/f", kIfreg, 0), 0);
  EXPECT_EQ(e_.Mknod(kRoot, "c/f", kIfreg, 0), -EACCES);
  EXPECT_EQ(e_.Mkdir(kRoot, "a/b/d"), -EACCES);  // the rule grants make_reg only
}

TEST_F(OracleFsTest, RulesAddUpWithinALayer) {
  Dir("a");
  Dir("a/b");
  File("a/b/f");
  Sandbox(kReadFile | kWriteFile, {{kReadFile, "a"}, {kWriteFile, "a/b"}});
  EXPECT_EQ(e_.Open(kRoot, "a/b/f", kRdwr), 3);
}

TEST_F(OracleFsTest, LayersAreAnded) {
  Dir("a");
  File("a/f");
  Sandbox(kReadFile, {{kReadFile, "a"}});
  EXPECT_EQ(e_.Open(kRoot, "a/f", kRdonly), 3);
  Sandbox(kReadFile | kWriteFile, {{kWriteFile, "a"}});
  EXPECT_EQ(e_.Open(kRoot, "a/f", kRdonly), -EACCES);
  EXPECT_EQ(e_.Open(kRoot, "a/f", kWronly), 4);  // the first layer does not handle write
}

TEST_F(OracleFsTest, UnhandledRightsAreNotChecked) {
  Sandbox(kMakeDir, {});
  EXPECT_EQ(e_.Mkdir(kRoot, "d"), -EACCES);
  EXPECT_EQ(e_.Mknod(kRoot, "f", kIfreg, 0), 0);
  EXPECT_EQ(e_.Open(kRoot, "f", kRdwr | kTrunc), 3);
  EXPECT_EQ(e_.Unlink(kRoot, "f"), 0);
}

TEST_F(OracleFsTest, ReadingADirectoryNeedsReadDir) {
  Dir("d");
  Sandbox(kReadDir | kReadFile, {{kReadFile, "d"}});
  EXPECT_EQ(e_.Open(kRoot, "d", kRdonly), -EACCES);
  EXPECT_EQ(e_.Open(kRoot, "d", kPath), 3);  // O_PATH is not checked
}

TEST_F(OracleFsTest, RuleOnTheFileItself) {
  File("f");
  File("g");
  Sandbox(kReadFile | kReadDir, {{kReadFile, "f"}});
  EXPECT_EQ(e_.Open(kRoot, "f", kRdonly), 3);
  EXPECT_EQ(e_.Open(kRoot, "g", kRdonly), -EACCES);
}

TEST_F(OracleFsTest, RulesHoldTheInode) {
  Dir("a");
  File("a/f");
  File("g");
  const int ruleset = NewRuleset(kReadFile);
  const int a = OpenPath("a");
  const int g = OpenPath("g");
  ASSERT_EQ(AddRule(ruleset, kReadFile, a), 0);
  ASSERT_EQ(AddRule(ruleset, kReadFile, g), 0);
  // Renamed after the rule: the rule follows; a hard link shares it.
  ASSERT_EQ(e_.Rename(kRoot, "a", kRoot, "b", 0), 0);
  ASSERT_EQ(e_.Link(kRoot, "g", kRoot, "b/h"), 0);
  ASSERT_EQ(e_.Unlink(kRoot, "g"), 0);
  ASSERT_EQ(e_.RestrictSelf(ruleset, 0), 0);
  EXPECT_GE(e_.Open(kRoot, "b/f", kRdonly), 0);
  EXPECT_GE(e_.Open(kRoot, "b/h", kRdonly), 0);
}

TEST_F(OracleFsTest, RuleOnBindSourceAppliesThroughTheMount) {
  Dir("src");
  Dir("src/d");
  File("src/d/f");
  Dir("mp");
  ASSERT_EQ(e_.BindMount(kRoot, "src", kRoot, "mp"), 0);
  Sandbox(kReadFile, {{kReadFile, "src"}});
  EXPECT_EQ(e_.Open(kRoot, "mp/d/f", kRdonly), 3);  // checked on Linux 6.18
}

TEST_F(OracleFsTest, MountPointRuleIsHidden) {
  Dir("src");
  File("src/f");
  Dir("mp");
  // The rule is taken before the mount, on the directory that becomes the mount point.
  const int ruleset = NewRuleset(kReadFile);
  const int mp = OpenPath("mp");
  ASSERT_EQ(AddRule(ruleset, kReadFile, mp), 0);
  ASSERT_EQ(e_.BindMount(kRoot, "src", kRoot, "mp"), 0);
  ASSERT_EQ(e_.RestrictSelf(ruleset, 0), 0);
  EXPECT_EQ(e_.Open(kRoot, "mp/f", kRdonly), -EACCES);  // checked on Linux 6.18
}

TEST_F(OracleFsTest, RuleAboveTheMountPointApplies) {
  Dir("top");
  Dir("top/mp");
  Dir("src");
  File("src/f");
  ASSERT_EQ(e_.BindMount(kRoot, "src", kRoot, "top/mp"), 0);
  Sandbox(kReadFile, {{kReadFile, "top"}});
  EXPECT_EQ(e_.Open(kRoot, "top/mp/f", kRdonly), 3);
  EXPECT_EQ(e_.Open(kRoot, "src/f", kRdonly), -EACCES);
}

TEST_F(OracleFsTest, DisconnectedDirectoryKeepsItsMountHierarchy) {
  // a/b bound on mp; a directory opened through mp is then moved out of a/b: the walk from it
  // counts its real parents and, once at the filesystem's root, the bind mount's root and what
  // is above the mount point (erratum 3; checked on Linux 6.18).
  Dir("a");
  Dir("a/b");
  Dir("a/b/c");
  File("a/b/c/f");
  Dir("mp");
  ASSERT_EQ(e_.BindMount(kRoot, "a/b", kRoot, "mp"), 0);
  const long c = e_.Open(kRoot, "mp/c", kPath | kDirectory);
  ASSERT_GE(c, 0);
  ASSERT_EQ(e_.Rename(kRoot, "a/b/c", kRoot, "a/c", 0), 0);
  Sandbox(kReadFile, {{kReadFile, "a/b"}});
  EXPECT_GE(e_.Open(static_cast<int>(c), "f", kRdonly), 0);
}

TEST_F(OracleFsTest, MountsDeniedInAnFsDomain) {
  Dir("src");
  Dir("mp");
  Sandbox(0, {}, landlock::kAccessNetBindTcp);
  EXPECT_EQ(e_.BindMount(kRoot, "src", kRoot, "mp"), 0);  // checked on Linux 6.18
  Sandbox(kReadFile, {{kReadFile, "."}});
  EXPECT_EQ(e_.BindMount(kRoot, "src", kRoot, "mp"), -EPERM);
  EXPECT_EQ(e_.BindMount(kRoot, "missing", kRoot, "mp"), -EPERM);    // before the source
  EXPECT_EQ(e_.BindMount(kRoot, "src", kRoot, "missing"), -ENOENT);  // after the destination
}

// ---- refer: linking and renaming ----

class ReferTest : public OracleFsTest {
 protected:
  void SetUp() override {
    Dir("a");
    Dir("b");
    File("a/f");
  }
};

TEST_F(ReferTest, SameDirectoryNeedsNoRefer) {
  Sandbox(kRefer | kRemoveFile | kMakeReg, {{kRemoveFile | kMakeReg, "."}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "a/g", 0), 0);  // checked on Linux 6.18
  EXPECT_EQ(e_.Link(kRoot, "a/g", kRoot, "a/h"), 0);
}

TEST_F(ReferTest, CrossDirectoryWithoutReferIsExdev) {
  Sandbox(kRefer | kRemoveFile | kMakeReg, {{kRemoveFile | kMakeReg, "."}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), -EXDEV);  // checked on Linux 6.18
  EXPECT_EQ(e_.Link(kRoot, "a/f", kRoot, "b/f"), -EXDEV);
}

TEST_F(ReferTest, ReferOnBothSidesAllows) {
  Sandbox(kRefer | kRemoveFile | kMakeReg, {{kRefer | kRemoveFile | kMakeReg, "."}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), 0);
  EXPECT_EQ(e_.Link(kRoot, "b/f", kRoot, "a/f"), 0);
}

TEST_F(ReferTest, DestinationGrantingMoreIsExdev) {
  Sandbox(kRefer | kRemoveFile | kMakeReg | kReadFile,
          {{kRefer | kRemoveFile | kMakeReg, "."}, {kReadFile, "b"}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), -EXDEV);  // checked on Linux 6.18
  EXPECT_EQ(e_.Link(kRoot, "a/f", kRoot, "b/f"), -EXDEV);
}

TEST_F(ReferTest, FileRuleCoversWhatTheDestinationGrants) {
  Sandbox(kRefer | kRemoveFile | kMakeReg | kReadFile,
          {{kRefer | kRemoveFile | kMakeReg, "."}, {kReadFile, "b"}, {kReadFile, "a/f"}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), 0);  // checked on Linux 6.18
}

TEST_F(ReferTest, DirectoryRightsOnlyCountForMovedDirectories) {
  Dir("a/d");
  Sandbox(kRefer | kRemoveFile | kRemoveDir | kMakeReg | kMakeDir | kReadDir,
          {{kRefer | kRemoveFile | kRemoveDir | kMakeReg | kMakeDir, "."}, {kReadDir, "b"}});
  // Checked on Linux 6.18: read_dir means nothing for f, but d would gain it.
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), 0);
  EXPECT_EQ(e_.Rename(kRoot, "a/d", kRoot, "b/d", 0), -EXDEV);
}

TEST_F(ReferTest, MovingToALessGrantingDirectoryIsAllowed) {
  Sandbox(kRefer | kRemoveFile | kMakeReg | kReadFile,
          {{kRefer | kRemoveFile | kMakeReg, "."}, {kReadFile, "a"}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), 0);  // checked on Linux 6.18
}

TEST_F(ReferTest, CreationDeniedIsEaccesBeforeExdev) {
  Sandbox(kRefer | kRemoveFile | kMakeReg, {{kRefer | kRemoveFile, "."}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), -EACCES);  // checked on Linux 6.18
  EXPECT_EQ(e_.Link(kRoot, "a/f", kRoot, "b/f"), -EACCES);
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "a/g", 0), -EACCES);
}

TEST_F(ReferTest, RemovalDeniedInAnotherLayerIsEacces) {
  Sandbox(kRefer | kRemoveFile | kMakeReg | kReadFile,
          {{kRemoveFile | kMakeReg, "."}, {kReadFile, "b"}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), -EXDEV);
  Sandbox(kRemoveFile, {});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), -EACCES);  // checked on Linux 6.18
  // A link removes nothing (checked on Linux 6.18).
  EXPECT_EQ(e_.Link(kRoot, "a/f", kRoot, "b/f"), -EXDEV);
}

TEST_F(ReferTest, ANetworkOnlyLayerStillDeniesRefer) {
  Sandbox(kRefer | kRemoveFile | kMakeReg, {{kRefer | kRemoveFile | kMakeReg, "."}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/f", 0), 0);
  Sandbox(0, {}, landlock::kAccessNetBindTcp);
  // Checked on Linux 6.18: every layer of a filesystem domain handles refer.
  EXPECT_EQ(e_.Rename(kRoot, "b/f", kRoot, "a/f", 0), -EXDEV);
  EXPECT_EQ(e_.Rename(kRoot, "b/f", kRoot, "b/g", 0), 0);
}

TEST_F(ReferTest, ExchangeChecksBothDirections) {
  File("b/g");
  Sandbox(kRefer | kRemoveFile | kMakeReg | kReadFile,
          {{kRefer | kRemoveFile | kMakeReg, "."}, {kReadFile, "a"}});
  // b/g would gain a's read_file, whichever name comes first (checked on Linux 6.18).
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/g", kExchange), -EXDEV);
  EXPECT_EQ(e_.Rename(kRoot, "b/g", kRoot, "a/f", kExchange), -EXDEV);
}

TEST_F(ReferTest, ExchangeAllowedWhenNeitherGains) {
  File("b/g");
  Sandbox(kRefer | kRemoveFile | kMakeReg | kReadFile,
          {{kRefer | kRemoveFile | kMakeReg, "."}, {kReadFile, "a"}, {kReadFile, "b/g"}});
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/g", kExchange), 0);  // checked on Linux 6.18
}

TEST_F(ReferTest, ExchangeNeedsMakeOfTheOtherTypeAtTheSource) {
  Dir("b/d");
  Sandbox(kRefer | kRemoveFile | kRemoveDir | kMakeReg | kMakeDir,
          {{kRefer | kRemoveFile | kRemoveDir | kMakeReg, "."}});
  // make_dir in a, for d (checked on Linux 6.18).
  EXPECT_EQ(e_.Rename(kRoot, "a/f", kRoot, "b/d", kExchange), -EACCES);
}

// ---- Whiteouts (erratum 4) ----

TEST_F(OracleFsTest, WhiteoutMknodIsMakeReg) {
  Sandbox(kMakeReg, {});
  EXPECT_EQ(e_.Mknod(kRoot, "w", kIfchr, 0), -EACCES);
  EXPECT_EQ(e_.Mknod(kRoot, "c", kIfchr, kNullDev), 0);
}

TEST_F(OracleFsTest, RenameWhiteoutNeedsMakeRegOnTheSource) {
  Dir("a");
  ASSERT_EQ(e_.Mknod(kRoot, "a/p", kIffifo, 0), 0);
  ASSERT_EQ(e_.Mknod(kRoot, "a/q", kIffifo, 0), 0);
  Sandbox(kMakeReg | kMakeFifo | kRemoveFile, {{kMakeFifo | kRemoveFile, "."}});
  EXPECT_EQ(e_.Rename(kRoot, "a/p", kRoot, "a/p2", 0), 0);
  EXPECT_EQ(e_.Rename(kRoot, "a/q", kRoot, "a/q2", kWhiteout), -EACCES);
}

TEST_F(OracleFs618Test, WhiteoutMknodIsMakeCharWithoutErratum4) {
  // Checked on Linux 6.18: only make_reg handled → a whiteout is made; make_char → EACCES.
  Sandbox(kMakeReg, {});
  EXPECT_EQ(e_.Mknod(kRoot, "w", kIfchr, 0), 0);
  Sandbox(kMakeChar, {});
  EXPECT_EQ(e_.Mknod(kRoot, "w2", kIfchr, 0), -EACCES);
}

TEST_F(OracleFs618Test, RenameWhiteoutAsksNothingWithoutErratum4) {
  ASSERT_EQ(e_.Mknod(kRoot, "p", kIffifo, 0), 0);
  ASSERT_EQ(e_.Mknod(kRoot, "w", kIfchr, 0), 0);
  Sandbox(kMakeReg | kMakeChar | kMakeFifo | kRemoveFile, {{kMakeFifo | kRemoveFile, "."}});
  // Checked on Linux 6.18: make_reg and make_char handled, neither granted.
  EXPECT_EQ(e_.Rename(kRoot, "p", kRoot, "p2", kWhiteout), 0);
  // Moving a whiteout needs make_char there (checked on Linux 6.18).
  EXPECT_EQ(e_.Rename(kRoot, "w", kRoot, "w2", 0), -EACCES);
}

// ---- truncate ----

TEST_F(OracleFsTest, TruncateRightAtOpenAndOnPaths) {
  File("f");
  File("t");
  const long before = e_.Open(kRoot, "f", kRdwr);
  ASSERT_EQ(before, 3);
  Sandbox(kTruncate | kWriteFile | kReadFile, {{kWriteFile | kReadFile, "."}, {kTruncate, "t"}});
  // All checked on Linux 6.18.
  EXPECT_EQ(e_.Open(kRoot, "f", kWronly), 4);
  EXPECT_EQ(e_.Ftruncate(4), -EACCES);
  EXPECT_EQ(e_.Ftruncate(3), 0);  // opened before the domain
  EXPECT_EQ(e_.Open(kRoot, "t", kWronly), 5);
  EXPECT_EQ(e_.Ftruncate(5), 0);
  EXPECT_EQ(e_.Truncate(kRoot, "f"), -EACCES);
  EXPECT_EQ(e_.Truncate(kRoot, "t"), 0);
  EXPECT_EQ(e_.Open(kRoot, "f", kWronly | kTrunc), -EACCES);
  EXPECT_EQ(e_.Open(kRoot, "f", kRdonly | kTrunc), -EACCES);
  EXPECT_EQ(e_.Open(kRoot, "t", kWronly | kTrunc), 6);
  EXPECT_EQ(e_.Open(kRoot, "new", kWronly | kCreat | kTrunc), 7);  // new: nothing to truncate
}

TEST_F(OracleFsTest, OTruncOfANewFileIsNoTruncation) {
  Sandbox(kTruncate | kWriteFile | kMakeReg, {{kWriteFile | kMakeReg, "."}});
  EXPECT_EQ(e_.Open(kRoot, "new", kWronly | kCreat | kTrunc), 3);  // checked on Linux 6.18
  EXPECT_EQ(e_.Ftruncate(3), -EACCES);
}

TEST_F(OracleFsTest, RecordedRightOutlivesLaterLayers) {
  File("f");
  Sandbox(kTruncate, {{kTruncate, "f"}});
  EXPECT_EQ(e_.Open(kRoot, "f", kWronly), 3);
  Sandbox(kTruncate, {});
  EXPECT_EQ(e_.Ftruncate(3), 0);
  EXPECT_EQ(e_.Truncate(kRoot, "f"), -EACCES);
}

TEST_F(OracleFsTest, CreatedFileStaysWhenItsOpenIsDenied) {
  Sandbox(kMakeReg | kWriteFile, {{kMakeReg, "."}});
  EXPECT_EQ(e_.Open(kRoot, "new", kWronly | kCreat), -EACCES);  // checked on Linux 6.18
  EXPECT_EQ(e_.Open(kRoot, "new", kPath), 3);
}

// ---- ioctl ----

TEST_F(OracleFsTest, IoctlOnDevicesNeedsIoctlDev) {
  ASSERT_EQ(e_.Mknod(kRoot, "null", kIfchr | 0666, kNullDev), 0);
  File("f");
  const long before = e_.Open(kRoot, "null", kRdonly);
  ASSERT_EQ(before, 3);
  Sandbox(kIoctlDev | kReadFile, {{kReadFile, "."}});
  // All checked on Linux 6.18 (a non-EACCES error there means Landlock let it through).
  EXPECT_EQ(e_.Open(kRoot, "null", kRdonly), 4);
  EXPECT_EQ(e_.Ioctl(4, kFionread), -EACCES);
  EXPECT_EQ(e_.Ioctl(4, kFioclex), 0);
  EXPECT_EQ(e_.Ioctl(4, kGetFsUuid), 0);
  EXPECT_EQ(e_.Ioctl(3, kFionread), 0);  // opened before the domain
  EXPECT_EQ(e_.Open(kRoot, "f", kRdonly), 5);
  EXPECT_EQ(e_.Ioctl(5, kFionread), 0);  // not a device
}

TEST_F(OracleFsTest, IoctlDevGrantedByRule) {
  ASSERT_EQ(e_.Mknod(kRoot, "null", kIfchr | 0666, kNullDev), 0);
  Sandbox(kIoctlDev, {{kIoctlDev, "null"}});
  EXPECT_EQ(e_.Open(kRoot, "null", kRdwr), 3);
  EXPECT_EQ(e_.Ioctl(3, kFionread), 0);
}

// ---- execute ----

TEST_F(OracleFsTest, ExecuteNeedsExecuteAndReadFile) {
  File("x");
  File("rx");
  Sandbox(kExecute | kReadFile, {{kExecute, "x"}, {kExecute | kReadFile, "rx"}});
  EXPECT_EQ(e_.Execute(kRoot, "x"), -EACCES);  // checked on Linux 6.18
  EXPECT_EQ(e_.Execute(kRoot, "rx"), 0);
}

TEST_F(OracleFsTest, ExecuteWithOnlyExecuteHandled) {
  File("x");
  Sandbox(kExecute, {{kExecute, "x"}});
  EXPECT_EQ(e_.Execute(kRoot, "x"), 0);
}

TEST_F(OracleFsTest, LandlockBeforeEtxtbsy) {
  File("x");
  ASSERT_EQ(e_.Open(kRoot, "x", kWronly), 3);
  Sandbox(kExecute, {});
  EXPECT_EQ(e_.Execute(kRoot, "x"), -EACCES);  // checked on Linux 6.18
}

}  // namespace
}  // namespace lockstep
