#include "engine/live_runner.h"

#include <utility>

namespace lockstep {

RunResult RunLiveScenario(LiveEngine& engine, const Scenario& scenario) {
  RunResult probe, twin;
  engine.RunBoth([&](Engine& e, bool is_twin) {
    RunResult& r = is_twin ? twin : probe;
    r = RunScenario(e, scenario);
    return r.returned;
  });
  const size_t n = scenario.ops.size();
  probe.stack_alone.assign(n, std::nullopt);
  for (size_t i = 0; i < n && i < twin.returned.size(); ++i) {
    const Op& op = scenario.ops[i];
    if (op.kind != OpKind::kBind && op.kind != OpKind::kConnect && op.kind != OpKind::kSendTo) {
      continue;
    }
    probe.returned[i] = LandlockVerdict(probe.returned[i], twin.returned[i]);
    probe.outcomes[i] = OutcomeOf(op, probe.returned[i]);
    probe.stack_alone[i] = OutcomeOf(op, twin.returned[i]);
  }
  for (EngineFinding& f : twin.findings) {
    f.detail = "twin: " + f.detail;
    probe.findings.push_back(std::move(f));
  }
  return probe;
}

}  // namespace lockstep
