#include "scenario/live_comparable.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/landlock_uapi.h"
#include "scenario/fs_ops.h"

namespace lockstep {
namespace {

// A restrict_self with LANDLOCK_RESTRICT_SELF_TSYNC (ABI 8) restricts every thread of the
// process running the live engine (the fuzzer, the test runner), not only the scenario's.
constexpr char kTsyncReason[] =
    "restrict_self with TSYNC, which would restrict every thread of this process";
// fork, kill, ptrace and traceme: the live differential fuzzer keeps to one process per input
// (forking per exec would cost more than it finds); LiveTasks runs them live.
constexpr char kProcessesReason[] =
    "an op between processes (fork, kill, ptrace, traceme): the live fuzzer runs one process per "
    "input (LiveTasks runs generated ones)";
bool RestrictsEveryThread(const Op& op) {
  constexpr uint32_t kRestrictSelfTsync = 1u << 3;
  return op.kind == OpKind::kRestrictSelf && (op.flags & kRestrictSelfTsync) != 0;
}

// The live process's own fds are below 1<<20 (see the file comment of live_comparable.h).
bool ComparableFd(const FdRef& ref) {
  return ref.kind == FdRef::Kind::kHandle || ref.value == -1 || ref.value >= (1 << 20);
}

constexpr uint32_t kModelOpenFlags = fs::kOAccmode | fs::kOCreat | fs::kOExcl | fs::kOTrunc |
                                     fs::kONonblock | fs::kODirectory | fs::kOCloexec |
                                     fs::kOPath;
constexpr int kSockTypeMask = 0xf;
constexpr int kSockNonblock = 04000;
constexpr int kSockCloexec = 02000000;

std::string WhySocketNotComparable(const Op& op) {
  const int type = op.type & kSockTypeMask;
  const int flags = op.type & ~kSockTypeMask;
  if ((flags & ~(kSockNonblock | kSockCloexec)) != 0) {
    return absl::StrCat("socket type flags 0x", absl::Hex(flags));
  }
  const std::string what =
      absl::StrCat("socket family ", op.family, " type ", type, " protocol ", op.protocol);
  if (op.family == net::kAfUnix) {
    const bool modelled =
        type == net::kSockStream || type == net::kSockDgram || type == net::kSockSeqpacket;
    return modelled && op.protocol == 0 ? "" : what;
  }
  if (op.family != net::kAfInet && op.family != net::kAfInet6) return what;
  if (type == net::kSockStream) {
    const bool tcp = op.protocol == 0 || op.protocol == net::kIpprotoTcp ||
                     op.protocol == net::kIpprotoMptcp;
    return tcp ? "" : what;
  }
  if (type == net::kSockDgram) {
    return op.protocol == 0 || op.protocol == net::kIpprotoUdp ? "" : what;
  }
  return what;
}

// A pathname AF_UNIX address (a named socket): the models have them, but the live engine's twin
// has no filesystem to bind one in, and no socket file may be made on the machine.
constexpr char kPathnameReason[] = "a pathname UNIX socket address (named sockets run on the "
                                   "models only: the live twin has no filesystem)";
bool HasPathnameUnixAddress(const Op& op) {
  const std::vector<uint8_t>& b = op.mem.bytes;
  return !op.mem.null && op.mem.readable >= 3 && b.size() >= 3 && op.addrlen > 2 &&
         b[0] == net::kAfUnix && b[1] == 0 && b[2] != 0;
}

// accept of a socket of another family than AF_UNIX: the models do not model its
// connections (a TCP listener answers as one that does not listen).
constexpr char kAcceptReason[] =
    "accept of a socket of another family than AF_UNIX (the models do not model its connections)";
bool AcceptsOtherFamily(const Scenario& s, const Op& op, size_t at) {
  if (op.kind != OpKind::kAccept || op.fd.kind != FdRef::Kind::kHandle || op.fd.value < 0 ||
      static_cast<size_t>(op.fd.value) >= at) {
    return false;
  }
  const Op& made = s.ops[static_cast<size_t>(op.fd.value)];
  return made.kind == OpKind::kSocket && made.family != net::kAfUnix;
}

// Whether an op's `fd` is a task's number (on_thread, kill, ptrace), never an fd.
bool FdNamesTask(OpKind kind) {
  return kind == OpKind::kOnThread || kind == OpKind::kKill || kind == OpKind::kPtrace;
}

}  // namespace

std::string WhyOpNotLiveComparable(const Op& op) {
  // setown's `at` is its owner: a task number, never an fd.
  const bool at_names_task = op.kind == OpKind::kSetown;
  for (const std::optional<FdRef>* ref : {&op.parent_fd, &op.at, &op.at2}) {
    if (at_names_task && ref == &op.at) continue;
    if (ref->has_value() && !ComparableFd(**ref)) return "a raw fd below 1<<20";
  }
  if (!FdNamesTask(op.kind) && !ComparableFd(op.fd)) return "a raw fd below 1<<20";
  // A file's owner and the pending signals mean the same among the threads of one process.
  if (BetweenProcesses(op.kind) && op.kind != OpKind::kSetown && op.kind != OpKind::kSigwait) {
    return kProcessesReason;
  }
  switch (op.kind) {
    case OpKind::kMknod: {
      const uint32_t file_type = op.mode & fs::kSIfmt;
      const bool device = file_type == fs::kSIfchr || file_type == fs::kSIfblk;
      const bool modelled = op.dev == 0 || (file_type == fs::kSIfchr && op.dev == fs::kNullDevice);
      return device && !modelled ? "a device node no engine models" : "";
    }
    case OpKind::kOpen:
      return (op.flags & ~kModelOpenFlags) != 0
                 ? absl::StrCat("open flags 0x", absl::Hex(op.flags & ~kModelOpenFlags),
                                " outside the model")
                 : "";
    case OpKind::kAddRule:
      if (op.rule_type == 1 && !op.parent_fd && op.mem.bytes.size() >= 12) {
        int32_t raw = 0;
        for (int i = 0; i < 4; ++i) raw |= static_cast<int32_t>(op.mem.bytes[8 + i]) << (8 * i);
        if (!ComparableFd(FdRef::Raw(raw))) return "a path-beneath rule on a raw fd below 1<<20";
      }
      return "";
    case OpKind::kSocket:
      return WhySocketNotComparable(op);
    case OpKind::kBind:
    case OpKind::kConnect:
    case OpKind::kSendTo:
      return HasPathnameUnixAddress(op) ? kPathnameReason : "";
    case OpKind::kRestrictSelf:
      return RestrictsEveryThread(op) ? kTsyncReason : "";  // on the compiled trees only
    default:
      return "";
  }
}

ProcessMap MapProcesses(const Scenario& s) {
  // Tasks are numbered as `thread` and `fork` make them (at most LOCKSTEP_MAX_TASK_THREADS);
  // `on_thread` names one by a handle to the op that made it, or by its number. A number that
  // is no task leaves the running task running (ESRCH), and so does a handle to a `thread` or
  // `fork` past the limit (it made none: -1); a handle to another op names whatever that op
  // returned: unknown.
  ProcessMap m;
  m.parent = {-1};
  m.forked_at = {-1};
  std::vector<int> process_of_task = {0};
  std::vector<int> task_made_by(s.ops.size(), -1);  // op index -> the task it made
  m.of_op.assign(s.ops.size() + 1, -1);
  int running = 0;
  for (size_t i = 0; i <= s.ops.size(); ++i) {
    const int process = running >= 0 ? process_of_task[static_cast<size_t>(running)] : -1;
    m.of_op[i] = process;
    if (i == s.ops.size()) break;
    const Op& op = s.ops[i];
    if ((op.kind == OpKind::kThread || op.kind == OpKind::kFork) &&
        process_of_task.size() < LOCKSTEP_MAX_TASK_THREADS) {
      task_made_by[i] = static_cast<int>(process_of_task.size());
      if (op.kind == OpKind::kFork) {
        process_of_task.push_back(static_cast<int>(m.parent.size()));
        m.parent.push_back(process);
        m.forked_at.push_back(static_cast<int>(i));
      } else {
        process_of_task.push_back(process);
      }
    } else if (op.kind == OpKind::kOnThread) {
      int task = op.fd.kind == FdRef::Kind::kRaw ? op.fd.value : -1;
      bool unknown = false;
      if (op.fd.kind == FdRef::Kind::kHandle && op.fd.value >= 0 &&
          static_cast<size_t>(op.fd.value) < i) {
        const OpKind made = s.ops[static_cast<size_t>(op.fd.value)].kind;
        task = task_made_by[static_cast<size_t>(op.fd.value)];
        unknown = made != OpKind::kThread && made != OpKind::kFork;
      }
      if (unknown) {
        running = -1;
      } else if (task >= 0 && task < static_cast<int>(process_of_task.size())) {
        running = task;
      }
    }
  }
  return m;
}

bool ProcessMap::Holds(int process, int op) const {
  for (int p = process, before = static_cast<int>(of_op.size()); p >= 0;
       before = forked_at[static_cast<size_t>(p)], p = parent[static_cast<size_t>(p)]) {
    if (op < before && of_op[static_cast<size_t>(op)] == p) return true;
  }
  return false;
}

NotLiveComparable WhyLiveMustNotRun(const Scenario& s, int abi, bool ptrace_unrestricted) {
  bool processes = false;
  for (const Op& op : s.ops) processes |= op.kind == OpKind::kFork;
  const ProcessMap map = processes ? MapProcesses(s) : ProcessMap();
  bool execed = false;
  for (size_t i = 0; i < s.ops.size(); ++i) {
    const Op& op = s.ops[i];
    const int at = static_cast<int>(i);
    // The live engine's execve ends no thread for real (engine/live_engine.h): a child's real
    // parent stays the thread that forked it, where the kernel would reparent it.
    if (op.kind == OpKind::kTraceme && execed && processes) {
      return {"traceme after an execve: the live engine's execve ends no thread for real, so a "
              "child's parent stays the thread that forked it",
              at};
    }
    execed |= op.kind == OpKind::kExecve;
    if (abi >= 8 && RestrictsEveryThread(op)) return {kTsyncReason, at};
    if (HasPathnameUnixAddress(op)) return {kPathnameReason, at};
    if (AcceptsOtherFamily(s, op, i)) return {kAcceptReason, at};
    if ((op.kind == OpKind::kPtrace || op.kind == OpKind::kTraceme) && !ptrace_unrestricted) {
      return {"ptrace, which this machine's Yama restricts beyond Landlock", at};
    }
    if (op.kind == OpKind::kCreateRuleset && abi < 6 && op.mem.bytes.size() >= 24 &&
        std::any_of(op.mem.bytes.begin() + 16, op.mem.bytes.begin() + 24,
                    [](uint8_t b) { return b != 0; })) {
      return {"a ruleset with scopes, which this kernel's Landlock (ABI < 6) does not have", at};
    }
    if (!processes) continue;
    const int process = map.of_op[i];
    // Each process makes the Landlock syscalls, the ops between tasks and the socket ops, on
    // the fds it made or inherited (a socket's copies share their twin, in its maker's twin
    // process); task 0's process every op.
    const bool served = ServedInChildren(op.kind) || op.kind == OpKind::kThread ||
                        op.kind == OpKind::kOnThread || BetweenProcesses(op.kind);
    if (!served && process != 0) {
      return {absl::StrCat(OpKindName(op.kind), " in a child process: the live engine's child "
                           "processes make only the Landlock syscalls, the socket ops and the "
                           "ops between tasks"),
              at};
    }
    const bool fd_is_task = FdNamesTask(op.kind);
    if (process < 0 && (Takes(op.kind, LOCKSTEP_ARG_FD) || op.kind == OpKind::kSocket) &&
        !fd_is_task) {
      return {absl::StrCat(OpKindName(op.kind), " by a task the text cannot tell the process of "
                           "(on_thread of a handle that names no task)"),
              at};
    }
    // A handle names the fd the op returned in its own process's table: another process has
    // it only by inheritance (made in an ancestor before the fork). A raw number means the
    // same in every table of the probe's processes (the engine's own fds sit high).
    if (Takes(op.kind, LOCKSTEP_ARG_FD) && !fd_is_task && op.fd.kind == FdRef::Kind::kHandle &&
        op.fd.value >= 0 && op.fd.value < at && !map.Holds(process, op.fd.value)) {
      return {absl::StrCat(OpKindName(op.kind), " on an fd its process neither made nor "
                           "inherited (a handle names an fd of its own process)"),
              at};
    }
  }
  return {};
}

std::string NotLiveComparable::ToString() const {
  return op < 0 ? reason : absl::StrCat("op ", op + 1, ": ", reason);
}

NotLiveComparable WhyNotLiveComparable(const Scenario& s, bool devices_usable) {
  if (!devices_usable && MakesDeviceNodes(s)) {
    return {"makes device nodes, which the live side cannot here", -1};
  }
  // Whether `ref` names the result of a `thread` op (a thread's number).
  const auto names_thread = [&](const std::optional<FdRef>& ref) {
    return ref.has_value() && ref->kind == FdRef::Kind::kHandle && ref->value >= 0 &&
           static_cast<size_t>(ref->value) < s.ops.size() &&
           s.ops[static_cast<size_t>(ref->value)].kind == OpKind::kThread;
  };
  for (size_t i = 0; i < s.ops.size(); ++i) {
    const Op& op = s.ops[i];
    std::string why = WhyOpNotLiveComparable(op);
    if (!why.empty()) return {std::move(why), static_cast<int>(i)};
    if (AcceptsOtherFamily(s, op, i)) return {kAcceptReason, static_cast<int>(i)};
    // Threads and fds are numbered apart, and the live kernel's fds are not the models' (3, 4,
    // ...): a thread's number used as an fd, or an fd's as a thread, names different things.
    if (op.kind == OpKind::kOnThread) {
      if (op.fd.kind == FdRef::Kind::kHandle && !names_thread(op.fd)) {
        return {"on_thread of an fd's number", static_cast<int>(i)};
      }
    } else if (names_thread(op.fd) || names_thread(op.parent_fd) ||
               (op.kind != OpKind::kSetown && names_thread(op.at)) || names_thread(op.at2)) {
      return {"a thread's number used as an fd", static_cast<int>(i)};
    }
  }
  return {};
}

}  // namespace lockstep
