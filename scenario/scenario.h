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

// Every op kind, one line each, in enum order; a new kind is appended at the end (its position
// is its number, and tables elsewhere, e.g. scenario/binary.cc's tags, rely on the order):
//   X(enumerator, name in .scn text and tables, kernel functions gdb stops in for the op)
// The enum, OpKindName, kNumOpKinds, kAllOpKinds and OpKindBreakFunctions all derive from it, so
// no per-op list can fall out of step with the enum. The break functions (space-separated, the
// one that decides first) are the Landlock functions that decide the op — the fs hook of
// security/landlock/fs.c, current_check_access_socket, the syscall — or, for ops Landlock does
// not see, the shim's or adapter's function that runs them (tools/gdb/lockstep_gdb.py's
// `lockstep-break` reads them from the binary, tests/gdb_printers_test.sh checks each resolves).
#define LOCKSTEP_OP_KINDS(X)                                                                    \
  /* landlock_create_ruleset(mem, size, flags) */                                               \
  X(kCreateRuleset, "create_ruleset", "sys_landlock_create_ruleset")                            \
  /* landlock_add_rule(fd, rule_type, mem, flags) */                                            \
  X(kAddRule, "add_rule", "sys_landlock_add_rule")                                              \
  /* landlock_restrict_self(fd, flags) */                                                       \
  X(kRestrictSelf, "restrict_self", "sys_landlock_restrict_self")                               \
  /* prctl(PR_SET_NO_NEW_PRIVS, 1) */                                                           \
  X(kSetNoNewPrivs, "no_new_privs", "set_no_new_privs")                                         \
  /* close(fd) */                                                                               \
  X(kClose, "close", "lockstep_shim_close")                                                     \
  /* socket(family, type, protocol) */                                                          \
  X(kSocket, "socket", "lockstep_shim_socket")                                                  \
  /* bind(fd, mem, addrlen) */                                                                  \
  X(kBind, "bind", "current_check_access_socket")                                               \
  /* connect(fd, mem, addrlen) */                                                               \
  X(kConnect, "connect", "current_check_access_socket")                                         \
  /* sendto(fd, "", 0, flags, mem or NULL, addrlen) */                                          \
  X(kSendTo, "sendto", "current_check_access_socket")                                           \
  /* The filesystem (docs/filesystem.md): paths resolve from `at` (nullopt: the root). */       \
  /* mkdirat(at, path) */                                                                       \
  X(kMkdir, "mkdir", "hook_path_mkdir")                                                         \
  /* mknodat(at, path, mode, dev) */                                                            \
  X(kMknod, "mknod", "hook_path_mknod")                                                         \
  /* openat(at, path, flags): an fd (O_CREAT of a new file: make_reg first; O_TRUNC after) */   \
  X(kOpen, "open", "hook_file_open hook_path_mknod hook_file_truncate")                         \
  /* execveat(at, path): 0 when the file opened for execution */                                \
  X(kExecute, "execute", "hook_file_open")                                                      \
  /* truncate(at/path, 0) */                                                                    \
  X(kTruncate, "truncate", "hook_path_truncate")                                                \
  /* ftruncate(fd, 0) */                                                                        \
  X(kFtruncate, "ftruncate", "hook_file_truncate")                                              \
  /* unlinkat(at, path, 0) */                                                                   \
  X(kUnlink, "unlink", "hook_path_unlink")                                                      \
  /* unlinkat(at, path, AT_REMOVEDIR) */                                                        \
  X(kRmdir, "rmdir", "hook_path_rmdir")                                                         \
  /* renameat2(at, path, at2, path2, flags) */                                                  \
  X(kRename, "rename", "hook_path_rename")                                                      \
  /* linkat(at, path, at2, path2, 0) */                                                         \
  X(kLink, "link", "hook_path_link")                                                            \
  /* ioctl(fd, flags = cmd): Landlock's verdict */                                              \
  X(kIoctl, "ioctl", "hook_file_ioctl")                                                         \
  /* mount(at/path, at2/path2, MS_BIND) */                                                      \
  X(kBindMount, "bind_mount", "hook_sb_mount")

enum class OpKind {
#define LOCKSTEP_OP_KIND_ENUMERATOR(e, name, functions) e,
  LOCKSTEP_OP_KINDS(LOCKSTEP_OP_KIND_ENUMERATOR)
#undef LOCKSTEP_OP_KIND_ENUMERATOR
};

// How many op kinds there are: size every per-op array with it.
#define LOCKSTEP_OP_KIND_ONE(e, name, functions) +1
inline constexpr int kNumOpKinds = 0 LOCKSTEP_OP_KINDS(LOCKSTEP_OP_KIND_ONE);
#undef LOCKSTEP_OP_KIND_ONE

// Every op kind, in enum order (kAllOpKinds[i] is OpKind i).
inline constexpr OpKind kAllOpKinds[] = {
#define LOCKSTEP_OP_KIND_VALUE(e, name, functions) OpKind::e,
    LOCKSTEP_OP_KINDS(LOCKSTEP_OP_KIND_VALUE)
#undef LOCKSTEP_OP_KIND_VALUE
};
static_assert(sizeof(kAllOpKinds) / sizeof(kAllOpKinds[0]) == kNumOpKinds);

// Every kind names a function to break in.
#define LOCKSTEP_OP_KIND_HAS_BREAK(e, name, functions) \
  static_assert(sizeof(functions) > 1, #e " names no kernel function for gdb to break in");
LOCKSTEP_OP_KINDS(LOCKSTEP_OP_KIND_HAS_BREAK)
#undef LOCKSTEP_OP_KIND_HAS_BREAK

// Whether `kinds` lists every op kind exactly once, in any order: for a static_assert on each
// array meant to hold all kinds (a kind added to the enum then fails the build there).
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

// The op's name in .scn text and tables: "create_ruleset", "add_rule", ...
const char* OpKindName(OpKind kind);

// The kernel functions gdb stops in for an op of `kind`, space-separated (see LOCKSTEP_OP_KINDS):
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
  int line = 0;            // where the op was written in a .scn file (0: not from text)

  // Equality of what the op does and expects; `line` is where it came from, not what it is.
  bool operator==(const Op& o) const;
  bool operator!=(const Op& o) const { return !(*this == o); }
};

// Whether ops of `kind` take a path (Op::path), and a second one (Op::path2: rename, link,
// bind_mount).
bool TakesPath(OpKind kind);
bool TakesSecondPath(OpKind kind);

// Whether a successful `op` returns an fd (create_ruleset without flags, socket, open).
bool ReturnsFd(const Op& op);

// What `op` must return on an engine described by `profile` (see Op::expect_overrides); with no
// profile, the plain `expect`. When a condition names a switch `profile` has not determined (a
// live kernel whose witness could not decide it), the expectation cannot be known: `outcome`
// is empty and `undetermined` names the switch.
struct ExpectChoice {
  std::optional<Outcome> outcome;
  std::string undetermined;
};
ExpectChoice ExpectFor(const Op& op, const Profile* profile);

// Conditions as .scn writes them inside `expect[...]`: "sendmsg_fastopen_checked" (true),
// "!sendmsg_fastopen_checked" (false), "abi_version>=7", "tcp_check=sock_stream", joined by ','.
std::string ExpectConditionsText(const std::vector<Op::ExpectCondition>& when);

struct Scenario {
  TaskSpec task;
  std::vector<Op> ops;

  bool operator==(const Scenario& o) const {
    return task.no_new_privs == o.task.no_new_privs &&
           task.cap_sys_admin == o.task.cap_sys_admin && ops == o.ops;
  }
};

// Whether `s` makes a character or block device node other than a whiteout (char 0:0): what a
// live engine without CAP_MKNOD over its tmpfs (e.g. in Bazel's sandbox, a user namespace)
// cannot do.
bool MakesDeviceNodes(const Scenario& s);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_SCENARIO_H_
