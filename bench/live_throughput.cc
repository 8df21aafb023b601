// Live scenarios per second on the running kernel: one scenario = a fresh probe thread (rulesets,
// restrict_self, socket ops) and a fresh twin thread (the same ops without the domain), in the
// private network namespaces of engine/live_engine.h. "per_core" divides by the process's CPU
// time (all threads), the figure the goal (>= 5,000/s per core) is about; items_per_second is
// wall-clock with one driving thread.
//
//   bench/live_throughput.sh              (bazel run -c opt //bench:live_throughput)

#include <time.h>

#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/live_engine.h"
#include "scenario/generator.h"
#include "scenario/live_runner.h"
#include "scenario/runner.h"

namespace lockstep {
namespace {

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

const std::vector<Scenario>& Scenarios() {
  static const std::vector<Scenario>* s = [] {
    auto* v = new std::vector<Scenario>;
    GeneratorOptions options;
    options.live_comparable = true;
    ScenarioGenerator gen(7, options);
    for (int i = 0; i < 1000; ++i) v->push_back(gen.Next());
    return v;
  }();
  return *s;
}

template <bool kBatch>
void BM_LiveScenario(benchmark::State& state) {
  absl::StatusOr<std::unique_ptr<LiveEngine>> live = LiveEngine::Create();
  if (!live.ok()) {
    state.SkipWithError(std::string(live.status().message()).c_str());
    return;
  }
  const std::vector<Scenario>& scenarios = Scenarios();
  size_t i = 0, ops = 0;
  const double cpu0 = ProcessCpuSeconds();
  for (auto _ : state) {
    const Scenario& s = scenarios[i++ % scenarios.size()];
    RunResult r = kBatch ? RunLiveScenario(**live, s) : RunScenario(**live, s);
    ops += s.ops.size();
    benchmark::DoNotOptimize(r);
  }
  const double cpu = ProcessCpuSeconds() - cpu0;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["per_core"] = cpu > 0 ? state.iterations() / cpu : 0;
  state.counters["ops_per_scenario"] =
      state.iterations() ? static_cast<double>(ops) / state.iterations() : 0;
}

// RunLiveScenario: the probe, then the twin, each running the whole scenario on its thread.
BENCHMARK_TEMPLATE(BM_LiveScenario, true)->Name("live/batch")->UseRealTime()->MeasureProcessCPUTime();
// RunScenario(LiveEngine): one hand-off to a worker thread per op (replay, tests).
BENCHMARK_TEMPLATE(BM_LiveScenario, false)->Name("live/op_by_op")->UseRealTime()->MeasureProcessCPUTime();

}  // namespace
}  // namespace lockstep

BENCHMARK_MAIN();
