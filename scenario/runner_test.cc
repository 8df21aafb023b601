#include "scenario/runner.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

// Records every call as text and hands out fds 10, 11, ... for creations and opens.
class RecordingEngine : public Engine {
 public:
  std::vector<std::string> calls;

  std::string Name() const override { return "recording"; }
  void BeginTask(const TaskSpec&) override { next_fd_ = 10; }
  std::vector<EngineFinding> EndTask() override { return {}; }
  long Syscall(const OpArgs& args) override { return CallOpMethod(*this, args); }

  // Each op, recorded (CallOpMethod dispatches here; a test's subclass may override one).
  virtual long CreateRuleset(UserBuffer, size_t, uint32_t) {
    return Call("create_ruleset", next_fd_++);
  }
  virtual long AddRule(int fd, int type, UserBuffer attr, uint32_t) {
    int32_t parent = -1;
    if (attr.readable >= 12) {
      const uint8_t* b = static_cast<const uint8_t*>(attr.data);
      parent = static_cast<int32_t>(b[8] | b[9] << 8 | b[10] << 16 | uint32_t{b[11]} << 24);
    }
    return Call(absl::StrCat("add_rule ", fd, " ", type, " parent=", parent), 0);
  }
  virtual long RestrictSelf(int fd, uint32_t) { return Call(absl::StrCat("restrict ", fd), 0); }
  virtual long SetNoNewPrivs() { return Call("nnp", 0); }
  virtual long Close(int fd) { return Call(absl::StrCat("close ", fd), 0); }
  virtual long Socket(int, int, int) { return Call("socket", next_fd_++); }
  virtual long Bind(int, UserBuffer, int) { return Call("bind", 0); }
  virtual long Connect(int, UserBuffer, int) { return Call("connect", 0); }
  virtual long SendTo(int, UserBuffer, int, uint32_t) { return Call("sendto", 0); }
  virtual long Mkdir(int at, const std::string& path) {
    return Call(absl::StrCat("mkdir ", at, " ", path), 0);
  }
  virtual long Mknod(int at, const std::string& path, uint32_t mode, uint64_t dev) {
    return Call(absl::StrCat("mknod ", at, " ", path, " ", mode, " ", dev), 0);
  }
  virtual long Open(int at, const std::string& path, uint32_t flags) {
    return Call(absl::StrCat("open ", at, " ", path, " ", flags), next_fd_++);
  }
  virtual long Execute(int at, const std::string& path) {
    return Call(absl::StrCat("execute ", at, " ", path), -13);
  }
  virtual long Execve(int at, const std::string& path) {
    return Call(absl::StrCat("execve ", at, " ", path), 0);
  }
  virtual long Truncate(int at, const std::string& path) {
    return Call(absl::StrCat("truncate ", at, " ", path), 0);
  }
  virtual long Ftruncate(int fd) { return Call(absl::StrCat("ftruncate ", fd), 0); }
  virtual long Unlink(int at, const std::string& path) {
    return Call(absl::StrCat("unlink ", at, " ", path), 0);
  }
  virtual long Rmdir(int at, const std::string& path) {
    return Call(absl::StrCat("rmdir ", at, " ", path), 0);
  }
  virtual long Rename(int at, const std::string& old_path, int at2,
                      const std::string& new_path, uint32_t flags) {
    return Call(absl::StrCat("rename ", at, " ", old_path, " ", at2, " ", new_path, " ", flags),
                -18);
  }
  virtual long Link(int at, const std::string& old_path, int at2, const std::string& new_path) {
    return Call(absl::StrCat("link ", at, " ", old_path, " ", at2, " ", new_path), 0);
  }
  virtual long Ioctl(int fd, uint32_t cmd) {
    return Call(absl::StrCat("ioctl ", fd, " ", cmd), 0);
  }
  virtual long BindMount(int at, const std::string& src, int at2, const std::string& dst) {
    return Call(absl::StrCat("bind_mount ", at, " ", src, " ", at2, " ", dst), -1);
  }

 private:
  long Call(std::string text, long ret) {
    calls.push_back(std::move(text));
    return ret;
  }
  int next_fd_ = 10;
};

TEST(RunScenario, DispatchesFilesystemOpsWithResolvedHandles) {
  absl::StatusOr<Scenario> s = ParseScn(
      "mkdir a\n"
      "d = open a path|directory\n"
      "mkdir b at=d\n"
      "mknod b/n char:1:3 mode=0600 at=d\n"
      "f = open b/x wronly|creat at=d\n"
      "execute b/x at=d\n"
      "truncate a/b/x\n"
      "ftruncate f\n"
      "unlink a/b/x at=7\n"
      "rmdir a/b at=d\n"
      "rename b a flags=exchange at=d at2=f\n"
      "link b c at2=d\n"
      "ioctl f fionread\n"
      "bind_mount a b at2=d\n"
      "r = create_ruleset handled_fs=read_file\n"
      "add_rule r path_beneath allowed=read_file parent_fd=d\n"
      "close f\n",
      "t.scn");
  ASSERT_TRUE(s.ok()) << s.status();
  RecordingEngine engine;
  const RunResult r = RunScenario(engine, *s);
  const std::vector<std::string> want = {
      "mkdir -100 a",
      "open -100 a 2162688",  // O_PATH | O_DIRECTORY
      "mkdir 10 b",
      "mknod 10 b/n 8576 259",  // S_IFCHR | 0600, makedev(1, 3)
      "open 10 b/x 65",         // O_WRONLY | O_CREAT
      "execute 10 b/x",
      "truncate -100 a/b/x",
      "ftruncate 11",
      "unlink 7 a/b/x",
      "rmdir 10 a/b",
      "rename 10 b 11 a 2",
      "link -100 b 10 c",
      "ioctl 11 21531",
      "bind_mount -100 a 10 b",
      "create_ruleset",
      "add_rule 12 1 parent=10",
      "close 11",
  };
  EXPECT_EQ(engine.calls, want);
  ASSERT_EQ(r.outcomes.size(), want.size());
  EXPECT_EQ(r.outcomes[1], Outcome::Fd());
  EXPECT_EQ(r.outcomes[4], Outcome::Fd());
  EXPECT_EQ(r.outcomes[5], Outcome::Errno(13));
  EXPECT_EQ(r.outcomes[10], Outcome::Errno(18));
  EXPECT_EQ(r.outcomes[13], Outcome::Errno(1));
}

TEST(RunScenario, FailedOpensAndBadPathsBuiltInCode) {
  Scenario s;
  Op open;
  open.kind = OpKind::kOpen;
  open.path = "../../etc";  // never reaches an engine as written
  Op mkdir;
  mkdir.kind = OpKind::kMkdir;
  mkdir.path = "/x//y/";
  mkdir.at = FdRef::Handle(0);   // the open "failed" in this engine below: -1
  mkdir.at2 = FdRef::Handle(0);  // unused by mkdir
  Op rename;
  rename.kind = OpKind::kRename;
  rename.path = "";
  rename.path2 = "a";
  rename.at2 = FdRef::Handle(1);  // mkdir returns no fd: -1
  s.ops = {open, mkdir, rename};

  class FailingOpen : public RecordingEngine {
    long Open(int at, const std::string& path, uint32_t flags) override {
      RecordingEngine::Open(at, path, flags);
      return -2;
    }
  } engine;
  RunScenario(engine, s);
  EXPECT_EQ(engine.calls, (std::vector<std::string>{"open -100 etc 0", "mkdir -1 x/y",
                                                    "rename -100 . -1 a 0"}));
}

// RunOp: one op in the current task, its fds as the raw numbers they name.
TEST(RunOp, RawFdsAsTheyAre) {
  absl::StatusOr<Scenario> s = ParseScn(
      "restrict_self 7\n"
      "add_rule 12 path_beneath allowed=read_file parent_fd=5\n"
      "unlink a at=9\n"
      "rename a b at2=4\n"
      "r = create_ruleset handled_fs=read_file\n"
      "close r\n",
      "t.scn");
  ASSERT_TRUE(s.ok()) << s.status();
  RecordingEngine engine;
  std::vector<long> returned;
  for (const Op& op : s->ops) returned.push_back(RunOp(engine, op));
  const std::vector<std::string> want = {
      "restrict 7", "add_rule 12 1 parent=5", "unlink 9 a", "rename -100 a 4 b 0",
      "create_ruleset",
      "close -1",  // a handle is no raw number
  };
  EXPECT_EQ(engine.calls, want);
  EXPECT_EQ(returned, (std::vector<long>{0, 0, 0, -18, 10, 0}));
}

}  // namespace
}  // namespace lockstep
