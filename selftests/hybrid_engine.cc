// The hybrid engine (docs/selftests.md): linked into a test program with -Wl,--wrap=<function>
// for each function below (selftests/BUILD.bazel HYBRID_WRAPPED), it answers the program's
// Landlock syscalls with one kernel revision's Landlock compiled in user space (the tree the build
// uses, //selftests:kernel_hybrid), and asks that revision's hooks before the calls Landlock
// decides (bind, connect, sendto, sendmsg, open in a sandbox); the host kernel does the rest. The
// host's own Landlock is never called.
//
// The program's process is one process of the shim: each thread's credentials (no_new_privs,
// CAP_SYS_ADMIN) are copied in before its Landlock syscalls, and no_new_privs back out. A real fd
// the revision must see gets a shim fd: a ruleset fd is a memfd placeholder known by its inode (so
// dup(2) and SCM_RIGHTS copies name the same ruleset), a socket is a shim socket of the same
// family, type and protocol whose addresses follow the real one's, and any other file is mirrored
// by path and type into the task's filesystem (pseudo-files by a shim UNIX socket: for Landlock
// both are files it cannot use, EBADFD). fork(2) copies the shim with the process, so a child
// inherits its parent's domain as in the kernel.
//
// Threads are mirrored: the revision is built process-wide (PROCESS_WIDE_COPTS), a thread created
// with pthread_create(3) gets a sibling in the shim's process (the creator's credentials), and
// every routed call runs as the caller's sibling, one call at a time. Calls from a thread the
// hybrid engine did not see start run unrouted, each reported on stderr (tools/selftests.py counts
// such a test as skipped).

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>

#include "kernel_shim/adapter/kernel_api.h"

extern "C" {
long __real_syscall(long number, ...);
int __real_socket(int family, int type, int protocol);
int __real_bind(int fd, const struct sockaddr* addr, socklen_t len);
int __real_connect(int fd, const struct sockaddr* addr, socklen_t len);
ssize_t __real_sendto(int fd, const void* buf, size_t n, int flags, const struct sockaddr* addr,
                      socklen_t len);
ssize_t __real_sendmsg(int fd, const struct msghdr* msg, int flags);
ssize_t __real_recvfrom(int fd, void* buf, size_t n, int flags, struct sockaddr* addr,
                        socklen_t* len);
int __real_close(int fd);
ssize_t __real_read(int fd, void* buf, size_t n);
ssize_t __real_write(int fd, const void* buf, size_t n);
int __real_open(const char* path, int flags, ...);
int __real_pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*fn)(void*),
                          void* arg);
int __real_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
                 unsigned long a5);

// The tree's revision, built process-wide (selftests/BUILD.bazel).
const lockstep_kernel_api* lockstep_kernel_hybrid(void);
}

namespace {

// The Landlock syscall numbers (the same on every architecture since 5.13).
constexpr long kNrCreateRuleset = 444;
constexpr long kNrAddRule = 445;
constexpr long kNrRestrictSelf = 446;
constexpr int kRulePathBeneath = 1;  // LANDLOCK_RULE_PATH_BENEATH
// A shim fd number that is never open (the shim's table is smaller): a closed real fd.
constexpr int kClosedShimFd = 1 << 20;
// The most bytes of a user buffer copied for the revision: past the syscalls' own limits
// (create_ruleset's attr is E2BIG past a page, a socket address EINVAL past 128 bytes).
constexpr size_t kMaxUserCopy = 4096 + 64;

// kAudit: a real NETLINK_AUDIT socket, where the revision's audit records are read.
enum class Kind { kRuleset, kSocket, kMirror, kAudit };

// A real file the revision knows, by the identity every real fd on it shares.
struct Object {
  dev_t dev;
  ino_t ino;
  bool o_path;  // a mirror opened O_PATH (fdget() refuses it, fdget_raw() takes it)
  Kind kind;
  int shim_fd;
};

struct State {
  const lockstep_kernel_api* api = nullptr;
  int shim_thread = 0;      // the shim's running thread
  bool restricted = false;  // a restrict_self with a ruleset succeeded: route open(2)
  uint64_t warnings = 0;
  unsigned audit_serial = 0;
  Object objects[512];
  int num_objects = 0;
};
State state;
// One routed call at a time: the shim is one process's kernel state.
pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
// The shim thread this real thread is (-1: one the hybrid engine did not see start).
thread_local int my_thread = -1;

void Report(const char* what) {
  char line[512];
  const int n = snprintf(line, sizeof(line), "lockstep hybrid: %s\n", what);
  if (n > 0) __real_write(2, line, static_cast<size_t>(n) < sizeof(line) ? n : sizeof(line) - 1);
}

lockstep_op_args Args(int kind) {
  lockstep_op_args a;
  memset(&a, 0, sizeof(a));
  a.kind = kind;
  a.fd = -1;
  a.at = LOCKSTEP_AT_ROOT;
  a.at2 = LOCKSTEP_AT_ROOT;
  a.path = "";
  a.path2 = "";
  return a;
}

// Makes the shim run as `thread` (its sibling of the calling real thread); false if it has none.
bool RunAs(int thread) {
  if (state.shim_thread == thread) return true;
  lockstep_op_args a = Args(LOCKSTEP_OP_ON_THREAD);
  a.fd = thread;
  if (state.api->syscall(&a) != 0) return false;
  state.shim_thread = thread;
  return true;
}

// Closes an fd of the shim's (a socket whose real one closed, a probe, an unused ruleset).
void CloseShimFd(int shim_fd) {
  lockstep_op_args c = Args(LOCKSTEP_OP_CLOSE);
  c.fd = shim_fd;
  state.api->syscall(&c);
}

// fork(2): the lock is taken around it, so the child gets the shim in a consistent state, with
// the forking thread alone (every other sibling ends, as the child has one thread).
void BeforeFork() { pthread_mutex_lock(&state_lock); }
void AfterForkParent() { pthread_mutex_unlock(&state_lock); }
void AfterForkChild() {
  if (state.api && my_thread >= 0 && RunAs(my_thread)) state.api->fork_child();
  pthread_mutex_unlock(&state_lock);
}

// One routed call: the lock held, the task started (its first caller is its thread 0), the
// caller's sibling running. False (the call goes to the kernel alone) for an unseen thread.
class Call {
 public:
  Call() {
    pthread_mutex_lock(&state_lock);
    if (!state.api) {
      state.api = lockstep_kernel_hybrid();
      const lockstep_task_spec spec = {0, 0};
      state.api->begin_task(&spec);
      state.shim_thread = 0;
      my_thread = 0;
      pthread_atfork(BeforeFork, AfterForkParent, AfterForkChild);
    }
    if (my_thread < 0) {
      Report("a call from a thread started without pthread_create ran unrouted");
      return;
    }
    if (!RunAs(my_thread)) {
      Report("the shim has no thread for this one: unrouted");
      return;
    }
    routed_ = true;
  }
  ~Call() { pthread_mutex_unlock(&state_lock); }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  explicit operator bool() const { return routed_; }

 private:
  bool routed_ = false;
};

// A WARN_ON hit in the revision is a finding: said at once (test children exit with _exit()).
void CheckWarnings(const char* op) {
  const uint64_t now = state.api->stats().warnings;
  if (now > state.warnings) {
    char what[160];
    snprintf(what, sizeof(what), "finding: WARN_ON hit in the revision during %s", op);
    Report(what);
  }
  state.warnings = now;
}

long Run(lockstep_op_args* args, const char* op) {
  const long ret = state.api->syscall(args);
  CheckWarnings(op);
  return ret;
}

// The task's no_new_privs out to the calling thread (restrict_self's
// LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS; a sibling's TSYNC), where it is not set yet.
void CopyNoNewPrivsOut() {
  if (state.api->set_privileges(0, -1) == 1 &&
      __real_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
    __real_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  }
}

// The calling thread's no_new_privs and CAP_SYS_ADMIN into its sibling in the task (both are
// per thread), and the task's no_new_privs back out.
void CopyPrivilegesIn() {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  int cap_sys_admin = 0;
  if (__real_syscall(SYS_capget, &header, data) == 0) {
    cap_sys_admin = (data[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
  }
  const int nnp = __real_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
  state.api->set_privileges(nnp, cap_sys_admin);
  CopyNoNewPrivsOut();
}

// Up to `len` bytes of user memory at `data` into `buf`, as far as they are mapped: the
// revision's copy_from_user() faults where the kernel's would.
lockstep_user_buf CopyUser(const void* data, size_t len, unsigned char* buf) {
  lockstep_user_buf ub = {buf, 0};
  if (!data) return {nullptr, 0};
  if (len > kMaxUserCopy) len = kMaxUserCopy;
  size_t done = 0;
  while (done < len) {
    iovec local = {buf + done, len - done};
    iovec remote = {const_cast<unsigned char*>(static_cast<const unsigned char*>(data)) + done,
                    len - done};
    const ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (got <= 0) break;
    done += static_cast<size_t>(got);
  }
  ub.readable = done;
  if (done == 0) ub.data = buf;  // a non-NULL pointer nothing of which is readable: EFAULT
  return ub;
}

Object* Find(dev_t dev, ino_t ino, bool o_path, Kind kind) {
  for (int i = 0; i < state.num_objects; ++i) {
    Object& o = state.objects[i];
    if (o.dev == dev && o.ino == ino && o.kind == kind &&
        (kind != Kind::kMirror || o.o_path == o_path)) {
      return &o;
    }
  }
  return nullptr;
}

void Remember(const struct stat& st, bool o_path, Kind kind, int shim_fd) {
  if (state.num_objects == static_cast<int>(sizeof(state.objects) / sizeof(state.objects[0]))) {
    Report("more real files than the hybrid engine tracks (512): the oldest is forgotten");
    memmove(&state.objects[0], &state.objects[1], sizeof(Object) * (state.num_objects - 1));
    --state.num_objects;
  }
  state.objects[state.num_objects++] = {st.st_dev, st.st_ino, o_path, kind, shim_fd};
}

// The task's mirror of a real file the revision must see as a file (not a ruleset or a socket).
// `resolved` (4096 bytes, may be null) gets the real path the mirror has ("" for a pseudo-file).
int MirrorFile(int fd, const struct stat& st, bool o_path, char* resolved = nullptr) {
  char link[64], path[4096];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof(path) - 1);
  if (n <= 0 || path[0] != '/' || strstr(path, " (deleted)")) n = 0;
  path[n] = '\0';
  if (resolved) memcpy(resolved, path, static_cast<size_t>(n) + 1);
  if (Object* o = Find(st.st_dev, st.st_ino, o_path, Kind::kMirror)) return o->shim_fd;
  int shim_fd;
  if (n == 0) {
    // A pseudo-file (socket:[...], anon_inode:[...]): a file on an internal mount.
    lockstep_op_args a = Args(LOCKSTEP_OP_SOCKET);
    a.family = AF_UNIX;
    a.type = SOCK_STREAM;
    shim_fd = static_cast<int>(state.api->base_op(&a));
  } else {
    // Every directory on the way, then the file as a directory or a regular file (the one
    // distinction Landlock's checks make), then an fd on it opened as the real one was.
    char* rel = path + 1;  // the shim's paths are relative to the task's root
    for (char* slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
      *slash = '\0';
      lockstep_op_args mk = Args(LOCKSTEP_OP_MKDIR);
      mk.path = rel;
      state.api->base_op(&mk);
      *slash = '/';
    }
    const bool dir = S_ISDIR(st.st_mode);
    if (*rel) {
      lockstep_op_args mk = Args(dir ? LOCKSTEP_OP_MKDIR : LOCKSTEP_OP_MKNOD);
      mk.path = rel;
      mk.mode = S_IFREG | 0644;
      state.api->base_op(&mk);
    }
    lockstep_op_args op = Args(LOCKSTEP_OP_OPEN);
    op.path = *rel ? rel : ".";
    op.flags = O_CLOEXEC | (o_path ? O_PATH : O_RDONLY) | (dir ? O_DIRECTORY : 0);
    shim_fd = static_cast<int>(state.api->base_op(&op));
  }
  if (shim_fd < 0) {
    char what[160];
    snprintf(what, sizeof(what), "fd %d not mirrored (%s): the revision sees a closed fd", fd,
             strerror(static_cast<int>(-shim_fd)));
    Report(what);
    return kClosedShimFd;
  }
  Remember(st, o_path, Kind::kMirror, shim_fd);
  return shim_fd;
}

// The shim fd the revision sees for a real fd argument.
int ShimFd(int fd) {
  if (fd < 0) return fd;
  struct stat st;
  if (fstat(fd, &st) != 0) return kClosedShimFd;
  if (Object* o = Find(st.st_dev, st.st_ino, false, Kind::kRuleset)) return o->shim_fd;
  if (Object* o = Find(st.st_dev, st.st_ino, false, Kind::kSocket)) return o->shim_fd;
  const int fl = fcntl(fd, F_GETFL);
  return MirrorFile(fd, st, fl >= 0 && (fl & O_PATH));
}

// The shim socket behind a real socket fd, -1 if the revision has none (a socket made
// elsewhere: accept(2), socketpair(2); a family the shim does not create).
int ShimSocket(int fd) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return -1;
  Object* o = Find(st.st_dev, st.st_ino, false, Kind::kSocket);
  return o ? o->shim_fd : -1;
}

// After a real call on a socket: the revision's socket takes the real one's local and peer
// addresses (its bound port, which 7.x's UDP autobind check reads; what its logs name).
void CopyAddressesIn(int fd, int shim_fd) {
  sockaddr_storage local, peer;
  socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) local_len = 0;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) peer_len = 0;
  if (void* sock = state.api->socket_of_fd(shim_fd)) {
    state.api->socket_mirror(sock, local_len ? &local : nullptr, static_cast<int>(local_len),
                             peer_len ? &peer : nullptr, static_cast<int>(peer_len));
  }
}

long Fail(long ret) {
  if (ret < 0) {
    errno = static_cast<int>(-ret);
    return -1;
  }
  return ret;
}

long CreateRuleset(const void* attr, size_t size, uint32_t flags) {
  unsigned char buf[kMaxUserCopy];
  lockstep_op_args a = Args(LOCKSTEP_OP_CREATE_RULESET);
  a.mem = CopyUser(attr, size, buf);
  a.size = size;
  a.flags = flags;
  CopyPrivilegesIn();
  const long ret = Run(&a, "create_ruleset");
  if (ret < 0 || flags != 0) return Fail(ret);  // a version or errata, not an fd
  // The program's fd: a placeholder whose inode names the ruleset (close-on-exec, as the
  // kernel's ruleset fd is).
  const int real = static_cast<int>(__real_syscall(SYS_memfd_create, "[landlock-ruleset]",
                                                   MFD_CLOEXEC));
  struct stat st;
  if (real < 0 || fstat(real, &st) != 0) {
    Report("memfd_create failed: no fd for a ruleset");
    CloseShimFd(static_cast<int>(ret));
    return Fail(-EMFILE);
  }
  Remember(st, false, Kind::kRuleset, static_cast<int>(ret));
  return real;
}

long AddRule(int fd, int rule_type, const void* attr, uint32_t flags) {
  unsigned char buf[64];
  lockstep_op_args a = Args(LOCKSTEP_OP_ADD_RULE);
  // Every rule attr is smaller than 64 bytes; a path_beneath attr's parent_fd (bytes 8-11 of
  // the packed struct) is a real fd the revision must see as its own.
  CopyPrivilegesIn();
  a.mem = CopyUser(attr, sizeof(buf), buf);
  if (rule_type == kRulePathBeneath && a.mem.readable >= 12) {
    int parent;
    memcpy(&parent, buf + 8, sizeof(parent));
    parent = ShimFd(parent);
    memcpy(buf + 8, &parent, sizeof(parent));
  }
  a.fd = ShimFd(fd);
  a.rule_type = rule_type;
  a.flags = flags;
  return Fail(Run(&a, "add_rule"));
}

long RestrictSelf(int fd, uint32_t flags) {
  CopyPrivilegesIn();
  lockstep_op_args a = Args(LOCKSTEP_OP_RESTRICT_SELF);
  a.fd = ShimFd(fd);
  a.flags = flags;
  const long ret = Run(&a, "restrict_self");
  if (ret == 0) {
    CopyNoNewPrivsOut();
    if (fd >= 0) state.restricted = true;
  }
  return Fail(ret);
}

}  // namespace

extern "C" {

long __wrap_syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long arg[6];
  for (long& x : arg) x = va_arg(ap, long);
  va_end(ap);
  if (number == kNrCreateRuleset || number == kNrAddRule || number == kNrRestrictSelf) {
    Call call;
    if (call) {
      switch (number) {
        case kNrCreateRuleset:
          return CreateRuleset(reinterpret_cast<const void*>(arg[0]),
                               static_cast<size_t>(arg[1]), static_cast<uint32_t>(arg[2]));
        case kNrAddRule:
          return AddRule(static_cast<int>(arg[0]), static_cast<int>(arg[1]),
                         reinterpret_cast<const void*>(arg[2]), static_cast<uint32_t>(arg[3]));
        default:
          return RestrictSelf(static_cast<int>(arg[0]), static_cast<uint32_t>(arg[1]));
      }
    }
  }
  return __real_syscall(number, arg[0], arg[1], arg[2], arg[3], arg[4], arg[5]);
}

// prctl(PR_GET_NO_NEW_PRIVS): a sibling's TSYNC may have set the thread's no_new_privs in the
// task since its last routed call; the real thread gets it first.
int __wrap_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
                 unsigned long a5) {
  if (option == PR_GET_NO_NEW_PRIVS && state.api) {
    Call call;
    if (call) CopyNoNewPrivsOut();
  }
  return __real_prctl(option, a2, a3, a4, a5);
}

// A thread started with pthread_create(3) is a sibling in the task, cloned from its creator's.
struct ThreadStart {
  void* (*fn)(void*);
  void* arg;
  int shim_thread;
};

static void* StartMirroredThread(void* p) {
  const ThreadStart start = *static_cast<ThreadStart*>(p);
  free(p);
  my_thread = start.shim_thread;
  return start.fn(start.arg);
}

int __wrap_pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*fn)(void*),
                          void* arg) {
  auto* start = static_cast<ThreadStart*>(malloc(sizeof(ThreadStart)));
  if (!start) return EAGAIN;
  *start = {fn, arg, -1};
  {
    Call call;
    if (call) {
      lockstep_op_args a = Args(LOCKSTEP_OP_THREAD);
      const long number = Run(&a, "thread");
      if (number >= 0) {
        start->shim_thread = static_cast<int>(number);
      } else {
        Report("the shim's process has no room for another thread: this one is not mirrored");
      }
    }
  }
  const int ret = __real_pthread_create(thread, attr, StartMirroredThread, start);
  if (ret != 0) free(start);  // the sibling stays, a thread that never runs
  return ret;
}

int __wrap_socket(int family, int type, int protocol) {
  const int fd = __real_socket(family, type, protocol);
  if (fd < 0) return fd;
  Call call;
  if (!call) return fd;
  struct stat st;
  if (fstat(fd, &st) != 0) return fd;
  if (family == AF_NETLINK && protocol == NETLINK_AUDIT) {
    Remember(st, false, Kind::kAudit, -1);
    return fd;
  }
  lockstep_op_args a = Args(LOCKSTEP_OP_SOCKET);
  a.family = family;
  a.type = type;
  a.protocol = protocol;
  const long shim_fd = Run(&a, "socket");
  if (shim_fd >= 0) {
    Remember(st, false, Kind::kSocket, static_cast<int>(shim_fd));
    // A mirror from the start: the real socket does the stack's work (an AF_UNIX one's too).
    CopyAddressesIn(fd, static_cast<int>(shim_fd));
  }
  return fd;
}

// bind(2), connect(2), sendto(2) and sendmsg(2) with an address: the revision's hook first
// (after the fd and address checks the kernel makes before it), the real call if it allows,
// without the lock (it may block), then the real socket's addresses into the shim's.
static long AskHook(int kind, int fd, const void* addr, long addrlen, uint32_t flags,
                    const char* op, int* shim_fd) {
  Call call;
  *shim_fd = call ? ShimSocket(fd) : -1;
  if (*shim_fd < 0) return 0;
  unsigned char buf[kMaxUserCopy];
  lockstep_op_args a = Args(kind);
  a.fd = *shim_fd;
  a.addrlen = static_cast<int>(addrlen);
  a.mem = addrlen > 0 ? CopyUser(addr, static_cast<size_t>(addrlen), buf)
                      : lockstep_user_buf{addr, 0};
  a.flags = flags;
  CopyPrivilegesIn();
  return Run(&a, op);
}

static void AfterRealCall(int fd, int shim_fd) {
  if (shim_fd < 0) return;
  const int saved = errno;
  {
    Call call;
    if (call && ShimSocket(fd) == shim_fd) CopyAddressesIn(fd, shim_fd);
  }
  errno = saved;
}

int __wrap_bind(int fd, const struct sockaddr* addr, socklen_t len) {
  int shim_fd;
  const long verdict = AskHook(LOCKSTEP_OP_BIND, fd, addr, len, 0, "bind", &shim_fd);
  if (verdict < 0) return static_cast<int>(Fail(verdict));
  const int ret = __real_bind(fd, addr, len);
  AfterRealCall(fd, shim_fd);
  return ret;
}

int __wrap_connect(int fd, const struct sockaddr* addr, socklen_t len) {
  int shim_fd;
  const long verdict = AskHook(LOCKSTEP_OP_CONNECT, fd, addr, len, 0, "connect", &shim_fd);
  if (verdict < 0) return static_cast<int>(Fail(verdict));
  const int ret = __real_connect(fd, addr, len);
  AfterRealCall(fd, shim_fd);
  return ret;
}

ssize_t __wrap_sendto(int fd, const void* buf, size_t n, int flags, const struct sockaddr* addr,
                      socklen_t len) {
  int shim_fd;
  const long verdict = AskHook(LOCKSTEP_OP_SENDTO, fd, addr, addr ? len : 0,
                               static_cast<uint32_t>(flags), "sendto", &shim_fd);
  if (verdict < 0) return Fail(verdict);
  const ssize_t ret = __real_sendto(fd, buf, n, flags, addr, len);
  AfterRealCall(fd, shim_fd);
  return ret;
}

ssize_t __wrap_sendmsg(int fd, const struct msghdr* msg, int flags) {
  int shim_fd = -1;
  if (msg) {
    const long verdict =
        AskHook(LOCKSTEP_OP_SENDTO, fd, msg->msg_name, msg->msg_name ? msg->msg_namelen : 0,
                static_cast<uint32_t>(flags), "sendmsg", &shim_fd);
    if (verdict < 0) return Fail(verdict);
  }
  const ssize_t ret = __real_sendmsg(fd, msg, flags);
  AfterRealCall(fd, shim_fd);
  return ret;
}

// recvfrom(2) on an audit netlink socket: the revision's audit records not yet read come first,
// each as the kernel's audit netlink message of its type, text prefixed "audit(TIME:SERIAL): "
// as kauditd sends it, from the kernel (nl_pid 0); then the real socket's own messages (replies to
// the program's audit requests). The host's records of other types arrive as they do.
ssize_t __wrap_recvfrom(int fd, void* buf, size_t n, int flags, struct sockaddr* addr,
                        socklen_t* len) {
  struct stat st;
  if (state.api && fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
    Call call;
    if (call && Find(st.st_dev, st.st_ino, false, Kind::kAudit)) {
      int type = 0;
      char text[600];
      long got;
      while ((got = state.api->audit_next(&type, text, sizeof(text))) < 0) {
      }  // records the shim could not keep: the kernel's backlog would have dropped them too
      if (got > 0) {
        char message[NLMSG_HDRLEN + 700];
        memset(message, 0, sizeof(message));
        timeval now;
        gettimeofday(&now, nullptr);
        const int body =
            snprintf(message + NLMSG_HDRLEN, sizeof(message) - NLMSG_HDRLEN,
                     "audit(%lld.%03ld:%u): %s", static_cast<long long>(now.tv_sec),
                     static_cast<long>(now.tv_usec / 1000), ++state.audit_serial, text);
        nlmsghdr header = {};
        header.nlmsg_len = NLMSG_LENGTH(static_cast<unsigned>(body));
        header.nlmsg_type = static_cast<__u16>(type);
        memcpy(message, &header, sizeof(header));
        const size_t total = header.nlmsg_len < n ? header.nlmsg_len : n;
        memcpy(buf, message, total);
        if (addr && len) {
          sockaddr_nl from = {};
          from.nl_family = AF_NETLINK;
          memcpy(addr, &from, *len < sizeof(from) ? *len : sizeof(from));
          *len = sizeof(from);
        }
        return static_cast<ssize_t>(total);
      }
    }
  }
  return __real_recvfrom(fd, buf, n, flags, addr, len);
}

// A socket's shim socket ends with the real fd that made it; a ruleset lives on (a copy of the
// placeholder may be in flight in SCM_RIGHTS, where the hybrid engine cannot see it).
int __wrap_close(int fd) {
  struct stat st;
  if (state.api && fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
    Call call;
    for (int i = 0; call && i < state.num_objects; ++i) {
      Object& o = state.objects[i];
      if (o.kind == Kind::kSocket && o.dev == st.st_dev && o.ino == st.st_ino) {
        CloseShimFd(o.shim_fd);
        CheckWarnings("close");
        state.objects[i] = state.objects[--state.num_objects];
        break;
      }
    }
  }
  return __real_close(fd);
}

// read(2) and write(2) of a ruleset fd reach the revision's file operations.
static long RulesetIo(int fd, int write, void* buf, size_t n, bool* routed) {
  *routed = false;
  struct stat st;
  // A ruleset's placeholder is a memfd: a regular file.
  if (!state.api || fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  Call call;
  Object* o = call ? Find(st.st_dev, st.st_ino, false, Kind::kRuleset) : nullptr;
  if (!o) return 0;
  *routed = true;
  return state.api->file_io(o->shim_fd, write, buf, n);
}

ssize_t __wrap_read(int fd, void* buf, size_t n) {
  bool routed;
  const long ret = RulesetIo(fd, 0, buf, n, &routed);
  return routed ? Fail(ret) : __real_read(fd, buf, n);
}

ssize_t __wrap_write(int fd, const void* buf, size_t n) {
  bool routed;
  const long ret = RulesetIo(fd, 1, const_cast<void*>(buf), n, &routed);
  return routed ? Fail(ret) : __real_write(fd, buf, n);
}

// open(2) in a sandboxed process: the revision's file_open hook decides on the mirror of the
// path (made as the file is, outside the domain); the real open runs if Landlock allows it.
int __wrap_open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  struct stat st;
  if (state.restricted && path && path[0] == '/' && stat(path, &st) == 0) {
    Call call;
    const int probe = call ? __real_open(path, O_PATH | O_CLOEXEC) : -1;
    char resolved[4096];
    if (probe >= 0) {
      MirrorFile(probe, st, true, resolved);  // makes the path in the task's filesystem
      __real_close(probe);
    }
    if (probe >= 0 && resolved[0]) {
      lockstep_op_args a = Args(LOCKSTEP_OP_OPEN);
      a.path = resolved[1] ? resolved + 1 : ".";
      a.flags = static_cast<uint32_t>(flags & ~(O_CREAT | O_EXCL));
      CopyPrivilegesIn();
      const long ret = Run(&a, "open");
      if (ret >= 0) {
        CloseShimFd(static_cast<int>(ret));
      } else if (ret == -EACCES) {
        errno = EACCES;
        return -1;
      }
    }
  }
  return __real_open(path, flags, mode);
}

}  // extern "C"
