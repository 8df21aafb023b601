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

namespace lockstep {

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

  // landlock_create_ruleset(attr, size, flags)
  virtual long CreateRuleset(UserBuffer attr, size_t size, uint32_t flags) = 0;
  // landlock_add_rule(ruleset_fd, rule_type, rule_attr, flags)
  virtual long AddRule(int ruleset_fd, int rule_type, UserBuffer rule_attr, uint32_t flags) = 0;
  // landlock_restrict_self(ruleset_fd, flags)
  virtual long RestrictSelf(int ruleset_fd, uint32_t flags) = 0;
  // prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
  virtual long SetNoNewPrivs() = 0;
  // close(fd)
  virtual long Close(int fd) = 0;

  // socket(family, type, protocol): an fd, or the socket layer's -errno.
  virtual long Socket(int family, int type, int protocol) = 0;
  // bind(fd, addr, addrlen) / connect(fd, addr, addrlen): Landlock's verdict.
  virtual long Bind(int fd, UserBuffer addr, int addrlen) = 0;
  virtual long Connect(int fd, UserBuffer addr, int addrlen) = 0;
  // sendto(fd, "", 0, flags, addr, addrlen): Landlock's verdict on the sendmsg hook (0 where the
  // revision does not hook sendmsg). A NULL addr is a send without a destination.
  virtual long SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags) = 0;

  // ---- The filesystem (docs/filesystem.md is the contract every engine follows) ----
  //
  // Each task starts with its own empty directory tree: one tmpfs-like filesystem whose root is
  // the scenario's root (the kernel engine's modelled VFS, the oracle's plain tree, the live
  // engine's fresh tmpfs in a private mount namespace). Paths are relative, '/'-separated names
  // of [A-Za-z0-9._-] other than "." and ".." ("." alone is the starting directory itself);
  // `dirfd` is kAtRoot or an fd an earlier Open returned. Symlinks are not part of the model.
  // Every op returns what the syscall returns on tmpfs as root (0, an fd or -errno), except
  // Execute and Ioctl, which return Landlock's verdict (see each).
  static constexpr int kAtRoot = -100;
  // What an engine without a filesystem returns (-ENOSYS): none does today; benchmarks and
  // tools still check for it so a future engine can start without one.
  static constexpr long kNoFilesystem = -38;

  // mkdirat(dirfd, path, 0755)
  virtual long Mkdir(int dirfd, const std::string& path) = 0;
  // mknodat(dirfd, path, mode, dev): `mode` holds the file type and permission bits; `dev` is
  // the device number as makedev(major, minor) encodes it (0 with S_IFCHR is a whiteout).
  virtual long Mknod(int dirfd, const std::string& path, uint32_t mode, uint64_t dev) = 0;
  // openat(dirfd, path, flags | O_NONBLOCK, 0755): an fd or -errno. Opens never block (a FIFO
  // opened write-only without a reader is ENXIO).
  virtual long Open(int dirfd, const std::string& path, uint32_t flags) = 0;
  // execveat(dirfd, path) of an empty file: 0 when the file was opened for execution (the
  // kernel then fails to find a binary format, which is not Landlock's business), else -errno.
  virtual long Execute(int dirfd, const std::string& path) = 0;
  // truncate(path, 0) / ftruncate(fd, 0)
  virtual long Truncate(int dirfd, const std::string& path) = 0;
  virtual long Ftruncate(int fd) = 0;
  // unlinkat(dirfd, path, 0) / unlinkat(dirfd, path, AT_REMOVEDIR)
  virtual long Unlink(int dirfd, const std::string& path) = 0;
  virtual long Rmdir(int dirfd, const std::string& path) = 0;
  // renameat2(old_dirfd, old_path, new_dirfd, new_path, flags)
  virtual long Rename(int old_dirfd, const std::string& old_path, int new_dirfd,
                      const std::string& new_path, uint32_t flags) = 0;
  // linkat(old_dirfd, old_path, new_dirfd, new_path, 0)
  virtual long Link(int old_dirfd, const std::string& old_path, int new_dirfd,
                    const std::string& new_path) = 0;
  // ioctl(fd, cmd, 0): -EBADF for a bad or O_PATH fd, else Landlock's verdict (0 or -EACCES) on
  // the file_ioctl hook; what the file or driver then does is not compared.
  virtual long Ioctl(int fd, uint32_t cmd) = 0;
  // mount(src, dst, NULL, MS_BIND, NULL), both resolved from their dirfd.
  virtual long BindMount(int src_dirfd, const std::string& src_path, int dst_dirfd,
                         const std::string& dst_path) = 0;

  // For the last bind/connect/sendto: what the network stack alone returned for the same op on a
  // twin socket with no Landlock domain (0 or -errno), for engines that run the real stack (the
  // live engine); false otherwise. When the op returned 0 and the stack alone returned -E, the
  // domain did not change the outcome: Landlock allowed it, or denied it with the same errno E,
  // and the two cannot be told apart (see engine/live_engine.h).
  virtual bool LastStackAloneResult(long* ret) const {
    (void)ret;
    return false;
  }
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_ENGINE_H_
