#include "scenario/runner.h"

#include <cstddef>
#include <string>

#include "scenario/fs_ops.h"

extern "C" {
int lockstep_current_op = 0;
}

namespace lockstep {
namespace {

void SetCurrentOp(int number) {
  __atomic_store_n(&lockstep_current_op, number, __ATOMIC_RELAXED);
}

UserBuffer BufferOf(const UserMem& mem) {
  if (mem.null) return UserBuffer::Null();
  // An empty buffer is still a valid pointer (to nothing readable), never NULL: an empty
  // vector's data() may be either, which would make the same op fault or not by accident.
  static const uint8_t kEmpty = 0;
  const uint8_t* data = mem.bytes.empty() ? &kEmpty : mem.bytes.data();
  // Readable bytes only: the engine faults on anything past them.
  return {data, mem.readable < mem.bytes.size() ? mem.readable : mem.bytes.size()};
}

// The fds an op's handles resolve to in this run.
struct ResolvedFds {
  int fd = -1;
  int parent_fd = -1;
  int at = Engine::kAtRoot;   // Op::at, kAtRoot when absent
  int at2 = Engine::kAtRoot;  // Op::at2
};

long Execute(Engine& engine, const Op& op, const ResolvedFds& fds) {
  const int fd = fds.fd;
  const int parent_fd = fds.parent_fd;
  // A path_beneath attr naming its parent by handle: this run's fd goes into bytes 8..11 of a
  // copy of the attr (only the bytes are copied, not the op).
  UserMem patched;
  const UserMem* mem = &op.mem;
  if (op.parent_fd && op.mem.bytes.size() >= 12) {
    patched = op.mem;
    for (int i = 0; i < 4; ++i) {
      patched.bytes[8 + i] = static_cast<uint8_t>(static_cast<uint32_t>(parent_fd) >> (8 * i));
    }
    mem = &patched;
  }
  // The fields the op's row of engine/ops.h names, the others left at their defaults.
  const OpKind kind = op.kind;
  OpArgs args(kind);
  if (Takes(kind, LOCKSTEP_ARG_FD)) args.fd = fd;
  if (Takes(kind, LOCKSTEP_ARG_MEM)) args.mem = BufferOf(*mem);
  if (Takes(kind, LOCKSTEP_ARG_SIZE)) args.size = op.size;
  if (Takes(kind, LOCKSTEP_ARG_ADDRLEN)) args.addrlen = op.addrlen;
  if (Takes(kind, LOCKSTEP_ARG_RULE_TYPE)) args.rule_type = op.rule_type;
  if (Takes(kind, LOCKSTEP_ARG_FLAGS)) args.flags = op.flags;
  if (Takes(kind, LOCKSTEP_ARG_SOCKET)) {
    args.family = op.family;
    args.type = op.type;
    args.protocol = op.protocol;
  }
  std::string path, path2;  // outlive the call
  if (Takes(kind, LOCKSTEP_ARG_PATH)) {
    path = fs::SafePath(op.path);
    args.at = fds.at;
    args.path = path.c_str();
  }
  if (Takes(kind, LOCKSTEP_ARG_PATH2)) {
    path2 = fs::SafePath(op.path2);
    args.at2 = fds.at2;
    args.path2 = path2.c_str();
  }
  if (Takes(kind, LOCKSTEP_ARG_TASK)) args.at = fds.at;
  if (Takes(kind, LOCKSTEP_ARG_MODE)) args.mode = op.mode;
  if (Takes(kind, LOCKSTEP_ARG_DEV)) args.dev = op.dev;
  return engine.Syscall(args);
}

// Op `i`'s log (i == n: task exit's) into result.logs, sized n + 1 at the first one known.
void TakeLog(Engine& engine, RunResult& result, size_t i, size_t n) {
  std::vector<LogRecord> records;
  if (!engine.TakeLogRecords(&records)) return;
  if (result.logs.empty()) result.logs.resize(n + 1);
  result.logs[i].known = true;
  result.logs[i].records = std::move(records);
}

}  // namespace

bool RecordsAgree(const std::vector<LogRecord>& a, const std::vector<LogRecord>& b,
                  bool any_order) {
  if (a.size() != b.size()) return false;
  if (!any_order) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (!RecordsMatch(a[i], b[i])) return false;
    }
    return true;
  }
  std::vector<bool> used(b.size(), false);
  for (const LogRecord& r : a) {
    bool found = false;
    for (size_t j = 0; j < b.size() && !found; ++j) {
      if (!used[j] && RecordsMatch(b[j], r)) used[j] = found = true;
    }
    if (!found) return false;
  }
  return true;
}

bool LogsAgree(const RunResult& a, const RunResult& b, size_t i, bool task_exit) {
  if (i >= a.logs.size() || i >= b.logs.size() || !a.logs[i].known || !b.logs[i].known) {
    return true;
  }
  return RecordsAgree(a.logs[i].records, b.logs[i].records, task_exit);
}

Outcome OutcomeOf(const Op& op, long ret) {
  if (ret < 0) return Outcome::Errno(static_cast<int>(-ret));
  if (ReturnsFd(op)) return Outcome::Fd(ret);
  return Outcome::Value(ret);
}

long RunOp(Engine& engine, const Op& op) {
  const auto raw = [](const FdRef& ref) { return ref.kind == FdRef::Kind::kRaw ? ref.value : -1; };
  ResolvedFds fds;
  fds.fd = raw(op.fd);
  if (op.parent_fd) fds.parent_fd = raw(*op.parent_fd);
  if (op.at) fds.at = raw(*op.at);
  if (op.at2) fds.at2 = raw(*op.at2);
  return Execute(engine, op, fds);
}

RunResult RunScenario(Engine& engine, const Scenario& scenario) {
  RunResult result;
  const size_t n = scenario.ops.size();
  result.returned.reserve(n);
  result.outcomes.reserve(n);
  engine.BeginTask(scenario.task);
  for (size_t i = 0; i < n; ++i) {
    const Op& op = scenario.ops[i];
    const auto resolve = [&](const FdRef& ref) {
      if (ref.kind == FdRef::Kind::kRaw) return ref.value;
      const size_t h = static_cast<size_t>(ref.value);
      const bool valid =
          ref.value >= 0 && h < i && ReturnsFd(scenario.ops[h]) && result.returned[h] >= 0;
      return valid ? static_cast<int>(result.returned[h]) : -1;
    };
    SetCurrentOp(static_cast<int>(i) + 1);
    ResolvedFds fds;
    fds.fd = resolve(op.fd);
    if (op.parent_fd) fds.parent_fd = resolve(*op.parent_fd);
    if (op.at) fds.at = resolve(*op.at);
    if (op.at2) fds.at2 = resolve(*op.at2);
    const long ret = Execute(engine, op, fds);
    SetCurrentOp(0);
    result.returned.push_back(ret);
    result.outcomes.push_back(OutcomeOf(op, ret));
    long stack = 0;
    if (ReportsStackAlone(op.kind) && engine.LastStackAloneResult(&stack)) {
      result.stack_alone.resize(n);
      result.stack_alone[i] = OutcomeOf(op, stack);
    }
    TakeLog(engine, result, i, n);
  }
  result.findings = engine.EndTask();
  TakeLog(engine, result, n, n);
  return result;
}

std::vector<RunResult> RunScenarioOnEach(std::initializer_list<Engine*> engines,
                                         const Scenario& scenario) {
  std::vector<RunResult> results;
  results.reserve(engines.size());
  for (Engine* engine : engines) results.push_back(RunScenario(*engine, scenario));
  return results;
}

bool OutcomesAgree(const Outcome& a, const std::optional<Outcome>& a_stack, const Outcome& b,
                   const std::optional<Outcome>& b_stack) {
  if (a == b) return true;
  const Outcome allowed = Outcome::Value(0);
  if (b_stack && b == allowed && a == *b_stack) return true;
  if (a_stack && a == allowed && b == *a_stack) return true;
  return false;
}

bool OpAgrees(const RunResult& a, const RunResult& b, size_t i) {
  static const std::optional<Outcome> kNone;
  const std::optional<Outcome>& as = i < a.stack_alone.size() ? a.stack_alone[i] : kNone;
  const std::optional<Outcome>& bs = i < b.stack_alone.size() ? b.stack_alone[i] : kNone;
  return OutcomesAgree(a.outcomes[i], as, b.outcomes[i], bs);
}

int FirstDivergence(const RunResult& a, const RunResult& b) {
  const size_t n = a.outcomes.size() < b.outcomes.size() ? a.outcomes.size() : b.outcomes.size();
  for (size_t i = 0; i < n; ++i) {
    if (!OpAgrees(a, b, i)) return static_cast<int>(i);
  }
  if (a.outcomes.size() != b.outcomes.size()) return static_cast<int>(n);
  return -1;
}

bool LogExpectApplies(const std::vector<Op::ExpectCondition>& when, const Profile* profile) {
  if (profile != nullptr && !WritesDenialLogs(*profile)) return false;
  return when.empty() || (profile != nullptr && ConditionsHold(when, *profile));
}

bool LogExpectHolds(const Scenario& scenario, const RunResult& result, size_t i,
                    const Profile* profile) {
  const size_t n = scenario.ops.size();
  if (!LogExpectApplies(i < n ? scenario.ops[i].expect_log_when : scenario.expect_exit_log_when,
                        profile)) {
    return true;
  }
  const std::optional<std::vector<LogRecord>>& expected =
      i < n ? scenario.ops[i].expect_log : scenario.expect_exit_log;
  if (!expected || i >= result.logs.size() || !result.logs[i].known) return true;
  return RecordsAgree(*expected, result.logs[i].records, i == n);
}

int FirstFailedLogExpect(const Scenario& scenario, const RunResult& result,
                         const Profile* profile) {
  for (size_t i = 0; i <= scenario.ops.size(); ++i) {
    if (!LogExpectHolds(scenario, result, i, profile)) return static_cast<int>(i);
  }
  return -1;
}

int FirstFailedExpect(const Scenario& scenario, const RunResult& result, const Profile* profile,
                      std::vector<int>* unchecked) {
  for (size_t i = 0; i < scenario.ops.size() && i < result.outcomes.size(); ++i) {
    const ExpectChoice choice = ExpectFor(scenario.ops[i], profile);
    if (!choice.undetermined.empty() && unchecked != nullptr) {
      unchecked->push_back(static_cast<int>(i));
    }
    const std::optional<Outcome>& expect = choice.outcome;
    const std::optional<Outcome> stack =
        i < result.stack_alone.size() ? result.stack_alone[i] : std::nullopt;
    if (expect && !OutcomesAgree(*expect, std::nullopt, result.outcomes[i], stack)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace lockstep
