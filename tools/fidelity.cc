// fidelity: how closely the oracle and the compiled kernel code match the running kernel.
//
//   ./lockstep fidelity [--scenarios=N] [--seed=S]        (default 100,000 scenarios)
//   bazel run -c opt //tools:fidelity -- --scenarios=10000
//
// N random scenarios (scenario/generator.h, live_comparable: raw fds are -1 and 1<<30 only) run
// on four engines: the live kernel (engine/live_engine.h), the oracle with the live kernel's
// profile, the compiled kernel tree (6.12.117 by default) and the oracle with that tree's
// profile. Three comparisons:
//   live vs oracle(live profile)        does the model describe the running kernel?
//   kernel vs oracle(tree profile)      does the model describe the compiled tree?
//   live vs oracle(tree profile)        what the running kernel does differently from the tree
// For each: agreement per op class (every op of every scenario), then every disagreement class
// (op kind + the two outcomes at a scenario's first disagreement) with its count, a minimal .scn
// (scenario/minimize.h) and the profile switch that explains it (model/explain.h: checked on a
// few thousand live-comparable scenarios, else "new, unexplained (closest switch: ...)"). Live 0
// with a stack-alone result equal to the other side counts as agreement (scenario/runner.h
// OutcomesAgree).
//
// Exit status: 0 when the live kernel and its oracle agree on every op; 1 otherwise; 2 when the
// live kernel cannot be used here (the reason is printed) or a profile is missing.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/kernel_engine.h"
#include "engine/live_engine.h"
#include "engine/live_runner.h"
#include "model/explain.h"
#include "model/kernel_profile.h"
#include "model/live_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/generator.h"
#include "scenario/minimize.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

ABSL_FLAG(uint64_t, scenarios, 100000, "random scenarios to run");
ABSL_FLAG(uint64_t, seed, 1, "generator seed");
ABSL_FLAG(int, minimize_tries, 2000, "predicate calls per disagreement class when minimizing");

namespace lockstep {
namespace {

constexpr OpKind kKinds[] = {
    OpKind::kCreateRuleset, OpKind::kAddRule,  OpKind::kRestrictSelf, OpKind::kSetNoNewPrivs,
    OpKind::kClose,         OpKind::kSocket,   OpKind::kBind,         OpKind::kConnect,
    OpKind::kSendTo,        OpKind::kMkdir,    OpKind::kMknod,        OpKind::kOpen,
    OpKind::kExecute,       OpKind::kTruncate, OpKind::kFtruncate,    OpKind::kUnlink,
    OpKind::kRmdir,         OpKind::kRename,   OpKind::kLink,         OpKind::kIoctl,
    OpKind::kBindMount};

// Runs a scenario on one side of a comparison.
using Runner = std::function<RunResult(const Scenario&)>;

struct ClassKey {
  OpKind kind;
  std::string a, b;
  bool operator<(const ClassKey& o) const {
    return std::tie(kind, a, b) < std::tie(o.kind, o.a, o.b);
  }
};

struct ClassInfo {
  uint64_t count = 0;
  Scenario example;
};

// "EINVAL" or, for a live 0 whose stack alone said E, "0 (stack E)".
std::string Describe(const RunResult& r, size_t i) {
  std::string s = r.outcomes[i].ToString();
  if (i < r.stack_alone.size() && r.stack_alone[i]) {
    absl::StrAppend(&s, " (stack ", r.stack_alone[i]->ToString(), ")");
  }
  return s;
}

struct Comparison {
  std::string title;
  std::string a_name, b_name;
  Runner a, b;
  // The oracle side's profile, whose switches explain a disagreement; `b_is_oracle` says which.
  Profile oracle_profile;
  bool b_is_oracle = true;

  uint64_t agree[9] = {}, total[9] = {};
  std::map<ClassKey, ClassInfo> classes;

  // The key of the first disagreement of `s`, if any.
  bool FirstClass(const Scenario& s, const RunResult& ra, const RunResult& rb, ClassKey* key,
                  int* at) const {
    const int d = FirstDivergence(ra, rb);
    if (d < 0) return false;
    *key = {s.ops[static_cast<size_t>(d)].kind, Describe(ra, static_cast<size_t>(d)),
            Describe(rb, static_cast<size_t>(d))};
    if (at) *at = d;
    return true;
  }

  void Add(const Scenario& s, const RunResult& ra, const RunResult& rb) {
    const size_t n = std::min(ra.outcomes.size(), rb.outcomes.size());
    for (size_t i = 0; i < n; ++i) {
      const int k = static_cast<int>(s.ops[i].kind);
      ++total[k];
      if (OpAgrees(ra, rb, i)) ++agree[k];
    }
    ClassKey key;
    if (FirstClass(s, ra, rb, &key, nullptr)) {
      ClassInfo& c = classes[key];
      if (c.count++ == 0) c.example = s;
    }
  }

  uint64_t Disagreements() const {
    uint64_t d = 0;
    for (int k = 0; k < 9; ++k) d += total[k] - agree[k];
    return d;
  }

  // Whether `s` still shows the class `key`.
  bool Shows(const Scenario& s, const ClassKey& key) const {
    ClassKey k;
    return FirstClass(s, a(s), b(s), &k, nullptr) && !(k < key) && !(key < k);
  }

  // Why the non-oracle side differs from the oracle's profile (model/explain.h): a switch is named
  // only after it agrees with that side on every op of a few thousand live-comparable scenarios.
  std::unique_ptr<Explainer> explainer;
  std::string Explain(const Scenario& s) {
    if (!explainer) {
      ScenarioSource source;
      source.options.live_comparable = true;
      explainer = std::make_unique<Explainer>(b_is_oracle ? a : b, oracle_profile, std::nullopt,
                                              source);
    }
    return explainer->Explain(s).ToString();
  }
};

void PrintAgreement(const std::vector<Comparison*>& cmps) {
  std::string head = absl::StrFormat("  %-15s", "op class");
  for (const Comparison* c : cmps) head += absl::StrFormat("  %-28s", c->title);
  std::printf("%s\n", head.c_str());
  for (OpKind kind : kKinds) {
    const int k = static_cast<int>(kind);
    std::string row = absl::StrFormat("  %-15s", OpKindName(kind));
    for (const Comparison* c : cmps) {
      const double pct = c->total[k] ? 100.0 * c->agree[k] / c->total[k] : 100.0;
      row += absl::StrFormat("  %-28s",
                             absl::StrFormat("%d/%d (%.3f%%)", c->agree[k], c->total[k], pct));
    }
    std::printf("%s\n", row.c_str());
  }
}

void PrintClasses(Comparison& c, int tries) {
  std::printf("\n%s: %zu disagreement class(es)\n", c.title.c_str(), c.classes.size());
  for (auto& entry : c.classes) {
    const ClassKey& key = entry.first;
    const ClassInfo& info = entry.second;
    const Scenario minimal = MinimizeScenario(
        info.example, [&](const Scenario& s) { return c.Shows(s, key); }, tries);
    std::printf("\n  %s: %s %s, %s %s — %llu scenario(s); %s\n",
                OpKindName(key.kind), c.a_name.c_str(), key.a.c_str(), c.b_name.c_str(),
                key.b.c_str(), static_cast<unsigned long long>(info.count),
                c.Explain(minimal).c_str());
    std::string text = PrintScn(minimal);
    std::string indented;
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      absl::StrAppend(&indented, "    ", line, "\n");
    }
    std::printf("%s", indented.c_str());
  }
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "fidelity [--scenarios=N] [--seed=S]: random scenarios on the live kernel, its oracle, the "
      "compiled tree and the tree's oracle; agreement per op class and disagreement classes");
  absl::ParseCommandLine(argc, argv);
  const uint64_t n = absl::GetFlag(FLAGS_scenarios);

  const LiveKernelInfo& info = DetectLiveKernel();
  std::printf("live kernel: Linux %s, Landlock ABI %d, errata %s\n", info.release.c_str(),
              info.abi_version,
              info.errata_supported ? absl::StrFormat("%#x", info.errata).c_str() : "(no query)");
  if (!info.usable) {
    std::printf("fidelity: skipped: %s\n", info.reason.c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<LiveEngine>> live = LiveEngine::Create();
  if (!live.ok()) {
    std::printf("fidelity: skipped: %s\n", std::string(live.status().message()).c_str());
    return 2;
  }
  // The live kernel's switches, each decided by a witness run on it (model/live_profile.h).
  absl::StatusOr<LiveProfile> probed = ProbeLiveProfile(**live, info);
  if (!probed.ok()) {
    std::printf("fidelity: %s\n", std::string(probed.status().message()).c_str());
    return 2;
  }
  std::printf("live profile %s, probed:\n%s", probed->profile.name.c_str(),
              WitnessTable(*probed).c_str());
  const absl::StatusOr<Profile> live_profile = probed->profile;
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  absl::StatusOr<TreeProfile> tree = ProfileForKernel(*kernel);
  if (!tree.ok()) {
    std::printf("fidelity: %s\n", std::string(tree.status().message()).c_str());
    return 2;
  }
  std::printf("tree profile: %s\n", tree->notice.c_str());
  const absl::StatusOr<Profile> tree_profile = tree->profile;
  OracleEngine oracle_live(*live_profile), oracle_tree(*tree_profile);
  LiveEngine& le = **live;
  const Runner run_live = [&](const Scenario& s) { return RunLiveScenario(le, s); };
  const Runner run_oracle_live = [&](const Scenario& s) { return RunScenario(oracle_live, s); };
  const Runner run_kernel = [&](const Scenario& s) { return RunScenario(*kernel, s); };
  const Runner run_oracle_tree = [&](const Scenario& s) { return RunScenario(oracle_tree, s); };

  const std::string live_name = le.Name();
  const std::string ol = "oracle(" + live_profile->name + ")";
  const std::string ot = "oracle(" + tree_profile->name + ")";
  Comparison live_vs_model{live_name + " vs its oracle", live_name, ol, run_live,
                           run_oracle_live, *live_profile};
  Comparison tree_vs_model{kernel->Name() + " vs its oracle", kernel->Name(), ot, run_kernel,
                           run_oracle_tree, *tree_profile};
  Comparison live_vs_tree{live_name + " vs " + ot, live_name, ot, run_live, run_oracle_tree,
                          *tree_profile};
  std::vector<Comparison*> cmps = {&live_vs_model, &tree_vs_model, &live_vs_tree};

  std::printf("profiles: %s (switches observed on this series), %s (tree %s)\n",
              live_profile->name.c_str(), tree_profile->name.c_str(), kernel->Version().c_str());
  std::printf("running %llu scenarios (seed %llu)\n", static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(absl::GetFlag(FLAGS_seed)));
  GeneratorOptions options;
  options.live_comparable = true;
  ScenarioGenerator gen(absl::GetFlag(FLAGS_seed), options);
  uint64_t findings = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const Scenario s = gen.Next();
    const RunResult rl = run_live(s);
    const RunResult rol = run_oracle_live(s);
    const RunResult rk = run_kernel(s);
    const RunResult rot = run_oracle_tree(s);
    findings += rl.findings.size() + rk.findings.size();
    for (const EngineFinding& f : rl.findings) {
      std::fprintf(stderr, "finding (live, scenario %llu): %s: %s\n",
                   static_cast<unsigned long long>(i), f.kind.c_str(), f.detail.c_str());
    }
    live_vs_model.Add(s, rl, rol);
    tree_vs_model.Add(s, rk, rot);
    live_vs_tree.Add(s, rl, rot);
    if (n >= 10 && (i + 1) % (n / 10) == 0) {
      std::fprintf(stderr, "fidelity: %llu/%llu scenarios\n",
                   static_cast<unsigned long long>(i + 1), static_cast<unsigned long long>(n));
    }
  }

  std::printf("\nagreement per op class (ops agreeing / ops run)\n");
  PrintAgreement(cmps);
  for (Comparison* c : cmps) PrintClasses(*c, absl::GetFlag(FLAGS_minimize_tries));
  std::printf(
      "\nfidelity: %llu scenarios; %s: %llu disagreeing ops in %zu class(es); %s: %llu in %zu; "
      "%s: %llu in %zu; %llu engine finding(s)\n",
      static_cast<unsigned long long>(n), live_vs_model.title.c_str(),
      static_cast<unsigned long long>(live_vs_model.Disagreements()), live_vs_model.classes.size(),
      tree_vs_model.title.c_str(), static_cast<unsigned long long>(tree_vs_model.Disagreements()),
      tree_vs_model.classes.size(), live_vs_tree.title.c_str(),
      static_cast<unsigned long long>(live_vs_tree.Disagreements()), live_vs_tree.classes.size(),
      static_cast<unsigned long long>(findings));
  return live_vs_model.classes.empty() && findings == 0 ? 0 : 1;
}

}  // namespace
}  // namespace lockstep

int main(int argc, char** argv) { return lockstep::Main(argc, argv); }
