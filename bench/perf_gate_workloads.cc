// The perf gate's fixed workloads (bench/perf_gate.py, ./lockstep perf-gate): each builds its
// domain on the kernel engine outside measurement, then runs its operation `ops` times between
// CALLGRIND_START_INSTRUMENTATION and CALLGRIND_STOP_INSTRUMENTATION and dumps the counts under
// its own name (CALLGRIND_DUMP_STATS_AT). Run it under
//   valgrind --tool=callgrind --instr-atstart=no
// Outside valgrind the client requests are no-ops: it checks every verdict and prints the
// workload list as JSON lines ({"name":..., "ops":...}), which is also what the gate reads.
//
// The list is part of the baseline (bench/perf_baseline.json): changing it means --rebaseline.

#include <fcntl.h>
#include <sys/socket.h>
#include <valgrind/callgrind.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/domain.h"
#include "engine/kernel_engine.h"
#include "engine/landlock_uapi.h"
#include "model/kernel_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"

namespace lockstep {
namespace bench {
namespace {

// kTaskNet, kTaskFs: a whole task (BeginTask ... EndTask) whose ops touch only the network or
// also the filesystem: the fixed cost every fuzzed scenario pays, on the kernel engine and
// (kOracleTask*) on the oracle.
enum class Kind {
  kHook,
  kSyscall,
  kAddRule,
  kRestrictSelf,
  kTaskNet,
  kTaskFs,
  kOracleTaskNet,
  kOracleTaskFs
};

struct GateWorkload {
  Kind kind;
  Op op;
  Family family;
  bool hit;
  int layers;
  int rules;
  int ops;  // how many operations the measured loop runs
};

constexpr int kDecisions = 1000;

const GateWorkload kWorkloads[] = {
    // Whole tasks first, on a heap no domain has been through: their counts are mostly the
    // allocator's, which depend on what the heap went through before.
    {Kind::kTaskNet, Op::kConnect, Family::kIpv4, true, 0, 0, 100},
    {Kind::kTaskFs, Op::kConnect, Family::kIpv4, true, 0, 0, 100},
    {Kind::kOracleTaskNet, Op::kConnect, Family::kIpv4, true, 0, 0, 100},
    {Kind::kOracleTaskFs, Op::kConnect, Family::kIpv4, true, 0, 0, 100},
    {Kind::kHook, Op::kConnect, Family::kIpv4, true, 1, 1, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, false, 1, 1, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, true, 1, 100, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, false, 1, 100, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, true, 1, 10000, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, false, 1, 10000, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv6, true, 1, 100, kDecisions},
    {Kind::kHook, Op::kBind, Family::kIpv4, true, 1, 100, kDecisions},
    {Kind::kHook, Op::kBind, Family::kIpv6, false, 1, 100, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, true, 4, 1000, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, true, 16, 100, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, false, 16, 100, kDecisions},
    // The corners of the connect grid that generations are compared on (1/16 layers x
    // 1/10,000 rules; 1-layer corners are above).
    {Kind::kHook, Op::kConnect, Family::kIpv4, true, 16, 1, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, false, 16, 1, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, true, 16, 10000, kDecisions},
    {Kind::kHook, Op::kConnect, Family::kIpv4, false, 16, 10000, kDecisions},
    {Kind::kSyscall, Op::kConnect, Family::kIpv4, true, 1, 100, kDecisions},
    {Kind::kSyscall, Op::kBind, Family::kIpv6, false, 4, 1000, kDecisions},
    {Kind::kAddRule, Op::kConnect, Family::kIpv4, true, 1, 1000, 1000},
    {Kind::kRestrictSelf, Op::kConnect, Family::kIpv4, true, 4, 1000, 1},
};

std::string Name(const GateWorkload& w) {
  std::string layout = "layers:" + std::to_string(w.layers) + "/rules:" + std::to_string(w.rules);
  switch (w.kind) {
    case Kind::kAddRule:
      return "add_rule/rules:" + std::to_string(w.rules);
    case Kind::kRestrictSelf:
      return "restrict_self/" + layout;
    case Kind::kTaskNet:
      return "task/network";
    case Kind::kTaskFs:
      return "task/filesystem";
    case Kind::kOracleTaskNet:
      return "oracle/task/network";
    case Kind::kOracleTaskFs:
      return "oracle/task/filesystem";
    default:
      return std::string(OpName(w.op)) + "/" + (w.kind == Kind::kHook ? "hook" : "syscall") + "/" +
             FamilyName(w.family) + "/" + (w.hit ? "hit" : "miss") + "/" + layout;
  }
}

[[noreturn]] void Fail(const std::string& name, const std::string& what) {
  std::fprintf(stderr, "perf_gate_workloads: %s: %s\n", name.c_str(), what.c_str());
  std::exit(1);
}

void Measured(const std::string& name) {
  CALLGRIND_STOP_INSTRUMENTATION;
  CALLGRIND_DUMP_STATS_AT(name.c_str());
}

void RunDecisions(KernelEngine& k, const GateWorkload& w, const std::string& name) {
  const Domain d = BuildDomain(k, w.layers, w.rules, nullptr);
  if (!d.error.empty()) Fail(name, d.error);
  const Probes probes = MakeProbes(w.family, w.rules, w.hit);
  const int fd = w.family == Family::kIpv4 ? d.fd4 : d.fd6;
  void* sock = k.SocketOfFd(fd);
  const int len = probes.size;
  const long expected = w.hit ? 0 : -EACCES;
  auto decide = [&](int j) -> long {
    if (w.kind == Kind::kHook) {
      return w.op == Op::kConnect ? k.HookConnect(sock, probes.At(j), len)
                                  : k.HookBind(sock, probes.At(j), len);
    }
    const UserBuffer b{probes.At(j), static_cast<size_t>(len)};
    return w.op == Op::kConnect ? k.Connect(fd, b, len) : k.Bind(fd, b, len);
  };
  for (int j = 0; j < kProbes; ++j) {
    if (decide(j) != expected) Fail(name, "probe " + std::to_string(j) + ": unexpected verdict");
  }
  long bad = 0;
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
  for (int i = 0; i < w.ops; ++i) bad |= decide(i & (kProbes - 1)) ^ expected;
  Measured(name);
  if (bad != 0) Fail(name, "a verdict changed during the loop");
  k.EndTask();
}

void RunAddRule(KernelEngine& k, const GateWorkload& w, const std::string& name) {
  std::vector<uint8_t> attrs;
  for (int i = 0; i < w.ops; ++i) {
    const std::vector<uint8_t> a = NetPortAttr(landlock::kAccessNetAll, RulePort(i, w.ops));
    attrs.insert(attrs.end(), a.begin(), a.end());
  }
  const std::vector<uint8_t> rs = RulesetAttr(0, landlock::kAccessNetAll, 0);
  k.BeginTask(TaskSpec{});
  const int fd = static_cast<int>(k.CreateRuleset(UserBuffer::Of(rs), rs.size(), 0));
  long bad = fd < 0;
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
  for (int i = 0; i < w.ops; ++i) {
    bad |= k.AddRule(fd, landlock::kRuleNetPort,
                     UserBuffer{attrs.data() + i * landlock::kNetPortAttrSize,
                                landlock::kNetPortAttrSize},
                     0);
  }
  Measured(name);
  if (bad != 0) Fail(name, "add_rule failed");
  k.EndTask();
}

void RunRestrictSelf(KernelEngine& k, const GateWorkload& w, const std::string& name) {
  k.BeginTask(TaskSpec{});
  const long fd = BuildRuleset(k, w.rules);
  long bad = fd < 0;
  for (int l = 1; l < w.layers; ++l) bad |= k.RestrictSelf(static_cast<int>(fd), 0);
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
  bad |= k.RestrictSelf(static_cast<int>(fd), 0);
  Measured(name);
  if (bad != 0) Fail(name, "restrict_self failed");
  k.EndTask();
}

// One task per op: a socket opened and closed, or a directory made and opened. Per op, so the
// task's own begin and end dominate.
void RunTasks(Engine& k, const GateWorkload& w, const std::string& name) {
  auto task = [&]() -> long {
    k.BeginTask(TaskSpec{});
    long bad = 0;
    if (w.kind == Kind::kTaskNet || w.kind == Kind::kOracleTaskNet) {
      const long fd = k.Socket(AF_INET, SOCK_STREAM, 0);
      bad |= fd < 0 || k.Close(static_cast<int>(fd)) != 0;
    } else {
      bad |= k.Mkdir(Engine::kAtRoot, "a") != 0;
      const long fd = k.Open(Engine::kAtRoot, "a", O_RDONLY | O_DIRECTORY);
      bad |= fd < 0 || k.Close(static_cast<int>(fd)) != 0;
    }
    bad |= !k.EndTask().empty();
    return bad;
  };
  // Warm-up as long as the measured loop: the allocator reaches the steady state of this
  // pattern, so what ran before (other workloads' heaps) does not move the counts.
  for (int i = 0; i < w.ops; ++i) {
    if (task() != 0) Fail(name, "the task failed or left a finding");
  }
  long bad = 0;
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
  for (int i = 0; i < w.ops; ++i) bad |= task();
  Measured(name);
  if (bad != 0) Fail(name, "a task failed or left a finding during the loop");
}

}  // namespace
}  // namespace bench
}  // namespace lockstep

int main(int argc, char** argv) {
  using namespace lockstep::bench;
  // Which workloads: all; NAME, just that one (debugging); PREFIX/, those whose name starts
  // with it; !PREFIX/, the others (bench/perf_gate.py runs the oracle's in a process of their
  // own).
  const std::string selector = argc > 1 ? argv[1] : "";
  const auto selected = [&](const std::string& name) {
    if (selector.empty()) return true;
    const bool negate = selector[0] == '!';
    const std::string s = negate ? selector.substr(1) : selector;
    const bool match = s.back() == '/' ? name.rfind(s, 0) == 0 : name == s;
    return match != negate;
  };
  lockstep::KernelEngine k(lockstep_kernel_default());
  // The oracle's profile by the tree's code (its fingerprint), as the fuzzers choose it.
  absl::StatusOr<lockstep::TreeProfile> profile = lockstep::ProfileForKernel(k);
  if (!profile.ok()) {
    std::fprintf(stderr, "perf_gate_workloads: no oracle profile for kernel tree %s: %s\n",
                 k.Version().c_str(), std::string(profile.status().message()).c_str());
    return 2;
  }
  lockstep::OracleEngine oracle(profile->profile);
  for (const GateWorkload& w : kWorkloads) {
    const std::string name = Name(w);
    if (!selected(name)) continue;
    switch (w.kind) {
      case Kind::kHook:
      case Kind::kSyscall:
        RunDecisions(k, w, name);
        break;
      case Kind::kAddRule:
        RunAddRule(k, w, name);
        break;
      case Kind::kRestrictSelf:
        RunRestrictSelf(k, w, name);
        break;
      case Kind::kTaskNet:
      case Kind::kTaskFs:
        RunTasks(k, w, name);
        break;
      case Kind::kOracleTaskNet:
      case Kind::kOracleTaskFs:
        RunTasks(oracle, w, name);
        break;
    }
    std::printf("{\"name\": \"%s\", \"ops\": %d}\n", name.c_str(), w.ops);
  }
  std::printf("{\"kernel\": \"%s\", \"generation\": \"%s\"}\n", k.Version().c_str(),
              k.Generation().c_str());
  return 0;
}
