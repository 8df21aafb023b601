#include "scenario/scn.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "engine/errno_name.h"
#include "engine/landlock_uapi.h"
#include "scenario/fs_ops.h"
#include "scenario/internal/bytes.h"

namespace lockstep {
namespace {

#define SCN_CONCAT_INNER(a, b) a##b
#define SCN_CONCAT(a, b) SCN_CONCAT_INNER(a, b)
#define SCN_RETURN_IF_ERROR(expr)         \
  do {                                    \
    absl::Status scn_status_ = (expr);    \
    if (!scn_status_.ok()) return scn_status_; \
  } while (0)
#define SCN_ASSIGN_OR_RETURN(lhs, expr) \
  SCN_ASSIGN_OR_RETURN_IMPL(SCN_CONCAT(scn_statusor_, __LINE__), lhs, expr)
#define SCN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(*tmp)

// ---------------------------------------------------------------------------------------------
// Names

struct Named {
  const char* name;
  uint64_t value;
};

constexpr Named kFsAccess[] = {
    {"execute", landlock::kAccessFsExecute},       {"write_file", landlock::kAccessFsWriteFile},
    {"read_file", landlock::kAccessFsReadFile},    {"read_dir", landlock::kAccessFsReadDir},
    {"remove_dir", landlock::kAccessFsRemoveDir},  {"remove_file", landlock::kAccessFsRemoveFile},
    {"make_char", landlock::kAccessFsMakeChar},    {"make_dir", landlock::kAccessFsMakeDir},
    {"make_reg", landlock::kAccessFsMakeReg},      {"make_sock", landlock::kAccessFsMakeSock},
    {"make_fifo", landlock::kAccessFsMakeFifo},    {"make_block", landlock::kAccessFsMakeBlock},
    {"make_sym", landlock::kAccessFsMakeSym},      {"refer", landlock::kAccessFsRefer},
    {"truncate", landlock::kAccessFsTruncate},     {"ioctl_dev", landlock::kAccessFsIoctlDev},
};
constexpr Named kNetAccess[] = {{"bind", landlock::kAccessNetBindTcp},
                                {"connect", landlock::kAccessNetConnectTcp}};
constexpr Named kScopes[] = {{"abstract_unix_socket", landlock::kScopeAbstractUnixSocket},
                             {"signal", landlock::kScopeSignal}};
constexpr Named kCreateFlags[] = {{"version", landlock::kCreateRulesetVersion},
                                  {"errata", landlock::kCreateRulesetErrata}};
constexpr Named kSendFlags[] = {{"oob", 0x1}, {"dontwait", 0x40}, {"fastopen", net::kMsgFastopen}};
constexpr Named kNoNames[] = {{"", 0}};  // placeholder: tables below are sized by Span
constexpr Named kSockTypes[] = {{"stream", 1}, {"dgram", 2}, {"raw", 3}, {"seqpacket", 5}};
constexpr Named kFamilies[] = {{"unspec", 0}, {"unix", 1}, {"inet", 2}, {"inet6", 10}};
// kill's signals by name (x86-64 numbers); any other number is written as one.
constexpr Named kSignals[] = {{"SIGHUP", 1},   {"SIGINT", 2},    {"SIGKILL", 9},  {"SIGUSR1", 10},
                              {"SIGUSR2", 12}, {"SIGTERM", 15},  {"SIGCHLD", 17}, {"SIGCONT", 18},
                              {"SIGSTOP", 19}, {"SIGURG", 23},   {"SIGWINCH", 28}, {"SIGIO", 29}};
constexpr Named kProtocols[] = {{"tcp", 6},      {"udp", 17},     {"sctp", 132},
                                {"udplite", 136}, {"mptcp", 262}};
constexpr Named kOpenAccessModes[] = {
    {"rdonly", fs::kORdonly}, {"wronly", fs::kOWronly}, {"rdwr", fs::kORdwr}};
constexpr Named kOpenFlagBits[] = {{"creat", fs::kOCreat},         {"excl", fs::kOExcl},
                                   {"trunc", fs::kOTrunc},         {"directory", fs::kODirectory},
                                   {"path", fs::kOPath},           {"cloexec", fs::kOCloexec}};
constexpr Named kOpenFlags[] = {
    {"rdonly", fs::kORdonly},        {"wronly", fs::kOWronly}, {"rdwr", fs::kORdwr},
    {"creat", fs::kOCreat},          {"excl", fs::kOExcl},     {"trunc", fs::kOTrunc},
    {"directory", fs::kODirectory},  {"path", fs::kOPath},     {"cloexec", fs::kOCloexec}};
constexpr Named kRenameFlags[] = {{"noreplace", fs::kRenameNoreplace},
                                  {"exchange", fs::kRenameExchange},
                                  {"whiteout", fs::kRenameWhiteout}};
constexpr Named kIoctlCommands[] = {
    {"fioclex", fs::kFioclex},
    {"fionclex", fs::kFionclex},
    {"fionbio", fs::kFionbio},
    {"fioasync", fs::kFioasync},
    {"fioqsize", fs::kFioqsize},
    {"fifreeze", fs::kFifreeze},
    {"fithaw", fs::kFithaw},
    {"fs_ioc_fiemap", fs::kFsIocFiemap},
    {"figetbsz", fs::kFigetbsz},
    {"ficlone", fs::kFiclone},
    {"ficlonerange", fs::kFiclonerange},
    {"fideduperange", fs::kFideduperange},
    {"fs_ioc_getfsuuid", fs::kFsIocGetfsuuid},
    {"fs_ioc_getfssysfspath", fs::kFsIocGetfssysfspath},
    {"fionread", fs::kFionread},
    {"fs_ioc_getflags", fs::kFsIocGetflags},
    {"fs_ioc_setflags", fs::kFsIocSetflags},
};
// mknod's file kinds that take no device number.
constexpr Named kNodeKinds[] = {{"reg", fs::kSIfreg},
                                {"dir", fs::kSIfdir},
                                {"fifo", fs::kSIfifo},
                                {"sock", fs::kSIfsock}};

using Names = absl::Span<const Named>;
const Names kNone = Names(kNoNames, 0);

const Named* FindName(Names table, absl::string_view name) {
  for (const Named& n : table) {
    if (name == n.name) return &n;
  }
  return nullptr;
}
const Named* FindValue(Names table, uint64_t value) {
  for (const Named& n : table) {
    if (value == n.value) return &n;
  }
  return nullptr;
}

std::string NameList(Names table) {
  std::string out;
  for (const Named& n : table) {
    if (!out.empty()) out += ", ";
    out += n.name;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Errno names

struct ErrnoTables {
  std::unordered_map<std::string, int> by_name;
};

const ErrnoTables& Errnos() {
  static const ErrnoTables* tables = [] {
    auto* t = new ErrnoTables;
    for (int e = 1; e <= 4095; ++e) {
      std::string name = ErrnoName(-e);
      if (name.empty() || name[0] != 'E') continue;
      t->by_name.emplace(std::move(name), e);  // first number wins
    }
    // Aliases libc names one way and people write the other way.
    t->by_name.emplace("EWOULDBLOCK", 11);
    t->by_name.emplace("EDEADLOCK", 35);
    t->by_name.emplace("ENOTSUP", 95);
    return t;
  }();
  return *tables;
}

std::string ErrnoText(int e) {
  if (e >= 1 && e <= 4095) {
    std::string name = ErrnoName(-static_cast<long>(e));
    if (ErrnoFromName(name) == e) return name;
  }
  return absl::StrCat("errno", e);
}

// ---------------------------------------------------------------------------------------------
// Numbers

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

enum class NumResult { kOk, kSyntax, kOverflow };

// [-]DIGITS or [-]0xHEX. `negative` is set for a leading '-'.
NumResult ParseMagnitude(absl::string_view s, bool* negative, uint64_t* magnitude) {
  *negative = false;
  *magnitude = 0;
  if (!s.empty() && s[0] == '-') {
    *negative = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return NumResult::kSyntax;
  unsigned base = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
    if (s.empty()) return NumResult::kSyntax;
  }
  uint64_t v = 0;
  bool overflow = false;
  for (char c : s) {
    const int d = base == 16 ? HexValue(c) : (IsDigit(c) ? c - '0' : -1);
    if (d < 0) return NumResult::kSyntax;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / base) overflow = true;
    v = v * base + static_cast<uint64_t>(d);
  }
  if (overflow) return NumResult::kOverflow;
  *magnitude = v;
  return NumResult::kOk;
}

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
bool IsIdentifier(absl::string_view s) {
  if (s.empty() || !IsIdentStart(s[0])) return false;
  for (char c : s) {
    if (!IsIdentChar(c)) return false;
  }
  return true;
}
bool IsValidName(absl::string_view s) { return IsIdentifier(s) && s != "expect"; }

// A token quoted for a message, shortened when long.
std::string Quote(absl::string_view s) {
  if (s.size() > 48) return absl::StrCat("'", s.substr(0, 45), "...'");
  return absl::StrCat("'", s, "'");
}

using scenario_internal::AllZero;
using scenario_internal::Host16;
using scenario_internal::Host32;
using scenario_internal::Host64;

// Whether ops of kind `k` can return an fd (create_ruleset only without flags).
bool ReturnsFdKind(OpKind k) {
  return InfoOf(k).returns == LOCKSTEP_RET_FD || InfoOf(k).returns == LOCKSTEP_RET_FD_UNLESS_FLAGS;
}
bool UsesFd(OpKind k) { return Takes(k, LOCKSTEP_ARG_FD); }
constexpr size_t kMaxFamilyLen = 256;
// abstract:NAME and path:PATH: names of a path's characters (fs::IsNameChar), at most
// sun_path's 107 bytes after the NUL (before it, for a path).
constexpr size_t kMaxAbstractName = 107;

// ---------------------------------------------------------------------------------------------
// Parser

struct KeyValue {
  absl::string_view token;  // the whole KEY=VALUE
  absl::string_view key;
  absl::string_view value;
};

class Parser {
 public:
  Parser(absl::string_view text, absl::string_view filename) : text_(text), file_(filename) {}

  absl::StatusOr<Scenario> Run();

 private:
  absl::Status Error(absl::string_view at, absl::string_view message) const;
  absl::Status ErrorAfter(absl::string_view last, absl::string_view message) const {
    return Error(last.substr(last.size()), message);
  }
  absl::Status Statement(const std::vector<absl::string_view>& tokens);
  absl::Status Task(const std::vector<absl::string_view>& tokens);
  absl::Status Log(const std::vector<absl::string_view>& tokens);
  absl::Status OpArgs(Op& op, absl::string_view op_token, absl::Span<const absl::string_view> args);

  absl::StatusOr<int64_t> Signed(absl::string_view s, absl::string_view what, int64_t lo,
                                 int64_t hi) const;
  // A name of `names` (its value) or an int32: a socket family, a signal.
  absl::StatusOr<int32_t> NamedOrInt32(absl::string_view s, Names names,
                                       absl::string_view what) const;
  absl::StatusOr<uint64_t> Unsigned(absl::string_view s, absl::string_view what,
                                    uint64_t hi) const;
  absl::StatusOr<uint64_t> Bits(absl::string_view s, Names names, absl::string_view what,
                                uint64_t max) const;
  absl::StatusOr<FdRef> Fd(absl::string_view s, absl::string_view what) const;
  absl::StatusOr<UserMem> HexOrNull(absl::string_view s) const;
  absl::StatusOr<std::vector<uint8_t>> Hex(absl::string_view s) const;
  absl::StatusOr<UserMem> Address(absl::string_view s) const;
  absl::StatusOr<uint32_t> Ipv4(absl::string_view s) const;
  absl::StatusOr<std::vector<uint8_t>> Ipv6(absl::string_view s) const;
  absl::StatusOr<uint16_t> Port(absl::string_view s) const;
  absl::StatusOr<Outcome> ParseOutcome(absl::string_view s) const;
  absl::StatusOr<std::vector<Op::ExpectCondition>> ParseExpectConditions(
      absl::string_view token) const;
  absl::StatusOr<std::vector<KeyValue>> KeyValues(absl::Span<const absl::string_view> args,
                                                  absl::string_view op,
                                                  std::initializer_list<const char*> keys) const;
  absl::Status Readable(const KeyValue* kv, UserMem& mem, absl::string_view of) const;
  absl::StatusOr<std::string> Path(absl::string_view s) const;
  absl::StatusOr<uint64_t> Octal(absl::string_view s, absl::string_view what, uint64_t hi) const;
  absl::Status NodeKind(absl::string_view s, Op& op, bool* takes_dev) const;
  absl::Status PathOp(Op& op, absl::string_view op_token, absl::Span<const absl::string_view> args,
                      absl::string_view last);
  // The line (after this one) where `name` is defined as `name = ...`, or 0.
  int LaterDefinition(absl::string_view name) const;

  absl::string_view text_;
  absl::string_view file_;
  int line_no_ = 0;
  absl::string_view line_;  // the current line without its comment
  size_t next_line_pos_ = 0;
  bool seen_task_ = false;
  int task_line_ = 0;
  Scenario scenario_;
  struct NameInfo {
    int op_index;
    int line;
  };
  std::unordered_map<std::string, NameInfo> names_;
};

const KeyValue* Find(const std::vector<KeyValue>& kvs, absl::string_view key) {
  for (const KeyValue& kv : kvs) {
    if (kv.key == key) return &kv;
  }
  return nullptr;
}

absl::Status Parser::Error(absl::string_view at, absl::string_view message) const {
  size_t col = 1;
  if (at.data() >= line_.data() && at.data() <= line_.data() + line_.size()) {
    col = static_cast<size_t>(at.data() - line_.data()) + 1;
  }
  return absl::InvalidArgumentError(absl::StrFormat("%s:%d:%d: %s", file_, line_no_, col, message));
}

absl::StatusOr<Scenario> Parser::Run() {
  if (text_.size() > kScnMaxFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s:1:1: input is %d bytes, more than the limit of %d bytes", file_,
                        text_.size(), kScnMaxFileBytes));
  }
  size_t pos = 0;
  std::vector<absl::string_view> tokens;
  while (true) {
    const size_t nl = text_.find('\n', pos);
    const size_t end = nl == absl::string_view::npos ? text_.size() : nl;
    absl::string_view line = text_.substr(pos, end - pos);
    next_line_pos_ = nl == absl::string_view::npos ? text_.size() : nl + 1;
    ++line_no_;
    line_ = line;
    if (line.size() > kScnMaxLineBytes) {
      return Error(line.substr(kScnMaxLineBytes),
                   absl::StrFormat("line is %d bytes long, more than the limit of %d",
                                   line.size(), kScnMaxLineBytes));
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF
    // Hot loops over raw bytes: this runs on every byte of every input.
    const char* const data = line.data();
    const size_t size = line.size();
    size_t content_end = size;
    for (size_t i = 0; i < size; ++i) {
      const unsigned char c = static_cast<unsigned char>(data[i]);
      if (c >= 0x20 && c < 0x7f && c != '#') continue;
      if (c == '#' && content_end == size) {
        content_end = i;
        continue;
      }
      const bool in_comment = content_end != size;
      const bool control = (c < 0x20 && c != '\t') || c == 0x7f;
      if (control || (!in_comment && c >= 0x80)) {
        return Error(line.substr(i),
                     in_comment
                         ? absl::StrFormat("unexpected control byte 0x%02x in a comment", c)
                         : absl::StrFormat("unexpected byte 0x%02x (statements are printable "
                                           "ASCII; other bytes only in comments)",
                                           c));
      }
    }
    line_ = line.substr(0, content_end);
    tokens.clear();
    for (size_t i = 0; i < content_end;) {
      if (data[i] == ' ' || data[i] == '\t') {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < content_end && data[j] != ' ' && data[j] != '\t') ++j;
      tokens.push_back(line_.substr(i, j - i));
      i = j;
    }
    if (!tokens.empty()) SCN_RETURN_IF_ERROR(Statement(tokens));
    if (nl == absl::string_view::npos) break;
    pos = nl + 1;
  }
  return std::move(scenario_);
}

absl::Status Parser::Task(const std::vector<absl::string_view>& tokens) {
  if (!scenario_.ops.empty()) {
    return Error(tokens[0], "task must come before the first op");
  }
  if (seen_task_) {
    return Error(tokens[0],
                 absl::StrFormat("duplicate task statement (the first is on line %d)", task_line_));
  }
  seen_task_ = true;
  task_line_ = line_no_;
  bool seen_nnp = false, seen_cap = false;
  for (size_t i = 1; i < tokens.size(); ++i) {
    const absl::string_view t = tokens[i];
    const size_t eq = t.find('=');
    const absl::string_view key = eq == absl::string_view::npos ? t : t.substr(0, eq);
    bool* seen = key == "no_new_privs" ? &seen_nnp : key == "cap_sys_admin" ? &seen_cap : nullptr;
    if (eq == absl::string_view::npos || seen == nullptr) {
      return Error(t, absl::StrCat("expected no_new_privs=0|1 or cap_sys_admin=0|1 after task, got ",
                                   Quote(t)));
    }
    if (*seen) return Error(t, absl::StrCat("duplicate key '", key, "=' in task"));
    *seen = true;
    const absl::string_view value = t.substr(eq + 1);
    if (value != "0" && value != "1") {
      return Error(value, absl::StrCat("expected 0 or 1 for ", key, "=, got ", Quote(value)));
    }
    (key == "no_new_privs" ? scenario_.task.no_new_privs : scenario_.task.cap_sys_admin) =
        value == "1";
  }
  return absl::OkStatus();
}

absl::Status Parser::Log(const std::vector<absl::string_view>& tokens) {
  size_t at = 1;
  const bool exit = tokens.size() > 1 && tokens[1] == "exit";
  if (exit) at = 2;
  if (!exit && scenario_.ops.empty()) {
    return Error(tokens[0], "'log' names the records of the op before it, and there is none yet");
  }
  std::optional<std::vector<LogRecord>>& into =
      exit ? scenario_.expect_exit_log : scenario_.ops.back().expect_log;
  // `log[COND,...]`: one set of conditions for all the log lines of an op (or of task exit).
  std::vector<Op::ExpectCondition> when;
  if (tokens[0] != "log") {
    SCN_ASSIGN_OR_RETURN(when, ParseExpectConditions(tokens[0]));
  }
  std::vector<Op::ExpectCondition>& into_when =
      exit ? scenario_.expect_exit_log_when : scenario_.ops.back().expect_log_when;
  if (into && when != into_when) {
    return Error(tokens[0], "every log line of an op carries the same conditions as its first");
  }
  into_when = when;
  if (at >= tokens.size()) {
    return ErrorAfter(tokens[at - 1],
                      "expected a record after 'log' (access domain=N blockers=..., "
                      "domain=N allocated, domain=N deallocated denials=K, or none)");
  }
  if (tokens[at] == "none") {
    if (at + 1 < tokens.size()) {
      return Error(tokens[at + 1], "'log none' takes nothing after it");
    }
    if (into && !into->empty()) {
      return Error(tokens[at], "'log none' after records of the same op");
    }
    into.emplace();
    return absl::OkStatus();
  }
  if (into && into->empty()) return Error(tokens[at], "a record after 'log none' of the same op");
  const auto domain_of = [&](absl::string_view t, int* out) -> absl::Status {
    if (!absl::StartsWith(t, "domain=")) {
      return Error(t, absl::StrCat("expected domain=N, got ", Quote(t)));
    }
    const absl::string_view v = t.substr(7);
    if (v == "?") {
      *out = -1;
      return absl::OkStatus();
    }
    if (!absl::SimpleAtoi(v, out) || *out < 1 || *out > 64) {
      return Error(v, absl::StrCat("expected a domain number 1..64 (or ?), got ", Quote(v)));
    }
    return absl::OkStatus();
  };
  LogRecord r;
  if (tokens[at] == "access") {
    if (at + 2 >= tokens.size()) {
      return ErrorAfter(tokens.back(), "expected domain=N blockers=B after 'log access'");
    }
    SCN_RETURN_IF_ERROR(domain_of(tokens[at + 1], &r.domain));
    const absl::string_view b = tokens[at + 2];
    if (!absl::StartsWith(b, "blockers=") || b.size() == 9) {
      return Error(b, absl::StrCat("expected blockers=B[,B...], got ", Quote(b)));
    }
    r.type = LogRecord::Type::kAccess;
    r.blockers = std::string(b.substr(9));
    for (size_t i = at + 3; i < tokens.size(); ++i) {
      if (tokens[i].find('=') == absl::string_view::npos) {
        return Error(tokens[i], absl::StrCat("expected an object field FIELD=VALUE, got ",
                                             Quote(tokens[i])));
      }
      absl::StrAppend(&r.object, r.object.empty() ? "" : " ", tokens[i]);
    }
  } else {
    SCN_RETURN_IF_ERROR(domain_of(tokens[at], &r.domain));
    if (at + 1 >= tokens.size()) {
      return ErrorAfter(tokens[at], "expected 'allocated' or 'deallocated denials=K'");
    }
    const absl::string_view status = tokens[at + 1];
    if (status == "allocated" && at + 2 == tokens.size()) {
      r.type = LogRecord::Type::kDomainAllocated;
    } else if (status == "deallocated" && at + 3 == tokens.size() &&
               absl::StartsWith(tokens[at + 2], "denials=") &&
               absl::SimpleAtoi(tokens[at + 2].substr(8), &r.denials)) {
      r.type = LogRecord::Type::kDomainDeallocated;
    } else {
      return Error(status, "expected 'allocated' or 'deallocated denials=K' (nothing after)");
    }
  }
  if (!into) into.emplace();
  into->push_back(std::move(r));
  return absl::OkStatus();
}

absl::Status Parser::Statement(const std::vector<absl::string_view>& tokens) {
  const bool named = tokens.size() >= 2 && tokens[1] == "=";
  if (tokens[0] == "task" && !named) return Task(tokens);
  if ((tokens[0] == "log" || absl::StartsWith(tokens[0], "log[")) && !named) return Log(tokens);

  Op op;
  op.line = line_no_;
  size_t op_at = 0;
  if (named) {
    const absl::string_view name = tokens[0];
    if (name == "expect") return Error(name, "'expect' is reserved and cannot name an fd");
    if (!IsIdentifier(name)) {
      return Error(name, absl::StrCat("expected a name ([A-Za-z_][A-Za-z0-9_]*) before '=', got ",
                                      Quote(name)));
    }
    auto it = names_.find(std::string(name));
    if (it != names_.end()) {
      return Error(name, absl::StrFormat("name '%s' is already defined on line %d", name,
                                         it->second.line));
    }
    if (tokens.size() == 2) return ErrorAfter(tokens[1], "expected an op after '='");
    op.name = std::string(name);
    op_at = 2;
  }
  const absl::string_view op_token = tokens[op_at];
  bool known = false;
  for (OpKind k : kAllOpKinds) {
    if (op_token == OpKindName(k)) {
      op.kind = k;
      known = true;
    }
  }
  if (!known) {
    if (op_at == 0 && op_token.find('=') != absl::string_view::npos) {
      return Error(op_token, absl::StrCat("expected an op, got ", Quote(op_token),
                                          " (write a name as 'NAME = OP', with spaces)"));
    }
    return Error(op_token,
                 absl::StrCat("unknown op ", Quote(op_token),
                              " (expected create_ruleset, add_rule, restrict_self, no_new_privs, "
                              "close, socket, bind, connect, sendto, mkdir, mknod, open, execute, "
                              "truncate, ftruncate, unlink, rmdir, rename, link, ioctl or "
                              "bind_mount)"));
  }
  if (named && !ReturnsFdKind(op.kind)) {
    return Error(tokens[0], absl::StrCat("'", tokens[0], " =' names the fd an op returns, and ",
                                         op_token, " returns no fd"));
  }

  const auto is_override = [](absl::string_view t) {
    return absl::StartsWith(t, "expect[") || absl::StartsWith(t, "expect@");
  };
  size_t args_end = tokens.size();
  for (size_t i = op_at + 1; i < tokens.size(); ++i) {
    if (tokens[i] == "expect" || is_override(tokens[i])) {
      args_end = i;
      break;
    }
  }
  // [expect OUTCOME] (expect[CONDITION,...] OUTCOME)*
  for (size_t i = args_end; i < tokens.size(); i += 2) {
    const absl::string_view kw = tokens[i];
    const bool plain = kw == "expect";
    if (!(plain && i == args_end) && !is_override(kw)) {
      return Error(kw, absl::StrCat("unexpected ", Quote(kw),
                                    plain ? " (a plain 'expect' comes once, before any expect[...])"
                                          : " after the outcome ('expect OUTCOME' ends the line)"));
    }
    Op::ExpectOverride override_;
    if (!plain) {
      SCN_ASSIGN_OR_RETURN(override_.when, ParseExpectConditions(kw));
      for (const Op::ExpectOverride& o : op.expect_overrides) {
        if (o.when == override_.when) {
          return Error(kw, absl::StrCat("duplicate ", kw));
        }
      }
    }
    if (i + 1 >= tokens.size()) {
      return ErrorAfter(kw, absl::StrCat("expected an outcome after '", kw,
                                         "' (fd, an errno name such as EACCES, or an integer)"));
    }
    SCN_ASSIGN_OR_RETURN(Outcome outcome, ParseOutcome(tokens[i + 1]));
    if (plain) {
      op.expect = outcome;
    } else {
      override_.outcome = outcome;
      op.expect_overrides.push_back(std::move(override_));
    }
  }
  const absl::Span<const absl::string_view> args(tokens.data() + op_at + 1,
                                                 args_end - op_at - 1);
  SCN_RETURN_IF_ERROR(OpArgs(op, op_token, args));
  if (named && !ReturnsFd(op)) {
    return Error(tokens[0], absl::StrCat("'", tokens[0],
                                         " =' names the fd an op returns, and create_ruleset "
                                         "with flags returns no fd"));
  }
  if (named) {
    names_.emplace(op.name, NameInfo{static_cast<int>(scenario_.ops.size()), line_no_});
  }
  scenario_.ops.push_back(std::move(op));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Parser::Signed(absl::string_view s, absl::string_view what, int64_t lo,
                                       int64_t hi) const {
  bool negative;
  uint64_t mag;
  const NumResult r = ParseMagnitude(s, &negative, &mag);
  if (r == NumResult::kSyntax) {
    return Error(s, absl::StrCat("expected an integer for ", what, ", got ", Quote(s)));
  }
  const uint64_t lo_mag = lo < 0 ? static_cast<uint64_t>(-(lo + 1)) + 1 : 0;
  const bool in_range = r == NumResult::kOk &&
                        (negative ? (mag <= lo_mag && (mag == 0 || lo < 0))
                                  : mag <= static_cast<uint64_t>(hi));
  if (!in_range) {
    return Error(s, absl::StrFormat("%s %s is out of range (expected %d..%d)", what, s, lo, hi));
  }
  if (!negative) return static_cast<int64_t>(mag);
  if (mag == 0) return 0;
  return -static_cast<int64_t>(mag - 1) - 1;
}

absl::StatusOr<int32_t> Parser::NamedOrInt32(absl::string_view s, Names names,
                                             absl::string_view what) const {
  if (const Named* n = FindName(names, s)) return static_cast<int32_t>(n->value);
  bool negative;
  uint64_t mag;
  if (ParseMagnitude(s, &negative, &mag) == NumResult::kSyntax) {
    return Error(s, absl::StrCat("unknown ", what, " ", Quote(s), " (expected ", NameList(names),
                                 " or an integer)"));
  }
  SCN_ASSIGN_OR_RETURN(int64_t v, Signed(s, what, INT32_MIN, INT32_MAX));
  return static_cast<int32_t>(v);
}

absl::StatusOr<uint64_t> Parser::Unsigned(absl::string_view s, absl::string_view what,
                                          uint64_t hi) const {
  bool negative;
  uint64_t mag;
  const NumResult r = ParseMagnitude(s, &negative, &mag);
  if (r == NumResult::kSyntax) {
    return Error(s, absl::StrCat("expected an integer for ", what, ", got ", Quote(s)));
  }
  if (r == NumResult::kOverflow || (negative && mag != 0) || mag > hi) {
    return Error(s, absl::StrFormat("%s %s is out of range (expected 0..%d)", what, s, hi));
  }
  return mag;
}

absl::StatusOr<uint64_t> Parser::Bits(absl::string_view s, Names names, absl::string_view what,
                                      uint64_t max) const {
  const auto expected = [&] {
    return names.empty() ? std::string("a number or numbers joined by '|'")
                         : absl::StrCat(NameList(names), " or a number, joined by '|'");
  };
  if (s.empty()) {
    return Error(s, absl::StrCat("expected ", what, " (", expected(), "), got nothing"));
  }
  uint64_t value = 0;
  for (absl::string_view part : absl::StrSplit(s, '|')) {
    if (part.empty()) return Error(part, absl::StrCat("empty item in the '|' list of ", what));
    if (const Named* n = FindName(names, part)) {
      value |= n->value;
      continue;
    }
    bool negative;
    uint64_t mag;
    const NumResult r = ParseMagnitude(part, &negative, &mag);
    if (r == NumResult::kSyntax || negative) {
      return Error(part, absl::StrCat("unknown ", what, " ", Quote(part), " (expected ",
                                      expected(), ")"));
    }
    if (r == NumResult::kOverflow || mag > max) {
      return Error(part, absl::StrFormat("%s %s is out of range (expected 0..%#x)", what, part,
                                         max));
    }
    value |= mag;
  }
  return value;
}

int Parser::LaterDefinition(absl::string_view name) const {
  int line = line_no_;
  size_t pos = next_line_pos_;
  while (pos < text_.size()) {
    ++line;
    const size_t nl = text_.find('\n', pos);
    const size_t end = nl == absl::string_view::npos ? text_.size() : nl;
    absl::string_view l = text_.substr(pos, end - pos);
    size_t i = 0;
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
    if (l.substr(i, name.size()) == name) {
      i += name.size();
      const size_t after_name = i;
      while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
      if (i > after_name && i < l.size() && l[i] == '=' &&
          (i + 1 == l.size() || l[i + 1] == ' ' || l[i + 1] == '\t')) {
        return line;
      }
    }
    if (nl == absl::string_view::npos) break;
    pos = nl + 1;
  }
  return 0;
}

absl::StatusOr<FdRef> Parser::Fd(absl::string_view s, absl::string_view what) const {
  if (!s.empty() && IsIdentStart(s[0])) {
    if (!IsIdentifier(s)) {
      return Error(s, absl::StrCat("expected ", what, " (a name or an integer), got ", Quote(s)));
    }
    auto it = names_.find(std::string(s));
    if (it != names_.end()) return FdRef::Handle(it->second.op_index);
    if (const int later = LaterDefinition(s)) {
      return Error(s, absl::StrFormat("'%s' is used before its definition on line %d", s, later));
    }
    return Error(s, absl::StrCat("'", s,
                                 "' is not defined (define it earlier with 'NAME = socket ...', "
                                 "'NAME = create_ruleset ...' or 'NAME = open ...')"));
  }
  bool negative;
  uint64_t mag;
  if (ParseMagnitude(s, &negative, &mag) == NumResult::kSyntax) {
    return Error(s, absl::StrCat("expected ", what, " (a name or an integer), got ", Quote(s)));
  }
  SCN_ASSIGN_OR_RETURN(int64_t v, Signed(s, "fd", INT32_MIN, INT32_MAX));
  return FdRef::Raw(static_cast<int>(v));
}

absl::StatusOr<std::vector<uint8_t>> Parser::Hex(absl::string_view s) const {
  std::vector<uint8_t> bytes;
  const char* const data = s.data();
  for (size_t i = 0; i < s.size(); ++i) {
    if (HexValue(data[i]) < 0) {
      return Error(s.substr(i), absl::StrCat("expected a hex digit, got '", s.substr(i, 1), "'"));
    }
  }
  if (s.size() % 2 != 0) {
    return Error(s, absl::StrFormat("odd number of hex digits (%d); every byte takes two",
                                    s.size()));
  }
  bytes.reserve(s.size() / 2);
  bytes.resize(s.size() / 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<uint8_t>(HexValue(data[2 * i]) * 16 + HexValue(data[2 * i + 1]));
  }
  return bytes;
}

absl::StatusOr<UserMem> Parser::HexOrNull(absl::string_view s) const {
  if (s == "null") return UserMem::Null();
  SCN_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, Hex(s));
  return UserMem::Of(std::move(bytes));
}

absl::StatusOr<uint16_t> Parser::Port(absl::string_view s) const {
  SCN_ASSIGN_OR_RETURN(uint64_t v, Unsigned(s, "port", 65535));
  return static_cast<uint16_t>(v);
}

absl::StatusOr<uint32_t> Parser::Ipv4(absl::string_view s) const {
  const auto bad = [&] {
    return Error(s, absl::StrCat("bad IPv4 address ", Quote(s),
                                 " (expected four numbers 0..255 joined by '.')"));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(s, '.');
  if (parts.size() != 4) return bad();
  uint32_t v = 0;
  for (absl::string_view p : parts) {
    if (p.empty() || p.size() > 3) return bad();
    uint32_t n = 0;
    for (char c : p) {
      if (!IsDigit(c)) return bad();
      n = n * 10 + static_cast<uint32_t>(c - '0');
    }
    if (n > 255) return bad();
    v = (v << 8) | n;
  }
  return v;
}

absl::StatusOr<std::vector<uint8_t>> Parser::Ipv6(absl::string_view s) const {
  const auto bad = [&] {
    return Error(s, absl::StrCat("bad IPv6 address ", Quote(s),
                                 " (expected 8 groups of 1-4 hex digits joined by ':', or fewer "
                                 "with one '::')"));
  };
  const auto groups = [&](absl::string_view part, std::vector<uint16_t>* out) {
    if (part.empty()) return true;
    for (absl::string_view g : absl::StrSplit(part, ':')) {
      if (g.empty() || g.size() > 4) return false;
      uint16_t v = 0;
      for (char c : g) {
        const int d = HexValue(c);
        if (d < 0) return false;
        v = static_cast<uint16_t>(v * 16 + d);
      }
      out->push_back(v);
    }
    return true;
  };
  std::vector<uint16_t> head, tail;
  const size_t dc = s.find("::");
  if (dc == absl::string_view::npos) {
    if (!groups(s, &head) || head.size() != 8) return bad();
  } else {
    if (s.find("::", dc + 1) != absl::string_view::npos) return bad();
    if (!groups(s.substr(0, dc), &head) || !groups(s.substr(dc + 2), &tail)) return bad();
    if (head.size() + tail.size() > 7) return bad();
  }
  std::vector<uint8_t> addr(16, 0);
  for (size_t i = 0; i < head.size(); ++i) {
    addr[2 * i] = static_cast<uint8_t>(head[i] >> 8);
    addr[2 * i + 1] = static_cast<uint8_t>(head[i]);
  }
  for (size_t i = 0; i < tail.size(); ++i) {
    const size_t g = 8 - tail.size() + i;
    addr[2 * g] = static_cast<uint8_t>(tail[i] >> 8);
    addr[2 * g + 1] = static_cast<uint8_t>(tail[i]);
  }
  return addr;
}

absl::StatusOr<UserMem> Parser::Address(absl::string_view s) const {
  const auto bad = [&] {
    return Error(s, absl::StrCat("expected an address (inet:A.B.C.D:PORT, inet6:[IPV6]:PORT, "
                                 "unspec, unspec:A.B.C.D:PORT, unspec6:[IPV6]:PORT, "
                                 "abstract:NAME, path:PATH, family:N:LEN, hex:HEX or null), got ",
                                 Quote(s)));
  };
  if (s == "null") return UserMem::Null();
  if (s == "unspec") return UserMem::Of(std::vector<uint8_t>(net::kSockaddrInSize, 0));
  const size_t colon = s.find(':');
  if (colon == absl::string_view::npos) return bad();
  const absl::string_view kind = s.substr(0, colon);
  const absl::string_view rest = s.substr(colon + 1);
  if (kind == "hex") {
    SCN_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, Hex(rest));
    return UserMem::Of(std::move(bytes));
  }
  if (kind == "inet" || kind == "unspec") {
    const size_t pc = rest.rfind(':');
    if (pc == absl::string_view::npos) {
      return Error(rest, absl::StrCat("expected A.B.C.D:PORT after '", kind, ":', got ",
                                      Quote(rest)));
    }
    SCN_ASSIGN_OR_RETURN(uint32_t ip, Ipv4(rest.substr(0, pc)));
    SCN_ASSIGN_OR_RETURN(uint16_t port, Port(rest.substr(pc + 1)));
    std::vector<uint8_t> b = SockaddrIn(port, ip);
    if (kind == "unspec") b[0] = b[1] = 0;
    return UserMem::Of(std::move(b));
  }
  if (kind == "inet6" || kind == "unspec6") {
    const size_t close = rest.find(']');
    if (rest.empty() || rest[0] != '[' || close == absl::string_view::npos ||
        close + 1 >= rest.size() || rest[close + 1] != ':') {
      return Error(rest, absl::StrCat("expected [IPV6]:PORT after '", kind, ":', got ",
                                      Quote(rest)));
    }
    SCN_ASSIGN_OR_RETURN(std::vector<uint8_t> addr, Ipv6(rest.substr(1, close - 1)));
    SCN_ASSIGN_OR_RETURN(uint16_t port, Port(rest.substr(close + 2)));
    std::vector<uint8_t> b = SockaddrIn6(port, addr, 0);
    if (kind == "unspec6") b[0] = b[1] = 0;
    return UserMem::Of(std::move(b));
  }
  if (kind == "path") {
    // A named socket's address: the family, the path, a terminating NUL (SUN_LEN + 1).
    if (rest.empty() || rest.size() > kMaxAbstractName ||
        !std::all_of(rest.begin(), rest.end(),
                     [](char c) { return c == '/' || fs::IsNameChar(c); })) {
      return Error(rest, absl::StrCat("expected a path of [A-Za-z0-9._-/] (at most ",
                                      kMaxAbstractName, " bytes) after 'path:', got ",
                                      Quote(rest)));
    }
    std::vector<uint8_t> b = {static_cast<uint8_t>(net::kAfUnix), 0};
    b.insert(b.end(), rest.begin(), rest.end());
    b.push_back(0);
    return UserMem::Of(std::move(b));
  }
  if (kind == "abstract") {
    // An abstract AF_UNIX name: the family, a NUL byte, then NAME (no terminating NUL: the
    // address is exactly that long).
    if (rest.empty() || !std::all_of(rest.begin(), rest.end(), fs::IsNameChar)) {
      return Error(rest, absl::StrCat("expected a name of [A-Za-z0-9._-] after 'abstract:', "
                                      "got ", Quote(rest)));
    }
    if (rest.size() > kMaxAbstractName) {
      return Error(rest, absl::StrFormat("abstract name %s is longer than %d bytes",
                                         Quote(rest), kMaxAbstractName));
    }
    std::vector<uint8_t> b = {static_cast<uint8_t>(net::kAfUnix), 0, 0};
    b.insert(b.end(), rest.begin(), rest.end());
    return UserMem::Of(std::move(b));
  }
  if (kind == "family") {
    const size_t lc = rest.find(':');
    if (lc == absl::string_view::npos) {
      return Error(rest, absl::StrCat("expected N:LEN after 'family:', got ", Quote(rest)));
    }
    SCN_ASSIGN_OR_RETURN(uint64_t family, Unsigned(rest.substr(0, lc), "family", 65535));
    const absl::string_view len_text = rest.substr(lc + 1);
    bool negative;
    uint64_t len;
    const NumResult r = ParseMagnitude(len_text, &negative, &len);
    if (r == NumResult::kSyntax) {
      return Error(len_text, absl::StrCat("expected an integer for address length, got ",
                                          Quote(len_text)));
    }
    if (r == NumResult::kOverflow || negative || len < 2 || len > kMaxFamilyLen) {
      return Error(len_text, absl::StrFormat("address length %s is out of range (expected 2..%d)",
                                             len_text, kMaxFamilyLen));
    }
    std::vector<uint8_t> b(len, 0);
    b[0] = static_cast<uint8_t>(family);
    b[1] = static_cast<uint8_t>(family >> 8);
    return UserMem::Of(std::move(b));
  }
  return bad();
}

// `expect[COND,...]`: COND is SWITCH (true / nonzero), !SWITCH (false / zero), or SWITCH then
// one of = != >= < then a value (a number, true/false, or one of the switch's value names).
absl::StatusOr<std::vector<Op::ExpectCondition>> Parser::ParseExpectConditions(
    absl::string_view token) const {
  if (absl::StartsWith(token, "expect@")) {
    return Error(token, absl::StrCat(Quote(token), ": expectations are keyed by behaviour, not "
                                     "version: write expect[SWITCH] / expect[!SWITCH] / "
                                     "expect[SWITCH>=N] with a switch of model/profile.h, e.g. "
                                     "expect[sendmsg_fastopen_checked] or expect[abi_version>=7]"));
  }
  // "expect[" or "log[".
  const std::string keyword(token.substr(0, token.find('[')));
  const absl::string_view body = token.substr(keyword.size() + 1);
  if (body.empty() || body.back() != ']') {
    return ErrorAfter(token, absl::StrCat("expected ']' to close '", keyword,
                                          "[' (no spaces inside the brackets)"));
  }
  std::vector<Op::ExpectCondition> out;
  const absl::string_view list = body.substr(0, body.size() - 1);
  if (list.empty()) return Error(body, absl::StrCat("expected a condition inside '", keyword, "[]'"));
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    if (item.empty()) return Error(item, absl::StrCat("empty condition in '", keyword, "[...]'"));
    Op::ExpectCondition c;
    absl::string_view name = item;
    absl::string_view value_text;
    bool negated = false;
    if (absl::ConsumePrefix(&name, "!")) negated = true;
    static constexpr std::pair<const char*, Op::ExpectCondition::Cmp> kCmps[] = {
        {"!=", Op::ExpectCondition::Cmp::kNe}, {">=", Op::ExpectCondition::Cmp::kGe},
        {"=", Op::ExpectCondition::Cmp::kEq},  {"<", Op::ExpectCondition::Cmp::kLt}};
    bool has_cmp = false;
    for (const auto& [text, cmp] : kCmps) {
      const size_t at = name.find(text);
      if (at == absl::string_view::npos) continue;
      value_text = name.substr(at + std::strlen(text));
      name = name.substr(0, at);
      c.cmp = cmp;
      has_cmp = true;
      break;
    }
    const SwitchDef* sw = FindSwitch(name);
    if (sw == nullptr) {
      std::vector<std::string> known;
      for (const SwitchDef& d : Switches()) known.push_back(d.name);
      return Error(name, absl::StrCat("unknown switch ", Quote(name), " (known: ",
                                      absl::StrJoin(known, ", "), ")"));
    }
    c.name = std::string(name);
    if (negated && has_cmp) {
      return Error(item, absl::StrCat("'!' goes with a bare switch (!", name, "), not with a "
                                      "comparison"));
    }
    if (!has_cmp) {
      c.cmp = negated ? Op::ExpectCondition::Cmp::kEq : Op::ExpectCondition::Cmp::kNe;
      c.value = 0;
    } else {
      const std::optional<int64_t> v = ParseSwitchValue(*sw, value_text);
      if (!v) {
        std::vector<std::string> names;
        for (int64_t known : sw->values) names.push_back(SwitchValueText(*sw, known));
        return Error(value_text.empty() ? item.substr(item.size()) : value_text,
                     absl::StrCat("expected a value of ", sw->name, " (a number or one of ",
                                  absl::StrJoin(names, ", "), "), got ", Quote(value_text)));
      }
      c.value = *v;
    }
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<Outcome> Parser::ParseOutcome(absl::string_view s) const {
  if (s == "fd") return Outcome::Fd();
  if (const int e = ErrnoFromName(s)) return Outcome::Errno(e);
  if (s.size() > 5 && s.substr(0, 5) == "errno") {
    SCN_ASSIGN_OR_RETURN(int64_t e, Signed(s.substr(5), "errno", INT32_MIN, INT32_MAX));
    return Outcome::Errno(static_cast<int>(e));
  }
  bool negative;
  uint64_t mag;
  if (ParseMagnitude(s, &negative, &mag) == NumResult::kSyntax) {
    return Error(s, absl::StrCat("unknown outcome ", Quote(s),
                                 " (expected fd, an errno name such as EACCES, or an integer)"));
  }
  SCN_ASSIGN_OR_RETURN(int64_t v, Signed(s, "outcome", INT64_MIN, INT64_MAX));
  return Outcome::Value(static_cast<long>(v));
}

absl::StatusOr<std::vector<KeyValue>> Parser::KeyValues(
    absl::Span<const absl::string_view> args, absl::string_view op,
    std::initializer_list<const char*> keys) const {
  const auto key_list = [&] {
    std::string list;
    for (const char* k : keys) absl::StrAppend(&list, list.empty() ? "" : ", ", k, "=");
    return list;
  };
  std::vector<KeyValue> out;
  for (absl::string_view t : args) {
    const size_t eq = t.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return Error(t, absl::StrCat("expected KEY=VALUE (", key_list(), ") for ", op, ", got ",
                                   Quote(t)));
    }
    const absl::string_view key = t.substr(0, eq);
    bool allowed = false;
    for (const char* k : keys) allowed = allowed || key == k;
    if (!allowed) {
      return Error(t, absl::StrCat("unknown key '", key, "=' for ", op, " (expected ", key_list(),
                                   ")"));
    }
    if (Find(out, key) != nullptr) return Error(t, absl::StrCat("duplicate key '", key, "='"));
    out.push_back({t, key, t.substr(eq + 1)});
  }
  return out;
}

absl::Status Parser::Readable(const KeyValue* kv, UserMem& mem, absl::string_view of) const {
  if (kv == nullptr) return absl::OkStatus();
  const size_t n = mem.bytes.size();
  SCN_ASSIGN_OR_RETURN(uint64_t r, Unsigned(kv->value, "readable", UINT64_MAX));
  if (r > n) {
    return Error(kv->value, absl::StrFormat("readable %d is more than the %d bytes of %s", r, n,
                                            of));
  }
  mem.readable = static_cast<size_t>(r);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Parser::Path(absl::string_view s) const {
  if (s == ".") return std::string(s);
  size_t start = 0;
  while (true) {
    const size_t slash = s.find('/', start);
    const absl::string_view name =
        s.substr(start, slash == absl::string_view::npos ? absl::string_view::npos : slash - start);
    if (name.empty()) {
      if (start == 0) {
        return Error(name, absl::StrCat("path ", Quote(s), " starts with '/' (paths are relative: "
                                        "to at=FD, or to the scenario root)"));
      }
      if (slash == absl::string_view::npos) {
        return Error(name, absl::StrCat("path ", Quote(s), " ends with '/'"));
      }
      return Error(name, absl::StrCat("empty name in path ", Quote(s), " ('//')"));
    }
    if (name == "..") {
      return Error(name, absl::StrCat("'..' in path ", Quote(s), " (not part of the model: a "
                                      "path never leaves its starting directory)"));
    }
    if (name == ".") {
      return Error(name, absl::StrCat("'.' in path ", Quote(s), " (only a whole path may be '.')"));
    }
    for (char c : name) {
      if (!fs::IsNameChar(c)) {
        return Error(name, absl::StrFormat("bad character '%c' in the name %s (names are "
                                           "[A-Za-z0-9._-]+)",
                                           c, Quote(name)));
      }
    }
    if (name.size() > fs::kMaxNameBytes) {
      return Error(name, absl::StrFormat("name of %d bytes is longer than NAME_MAX (%d)",
                                         name.size(), fs::kMaxNameBytes));
    }
    if (slash == absl::string_view::npos) break;
    start = slash + 1;
  }
  if (s.size() > fs::kMaxPathBytes) {
    return Error(s, absl::StrFormat("path of %d bytes is longer than %d bytes", s.size(),
                                    fs::kMaxPathBytes));
  }
  return std::string(s);
}

absl::StatusOr<uint64_t> Parser::Octal(absl::string_view s, absl::string_view what,
                                       uint64_t hi) const {
  if (s.empty()) return Error(s, absl::StrCat("expected an octal number for ", what, ", got ''"));
  uint64_t v = 0;
  bool overflow = false;
  for (char c : s) {
    if (c < '0' || c > '7') {
      return Error(s, absl::StrCat("expected an octal number for ", what, ", got ", Quote(s)));
    }
    if (v > (UINT64_MAX >> 3)) overflow = true;
    v = v << 3 | static_cast<uint64_t>(c - '0');
  }
  if (overflow || v > hi) {
    return Error(s, absl::StrFormat("%s %s is out of range (expected 0..0%o)", what, s, hi));
  }
  return v;
}

absl::Status Parser::NodeKind(absl::string_view s, Op& op, bool* takes_dev) const {
  *takes_dev = false;
  op.dev = 0;
  if (const Named* n = FindName(kNodeKinds, s)) {
    op.mode = static_cast<uint32_t>(n->value);
    *takes_dev = true;
    return absl::OkStatus();
  }
  if (s == "whiteout") {
    op.mode = fs::kSIfchr;
    return absl::OkStatus();
  }
  const size_t colon = s.find(':');
  const absl::string_view device = s.substr(0, colon);
  if (colon != absl::string_view::npos && (device == "char" || device == "block")) {
    const absl::string_view numbers = s.substr(colon + 1);
    const size_t sep = numbers.find(':');
    if (sep == absl::string_view::npos) {
      return Error(numbers, absl::StrCat("expected MAJOR:MINOR after '", device, ":', got ",
                                         Quote(numbers)));
    }
    SCN_ASSIGN_OR_RETURN(uint64_t major, Unsigned(numbers.substr(0, sep), "major", UINT32_MAX));
    SCN_ASSIGN_OR_RETURN(uint64_t minor, Unsigned(numbers.substr(sep + 1), "minor", UINT32_MAX));
    op.mode = device == "char" ? fs::kSIfchr : fs::kSIfblk;
    op.dev = fs::Makedev(static_cast<uint32_t>(major), static_cast<uint32_t>(minor));
    return absl::OkStatus();
  }
  if (!s.empty() && IsDigit(s[0])) {
    SCN_ASSIGN_OR_RETURN(uint64_t type, Octal(s, "file type", UINT32_MAX));
    if ((type & fs::kPermissionBits) != 0) {
      return Error(s, absl::StrFormat("file type %s has permission bits (07777) set; give them "
                                      "with mode=",
                                      s));
    }
    op.mode = static_cast<uint32_t>(type);
    *takes_dev = true;
    return absl::OkStatus();
  }
  return Error(s, absl::StrCat("unknown file kind ", Quote(s),
                               " (expected reg, dir, fifo, sock, whiteout, char:MAJOR:MINOR, "
                               "block:MAJOR:MINOR or an octal file type such as 0140000)"));
}

absl::Status Parser::PathOp(Op& op, absl::string_view op_token,
                            absl::Span<const absl::string_view> args, absl::string_view last) {
  // A positional argument: missing, or a KEY=VALUE where it should be, is an error.
  const auto positional = [&](size_t i, absl::string_view what) -> absl::Status {
    if (i >= args.size()) {
      return ErrorAfter(last, absl::StrCat("expected ", what, " after ", op_token));
    }
    if (args[i].find('=') != absl::string_view::npos) {
      return Error(args[i], absl::StrCat("expected ", what, " before the KEY=VALUE arguments, got ",
                                         Quote(args[i])));
    }
    return absl::OkStatus();
  };
  const bool two = TakesSecondPath(op.kind);
  const bool mount = op.kind == OpKind::kBindMount;
  SCN_RETURN_IF_ERROR(positional(0, two ? (mount ? "a source path" : "an old path") : "a path"));
  SCN_ASSIGN_OR_RETURN(op.path, Path(args[0]));
  size_t next = 1;
  if (two) {
    SCN_RETURN_IF_ERROR(positional(1, mount ? "a mount point path" : "a new path"));
    SCN_ASSIGN_OR_RETURN(op.path2, Path(args[1]));
    next = 2;
  }
  bool takes_dev = false;
  if (op.kind == OpKind::kMknod) {
    SCN_RETURN_IF_ERROR(positional(1, "a file kind (reg, dir, fifo, sock, whiteout, "
                                      "char:MAJOR:MINOR, block:MAJOR:MINOR or an octal file type)"));
    SCN_RETURN_IF_ERROR(NodeKind(args[1], op, &takes_dev));
    op.mode |= fs::kDefaultPermissions;
    next = 2;
  }
  if (op.kind == OpKind::kOpen) {
    SCN_RETURN_IF_ERROR(positional(1, "open flags (rdonly, wronly or rdwr, optionally "
                                      "|creat|excl|trunc|directory|path|cloexec, or numbers)"));
    const absl::string_view flags = args[1];
    bool access_mode = false;
    for (absl::string_view part : absl::StrSplit(flags, '|')) {
      if (FindName(kOpenAccessModes, part) == nullptr) continue;
      if (access_mode) {
        return Error(part, absl::StrCat("a second access mode ", Quote(part),
                                        " (rdonly, wronly and rdwr exclude each other)"));
      }
      access_mode = true;
    }
    SCN_ASSIGN_OR_RETURN(uint64_t v, Bits(flags, kOpenFlags, "open flag", UINT32_MAX));
    op.flags = static_cast<uint32_t>(v);
    next = 2;
  }
  std::vector<KeyValue> kvs;
  const absl::Span<const absl::string_view> rest = args.subspan(next);
  if (op.kind == OpKind::kMknod) {
    SCN_ASSIGN_OR_RETURN(kvs, KeyValues(rest, op_token, {"mode", "dev", "at"}));
  } else if (op.kind == OpKind::kRename) {
    SCN_ASSIGN_OR_RETURN(kvs, KeyValues(rest, op_token, {"flags", "at", "at2"}));
  } else if (two) {
    SCN_ASSIGN_OR_RETURN(kvs, KeyValues(rest, op_token, {"at", "at2"}));
  } else {
    SCN_ASSIGN_OR_RETURN(kvs, KeyValues(rest, op_token, {"at"}));
  }
  if (const KeyValue* kv = Find(kvs, "mode")) {
    SCN_ASSIGN_OR_RETURN(uint64_t perm, Octal(kv->value, "mode", fs::kPermissionBits));
    op.mode = (op.mode & ~fs::kPermissionBits) | static_cast<uint32_t>(perm);
  }
  if (const KeyValue* kv = Find(kvs, "dev")) {
    if (!takes_dev) {
      return Error(kv->token, "dev= goes with reg, dir, fifo, sock or an octal file type (char:, "
                              "block: and whiteout give the device number)");
    }
    SCN_ASSIGN_OR_RETURN(op.dev, Unsigned(kv->value, "dev", UINT64_MAX));
  }
  if (const KeyValue* kv = Find(kvs, "flags")) {
    SCN_ASSIGN_OR_RETURN(uint64_t v, Bits(kv->value, kRenameFlags, "rename flag", UINT32_MAX));
    op.flags = static_cast<uint32_t>(v);
  }
  if (const KeyValue* kv = Find(kvs, "at")) {
    SCN_ASSIGN_OR_RETURN(FdRef at, Fd(kv->value, "a directory fd"));
    op.at = at;
  }
  if (const KeyValue* kv = Find(kvs, "at2")) {
    SCN_ASSIGN_OR_RETURN(FdRef at2, Fd(kv->value, "a directory fd"));
    op.at2 = at2;
  }
  return absl::OkStatus();
}

absl::Status Parser::OpArgs(Op& op, absl::string_view op_token,
                            absl::Span<const absl::string_view> args) {
  const absl::string_view last = args.empty() ? op_token : args.back();
  switch (op.kind) {
    case OpKind::kCreateRuleset: {
      SCN_ASSIGN_OR_RETURN(
          std::vector<KeyValue> kvs,
          KeyValues(args, op_token,
                    {"handled_fs", "handled_net", "scoped", "attr", "size", "readable", "flags"}));
      const KeyValue* attr = Find(kvs, "attr");
      if (attr != nullptr) {
        for (const KeyValue& kv : kvs) {
          if (kv.key == "handled_fs" || kv.key == "handled_net" || kv.key == "scoped") {
            return Error(kv.token, absl::StrCat(kv.key, "= cannot be combined with attr= (attr= "
                                                        "gives the raw bytes)"));
          }
        }
        SCN_ASSIGN_OR_RETURN(op.mem, HexOrNull(attr->value));
      } else {
        uint64_t f[3] = {0, 0, 0};
        const char* keys[3] = {"handled_fs", "handled_net", "scoped"};
        const Names tables[3] = {Names(kFsAccess), Names(kNetAccess), Names(kScopes)};
        const char* what[3] = {"filesystem access", "network access", "scope"};
        for (int i = 0; i < 3; ++i) {
          if (const KeyValue* kv = Find(kvs, keys[i])) {
            SCN_ASSIGN_OR_RETURN(f[i], Bits(kv->value, tables[i], what[i], UINT64_MAX));
          }
        }
        op.mem = UserMem::Of(RulesetAttr(f[0], f[1], f[2]));
      }
      op.size = op.mem.bytes.size();
      if (const KeyValue* kv = Find(kvs, "size")) {
        SCN_ASSIGN_OR_RETURN(op.size, Unsigned(kv->value, "size", UINT64_MAX));
      }
      SCN_RETURN_IF_ERROR(Readable(Find(kvs, "readable"), op.mem, "the attr"));
      if (const KeyValue* kv = Find(kvs, "flags")) {
        SCN_ASSIGN_OR_RETURN(uint64_t flags,
                             Bits(kv->value, kCreateFlags, "create_ruleset flag", UINT32_MAX));
        op.flags = static_cast<uint32_t>(flags);
      }
      return absl::OkStatus();
    }
    case OpKind::kAddRule: {
      if (args.empty()) {
        return ErrorAfter(last, "expected a ruleset fd (a name or an integer) after add_rule");
      }
      SCN_ASSIGN_OR_RETURN(op.fd, Fd(args[0], "a ruleset fd"));
      if (args.size() < 2) {
        return ErrorAfter(last, "expected a rule type (net_port, path_beneath or an integer)");
      }
      const absl::string_view type = args[1];
      bool named_type = true;
      if (type == "net_port") {
        op.rule_type = landlock::kRuleNetPort;
      } else if (type == "path_beneath") {
        op.rule_type = landlock::kRulePathBeneath;
      } else {
        named_type = false;
        bool negative;
        uint64_t mag;
        if (ParseMagnitude(type, &negative, &mag) == NumResult::kSyntax) {
          return Error(type, absl::StrCat("expected a rule type (net_port, path_beneath or an "
                                          "integer), got ",
                                          Quote(type)));
        }
        SCN_ASSIGN_OR_RETURN(int64_t t, Signed(type, "rule type", INT32_MIN, INT32_MAX));
        op.rule_type = static_cast<int32_t>(t);
      }
      SCN_ASSIGN_OR_RETURN(std::vector<KeyValue> kvs,
                           KeyValues(args.subspan(2), op_token,
                                     {"allowed", "port", "parent_fd", "attr", "readable",
                                      "flags"}));
      const KeyValue* attr = Find(kvs, "attr");
      const KeyValue* allowed = Find(kvs, "allowed");
      const KeyValue* port = Find(kvs, "port");
      const KeyValue* parent = Find(kvs, "parent_fd");
      if (attr != nullptr) {
        for (const KeyValue* kv : {allowed, port}) {
          if (kv != nullptr) {
            return Error(kv->token, absl::StrCat(kv->key, "= cannot be combined with attr= "
                                                          "(attr= gives the raw bytes)"));
          }
        }
        SCN_ASSIGN_OR_RETURN(op.mem, HexOrNull(attr->value));
        if (parent != nullptr) {
          SCN_ASSIGN_OR_RETURN(FdRef p, Fd(parent->value, "parent_fd"));
          op.parent_fd = p;
        }
      } else if (!named_type) {
        return ErrorAfter(last, "add_rule with a numeric rule type needs attr=HEX or attr=null");
      } else if (op.rule_type == landlock::kRuleNetPort) {
        if (parent != nullptr) {
          return Error(parent->token, "parent_fd= belongs to path_beneath or to the attr= form");
        }
        if (allowed == nullptr) {
          return ErrorAfter(last, "add_rule net_port needs allowed=ACCESS (or attr=HEX)");
        }
        if (port == nullptr) return ErrorAfter(last, "add_rule net_port needs port=N");
        SCN_ASSIGN_OR_RETURN(uint64_t a, Bits(allowed->value, kNetAccess, "network access",
                                              UINT64_MAX));
        SCN_ASSIGN_OR_RETURN(uint64_t p, Unsigned(port->value, "port", UINT64_MAX));
        op.mem = UserMem::Of(NetPortAttr(a, p));
      } else {
        if (port != nullptr) return Error(port->token, "port= belongs to net_port");
        if (allowed == nullptr) {
          return ErrorAfter(last, "add_rule path_beneath needs allowed=ACCESS (or attr=HEX)");
        }
        if (parent == nullptr) return ErrorAfter(last, "add_rule path_beneath needs parent_fd=FD");
        SCN_ASSIGN_OR_RETURN(uint64_t a, Bits(allowed->value, kFsAccess, "filesystem access",
                                              UINT64_MAX));
        SCN_ASSIGN_OR_RETURN(FdRef p, Fd(parent->value, "parent_fd"));
        if (p.kind == FdRef::Kind::kHandle) {
          op.mem = UserMem::Of(PathBeneathAttr(a, 0));
          op.parent_fd = p;
        } else {
          op.mem = UserMem::Of(PathBeneathAttr(a, p.value));
        }
      }
      SCN_RETURN_IF_ERROR(Readable(Find(kvs, "readable"), op.mem, "the attr"));
      if (const KeyValue* kv = Find(kvs, "flags")) {
        SCN_ASSIGN_OR_RETURN(uint64_t flags, Bits(kv->value, kNone, "add_rule flag", UINT32_MAX));
        op.flags = static_cast<uint32_t>(flags);
      }
      return absl::OkStatus();
    }
    case OpKind::kRestrictSelf: {
      if (args.empty()) {
        return ErrorAfter(last, "expected a ruleset fd (a name or an integer) after restrict_self");
      }
      SCN_ASSIGN_OR_RETURN(op.fd, Fd(args[0], "a ruleset fd"));
      SCN_ASSIGN_OR_RETURN(std::vector<KeyValue> kvs,
                           KeyValues(args.subspan(1), op_token, {"flags"}));
      if (const KeyValue* kv = Find(kvs, "flags")) {
        SCN_ASSIGN_OR_RETURN(uint64_t flags,
                             Bits(kv->value, kNone, "restrict_self flag", UINT32_MAX));
        op.flags = static_cast<uint32_t>(flags);
      }
      return absl::OkStatus();
    }
    case OpKind::kSetNoNewPrivs:
      if (!args.empty()) {
        return Error(args[0], absl::StrCat("no_new_privs takes no arguments, got ",
                                           Quote(args[0])));
      }
      return absl::OkStatus();
    case OpKind::kThread:
    case OpKind::kFork:
    case OpKind::kTraceme:
      if (!args.empty()) {
        return Error(args[0], absl::StrCat(OpKindName(op.kind), " takes no arguments, got ",
                                           Quote(args[0])));
      }
      return absl::OkStatus();
    case OpKind::kKill:
    case OpKind::kPtrace: {
      const bool kill = op.kind == OpKind::kKill;
      if (args.empty()) {
        return ErrorAfter(last, absl::StrCat("expected a task (a name or a number; the first "
                                             "task is 0) after ", OpKindName(op.kind)));
      }
      SCN_ASSIGN_OR_RETURN(op.fd, Fd(args[0], "a task"));
      if (kill) {
        if (args.size() < 2) {
          return ErrorAfter(last, absl::StrCat("expected a signal (", NameList(kSignals),
                                               " or an integer) after kill's task"));
        }
        SCN_ASSIGN_OR_RETURN(const int32_t sig, NamedOrInt32(args[1], kSignals, "signal"));
        op.flags = static_cast<uint32_t>(sig);
      }
      const size_t used = kill ? 2 : 1;
      if (args.size() > used) {
        return Error(args[used], absl::StrCat("unexpected ", Quote(args[used]), " after ",
                                              OpKindName(op.kind), kill ? "'s signal" : "'s task"));
      }
      return absl::OkStatus();
    }
    case OpKind::kSetown: {
      if (args.empty()) {
        return ErrorAfter(last, "expected an fd (a name or an integer) after setown");
      }
      SCN_ASSIGN_OR_RETURN(op.fd, Fd(args[0], "an fd"));
      if (args.size() < 2) {
        return ErrorAfter(last, "expected the owner task (a name or a number; the first task "
                                "is 0) after setown's fd");
      }
      SCN_ASSIGN_OR_RETURN(const FdRef task, Fd(args[1], "a task"));
      op.at = task;
      if (args.size() > 2) {
        return Error(args[2], absl::StrCat("unexpected ", Quote(args[2]), " after setown's task"));
      }
      return absl::OkStatus();
    }
    case OpKind::kSigwait: {
      if (args.empty()) {
        return ErrorAfter(last, absl::StrCat("expected a signal (", NameList(kSignals),
                                             " or an integer) after sigwait"));
      }
      SCN_ASSIGN_OR_RETURN(const int32_t sig, NamedOrInt32(args[0], kSignals, "signal"));
      op.flags = static_cast<uint32_t>(sig);
      if (args.size() > 1) {
        return Error(args[1], absl::StrCat("unexpected ", Quote(args[1]), " after sigwait's "
                                           "signal"));
      }
      return absl::OkStatus();
    }
    case OpKind::kAccept: {
      if (args.empty()) {
        return ErrorAfter(last, "expected a listening socket's fd (a name or an integer) after "
                                "accept");
      }
      SCN_ASSIGN_OR_RETURN(op.fd, Fd(args[0], "an fd"));
      SCN_ASSIGN_OR_RETURN(std::vector<KeyValue> kvs,
                           KeyValues(args.subspan(1), op_token, {"flags"}));
      if (const KeyValue* kv = Find(kvs, "flags")) {
        SCN_ASSIGN_OR_RETURN(uint64_t flags, Bits(kv->value, kNone, "accept flag", UINT32_MAX));
        op.flags = static_cast<uint32_t>(flags);
      }
      return absl::OkStatus();
    }
    case OpKind::kOnThread: {
      if (args.empty()) {
        return ErrorAfter(last, "expected a thread (a name or a number; the first thread is 0) "
                                "after on_thread");
      }
      SCN_ASSIGN_OR_RETURN(op.fd, Fd(args[0], "a thread"));
      if (args.size() > 1) {
        return Error(args[1],
                     absl::StrCat("unexpected ", Quote(args[1]), " after on_thread's thread"));
      }
      return absl::OkStatus();
    }
    case OpKind::kClose:
    case OpKind::kListen: {
      if (args.empty()) {
        return ErrorAfter(last, absl::StrCat("expected an fd (a name or an integer) after ",
                                             OpKindName(op.kind)));
      }
      SCN_ASSIGN_OR_RETURN(op.fd, Fd(args[0], "an fd"));
      if (args.size() > 1) {
        return Error(args[1], absl::StrCat("unexpected ", Quote(args[1]), " after ",
                                           OpKindName(op.kind), "'s fd"));
      }
      return absl::OkStatus();
    }
    case OpKind::kSocket: {
      if (args.empty()) {
        return ErrorAfter(last, absl::StrCat("expected a socket family (", NameList(kFamilies),
                                             " or an integer)"));
      }
      SCN_ASSIGN_OR_RETURN(op.family, NamedOrInt32(args[0], kFamilies, "socket family"));
      if (args.size() < 2) {
        return ErrorAfter(last, "expected a socket type (stream, dgram, raw, seqpacket or an "
                                "integer, optionally |nonblock|cloexec)");
      }
      const absl::string_view type = args[1];
      if (!type.empty() && type[0] == '-') {
        SCN_ASSIGN_OR_RETURN(int64_t v, Signed(type, "socket type", INT32_MIN, INT32_MAX));
        op.type = static_cast<int32_t>(v);
      } else {
        static const Named kAllTypes[] = {{"stream", 1},      {"dgram", 2},
                                          {"raw", 3},         {"seqpacket", 5},
                                          {"nonblock", 0x800}, {"cloexec", 0x80000}};
        SCN_ASSIGN_OR_RETURN(uint64_t v, Bits(type, kAllTypes, "socket type", UINT32_MAX));
        op.type = static_cast<int32_t>(static_cast<uint32_t>(v));
      }
      if (args.size() >= 3) {
        if (const Named* n = FindName(kProtocols, args[2])) {
          op.protocol = static_cast<int32_t>(n->value);
        } else {
          bool negative;
          uint64_t mag;
          if (ParseMagnitude(args[2], &negative, &mag) == NumResult::kSyntax) {
            return Error(args[2], absl::StrCat("unknown protocol ", Quote(args[2]),
                                               " (expected 0, ", NameList(kProtocols),
                                               " or an integer)"));
          }
          SCN_ASSIGN_OR_RETURN(int64_t v, Signed(args[2], "protocol", INT32_MIN, INT32_MAX));
          op.protocol = static_cast<int32_t>(v);
        }
      }
      if (args.size() > 3) {
        return Error(args[3], absl::StrCat("unexpected ", Quote(args[3]),
                                           " after socket's protocol"));
      }
      return absl::OkStatus();
    }
    case OpKind::kBind:
    case OpKind::kConnect:
    case OpKind::kSendTo: {
      const bool sendto = op.kind == OpKind::kSendTo;
      if (args.empty()) {
        return ErrorAfter(last, absl::StrCat("expected a socket fd (a name or an integer) after ",
                                             op_token));
      }
      SCN_ASSIGN_OR_RETURN(op.fd, Fd(args[0], "a socket fd"));
      if (args.size() < 2) {
        return ErrorAfter(last, "expected an address (inet:A.B.C.D:PORT, inet6:[IPV6]:PORT, "
                                "unspec, unspec:A.B.C.D:PORT, unspec6:[IPV6]:PORT, abstract:NAME, "
                                "path:PATH, family:N:LEN, hex:HEX or null)");
      }
      SCN_ASSIGN_OR_RETURN(op.mem, Address(args[1]));
      std::vector<KeyValue> kvs;
      if (sendto) {
        SCN_ASSIGN_OR_RETURN(kvs, KeyValues(args.subspan(2), op_token,
                                            {"addrlen", "readable", "flags"}));
      } else {
        SCN_ASSIGN_OR_RETURN(kvs, KeyValues(args.subspan(2), op_token, {"addrlen", "readable"}));
      }
      op.addrlen = static_cast<int32_t>(op.mem.bytes.size());
      if (const KeyValue* kv = Find(kvs, "addrlen")) {
        SCN_ASSIGN_OR_RETURN(int64_t v, Signed(kv->value, "addrlen", INT32_MIN, INT32_MAX));
        op.addrlen = static_cast<int32_t>(v);
      }
      SCN_RETURN_IF_ERROR(Readable(Find(kvs, "readable"), op.mem, "the address"));
      if (const KeyValue* kv = Find(kvs, "flags")) {
        SCN_ASSIGN_OR_RETURN(uint64_t flags, Bits(kv->value, kSendFlags, "send flag", UINT32_MAX));
        op.flags = static_cast<uint32_t>(flags);
      }
      return absl::OkStatus();
    }
    case OpKind::kMkdir:
    case OpKind::kMknod:
    case OpKind::kOpen:
    case OpKind::kExecute:
    case OpKind::kExecve:
    case OpKind::kTruncate:
    case OpKind::kUnlink:
    case OpKind::kRmdir:
    case OpKind::kRename:
    case OpKind::kLink:
    case OpKind::kBindMount:
      return PathOp(op, op_token, args, last);
    case OpKind::kFtruncate:
    case OpKind::kIoctl: {
      const bool ioctl = op.kind == OpKind::kIoctl;
      if (args.empty()) {
        return ErrorAfter(last, absl::StrCat("expected an fd (a name or an integer) after ",
                                             op_token));
      }
      SCN_ASSIGN_OR_RETURN(op.fd, Fd(args[0], "an fd"));
      if (!ioctl) {
        if (args.size() > 1) {
          return Error(args[1],
                       absl::StrCat("unexpected ", Quote(args[1]), " after ftruncate's fd"));
        }
        return absl::OkStatus();
      }
      if (args.size() < 2) {
        return ErrorAfter(last, "expected an ioctl command (a name such as fionread or a u32)");
      }
      const absl::string_view cmd = args[1];
      if (const Named* n = FindName(kIoctlCommands, cmd)) {
        op.flags = static_cast<uint32_t>(n->value);
      } else {
        bool negative;
        uint64_t mag;
        if (ParseMagnitude(cmd, &negative, &mag) == NumResult::kSyntax) {
          return Error(cmd, absl::StrCat("unknown ioctl command ", Quote(cmd), " (expected ",
                                         NameList(kIoctlCommands), " or a u32)"));
        }
        SCN_ASSIGN_OR_RETURN(uint64_t v, Unsigned(cmd, "ioctl command", UINT32_MAX));
        op.flags = static_cast<uint32_t>(v);
      }
      if (args.size() > 2) {
        return Error(args[2], absl::StrCat("unexpected ", Quote(args[2]),
                                           " after ioctl's command"));
      }
      return absl::OkStatus();
    }
  }
  return Error(op_token, "internal: unhandled op");
}

// ---------------------------------------------------------------------------------------------
// Printer

std::string BitsText(uint64_t value, Names names) {
  if (value == 0) return "0";
  std::string out;
  for (const Named& n : names) {
    if ((value & n.value) == n.value && n.value != 0) {
      absl::StrAppend(&out, out.empty() ? "" : "|", n.name);
      value &= ~n.value;
    }
  }
  if (value != 0) absl::StrAppend(&out, out.empty() ? "" : "|", absl::StrFormat("%#x", value));
  return out;
}

std::string HexText(const std::vector<uint8_t>& b) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (uint8_t v : b) {
    out += kDigits[v >> 4];
    out += kDigits[v & 15];
  }
  return out;
}

std::string Ipv4Text(const std::vector<uint8_t>& b, size_t at) {
  return absl::StrFormat("%d.%d.%d.%d", b[at], b[at + 1], b[at + 2], b[at + 3]);
}

std::string Ipv6Text(const std::vector<uint8_t>& b, size_t at) {
  uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>(b[at + 2 * i] << 8 | b[at + 2 * i + 1]);
  int best = -1, best_len = 1;  // compress only runs of two or more zero groups (RFC 5952)
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    absl::StrAppend(&out, absl::StrFormat("%x", g[i]));
  }
  return out;
}

uint16_t PortAt(const std::vector<uint8_t>& b) {
  return static_cast<uint16_t>(b[2] << 8 | b[3]);
}

std::string AddressText(const UserMem& mem) {
  if (mem.null) return "null";
  const std::vector<uint8_t>& b = mem.bytes;
  if (b.size() == net::kSockaddrInSize && AllZero(b, 0, b.size())) return "unspec";
  if (b.size() == net::kSockaddrInSize && AllZero(b, 8, 16)) {
    const uint16_t family = Host16(b, 0);
    if (family == net::kAfInet || family == net::kAfUnspec) {
      return absl::StrCat(family == net::kAfInet ? "inet:" : "unspec:", Ipv4Text(b, 4), ":",
                          PortAt(b));
    }
  }
  if (b.size() == net::kSockaddrIn6Size && AllZero(b, 4, 8) && AllZero(b, 24, 28)) {
    const uint16_t family = Host16(b, 0);
    if (family == net::kAfInet6 || family == net::kAfUnspec) {
      return absl::StrCat(family == net::kAfInet6 ? "inet6:[" : "unspec6:[", Ipv6Text(b, 8),
                          "]:", PortAt(b));
    }
  }
  if (b.size() >= 2 && b.size() <= kMaxFamilyLen && AllZero(b, 2, b.size())) {
    return absl::StrCat("family:", b[0] | (b[1] << 8), ":", b.size());
  }
  if (b.size() > 3 && b.size() <= 3 + kMaxAbstractName && Host16(b, 0) == net::kAfUnix &&
      b[2] == 0 && std::all_of(b.begin() + 3, b.end(), fs::IsNameChar)) {
    return absl::StrCat("abstract:", std::string(b.begin() + 3, b.end()));
  }
  if (b.size() > 3 && b.size() <= 3 + kMaxAbstractName && Host16(b, 0) == net::kAfUnix &&
      b[2] != 0 && b.back() == 0 && std::all_of(b.begin() + 2, b.end() - 1, [](uint8_t c) {
        return c == '/' || fs::IsNameChar(static_cast<char>(c));
      })) {
    return absl::StrCat("path:", std::string(b.begin() + 2, b.end() - 1));
  }
  return absl::StrCat("hex:", HexText(b));
}

std::string NamedOrNumber(int32_t v, Names names) {
  if (v >= 0) {
    if (const Named* n = FindValue(names, static_cast<uint64_t>(v))) return n->name;
  }
  return absl::StrCat(v);
}

std::string SockTypeText(int32_t type) {
  const uint32_t u = static_cast<uint32_t>(type);
  const uint32_t flags = u & (0x800u | 0x80000u);
  const Named* base = FindValue(kSockTypes, u & ~flags);
  if (base == nullptr) return absl::StrCat(type);
  std::string out = base->name;
  if (flags & 0x800u) out += "|nonblock";
  if (flags & 0x80000u) out += "|cloexec";
  return out;
}

std::string OpenFlagsText(uint32_t flags) {
  const uint32_t mode = flags & fs::kOAccmode;
  std::string out = mode == fs::kOAccmode ? "3" : FindValue(kOpenAccessModes, mode)->name;
  const uint32_t rest = flags & ~fs::kOAccmode;
  if (rest != 0) absl::StrAppend(&out, "|", BitsText(rest, kOpenFlagBits));
  return out;
}

// mknod's KIND [dev=] [mode=] for `mode` and `dev`.
std::string NodeText(uint32_t mode, uint64_t dev) {
  const uint32_t type = mode & ~fs::kPermissionBits;
  std::string out;
  bool dev_shown = true;
  if (type == fs::kSIfchr && dev == 0) {
    out = "whiteout";
  } else if (type == fs::kSIfchr || type == fs::kSIfblk) {
    out = absl::StrCat(type == fs::kSIfchr ? "char:" : "block:", fs::Major(dev), ":",
                       fs::Minor(dev));
  } else if (const Named* n = FindValue(kNodeKinds, type)) {
    out = n->name;
    dev_shown = false;
  } else {
    out = type == 0 ? "0" : absl::StrFormat("0%o", type);
    dev_shown = false;
  }
  if (!dev_shown && dev != 0) absl::StrAppend(&out, " dev=", dev);
  const uint32_t perm = mode & fs::kPermissionBits;
  if (perm != fs::kDefaultPermissions) absl::StrAppend(&out, absl::StrFormat(" mode=0%o", perm));
  return out;
}

std::string IoctlText(uint32_t cmd) {
  if (const Named* n = FindValue(kIoctlCommands, cmd)) return n->name;
  return absl::StrFormat("%#x", cmd);
}

class Printer {
 public:
  explicit Printer(const Scenario& s) : s_(s) { AssignNames(); }

  std::string Run() {
    std::string out;
    if (!s_.task.no_new_privs || s_.task.cap_sys_admin) {
      out += "task";
      if (!s_.task.no_new_privs) out += " no_new_privs=0";
      if (s_.task.cap_sys_admin) out += " cap_sys_admin=1";
      out += "\n";
    }
    for (size_t i = 0; i < s_.ops.size(); ++i) {
      out += OpText(i);
      out += "\n";
      out += LogText(s_.ops[i].expect_log, LogKeyword(s_.ops[i].expect_log_when) + " ");
    }
    out += LogText(s_.expect_exit_log, LogKeyword(s_.expect_exit_log_when) + " exit ");
    return out;
  }

 private:
  bool ValidHandle(const FdRef& ref, size_t at) const {
    return ref.kind == FdRef::Kind::kHandle && ref.value >= 0 &&
           static_cast<size_t>(ref.value) < at && ReturnsFd(s_.ops[ref.value]);
  }

  void AssignNames() {
    const size_t n = s_.ops.size();
    names_.assign(n, "");
    std::vector<bool> referenced(n, false);
    for (size_t i = 0; i < n; ++i) {
      const Op& op = s_.ops[i];
      if (UsesFd(op.kind) && ValidHandle(op.fd, i)) referenced[op.fd.value] = true;
      if (op.kind == OpKind::kAddRule && op.parent_fd && ValidHandle(*op.parent_fd, i)) {
        referenced[op.parent_fd->value] = true;
      }
      if ((TakesPath(op.kind) || Takes(op.kind, LOCKSTEP_ARG_TASK)) && op.at &&
          ValidHandle(*op.at, i)) {
        referenced[op.at->value] = true;
      }
      if (TakesSecondPath(op.kind) && op.at2 && ValidHandle(*op.at2, i)) {
        referenced[op.at2->value] = true;
      }
    }
    std::unordered_set<std::string> used;
    for (size_t i = 0; i < n; ++i) {
      const Op& op = s_.ops[i];
      if (ReturnsFd(op) && IsValidName(op.name) && used.insert(op.name).second) {
        names_[i] = op.name;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      const Op& op = s_.ops[i];
      if (!ReturnsFd(op) || !names_[i].empty()) continue;
      if (op.name.empty() && !referenced[i]) continue;
      std::string name = absl::StrCat("fd", i);
      while (!used.insert(name).second) name += "_";
      names_[i] = name;
    }
  }

  std::string FdText(const FdRef& ref, size_t at) const {
    if (ref.kind == FdRef::Kind::kRaw) return absl::StrCat(ref.value);
    if (ValidHandle(ref, at)) return names_[ref.value];
    return "-1";  // what the runner passes for a handle that cannot resolve
  }

  static void Readable(std::string& out, const UserMem& mem) {
    if (!mem.null && mem.readable < mem.bytes.size()) absl::StrAppend(&out, " readable=", mem.readable);
  }

  static std::string LogKeyword(const std::vector<Op::ExpectCondition>& when) {
    return when.empty() ? "log" : "log[" + ExpectConditionsText(when) + "]";
  }

  static std::string LogText(const std::optional<std::vector<LogRecord>>& log,
                             const std::string& prefix) {
    if (!log) return "";
    if (log->empty()) return prefix + "none\n";
    std::string out;
    for (const LogRecord& r : *log) out += prefix + r.ToString() + "\n";
    return out;
  }

  std::string OpText(size_t i) const {
    const Op& op = s_.ops[i];
    std::string out;
    if (!names_[i].empty()) absl::StrAppend(&out, names_[i], " = ");
    out += OpKindName(op.kind);
    const std::vector<uint8_t>& b = op.mem.bytes;
    switch (op.kind) {
      case OpKind::kCreateRuleset: {
        size_t default_size = 0;
        if (!op.mem.null && b.size() == landlock::kRulesetAttrSize) {
          const uint64_t f[3] = {Host64(b, 0), Host64(b, 8), Host64(b, 16)};
          const char* keys[3] = {"handled_fs", "handled_net", "scoped"};
          const Names tables[3] = {Names(kFsAccess), Names(kNetAccess), Names(kScopes)};
          for (int k = 0; k < 3; ++k) {
            if (f[k] != 0) absl::StrAppend(&out, " ", keys[k], "=", BitsText(f[k], tables[k]));
          }
          default_size = landlock::kRulesetAttrSize;
        } else if (op.mem.null) {
          out += " attr=null";
        } else {
          absl::StrAppend(&out, " attr=", HexText(b));
          default_size = b.size();
        }
        if (op.size != default_size) absl::StrAppend(&out, " size=", op.size);
        Readable(out, op.mem);
        if (op.flags != 0) absl::StrAppend(&out, " flags=", BitsText(op.flags, kCreateFlags));
        break;
      }
      case OpKind::kAddRule: {
        absl::StrAppend(&out, " ", FdText(op.fd, i), " ");
        if (op.rule_type == landlock::kRuleNetPort) {
          out += "net_port";
        } else if (op.rule_type == landlock::kRulePathBeneath) {
          out += "path_beneath";
        } else {
          absl::StrAppend(&out, op.rule_type);
        }
        const bool handle_parent =
            op.parent_fd && op.parent_fd->kind == FdRef::Kind::kHandle && ValidHandle(*op.parent_fd, i);
        if (!op.mem.null && op.rule_type == landlock::kRuleNetPort &&
            b.size() == landlock::kNetPortAttrSize && !op.parent_fd) {
          absl::StrAppend(&out, " allowed=", BitsText(Host64(b, 0), kNetAccess),
                          " port=", Host64(b, 8));
        } else if (!op.mem.null && op.rule_type == landlock::kRulePathBeneath &&
                   b.size() == landlock::kPathBeneathAttrSize &&
                   (!op.parent_fd || (handle_parent && Host32(b, 8) == 0))) {
          absl::StrAppend(&out, " allowed=", BitsText(Host64(b, 0), kFsAccess), " parent_fd=",
                          op.parent_fd ? FdText(*op.parent_fd, i)
                                       : absl::StrCat(static_cast<int32_t>(Host32(b, 8))));
        } else {
          absl::StrAppend(&out, " attr=", op.mem.null ? "null" : HexText(b));
          if (op.parent_fd) absl::StrAppend(&out, " parent_fd=", FdText(*op.parent_fd, i));
        }
        Readable(out, op.mem);
        if (op.flags != 0) absl::StrAppend(&out, " flags=", BitsText(op.flags, kNone));
        break;
      }
      case OpKind::kRestrictSelf:
      case OpKind::kAccept:
        absl::StrAppend(&out, " ", FdText(op.fd, i));
        if (op.flags != 0) absl::StrAppend(&out, " flags=", BitsText(op.flags, kNone));
        break;
      case OpKind::kSetNoNewPrivs:
      case OpKind::kThread:
      case OpKind::kFork:
      case OpKind::kTraceme:
        break;
      case OpKind::kClose:
      case OpKind::kListen:
      case OpKind::kOnThread:
      case OpKind::kPtrace:
        absl::StrAppend(&out, " ", FdText(op.fd, i));
        break;
      case OpKind::kKill:
        absl::StrAppend(&out, " ", FdText(op.fd, i), " ",
                        NamedOrNumber(static_cast<int32_t>(op.flags), kSignals));
        break;
      case OpKind::kSetown:
        absl::StrAppend(&out, " ", FdText(op.fd, i), " ",
                        FdText(op.at.value_or(FdRef::Raw(-1)), i));
        break;
      case OpKind::kSigwait:
        absl::StrAppend(&out, " ", NamedOrNumber(static_cast<int32_t>(op.flags), kSignals));
        break;
      case OpKind::kSocket:
        absl::StrAppend(&out, " ", NamedOrNumber(op.family, kFamilies), " ",
                        SockTypeText(op.type));
        if (op.protocol != 0) absl::StrAppend(&out, " ", NamedOrNumber(op.protocol, kProtocols));
        break;
      case OpKind::kBind:
      case OpKind::kConnect:
      case OpKind::kSendTo: {
        absl::StrAppend(&out, " ", FdText(op.fd, i), " ", AddressText(op.mem));
        const int64_t default_len = op.mem.null ? 0 : static_cast<int64_t>(b.size());
        if (op.addrlen != default_len) absl::StrAppend(&out, " addrlen=", op.addrlen);
        Readable(out, op.mem);
        if (op.kind == OpKind::kSendTo && op.flags != 0) {
          absl::StrAppend(&out, " flags=", BitsText(op.flags, kSendFlags));
        }
        break;
      }
      case OpKind::kMkdir:
      case OpKind::kMknod:
      case OpKind::kOpen:
      case OpKind::kExecute:
      case OpKind::kExecve:
      case OpKind::kTruncate:
      case OpKind::kUnlink:
      case OpKind::kRmdir:
      case OpKind::kRename:
      case OpKind::kLink:
      case OpKind::kBindMount:
        // SafePath: what the runner passes for a path built in code that is not valid.
        absl::StrAppend(&out, " ", fs::SafePath(op.path));
        if (TakesSecondPath(op.kind)) absl::StrAppend(&out, " ", fs::SafePath(op.path2));
        if (op.kind == OpKind::kMknod) absl::StrAppend(&out, " ", NodeText(op.mode, op.dev));
        if (op.kind == OpKind::kOpen) absl::StrAppend(&out, " ", OpenFlagsText(op.flags));
        if (op.kind == OpKind::kRename && op.flags != 0) {
          absl::StrAppend(&out, " flags=", BitsText(op.flags, kRenameFlags));
        }
        if (op.at) absl::StrAppend(&out, " at=", FdText(*op.at, i));
        if (TakesSecondPath(op.kind) && op.at2) absl::StrAppend(&out, " at2=", FdText(*op.at2, i));
        break;
      case OpKind::kFtruncate:
        absl::StrAppend(&out, " ", FdText(op.fd, i));
        break;
      case OpKind::kIoctl:
        absl::StrAppend(&out, " ", FdText(op.fd, i), " ", IoctlText(op.flags));
        break;
    }
    const auto outcome_text = [](const Outcome& o) -> std::string {
      switch (o.kind) {
        case Outcome::Kind::kFd: return "fd";
        case Outcome::Kind::kErrno: return ErrnoText(static_cast<int>(o.value));
        case Outcome::Kind::kValue: return absl::StrCat(o.value);
      }
      return "";
    };
    if (op.expect) absl::StrAppend(&out, " expect ", outcome_text(*op.expect));
    std::vector<std::vector<Op::ExpectCondition>> printed;
    for (const Op::ExpectOverride& o : op.expect_overrides) {
      // Only what the parser accepts: known switches, at least one condition, each list once.
      bool ok = !o.when.empty();
      for (const Op::ExpectCondition& c : o.when) ok = ok && FindSwitch(c.name) != nullptr;
      for (const auto& w : printed) ok = ok && w != o.when;
      if (!ok) continue;
      printed.push_back(o.when);
      absl::StrAppend(&out, " expect[", ExpectConditionsText(o.when), "] ",
                      outcome_text(o.outcome));
    }
    return out;
  }

  const Scenario& s_;
  std::vector<std::string> names_;
};

}  // namespace

int ErrnoFromName(absl::string_view name) {
  const ErrnoTables& t = Errnos();
  auto it = t.by_name.find(std::string(name));
  return it == t.by_name.end() ? 0 : it->second;
}

absl::StatusOr<Scenario> ParseScn(absl::string_view text, absl::string_view filename) {
  Parser parser(text, filename);
  return parser.Run();
}

std::string PrintScn(const Scenario& scenario) { return Printer(scenario).Run(); }

}  // namespace lockstep
