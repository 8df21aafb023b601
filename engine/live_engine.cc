#include "engine/live_engine.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/log_record.h"

namespace lockstep {
namespace {

// Landlock syscalls (x86-64 and every other architecture since 5.13). The system headers are
// older than the ABI we test, so nothing Landlock-specific comes from them.
constexpr long kSysCreateRuleset = 444;
constexpr long kSysAddRule = 445;
constexpr long kSysRestrictSelf = 446;
constexpr uint32_t kCreateRulesetVersion = 1u << 0;
constexpr uint32_t kCreateRulesetErrata = 1u << 1;
constexpr int kRulePathBeneath = 1;
constexpr size_t kPathBeneathAttrSize = 12;
constexpr int kMinNetAbi = 4;  // network rules came with ABI 4 (Linux 6.7)

constexpr int kAfUnix = 1;
constexpr int kAfInet = 2;
constexpr int kAfInet6 = 10;
constexpr int kAfVsock = 40;

enum SockOpKind { kBindOp, kConnectOp, kSendToOp, kListenOp };
// listen(2)'s backlog: the models never fill an accept queue (nothing accepts), and a scenario
// has fewer connects than this.
constexpr int kListenBacklog = 4096;

long Ret(long r) { return r < 0 ? -static_cast<long>(errno) : r; }

std::string ErrnoText(int e) {
  const char* name = strerrorname_np(e);
  return name ? name : absl::StrCat("errno ", e);
}

// The path of fd `fd` (+ "/" + `rest`) through the calling thread's own fd table.
std::string ThreadFdPath(int fd, const std::string& rest = "") {
  std::string p = absl::StrCat("/proc/thread-self/fd/", fd);
  if (!rest.empty()) absl::StrAppend(&p, "/", rest);
  return p;
}

// Makes the calling thread's filesystem world: its own fs_struct and mount namespace, every
// mount private (nothing propagates out), a fresh tmpfs on `mount_dir`, umask 0. Returns an
// O_PATH fd on the tmpfs root, or -1 with `*error` set. Needs CAP_SYS_ADMIN; the namespace and
// the tmpfs go away with the thread.
int MakeTaskFilesystem(const std::string& mount_dir, std::string* error) {
  if (unshare(CLONE_FS | CLONE_NEWNS) != 0) {
    *error = absl::StrCat("unshare(CLONE_FS | CLONE_NEWNS): ", ErrnoText(errno));
    return -1;
  }
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    *error = absl::StrCat("mount(/, MS_REC | MS_PRIVATE): ", ErrnoText(errno));
    return -1;
  }
  // Directories are 0755 as the contract says (a tmpfs root is 1777 by default).
  if (mount("lockstep", mount_dir.c_str(), "tmpfs", 0, "mode=0755") != 0) {
    *error = absl::StrCat("mount(tmpfs, ", mount_dir, "): ", ErrnoText(errno));
    return -1;
  }
  umask(0);
  const int root = open(mount_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    *error = absl::StrCat("open(", mount_dir, ", O_PATH): ", ErrnoText(errno));
    return -1;
  }
  return root;
}

// Blocks every signal on the calling thread: a task's signals (op kill) stay pending on it,
// never acted on (docs/tasks.md).
void BlockAllSignals() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
}

// Device numbers as mknodat() takes them (the kernel's 32-bit encoding, which is makedev's for
// small numbers).
constexpr uint32_t kNullDevice = (1u << 8) | 3u;  // char 1:3
constexpr uint32_t kWhiteoutDevice = 0;             // char 0:0
constexpr uint32_t kDriverlessDevice = 60u << 8;    // 60:0, "local/experimental use"

// An address access_ok() refuses on every architecture with a split address space: the kernel
// cannot read an argv there (EFAULT), so an execveat that gets that far never runs anything.
char* const* UnreadableArgv() {
  return reinterpret_cast<char* const*>(~static_cast<uintptr_t>(0) - 4095);
}


}  // namespace

namespace live_internal {

// Pages whose last one is unmapped: a buffer copied to end right before it faults exactly where
// UserBuffer::readable says.
struct GuardedRegion {
  static constexpr size_t kDataSize = 16 * 4096;
  uint8_t* base = nullptr;
  size_t page = 4096;

  GuardedRegion() {
    page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* p = mmap(nullptr, kDataSize + page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    base = static_cast<uint8_t*>(p);
    mprotect(base + kDataSize, page, PROT_NONE);
  }
  ~GuardedRegion() {
    if (base) munmap(base, kDataSize + page);
  }
  // `b` as the kernel should see it: NULL, or its readable bytes followed by unmapped memory.
  const void* Place(UserBuffer b) {
    if (b.data == nullptr) return nullptr;
    const size_t n = std::min(b.readable, kDataSize);
    uint8_t* at = base + kDataSize - n;
    if (n) std::memcpy(at, b.data, n);
    return at;
  }
  // The same, with the first `n` bytes of `bytes` (already copied elsewhere and patched).
  const void* Place(const uint8_t* bytes, size_t n) { return Place(UserBuffer{bytes, n}); }
};

// The Engine of one task thread: every op is a syscall on the calling thread. The probe makes
// them all; the twin skips restrict_self (and so never has a domain).
class TaskThread : public Engine {
 public:
  // `mount_dir`: where the probe mounts its tmpfs; nullptr: no filesystem (its ops return
  // kNoFilesystem). The twin never has one.
  TaskThread(int netns_fd, bool twin, GuardedRegion* mem, const std::string* mount_dir)
      : netns_fd_(netns_fd), twin_(twin), mem_(mem), mount_dir_(twin ? nullptr : mount_dir) {}

  // Twin only: what the probe returned for each op of the task, in order (op i of the twin is
  // op i of the probe). The twin needs it to keep its sockets' histories equal to the probe's.
  void SetProbeResults(const std::vector<long>* probe) { probe_ = probe; }
  ~TaskThread() override { CloseAll(); }

  std::string Name() const override { return twin_ ? "live-twin" : "live-probe"; }

  // Must run on the fresh thread that will make the ops.
  void BeginTask(const TaskSpec& spec) override {
    CloseAll();
    findings_.clear();
    // A private fd table: the probe's and the twin's fds never share numbers, so an fd closed
    // and made again comes back as the lowest free number of this task's own table, as in
    // the models, whatever the other thread does. It goes away with the thread.
    if (unshare(CLONE_FILES) != 0) {
      Setup(absl::StrCat("unshare(CLONE_FILES): ", ErrnoText(errno)));
    }
    if (setns(netns_fd_, CLONE_NEWNET) != 0) {
      Setup(absl::StrCat("setns(CLONE_NEWNET): ", ErrnoText(errno)));
    }
    // The tmpfs needs CAP_SYS_ADMIN, so it comes before the capabilities go.
    if (mount_dir_ != nullptr) {
      std::string error;
      root_fd_ = MakeTaskFilesystem(*mount_dir_, &error);
      if (root_fd_ < 0) Setup(error);
    }
    // Drop CAP_NET_RAW always, CAP_SYS_ADMIN unless the task has it (this thread only).
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (syscall(SYS_capget, &hdr, data) != 0) {
      Setup(absl::StrCat("capget: ", ErrnoText(errno)));
    } else {
      auto drop = [&](int cap) {
        data[cap / 32].effective &= ~(1u << (cap % 32));
        data[cap / 32].permitted &= ~(1u << (cap % 32));
        data[cap / 32].inheritable &= ~(1u << (cap % 32));
      };
      drop(CAP_NET_RAW);
      if (!spec.cap_sys_admin) drop(CAP_SYS_ADMIN);
      if (syscall(SYS_capset, &hdr, data) != 0) {
        Setup(absl::StrCat("capset: ", ErrnoText(errno)));
      }
    }
    if (spec.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      Setup(absl::StrCat("prctl(PR_SET_NO_NEW_PRIVS): ", ErrnoText(errno)));
    }
  }

  std::vector<EngineFinding> EndTask() override {
    CloseAll();
    return std::move(findings_);
  }

  long Syscall(const OpArgs& args) override { return CallOpMethod(*this, args); }

  // Threads are the LiveEngine's (its workers): a TaskThread is one thread of the task, and
  // RunLiveScenario runs scenarios with threads through the LiveEngine. Never reached.
  long Thread() { return -ENOSYS; }
  long OnThread(int) { return -ENOSYS; }
  long Fork() { return -ENOSYS; }
  long Kill(int, int) { return -ENOSYS; }
  long Ptrace(int) { return -ENOSYS; }
  long Traceme() { return -ENOSYS; }
  long Setown(int, int) { return -ENOSYS; }
  long Sigwait(int) { return -ENOSYS; }

  bool IsTwin() const { return twin_; }
  // A twin in a child process: the probe's result for its next op (each request brings it),
  // kept in a list of its own from here on.
  void AppendProbeResult(long probe_ret) {
    if (probe_ != &child_probe_) {
      child_probe_ = probe_ != nullptr ? *probe_ : std::vector<long>();
      probe_ = &child_probe_;
    }
    child_probe_.resize(ops_);
    child_probe_.push_back(probe_ret);
  }
  // A twin child process closes the sockets its parent's twin made (see ServeTask).
  void DropInheritedSockets() {
    for (const auto& [fd, history] : sockets_) accepted_.push_back(fd);
    for (const int fd : accepted_) {  // the sockets and the accepted sockets' stand-ins
      const auto it = std::find(owned_.begin(), owned_.end(), fd);
      if (it != owned_.end()) owned_.erase(it);
      close(fd);
    }
    sockets_.clear();
    accepted_.clear();
  }

  // setown's syscalls on this task's fd `fd` (not an op of the twin's count: LiveEngine::Setown
  // runs it on the probe only, its owner `tid` a real thread, -1 for none).
  long SetownTid(int fd, int tid) {
    const int real = Map(fd);
    const f_owner_ex owner{F_OWNER_TID, tid};
    if (fcntl(real, F_SETOWN_EX, &owner) != 0) return -errno;
    const int flags = fcntl(real, F_GETFL);
    if (flags < 0 || fcntl(real, F_SETFL, flags | O_ASYNC) != 0) return -errno;
    return 0;
  }

  // Each op, a syscall on the calling thread (Syscall dispatches here).

  long CreateRuleset(UserBuffer attr, size_t size, uint32_t flags) {
    ++ops_;
    const long r = Ret(syscall(kSysCreateRuleset, mem_->Place(attr), size, flags));
    if (r >= 0 && flags == 0) Own(static_cast<int>(r));
    return r;
  }

  long AddRule(int ruleset_fd, int rule_type, UserBuffer rule_attr, uint32_t flags) {
    ++ops_;
    const void* attr = mem_->Place(rule_attr);
    if (rule_type == kRulePathBeneath && rule_attr.data != nullptr &&
        rule_attr.readable >= kPathBeneathAttrSize) {
      // parent_fd names an fd too: one this task does not own becomes -1.
      uint8_t bytes[kPathBeneathAttrSize];
      std::memcpy(bytes, rule_attr.data, sizeof(bytes));
      int32_t parent;
      std::memcpy(&parent, bytes + 8, sizeof(parent));
      parent = Map(parent);
      std::memcpy(bytes + 8, &parent, sizeof(parent));
      std::vector<uint8_t> copy(static_cast<const uint8_t*>(rule_attr.data),
                                static_cast<const uint8_t*>(rule_attr.data) +
                                    std::min(rule_attr.readable, GuardedRegion::kDataSize));
      std::memcpy(copy.data(), bytes, sizeof(bytes));
      attr = mem_->Place(copy.data(), copy.size());
    }
    return Ret(syscall(kSysAddRule, Map(ruleset_fd), rule_type, attr, flags));
  }

  long RestrictSelf(int ruleset_fd, uint32_t flags) {
    ++ops_;
    if (twin_) return 0;  // the twin never has a domain
    return Ret(syscall(kSysRestrictSelf, Map(ruleset_fd), flags));
  }

  long SetNoNewPrivs() {
    ++ops_;
    return Ret(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  }

  long Close(int fd) {
    ++ops_;
    sockets_.erase(fd);
    accepted_.erase(std::remove(accepted_.begin(), accepted_.end(), fd), accepted_.end());
    const auto it = std::find(owned_.begin(), owned_.end(), fd);
    if (it == owned_.end()) return -EBADF;  // not in this task's fd table
    owned_.erase(it);
    return Ret(Release(fd));
  }

  long Socket(int family, int type, int protocol) {
    ++ops_;
    const long r = MakeSocket(family, type, protocol);
    if (r < 0) return r;
    const int fd = static_cast<int>(r);
    Own(fd);
    if (twin_) sockets_[fd] = SocketHistory{family, type, protocol, {}};
    return r;
  }

  long Bind(int fd, UserBuffer addr, int addrlen) {
    return SockOp(kBindOp, fd, addr, addrlen, 0);
  }
  long Connect(int fd, UserBuffer addr, int addrlen) {
    return SockOp(kConnectOp, fd, addr, addrlen, 0);
  }
  long SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags) {
    return SockOp(kSendToOp, fd, addr, addrlen, flags);
  }
  long Listen(int fd) { return SockOp(kListenOp, fd, UserBuffer{}, 0, 0); }

  // accept4(), without waiting: the listener is O_NONBLOCK for the call. The probe's only: the
  // twin accepts nothing. Where the probe got a socket, the twin holds a stand-in (close-on-exec
  // as the probe's), whose socket ops answer what the probe's did: Landlock judges no op on an
  // accepted AF_UNIX socket (connect meets EISCONN before the stream hook, stream sends reach no
  // hook, seqpacket sends skip unix_may_send, bind and listen have none for AF_UNIX), so the
  // verdict is 0 and the probe's answer the stack's. The stand-in is the accepted socket's twin
  // like any other socket's (LiveEngine maps it, copies it at a fork).
  long Accept(int fd, uint32_t flags) {
    const size_t op = ops_++;
    if (twin_) {
      const long p = ProbeResult(op);
      if (p < 0) return p;
      const int stand_in = socket(AF_UNIX, SOCK_DGRAM | (flags & SOCK_CLOEXEC), 0);
      if (stand_in < 0) return -errno;
      Own(stand_in);
      accepted_.push_back(stand_in);
      return stand_in;
    }
    const int real = Map(fd);
    const int fl = fcntl(real, F_GETFL);
    const bool set =
        fl >= 0 && (fl & O_NONBLOCK) == 0 && fcntl(real, F_SETFL, fl | O_NONBLOCK) == 0;
    const long r = Ret(accept4(real, nullptr, nullptr, static_cast<int>(flags)));
    if (set) fcntl(real, F_SETFL, fl);
    if (r >= 0) Own(static_cast<int>(r));
    return r;
  }

  // ---- The filesystem: the probe makes the syscalls; the twin repeats the probe's results.

  long Mkdir(int dirfd, const std::string& path) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    int dir;
    if (const long e = FsPrelude(dirfd, path, &dir)) return e;
    return Ret(mkdirat(dir, path.c_str(), 0755));
  }

  long Mknod(int dirfd, const std::string& path, uint32_t mode, uint64_t dev) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    int dir;
    if (const long e = FsPrelude(dirfd, path, &dir)) return e;
    uint32_t kernel_dev = static_cast<uint32_t>(dev);  // mknodat's dev is an unsigned int
    const uint32_t type = mode & S_IFMT;
    if ((type == S_IFCHR && kernel_dev != kNullDevice && kernel_dev != kWhiteoutDevice) ||
        type == S_IFBLK) {
      kernel_dev = kDriverlessDevice;  // never a real driver or disk (see live_engine.h)
    }
    return Ret(syscall(SYS_mknodat, dir, path.c_str(), mode, kernel_dev));
  }

  long Open(int dirfd, const std::string& path, uint32_t flags) {
    const size_t op = ops_++;
    if (twin_) {
      // A stand-in of the same kind (O_PATH or not), for socket ops on it; never a file op.
      // Close-on-exec as the probe's is, so that an execve closes both (Execve below).
      const long p = ProbeResult(op);
      if (p < 0) return p;
      const int fd = open("/", ((flags & O_PATH) ? O_PATH : O_RDONLY) | O_DIRECTORY |
                                   (flags & O_CLOEXEC));
      if (fd >= 0) Own(fd);
      return Ret(fd);
    }
    int dir;
    if (const long e = FsPrelude(dirfd, path, &dir)) return e;
    const long r = Ret(syscall(SYS_openat, dir, path.c_str(), flags | O_NONBLOCK, 0755));
    if (r >= 0) Own(static_cast<int>(r));
    return r;
  }

  long Execute(int dirfd, const std::string& path) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    int dir;
    if (const long e = FsPrelude(dirfd, path, &dir)) return e;
    const long r = Ret(syscall(SYS_execveat, dir, path.c_str(), UnreadableArgv(),
                               UnreadableArgv(), 0));
    // EFAULT: opened for execution, then argv was unreadable (ENOEXEC cannot happen, but it
    // would mean the same).
    return (r == -EFAULT || r == -ENOEXEC) ? 0 : r;
  }

  // execve: Execute's check; when it passes, what exec does to the fd table: every fd the
  // kernel marks close-on-exec (FD_CLOEXEC, as O_CLOEXEC, SOCK_CLOEXEC and every ruleset set
  // it) is closed, into *closed. The program is not replaced (see live_engine.h).
  long Execve(int dirfd, const std::string& path) {
    std::vector<int> closed;
    return Execve(dirfd, path, &closed);
  }
  // The twin closes its own close-on-exec fds when the probe's execve succeeded: each of its
  // fds has the close-on-exec flag of the probe's fd it stands for (rulesets always, sockets
  // and opens as asked).
  long Execve(int dirfd, const std::string& path, std::vector<int>* closed) {
    const long r = Execute(dirfd, path);  // the twin: the probe's result
    if (r != 0) return r;
    for (int fd : owned_) {
      const int fd_flags = fcntl(fd, F_GETFD);
      if (fd_flags >= 0 && (fd_flags & FD_CLOEXEC) != 0) closed->push_back(fd);
    }
    CloseAfterExec(*closed);
    return 0;
  }
  // The fds an execve closes (the twin's: those standing in for the probe's).
  void CloseAfterExec(const std::vector<int>& fds) {
    for (int fd : fds) {
      const auto it = std::find(owned_.begin(), owned_.end(), fd);
      if (it == owned_.end()) continue;
      owned_.erase(it);
      sockets_.erase(fd);
      accepted_.erase(std::remove(accepted_.begin(), accepted_.end(), fd), accepted_.end());
      Release(fd);
    }
  }

  long Truncate(int dirfd, const std::string& path) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    int dir;
    if (const long e = FsPrelude(dirfd, path, &dir)) return e;
    const int fd = openat(dir, path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) return -errno;
    const long r = Ret(truncate(ThreadFdPath(fd).c_str(), 0));
    close(fd);
    return r;
  }

  long Ftruncate(int fd) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    if (root_fd_ < 0) return kNoFilesystem;
    return Ret(ftruncate(Map(fd), 0));
  }

  long Unlink(int dirfd, const std::string& path) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    int dir;
    if (const long e = FsPrelude(dirfd, path, &dir)) return e;
    return Ret(unlinkat(dir, path.c_str(), 0));
  }

  long Rmdir(int dirfd, const std::string& path) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    int dir;
    if (const long e = FsPrelude(dirfd, path, &dir)) return e;
    return Ret(unlinkat(dir, path.c_str(), AT_REMOVEDIR));
  }

  long Rename(int old_dirfd, const std::string& old_path, int new_dirfd,
              const std::string& new_path, uint32_t flags) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    int old_dir, new_dir;
    if (const long e = FsPrelude(old_dirfd, old_path, &old_dir)) return e;
    if (const long e = FsPrelude(new_dirfd, new_path, &new_dir)) return e;
    return Ret(syscall(SYS_renameat2, old_dir, old_path.c_str(), new_dir, new_path.c_str(),
                       flags));
  }

  long Link(int old_dirfd, const std::string& old_path, int new_dirfd,
            const std::string& new_path) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    int old_dir, new_dir;
    if (const long e = FsPrelude(old_dirfd, old_path, &old_dir)) return e;
    if (const long e = FsPrelude(new_dirfd, new_path, &new_dir)) return e;
    return Ret(linkat(old_dir, old_path.c_str(), new_dir, new_path.c_str(), 0));
  }

  long Ioctl(int fd, uint32_t cmd) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    if (root_fd_ < 0) return kNoFilesystem;
    // Landlock allows all three on every file; a frozen tmpfs would block the task forever.
    if (cmd == FIFREEZE || cmd == FITHAW) cmd = FIGETBSZ;
    const long r = Ret(syscall(SYS_ioctl, Map(fd), static_cast<unsigned long>(cmd), 0ul));
    return (r == -EBADF || r == -EACCES) ? r : 0;
  }

  long BindMount(int src_dirfd, const std::string& src_path, int dst_dirfd,
                 const std::string& dst_path) {
    const size_t op = ops_++;
    if (twin_) return ProbeResult(op);
    int src_dir, dst_dir;
    if (const long e = FsPrelude(dst_dirfd, dst_path, &dst_dir)) return e;
    if (const long e = FsPrelude(src_dirfd, src_path, &src_dir)) return e;
    // mount(2) resolves dst first: the same lookup (LOOKUP_FOLLOW, no symlinks here) by openat.
    const int dst = openat(dst_dir, dst_path.c_str(), O_PATH | O_CLOEXEC);
    if (dst < 0) return -errno;
    // src is resolved by mount itself, after Landlock's sb_mount and the capability check. A
    // dirfd that is not open has no /proc entry: the lookup's ENOENT is then the EBADF that
    // resolving from that dirfd gives.
    const bool src_dir_open = fcntl(src_dir, F_GETFD) != -1;
    const long r = Ret(mount(ThreadFdPath(src_dir, src_path).c_str(), ThreadFdPath(dst).c_str(),
                             nullptr, MS_BIND, nullptr));
    close(dst);
    return (r == -ENOENT && !src_dir_open) ? -EBADF : r;
  }

  long SockOp(int kind, int fd, UserBuffer addr, int addrlen, uint32_t flags) {
    const size_t op = ops_++;
    fd = Map(fd);
    if (twin_ && std::find(accepted_.begin(), accepted_.end(), fd) != accepted_.end()) {
      return ProbeResult(op);  // an accepted socket's stand-in (Accept)
    }
    const long n = Perform(kind, fd, addr, addrlen, flags);
    if (twin_ && probe_ != nullptr && op < probe_->size()) {
      // Keep this twin socket's history the probe socket's: an op Landlock let through happened
      // on both; one it denied did not happen on the probe, so the twin socket is made again
      // from its history (a bind, or a connect that reached this very socket, took effect here).
      const auto it = sockets_.find(fd);
      if (it != sockets_.end()) {
        const long verdict = LandlockVerdict((*probe_)[op], n);
        if (verdict == 0) {
          it->second.ops.push_back(
              {kind,
               addr.data == nullptr
                   ? std::vector<uint8_t>()
                   : std::vector<uint8_t>(static_cast<const uint8_t*>(addr.data),
                                          static_cast<const uint8_t*>(addr.data) +
                                              std::min(addr.readable, GuardedRegion::kDataSize)),
               addr.data == nullptr, addr.readable, addrlen, flags});
        } else {
          // Even a failed op may have changed the twin socket (a refused connect releases a
          // port bound as 0), so a denial always remakes it.
          Remake(fd, it->second);
        }
      }
    }
    return n;
  }

 private:
  struct RecordedOp {
    int kind;
    std::vector<uint8_t> bytes;
    bool null;
    size_t readable;
    int addrlen;
    uint32_t flags;
  };
  struct SocketHistory {
    int family, type, protocol;
    std::vector<RecordedOp> ops;  // the ops Landlock let through, in order
  };

  long MakeSocket(int family, int type, int protocol) {
    if (family == kAfVsock) {
      // Never made: vsock reaches the hypervisor. Answered as by a kernel without vsock,
      // after the generic checks of __sys_socket/__sock_create (flags, then type).
      constexpr int kTypeMask = 0xf, kSockMax = 11;
      if ((type & ~kTypeMask & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -EINVAL;
      if ((type & kTypeMask) >= kSockMax) return -EINVAL;
      return -EAFNOSUPPORT;
    }
    const long r = Ret(socket(family, type, protocol));
    if (r >= 0 && (family == kAfInet || family == kAfInet6 || family == kAfUnix)) {
      const timeval bound{1, 0};  // a blocking connect/sendto waits at most this long
      setsockopt(static_cast<int>(r), SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof(bound));
    }
    return r;
  }

  // Replaces the socket at `fd` by a fresh one with the same history (the same fd number).
  void Remake(int fd, const SocketHistory& h) {
    Release(fd);
    const long r = MakeSocket(h.family, h.type, h.protocol);
    if (r < 0) {
      findings_.push_back({"live-twin", absl::StrCat("cannot remake a twin socket: ",
                                                     ErrnoText(static_cast<int>(-r)))});
      return;
    }
    const int fresh = static_cast<int>(r);
    if (fresh != fd) {
      dup2(fresh, fd);
      close(fresh);
    }
    for (const RecordedOp& o : h.ops) {
      UserBuffer b{o.null ? nullptr : o.bytes.data(), o.readable};
      Perform(o.kind, fd, b, o.addrlen, o.flags);
    }
  }

  long Perform(int kind, int fd, UserBuffer addr, int addrlen, uint32_t flags) {
    const void* a = mem_->Place(addr);
    if (a != nullptr && addr.readable >= 3) {
      uint16_t family;
      std::memcpy(&family, addr.data, sizeof(family));
      uint8_t* bytes = const_cast<uint8_t*>(static_cast<const uint8_t*>(a));
      // A pathname AF_UNIX address becomes an abstract one (per network namespace). The
      // checks keep pathnames away (scenario/live_comparable.h); this guard makes sure no
      // socket file is ever made on the machine.
      if (family == kAfUnix && bytes[2] != 0) bytes[2] = 0;
    }
    switch (kind) {
      case kBindOp:
        return Ret(bind(fd, static_cast<const sockaddr*>(a), static_cast<socklen_t>(addrlen)));
      case kConnectOp:
        return Ret(connect(fd, static_cast<const sockaddr*>(a), static_cast<socklen_t>(addrlen)));
      case kListenOp:
        return Ret(listen(fd, kListenBacklog));
      default: {
        static const char kEmpty[1] = {0};
        // A UNIX datagram receiver's queue fills (net.unix.max_dgram_qlen) since nothing
        // reads it: the send then fails after Landlock's check instead of waiting.
        int domain = 0;
        socklen_t len = sizeof(domain);
        const int dontwait =
            getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == kAfUnix
                ? MSG_DONTWAIT
                : 0;
        // Nothing, or the one urgent byte MSG_OOB needs (engine/ops.h).
        // A send that went through is 0, whatever it sent.
        const size_t bytes = (flags & MSG_OOB) != 0 ? 1 : 0;
        const long sent =
            Ret(sendto(fd, kEmpty, bytes, static_cast<int>(flags) | MSG_NOSIGNAL | dontwait,
                       static_cast<const sockaddr*>(a), static_cast<socklen_t>(addrlen)));
        return sent > 0 ? 0 : sent;
      }
    }
  }

  // The probe's start of every path op: the directory to resolve `path` from (kAtRoot: the
  // tmpfs root) in `*dir` and 0, or what the op returns without a syscall.
  long FsPrelude(int dirfd, const std::string& path, int* dir) const {
    if (root_fd_ < 0) return kNoFilesystem;
    if (!IsModelPath(path)) return -ENOENT;
    *dir = dirfd == kAtRoot ? root_fd_ : Map(dirfd);
    return 0;
  }
  // Twin only: what the probe returned for op `op` (0 when unknown), so the twin's results of
  // filesystem ops are the probe's.
  long ProbeResult(size_t op) const {
    return probe_ != nullptr && op < probe_->size() ? (*probe_)[op] : 0;
  }

  void Setup(std::string detail) { findings_.push_back({"live-setup", std::move(detail)}); }
  void Own(int fd) { owned_.push_back(fd); }
  // An fd of this task's table as it is; -1 as it is (restrict_self gives -1 a meaning in ABI
  // 7); any other number as one that is never open.
  int Map(int fd) const {
    if (fd == -1 || std::find(owned_.begin(), owned_.end(), fd) != owned_.end()) return fd;
    return kNeverOpen;
  }
  static constexpr int kNeverOpen = 0x7fffffff;  // beyond any RLIMIT_NOFILE: EBADF
  void CloseAll() {
    for (int fd : owned_) Release(fd);
    owned_.clear();
    if (root_fd_ >= 0) close(root_fd_);
    root_fd_ = -1;
    sockets_.clear();
    accepted_.clear();
    ops_ = 0;
  }
  // close(), abortively for a socket: a connection (a socket may connect to itself) would
  // otherwise hold its port in TIME_WAIT into the next task.
  static int Release(int fd) {
    const linger abort{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));  // ENOTSOCK for rulesets
    return close(fd);
  }

  const int netns_fd_;
  const bool twin_;
  GuardedRegion* const mem_;
  const std::string* const mount_dir_;  // probe with a filesystem only
  int root_fd_ = -1;                    // O_PATH on the tmpfs root: Engine::kAtRoot
  std::vector<int> owned_;
  std::vector<EngineFinding> findings_;
  const std::vector<long>* probe_ = nullptr;
  std::vector<long> child_probe_;  // a twin in a child process: what probe_ points to
  size_t ops_ = 0;  // ops so far in this task
  std::unordered_map<int, SocketHistory> sockets_;  // twin only
  std::vector<int> accepted_;  // twin only: the stand-ins of the probe's accepted sockets
};

// A thread that runs one job at a time for its owner, until destroyed.
class Worker {
 public:
  Worker() : thread_([this] { Loop(); }) {}
  ~Worker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = std::move(job);
      done_ = false;
    }
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }

 private:
  void Loop() {
    BlockAllSignals();
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || job_; });
      if (job_) {
        std::function<void()> job = std::move(job_);
        job_ = nullptr;
        lock.unlock();
        job();
        lock.lock();
        done_ = true;
        cv_.notify_all();
        continue;
      }
      if (stop_) return;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool done_ = true;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the fields above exist
};

}  // namespace live_internal

namespace {

using live_internal::GuardedRegion;
using live_internal::TaskThread;
using live_internal::Worker;

// ---- Tasks in child processes (docs/tasks.md) ----

// One op for a task served in a child process, as its channel carries it: the arguments copied
// in (a pointer would name the sender's memory), and for kill and ptrace the target's ids.
constexpr int kRemoteHello = -1;   // not an op: the serving thread's own ids
constexpr int kRemoteDetach = -2;  // not an op: let go of the target, which did PTRACE_TRACEME
constexpr size_t kRemoteMemMax = 8192;

}  // namespace

namespace live_internal {

struct RemoteRequest {
  int32_t kind = 0;
  int32_t fd = -1;
  uint32_t flags = 0;
  int32_t rule_type = 0;
  uint64_t size = 0;
  int32_t target_tgid = 0;
  int32_t target_tid = 0;
  uint8_t mem_null = 1;
  uint32_t mem_readable = 0;
  int32_t family = 0;
  int32_t type = 0;
  int32_t protocol = 0;
  int32_t addrlen = 0;
  int64_t probe_ret = 0;  // to a twin: what the probe's task returned for the same op
  uint8_t mem[kRemoteMemMax];
};
struct RemoteReply {
  int64_t ret = 0;
  int32_t tgid = 0;
  int32_t tid = 0;
};

}  // namespace live_internal

namespace {

using live_internal::RemoteReply;
using live_internal::RemoteRequest;

// The engine's own fds in a task's table (the channels to child processes) sit at the top of
// the table's first 64 entries (the size every table starts with), from here down: a channel
// never takes the lowest free number a scenario's next fd would have, so fd numbers reused
// after a close stay the models', and the table does not grow (a bigger one costs every fork
// and every unshare(CLONE_FILES): LiveTasks ran 277 scenarios/s with the channels at 640, 381
// at the bottom). A scenario's fds stay below: a binary one has at most 48 ops.
constexpr int kChannelFdTop = 63;
constexpr int kChannelFdBottom = 52;

// `fd` moved to the highest free number from kChannelFdTop down to kChannelFdBottom
// (close-on-exec), or past the table's first entries when none is free.
int MoveHigh(int fd) {
  for (int n = kChannelFdTop; n >= kChannelFdBottom; --n) {
    if (n == fd) return fd;
    if (fcntl(n, F_GETFD) < 0 && errno == EBADF && dup3(fd, n, O_CLOEXEC) == n) {
      close(fd);
      return n;
    }
  }
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, kChannelFdTop + 1);
  if (high < 0) return fd;
  close(fd);
  return high;
}

// sendmsg of `len` bytes, with `pass_fd` (>= 0) as SCM_RIGHTS.
bool SendRecord(int channel, const void* data, size_t len, int pass_fd = -1) {
  iovec iov{const_cast<void*>(data), len};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (pass_fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
  }
  ssize_t n;
  do {
    n = sendmsg(channel, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(len);
}

// recvmsg of one record into `data` (at most `len` bytes), an fd passed with it in *got_fd
// (-1 when none); the record's size, 0 at the end, -1 on an error.
ssize_t ReceiveRecord(int channel, void* data, size_t len, int* got_fd = nullptr) {
  iovec iov{data, len};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (got_fd != nullptr) *got_fd = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof(fd));
      if (got_fd != nullptr) {
        *got_fd = MoveHigh(fd);
      } else {
        close(fd);
      }
    }
  }
  return n;
}

long TgKill(int tgid, int tid, int sig) {
  return syscall(SYS_tgkill, tgid, tid, sig) == 0 ? 0 : -errno;
}

// rt_sigtimedwait() of signal `sig` on the calling thread without waiting, through the raw
// syscall (glibc's sigset refuses the signals it keeps for itself): 0 when it was pending (it
// is taken), -EAGAIN when not. The kernel's sigset is 64 bits: a number outside 1..64 makes an
// empty set.
long SigwaitNow(int sig) {
  uint64_t set = 0;
  if (sig >= 1 && sig <= 64) set = uint64_t{1} << (sig - 1);
  const timespec zero{0, 0};
  return syscall(SYS_rt_sigtimedwait, &set, nullptr, &zero, sizeof(set)) < 0 ? -errno : 0;
}

// The tracer's side of PTRACE_TRACEME undone: the tracee stopped (SIGSTOP cannot be blocked),
// waited for, and detached with the signal suppressed.
long DetachTracee(int tgid, int tid) {
  if (TgKill(tgid, tid, SIGSTOP) != 0) return -errno;
  int status = 0;
  while (waitpid(tid, &status, __WALL) < 0 && errno == EINTR) {
  }
  return ptrace(PTRACE_DETACH, tid, nullptr, nullptr) == 0 ? 0 : -errno;
}

// PTRACE_ATTACH's decision on thread `tid`, without its SIGSTOP: PTRACE_SEIZE makes the same
// checks (ptrace_attach(): the caller's own process, __ptrace_may_access() and the LSMs); the
// tracee is then interrupted, waited for and let go at once.
long PtraceAttachDetach(int tid) {
  if (ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) return -errno;
  if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) == 0) {
    int status = 0;
    while (waitpid(tid, &status, __WALL) < 0 && errno == EINTR) {
    }
  }
  ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
  return 0;
}

void ServeTask(TaskThread* task, int channel, bool process_main);

// A new server of `task`'s process from the calling thread: a thread of that process, or (fork)
// a child process; its channel's other end in *channel (an fd of the caller's table).
long StartServer(TaskThread* task, bool fork_process, int* channel) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -errno;
  sv[0] = MoveHigh(sv[0]);
  sv[1] = MoveHigh(sv[1]);
  if (fork_process) {
    const pid_t pid = fork();
    if (pid < 0) {
      const int e = errno;
      close(sv[0]);
      close(sv[1]);
      return -e;
    }
    if (pid == 0) {
      close(sv[0]);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      ServeTask(task, sv[1], true);
      _exit(0);
    }
    close(sv[1]);
    *channel = sv[0];
    return pid;
  }
  struct Start {
    TaskThread* task;
    int channel;
  };
  auto* start = new Start{task, sv[1]};
  pthread_t t;
  const int e = pthread_create(
      &t, nullptr,
      [](void* arg) -> void* {
        const Start s = *static_cast<Start*>(arg);
        delete static_cast<Start*>(arg);
        ServeTask(s.task, s.channel, false);
        return nullptr;
      },
      start);
  if (e != 0) {
    delete start;
    close(sv[0]);
    close(sv[1]);
    return -e;
  }
  pthread_detach(t);
  *channel = sv[0];
  return 0;
}

// One task served in a child process (forked from a probe worker, whose TaskThread it has a
// copy of: the fds its ops made are its own table's): each request on `channel` is one op,
// until the channel closes; a process's first server then ends the process.
void ServeTask(TaskThread* task, int channel, bool process_main) {
  BlockAllSignals();
  // A twin child process has no use for the sockets it inherited: the probe child's copies of
  // its parent's sockets have their twins in their makers' twins (LiveEngine::TwinRef), and a
  // copy kept here would keep a twin socket alive (bound, listening) after its maker's twin
  // closed or remade it.
  if (process_main && task->IsTwin()) task->DropInheritedSockets();
  RemoteRequest q;
  while (ReceiveRecord(channel, &q, sizeof(q)) == static_cast<ssize_t>(sizeof(q))) {
    RemoteReply r;
    int pass = -1;
    if (q.kind == kRemoteHello) {
      r.tgid = getpid();
      r.tid = static_cast<int32_t>(gettid());
    } else if (q.kind == static_cast<int>(OpKind::kKill)) {
      r.ret = TgKill(q.target_tgid, q.target_tid, static_cast<int>(q.flags));
    } else if (q.kind == static_cast<int>(OpKind::kPtrace)) {
      r.ret = PtraceAttachDetach(q.target_tid);
    } else if (q.kind == static_cast<int>(OpKind::kTraceme)) {
      r.ret = ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) == 0 ? 0 : -errno;
    } else if (q.kind == static_cast<int>(OpKind::kSetown)) {
      r.ret = task->SetownTid(q.fd, q.target_tid);
    } else if (q.kind == static_cast<int>(OpKind::kSigwait)) {
      r.ret = SigwaitNow(static_cast<int>(q.flags));
    } else if (q.kind == kRemoteDetach) {
      r.ret = DetachTracee(q.target_tgid, q.target_tid);
    } else if (q.kind == static_cast<int>(OpKind::kThread) ||
               q.kind == static_cast<int>(OpKind::kFork)) {
      r.ret = StartServer(task, q.kind == static_cast<int>(OpKind::kFork), &pass);
    } else if (!ServedInChildren(static_cast<OpKind>(q.kind))) {
      r.ret = -ENOSYS;
    } else {
      OpArgs a(static_cast<OpKind>(q.kind));
      a.fd = q.fd;
      a.flags = q.flags;
      a.rule_type = q.rule_type;
      a.size = q.size;
      a.family = q.family;
      a.type = q.type;
      a.protocol = q.protocol;
      a.addrlen = q.addrlen;
      a.mem = q.mem_null ? UserBuffer::Null() : UserBuffer{q.mem, q.mem_readable};
      if (task->IsTwin()) task->AppendProbeResult(q.probe_ret);
      r.ret = task->Syscall(a);
    }
    SendRecord(channel, &r, sizeof(r), pass);
    if (pass >= 0) close(pass);
  }
  close(channel);
  if (process_main) _exit(0);
}

struct Namespaces {
  int probe = -1;
  int twin = -1;
};

// A private network namespace with `lo` up and every port bindable, held by an fd; made on a
// thread of its own so no other thread of the process moves.
int MakeNetns(std::string* error) {
  int fd = -1;
  std::thread t([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      *error = absl::StrCat("cannot make a network namespace: unshare(CLONE_NEWNET): ",
                            ErrnoText(errno));
      return;
    }
    const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) != 0)) {
      *error = absl::StrCat("cannot bring up lo in the private namespace: ", ErrnoText(errno));
      if (s >= 0) close(s);
      return;
    }
    close(s);
    // Binds below 1024 must not look like denials (the workers keep CAP_NET_BIND_SERVICE too,
    // when the process has it).
    const int sysctl = open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_WRONLY | O_CLOEXEC);
    if (sysctl >= 0) {
      if (write(sysctl, "0\n", 2) != 2) {
        // Not fatal: root's CAP_NET_BIND_SERVICE does the same.
      }
      close(sysctl);
    }
    fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) *error = absl::StrCat("cannot open the namespace: ", ErrnoText(errno));
  });
  t.join();
  return fd;
}

struct Detected {
  LiveKernelInfo info;
  Namespaces ns;
};

// Whether a thread can make the task filesystem (MakeTaskFilesystem), reach its fds through
// /proc/thread-self, and make and open the null device there: tried once on a throwaway thread
// and directory.
void DetectFilesystem(LiveKernelInfo* info) {
  char dir[] = "/tmp/lockstep-live-probe-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    info->filesystem_reason = absl::StrCat("no task filesystem: mkdtemp(/tmp): ", ErrnoText(errno));
    info->devices_reason = info->filesystem_reason;
    return;
  }
  std::string error, device_error;
  std::thread t([&] {
    const int root = MakeTaskFilesystem(dir, &error);
    if (root < 0) return;
    if (mkdirat(root, "d", 0755) != 0) {
      error = absl::StrCat("mkdir on the fresh tmpfs: ", ErrnoText(errno));
    } else if (access(ThreadFdPath(root, "d").c_str(), F_OK) != 0) {
      error = absl::StrCat("/proc/thread-self/fd: ", ErrnoText(errno));
    } else if (mknodat(root, "null", S_IFCHR | 0666, kNullDevice) != 0) {
      device_error = absl::StrCat("mknod of char 1:3 on the tmpfs: ", ErrnoText(errno),
                                  " (no CAP_MKNOD in the initial user namespace?)");
    } else {
      const int null_fd = openat(root, "null", O_RDWR | O_CLOEXEC);
      if (null_fd < 0) {
        device_error = absl::StrCat("open of char 1:3 on the tmpfs: ", ErrnoText(errno),
                                    " (a nodev tmpfs, mounted in a user namespace?)");
      } else {
        close(null_fd);
      }
    }
    close(root);
  });
  t.join();
  rmdir(dir);
  info->filesystem_usable = error.empty();
  info->filesystem_reason = error.empty() ? "" : "no task filesystem: " + error;
  info->devices_usable = info->filesystem_usable && device_error.empty();
  info->devices_reason = !error.empty()          ? info->filesystem_reason
                         : !device_error.empty() ? "no device files: " + device_error
                                                 : "";
}

// Yama's ptrace_scope (Documentation/admin-guide/LSM/Yama.rst): 1 and up refuse attaching to a
// task that is not a descendant, whatever Landlock says.
void DetectPtrace(LiveKernelInfo* info) {
  const int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    info->ptrace_unrestricted = true;  // no Yama
    return;
  }
  char buf[8] = {};
  const ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  info->ptrace_unrestricted = n > 0 && buf[0] == '0';
  if (!info->ptrace_unrestricted) {
    info->ptrace_reason = absl::StrCat("Yama restricts ptrace here (kernel.yama.ptrace_scope = ",
                                       n > 0 ? std::string(buf, buf[n - 1] == '\n' ? n - 1 : n)
                                             : "?",
                                       ")");
  }
}

const Detected& Detect() {
  static const Detected* detected = [] {
    auto* d = new Detected;
    LiveKernelInfo& info = d->info;
    utsname u{};
    if (uname(&u) == 0) info.release = u.release;
    size_t end = 0;
    while (end < info.release.size() &&
           ((info.release[end] >= '0' && info.release[end] <= '9') || info.release[end] == '.')) {
      ++end;
    }
    info.version = info.release.substr(0, end);
    const long abi = syscall(kSysCreateRuleset, nullptr, 0, kCreateRulesetVersion);
    if (abi < 0) {
      const int e = errno;
      info.reason =
          e == ENOSYS
              ? absl::StrCat("Linux ", info.release, " has no Landlock syscalls (ENOSYS)")
          : e == EOPNOTSUPP
              ? absl::StrCat("Landlock is not enabled on Linux ", info.release,
                             " (EOPNOTSUPP: not in the lsm= list)")
              : absl::StrCat("landlock_create_ruleset(VERSION) failed: ", ErrnoText(e));
      return d;
    }
    info.abi_version = static_cast<int>(abi);
    const long errata = syscall(kSysCreateRuleset, nullptr, 0, kCreateRulesetErrata);
    if (errata >= 0) {
      info.errata_supported = true;
      info.errata = static_cast<uint32_t>(errata);
    }
    if (abi < kMinNetAbi) {
      info.reason = absl::StrCat("Landlock ABI ", abi, " on Linux ", info.release,
                                 " has no network rules (ABI 4+, Linux 6.7+)");
      return d;
    }
    std::string error;
    d->ns.probe = MakeNetns(&error);
    if (d->ns.probe >= 0) d->ns.twin = MakeNetns(&error);
    if (d->ns.probe < 0 || d->ns.twin < 0) {
      info.reason = error;
      return d;
    }
    info.usable = true;
    DetectFilesystem(&info);
    DetectPtrace(&info);
    return d;
  }();
  return *detected;
}

}  // namespace

const LiveKernelInfo& DetectLiveKernel() { return Detect().info; }

long StackAnswer(long with_domain, long stack_alone) {
  return LandlockVerdict(with_domain, stack_alone) == 0 && with_domain < 0 ? with_domain
                                                                           : stack_alone;
}

long LandlockVerdict(long with_domain, long stack_alone) {
  if (with_domain == stack_alone) return 0;
  switch (with_domain) {
    case -EACCES:
    case -EPERM:
    case -EINVAL:
    case -EAFNOSUPPORT:
      return with_domain;
    default:
      return 0;
  }
}

absl::StatusOr<std::unique_ptr<LiveEngine>> LiveEngine::Create() {
  const LiveKernelInfo& info = DetectLiveKernel();
  if (!info.usable) return absl::FailedPreconditionError(info.reason);
  return std::unique_ptr<LiveEngine>(new LiveEngine(info));
}

LiveEngine::LiveEngine(const LiveKernelInfo& info)
    : info_(info),
      probe_mem_(std::make_unique<GuardedRegion>()),
      twin_mem_(std::make_unique<GuardedRegion>()) {
  if (info_.filesystem_usable) {
    // Only a mount point: every probe mounts its own tmpfs here, in its own namespace.
    char dir[] = "/tmp/lockstep-live-XXXXXX";
    if (mkdtemp(dir) != nullptr) mount_dir_ = dir;
  }
}

LiveEngine::~LiveEngine() {
  EndTask();
  if (!mount_dir_.empty()) rmdir(mount_dir_.c_str());
}

std::string LiveEngine::Name() const { return "live-" + info_.version; }

void LiveEngine::BeginTask(const TaskSpec& spec) {
  EndTask();
  const Namespaces& ns = Detect().ns;
  const std::string* mount_dir = mount_dir_.empty() ? nullptr : &mount_dir_;
  probe_task_ = std::make_unique<TaskThread>(ns.probe, false, probe_mem_.get(), mount_dir);
  twin_task_ = std::make_unique<TaskThread>(ns.twin, true, twin_mem_.get(), nullptr);
  probe_threads_.clear();
  twin_threads_.clear();
  probe_threads_.push_back(std::make_unique<Worker>());
  twin_threads_.push_back(std::make_unique<Worker>());
  thread_ended_.assign(1, false);
  probe_ = probe_threads_[0].get();
  twin_ = twin_threads_[0].get();
  probe_returned_.clear();
  twin_task_->SetProbeResults(&probe_returned_);
  int first_tid = 0;
  probe_->Post([&] {
    probe_task_->BeginTask(spec);
    first_tid = static_cast<int>(gettid());
  });
  twin_->Post([&] { twin_task_->BeginTask(spec); });
  probe_->Wait();
  twin_->Wait();
  task_ids_.assign(1, TaskIds{getpid(), first_tid, -1, -1});
  remote_ = -1;
  running_ = 0;
  has_stack_ = false;
  domains_ = 0;
  domain_ids_.clear();
  task_ended_ = false;
  logs_unknown_ = false;
  if (audit_) audit_->Drain().IgnoreError();  // what came before is not this task's
}

std::vector<EngineFinding> LiveEngine::EndTask() {
  std::vector<EngineFinding> findings, twin_findings;
  EndChildProcesses();
  if (!probe_threads_.empty()) {
    // The first thread made the task's namespaces and holds its root: it ends the task.
    probe_threads_[0]->Post([&] {
      findings = probe_task_->EndTask();
      for (const TaskIds& t : task_ids_) {
        if (t.channel >= 0) close(t.channel);
      }
    });
    twin_threads_[0]->Post([&] {
      twin_findings = twin_task_->EndTask();
      for (const auto& [tgid, twin] : child_twins_) close(twin.channel);
    });
    probe_threads_[0]->Wait();
    twin_threads_[0]->Wait();
    // Joins the threads, the siblings first: their domains go with them.
    while (!probe_threads_.empty()) probe_threads_.pop_back();
    while (!twin_threads_.empty()) twin_threads_.pop_back();
    probe_ = nullptr;
    twin_ = nullptr;
  }
  task_ids_.clear();
  remote_ = -1;
  probe_task_.reset();
  twin_task_.reset();
  twin_fds_.clear();
  child_twins_.clear();
  task0_sockets_.clear();
  inherited_.clear();
  copies_.clear();
  orphaned_.clear();
  task_ended_ = true;
  for (EngineFinding& f : twin_findings) {
    f.detail = "twin: " + f.detail;
    findings.push_back(std::move(f));
  }
  return findings;
}

int LiveEngine::TwinFd(int probe_fd) const {
  const auto it = twin_fds_.find(probe_fd);
  return it == twin_fds_.end() ? -1 : it->second;
}

// Runs `probe_op` on the probe thread, then `twin_op` on the twin thread (which needs the
// probe's result: TaskThread::SetProbeResults).
#define LOCKSTEP_LIVE_BOTH(probe_op, twin_op) \
  do {                                        \
    if (remote_ >= 0) return -ENOSYS;         \
    if (!probe_) BeginTask(TaskSpec{});       \
    probe_->Post([&] { probe_op; });          \
    probe_->Wait();                           \
    probe_returned_.push_back(p);             \
    twin_->Post([&] { twin_op; });            \
    twin_->Wait();                            \
  } while (0)

long LiveEngine::CreateRuleset(UserBuffer attr, size_t size, uint32_t flags) {
  has_stack_ = false;
  long p = 0, t = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->CreateRuleset(attr, size, flags),
                     t = twin_task_->CreateRuleset(attr, size, flags));
  if (p >= 0 && t >= 0 && flags == 0) twin_fds_[static_cast<int>(p)] = static_cast<int>(t);
  return p;
}

long LiveEngine::AddRule(int ruleset_fd, int rule_type, UserBuffer rule_attr, uint32_t flags) {
  has_stack_ = false;
  long p = 0;
  const int tfd = TwinFd(ruleset_fd);
  LOCKSTEP_LIVE_BOTH(p = probe_task_->AddRule(ruleset_fd, rule_type, rule_attr, flags),
                     twin_task_->AddRule(tfd, rule_type, rule_attr, flags));
  return p;
}

long LiveEngine::RestrictSelf(int ruleset_fd, uint32_t flags) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->RestrictSelf(ruleset_fd, flags),
                     twin_task_->RestrictSelf(-1, flags));
  if (p == 0 && ruleset_fd != -1) ++domains_;  // fd -1 (LOG_SUBDOMAINS_OFF alone) makes none
  return p;
}

long LiveEngine::SetNoNewPrivs() {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->SetNoNewPrivs(), twin_task_->SetNoNewPrivs());
  return p;
}

long LiveEngine::Close(int fd) {
  has_stack_ = false;
  long p = 0;
  const int tfd = TwinFd(fd);
  // A socket a child process holds a copy of lives on: its twin stays open (orphaned) until
  // the last copy closes.
  const TwinRef ref{task_ids_.empty() ? 0 : task_ids_[0].tgid, tfd};
  const bool copied = tfd >= 0 && Copied(ref);
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Close(fd), twin_task_->Close(copied ? -1 : tfd));
  if (p == 0) {
    twin_fds_.erase(fd);
    task0_sockets_.erase(std::remove(task0_sockets_.begin(), task0_sockets_.end(), fd),
                         task0_sockets_.end());
    if (copied) orphaned_.push_back(ref);
  }
  return p;
}

long LiveEngine::Socket(int family, int type, int protocol) {
  has_stack_ = false;
  long p = 0, t = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Socket(family, type, protocol),
                     t = twin_task_->Socket(family, type, protocol));
  if (p >= 0 && t >= 0) {
    twin_fds_[static_cast<int>(p)] = static_cast<int>(t);
    task0_sockets_.push_back(static_cast<int>(p));
  }
  return p;
}

long LiveEngine::SocketOp(int kind, int fd, UserBuffer addr, int addrlen, uint32_t flags) {
  long p = 0, n = 0;
  const int tfd = TwinFd(fd);
  LOCKSTEP_LIVE_BOTH(p = probe_task_->SockOp(kind, fd, addr, addrlen, flags),
                     n = twin_task_->SockOp(kind, tfd, addr, addrlen, flags));
  has_stack_ = true;
  last_stack_ = StackAnswer(p, n);
  return LandlockVerdict(p, n);
}

long LiveEngine::Mkdir(int dirfd, const std::string& path) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Mkdir(dirfd, path), twin_task_->Mkdir(dirfd, path));
  return p;
}

long LiveEngine::Mknod(int dirfd, const std::string& path, uint32_t mode, uint64_t dev) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Mknod(dirfd, path, mode, dev),
                     twin_task_->Mknod(dirfd, path, mode, dev));
  return p;
}

long LiveEngine::Open(int dirfd, const std::string& path, uint32_t flags) {
  has_stack_ = false;
  long p = 0, t = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Open(dirfd, path, flags),
                     t = twin_task_->Open(dirfd, path, flags));
  if (p >= 0 && t >= 0) twin_fds_[static_cast<int>(p)] = static_cast<int>(t);
  return p;
}

long LiveEngine::Execute(int dirfd, const std::string& path) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Execute(dirfd, path), twin_task_->Execute(dirfd, path));
  return p;
}

long LiveEngine::Execve(int dirfd, const std::string& path) {
  has_stack_ = false;
  long p = 0;
  std::vector<int> closed;
  std::vector<int> twin_closed;
  // A socket a child process holds a copy of lives on: its twin loses its close-on-exec flag,
  // so the twin's execve leaves it open (orphaned) until the last copy goes.
  std::vector<TwinRef> kept;
  const auto keep_copies = [&] {
    for (const int fd : closed) {
      const TwinRef ref{task_ids_[0].tgid, TwinFd(fd)};
      if (ref.fd >= 0 && Copied(ref) && fcntl(ref.fd, F_SETFD, 0) == 0) kept.push_back(ref);
    }
  };
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Execve(dirfd, path, &closed),
                     (keep_copies(), twin_task_->Execve(dirfd, path, &twin_closed)));
  orphaned_.insert(orphaned_.end(), kept.begin(), kept.end());
  for (int fd : closed) {
    twin_fds_.erase(fd);
    task0_sockets_.erase(std::remove(task0_sockets_.begin(), task0_sockets_.end(), fd),
                         task0_sockets_.end());
  }
  // de_thread(): the other threads end (their OS threads idle until EndTask).
  if (p == 0) {
    for (size_t i = 0; i < probe_threads_.size(); ++i) {
      // Threads of this process only: a task in a child process lives on.
      if (probe_threads_[i] && probe_threads_[i].get() != probe_) thread_ended_[i] = true;
    }
  }
  // The program was not replaced, so which domains it made did not change as it would have:
  // its logs from here on are not the new program's.
  if (p == 0) logs_unknown_ = true;
  return p;
}

long LiveEngine::Thread() {
  has_stack_ = false;
  if (!probe_ && remote_ < 0) BeginTask(TaskSpec{});
  if (probe_threads_.size() >= LOCKSTEP_MAX_TASK_THREADS) return -EAGAIN;  // the models' limit
  if (remote_ >= 0) return NewRemoteTask(/*process=*/false);
  // Each new worker's OS thread is cloned by the running thread itself: what it inherits is
  // that thread's.
  std::unique_ptr<Worker> probe_thread, twin_thread;
  int tid = 0;
  probe_->Post([&] { probe_thread = std::make_unique<Worker>(); });
  probe_->Wait();
  probe_thread->Post([&] { tid = static_cast<int>(gettid()); });
  probe_thread->Wait();
  task_ids_.push_back(
      TaskIds{getpid(), tid, -1, task_ids_[static_cast<size_t>(running_)].parent});
  twin_->Post([&] { twin_thread = std::make_unique<Worker>(); });
  twin_->Wait();
  probe_threads_.push_back(std::move(probe_thread));
  twin_threads_.push_back(std::move(twin_thread));
  thread_ended_.push_back(false);
  // Not a TaskThread op: the twin's op count (probe_returned_) does not see it.
  return static_cast<long>(probe_threads_.size()) - 1;
}

long LiveEngine::OnThread(int thread) {
  has_stack_ = false;
  if (!probe_ && remote_ < 0) BeginTask(TaskSpec{});
  long p = -ESRCH;
  if (thread >= 0 && thread < static_cast<int>(probe_threads_.size()) &&
      !thread_ended_[static_cast<size_t>(thread)]) {
    const size_t t = static_cast<size_t>(thread);
    // A task in a child process has no worker here: the ops go over its channel.
    remote_ = probe_threads_[t] ? -1 : thread;
    running_ = thread;
    probe_ = probe_threads_[t].get();
    twin_ = twin_threads_[t].get();
    p = 0;
  }
  return p;
}

long LiveEngine::Fork() {
  has_stack_ = false;
  if (!probe_ && remote_ < 0) BeginTask(TaskSpec{});
  if (probe_threads_.size() >= LOCKSTEP_MAX_TASK_THREADS) return -EAGAIN;  // the models' limit
  return NewRemoteTask(/*process=*/true);
}

long LiveEngine::NewRemoteTask(bool process) {
  // The children's denial records carry their own pids: not read (ReadDenialLogs).
  logs_unknown_ = true;
  if (process && child_pids_.empty()) {
    // Orphans of the children (a grandchild whose parent ended first) come back here to be
    // reaped, not to init.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  long r = 0;
  int channel = -1;
  if (remote_ < 0) {
    // The running worker forks (a worker's own threads are Thread()'s).
    probe_->Post([&] { r = StartServer(probe_task_.get(), true, &channel); });
    probe_->Wait();
  } else {
    RemoteRequest q;
    q.kind = static_cast<int32_t>(process ? OpKind::kFork : OpKind::kThread);
    RemoteReply reply;
    r = Exchange(task_ids_[static_cast<size_t>(remote_)].channel, q, &reply, &channel)
            ? reply.ret
            : -ECHILD;
  }
  if (r < 0) return r;
  // Its ids, from itself.
  RemoteRequest q;
  q.kind = kRemoteHello;
  RemoteReply hello;
  if (!Exchange(channel, q, &hello)) return -ECHILD;
  if (process) {
    child_pids_.push_back(hello.tgid);
    CopySockets(task_ids_[static_cast<size_t>(running_)].tgid, hello.tgid);
  }
  const int parent = process ? running_ : task_ids_[static_cast<size_t>(running_)].parent;
  task_ids_.push_back(TaskIds{hello.tgid, hello.tid, channel, parent});
  probe_threads_.push_back(nullptr);
  twin_threads_.push_back(nullptr);
  thread_ended_.push_back(false);
  return static_cast<long>(probe_threads_.size()) - 1;
}

namespace {

// The request carrying op `kind` with `args` (copied in) to a task in a child process.
RemoteRequest RequestOf(int kind, const OpArgs& args, long probe_ret) {
  RemoteRequest q;
  q.kind = kind;
  q.fd = args.fd;
  q.flags = args.flags;
  q.rule_type = args.rule_type;
  q.size = args.size;
  q.family = args.family;
  q.type = args.type;
  q.protocol = args.protocol;
  q.addrlen = args.addrlen;
  q.probe_ret = probe_ret;
  q.mem_null = args.mem.data == nullptr;
  q.mem_readable = static_cast<uint32_t>(std::min(args.mem.readable, kRemoteMemMax));
  if (!q.mem_null && q.mem_readable > 0) std::memcpy(q.mem, args.mem.data, q.mem_readable);
  return q;
}

}  // namespace

long LiveEngine::RemoteCall(int task, int kind, const OpArgs& args, const TaskIds* target,
                            bool twin, long probe_ret) {
  RemoteRequest q = RequestOf(kind, args, probe_ret);
  if (target != nullptr) {
    q.target_tgid = target->tgid;
    q.target_tid = target->tid;
  }
  RemoteReply r;
  const TaskIds& ids = task_ids_[static_cast<size_t>(task)];
  const int channel = twin ? child_twins_[ids.tgid].channel : ids.channel;
  // A failed exchange (the task's process gone) is a bug of this engine, shown as ECHILD.
  if (!Exchange(channel, q, &r, nullptr, twin)) return -ECHILD;
  return static_cast<long>(r.ret);
}

long LiveEngine::RemoteBoth(const OpArgs& args) {
  const long p = RemoteOp(args);
  const int tgid = task_ids_[static_cast<size_t>(remote_)].tgid;
  // socket and accept make an fd of this process's own, which its twin stands in for (accept's
  // twin a stand-in: TaskThread::Accept).
  const bool makes_fd = args.kind == OpKind::kSocket || args.kind == OpKind::kAccept;
  const bool socket_op = makes_fd || ReportsStackAlone(args.kind);
  // A socket the process got by fork: its twin is its maker's, which made every op of every
  // copy's before (one socket, one history there).
  if (Takes(args.kind, LOCKSTEP_ARG_FD) && !makes_fd) {
    std::map<int, TwinRef>& inherited = inherited_[tgid];
    const auto copy = inherited.find(args.fd);
    if (copy != inherited.end()) {
      const TwinRef ref = copy->second;
      if (args.kind == OpKind::kClose) {
        if (p == 0) {
          inherited.erase(copy);
          DropCopy(ref);
        }
        return p;
      }
      if (!socket_op) return p;
      const long n = TwinOp(ref, args, p);
      has_stack_ = true;
      last_stack_ = StackAnswer(p, n);
      return LandlockVerdict(p, n);
    }
  }
  auto twin = child_twins_.find(tgid);
  if (twin == child_twins_.end()) {
    // The twin of a child process is made at its first socket op on a socket of its own: it
    // needs nothing of the child's past (it has no domain, and drops the sockets it inherits:
    // the copies' twins are their makers'), only the twin's network namespace and
    // credentials, which the twin of task 0 has.
    if (!socket_op) return p;
    ChildTwin made;
    long r = -ECHILD;
    twin_threads_[0]->Post([&] { r = StartServer(twin_task_.get(), true, &made.channel); });
    twin_threads_[0]->Wait();
    if (r < 0) return -ECHILD;  // no twin: a bug of this engine's, never a verdict
    child_pids_.push_back(static_cast<int>(r));
    twin = child_twins_.emplace(tgid, std::move(made)).first;
  }
  std::unordered_map<int, int>& fds = twin->second.fds;
  const auto mapped = fds.find(args.fd);
  if (args.kind == OpKind::kClose) {
    // Only a socket this child made has a twin to close; one a child of its own holds a copy
    // of stays open there (orphaned) until the last copy goes.
    if (p == 0 && mapped != fds.end()) {
      const TwinRef ref{tgid, mapped->second};
      if (Copied(ref)) {
        orphaned_.push_back(ref);
      } else {
        TwinOp(ref, args, p);
      }
      fds.erase(mapped);
    }
    return p;
  }
  if (!socket_op) return p;
  OpArgs t = args;
  if (Takes(args.kind, LOCKSTEP_ARG_FD)) t.fd = mapped == fds.end() ? -1 : mapped->second;
  const long n = RemoteCall(remote_, static_cast<int>(args.kind), t, nullptr, true, p);
  if (makes_fd) {
    if (p >= 0 && n >= 0) fds[static_cast<int>(p)] = static_cast<int>(n);
    return p;
  }
  has_stack_ = true;
  last_stack_ = StackAnswer(p, n);
  return LandlockVerdict(p, n);
}

long LiveEngine::TwinOp(const TwinRef& ref, OpArgs args, long probe_ret) {
  args.fd = ref.fd;
  if (ref.owner == task_ids_[0].tgid) {
    // Task 0's twin: one op more in its count, the probe's result beside it.
    long n = 0;
    probe_returned_.push_back(probe_ret);
    twin_threads_[0]->Post([&] { n = twin_task_->Syscall(args); });
    twin_threads_[0]->Wait();
    return n;
  }
  const auto twin = child_twins_.find(ref.owner);
  if (twin == child_twins_.end()) return -ECHILD;  // a bug of this engine's, never a verdict
  const RemoteRequest q = RequestOf(static_cast<int>(args.kind), args, probe_ret);
  RemoteReply r;
  if (!Exchange(twin->second.channel, q, &r, nullptr, /*twin=*/true)) return -ECHILD;
  return static_cast<long>(r.ret);
}

void LiveEngine::CopySockets(int parent, int child) {
  std::map<int, TwinRef> copies = inherited_[parent];
  if (parent == task_ids_[0].tgid) {
    for (const int fd : task0_sockets_) copies[fd] = TwinRef{parent, TwinFd(fd)};
  } else if (const auto twin = child_twins_.find(parent); twin != child_twins_.end()) {
    for (const auto& [fd, twin_fd] : twin->second.fds) copies[fd] = TwinRef{parent, twin_fd};
  }
  for (const auto& [fd, ref] : copies) ++copies_[ref];
  inherited_[child] = std::move(copies);
}

void LiveEngine::DropCopy(const TwinRef& ref) {
  const auto it = copies_.find(ref);
  if (it == copies_.end() || --it->second > 0) return;
  copies_.erase(it);
  const auto orphan = std::find_if(orphaned_.begin(), orphaned_.end(), [&](const TwinRef& o) {
    return o.owner == ref.owner && o.fd == ref.fd;
  });
  if (orphan == orphaned_.end()) return;
  orphaned_.erase(orphan);
  TwinOp(ref, OpArgs(OpKind::kClose), 0);
}

bool LiveEngine::Exchange(int channel, const RemoteRequest& q, RemoteReply* reply,
                          int* passed_fd, bool twin) {
  bool ok = false;
  // Every channel is an fd of the probe's table (a twin's, of the twin's): its first worker
  // uses it.
  Worker* holder = twin ? twin_threads_[0].get() : probe_threads_[0].get();
  holder->Post([&] {
    ok = SendRecord(channel, &q, sizeof(q)) &&
         ReceiveRecord(channel, reply, sizeof(*reply), passed_fd) ==
             static_cast<ssize_t>(sizeof(*reply));
  });
  holder->Wait();
  return ok;
}

long LiveEngine::Kill(int task, int sig) {
  OpArgs a(OpKind::kKill);
  a.flags = static_cast<uint32_t>(sig);
  return TaskToTask(a, task, [sig](const TaskIds& t) { return TgKill(t.tgid, t.tid, sig); });
}

long LiveEngine::Setown(int fd, int task) {
  has_stack_ = false;
  if (!probe_ && remote_ < 0) BeginTask(TaskSpec{});
  // A task that is not the scenario's, or ended, is no thread: tid -1, which the kernel finds
  // nowhere (ESRCH, after its fd check).
  TaskIds owner{0, -1, -1, -1};
  if (task >= 0 && task < static_cast<int>(task_ids_.size()) &&
      !thread_ended_[static_cast<size_t>(task)]) {
    owner = task_ids_[static_cast<size_t>(task)];
  }
  OpArgs a(OpKind::kSetown);
  a.fd = fd;
  if (remote_ >= 0) return RemoteCall(remote_, static_cast<int>(OpKind::kSetown), a, &owner);
  long r = 0;
  probe_->Post([&] { r = probe_task_->SetownTid(fd, owner.tid); });
  probe_->Wait();
  return r;
}

long LiveEngine::Sigwait(int sig) {
  has_stack_ = false;
  if (!probe_ && remote_ < 0) BeginTask(TaskSpec{});
  OpArgs a(OpKind::kSigwait);
  a.flags = static_cast<uint32_t>(sig);
  if (remote_ >= 0) return RemoteOp(a);
  long r = 0;
  probe_->Post([&] { r = SigwaitNow(sig); });
  probe_->Wait();
  return r;
}

long LiveEngine::Ptrace(int task) {
  return TaskToTask(OpArgs(OpKind::kPtrace), task,
                    [](const TaskIds& t) { return PtraceAttachDetach(t.tid); });
}

long LiveEngine::TaskToTask(const OpArgs& args, int task,
                            const std::function<long(const TaskIds&)>& on_worker) {
  has_stack_ = false;
  if (!probe_ && remote_ < 0) BeginTask(TaskSpec{});
  if (task < 0 || task >= static_cast<int>(task_ids_.size()) ||
      thread_ended_[static_cast<size_t>(task)]) {
    return -ESRCH;
  }
  const TaskIds target = task_ids_[static_cast<size_t>(task)];
  if (remote_ >= 0) return RemoteOp(args, &target);
  long r = 0;
  probe_->Post([&] { r = on_worker(target); });
  probe_->Wait();
  return r;
}

int LiveEngine::ParentOf(int t) const {
  const int parent = task_ids_[static_cast<size_t>(t)].parent;
  if (parent < 0 || !thread_ended_[static_cast<size_t>(parent)]) return parent;
  for (size_t u = 0; u < task_ids_.size(); ++u) {
    if (!thread_ended_[u] && task_ids_[u].tgid == task_ids_[static_cast<size_t>(parent)].tgid) {
      return static_cast<int>(u);
    }
  }
  return -1;
}

long LiveEngine::Traceme() {
  has_stack_ = false;
  if (!probe_ && remote_ < 0) BeginTask(TaskSpec{});
  const int parent = ParentOf(running_);
  if (parent < 0) return -ESRCH;  // the op's: task 0's process has its parent outside
  // A task with a parent in the scenario is in a child process.
  if (remote_ < 0) return -ENOSYS;
  const long r = RemoteOp(OpArgs(OpKind::kTraceme));
  if (r != 0) return r;
  const TaskIds me = task_ids_[static_cast<size_t>(running_)];
  const TaskIds& tracer = task_ids_[static_cast<size_t>(parent)];
  long detached = 0;
  if (tracer.channel >= 0) {
    detached = RemoteCall(parent, kRemoteDetach, OpArgs(OpKind::kTraceme), &me);
  } else {
    Worker* w = probe_threads_[static_cast<size_t>(parent)].get();
    w->Post([&] { detached = DetachTracee(me.tgid, me.tid); });
    w->Wait();
  }
  // A tracee left behind would stop at its next signal: a bug of this engine, not an answer.
  return detached == 0 ? 0 : -ECHILD;
}

void LiveEngine::EndChildProcesses() {
  for (const int pid : child_pids_) kill(pid, SIGKILL);
  // In the order they were made: a grandchild is this process's (the subreaper's) once its
  // parent is reaped; one that is not (ECHILD) is nobody's to wait for here.
  for (const int pid : child_pids_) {
    while (waitpid(pid, nullptr, __WALL) < 0 && errno == EINTR) {
    }
  }
  child_pids_.clear();
}

long LiveEngine::Truncate(int dirfd, const std::string& path) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Truncate(dirfd, path), twin_task_->Truncate(dirfd, path));
  return p;
}

long LiveEngine::Ftruncate(int fd) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Ftruncate(fd), twin_task_->Ftruncate(fd));
  return p;
}

long LiveEngine::Unlink(int dirfd, const std::string& path) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Unlink(dirfd, path), twin_task_->Unlink(dirfd, path));
  return p;
}

long LiveEngine::Rmdir(int dirfd, const std::string& path) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Rmdir(dirfd, path), twin_task_->Rmdir(dirfd, path));
  return p;
}

long LiveEngine::Rename(int old_dirfd, const std::string& old_path, int new_dirfd,
                        const std::string& new_path, uint32_t flags) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Rename(old_dirfd, old_path, new_dirfd, new_path, flags),
                     twin_task_->Rename(old_dirfd, old_path, new_dirfd, new_path, flags));
  return p;
}

long LiveEngine::Link(int old_dirfd, const std::string& old_path, int new_dirfd,
                      const std::string& new_path) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Link(old_dirfd, old_path, new_dirfd, new_path),
                     twin_task_->Link(old_dirfd, old_path, new_dirfd, new_path));
  return p;
}

long LiveEngine::Ioctl(int fd, uint32_t cmd) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Ioctl(fd, cmd), twin_task_->Ioctl(fd, cmd));
  return p;
}

long LiveEngine::BindMount(int src_dirfd, const std::string& src_path, int dst_dirfd,
                           const std::string& dst_path) {
  has_stack_ = false;
  long p = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->BindMount(src_dirfd, src_path, dst_dirfd, dst_path),
                     twin_task_->BindMount(src_dirfd, src_path, dst_dirfd, dst_path));
  return p;
}

long LiveEngine::Accept(int fd, uint32_t flags) {
  has_stack_ = false;
  long p = 0, t = 0;
  LOCKSTEP_LIVE_BOTH(p = probe_task_->Accept(fd, flags), t = twin_task_->Accept(-1, flags));
  if (p >= 0 && t >= 0) {  // the twin's stand-in (TaskThread::Accept)
    twin_fds_[static_cast<int>(p)] = static_cast<int>(t);
    task0_sockets_.push_back(static_cast<int>(p));
  }
  return p;
}

#undef LOCKSTEP_LIVE_BOTH

long LiveEngine::Bind(int fd, UserBuffer addr, int addrlen) {
  return SocketOp(kBindOp, fd, addr, addrlen, 0);
}
long LiveEngine::Connect(int fd, UserBuffer addr, int addrlen) {
  return SocketOp(kConnectOp, fd, addr, addrlen, 0);
}
long LiveEngine::SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags) {
  return SocketOp(kSendToOp, fd, addr, addrlen, flags);
}
long LiveEngine::Listen(int fd) { return SocketOp(kListenOp, fd, UserBuffer{}, 0, 0); }

long LiveEngine::Syscall(const OpArgs& args) {
  // A task in a child process makes the Landlock syscalls there, over its channel.
  if (remote_ >= 0 && ServedInChildren(args.kind)) {
    has_stack_ = false;
    return RemoteBoth(args);
  }
  return CallOpMethod(*this, args);
}

bool LiveEngine::LastStackAloneResult(long* ret) const {
  if (!has_stack_) return false;
  *ret = last_stack_;
  return true;
}

void LiveEngine::RunBothImpl(std::vector<long> (*fn)(void*, Engine&, bool twin), void* ctx,
                             bool filesystem) {
  EndTask();
  const Namespaces& ns = Detect().ns;
  const std::string* mount_dir = filesystem && !mount_dir_.empty() ? &mount_dir_ : nullptr;
  std::vector<long> probe_returned;
  std::thread probe([&] {
    TaskThread task(ns.probe, false, probe_mem_.get(), mount_dir);
    probe_returned = fn(ctx, task, false);
  });
  probe.join();
  std::thread twin([&] {
    TaskThread task(ns.twin, true, twin_mem_.get(), nullptr);
    task.SetProbeResults(&probe_returned);
    fn(ctx, task, true);
  });
  twin.join();
}

absl::Status LiveEngine::ReadDenialLogs(LiveAudit::Mode mode) {
  absl::StatusOr<std::unique_ptr<LiveAudit>> audit = LiveAudit::Open(mode);
  if (!audit.ok()) return audit.status();
  audit_ = std::move(*audit);
  return absl::OkStatus();
}

namespace {

// The value of field `key` ("pid") in an audit record's body, "" when absent.
std::string FieldOf(const std::string& body, const std::string& key) {
  const std::string at = " " + key + "=";
  const size_t start = body.find(at);
  if (start == std::string::npos) return "";
  const size_t value = start + at.size();
  return body.substr(value, body.find(' ', value) - value);
}

// The record's domain id (its first field, "domain=<hex>"), 0 when unreadable.
uint64_t DomainIdOf(const std::string& body) {
  if (body.rfind("domain=", 0) != 0) return 0;
  return std::strtoull(body.c_str() + 7, nullptr, 16);
}

// The body with its path= named from `root` (the task's tmpfs) as "/...", as the other engines
// name paths from the scenario's root.
std::string PathFromRoot(const std::string& body, const std::string& root) {
  const std::string field = FieldOf(body, "path");
  std::string path;
  if (field.empty() || root.empty() || !ReadAuditUntrustedString(field, &path)) return body;
  if (path != root && path.rfind(root + "/", 0) != 0) return body;
  path = path.size() == root.size() ? "/" : path.substr(root.size());
  const size_t start = body.find(" path=" + field);
  return body.substr(0, start) + " path=" + AuditUntrustedString(path) +
         body.substr(start + 6 + field.size());
}

}  // namespace

bool LiveEngine::TakeLogRecords(std::vector<LogRecord>* out) {
  if (!audit_ || task_ended_) return false;
  absl::StatusOr<std::vector<AuditRecordText>> raw = audit_->Drain();
  if (!raw.ok() || logs_unknown_) return false;
  // This process's domains: those its allocated records name (pid is the thread group's).
  const std::string pid = std::to_string(getpid());
  for (const AuditRecordText& r : *raw) {
    const uint64_t id = DomainIdOf(r.body);
    if (FieldOf(r.body, "status") == "allocated" && FieldOf(r.body, "pid") == pid &&
        std::find(domain_ids_.begin(), domain_ids_.end(), id) == domain_ids_.end()) {
      domain_ids_.insert(std::upper_bound(domain_ids_.begin(), domain_ids_.end(), id), id);
    }
  }
  // Ids grow as domains are made: once each domain of the task has shown its id, the n-th
  // smallest is the n-th domain.
  std::map<uint64_t, int> numbers;
  if (static_cast<int>(domain_ids_.size()) == domains_) {
    for (size_t i = 0; i < domain_ids_.size(); ++i) {
      numbers[domain_ids_[i]] = static_cast<int>(i) + 1;
    }
  }
  for (const AuditRecordText& r : *raw) {
    const uint64_t id = DomainIdOf(r.body);
    if (std::find(domain_ids_.begin(), domain_ids_.end(), id) == domain_ids_.end()) continue;
    if (FieldOf(r.body, "status") == "deallocated") continue;  // an earlier task's
    LogRecord record = ParseAuditRecord(r.type, PathFromRoot(r.body, mount_dir_), numbers);
    if (record.domain == -1) record.domain = 0;  // this task's, not numbered yet
    out->push_back(std::move(record));
  }
  return true;
}

}  // namespace lockstep
