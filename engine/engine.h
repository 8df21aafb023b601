// The syscall-shaped boundary every Landlock engine implements: the compiled kernel code
// (KernelEngine), the plain oracle (model/) and the live kernel. Harnesses, tests, replay and
// benchmarks drive an Engine and never care which one it is.
//
// Every op returns what the syscall returns: a value >= 0 on success (an fd, an ABI version, 0),
// or -errno. Socket ops return the Landlock hook's verdict (0 = allowed by Landlock), not the
// network stack's own result: the live engine separates the two.

#ifndef LOCKSTEP_ENGINE_ENGINE_H_
#define LOCKSTEP_ENGINE_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/log_record.h"
#include "engine/ops.h"

namespace lockstep {

// ---- The ops (engine/ops.h's LOCKSTEP_OPS, the one table) ----

enum class OpKind {
#define LOCKSTEP_OP_KIND_ENUMERATOR(e, c, name, args, ret, tag, functions) e,
  LOCKSTEP_OPS(LOCKSTEP_OP_KIND_ENUMERATOR)
#undef LOCKSTEP_OP_KIND_ENUMERATOR
};

// How many op kinds there are: size every per-op array with it.
inline constexpr int kNumOpKinds = LOCKSTEP_NUM_OPS;

// Every op kind, in enum order (kAllOpKinds[i] is OpKind i).
inline constexpr OpKind kAllOpKinds[] = {
#define LOCKSTEP_OP_KIND_VALUE(e, c, name, args, ret, tag, functions) OpKind::e,
    LOCKSTEP_OPS(LOCKSTEP_OP_KIND_VALUE)
#undef LOCKSTEP_OP_KIND_VALUE
};
static_assert(sizeof(kAllOpKinds) / sizeof(kAllOpKinds[0]) == kNumOpKinds);

// A path of the model (docs/filesystem.md): "." or names of [A-Za-z0-9._-] joined by '/', no
// name "." or "..". The live engine resolves nothing else (no op leaves the task's tmpfs); a
// named UNIX socket's address outside them is ENOENT in the models.
inline bool IsModelPath(const std::string& path) {
  if (path == ".") return true;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    const std::string name = path.substr(start, end - start);
    if (name.empty() || name == "." || name == "..") return false;
    for (char c : name) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    if (end == path.size()) return true;
    start = end + 1;
  }
}

// One op's row of the table.
struct OpInfo {
  const char* name;             // in .scn text and tables: "create_ruleset", "sendto", ...
  unsigned args;                // the LOCKSTEP_ARG_* it reads
  int returns;                  // LOCKSTEP_RET_*
  int tag;                      // its binary tag (scenario/binary.h)
  const char* break_functions;  // the kernel functions gdb stops in, space-separated
};
inline constexpr OpInfo kOpInfo[] = {
#define LOCKSTEP_OP_INFO(e, c, name, args, ret, tag, functions) {name, args, ret, tag, functions},
    LOCKSTEP_OPS(LOCKSTEP_OP_INFO)
#undef LOCKSTEP_OP_INFO
};
constexpr const OpInfo& InfoOf(OpKind kind) { return kOpInfo[static_cast<int>(kind)]; }

// The C and C++ names number the ops alike; every op names a function to break in.
#define LOCKSTEP_OP_KIND_CHECK(e, c, name, args, ret, tag, functions)                     \
  static_assert(static_cast<int>(OpKind::e) == LOCKSTEP_OP_##c, #e " and " #c " differ"); \
  static_assert(sizeof(functions) > 1, #e " names no kernel function for gdb to break in");
LOCKSTEP_OPS(LOCKSTEP_OP_KIND_CHECK)
#undef LOCKSTEP_OP_KIND_CHECK

// Whether ops of `kind` read the argument `arg` (a LOCKSTEP_ARG_* flag).
constexpr bool Takes(OpKind kind, unsigned arg) { return (InfoOf(kind).args & arg) != 0; }

// Whether ops of `kind` pass a socket address (bind, connect, sendto).
constexpr bool TakesAddress(OpKind kind) {
  return Takes(kind, LOCKSTEP_ARG_MEM) && Takes(kind, LOCKSTEP_ARG_ADDRLEN);
}

// The socket ops whose outcome the live engine also reports for the network stack alone
// (Engine::LastStackAloneResult): those that pass an address, and listen. Its twin's answer
// to them, beside the probe's, gives Landlock's verdict.
constexpr bool ReportsStackAlone(OpKind kind) {
  return TakesAddress(kind) || kind == OpKind::kListen;
}

// The ops of one task's that a task of the live engine's in a child process makes there,
// besides those between tasks (thread, fork, kill, ptrace, traceme, setown, sigwait): the
// Landlock syscalls, socket, accept and close, and the socket ops (engine/live_engine.h). The
// filesystem ops only task 0's process makes (scenario/live_comparable.h).
constexpr bool ServedInChildren(OpKind k) {
  return k == OpKind::kCreateRuleset || k == OpKind::kAddRule || k == OpKind::kRestrictSelf ||
         k == OpKind::kSetNoNewPrivs || k == OpKind::kClose || k == OpKind::kSocket ||
         k == OpKind::kAccept || ReportsStackAlone(k);
}

// Whether `kinds` lists every op kind exactly once, in any order: for a static_assert on each
// array meant to hold all kinds (a kind added to the table then fails the build there).
template <size_t N>
constexpr bool ListsEveryOpKindOnce(const OpKind (&kinds)[N]) {
  if (N != static_cast<size_t>(kNumOpKinds)) return false;
  bool seen[kNumOpKinds] = {};
  for (const OpKind k : kinds) {
    const int i = static_cast<int>(k);
    if (i < 0 || i >= kNumOpKinds || seen[i]) return false;
    seen[i] = true;
  }
  return true;
}

// A user-space buffer as the kernel sees it: a pointer (possibly NULL) and how many bytes behind it
// are readable. A syscall that reads past `readable` faults with -EFAULT, as it would on an
// unmapped page; `data == nullptr` is the NULL pointer.
struct UserBuffer {
  const void* data = nullptr;
  size_t readable = 0;

  static UserBuffer Null() { return {}; }
  static UserBuffer Of(const std::vector<uint8_t>& bytes) {
    return {bytes.data(), bytes.size()};
  }
};

// The root of the task's filesystem as a dirfd (Engine::kAtRoot).
inline constexpr int kAtRootFd = LOCKSTEP_AT_ROOT;

// One op's arguments, as the syscall receives them: `kind`, and the fields engine/ops.h's table
// says it reads (the others keep these defaults). Paths are NUL-terminated and must outlive the
// call. Laid out as C's struct lockstep_op_args (checked below), which is how the kernel engine
// hands it to the adapter.
struct OpArgs {
  OpKind kind = OpKind::kCreateRuleset;
  int fd = -1;
  UserBuffer mem;          // create_ruleset/add_rule: the attr; bind/connect/sendto: the address
  uint64_t size = 0;       // create_ruleset
  int addrlen = 0;         // bind, connect, sendto
  int rule_type = 0;       // add_rule
  uint32_t flags = 0;      // syscall flags; open/rename flags; the ioctl command
  int family = 0;          // socket
  int type = 0;            // socket
  int protocol = 0;        // socket
  int at = kAtRootFd;      // dirfd for `path`
  const char* path = "";   // path ops; rename/link/bind_mount: the source
  int at2 = kAtRootFd;     // dirfd for `path2`
  const char* path2 = "";  // rename, link: the new name; bind_mount: the mount point
  uint32_t mode = 0;       // mknod: file type and permission bits
  uint64_t dev = 0;        // mknod: the device number as makedev(major, minor) encodes it

  explicit OpArgs(OpKind k) : kind(k) {}
};

#define LOCKSTEP_SAME_FIELD(f)                                          \
  static_assert(offsetof(OpArgs, f) == offsetof(lockstep_op_args, f) && \
                    sizeof(OpArgs::f) == sizeof(lockstep_op_args::f),   \
                "OpArgs::" #f " differs from lockstep_op_args");
LOCKSTEP_SAME_FIELD(kind)
LOCKSTEP_SAME_FIELD(fd)
LOCKSTEP_SAME_FIELD(mem)
LOCKSTEP_SAME_FIELD(size)
LOCKSTEP_SAME_FIELD(addrlen)
LOCKSTEP_SAME_FIELD(rule_type)
LOCKSTEP_SAME_FIELD(flags)
LOCKSTEP_SAME_FIELD(family)
LOCKSTEP_SAME_FIELD(type)
LOCKSTEP_SAME_FIELD(protocol)
LOCKSTEP_SAME_FIELD(at)
LOCKSTEP_SAME_FIELD(path)
LOCKSTEP_SAME_FIELD(at2)
LOCKSTEP_SAME_FIELD(path2)
LOCKSTEP_SAME_FIELD(mode)
LOCKSTEP_SAME_FIELD(dev)
#undef LOCKSTEP_SAME_FIELD
static_assert(sizeof(OpArgs) == sizeof(lockstep_op_args));
static_assert(offsetof(UserBuffer, data) == offsetof(lockstep_user_buf, data) &&
              offsetof(UserBuffer, readable) == offsetof(lockstep_user_buf, readable) &&
              sizeof(UserBuffer) == sizeof(lockstep_user_buf));

// How the simulated task starts: a fresh thread-like task with its own credentials, no Landlock
// domain and an empty fd table.
struct TaskSpec {
  bool no_new_privs = true;    // prctl(PR_SET_NO_NEW_PRIVS) already done
  bool cap_sys_admin = false;  // CAP_SYS_ADMIN in the task's user namespace
};

// Something the engine noticed that is a bug in itself, whatever the ops returned: a kernel
// WARN_ON hit, a leak at task end, a lock held where it should not be.
struct EngineFinding {
  std::string kind;    // "WARN", "leak", "lockdep", "refcount", ...
  std::string detail;  // e.g. "security/landlock/ruleset.c:213: WARN_ON_ONCE(num_layers != 1)"
};

class Engine {
 public:
  virtual ~Engine() = default;

  // A short name for tables and findings, e.g. "kernel-6.12.117", "oracle-6.12.117", "live-6.18".
  virtual std::string Name() const = 0;

  // Starts a scenario in a fresh task. Ends the previous one first if it is still open.
  virtual void BeginTask(const TaskSpec& spec) = 0;
  // Ends the scenario: closes every fd, drops the credentials and domain, runs deferred frees.
  // Returns what the engine noticed during the task (empty when all is well).
  virtual std::vector<EngineFinding> EndTask() = 0;

  // Runs one op (engine/ops.h): what the syscall returns, a value >= 0 (an fd, an ABI version,
  // 0) or -errno. The one entry point every engine implements.
  virtual long Syscall(const OpArgs& args) = 0;

  // ---- The filesystem (docs/filesystem.md is the contract every engine follows) ----
  //
  // Each task starts with its own empty directory tree: one tmpfs-like filesystem whose root is
  // the scenario's root (the kernel engine's modelled VFS, the oracle's plain tree, the live
  // engine's fresh tmpfs in a private mount namespace). Paths are relative, '/'-separated names
  // of [A-Za-z0-9._-] other than "." and ".." ("." alone is the starting directory itself);
  // `dirfd` is kAtRoot or an fd an earlier Open returned. Symlinks are not part of the model.
  // Every op returns what the syscall returns on tmpfs as root (0, an fd or -errno), except
  // Execute and Ioctl, which return Landlock's verdict (see each).
  static constexpr int kAtRoot = kAtRootFd;
  // What an engine without a filesystem returns (-ENOSYS): none does today; benchmarks and
  // tools still check for it so a future engine can start without one.
  static constexpr long kNoFilesystem = -38;

  // ---- Each op by name: shorthands for Syscall(OpArgs) for tests, tools and benchmarks ----
  // Not part of the boundary: an engine implements Syscall only, and a new op needs none.

  // landlock_create_ruleset(attr, size, flags)
  long CreateRuleset(UserBuffer attr, size_t size, uint32_t flags) {
    OpArgs a(OpKind::kCreateRuleset);
    a.mem = attr;
    a.size = size;
    a.flags = flags;
    return Syscall(a);
  }
  // landlock_add_rule(ruleset_fd, rule_type, rule_attr, flags)
  long AddRule(int ruleset_fd, int rule_type, UserBuffer rule_attr, uint32_t flags) {
    OpArgs a(OpKind::kAddRule);
    a.fd = ruleset_fd;
    a.rule_type = rule_type;
    a.mem = rule_attr;
    a.flags = flags;
    return Syscall(a);
  }
  // landlock_restrict_self(ruleset_fd, flags)
  long RestrictSelf(int ruleset_fd, uint32_t flags) {
    OpArgs a(OpKind::kRestrictSelf);
    a.fd = ruleset_fd;
    a.flags = flags;
    return Syscall(a);
  }
  // prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
  long SetNoNewPrivs() { return Syscall(OpArgs(OpKind::kSetNoNewPrivs)); }
  // close(fd)
  long Close(int fd) { return FdOp(OpKind::kClose, fd); }

  // socket(family, type, protocol): an fd, or the socket layer's -errno.
  long Socket(int family, int type, int protocol) {
    OpArgs a(OpKind::kSocket);
    a.family = family;
    a.type = type;
    a.protocol = protocol;
    return Syscall(a);
  }
  // bind(fd, addr, addrlen) / connect(fd, addr, addrlen): Landlock's verdict.
  long Bind(int fd, UserBuffer addr, int addrlen) {
    return AddressOp(OpKind::kBind, fd, addr, addrlen, 0);
  }
  long Connect(int fd, UserBuffer addr, int addrlen) {
    return AddressOp(OpKind::kConnect, fd, addr, addrlen, 0);
  }
  // sendto(fd, "", 0, flags, addr, addrlen): Landlock's verdict on the sendmsg hook (0 where the
  // revision does not hook sendmsg). A NULL addr is a send without a destination.
  long SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags) {
    return AddressOp(OpKind::kSendTo, fd, addr, addrlen, flags);
  }

  // mkdirat(dirfd, path, 0755)
  long Mkdir(int dirfd, const std::string& path) { return PathOp(OpKind::kMkdir, dirfd, path); }
  // mknodat(dirfd, path, mode, dev): `mode` holds the file type and permission bits; `dev` is
  // the device number as makedev(major, minor) encodes it (0 with S_IFCHR is a whiteout).
  long Mknod(int dirfd, const std::string& path, uint32_t mode, uint64_t dev) {
    OpArgs a(OpKind::kMknod);
    a.at = dirfd;
    a.path = path.c_str();
    a.mode = mode;
    a.dev = dev;
    return Syscall(a);
  }
  // openat(dirfd, path, flags | O_NONBLOCK, 0755): an fd or -errno. Opens never block (a FIFO
  // opened write-only without a reader is ENXIO).
  long Open(int dirfd, const std::string& path, uint32_t flags) {
    OpArgs a(OpKind::kOpen);
    a.at = dirfd;
    a.path = path.c_str();
    a.flags = flags;
    return Syscall(a);
  }
  // execveat(dirfd, path) of an empty file: 0 when the file was opened for execution (the
  // kernel then fails to find a binary format, which is not Landlock's business), else -errno.
  long Execute(int dirfd, const std::string& path) {
    return PathOp(OpKind::kExecute, dirfd, path);
  }
  // execveat(dirfd, path, argv, envp, 0) of a program that loads: 0, and from then on the task
  // runs the new program (its close-on-exec fds closed; Landlock's domains kept, none of them
  // made by this program any more), else -errno as Execute's.
  long Execve(int dirfd, const std::string& path) { return PathOp(OpKind::kExecve, dirfd, path); }
  // clone(CLONE_THREAD | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND) of the running
  // thread: the new thread's number (the task's first thread is 0). It starts with the running
  // thread's credentials (and so its domain) and no_new_privs, and shares its fd table.
  long Thread() { return Syscall(OpArgs(OpKind::kThread)); }
  // The thread numbered `thread` runs the ops from now on: 0, or -ESRCH (ESRCH: no such thread,
  // or it exited: an execve ends every other thread).
  long OnThread(int thread) { return FdOp(OpKind::kOnThread, thread); }
  // fork() of the running thread: the new process's task number (tasks of every process are
  // numbered in one sequence). The child has a copy of the thread's credentials (its domain)
  // and no_new_privs, and of its fd table: the same open files.
  long Fork() { return Syscall(OpArgs(OpKind::kFork)); }
  // tgkill() of task `task` with `sig`: 0, -ESRCH, -EINVAL (no such signal) or -EPERM
  // (Landlock's signal scope). No task acts on a signal.
  long Kill(int task, int sig) {
    OpArgs a(OpKind::kKill);
    a.fd = task;
    a.flags = static_cast<uint32_t>(sig);
    return Syscall(a);
  }
  // ptrace(PTRACE_ATTACH) of task `task`, detached again when it succeeds: 0, -ESRCH, -EPERM
  // (a task of the running process, or Landlock's verdict).
  long Ptrace(int task) { return FdOp(OpKind::kPtrace, task); }
  // ptrace(PTRACE_TRACEME), its parent detaching it again when it succeeds: 0, -EPERM
  // (Landlock), or -ESRCH when the running task's parent is not a task of the scenario.
  long Traceme() { return Syscall(OpArgs(OpKind::kTraceme)); }
  // listen(fd, 4096): 0, -EBADF, -ENOTSOCK, and for an AF_UNIX socket the stack's -errno
  // (a datagram socket, an unbound or connected one); other families' states are not modelled.
  long Listen(int fd) { return FdOp(OpKind::kListen, fd); }
  // fcntl(fd, F_SETOWN_EX, F_OWNER_TID of task `task`), then O_ASYNC on (F_SETFL) when that
  // succeeded: 0, -EBADF (no such fd, or an O_PATH one), -ESRCH (no such task, or it ended).
  // The task gets SIGIO when the file's socket has news (docs/tasks.md), unless Landlock's
  // signal scope, judged by the domain the setter had here, keeps it from the task.
  long Setown(int fd, int task) {
    OpArgs a(OpKind::kSetown);
    a.fd = fd;
    a.at = task;
    return Syscall(a);
  }
  // accept4(fd, NULL, NULL, flags) without waiting: the accepted connection's socket (a new
  // fd), -EBADF, -EINVAL (flags other than SOCK_CLOEXEC and SOCK_NONBLOCK), -ENOTSOCK, and for
  // an AF_UNIX socket the stack's -errno (-EOPNOTSUPP for a datagram socket, -EINVAL when not
  // listening, -EAGAIN when no connection waits); other families are not modelled.
  long Accept(int fd, uint32_t flags) {
    OpArgs a(OpKind::kAccept);
    a.fd = fd;
    a.flags = flags;
    return Syscall(a);
  }
  // rt_sigtimedwait({sig}, NULL, {0, 0}) on the running task: 0 when `sig` was pending for it
  // (sent to it by kill or as its SIGIO; taken now), -EAGAIN when not, -EINVAL outside 1..64.
  long Sigwait(int sig) {
    OpArgs a(OpKind::kSigwait);
    a.flags = static_cast<uint32_t>(sig);
    return Syscall(a);
  }
  // truncate(path, 0) / ftruncate(fd, 0)
  long Truncate(int dirfd, const std::string& path) {
    return PathOp(OpKind::kTruncate, dirfd, path);
  }
  long Ftruncate(int fd) { return FdOp(OpKind::kFtruncate, fd); }
  // unlinkat(dirfd, path, 0) / unlinkat(dirfd, path, AT_REMOVEDIR)
  long Unlink(int dirfd, const std::string& path) { return PathOp(OpKind::kUnlink, dirfd, path); }
  long Rmdir(int dirfd, const std::string& path) { return PathOp(OpKind::kRmdir, dirfd, path); }
  // renameat2(old_dirfd, old_path, new_dirfd, new_path, flags)
  long Rename(int old_dirfd, const std::string& old_path, int new_dirfd,
              const std::string& new_path, uint32_t flags) {
    return TwoPathOp(OpKind::kRename, old_dirfd, old_path, new_dirfd, new_path, flags);
  }
  // linkat(old_dirfd, old_path, new_dirfd, new_path, 0)
  long Link(int old_dirfd, const std::string& old_path, int new_dirfd,
            const std::string& new_path) {
    return TwoPathOp(OpKind::kLink, old_dirfd, old_path, new_dirfd, new_path, 0);
  }
  // ioctl(fd, cmd, 0): -EBADF for a bad or O_PATH fd, else Landlock's verdict (0 or -EACCES) on
  // the file_ioctl hook; what the file or driver then does is not compared.
  long Ioctl(int fd, uint32_t cmd) {
    OpArgs a(OpKind::kIoctl);
    a.fd = fd;
    a.flags = cmd;
    return Syscall(a);
  }
  // mount(src, dst, NULL, MS_BIND, NULL), both resolved from their dirfd.
  long BindMount(int src_dirfd, const std::string& src_path, int dst_dirfd,
                 const std::string& dst_path) {
    return TwoPathOp(OpKind::kBindMount, src_dirfd, src_path, dst_dirfd, dst_path, 0);
  }

  // For the last bind/connect/sendto: what the network stack alone returned for the same op on a
  // twin socket with no Landlock domain (0 or -errno), for engines that run the real stack (the
  // live engine); false otherwise. When the op returned 0 and the stack alone returned -E, the
  // domain did not change the outcome: Landlock allowed it, or denied it with the same errno E,
  // and the two cannot be told apart (see engine/live_engine.h).
  virtual bool LastStackAloneResult(long* ret) const {
    (void)ret;
    return false;
  }

  // Landlock's denial logs (engine/log_record.h): appends to `out`, in order, the records
  // written since the last call (after an op: the op's; after EndTask: task exit's, the
  // domains' deallocations) and returns true; returns false, leaving `out` alone, when the
  // engine does not know them (the live kernel without audit access; the oracle for what it
  // does not model). A revision without denial logging knows it wrote none.
  virtual bool TakeLogRecords(std::vector<LogRecord>* out) {
    (void)out;
    return false;
  }

 private:
  long FdOp(OpKind kind, int fd) {
    OpArgs a(kind);
    a.fd = fd;
    return Syscall(a);
  }
  long AddressOp(OpKind kind, int fd, UserBuffer addr, int addrlen, uint32_t flags) {
    OpArgs a(kind);
    a.fd = fd;
    a.mem = addr;
    a.addrlen = addrlen;
    a.flags = flags;
    return Syscall(a);
  }
  long PathOp(OpKind kind, int dirfd, const std::string& path) {
    OpArgs a(kind);
    a.at = dirfd;
    a.path = path.c_str();
    return Syscall(a);
  }
  long TwoPathOp(OpKind kind, int dirfd, const std::string& path, int dirfd2,
                 const std::string& path2, uint32_t flags) {
    OpArgs a(kind);
    a.at = dirfd;
    a.path = path.c_str();
    a.at2 = dirfd2;
    a.path2 = path2.c_str();
    a.flags = flags;
    return Syscall(a);
  }
};

// Runs `a` on `e` through e's method for the op: the Syscall of engines that implement each op as
// a method of the shorthand's name and signature (the oracle, the live engine).
template <typename E>
long CallOpMethod(E& e, const OpArgs& a) {
  switch (a.kind) {
    case OpKind::kCreateRuleset: return e.CreateRuleset(a.mem, a.size, a.flags);
    case OpKind::kAddRule: return e.AddRule(a.fd, a.rule_type, a.mem, a.flags);
    case OpKind::kRestrictSelf: return e.RestrictSelf(a.fd, a.flags);
    case OpKind::kSetNoNewPrivs: return e.SetNoNewPrivs();
    case OpKind::kClose: return e.Close(a.fd);
    case OpKind::kSocket: return e.Socket(a.family, a.type, a.protocol);
    case OpKind::kBind: return e.Bind(a.fd, a.mem, a.addrlen);
    case OpKind::kConnect: return e.Connect(a.fd, a.mem, a.addrlen);
    case OpKind::kSendTo: return e.SendTo(a.fd, a.mem, a.addrlen, a.flags);
    case OpKind::kMkdir: return e.Mkdir(a.at, a.path);
    case OpKind::kMknod: return e.Mknod(a.at, a.path, a.mode, a.dev);
    case OpKind::kOpen: return e.Open(a.at, a.path, a.flags);
    case OpKind::kExecute: return e.Execute(a.at, a.path);
    case OpKind::kExecve: return e.Execve(a.at, a.path);
    case OpKind::kTruncate: return e.Truncate(a.at, a.path);
    case OpKind::kFtruncate: return e.Ftruncate(a.fd);
    case OpKind::kUnlink: return e.Unlink(a.at, a.path);
    case OpKind::kRmdir: return e.Rmdir(a.at, a.path);
    case OpKind::kRename: return e.Rename(a.at, a.path, a.at2, a.path2, a.flags);
    case OpKind::kLink: return e.Link(a.at, a.path, a.at2, a.path2);
    case OpKind::kIoctl: return e.Ioctl(a.fd, a.flags);
    case OpKind::kBindMount: return e.BindMount(a.at, a.path, a.at2, a.path2);
    case OpKind::kThread: return e.Thread();
    case OpKind::kOnThread: return e.OnThread(a.fd);
    case OpKind::kFork: return e.Fork();
    case OpKind::kKill: return e.Kill(a.fd, static_cast<int>(a.flags));
    case OpKind::kPtrace: return e.Ptrace(a.fd);
    case OpKind::kTraceme: return e.Traceme();
    case OpKind::kListen: return e.Listen(a.fd);
    case OpKind::kSetown: return e.Setown(a.fd, a.at);
    case OpKind::kSigwait: return e.Sigwait(static_cast<int>(a.flags));
    case OpKind::kAccept: return e.Accept(a.fd, a.flags);
  }
  return -38;  // -ENOSYS: no such op
}

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_ENGINE_H_
