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
