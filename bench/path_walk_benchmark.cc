// Landlock's filesystem decision vs path depth, rules and layers (docs/benchmarks.md,
// "Filesystem: path walk"). The decision: open the deepest directory of a chain of nested
// directories for reading, through an O_PATH fd on it (openat(deep_fd, ".", O_RDONLY |
// O_DIRECTORY), then close), so resolution is O(1) and Landlock's walk up the tree dominates.
// Rulesets handle read_dir|read_file (bench/path_walk.h builds the trees on every engine).
//
// Workloads (names are what --benchmark_filter matches and bench/report.py parses):
//   path_walk/ENGINE/open/depth:D/rule:leaf   read_dir granted on the deepest directory (first step)
//   path_walk/ENGINE/open/depth:D/rule:root   read_dir granted on the root (after D more levels)
//   path_walk/ENGINE/open/depth:D/rule:none   no rule: denied after the whole walk
//   path_walk/ENGINE/open/depth:20/rules:R    R unrelated rules on sibling directories, plus the
//                                             root rule: each step's rule lookup in a bigger tree
//   path_walk/ENGINE/open/depth:100/layers:L  L layers, each granting at the root
//   fs_bench/ENGINE/depth:10000               upstream fs_bench's workload: every directory has a
//                                             rule granting read_file, none read_dir: denied
// ENGINE is kernel (KernelEngine: the tree's fs.c in the shim's VFS), oracle (model/; skipped
// while its filesystem ops return Engine::kNoFilesystem) or live (the running kernel, a
// restricted worker thread on a private tmpfs: bench/live_path_walk.h; manual time = the
// worker's CPU time, wall time in the wall_ns counter).
//
// Each tree is built once per engine and kept while consecutive benchmarks (repetitions) use it.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/live_path_walk.h"
#include "bench/path_walk.h"
#include "benchmark/benchmark.h"
#include "engine/kernel_engine.h"
#include "model/kernel_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"

ABSL_FLAG(std::string, depths, "1,10,100,1000,10000",
          "chain depths of the rule:leaf|root|none workloads, comma-separated");
ABSL_FLAG(std::string, rules, "1,100,10000",
          "unrelated rule counts of the depth:20/rules:R workloads, comma-separated");
ABSL_FLAG(std::string, layers, "1,4,16",
          "layer counts of the depth:100/layers:L workloads, comma-separated");
ABSL_FLAG(bool, fs_bench, true, "run upstream fs_bench's workload (fs_bench/ENGINE/depth:10000)");
ABSL_FLAG(std::string, engines, "kernel,oracle,live",
          "engines to benchmark (kernel, oracle, live)");

namespace lockstep {
namespace bench {
namespace {

constexpr int kRulesDepth = 20;
constexpr int kLayersDepth = 100;
constexpr int kFsBenchDepth = 10000;

uint64_t KernelLiveBytes(Engine& e) { return static_cast<KernelEngine&>(e).Stats().live_bytes; }

bool SameSpec(const PathWalkSpec& a, const PathWalkSpec& b) {
  return a.depth == b.depth && a.rule == b.rule && a.unrelated_rules == b.unrelated_rules &&
         a.layers == b.layers;
}

// One userspace engine and the tree in its current task.
struct Slot {
  std::unique_ptr<Engine> engine;
  bool is_kernel = false;
  bool built = false;
  PathWalkSpec spec;
  PathWalkTree tree;

  const PathWalkTree& Ensure(const PathWalkSpec& want) {
    if (!built || !SameSpec(spec, want)) {
      engine->BeginTask(TaskSpec{});  // ends the previous task and its tree
      tree = BuildPathWalk(*engine, want, 0, is_kernel ? KernelLiveBytes : nullptr);
      spec = want;
      built = true;
    }
    return tree;
  }
};

Slot& KernelSlot() {
  static Slot s;
  if (!s.engine) {
    s.engine = NewDefaultKernelEngine();
    s.is_kernel = true;
  }
  return s;
}

KernelEngine& Kernel() { return static_cast<KernelEngine&>(*KernelSlot().engine); }

Slot& OracleSlot() {
  static Slot s;
  if (!s.engine) s.engine = std::make_unique<OracleEngine>(ProfileForKernel(Kernel())->profile);
  return s;
}

// Empty when the oracle has a filesystem; else why it is skipped.
std::string OracleUnavailableReason() {
  Slot& s = OracleSlot();
  s.engine->BeginTask(TaskSpec{});
  const long r = s.engine->Open(Engine::kAtRoot, ".", kOpenPath | kOpenDirectory);
  if (r >= 0) s.engine->Close(static_cast<int>(r));
  s.engine->EndTask();
  s.built = false;
  if (r == Engine::kNoFilesystem) {
    return s.engine->Name() + " has no filesystem yet (its fs ops return kNoFilesystem, -ENOSYS)";
  }
  if (r < 0) return "open of the oracle's root returned " + std::to_string(r);
  return std::string();
}

// The live tree in use (one worker thread at a time).
LivePathWalk& Live(const PathWalkSpec& spec) {
  static std::unique_ptr<LivePathWalk> live;
  static PathWalkSpec current;
  if (!live || !SameSpec(current, spec)) {
    live.reset();
    live = std::make_unique<LivePathWalk>(spec);
    current = spec;
  }
  return *live;
}

// --- decisions ----------------------------------------------------------------------------------

void EngineOpen(benchmark::State& state, Slot& slot, PathWalkSpec spec) {
  const PathWalkTree& tree = slot.Ensure(spec);
  if (!tree.error.empty()) {
    state.SkipWithError(tree.error.c_str());
    return;
  }
  Engine& e = *slot.engine;
  const long expected = OpenAllowed(spec) ? 0 : -EACCES;
  const long first = OpenDeepest(e, tree.deep_fd);
  if (first != expected) {
    state.SkipWithError(
        absl::StrCat("open of the deepest directory returned ", first, ", expected ", expected)
            .c_str());
    return;
  }
  for (auto _ : state) {
    long r = OpenDeepest(e, tree.deep_fd);
    benchmark::DoNotOptimize(r);
  }
  if (slot.is_kernel) state.counters["domain_bytes"] = static_cast<double>(tree.bytes);
}

void LiveOpen(benchmark::State& state, PathWalkSpec spec) {
  LivePathWalk& live = Live(spec);
  if (!live.error().empty()) {
    state.SkipWithError(live.error().c_str());
    return;
  }
  // Deep walks take tens of µs: smaller batches keep the iteration count close to the target.
  const int64_t batch = spec.depth >= 1000 ? 4 : 64;
  int64_t wall_ns = 0;
  while (state.KeepRunningBatch(batch)) {
    const LivePathWalk::Batch b = live.Run(batch);
    if (b.unexpected != 0) {
      state.SkipWithError(absl::StrCat("unexpected outcome ", b.unexpected,
                                       " (errno; -1: allowed where a denial was expected)")
                              .c_str());
      break;
    }
    state.SetIterationTime(static_cast<double>(b.cpu_ns) * 1e-9);
    wall_ns += b.wall_ns;
  }
  if (state.iterations() > 0) {
    state.counters["wall_ns"] = static_cast<double>(wall_ns) / state.iterations();
  }
}

// --- registration -------------------------------------------------------------------------------

std::vector<int> ParseInts(const std::string& list, const char* flag, int lo, int hi) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v) || v < lo || v > hi) {
      std::fprintf(stderr, "path_walk_benchmark: --%s: '%s' is not a number in %d..%d\n", flag,
                   std::string(part).c_str(), lo, hi);
      std::exit(2);
    }
    out.push_back(v);
  }
  return out;
}

bool Has(const std::string& list, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(list, ',')) {
    if (part == name) return true;
  }
  return false;
}

struct Workload {
  std::string suffix;  // the name after path_walk/ENGINE/ (or fs_bench/ENGINE/)
  bool fs_bench = false;
  PathWalkSpec spec;
};

std::vector<Workload> Workloads() {
  std::vector<Workload> out;
  for (int d : ParseInts(absl::GetFlag(FLAGS_depths), "depths", 1, 100000)) {
    for (RulePlacement p : {RulePlacement::kLeaf, RulePlacement::kRoot, RulePlacement::kNone}) {
      Workload w;
      w.suffix = absl::StrCat("open/depth:", d, "/rule:", RulePlacementName(p));
      w.spec.depth = d;
      w.spec.rule = p;
      out.push_back(w);
    }
  }
  for (int r : ParseInts(absl::GetFlag(FLAGS_rules), "rules", 0, 100000)) {
    Workload w;
    w.suffix = absl::StrCat("open/depth:", kRulesDepth, "/rules:", r);
    w.spec.depth = kRulesDepth;
    w.spec.rule = RulePlacement::kRoot;
    w.spec.unrelated_rules = r;
    out.push_back(w);
  }
  for (int l : ParseInts(absl::GetFlag(FLAGS_layers), "layers", 1, 16)) {
    Workload w;
    w.suffix = absl::StrCat("open/depth:", kLayersDepth, "/layers:", l);
    w.spec.depth = kLayersDepth;
    w.spec.rule = RulePlacement::kRoot;
    w.spec.layers = l;
    out.push_back(w);
  }
  if (absl::GetFlag(FLAGS_fs_bench)) {
    Workload w;
    w.suffix = absl::StrCat("depth:", kFsBenchDepth);
    w.fs_bench = true;
    w.spec.depth = kFsBenchDepth;
    w.spec.rule = RulePlacement::kEveryLevelReadFile;
    out.push_back(w);
  }
  return out;
}

using Fn = std::function<void(benchmark::State&)>;

void Register(const std::string& name, Fn fn, bool manual_time = false) {
  benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name.c_str(), std::move(fn));
  b->Unit(benchmark::kNanosecond);
  if (manual_time) b->UseManualTime();
}

// Why an engine does not run, printed and recorded in the JSON's context.
void Skip(const char* engine, const std::string& reason) {
  std::fprintf(stderr, "path_walk_benchmark: %s skipped: %s\n", engine, reason.c_str());
  benchmark::AddCustomContext(absl::StrCat(engine, "_skipped"), reason);
}

void RegisterAll() {
  const std::string engines = absl::GetFlag(FLAGS_engines);
  const bool kernel = Has(engines, "kernel");
  bool oracle = Has(engines, "oracle");
  bool live = Has(engines, "live");
  benchmark::AddCustomContext("kernel_a", Kernel().Version() + " (" + Kernel().Origin() + ")");
  if (oracle) {
    const std::string reason = OracleUnavailableReason();
    if (!reason.empty()) {
      Skip("oracle", reason);
      oracle = false;
    }
  }
  if (live) {
    const std::string reason = LivePathWalkUnavailableReason();
    if (!reason.empty()) {
      Skip("live", reason);
      live = false;
    }
  }
  for (const Workload& w : Workloads()) {
    const char* kind = w.fs_bench ? "fs_bench/" : "path_walk/";
    const PathWalkSpec spec = w.spec;
    if (kernel) {
      Register(absl::StrCat(kind, "kernel/", w.suffix),
               [spec](benchmark::State& s) { EngineOpen(s, KernelSlot(), spec); });
    }
    if (oracle) {
      Register(absl::StrCat(kind, "oracle/", w.suffix),
               [spec](benchmark::State& s) { EngineOpen(s, OracleSlot(), spec); });
    }
    if (live) {
      Register(absl::StrCat(kind, "live/", w.suffix),
               [spec](benchmark::State& s) { LiveOpen(s, spec); }, /*manual_time=*/true);
    }
  }
}

}  // namespace
}  // namespace bench
}  // namespace lockstep

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  lockstep::bench::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // End the tasks so their allocations are freed (LSan in the ASan build).
  lockstep::bench::KernelSlot().engine->EndTask();
  lockstep::bench::OracleSlot().engine->EndTask();
  return 0;
}
