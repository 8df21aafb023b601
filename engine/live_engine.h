// LiveEngine: the Engine interface over the running kernel's own Landlock, with real syscalls.
//
// Each task (BeginTask … EndTask) runs in a fresh thread: landlock_restrict_self() restricts only
// the calling thread, so a throwaway thread is a complete sandbox and the process stays
// unrestricted. Every worker joins a private network namespace made once per process (only `lo`,
// brought up here; ip_unprivileged_port_start=0), so no probe can reach anything else.
//
// Verdict separation. Landlock's socket hooks run before the network stack's own checks, and a
// syscall's errno mixes the two. So every task runs twice, op for op, on two threads:
//   - the probe thread: the scenario as written (rulesets, restrict_self, socket ops);
//   - the twin thread: the same ops with the same credentials but restrict_self skipped (no
//     domain), in a second private namespace of its own, so twin sockets never share ports
//     with the probe's sockets; every twin socket has the probe socket's family/type/protocol
//     and the same history of ops: the twin runs each op after the probe, and when Landlock
//     denied an op on the probe (no effect there), the twin socket is made again and replays
//     the ops Landlock let through, since the same op may have changed it (bound, connected to
//     itself, released an ephemeral port).
// For bind/connect/sendto, with D the probe's result and N the twin's ("the stack alone"):
//   D == N                               → 0: the domain did not change the outcome
//   D != N, D in {EACCES, EPERM, EINVAL, EAFNOSUPPORT}  → D: Landlock's verdict
//   D != N, anything else                → 0: allowed; the stack differed for its own reasons
//                                           (EINPROGRESS vs ECONNREFUSED, ports in use, ...)
// and the stack's answer is published per op (Engine::LastStackAloneResult,
// RunResult::stack_alone): N, except when Landlock allowed (verdict 0) and D is an error,
// which is then the stack's own answer in the probe's world (the twin's world may have drifted:
// a remade twin socket replays its history among sockets that changed since, as AF_UNIX
// names and peers do). When D == N
// is an errno E, "Landlock allowed and the stack said E" and "Landlock said E" look the same;
// comparisons (OutcomesAgree in scenario/runner.h) therefore accept E from a reference engine
// against this engine's 0 when the stack alone said E, and never report it as a finding.
// Other ops (create_ruleset, add_rule, restrict_self, close, socket) return the probe's result.
//
// The task's fd table: real fd numbers differ from the models' (3, 4, ... there; anything here).
// Each task thread has its own fd table (unshare(CLONE_FILES)), and an fd number the task did
// not get from its own ops is never passed to the kernel: it becomes INT_MAX (never open:
// EBADF), as a number absent from the task's table would be, so no op can touch another fd of
// this process (the same for a path_beneath attr's parent_fd); -1 stays -1 (ABI 7's
// restrict_self(-1, LOG_SUBDOMAINS_OFF) means something). Scenarios that name the
// models' small fd numbers raw are therefore not comparable; generate them with -1 and huge
// numbers only (GeneratorOptions::live_comparable).
//
// Safety, and where the engine does not run the syscall as given (each documented, each an
// answer a kernel could give):
//   - AF_VSOCK sockets are never created (vsock is not namespaced and reaches the hypervisor):
//     socket(AF_VSOCK, ...) answers as a kernel without vsock would (EINVAL for bad type bits,
//     else EAFNOSUPPORT).
//   - A pathname AF_UNIX address (family 1, sun_path[0] != 0) is moved into the abstract
//     namespace (sun_path[0] = 0, which is per network namespace), so no socket file is created
//     or reached; Landlock's network hooks do not look at AF_UNIX sockets.
//   - Workers have no CAP_NET_RAW (the models' task never has it), and CAP_SYS_ADMIN only with
//     TaskSpec::cap_sys_admin. sendto always adds MSG_NOSIGNAL; sockets get SO_SNDTIMEO 1 s so
//     a blocking connect/sendto is bounded.
//   - Memory past UserBuffer::readable is an unmapped page, so EFAULT is real.
//   - EndTask closes every fd the task made (no port stays bound).
//
// The filesystem (docs/filesystem.md). The probe thread gets its own world: before dropping
// capabilities it unshares its fs_struct and mount namespace (CLONE_FS | CLONE_NEWNS, allowed
// for one thread), makes every mount private, mounts a fresh tmpfs (mode 0755) on a directory
// the engine made once under /tmp, sets umask 0 and keeps an O_PATH fd on the tmpfs root:
// Engine::kAtRoot means that fd (it is not the task's: Close cannot reach it). Namespace and
// tmpfs go when the thread ends. The task stays root on that tmpfs (CAP_MKNOD,
// CAP_DAC_OVERRIDE, ...; only CAP_NET_RAW and, unless TaskSpec::cap_sys_admin, CAP_SYS_ADMIN
// are dropped), so mount is EPERM without CAP_SYS_ADMIN and nothing else changes. The twin runs
// no filesystem syscall: it answers each filesystem op with the probe's result, and for an fd
// the probe opened it holds a placeholder fd of the same kind (O_PATH or not) so that a socket
// op on it fails on both threads alike (ENOTSOCK / EBADF: no Landlock hook is reached).
// How each op is made, and where the engine does not run it as given:
//   - Paths outside the model's grammar (empty, leading '/', "..", other characters) are never
//     resolved: -ENOENT. So no op can leave the task's tmpfs.
//   - mknod of a character device other than 1:3 (null) and 0:0 (whiteout), or of any block
//     device, makes a device number no driver owns (major 60, "local/experimental"), so it
//     opens to ENXIO as the contract says, and no op ever reaches a real disk or driver;
//     Landlock's decisions depend on the file type only. `dev` reaches mknodat as the syscall
//     takes it (unsigned int: the low 32 bits of makedev's encoding).
//   - Truncate(dirfd, path): openat(dirfd, path, O_PATH), then truncate() of its
//     /proc/thread-self/fd magic link (there is no truncateat; Landlock checks the file's own
//     path, however it was reached, and does not restrict the walk).
//   - Execute: execveat(dirfd, path, argv, envp, 0) with argv and envp at a kernel-half address
//     that access_ok() always refuses: the kernel opens the file for execution (Landlock's
//     file_open with FMODE_EXEC, then the ETXTBSY check) and then fails to count argv with
//     EFAULT, before any binary format is looked at, so an exec can never succeed whatever the
//     file holds or binfmt_misc says. EFAULT (and ENOEXEC) → 0.
//   - Execve: Execute's exec check, then what exec does to the fd table: the fds the kernel
//     marks FD_CLOEXEC are closed. The program is not replaced (this thread goes on running the
//     scenario); what a new program changes for Landlock is only which program made each domain,
//     which shows in denial logs (LOG_SAME_EXEC_OFF, LOG_NEW_EXEC_ON), and this engine does not
//     collect logs.
//   - Ioctl: ioctl(fd, cmd, 0); -EBADF and -EACCES are returned, anything else is 0 (the file's
//     own answer is not compared). FIFREEZE and FITHAW become FIGETBSZ: Landlock allows all
//     three on every file, and a frozen tmpfs would hang the task.
//   - BindMount: dst is opened O_PATH from its dirfd (the first resolution, as in mount(2)),
//     then mount(src, dst, MS_BIND) runs on /proc/thread-self/fd paths, src resolved by mount
//     itself after the sb_mount hook and the capability check; a bad src dirfd is EBADF there.
//
// Not thread-safe: one LiveEngine per calling thread.

#ifndef LOCKSTEP_ENGINE_LIVE_ENGINE_H_
#define LOCKSTEP_ENGINE_LIVE_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "engine/live_audit.h"

namespace lockstep {

// What the running kernel offers, detected with syscalls; never guessed.
struct LiveKernelInfo {
  std::string release;          // uname -r, e.g. "6.18.44-fc-v769"
  std::string version;          // its numeric part, e.g. "6.18.44"
  int abi_version = 0;          // LANDLOCK_CREATE_RULESET_VERSION (0: no answer)
  bool errata_supported = false;  // LANDLOCK_CREATE_RULESET_ERRATA answered
  uint32_t errata = 0;
  bool usable = false;          // Landlock with network rules (ABI 4+) and the namespaces work
  std::string reason;           // why not usable, one line
  // A thread can make a private mount namespace with a fresh tmpfs (the filesystem ops).
  bool filesystem_usable = false;
  std::string filesystem_reason;  // why not, one line
  // Device files work there: mknod of char 1:3 succeeds and opens. Not in a user namespace
  // other than the initial one (e.g. Bazel's sandbox): mknod of a device is EPERM (no
  // CAP_MKNOD there) and the tmpfs is nodev (opening any device is EACCES), so scenarios with
  // devices are not comparable with the models there.
  bool devices_usable = false;
  std::string devices_reason;  // why not, one line
  // ptrace between the engine's tasks is decided by Landlock and the credentials alone: Yama
  // is absent or its kernel.yama.ptrace_scope is 0 (1 and up refuse what Landlock allows).
  bool ptrace_unrestricted = false;
  std::string ptrace_reason;  // why not, one line
};

// Detects once per process (the namespaces are made then) and returns the same answer after.
const LiveKernelInfo& DetectLiveKernel();

// D (with the domain) and N (the stack alone) → Landlock's verdict, as described above.
long LandlockVerdict(long with_domain, long stack_alone);
// D and N → the stack's answer to publish beside that verdict, as described above.
long StackAnswer(long with_domain, long stack_alone);

namespace live_internal {
class Worker;
class TaskThread;
struct GuardedRegion;
struct RemoteRequest;
struct RemoteReply;
}  // namespace live_internal

class LiveEngine : public Engine {
 public:
  // The engine, or the reason the live kernel cannot be used here (DetectLiveKernel().reason).
  static absl::StatusOr<std::unique_ptr<LiveEngine>> Create();
  ~LiveEngine() override;

  // Read the live kernel's denial logs from now on (engine/live_audit.h), or say why they
  // cannot be read. kLeaveAlone reads only where audit is already enabled; kEnableForRun (the
  // explicit --live-audit) enables it for the engine's lifetime. Without this, or after it
  // failed, TakeLogRecords says nothing is known.
  //
  // What is compared: each op's access and allocated records, kept by the pid of this process
  // (other processes' records go by too). Domains are numbered as the scenario made them once
  // every domain of the task has shown its id in an allocated record (the kernel tells no other
  // way); before that they are left unnumbered (domain=*: matching any number). A path is
  // named from the task's tmpfs root, as the other engines name it. Task exit's deallocation
  // records come when the freed credentials' work runs, after the thread is gone: not compared.
  // Nor is anything after an Execve, which does not replace this engine's program.
  absl::Status ReadDenialLogs(LiveAudit::Mode mode);
  bool TakeLogRecords(std::vector<LogRecord>* out) override;

  // "live-6.18.44".
  std::string Name() const override;
  const LiveKernelInfo& info() const { return info_; }

  void BeginTask(const TaskSpec& spec) override;
  std::vector<EngineFinding> EndTask() override;

  long Syscall(const OpArgs& args) override;
  bool LastStackAloneResult(long* ret) const override;

  // Each op (what Syscall dispatches to), callable directly on a LiveEngine.
  long CreateRuleset(UserBuffer attr, size_t size, uint32_t flags);
  long AddRule(int ruleset_fd, int rule_type, UserBuffer rule_attr, uint32_t flags);
  long RestrictSelf(int ruleset_fd, uint32_t flags);
  long SetNoNewPrivs();
  long Close(int fd);
  long Socket(int family, int type, int protocol);
  long Bind(int fd, UserBuffer addr, int addrlen);
  long Connect(int fd, UserBuffer addr, int addrlen);
  long SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags);
  long Listen(int fd);
  // accept4() without waiting (the listener is O_NONBLOCK for the call), on the probe only; the
  // accepted socket's twin is a stand-in that answers what the probe did (TaskThread::Accept).
  // Another family's accept is not run (scenario/live_comparable.h).
  long Accept(int fd, uint32_t flags);

  long Mkdir(int dirfd, const std::string& path);
  long Mknod(int dirfd, const std::string& path, uint32_t mode, uint64_t dev);
  long Open(int dirfd, const std::string& path, uint32_t flags);
  long Execute(int dirfd, const std::string& path);
  long Execve(int dirfd, const std::string& path);
  // Threads: real sibling threads. Thread() starts one from the running thread of the probe
  // (and one from the twin's), so it starts with that thread's credentials (its Landlock
  // domain, no_new_privs, capabilities), fd table, filesystem and namespaces, as clone() of a
  // thread does; OnThread() picks the thread that runs the next ops. An Execve ends the other
  // threads (their OS threads wait, idle, until EndTask). TSYNC is never run here: it would
  // restrict every thread of this process (scenario/live_comparable.cc).
  long Thread();
  long OnThread(int thread);
  // Between processes (docs/tasks.md). Fork() forks the running task (a probe worker, or a
  // task already in a child process) into a child process that serves that task's ops over a
  // SOCK_SEQPACKET channel, with the copy of its TaskThread (so its fd table's bookkeeping is
  // the child's own). A task in a child process makes the ops between tasks, the Landlock
  // syscalls and the socket ops (create_ruleset, add_rule, restrict_self, no_new_privs, close,
  // socket, bind, connect, sendto, listen: Syscall() sends them over the channel; thread,
  // fork); its socket ops also go to the twin of its process, a child process of the twin's
  // made at its first socket (RemoteBoth), or for a socket it got by fork to the twin of the
  // socket's maker (TwinRef). Filesystem ops are not served there (-ENOSYS;
  // WhyLiveMustNotRun keeps such scenarios away). Kill() is tgkill(2) of the task's real ids;
  // every task blocks all signals, so a signal stays pending until a sigwait takes it, or is
  // discarded with the task. Ptrace() is PTRACE_SEIZE (the checks PTRACE_ATTACH makes,
  // without a SIGSTOP), then PTRACE_INTERRUPT, a wait for the stop and PTRACE_DETACH. EndTask
  // kills the child processes (SIGKILL) and reaps them (this process is made a child subreaper
  // for their own children). The children's denial records carry their own pids: a task that
  // forked has its logs unknown.
  long Fork();
  long Kill(int task, int sig);
  long Ptrace(int task);
  // ptrace(PTRACE_TRACEME) in the running task (one in a child process: a task of task 0's
  // process has its parent outside the scenario, -ESRCH); when it succeeded the parent thread
  // stops the tracee (SIGSTOP), waits for it and detaches it, the signal suppressed.
  long Traceme();
  // setown: fcntl(F_SETOWN_EX, F_OWNER_TID of the task's real thread) and O_ASYNC on the
  // running task's fd, on the probe only (the twin's sockets have no owner, so its ops signal
  // nobody twice); sigwait: rt_sigtimedwait() on the running task's thread, without waiting.
  long Setown(int fd, int task);
  long Sigwait(int sig);
  long Truncate(int dirfd, const std::string& path);
  long Ftruncate(int fd);
  long Unlink(int dirfd, const std::string& path);
  long Rmdir(int dirfd, const std::string& path);
  long Rename(int old_dirfd, const std::string& old_path, int new_dirfd,
              const std::string& new_path, uint32_t flags);
  long Link(int old_dirfd, const std::string& old_path, int new_dirfd,
            const std::string& new_path);
  long Ioctl(int fd, uint32_t cmd);
  long BindMount(int src_dirfd, const std::string& src_path, int dst_dirfd,
                 const std::string& dst_path);

  // A whole task at once, for throughput: runs `body(engine, twin)` on a fresh probe thread,
  // then on a fresh twin thread (restrict_self skipped there), each with an Engine that makes
  // the syscalls directly on that thread. `body` must call BeginTask(spec) first and EndTask()
  // last, make the same ops on both (the scenario runner does) and return what each op
  // returned (RunResult::returned): the twin needs the probe's results to keep its sockets'
  // histories equal to the probe's. Used by RunLiveScenario (scenario/live_runner.h).
  // `filesystem` false skips the probe's tmpfs (its filesystem ops then return kNoFilesystem):
  // for a body with no filesystem op, it saves the namespace's setup and teardown.
  template <typename Body>
  void RunBoth(Body&& body, bool filesystem = true);

 private:
  explicit LiveEngine(const LiveKernelInfo& info);
  void RunBothImpl(std::vector<long> (*fn)(void*, Engine&, bool twin), void* ctx,
                   bool filesystem);
  // The twin's fd for one of the probe's fds, -1 when none.
  int TwinFd(int probe_fd) const;
  long SocketOp(int kind, int fd, UserBuffer addr, int addrlen, uint32_t flags);

  // A task's real ids, and for a task served in a child process its channel (an fd of the
  // probe's table: the probe's first worker makes the calls).
  struct TaskIds {
    int tgid = 0;
    int tid = 0;
    int channel = -1;
    int parent = -1;  // the task that forked its process (a thread: its creator's); -1: outside
  };
  // The running task makes `args` (a task served in a child process: remote_).
  long RemoteOp(const OpArgs& args, const TaskIds* target = nullptr) {
    return RemoteCall(remote_, static_cast<int>(args.kind), args, target);
  }
  // Task `task` (served in a child process) makes op `kind` (an OpKind, or one of the serving
  // loop's own requests) with `args`.
  // `twin`: the twin of the task's process makes it instead, told what the probe returned
  // (`probe_ret`).
  long RemoteCall(int task, int kind, const OpArgs& args, const TaskIds* target,
                  bool twin = false, long probe_ret = 0);
  // An op of the TaskThread's in a child process: the probe's task makes it; a socket op (and
  // the close of a socket made there) the twin of its process too, with the twin's fd (for a
  // socket op, Landlock's verdict from the two). A socket the process got by fork has its
  // twin in its maker's twin (TwinRef).
  long RemoteBoth(const OpArgs& args);
  // A socket's twin: in the twin of the process that made the socket (`owner`, that probe
  // process's tgid: task 0's, whose twin is twin_task_, or a child's, whose twin is in
  // child_twins_), at `fd` of that twin's table. One socket shared by several processes
  // through fork has one twin, and one history, there.
  struct TwinRef {
    int owner = 0;
    int fd = -1;
    bool operator<(const TwinRef& o) const {
      return owner != o.owner ? owner < o.owner : fd < o.fd;
    }
  };
  // The twin `ref` makes op `args` (on ref.fd), told that the probe returned `probe_ret`.
  long TwinOp(const TwinRef& ref, OpArgs args, long probe_ret);
  // A fork of the process `parent` (a tgid) made `child`: it holds copies of the parent's
  // sockets, its own and those it got the same way.
  void CopySockets(int parent, int child);
  // A process's copy of `ref` closed: the twin closes when it was the last and its maker's own
  // fd closed before (orphaned_).
  void DropCopy(const TwinRef& ref);
  // Whether copies of the socket `ref` are held by other processes than its maker.
  bool Copied(const TwinRef& ref) const { return copies_.count(ref) != 0; }
  // One request and its reply on `channel` (an fd passed with the reply in *passed_fd, when
  // given); false when the channel failed. `twin`: a channel of the twin's table.
  bool Exchange(int channel, const live_internal::RemoteRequest& q,
                live_internal::RemoteReply* reply, int* passed_fd = nullptr,
                bool twin = false);
  // Task `t`'s parent now: once the thread that forked its process ended, a live thread of
  // that process (as the kernel reparents); -1: outside the scenario.
  int ParentOf(int t) const;
  // kill and ptrace: the running task makes `args` towards task `task` (-ESRCH when there is
  // none or it ended): over its channel, or on its worker as `on_worker(target)`.
  long TaskToTask(const OpArgs& args, int task,
                  const std::function<long(const TaskIds&)>& on_worker);
  // A new task from the running one: a thread (process false) or a child process, served in a
  // child process; its number, or -errno.
  long NewRemoteTask(bool process);
  // Ends every child process of the task (EndTask).
  void EndChildProcesses();

  LiveKernelInfo info_;
  std::string mount_dir_;  // where each probe mounts its tmpfs (empty: no filesystem)
  std::unique_ptr<live_internal::GuardedRegion> probe_mem_, twin_mem_;
  std::unique_ptr<live_internal::TaskThread> probe_task_, twin_task_;  // used on the workers
  // The task's threads, by number: each a worker on the probe side and one on the twin side;
  // probe_ and twin_ are the running thread's.
  std::vector<std::unique_ptr<live_internal::Worker>> probe_threads_, twin_threads_;
  std::vector<bool> thread_ended_;
  std::vector<TaskIds> task_ids_;  // by task number; probe_threads_[n] is null for a remote one
  int remote_ = -1;                // the running task when it is served in a child process
  int running_ = 0;                // the running task's number
  std::vector<int> child_pids_;    // the task's child processes, in the order they were made
  live_internal::Worker* probe_ = nullptr;
  live_internal::Worker* twin_ = nullptr;
  std::unordered_map<int, int> twin_fds_;  // probe fd → twin fd
  // The twin of each child process that made a socket, by the child's tgid: a child process of
  // the twin's (made at the child's first socket op; it drops the sockets it inherited), its
  // channel (an fd of the twin's table) and its fds standing in for the child's sockets.
  struct ChildTwin {
    int channel = -1;
    std::unordered_map<int, int> fds;  // probe child's fd → twin child's fd
  };
  std::map<int, ChildTwin> child_twins_;
  std::vector<int> task0_sockets_;  // the probe fds of task 0's process that are sockets
  // Sockets a child process got by fork, by its tgid: its fd → the socket's twin. How many
  // copies each twin socket has in other processes' tables; a twin socket whose maker's own
  // fd closed while copies were left (it stays open until the last copy goes).
  std::map<int, std::map<int, TwinRef>> inherited_;
  std::map<TwinRef, int> copies_;
  std::vector<TwinRef> orphaned_;
  std::vector<long> probe_returned_;       // the probe's result for each op of the task
  // Denial logs (ReadDenialLogs): the reader, the task's domains made so far and the ids its
  // allocated records have shown, and whether the task ended (its exit is not compared).
  std::unique_ptr<LiveAudit> audit_;
  int domains_ = 0;
  std::vector<uint64_t> domain_ids_;
  bool task_ended_ = false;
  bool logs_unknown_ = false;  // an Execve ran (the program was not really replaced)
  bool has_stack_ = false;
  long last_stack_ = 0;
};

template <typename Body>
void LiveEngine::RunBoth(Body&& body, bool filesystem) {
  RunBothImpl(
      [](void* ctx, Engine& e, bool twin) -> std::vector<long> {
        return (*static_cast<Body*>(ctx))(e, twin);
      },
      &body, filesystem);
}

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_LIVE_ENGINE_H_
