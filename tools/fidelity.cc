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
// (op kind + the two outcomes at a scenario's first disagreement, scenario/compare.h Judge) with
// its count, a minimal .scn (MinimizeWhile, keeping the class) and the profile switch that
// explains it (model/explain.h: checked on a few thousand live-comparable scenarios, else "new,
// unexplained (closest switch: ...)"). Live 0 with a stack-alone result equal to the other side
// counts as agreement (scenario/runner.h OutcomesAgree). Engine findings are counted on all four
// engines, the oracles' included.
//
// --flip_switch=NAME[=VALUE] flips one switch of the live kernel's profile (model/profile.h
// FlippedSwitches; without VALUE its first other known value) before the oracle runs with it: a
// disagreement planted on purpose, for tests (tests/fidelity_test.sh) and for seeing how a
// switch shows up. --json prints the report as one JSON document on stdout (the text report
// then goes to stderr; nothing on stdout when the run is skipped): scenarios, profiles, per
// comparison the agreement per op class and every disagreement class with its count,
// explanation and minimal .scn.
//
// Exit status: 0 when the live kernel and its oracle agree on every op; 1 otherwise; 2 when the
// live kernel cannot be used here (the reason is printed, "fidelity: skipped: REASON"), a
// profile is missing or --flip_switch names no switch.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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
#include "absl/strings/string_view.h"
#include "engine/kernel_engine.h"
#include "engine/live_engine.h"
#include "model/explain.h"
#include "model/kernel_profile.h"
#include "model/live_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/compare.h"
#include "scenario/generator.h"
#include "scenario/live_comparable.h"
#include "scenario/live_runner.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

ABSL_FLAG(uint64_t, scenarios, 100000, "random scenarios to run");
ABSL_FLAG(uint64_t, seed, 1, "generator seed");
ABSL_FLAG(int, minimize_tries, 2000, "predicate calls per disagreement class when minimizing");
ABSL_FLAG(std::string, flip_switch, "",
          "NAME or NAME=VALUE: flip this switch of the live kernel's profile (a planted "
          "disagreement, for tests)");
ABSL_FLAG(bool, json, false,
          "print the report as JSON on stdout (the text report goes to stderr)");

namespace lockstep {
namespace {

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
  Verdict verdict;  // the example's
};

// A class as reported: for --json.
struct ClassReport {
  ClassKey key;
  uint64_t count = 0;
  std::string explained_by;
  std::string scn;  // the minimal scenario
};

struct Comparison {
  std::string title;
  std::string a_name, b_name;
  Runner a, b;
  // The oracle side's profile, whose switches explain a disagreement; `b_is_oracle` says which.
  Profile oracle_profile;
  bool b_is_oracle = true;
  // Whether the live side can make device nodes: the explainer's scenarios are filtered with it.
  bool devices_usable = true;
  // The non-oracle side's own profile when lockstep has one (the live kernel's, probed): its
  // switches that differ from the oracle's are also checked in pairs (model/explain.h).
  std::optional<Profile> other_profile;

  // Per op kind (indexed by OpKind): sized from the enum, so a new kind cannot overrun them.
  uint64_t agree[kNumOpKinds] = {}, total[kNumOpKinds] = {};
  std::map<ClassKey, ClassInfo> classes;
  std::vector<ClassReport> reports;  // filled by PrintClasses

  // The two sides judged (scenario/compare.h); a disagreement's class is the op kind and both
  // outcomes ("0 (stack EINVAL)" for a live 0 whose stack alone said EINVAL).
  static Verdict Judge(const Scenario& s, const RunResult& ra, const RunResult& rb) {
    return lockstep::Judge(s, {ra, rb});
  }
  Verdict Judge(const Scenario& s) const { return Judge(s, a(s), b(s)); }
  static ClassKey KeyOf(const Scenario& s, const Verdict& v) {
    return {s.ops[static_cast<size_t>(v.op)].kind, v.outcomes[0], v.outcomes[1]};
  }

  void Add(const Scenario& s, const RunResult& ra, const RunResult& rb) {
    const size_t n = std::min(ra.outcomes.size(), rb.outcomes.size());
    for (size_t i = 0; i < n; ++i) {
      const int k = static_cast<int>(s.ops[i].kind);
      ++total[k];
      if (OpAgrees(ra, rb, i)) ++agree[k];
    }
    const Verdict v = Judge(s, ra, rb);
    if (v.kind != Verdict::Kind::kDisagreement) return;  // engine findings are counted apart
    ClassInfo& c = classes[KeyOf(s, v)];
    if (c.count++ == 0) {
      c.example = s;
      c.verdict = v;
    }
  }

  uint64_t Disagreements() const {
    uint64_t d = 0;
    for (int k = 0; k < kNumOpKinds; ++k) d += total[k] - agree[k];
    return d;
  }

  // Why the non-oracle side differs from the oracle's profile (model/explain.h): a switch is named
  // only after it agrees with that side on every op of a few thousand live-comparable scenarios.
  std::unique_ptr<Explainer> explainer;
  std::string Explain(const Scenario& s) {
    if (!explainer) {
      ScenarioSource source;
      source.options.live_comparable = true;
      const bool devices = devices_usable;
      source.accept = [devices](const Scenario& s) { return LiveComparable(s, devices); };
      explainer = std::make_unique<Explainer>(b_is_oracle ? a : b, oracle_profile, other_profile,
                                              source);
    }
    return explainer->Explain(s).ToString();
  }
};

void PrintAgreement(const std::vector<Comparison*>& cmps) {
  std::string head = absl::StrFormat("  %-15s", "op class");
  for (const Comparison* c : cmps) head += absl::StrFormat("  %-28s", c->title);
  std::printf("%s\n", head.c_str());
  for (OpKind kind : kAllOpKinds) {
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
    const Scenario minimal = MinimizeWhile(
        info.example, info.verdict, [&](const Scenario& s) { return c.Judge(s); }, tries);
    const std::string explained_by = c.Explain(minimal);
    std::printf("\n  %s: %s %s, %s %s — %llu scenario(s); %s\n",
                OpKindName(key.kind), c.a_name.c_str(), key.a.c_str(), c.b_name.c_str(),
                key.b.c_str(), static_cast<unsigned long long>(info.count),
                explained_by.c_str());
    std::string text = PrintScn(minimal);
    c.reports.push_back({key, info.count, explained_by, text});
    std::string indented;
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      absl::StrAppend(&indented, "    ", line, "\n");
    }
    std::printf("%s", indented.c_str());
  }
}

// `base` with one switch flipped as --flip_switch says ("NAME" or "NAME=VALUE"), named for it.
absl::StatusOr<Profile> FlipSwitch(const Profile& base, const std::string& spec) {
  const std::pair<std::string, std::string> name_value =
      absl::StrSplit(spec, absl::MaxSplits('=', 1));
  const SwitchDef* sw = FindSwitch(name_value.first);
  if (sw == nullptr) {
    std::vector<std::string> names;
    for (const SwitchDef& d : Switches()) names.push_back(d.name);
    return absl::InvalidArgumentError(absl::StrCat("--flip_switch: no switch '", name_value.first,
                                                   "' (switches: ", absl::StrJoin(names, ", "),
                                                   ")"));
  }
  std::optional<int64_t> value;
  if (spec.find('=') != std::string::npos) {
    value = ParseSwitchValue(*sw, name_value.second);
    if (!value) {
      return absl::InvalidArgumentError(absl::StrCat("--flip_switch: '", name_value.second,
                                                     "' is no value of ", sw->name));
    }
  }
  for (SwitchVariant& v : FlippedSwitches(base)) {
    if (v.name != sw->name || (value && sw->get(v.profile) != *value)) continue;
    v.profile.name = absl::StrCat(base.name, " with ", sw->name, "=",
                                  SwitchValueText(*sw, sw->get(v.profile)), " flipped");
    return std::move(v.profile);
  }
  const std::string current = SwitchValueText(*sw, sw->get(base));
  if (value && *value == sw->get(base)) {
    return absl::InvalidArgumentError(absl::StrCat("--flip_switch: ", sw->name, " is already ",
                                                   current, " in ", base.name));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--flip_switch: ", sw->name, " is ", current, " in ", base.name, "; ",
      value ? SwitchValueText(*sw, *value) + " is not one of its known values"
            : std::string("it has no other known value")));
}

// `text` as a JSON string literal.
std::string Json(absl::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

// The report as one JSON document (--json).
std::string ReportJson(uint64_t n, uint64_t seed, const LiveKernelInfo& info,
                       const std::string& flipped, const std::vector<Comparison*>& cmps,
                       uint64_t findings) {
  std::string out = "{\n";
  absl::StrAppend(&out, "  \"scenarios\": ", n, ",\n  \"seed\": ", seed, ",\n");
  absl::StrAppend(&out, "  \"live_kernel\": {\"release\": ", Json(info.release),
                  ", \"abi_version\": ", info.abi_version, ", \"errata\": ",
                  info.errata_supported ? absl::StrCat(info.errata) : "null", "},\n");
  absl::StrAppend(&out, "  \"flipped_switch\": ", flipped.empty() ? "null" : Json(flipped),
                  ",\n  \"engine_findings\": ", findings, ",\n  \"comparisons\": [");
  for (size_t i = 0; i < cmps.size(); ++i) {
    const Comparison& c = *cmps[i];
    absl::StrAppend(&out, i ? "," : "", "\n    {\"title\": ", Json(c.title), ", \"a\": ",
                    Json(c.a_name), ", \"b\": ", Json(c.b_name), ", \"b_profile\": ",
                    Json(c.oracle_profile.name), ",\n     \"disagreeing_ops\": ",
                    c.Disagreements(), ",\n     \"agreement\": [");
    for (int k = 0; k < kNumOpKinds; ++k) {
      absl::StrAppend(&out, k ? ", " : "", "{\"op\": ", Json(OpKindName(kAllOpKinds[k])),
                      ", \"agree\": ", c.agree[k], ", \"total\": ", c.total[k], "}");
    }
    absl::StrAppend(&out, "],\n     \"classes\": [");
    for (size_t j = 0; j < c.reports.size(); ++j) {
      const ClassReport& r = c.reports[j];
      absl::StrAppend(&out, j ? "," : "", "\n       {\"op\": ", Json(OpKindName(r.key.kind)),
                      ", \"a\": ", Json(r.key.a), ", \"b\": ", Json(r.key.b),
                      ", \"scenarios\": ", r.count, ", \"explained_by\": ",
                      Json(r.explained_by), ", \"scn\": ", Json(r.scn), "}");
    }
    absl::StrAppend(&out, c.reports.empty() ? "" : "\n     ", "]}");
  }
  absl::StrAppend(&out, "\n  ]\n}\n");
  return out;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "fidelity [--scenarios=N] [--seed=S]: random scenarios on the live kernel, its oracle, the "
      "compiled tree and the tree's oracle; agreement per op class and disagreement classes");
  absl::ParseCommandLine(argc, argv);
  const uint64_t n = absl::GetFlag(FLAGS_scenarios);
  // --json: stdout carries only the JSON document; everything printed for people goes to stderr.
  const int json_fd = absl::GetFlag(FLAGS_json) ? dup(STDOUT_FILENO) : -1;
  if (json_fd >= 0) dup2(STDERR_FILENO, STDOUT_FILENO);

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
  absl::StatusOr<Profile> live_profile = probed->profile;
  const std::string flip = absl::GetFlag(FLAGS_flip_switch);
  if (!flip.empty()) {
    live_profile = FlipSwitch(*live_profile, flip);
    if (!live_profile.ok()) {
      std::printf("fidelity: %s\n", std::string(live_profile.status().message()).c_str());
      return 2;
    }
    std::printf("flipped on purpose: the live kernel's oracle is %s\n",
                live_profile->name.c_str());
  }
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
  const bool live_devices_usable = le.info().devices_usable;
  const Runner run_live = [&](const Scenario& s) { return RunLiveScenario(le, s); };
  const Runner run_oracle_live = [&](const Scenario& s) { return RunScenario(oracle_live, s); };
  const Runner run_kernel = [&](const Scenario& s) { return RunScenario(*kernel, s); };
  const Runner run_oracle_tree = [&](const Scenario& s) { return RunScenario(oracle_tree, s); };

  const std::string live_name = le.Name();
  const std::string kernel_name = kernel->Name();
  const std::string ol = "oracle(" + live_profile->name + ")";
  const std::string ot = "oracle(" + tree_profile->name + ")";
  Comparison live_vs_model{live_name + " vs its oracle", live_name, ol, run_live,
                           run_oracle_live, *live_profile};
  Comparison tree_vs_model{kernel->Name() + " vs its oracle", kernel->Name(), ot, run_kernel,
                           run_oracle_tree, *tree_profile};
  Comparison live_vs_tree{live_name + " vs " + ot, live_name, ot, run_live, run_oracle_tree,
                          *tree_profile};
  std::vector<Comparison*> cmps = {&live_vs_model, &tree_vs_model, &live_vs_tree};
  for (Comparison* c : cmps) c->devices_usable = live_devices_usable;
  live_vs_tree.other_profile = probed->profile;  // as probed, never the flipped one

  std::printf("profiles: %s (switches observed on this series), %s (tree %s)\n",
              live_profile->name.c_str(), tree_profile->name.c_str(), kernel->Version().c_str());
  std::printf("running %llu scenarios (seed %llu)\n", static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(absl::GetFlag(FLAGS_seed)));
  GeneratorOptions options;
  options.live_comparable = true;
  ScenarioGenerator gen(absl::GetFlag(FLAGS_seed), options);
  uint64_t findings = 0;
  // The generator's live_comparable mode keeps to scenario/live_comparable.h; device nodes are
  // left out here only where the live side cannot make them (counted, never compared).
  std::map<std::string, uint64_t> not_comparable;
  for (uint64_t i = 0; i < n; ++i) {
    const Scenario s = gen.Next();
    if (const NotLiveComparable why = WhyNotLiveComparable(s, live_devices_usable);
        !why.comparable()) {
      ++not_comparable[why.reason];
      continue;
    }
    const RunResult rl = run_live(s);
    const RunResult rol = run_oracle_live(s);
    const RunResult rk = run_kernel(s);
    const RunResult rot = run_oracle_tree(s);
    // Engine findings, on any of the four engines (scenario/compare.h), the oracles' included.
    for (const auto& [name, r] : {std::pair<const std::string&, const RunResult&>{live_name, rl},
                                  {ol, rol}, {kernel_name, rk}, {ot, rot}}) {
      findings += r.findings.size();
      for (const EngineFinding& f : r.findings) {
        std::fprintf(stderr, "finding (%s, scenario %llu): %s: %s\n", name.c_str(),
                     static_cast<unsigned long long>(i), f.kind.c_str(), f.detail.c_str());
      }
    }
    live_vs_model.Add(s, rl, rol);
    tree_vs_model.Add(s, rk, rot);
    live_vs_tree.Add(s, rl, rot);
    if (n >= 10 && (i + 1) % (n / 10) == 0) {
      std::fprintf(stderr, "fidelity: %llu/%llu scenarios\n",
                   static_cast<unsigned long long>(i + 1), static_cast<unsigned long long>(n));
    }
  }

  for (const auto& [why, count] : not_comparable) {
    std::printf("not compared: %llu scenario(s): %s\n", static_cast<unsigned long long>(count),
                why.c_str());
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
  if (json_fd >= 0) {
    std::fflush(stdout);
    const std::string json =
        ReportJson(n, absl::GetFlag(FLAGS_seed), info, flip, cmps, findings);
    FILE* out = fdopen(json_fd, "w");
    if (out == nullptr || std::fputs(json.c_str(), out) < 0 || std::fclose(out) != 0) return 2;
  }
  return live_vs_model.classes.empty() && findings == 0 ? 0 : 1;
}

}  // namespace
}  // namespace lockstep

int main(int argc, char** argv) { return lockstep::Main(argc, argv); }
