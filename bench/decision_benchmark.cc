// Landlock's connect()/bind() decision vs rules per layer and layers (docs/benchmarks.md).
//
// Workloads (names are what --benchmark_filter matches and bench/report.py parses):
//   decision/kernel/OP/hook/FAMILY/HIT/layers:L/rules:N      the LSM hook alone (hook table)
//   decision/kernel/OP/syscall/FAMILY/HIT/layers:L/rules:N   the kernel engine's bind/connect:
//                                                            fd lookup, address copy, hook
//   decision/oracle/OP/syscall/FAMILY/HIT/layers:L/rules:N   the plain C++ oracle, same domain
//   decision/live/OP/syscall/FAMILY/HIT/layers:L/rules:N     the real syscall on this kernel, in
//                                                            a restricted thread, private netns
//   decision/live/connect/syscall/ipv4/nodomain/layers:0/rules:0   the same without a domain
//   add_rule/kernel/rules:N              N add_rule calls filling one ruleset (per iteration)
//   restrict_self/kernel/layers:L/rules:N   the L-th restrict_self (merge) of an N-rule ruleset
// OP connect|bind, FAMILY ipv4|ipv6, HIT hit (every layer has a rule granting it: allowed) or
// miss (no rule for the port: denied; none at 65,536 rules, where every port has one).
//
// --ab: the kernel workloads on both linked revisions, A = lockstep_kernel_default() (@kernel_tree)
// and B = lockstep_kernel_b() (@kernel_tree_b), each repetition both (AB, BA, AB, ...;
// ".../rev:A/rep:K"),
// --ab_repetitions times; bench/report.py ab turns the JSON into B/A ratios of medians.
//
// Each domain is built once per engine and kept while consecutive benchmarks use it.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/domain.h"
#include "bench/live_syscalls.h"
#include "benchmark/benchmark.h"
#include "engine/kernel_engine.h"
#include "engine/landlock_uapi.h"
#include "model/kernel_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "revisions/kernel_b.h"

ABSL_FLAG(std::string, layers, "1,4,16", "layer counts, comma-separated");
ABSL_FLAG(std::string, rules, "1,10,100,1000,10000,65536", "rules per layer, comma-separated");
ABSL_FLAG(std::string, engines, "kernel,oracle,live",
          "engines to benchmark (kernel, oracle, live); --ab uses the kernel only");
ABSL_FLAG(bool, ab, false,
          "A/B: the kernel workloads on revision A (@kernel_tree) and B (@kernel_tree_b), "
          "interleaved");
ABSL_FLAG(int, ab_repetitions, 5, "with --ab: repetitions of each workload per revision");

namespace lockstep {
namespace bench {
namespace {

constexpr long kEacces = -EACCES;

// --- one engine's current domain ------------------------------------------------------------------

uint64_t KernelLiveBytes(Engine& e) { return static_cast<KernelEngine&>(e).Stats().live_bytes; }

struct Slot {
  std::unique_ptr<Engine> engine;
  bool built = false;
  Domain domain;
  bool is_kernel = false;

  // The domain (layers, rules, with UDP or not) in this engine's task, built unless it is the
  // current one.
  const Domain& Ensure(int layers, int rules, bool udp = false) {
    if (!built || domain.layers != layers || domain.rules != rules || domain.udp != udp) {
      domain = BuildDomain(*engine, layers, rules, is_kernel ? KernelLiveBytes : nullptr, udp);
      built = true;
    }
    return domain;
  }
  // The task is about to be used for something else.
  void Invalidate() { built = false; }
};

Slot& KernelSlot(char rev) {
  static Slot a, b;
  Slot& s = rev == 'B' ? b : a;
  if (!s.engine) {
    s.engine = std::make_unique<KernelEngine>(rev == 'B' ? lockstep_kernel_b()
                                                         : lockstep_kernel_default());
    s.is_kernel = true;
  }
  return s;
}

KernelEngine& Kernel(char rev) { return static_cast<KernelEngine&>(*KernelSlot(rev).engine); }

Slot& OracleSlot() {
  static Slot s;
  if (!s.engine) {
    s.engine = std::make_unique<OracleEngine>(
        ProfileForKernel(Kernel('A'))->profile);
  }
  return s;
}

// The live domain in use (one worker thread at a time).
LiveDomain& Live(int layers, int rules) {
  static std::unique_ptr<LiveDomain> live;
  static int cur_layers = -1, cur_rules = -1;
  if (!live || cur_layers != layers || cur_rules != rules) {
    live.reset();
    live = std::make_unique<LiveDomain>(layers, rules);
    cur_layers = layers;
    cur_rules = rules;
  }
  return *live;
}

// --- decisions ----------------------------------------------------------------------------------

struct Workload {
  Op op;
  Family family;
  bool hit;
  int layers;
  int rules;
};

bool IsUdp(Op op) {
  return op == Op::kSendtoUdp || op == Op::kSendtoUdpConnected || op == Op::kSendtoUdpAutobind;
}

// What every decision of `w` returns: a hit is allowed, a miss denied; a UDP send from a socket
// with no local port is denied at its autobind check (bind(0): no rule has port 0) even when
// its destination is allowed.
long Expected(const Workload& w) {
  if (w.op == Op::kSendtoUdpAutobind) return kEacces;
  return w.hit ? 0 : kEacces;
}

// The socket a workload decides on, in domain `d`.
int SocketFor(const Domain& d, const Workload& w) {
  switch (w.op) {
    case Op::kSendtoUdp: return d.udp_bound;
    case Op::kSendtoUdpConnected: return d.udp_connected;
    case Op::kSendtoUdpAutobind: return d.udp_unbound;
    default: return w.family == Family::kIpv4 ? d.fd4 : d.fd6;
  }
}

// The engine's syscall for `w`'s op on `fd` with probe `addr` (a connected send passes none).
long SyscallFor(Engine& e, const Workload& w, int fd, UserBuffer addr, int len) {
  switch (w.op) {
    case Op::kConnect: return e.Connect(fd, addr, len);
    case Op::kBind: return e.Bind(fd, addr, len);
    case Op::kSendtoUdpConnected: return e.SendTo(fd, UserBuffer{}, 0, 0);
    default: return e.SendTo(fd, addr, len, 0);
  }
}

std::string Describe(const Workload& w) {
  return absl::StrCat(OpName(w.op), "/", FamilyName(w.family), "/", w.hit ? "hit" : "miss",
                      "/layers:", w.layers, "/rules:", w.rules);
}

void SetDomainCounters(benchmark::State& state, const Domain& d) {
  state.counters["domain_bytes"] = static_cast<double>(d.bytes);
  state.counters["bytes_per_rule"] = static_cast<double>(d.bytes) / d.rules;
}

// Checks every probe once, then times `decide(j)` over the probes in turn.
template <typename Decide>
void TimeDecisions(benchmark::State& state, const Workload& w, Decide decide) {
  const long expected = Expected(w);
  for (int j = 0; j < kProbes; ++j) {
    const long got = decide(j);
    if (got != expected) {
      state.SkipWithError(absl::StrCat(Describe(w), ": probe ", j, " returned ", got,
                                       ", expected ", expected)
                              .c_str());
      return;
    }
  }
  uint32_t j = 0;
  for (auto _ : state) {
    long r = decide(j++ & (kProbes - 1));
    benchmark::DoNotOptimize(r);
  }
}

void KernelDecision(benchmark::State& state, char rev, bool hook, Workload w) {
  Slot& slot = KernelSlot(rev);
  const Domain& d = slot.Ensure(w.layers, w.rules, IsUdp(w.op));
  if (!d.error.empty()) {
    state.SkipWithError(d.error.c_str());
    return;
  }
  KernelEngine& k = Kernel(rev);
  const Probes probes = MakeProbes(w.family, w.rules, w.hit);
  const int fd = SocketFor(d, w);
  const int len = probes.size;
  if (hook) {
    void* sock = k.SocketOfFd(fd);
    if (w.op == Op::kConnect) {
      TimeDecisions(state, w, [&](int j) { return k.HookConnect(sock, probes.At(j), len); });
    } else {
      TimeDecisions(state, w, [&](int j) { return k.HookBind(sock, probes.At(j), len); });
    }
  } else {
    auto buf = [&](int j) { return UserBuffer{probes.At(j), static_cast<size_t>(len)}; };
    TimeDecisions(state, w, [&](int j) { return SyscallFor(k, w, fd, buf(j), len); });
  }
  SetDomainCounters(state, d);
}

void OracleDecision(benchmark::State& state, Workload w) {
  Slot& slot = OracleSlot();
  const Domain& d = slot.Ensure(w.layers, w.rules, IsUdp(w.op));
  if (!d.error.empty()) {
    state.SkipWithError(d.error.c_str());
    return;
  }
  Engine& o = *slot.engine;
  const Probes probes = MakeProbes(w.family, w.rules, w.hit);
  const int fd = SocketFor(d, w);
  const int len = probes.size;
  auto buf = [&](int j) { return UserBuffer{probes.At(j), static_cast<size_t>(len)}; };
  TimeDecisions(state, w, [&](int j) { return SyscallFor(o, w, fd, buf(j), len); });
}

// layers == 0: no domain; `hit` then means "the stack alone" (connect refused).
void LiveDecision(benchmark::State& state, Workload w) {
  LiveDomain& live = Live(w.layers, w.rules);
  if (!live.error().empty()) {
    state.SkipWithError(live.error().c_str());
    return;
  }
  const Probes probes = MakeProbes(w.family, w.rules > 0 ? w.rules : 1, w.hit);
  constexpr int64_t kBatch = 64;
  int64_t wall_ns = 0;
  while (state.KeepRunningBatch(kBatch)) {
    const LiveDomain::Batch b = live.Run(w.op, w.family, w.hit, &probes, kBatch);
    if (b.unexpected != 0) {
      state.SkipWithError(
          absl::StrCat(Describe(w), ": unexpected errno ", b.unexpected).c_str());
      break;
    }
    // The worker's CPU time, like the CPU time of the in-process engines.
    state.SetIterationTime(static_cast<double>(b.cpu_ns) * 1e-9);
    wall_ns += b.wall_ns;
  }
  if (state.iterations() > 0) {
    state.counters["wall_ns"] = static_cast<double>(wall_ns) / state.iterations();
  }
}

// --- insert and merge ---------------------------------------------------------------------------

void AddRule(benchmark::State& state, char rev, int rules) {
  KernelSlot(rev).Invalidate();
  KernelEngine& k = Kernel(rev);
  std::vector<uint8_t> attrs;
  for (int i = 0; i < rules; ++i) {
    const std::vector<uint8_t> a = NetPortAttr(landlock::kAccessNetAll, RulePort(i, rules));
    attrs.insert(attrs.end(), a.begin(), a.end());
  }
  const std::vector<uint8_t> rs = RulesetAttr(0, landlock::kAccessNetAll, 0);
  for (auto _ : state) {
    state.PauseTiming();
    k.BeginTask(TaskSpec{});
    const int fd = static_cast<int>(k.CreateRuleset(UserBuffer::Of(rs), rs.size(), 0));
    state.ResumeTiming();
    long bad = 0;
    for (int i = 0; i < rules; ++i) {
      const long r = k.AddRule(fd, landlock::kRuleNetPort,
                               UserBuffer{attrs.data() + i * landlock::kNetPortAttrSize,
                                          landlock::kNetPortAttrSize},
                               0);
      bad |= r;
    }
    state.PauseTiming();
    k.EndTask();
    state.ResumeTiming();
    if (bad != 0) {
      state.SkipWithError("add_rule failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * rules);
  state.counters["rules"] = rules;
}

void RestrictSelf(benchmark::State& state, char rev, int layers, int rules) {
  KernelSlot(rev).Invalidate();
  KernelEngine& k = Kernel(rev);
  for (auto _ : state) {
    state.PauseTiming();
    k.BeginTask(TaskSpec{});
    const long fd = BuildRuleset(k, rules);
    long bad = fd < 0 ? fd : 0;
    for (int l = 1; l < layers && bad == 0; ++l) bad = k.RestrictSelf(static_cast<int>(fd), 0);
    state.ResumeTiming();
    const long r = k.RestrictSelf(static_cast<int>(fd), 0);
    state.PauseTiming();
    k.EndTask();
    state.ResumeTiming();
    if (bad != 0 || r != 0) {
      state.SkipWithError("restrict_self failed");
      break;
    }
  }
  state.counters["rules"] = rules;
  state.counters["layers"] = layers;
}

// --- registration -------------------------------------------------------------------------------

std::vector<int> ParseInts(const std::string& list, const char* flag) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v) || v < 0) {
      std::fprintf(stderr, "decision_benchmark: --%s: bad number '%s'\n", flag,
                   std::string(part).c_str());
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

// The decision workloads of one domain, in registration order.
std::vector<Workload> DomainWorkloads(int layers, int rules) {
  std::vector<Workload> out;
  for (Op op : {Op::kConnect, Op::kBind}) {
    for (Family f : {Family::kIpv4, Family::kIpv6}) {
      for (bool hit : {true, false}) {
        if (!hit && !MissPossible(rules)) continue;
        out.push_back({op, f, hit, layers, rules});
      }
    }
  }
  return out;
}

// The UDP sends (IPv4, beside connect's): with a destination (hit and miss); connected (no
// destination: nothing to check but the socket, hit only); from a socket with no local port
// (an allowed destination, then the autobind check; only while port 0 has no rule).
std::vector<Workload> UdpWorkloads(int layers, int rules) {
  std::vector<Workload> out;
  out.push_back({Op::kSendtoUdp, Family::kIpv4, true, layers, rules});
  if (MissPossible(rules)) out.push_back({Op::kSendtoUdp, Family::kIpv4, false, layers, rules});
  out.push_back({Op::kSendtoUdpConnected, Family::kIpv4, true, layers, rules});
  if (MissPossible(rules)) {
    out.push_back({Op::kSendtoUdpAutobind, Family::kIpv4, true, layers, rules});
  }
  return out;
}

using Fn = std::function<void(benchmark::State&)>;

// A/B order of repetition `rep`: A then B, then B then A, and so on, so neither revision always
// runs first (right after a domain build, a cold cache or the other revision's run).
std::string Order(int rep) { return rep % 2 == 0 ? "AB" : "BA"; }

void Register(const std::string& name, Fn fn, bool manual_time = false) {
  benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name.c_str(), std::move(fn));
  b->Unit(benchmark::kNanosecond);
  if (manual_time) b->UseManualTime();
}

std::string DecisionName(const char* engine, const Workload& w, bool hook) {
  return absl::StrCat("decision/", engine, "/", OpName(w.op), "/", hook ? "hook" : "syscall", "/",
                      FamilyName(w.family), "/", w.hit ? "hit" : "miss", "/layers:", w.layers,
                      "/rules:", w.rules);
}

void RegisterAll() {
  const std::vector<int> layer_counts = ParseInts(absl::GetFlag(FLAGS_layers), "layers");
  const std::vector<int> rule_counts = ParseInts(absl::GetFlag(FLAGS_rules), "rules");
  for (int l : layer_counts) {
    if (l < 1 || l > 16) {
      std::fprintf(stderr, "decision_benchmark: --layers: %d is not in 1..16\n", l);
      std::exit(2);
    }
  }
  for (int n : rule_counts) {
    if (n < 1 || n > 65536) {
      std::fprintf(stderr, "decision_benchmark: --rules: %d is not in 1..65536\n", n);
      std::exit(2);
    }
  }
  const bool ab = absl::GetFlag(FLAGS_ab);
  const int reps = absl::GetFlag(FLAGS_ab_repetitions);
  const std::string engines = absl::GetFlag(FLAGS_engines);

  benchmark::AddCustomContext("kernel_a", Kernel('A').Version() + " (" + Kernel('A').Origin() + ")");
  if (ab) {
    benchmark::AddCustomContext("kernel_b",
                                Kernel('B').Version() + " (" + Kernel('B').Origin() + ")");
    // Each repetition runs both revisions back to back (AB, BA, AB, ...): a slow spell of the
    // machine hits both.
    for (int l : layer_counts) {
      for (int n : rule_counts) {
        for (const Workload& w : DomainWorkloads(l, n)) {
          for (bool hook : {true, false}) {
            for (int rep = 0; rep < reps; ++rep) {
              for (char rev : Order(rep)) {
                Register(absl::StrCat(DecisionName("kernel", w, hook), "/rev:", std::string(1, rev),
                                      "/rep:", rep),
                         [rev, hook, w](benchmark::State& s) { KernelDecision(s, rev, hook, w); });
              }
            }
          }
        }
      }
    }
    for (int n : rule_counts) {
      for (int rep = 0; rep < reps; ++rep) {
        for (char rev : Order(rep)) {
          Register(absl::StrCat("add_rule/kernel/rules:", n, "/rev:", std::string(1, rev), "/rep:",
                                rep),
                   [rev, n](benchmark::State& s) { AddRule(s, rev, n); });
        }
      }
    }
    for (int l : layer_counts) {
      for (int n : rule_counts) {
        for (int rep = 0; rep < reps; ++rep) {
          for (char rev : Order(rep)) {
            Register(absl::StrCat("restrict_self/kernel/layers:", l, "/rules:", n, "/rev:",
                                  std::string(1, rev), "/rep:", rep),
                     [rev, l, n](benchmark::State& s) { RestrictSelf(s, rev, l, n); });
          }
        }
      }
    }
    return;
  }

  const bool kernel = Has(engines, "kernel");
  const bool oracle = Has(engines, "oracle");
  // UDP rights where the tree has them (Linux 7.2+, ABI 10): the oracle follows its profile.
  const absl::StatusOr<TreeProfile> tree_a = ProfileForKernel(Kernel('A'));
  const bool udp = tree_a.ok() && tree_a->profile.udp_checked;
  bool live = Has(engines, "live");
  if (live) {
    const std::string reason = LiveUnavailableReason();
    if (!reason.empty()) {
      std::fprintf(stderr, "decision_benchmark: live syscalls skipped: %s\n", reason.c_str());
      benchmark::AddCustomContext("live_skipped", reason);
      live = false;
    }
  }
  if (live) {
    const Workload none{Op::kConnect, Family::kIpv4, true, 0, 0};
    Register("decision/live/connect/syscall/ipv4/nodomain/layers:0/rules:0",
             [none](benchmark::State& s) { LiveDecision(s, none); }, /*manual_time=*/true);
  }
  for (int l : layer_counts) {
    for (int n : rule_counts) {
      for (const Workload& w : DomainWorkloads(l, n)) {
        if (kernel) {
          for (bool hook : {true, false}) {
            Register(DecisionName("kernel", w, hook),
                     [hook, w](benchmark::State& s) { KernelDecision(s, 'A', hook, w); });
          }
        }
        if (oracle) {
          Register(DecisionName("oracle", w, false),
                   [w](benchmark::State& s) { OracleDecision(s, w); });
        }
        if (live) {
          Register(DecisionName("live", w, false),
                   [w](benchmark::State& s) { LiveDecision(s, w); }, /*manual_time=*/true);
        }
      }
      if (!udp) continue;
      for (const Workload& w : UdpWorkloads(l, n)) {
        if (kernel) {
          Register(DecisionName("kernel", w, false),
                   [w](benchmark::State& s) { KernelDecision(s, 'A', false, w); });
        }
        if (oracle) {
          Register(DecisionName("oracle", w, false),
                   [w](benchmark::State& s) { OracleDecision(s, w); });
        }
      }
    }
  }
  if (kernel) {
    for (int n : rule_counts) {
      Register(absl::StrCat("add_rule/kernel/rules:", n),
               [n](benchmark::State& s) { AddRule(s, 'A', n); });
    }
    for (int l : layer_counts) {
      for (int n : rule_counts) {
        Register(absl::StrCat("restrict_self/kernel/layers:", l, "/rules:", n),
                 [l, n](benchmark::State& s) { RestrictSelf(s, 'A', l, n); });
      }
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
  // End the kernel tasks so their allocations are freed (LSan in the ASan build).
  lockstep::bench::KernelSlot('A').engine->EndTask();
  if (absl::GetFlag(FLAGS_ab)) lockstep::bench::KernelSlot('B').engine->EndTask();
  return 0;
}
