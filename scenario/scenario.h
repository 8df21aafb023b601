// A scenario: an ordered list of syscall-shaped ops run in one fresh task, the unit that every
// engine executes, every finding is reduced to, and every corpus case is written as (.scn text,
// or compact binary for fuzzers; both decode to this type).
//
// Arguments are stored as the bytes and integers the syscalls receive, so deliberately malformed
// input (short attrs, odd addrlen, unknown bits) is as expressible as well-formed input. fds are
// symbolic: an op refers to the fd an earlier op returned (a handle), or to a raw number.

#ifndef LOCKSTEP_SCENARIO_SCENARIO_H_
#define LOCKSTEP_SCENARIO_SCENARIO_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "model/profile.h"

namespace lockstep {

// The op kinds (OpKind, kNumOpKinds, kAllOpKinds, InfoOf, Takes) come from engine/ops.h's
// table, the one place an op is described, through engine/engine.h.

// The op's name in .scn text and tables: "create_ruleset", "add_rule", ...
const char* OpKindName(OpKind kind);

// The kernel functions gdb stops in for an op of `kind`, space-separated (see LOCKSTEP_OPS):
// "hook_path_mkdir", "current_check_access_socket", ...
const char* OpKindBreakFunctions(OpKind kind);

// An fd argument: the fd returned by an earlier op (by that op's index in the scenario), or a raw
// number (-1, 1000, ...) to reach the bad-fd paths.
struct FdRef {
  enum class Kind { kHandle, kRaw };
  Kind kind = Kind::kRaw;
  int value = -1;  // kHandle: index of the op that returned the fd; kRaw: the number

  static FdRef Handle(int op_index) { return {Kind::kHandle, op_index}; }
  static FdRef Raw(int fd) { return {Kind::kRaw, fd}; }
  bool operator==(const FdRef& o) const { return kind == o.kind && value == o.value; }
};

// User memory passed by pointer: NULL, or `bytes` of which the first `readable` can be read (the
// rest lies on an unmapped page: reading it faults).
struct UserMem {
  bool null = false;
  std::vector<uint8_t> bytes;
  // How many of `bytes` are readable; equal to bytes.size() unless the case is about faults.
  size_t readable = 0;

  static UserMem Null() { return {true, {}, 0}; }
  static UserMem Of(std::vector<uint8_t> b) {
    const size_t n = b.size();
    return {false, std::move(b), n};
  }
  bool operator==(const UserMem& o) const {
    return null == o.null && bytes == o.bytes && readable == o.readable;
  }
};

// What an op returned, as engines are compared: an fd (its number does not matter), an errno, or
// a plain value (an ABI version, 0).
struct Outcome {
  enum class Kind { kValue, kFd, kErrno };
  Kind kind = Kind::kValue;
  long value = 0;  // kValue: the value; kErrno: the positive errno; kFd: the fd (not compared)

  static Outcome Value(long v) { return {Kind::kValue, v}; }
  static Outcome Fd(long fd = 0) { return {Kind::kFd, fd}; }
  static Outcome Errno(int e) { return {Kind::kErrno, e}; }
  // Compared as engines see them: every fd equals every fd.
  bool operator==(const Outcome& o) const {
    return kind == o.kind && (kind == Kind::kFd || value == o.value);
  }
  bool operator!=(const Outcome& o) const { return !(*this == o); }
  // "fd", "EACCES", "6", "0".
  std::string ToString() const;
};

struct Op {
  OpKind kind = OpKind::kCreateRuleset;
  // The name later ops use for the fd this op returns ("r1", "sock"); empty when unnamed.
  std::string name;
  FdRef fd;                // add_rule, restrict_self, close, bind, connect, sendto, ftruncate, ioctl
  UserMem mem;             // create_ruleset/add_rule: the attr; bind/connect/sendto: the address
  uint64_t size = 0;       // create_ruleset: the size argument
  int32_t addrlen = 0;     // bind, connect, sendto
  int32_t rule_type = 0;   // add_rule
  uint32_t flags = 0;      // create_ruleset, add_rule, restrict_self, sendto
  int32_t family = 0;      // socket
  int32_t type = 0;        // socket
  int32_t protocol = 0;    // socket
  // add_rule path_beneath: the attr's parent_fd field (bytes 8..11 of `mem`) is this handle's fd,
  // written into the bytes when the op runs (each engine numbers its fds its own way).
  std::optional<FdRef> parent_fd;
  // Filesystem ops: the path(s) and the directories they resolve from (nullopt: the root).
  // `flags` holds open flags, rename flags or the ioctl command.
  std::string path;                 // all path ops; rename/link/bind_mount: the source
  std::string path2;                // rename, link: the new name; bind_mount: the mount point
  std::optional<FdRef> at;          // dirfd for `path`
  std::optional<FdRef> at2;         // dirfd for `path2`
  uint32_t mode = 0;                // mknod
  uint64_t dev = 0;                 // mknod
  std::optional<Outcome> expect;  // what the op must return, when the case says so
  // `expect[CONDITION,...] OUTCOME`: on an engine whose profile meets every condition (a
  // behaviour switch of model/profile.h compared with a value), expect `outcome` instead of
  // `expect`. The first override whose conditions all hold wins. Keyed by behaviour, never by a
  // version label, so a case holds on any revision or live kernel whose switches are known.
  struct ExpectCondition {
    enum class Cmp { kEq, kNe, kGe, kLt };
    std::string name;  // a switch of model/profile.h, e.g. "sendmsg_fastopen_checked"
    Cmp cmp = Cmp::kNe;
    int64_t value = 0;
    bool operator==(const ExpectCondition& o) const {
      return name == o.name && cmp == o.cmp && value == o.value;
    }
  };
  struct ExpectOverride {
    std::vector<ExpectCondition> when;
    Outcome outcome;
    bool operator==(const ExpectOverride& o) const {
      return when == o.when && outcome == o.outcome;
    }
  };
  std::vector<ExpectOverride> expect_overrides;
  // `log ...` lines after the op: the denial-log records it must write, exactly (an empty
  // vector: `log none`), on an engine that knows its logs and whose revision writes them
  // (WritesDenialLogs); absent: not checked.
  std::optional<std::vector<LogRecord>> expect_log;
  // `log[CONDITION,...] ...`: the log expectation holds only on an engine whose profile meets
  // every condition (as expect[...]); elsewhere it is not an expectation. Empty: everywhere.
  std::vector<ExpectCondition> expect_log_when;
  int line = 0;            // where the op was written in a .scn file (0: not from text)

  // Equality of what the op does and expects; `line` is where it came from, not what it is.
  bool operator==(const Op& o) const;
  bool operator!=(const Op& o) const { return !(*this == o); }
};

// Whether ops of `kind` take a path (Op::path), and a second one (Op::path2: rename, link,
// bind_mount).
constexpr bool TakesPath(OpKind kind) { return Takes(kind, LOCKSTEP_ARG_PATH); }
constexpr bool TakesSecondPath(OpKind kind) { return Takes(kind, LOCKSTEP_ARG_PATH2); }

// Whether ops of `kind` reach the filesystem: they take a path, or they are the filesystem's hooks
// on an fd (ftruncate, ioctl). The others are the network half: rulesets, rules, restrict_self,
// no_new_privs, close, the socket ops and threads.
constexpr bool ReachesFilesystem(OpKind kind) {
  return TakesPath(kind) || kind == OpKind::kFtruncate || kind == OpKind::kIoctl;
}

// TakesAddress and ReportsStackAlone come from engine/engine.h (the live engine decides by the
// second which ops its twin judges).

// Whether ops of `kind` are between processes (docs/tasks.md): fork, kill, ptrace, traceme,
// and the signals a file's owner gets (setown, sigwait).
constexpr bool BetweenProcesses(OpKind kind) {
  return kind == OpKind::kFork || kind == OpKind::kKill || kind == OpKind::kPtrace ||
         kind == OpKind::kTraceme || kind == OpKind::kSetown || kind == OpKind::kSigwait;
}

// Whether a successful `op` returns an fd (create_ruleset without flags, socket, open).
inline bool ReturnsFd(const Op& op) {
  const int ret = InfoOf(op.kind).returns;
  return ret == LOCKSTEP_RET_FD || (ret == LOCKSTEP_RET_FD_UNLESS_FLAGS && op.flags == 0);
}

// What `op` must return on an engine described by `profile` (see Op::expect_overrides); with no
// profile, the plain `expect`. When a condition names a switch `profile` has not determined (a
// live kernel whose witness could not decide it), the expectation cannot be known: `outcome`
// is empty and `undetermined` names the switch.
struct ExpectChoice {
  std::optional<Outcome> outcome;
  std::string undetermined;
};
ExpectChoice ExpectFor(const Op& op, const Profile* profile);

// Whether `profile` meets every condition: false as soon as one is known to fail; else, when a
// switch is undetermined for it, false with its name in *undetermined (when given).
bool ConditionsHold(const std::vector<Op::ExpectCondition>& when, const Profile& profile,
                    std::string* undetermined = nullptr);

// Conditions as .scn writes them inside `expect[...]`: "sendmsg_fastopen_checked" (true),
// "!sendmsg_fastopen_checked" (false), "abi_version>=7", "tcp_check=sock_stream", joined by ','.
std::string ExpectConditionsText(const std::vector<Op::ExpectCondition>& when);

struct Scenario {
  TaskSpec task;
  std::vector<Op> ops;
  // `log exit ...` lines: the records task exit must write (domain deallocations), in any
  // order; checked as Op::expect_log.
  std::optional<std::vector<LogRecord>> expect_exit_log;
  std::vector<Op::ExpectCondition> expect_exit_log_when;  // `log[...] exit ...`

  bool operator==(const Scenario& o) const {
    return task.no_new_privs == o.task.no_new_privs &&
           task.cap_sys_admin == o.task.cap_sys_admin && ops == o.ops &&
           expect_exit_log == o.expect_exit_log && expect_exit_log_when == o.expect_exit_log_when;
  }
};

// Whether `s` makes a character or block device node other than a whiteout (char 0:0): what a
// live engine without CAP_MKNOD over its tmpfs (e.g. in Bazel's sandbox, a user namespace)
// cannot do.
bool MakesDeviceNodes(const Scenario& s);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_SCENARIO_H_
