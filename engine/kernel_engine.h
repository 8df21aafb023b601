// KernelEngine: the Engine interface over one kernel revision's Landlock code, compiled unchanged
// against kernel_shim/. Syscalls run the tree's own syscalls.c; socket ops call the hooks that
// net.c registered with security_add_hooks().

#ifndef LOCKSTEP_ENGINE_KERNEL_ENGINE_H_
#define LOCKSTEP_ENGINE_KERNEL_ENGINE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "kernel_shim/adapter/kernel_api.h"

namespace lockstep {

// Counters the shim keeps for the current task.
struct ShimStats {
  uint64_t allocations = 0;       // allocation calls so far (successful or failed)
  uint64_t live_allocations = 0;  // not yet freed
  uint64_t live_bytes = 0;
  uint64_t warnings = 0;          // WARN_ON* hits
};

class KernelEngine : public Engine {
 public:
  // `api` is one revision's entry table, e.g. lockstep_kernel_default().
  explicit KernelEngine(const lockstep_kernel_api* api);
  ~KernelEngine() override;

  std::string Name() const override;
  // The tree's version, e.g. "6.12.117", and where it came from.
  std::string Version() const;
  std::string Origin() const;
  // The adapter generation of Landlock's internal API: "6.12" or "6.1".
  std::string Generation() const;
  // A hash of the tree's Landlock code (tools/kernel_tree.py fingerprint): what the tree is
  // known by, where Version() is only its label.
  std::string Fingerprint() const;

  void BeginTask(const TaskSpec& spec) override;
  std::vector<EngineFinding> EndTask() override;

  // The adapter's one entry point (kernel_api.h syscall): OpArgs is laid out as C's
  // struct lockstep_op_args (checked in engine/engine.h), so it is handed over as it is.
  long Syscall(const OpArgs& args) override {
    const long ret = api_->syscall(reinterpret_cast<const lockstep_op_args*>(&args));
    if (args.kind == OpKind::kRestrictSelf && ret == 0) NoteDomain();
    return ret;
  }

  // The records the tree's audit.c wrote (kernel_api.h audit_next), parsed (ParseAuditRecord);
  // domain ids become the scenario's numbers by the order restrict_self made the domains.
  bool TakeLogRecords(std::vector<LogRecord>* out) override;

  // The tree's own KUnit suites (fs.c's), each case in a fresh task. `report` gets one line per
  // failed expectation or shim finding.
  struct KunitSummary {
    int suites = 0;
    int cases = 0;
    int failed_cases = 0;
    std::string report;
  };
  KunitSummary RunKunit();

  // Fault injection: the n-th allocation from now (1 = the next one) fails; 0 disarms.
  void FailNthAllocation(uint64_t n);
  ShimStats Stats() const;

  // The LSM hooks alone, for benchmarks (kernel_api.h): no fd lookup, no address copy, no
  // syscall entry/exit. SocketOfFd() is the kernel socket behind `fd` (nullptr if `fd` is not a
  // socket; valid until it is closed); HookBind/HookConnect return what security_socket_bind()/
  // security_socket_connect() return for `addr`, memory the caller owns, as the current task.
  void* SocketOfFd(int fd) const { return api_->socket_of_fd(fd); }
  long HookBind(void* sock, const void* addr, int addrlen) const {
    return api_->hook_bind(sock, addr, addrlen);
  }
  long HookConnect(void* sock, const void* addr, int addrlen) const {
    return api_->hook_connect(sock, addr, addrlen);
  }

 private:
  // After a successful restrict_self: numbers the task's domain if it is a new one.
  void NoteDomain();

  const lockstep_kernel_api* api_;
  bool task_open_ = false;
  std::map<uint64_t, int> domain_numbers_;  // this task's domain ids -> 1, 2, ...
};

// The engine for the tree the build was configured with (default: Debian linux-source-6.12).
std::unique_ptr<KernelEngine> NewDefaultKernelEngine();

}  // namespace lockstep

// For debuggers: the simulated task (struct task_struct *) of the kernel engine task open on this
// thread, whichever revision it belongs to; NULL when none. Two revisions in one binary each
// have their own thread-local `lockstep_current_task`, which gdb cannot tell apart by name.
// Outside every namespace, so that gdb finds them by these names from any frame (inside
// namespace lockstep their debug names would be lockstep::..., and gdb, stopped in kernel C
// code, would fall back to a name-picked revision's own symbols).
extern "C" thread_local void* lockstep_gdb_task;
// Landlock's offset in a cred's security blob for the revision running that task (gdb's
// lockstep-domain; each revision has its own landlock_blob_sizes), -1 outside a task.
extern "C" thread_local long lockstep_gdb_cred_offset;

#endif  // LOCKSTEP_ENGINE_KERNEL_ENGINE_H_
