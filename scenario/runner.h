// Runs a Scenario on an Engine: resolves fd handles to the fds this engine returned, turns each
// return value into an Outcome, and collects what the engine noticed. The same scenario run on
// two engines gives two RunResults that compare op by op.

#ifndef LOCKSTEP_SCENARIO_RUNNER_H_
#define LOCKSTEP_SCENARIO_RUNNER_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "scenario/scenario.h"

namespace lockstep {

// The Landlock audit records one op (or task exit) wrote, where the engine knows them.
struct OpLog {
  bool known = false;               // Engine::TakeLogRecords returned true
  std::vector<LogRecord> records;   // in the order written
};

struct RunResult {
  std::vector<long> returned;        // what each op returned, as the engine gave it
  std::vector<Outcome> outcomes;     // the same, as compared across engines
  std::vector<EngineFinding> findings;  // from Engine::EndTask()
  // Per op, for engines that run the real network stack (Engine::LastStackAloneResult): what
  // the stack alone returned for a bind/connect/sendto without the domain; empty otherwise.
  std::vector<std::optional<Outcome>> stack_alone;
  // Per op, then one more for task exit (EndTask: the domains' deallocation records): the
  // denial logs each wrote (Engine::TakeLogRecords). Empty when the engine knows none at all.
  std::vector<OpLog> logs;
};

// Whether two record lists are the same records (RecordsMatch: a domain not numbered matches
// any): in order, or with any_order in any order.
bool RecordsAgree(const std::vector<LogRecord>& a, const std::vector<LogRecord>& b,
                  bool any_order);

// Whether two engines' logs of one op (or of task exit, index ops.size()) agree: either side
// unknown, or the same records; at task exit in any order (when several domains go at once,
// the order they are freed in is an object lifetime detail, not Landlock's decision).
bool LogsAgree(const RunResult& a, const RunResult& b, size_t i, bool task_exit);

// Whether an op's outcomes agree: equal, or one side is 0 ("Landlock did not change the
// outcome") with a stack-alone result equal to the other side's outcome (the live engine cannot
// tell "allowed, the stack said E" from "Landlock said E" when both are E).
bool OutcomesAgree(const Outcome& a, const std::optional<Outcome>& a_stack, const Outcome& b,
                   const std::optional<Outcome>& b_stack);
// The same for op `i` of two results.
bool OpAgrees(const RunResult& a, const RunResult& b, size_t i);

// The Outcome of `op` returning `ret`.
Outcome OutcomeOf(const Op& op, long ret);

// Runs `scenario` in a fresh task of `engine`. A handle to an op that did not return an fd
// resolves to -1; an absent Op::at / Op::at2 is Engine::kAtRoot. A path that is not valid (built
// in code) reaches the engine as fs::SafePath of it (scenario/fs_ops.h).
RunResult RunScenario(Engine& engine, const Scenario& scenario);

// RunScenario on each engine in turn, one result per engine in their order (moved into the
// vector: a braced list of results would copy each).
std::vector<RunResult> RunScenarioOnEach(std::initializer_list<Engine*> engines,
                                         const Scenario& scenario);

// Runs one op in the engine's current task (no BeginTask, no EndTask), for tests that drive an
// engine op by op: every fd of `op` is taken as the raw number it names (a handle passes -1); an
// absent Op::at / Op::at2 is Engine::kAtRoot. Returns what the engine returned.
long RunOp(Engine& engine, const Op& op);

// The index of the first op whose outcomes differ between `a` and `b`, or -1.
int FirstDivergence(const RunResult& a, const RunResult& b);

// The index of the first op whose outcome does not match its expect on an engine described by
// `profile` (ExpectFor: the first `expect[...]` override whose conditions hold, else the plain
// `expect`; no profile: the plain one), or -1. A 0 with a stack-alone result equal to the
// expect matches (OutcomesAgree). Ops whose expectation depends on a switch `profile` has not
// determined are not checked; their indexes go to `unchecked` when given.
int FirstFailedExpect(const Scenario& scenario, const RunResult& result,
                      const Profile* profile = nullptr, std::vector<int>* unchecked = nullptr);

// The first place where `result`'s denial logs do not match the scenario's log expectations
// (Op::expect_log, Scenario::expect_exit_log): an op's index, the number of ops for task exit,
// or -1. Only where the engine knew its logs and, with a profile, the profile's revision writes
// logs (WritesDenialLogs); at task exit in any order (LogsAgree).
int FirstFailedLogExpect(const Scenario& scenario, const RunResult& result,
                         const Profile* profile = nullptr);
// Whether a log expectation with conditions `when` (`log[...]`) applies to an engine with
// `profile`: its revision writes logs, and it meets the conditions (none without a profile).
bool LogExpectApplies(const std::vector<Op::ExpectCondition>& when, const Profile* profile);
// The same for op `i` alone (i == the number of ops: task exit): whether its log expectation,
// if any, holds (or cannot be checked there).
bool LogExpectHolds(const Scenario& scenario, const RunResult& result, size_t i,
                    const Profile* profile = nullptr);

}  // namespace lockstep

// For debuggers: the 1-based number of the op RunScenario is executing (the `#` column of
// replay's table), 0 outside an op. Stored with relaxed atomics, read as a plain int by gdb:
//   break current_check_access_socket if lockstep_current_op == 11
// With several threads running scenarios it holds the op most recently started by any of them.
extern "C" int lockstep_current_op;

#endif  // LOCKSTEP_SCENARIO_RUNNER_H_
