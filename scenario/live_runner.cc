#include "scenario/live_runner.h"

#include <utility>

namespace lockstep {
namespace {

// Whether some op of `scenario` can reach the filesystem. Without one the probe needs no tmpfs
// (a path_beneath rule can then only name a raw fd, which is EBADF either way).
bool NeedsFilesystem(const Scenario& scenario) {
  for (const Op& op : scenario.ops) {
    switch (op.kind) {
      case OpKind::kCreateRuleset:
      case OpKind::kAddRule:
      case OpKind::kRestrictSelf:
      case OpKind::kSetNoNewPrivs:
      case OpKind::kClose:
      case OpKind::kSocket:
      case OpKind::kBind:
      case OpKind::kConnect:
      case OpKind::kSendTo:
      case OpKind::kListen:
      case OpKind::kAccept:
        continue;
      default:  // the filesystem ops, and any op added later
        return true;
    }
  }
  return false;
}

}  // namespace

RunResult RunLiveScenario(LiveEngine& engine, const Scenario& scenario) {
  // Threads and processes need the engine's own workers and child processes (LiveEngine::Thread,
  // Fork): a body run on one thread cannot start siblings of the scenario's task.
  for (const Op& op : scenario.ops) {
    if (op.kind == OpKind::kThread || op.kind == OpKind::kOnThread ||
        BetweenProcesses(op.kind)) {
      return RunScenario(engine, scenario);
    }
  }
  RunResult probe, twin;
  engine.RunBoth(
      [&](Engine& e, bool is_twin) {
        RunResult& r = is_twin ? twin : probe;
        r = RunScenario(e, scenario);
        return r.returned;
      },
      NeedsFilesystem(scenario));
  const size_t n = scenario.ops.size();
  probe.stack_alone.assign(n, std::nullopt);
  for (size_t i = 0; i < n && i < twin.returned.size(); ++i) {
    const Op& op = scenario.ops[i];
    if (!ReportsStackAlone(op.kind)) continue;
    const long stack = StackAnswer(probe.returned[i], twin.returned[i]);
    probe.returned[i] = LandlockVerdict(probe.returned[i], twin.returned[i]);
    probe.outcomes[i] = OutcomeOf(op, probe.returned[i]);
    probe.stack_alone[i] = OutcomeOf(op, stack);
  }
  for (EngineFinding& f : twin.findings) {
    f.detail = "twin: " + f.detail;
    probe.findings.push_back(std::move(f));
  }
  return probe;
}

}  // namespace lockstep
