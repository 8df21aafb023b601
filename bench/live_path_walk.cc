#include "bench/live_path_walk.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "engine/landlock_uapi.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

namespace lockstep {
namespace bench {
namespace {

// landlock_restrict_self() flag of ABI 7: no audit record for denials in this exec.
constexpr uint32_t kRestrictSelfLogSameExecOff = 1u << 0;

std::string Errno(const std::string& what) { return what + ": " + strerror(errno); }

long Ret(long r) { return r < 0 ? -errno : r; }

long LandlockAbi() {
  const long abi = syscall(__NR_landlock_create_ruleset, nullptr, 0,
                           landlock::kCreateRulesetVersion);
  return abi < 0 ? -errno : abi;
}

// The Engine interface as real syscalls in the calling thread, so BuildPathWalk() builds the
// live tree exactly as it builds the userspace engines' trees. kAtRoot is the tmpfs root.
class ThreadSyscalls : public Engine {
 public:
  explicit ThreadSyscalls(int root_fd) : root_fd_(root_fd) {}

  std::string Name() const override { return "live"; }
  void BeginTask(const TaskSpec&) override {}
  std::vector<EngineFinding> EndTask() override { return {}; }

  // The ops the tree builder needs; the others are not part of this benchmark.
  long Syscall(const OpArgs& a) override {
    switch (a.kind) {
      case OpKind::kCreateRuleset:
        return Ret(syscall(__NR_landlock_create_ruleset, a.mem.data, a.size, a.flags));
      case OpKind::kAddRule:
        return Ret(syscall(__NR_landlock_add_rule, a.fd, a.rule_type, a.mem.data, a.flags));
      case OpKind::kRestrictSelf:
        return Ret(syscall(__NR_landlock_restrict_self, a.fd, a.flags));
      case OpKind::kSetNoNewPrivs:
        return Ret(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
      case OpKind::kClose:
        return Ret(close(a.fd));
      case OpKind::kMkdir:
        return Ret(mkdirat(Dir(a.at), a.path, 0755));
      case OpKind::kOpen:
        return Ret(openat(Dir(a.at), a.path, static_cast<int>(a.flags) | O_NONBLOCK | O_CLOEXEC,
                          0755));
      default:
        return -ENOSYS;
    }
  }

 private:
  int Dir(int dirfd) const { return dirfd == kAtRoot ? root_fd_ : dirfd; }
  const int root_fd_;
};

std::string TempDirTemplate() {
  const char* tmp = getenv("TMPDIR");
  std::string dir = tmp && *tmp ? tmp : "/tmp";
  return dir + "/lockstep-pathwalk-XXXXXX";
}

}  // namespace

std::string LivePathWalkUnavailableReason() {
  static const std::string reason = [] {
    const long abi = LandlockAbi();
    if (abi < 0) {
      return "Landlock is not enabled on this kernel (landlock_create_ruleset: " +
             std::string(strerror(static_cast<int>(-abi))) + ")";
    }
    PathWalkSpec probe;
    probe.depth = 1;
    probe.rule = RulePlacement::kRoot;
    LivePathWalk live(probe);
    if (!live.error().empty()) return live.error();
    const LivePathWalk::Batch b = live.Run(1);
    if (b.unexpected != 0) {
      return "the probe's open returned errno " + std::to_string(b.unexpected) +
             " (expected success)";
    }
    return std::string();
  }();
  return reason;
}

LivePathWalk::LivePathWalk(const PathWalkSpec& spec) : spec_(spec) {
  std::string path = TempDirTemplate();
  std::vector<char> buf(path.begin(), path.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    error_ = Errno("mkdtemp " + path);
    return;
  }
  mount_dir_ = buf.data();
  thread_ = std::thread([this] { Main(); });
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return ready_; });
}

LivePathWalk::~LivePathWalk() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // The tmpfs was mounted in the worker's namespace only: here it is a plain empty directory.
  if (!mount_dir_.empty()) rmdir(mount_dir_.c_str());
}

std::string LivePathWalk::Setup() {
  // CLONE_FS: a thread shares its fs_struct (root, cwd) with the process; a mount namespace
  // needs one of its own.
  if (unshare(CLONE_FS | CLONE_NEWNS) != 0) {
    return Errno("no private mount namespace: unshare(CLONE_FS | CLONE_NEWNS)");
  }
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return Errno("mount(/, MS_REC | MS_PRIVATE)");
  }
  if (mount("lockstep-pathwalk", mount_dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
            "mode=0700") != 0) {
    return Errno("no tmpfs: mount(tmpfs, " + mount_dir_ + ")");
  }
  const int root_fd = open(mount_dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return Errno("open " + mount_dir_);
  ThreadSyscalls sys(root_fd);
  std::string error;
  if (sys.SetNoNewPrivs() != 0) error = Errno("prctl(PR_SET_NO_NEW_PRIVS)");
  if (error.empty()) {
    const uint32_t flags = LandlockAbi() >= 7 ? kRestrictSelfLogSameExecOff : 0;
    const PathWalkTree tree = BuildPathWalk(sys, spec_, flags, nullptr);
    if (!tree.error.empty()) {
      error = "live tree: " + tree.error;
    } else {
      deep_fd_ = tree.deep_fd;
    }
  }
  close(root_fd);
  return error;
}

void LivePathWalk::Main() {
  const std::string error = Setup();
  std::unique_lock<std::mutex> lock(mu_);
  error_ = error;
  ready_ = true;
  cv_.notify_all();
  while (true) {
    cv_.wait(lock, [this] { return quit_ || pending_; });
    if (quit_) break;
    pending_ = false;
    const int64_t n = n_;
    lock.unlock();
    const Batch result = Execute(n);
    lock.lock();
    result_ = result;
    done_ = true;
    cv_.notify_all();
  }
  if (deep_fd_ >= 0) close(deep_fd_);
}

LivePathWalk::Batch LivePathWalk::Execute(int64_t n) const {
  Batch b;
  const bool allowed = OpenAllowed(spec_);
  struct timespec cpu0, cpu1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    const int fd = openat(deep_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      close(fd);
      if (!allowed && b.unexpected == 0) b.unexpected = -1;
    } else if ((allowed || errno != EACCES) && b.unexpected == 0) {
      b.unexpected = errno;
    }
  }
  b.wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
  b.cpu_ns = (cpu1.tv_sec - cpu0.tv_sec) * 1000000000LL + (cpu1.tv_nsec - cpu0.tv_nsec);
  return b;
}

LivePathWalk::Batch LivePathWalk::Run(int64_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  n_ = n;
  done_ = false;
  pending_ = true;
  cv_.notify_all();
  cv_.wait(lock, [this] { return done_; });
  return result_;
}

}  // namespace bench
}  // namespace lockstep
