// The kernel engine's filesystem, pinned: fs.c of the default tree (Debian 6.12.117) running
// unchanged on kernel_shim's VFS model. Each case states one rule of docs/filesystem.md (the VFS
// around the hooks) or of Landlock's filesystem semantics and asserts the exact result. fs.c's
// own KUnit suite runs here too.
//
// Every test runs in a fresh simulated task and ends by checking that the task ended cleanly: no
// WARN_ON hit, no leak, balanced dentry and inode references, no Landlock object left tied to an
// inode when the filesystem is unmounted (the fixture's TearDown).

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/errno_name.h"
#include "engine/kernel_engine.h"
#include "engine/landlock_uapi.h"
#include "gtest/gtest.h"

namespace lockstep {
namespace {

using namespace landlock;  // NOLINT: the access-right names read best unqualified here.

constexpr char kOk[] = "0";
constexpr int kRoot = Engine::kAtRoot;

// x86_64 open(2) flags and file types.
constexpr uint32_t kRdonly = 0, kWronly = 01, kRdwr = 02, kCreat = 0100, kExcl = 0200,
                   kTrunc = 01000, kDirectory = 0200000, kPath = 010000000;
constexpr uint32_t kIfreg = 0100000, kIfchr = 0020000, kIfblk = 0060000, kIfifo = 0010000,
                   kIfsock = 0140000, kIfdir = 0040000;
constexpr uint32_t kRenameNoreplace = 1, kRenameExchange = 2, kRenameWhiteout = 4;
constexpr uint64_t kDevNull = (1 << 8) | 3;  // makedev(1, 3)
constexpr uint32_t kFionread = 0x541B, kFioclex = 0x5451;

std::string Describe(const std::vector<EngineFinding>& findings) {
  std::ostringstream out;
  for (const EngineFinding& f : findings) out << "\n  " << f.kind << ": " << f.detail;
  return out.str();
}

// Result of an op that returns an fd: "fd" or the errno name.
std::string FdOrErrno(long ret) { return ret >= 0 ? "fd" : ErrnoName(ret); }

class KernelFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = NewDefaultKernelEngine();
    engine_->BeginTask(TaskSpec{});
  }
  void TearDown() override {
    const std::vector<EngineFinding> findings = engine_->EndTask();
    EXPECT_TRUE(findings.empty()) << "the task did not end cleanly:" << Describe(findings);
  }

  std::string Mkdir(const std::string& path, int at = kRoot) {
    return ErrnoName(engine_->Mkdir(at, path));
  }
  std::string Mknod(const std::string& path, uint32_t mode, uint64_t dev = 0) {
    return ErrnoName(engine_->Mknod(kRoot, path, mode, dev));
  }
  // A new regular file (mode 0755).
  void Touch(const std::string& path) { ASSERT_EQ(Mknod(path, kIfreg | 0755), kOk) << path; }
  long OpenFd(const std::string& path, uint32_t flags, int at = kRoot) {
    return engine_->Open(at, path, flags);
  }
  // Opens and closes: the open's result.
  std::string Open(const std::string& path, uint32_t flags) {
    const long fd = engine_->Open(kRoot, path, flags);
    if (fd >= 0) engine_->Close(static_cast<int>(fd));
    return FdOrErrno(fd);
  }
  std::string Rename(const std::string& from, const std::string& to, uint32_t flags = 0) {
    return ErrnoName(engine_->Rename(kRoot, from, kRoot, to, flags));
  }
  std::string Link(const std::string& from, const std::string& to) {
    return ErrnoName(engine_->Link(kRoot, from, kRoot, to));
  }

  // A ruleset handling `handled` with one path_beneath rule per (path, rights), enforced.
  void Sandbox(uint64_t handled, const std::vector<std::pair<std::string, uint64_t>>& rules) {
    const std::vector<uint8_t> attr = RulesetAttr(handled, 0, 0);
    const long ruleset = engine_->CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
    ASSERT_GE(ruleset, 0) << ErrnoName(ruleset);
    for (const auto& [path, rights] : rules) {
      const long dir = engine_->Open(kRoot, path, kPath);
      ASSERT_GE(dir, 0) << path << ": " << ErrnoName(dir);
      ASSERT_EQ(AddRule(static_cast<int>(ruleset), rights, static_cast<int>(dir)), kOk) << path;
      engine_->Close(static_cast<int>(dir));
    }
    ASSERT_EQ(engine_->RestrictSelf(static_cast<int>(ruleset), 0), 0);
    engine_->Close(static_cast<int>(ruleset));
  }
  std::string AddRule(int ruleset, uint64_t rights, int parent_fd) {
    const std::vector<uint8_t> attr = PathBeneathAttr(rights, parent_fd);
    return ErrnoName(engine_->AddRule(ruleset, kRulePathBeneath, UserBuffer::Of(attr), 0));
  }

  std::unique_ptr<KernelEngine> engine_;
};

// ---- fs.c's own KUnit suite ----

TEST(KernelFsKunitTest, TheTreesKunitSuitePasses) {
  std::unique_ptr<KernelEngine> engine = NewDefaultKernelEngine();
  const KernelEngine::KunitSummary summary = engine->RunKunit();
  EXPECT_GE(summary.suites, 1);
  // 6.12's fs.c: no_more_access, scope_to_request x3, is_eacces x3.
  EXPECT_GE(summary.cases, 7);
  EXPECT_EQ(summary.failed_cases, 0) << summary.report;
}

// ---- the VFS around the hooks (no domain) ----

TEST_F(KernelFsTest, MkdirChecksParentAndName) {
  EXPECT_EQ(Mkdir("a"), kOk);
  EXPECT_EQ(Mkdir("a"), "EEXIST");
  EXPECT_EQ(Mkdir("."), "EEXIST");
  EXPECT_EQ(Mkdir("x/y"), "ENOENT");
  Touch("a/f");
  EXPECT_EQ(Mkdir("a/f/y"), "ENOTDIR");
  EXPECT_EQ(Mkdir("a/b"), kOk);
}

TEST_F(KernelFsTest, MknodChecksTheTypeFirst) {
  EXPECT_EQ(Mknod("missing/d", kIfdir | 0755), "EPERM");
  EXPECT_EQ(Mknod("missing/x", 0170000), "EINVAL");
  EXPECT_EQ(Mknod("missing/f", kIfreg | 0755), "ENOENT");
  EXPECT_EQ(Mknod("f", 0), kOk);  // type 0: a regular file
  EXPECT_EQ(Open("f", kRdonly | kDirectory), "ENOTDIR");
  EXPECT_EQ(Mknod("null", kIfchr | 0666, kDevNull), kOk);
  EXPECT_EQ(Mknod("fifo", kIfifo | 0644), kOk);
  EXPECT_EQ(Mknod("sock", kIfsock | 0644), kOk);
  EXPECT_EQ(Mknod("blk", kIfblk | 0644, 0), kOk);
  EXPECT_EQ(Mknod("f", kIfreg | 0755), "EEXIST");
}

TEST_F(KernelFsTest, OpenFollowsTheVfsOrder) {
  ASSERT_EQ(Mkdir("d"), kOk);
  EXPECT_EQ(Open("d/f", kRdonly), "ENOENT");
  EXPECT_EQ(Open("d/f", kWronly | kCreat), "fd");
  EXPECT_EQ(Open("d/f", kWronly | kCreat | kExcl), "EEXIST");
  EXPECT_EQ(Open("d", kRdonly | kCreat), "EISDIR");
  EXPECT_EQ(Open("d", kWronly), "EISDIR");
  EXPECT_EQ(Open("d", kRdonly | kTrunc), "EISDIR");
  EXPECT_EQ(Open("d", kRdonly | kDirectory), "fd");
  EXPECT_EQ(Open("d/g", kRdonly | kCreat | kDirectory), "EINVAL");
  // O_PATH beats everything else: O_CREAT is ignored.
  EXPECT_EQ(Open("d/g", kPath | kCreat | kDirectory), "ENOENT");
  EXPECT_EQ(Open(".", kRdonly | kCreat), "EISDIR");
}

TEST_F(KernelFsTest, DevicesFifosAndSocketsOpenAsDocumented) {
  ASSERT_EQ(Mknod("null", kIfchr | 0666, kDevNull), kOk);
  ASSERT_EQ(Mknod("other", kIfchr | 0666, (4 << 8) | 1), kOk);
  ASSERT_EQ(Mknod("fifo", kIfifo | 0644), kOk);
  ASSERT_EQ(Mknod("sock", kIfsock | 0644), kOk);
  EXPECT_EQ(Open("null", kRdwr), "fd");
  EXPECT_EQ(Open("other", kRdonly), "ENXIO");
  EXPECT_EQ(Open("fifo", kRdonly), "fd");
  EXPECT_EQ(Open("fifo", kWronly), "ENXIO");
  EXPECT_EQ(Open("fifo", kRdwr), "fd");
  EXPECT_EQ(Open("sock", kRdonly), "ENXIO");
}

TEST_F(KernelFsTest, DirfdMustBeADirectory) {
  ASSERT_EQ(Mkdir("d"), kOk);
  Touch("f");
  const long dir = OpenFd("d", kPath);
  const long file = OpenFd("f", kRdonly);
  ASSERT_GE(dir, 0);
  ASSERT_GE(file, 0);
  EXPECT_EQ(Mkdir("sub", static_cast<int>(dir)), kOk);
  EXPECT_EQ(Open("d/sub", kRdonly), "fd");
  EXPECT_EQ(Mkdir("sub", static_cast<int>(file)), "ENOTDIR");
  EXPECT_EQ(Mkdir("sub", 99), "EBADF");
}

TEST_F(KernelFsTest, UnlinkAndRmdirCheckTypesAfterTheHook) {
  ASSERT_EQ(Mkdir("d"), kOk);
  Touch("d/f");
  EXPECT_EQ(ErrnoName(engine_->Unlink(kRoot, "d")), "EISDIR");
  EXPECT_EQ(ErrnoName(engine_->Rmdir(kRoot, "d/f")), "ENOTDIR");
  EXPECT_EQ(ErrnoName(engine_->Rmdir(kRoot, "d")), "ENOTEMPTY");
  EXPECT_EQ(ErrnoName(engine_->Unlink(kRoot, "d/g")), "ENOENT");
  EXPECT_EQ(ErrnoName(engine_->Unlink(kRoot, "d/f")), kOk);
  EXPECT_EQ(ErrnoName(engine_->Rmdir(kRoot, "d")), kOk);
  EXPECT_EQ(ErrnoName(engine_->Rmdir(kRoot, ".")), "EINVAL");
}

TEST_F(KernelFsTest, RenameChecksInTheKernelsOrder) {
  ASSERT_EQ(Mkdir("a"), kOk);
  ASSERT_EQ(Mkdir("a/b"), kOk);
  ASSERT_EQ(Mkdir("c"), kOk);
  Touch("f");
  EXPECT_EQ(Rename("f", "g", kRenameExchange | kRenameNoreplace), "EINVAL");
  EXPECT_EQ(Rename("missing", "g"), "ENOENT");
  EXPECT_EQ(Rename("f", "c", kRenameNoreplace), "EEXIST");
  EXPECT_EQ(Rename("f", "nothing", kRenameExchange), "ENOENT");
  EXPECT_EQ(Rename("a", "a/b/x"), "EINVAL");      // into its own subtree
  EXPECT_EQ(Rename("a/b", "a"), "ENOTEMPTY");     // over its own ancestor
  EXPECT_EQ(Rename("a/b", "a", kRenameExchange), "EINVAL");
  EXPECT_EQ(Rename("c", "f"), "ENOTDIR");
  EXPECT_EQ(Rename("f", "c"), "EISDIR");
  EXPECT_EQ(Rename("c", "a"), "ENOTEMPTY");
  EXPECT_EQ(Rename("f", "f"), kOk);
  EXPECT_EQ(Rename("f", "c/f"), kOk);
  EXPECT_EQ(Open("c/f", kRdonly), "fd");
  EXPECT_EQ(Rename("c", "a/b", kRenameExchange), kOk);
  EXPECT_EQ(Open("a/b/f", kRdonly), "fd");
  EXPECT_EQ(Rename("a/b/f", "g", kRenameWhiteout), kOk);
  EXPECT_EQ(Open("a/b/f", kRdonly), "ENXIO");  // the whiteout, a char 0:0 device
}

TEST_F(KernelFsTest, LinkAndTruncate) {
  ASSERT_EQ(Mkdir("d"), kOk);
  Touch("f");
  EXPECT_EQ(Link("d", "e"), "EPERM");
  EXPECT_EQ(Link("f", "d"), "EEXIST");
  EXPECT_EQ(Link("f", "d/f"), kOk);
  EXPECT_EQ(ErrnoName(engine_->Truncate(kRoot, "d")), "EISDIR");
  ASSERT_EQ(Mknod("fifo", kIfifo | 0644), kOk);
  EXPECT_EQ(ErrnoName(engine_->Truncate(kRoot, "fifo")), "EINVAL");
  EXPECT_EQ(ErrnoName(engine_->Truncate(kRoot, "d/f")), kOk);
  const long ro = OpenFd("f", kRdonly);
  const long path = OpenFd("f", kPath);
  ASSERT_GE(ro, 0);
  ASSERT_GE(path, 0);
  EXPECT_EQ(ErrnoName(engine_->Ftruncate(static_cast<int>(ro))), "EINVAL");
  EXPECT_EQ(ErrnoName(engine_->Ftruncate(static_cast<int>(path))), "EBADF");
  EXPECT_EQ(ErrnoName(engine_->Ioctl(static_cast<int>(path), kFionread)), "EBADF");
}

TEST_F(KernelFsTest, ExecuteNeedsARegularExecutableFileNotOpenForWriting) {
  ASSERT_EQ(Mkdir("d"), kOk);
  Touch("x");
  ASSERT_EQ(Mknod("noexec", kIfreg | 0644), kOk);
  EXPECT_EQ(ErrnoName(engine_->Execute(kRoot, "d")), "EACCES");
  EXPECT_EQ(ErrnoName(engine_->Execute(kRoot, "noexec")), "EACCES");
  EXPECT_EQ(ErrnoName(engine_->Execute(kRoot, "missing")), "ENOENT");
  EXPECT_EQ(ErrnoName(engine_->Execute(kRoot, "x")), kOk);
  const long writer = OpenFd("x", kWronly);
  ASSERT_GE(writer, 0);
  EXPECT_EQ(ErrnoName(engine_->Execute(kRoot, "x")), "ETXTBSY");
  engine_->Close(static_cast<int>(writer));
  EXPECT_EQ(ErrnoName(engine_->Execute(kRoot, "x")), kOk);
}

TEST_F(KernelFsTest, BindMountsNeedCapSysAdminAndMatchingTypes) {
  ASSERT_EQ(Mkdir("src"), kOk);
  ASSERT_EQ(Mkdir("dst"), kOk);
  EXPECT_EQ(ErrnoName(engine_->BindMount(kRoot, "src", kRoot, "dst")), "EPERM");
  engine_->EndTask();
  engine_->BeginTask(TaskSpec{.no_new_privs = true, .cap_sys_admin = true});
  ASSERT_EQ(Mkdir("src"), kOk);
  ASSERT_EQ(Mkdir("dst"), kOk);
  Touch("src/f");
  Touch("file");
  EXPECT_EQ(ErrnoName(engine_->BindMount(kRoot, "src", kRoot, "missing")), "ENOENT");
  EXPECT_EQ(ErrnoName(engine_->BindMount(kRoot, "missing", kRoot, "dst")), "ENOENT");
  EXPECT_EQ(ErrnoName(engine_->BindMount(kRoot, "file", kRoot, "dst")), "ENOTDIR");
  EXPECT_EQ(ErrnoName(engine_->BindMount(kRoot, "src", kRoot, "dst")), kOk);
  EXPECT_EQ(Open("dst/f", kRdonly), "fd");
  // The mount point is busy; crossing mounts is EXDEV.
  EXPECT_EQ(ErrnoName(engine_->Rmdir(kRoot, "dst")), "EBUSY");
  EXPECT_EQ(Rename("dst/f", "g"), "EXDEV");
  EXPECT_EQ(Link("dst/f", "g"), "EXDEV");
  EXPECT_EQ(Rename("src/f", "g"), kOk);
  EXPECT_EQ(Open("dst/f", kRdonly), "ENOENT");
}

// ---- Landlock's decisions ----

TEST_F(KernelFsTest, RuleOnAnAncestorGrants) {
  ASSERT_EQ(Mkdir("a"), kOk);
  ASSERT_EQ(Mkdir("a/b"), kOk);
  Touch("a/b/f");
  Touch("g");
  Sandbox(kAccessFsReadFile | kAccessFsWriteFile, {{"a", kAccessFsReadFile}});
  EXPECT_EQ(Open("a/b/f", kRdonly), "fd");
  EXPECT_EQ(Open("a/b/f", kWronly), "EACCES");
  EXPECT_EQ(Open("g", kRdonly), "EACCES");
  // Rights the domain does not handle are not checked.
  EXPECT_EQ(Mkdir("new"), kOk);
  EXPECT_EQ(Open("a", kRdonly), "fd");
}

TEST_F(KernelFsTest, LayersAreAndedRulesOred) {
  ASSERT_EQ(Mkdir("a"), kOk);
  ASSERT_EQ(Mkdir("a/b"), kOk);
  Touch("a/b/f");
  Touch("a/g");
  Sandbox(kAccessFsReadFile | kAccessFsWriteFile,
          {{"a", kAccessFsReadFile}, {"a/b", kAccessFsWriteFile}});
  EXPECT_EQ(Open("a/b/f", kRdwr), "fd");
  EXPECT_EQ(Open("a/g", kRdwr), "EACCES");
  Sandbox(kAccessFsWriteFile, {{"a/b", kAccessFsWriteFile}});
  EXPECT_EQ(Open("a/b/f", kRdwr), "fd");
  Sandbox(kAccessFsReadFile, {{"a/g", kAccessFsReadFile}});
  EXPECT_EQ(Open("a/b/f", kRdonly), "EACCES");
  EXPECT_EQ(Open("a/g", kRdonly), "fd");
}

TEST_F(KernelFsTest, FileRulesTakeOnlyFileRights) {
  Touch("f");
  const std::vector<uint8_t> attr = RulesetAttr(kAccessFsAll, 0, 0);
  const long ruleset = engine_->CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
  const long file = OpenFd("f", kPath);
  ASSERT_GE(ruleset, 0);
  ASSERT_GE(file, 0);
  EXPECT_EQ(AddRule(static_cast<int>(ruleset), kAccessFsReadDir, static_cast<int>(file)),
            "EINVAL");
  EXPECT_EQ(AddRule(static_cast<int>(ruleset), kAccessFsReadFile | kAccessFsTruncate,
                    static_cast<int>(file)),
            kOk);
}

TEST_F(KernelFsTest, RulesFollowTheInodeAcrossRenames) {
  ASSERT_EQ(Mkdir("a"), kOk);
  Touch("a/f");
  Sandbox(kAccessFsReadFile, {{"a", kAccessFsReadFile}});
  // Same-directory rename: no refer needed, and the domain does not handle make/remove.
  EXPECT_EQ(Rename("a", "b"), kOk);
  EXPECT_EQ(Open("b/f", kRdonly), "fd");
}

TEST_F(KernelFsTest, ReparentingNeedsReferAndNoNewRights) {
  ASSERT_EQ(Mkdir("src"), kOk);
  ASSERT_EQ(Mkdir("dst"), kOk);
  ASSERT_EQ(Mkdir("rich"), kOk);
  Touch("src/f");
  Touch("src/g");
  const uint64_t handled = kAccessFsReadFile | kAccessFsMakeReg | kAccessFsRemoveFile |
                           kAccessFsRefer;
  Sandbox(handled, {{"src", kAccessFsMakeReg | kAccessFsRemoveFile | kAccessFsRefer},
                    {"dst", kAccessFsMakeReg | kAccessFsRemoveFile | kAccessFsRefer},
                    {"rich", handled}});
  EXPECT_EQ(Rename("src/f", "dst/f"), kOk);
  // Into a directory granting read_file, which src/g does not have: EXDEV.
  EXPECT_EQ(Rename("src/g", "rich/g"), "EXDEV");
  EXPECT_EQ(Link("src/g", "rich/g"), "EXDEV");
  // Removal denied at the source: EACCES wins over EXDEV.
  EXPECT_EQ(Rename("dst/f", "nowhere"), "EACCES");
}

TEST_F(KernelFsTest, ReparentingWithoutReferHandledIsExdev) {
  ASSERT_EQ(Mkdir("a"), kOk);
  ASSERT_EQ(Mkdir("b"), kOk);
  Touch("a/f");
  // refer is not handled, so it is never granted: reparenting is always denied.
  Sandbox(kAccessFsReadFile, {{".", kAccessFsReadFile}});
  EXPECT_EQ(Rename("a/f", "b/f"), "EXDEV");
  EXPECT_EQ(Rename("a/f", "a/g"), kOk);
}

TEST_F(KernelFsTest, TruncateRightIsRecordedAtOpen) {
  Touch("f");
  Touch("g");
  const long writer = OpenFd("f", kWronly);
  ASSERT_GE(writer, 0);
  Sandbox(kAccessFsTruncate | kAccessFsWriteFile, {{"g", kAccessFsWriteFile}});
  // Opened before the domain: every right was recorded.
  EXPECT_EQ(ErrnoName(engine_->Ftruncate(static_cast<int>(writer))), kOk);
  const long g = OpenFd("g", kWronly);
  ASSERT_GE(g, 0);
  EXPECT_EQ(ErrnoName(engine_->Ftruncate(static_cast<int>(g))), "EACCES");
  EXPECT_EQ(ErrnoName(engine_->Truncate(kRoot, "g")), "EACCES");
  EXPECT_EQ(Open("g", kWronly | kTrunc), "EACCES");
}

TEST_F(KernelFsTest, IoctlDevGuardsDevicesOnly) {
  ASSERT_EQ(Mknod("null", kIfchr | 0666, kDevNull), kOk);
  Touch("f");
  Sandbox(kAccessFsIoctlDev, {});
  const long dev = OpenFd("null", kRdonly);
  const long file = OpenFd("f", kRdonly);
  ASSERT_GE(dev, 0);
  ASSERT_GE(file, 0);
  EXPECT_EQ(ErrnoName(engine_->Ioctl(static_cast<int>(dev), kFionread)), "EACCES");
  EXPECT_EQ(ErrnoName(engine_->Ioctl(static_cast<int>(dev), kFioclex)), kOk);
  EXPECT_EQ(ErrnoName(engine_->Ioctl(static_cast<int>(file), kFionread)), kOk);
}

TEST_F(KernelFsTest, ExecuteIsCheckedAtOpenForExecution) {
  Touch("x");
  Touch("y");
  Sandbox(kAccessFsExecute, {{"x", kAccessFsExecute}});
  EXPECT_EQ(ErrnoName(engine_->Execute(kRoot, "x")), kOk);
  EXPECT_EQ(ErrnoName(engine_->Execute(kRoot, "y")), "EACCES");
}

TEST_F(KernelFsTest, MountsAreDeniedInAFilesystemDomain) {
  engine_->EndTask();
  engine_->BeginTask(TaskSpec{.no_new_privs = true, .cap_sys_admin = true});
  ASSERT_EQ(Mkdir("src"), kOk);
  ASSERT_EQ(Mkdir("dst"), kOk);
  Sandbox(kAccessFsReadDir, {});
  EXPECT_EQ(ErrnoName(engine_->BindMount(kRoot, "src", kRoot, "dst")), "EPERM");
}

TEST_F(KernelFsTest, BindMountRootsAreCheckedNotTheirMountPoints) {
  engine_->EndTask();
  engine_->BeginTask(TaskSpec{.no_new_privs = true, .cap_sys_admin = true});
  ASSERT_EQ(Mkdir("src"), kOk);
  ASSERT_EQ(Mkdir("mnt"), kOk);
  ASSERT_EQ(Mkdir("mnt/dst"), kOk);
  Touch("src/f");
  // Opened before the mount: this fd names the mount point itself, soon hidden.
  const long mount_point = OpenFd("mnt/dst", kPath);
  ASSERT_GE(mount_point, 0);
  ASSERT_EQ(ErrnoName(engine_->BindMount(kRoot, "src", kRoot, "mnt/dst")), kOk);
  const std::vector<uint8_t> attr = RulesetAttr(kAccessFsReadFile, 0, 0);
  const long hidden_only = engine_->CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
  ASSERT_GE(hidden_only, 0);
  ASSERT_EQ(AddRule(static_cast<int>(hidden_only), kAccessFsReadFile,
                    static_cast<int>(mount_point)),
            kOk);
  ASSERT_EQ(engine_->RestrictSelf(static_cast<int>(hidden_only), 0), 0);
  // The walk goes from the mount's root (src) to the mount point's parent (mnt), skipping the
  // hidden mount point: its rule never applies.
  EXPECT_EQ(Open("mnt/dst/f", kRdonly), "EACCES");
  engine_->EndTask();

  engine_->BeginTask(TaskSpec{.no_new_privs = true, .cap_sys_admin = true});
  ASSERT_EQ(Mkdir("src"), kOk);
  ASSERT_EQ(Mkdir("mnt"), kOk);
  ASSERT_EQ(Mkdir("mnt/dst"), kOk);
  Touch("src/f");
  ASSERT_EQ(ErrnoName(engine_->BindMount(kRoot, "src", kRoot, "mnt/dst")), kOk);
  // A rule above the mount point applies through the mount; the source's own rule too.
  Sandbox(kAccessFsReadFile, {{"mnt", kAccessFsReadFile}});
  EXPECT_EQ(Open("mnt/dst/f", kRdonly), "fd");
  EXPECT_EQ(Open("src/f", kRdonly), "EACCES");
  Sandbox(kAccessFsReadFile, {{"src", kAccessFsReadFile}});
  EXPECT_EQ(Open("mnt/dst/f", kRdonly), "fd");
}

TEST_F(KernelFsTest, RuleOnARemovedDirectoryLeavesNothingBehind) {
  ASSERT_EQ(Mkdir("d"), kOk);
  const std::vector<uint8_t> attr = RulesetAttr(kAccessFsReadDir, 0, 0);
  const long ruleset = engine_->CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
  const long dir = OpenFd("d", kPath);
  ASSERT_GE(ruleset, 0);
  ASSERT_GE(dir, 0);
  ASSERT_EQ(AddRule(static_cast<int>(ruleset), kAccessFsReadDir, static_cast<int>(dir)), kOk);
  EXPECT_EQ(ErrnoName(engine_->Rmdir(kRoot, "d")), kOk);
  // Creating in the removed directory through the fd: ENOENT.
  EXPECT_EQ(Mkdir("x", static_cast<int>(dir)), "ENOENT");
  // The ruleset still ties an object to the inode: the unmount at task end releases it.
}

}  // namespace
}  // namespace lockstep
