// The revision-diff fuzz target: does revision B (the second tree, $LOCKSTEP_KERNEL_TREE_B; a
// point release, 6.1, a patch series or a mutant) change any decision of revision A (the default
// tree)? bytes → Scenario → kernel A, kernel B → judged (scenario/compare.h): a difference, and
// either kernel engine noticing something (WARN_ON, leak, lockdep), are findings.
//
// Each finding is minimized keeping its class (a difference: A and B still disagree on an op of
// the same kind, with the same outcomes); a difference is then explained with the oracle's named
// switches (model/explain.h), each checked against B on a few thousand generated scenarios first
// (once per process):
// "explained: <switch> (<kernel change>; checked on M scenarios, ...)" or "new, unexplained
// (closest switch: <switch>, agrees on N of M)". A finding is written once per
// class (explanation, op kind, A's and B's outcomes) as findings/revdiff-<class>.scn with every
// engine's outcomes; explained classes are recorded and fuzzing goes on, while a new, unexplained
// class aborts so libFuzzer / AFL++ keep the input. $LOCKSTEP_REVDIFF_ABORT=any aborts on the
// first class of any kind (mutation runs: a mutant is killed by any difference).
//
//   LOCKSTEP_KERNEL_TREE_B=/path ./lockstep revdiff         (libFuzzer, 60 s)

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/kernel_engine.h"
#include "fuzz/scenario_target.h"
#include "model/explain.h"
#include "model/kernel_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "revisions/kernel_b.h"
#include "scenario/compare.h"
#include "scenario/runner.h"

namespace lockstep {
namespace {

struct State {
  std::unique_ptr<KernelEngine> a;
  std::unique_ptr<KernelEngine> b;
  std::optional<Profile> a_profile;
  std::optional<Profile> b_profile;
  bool abort_on_any = false;
  // The revisions are of different adapter generations (6.12 and 6.1): only what both can
  // express is compared (ExpressibleByBoth).
  bool mixed_generations = false;
  std::set<std::string> seen;  // classes already written
  // Made at the first difference: its one-time check runs thousands of scenarios on B.
  std::unique_ptr<Explainer> explainer;
};

State* g = nullptr;

}  // namespace

// fuzz/scenario_target.h: the engines, once.
void InitTarget() {
  if (g != nullptr) return;
  g = new State;
  g->a = NewDefaultKernelEngine();
  g->b = std::make_unique<KernelEngine>(lockstep_kernel_b());
  // Each revision's profile is chosen by the fingerprint of its code (nearest known revision of
  // its generation when no profile was verified against it).
  absl::StatusOr<TreeProfile> pa = ProfileForKernel(*g->a);
  absl::StatusOr<TreeProfile> pb = ProfileForKernel(*g->b);
  if (pa.ok()) g->a_profile = pa->profile;
  if (pb.ok()) g->b_profile = pb->profile;
  std::fprintf(stderr, "revision_diff_fuzzer: profile of A: %s\n",
               pa.ok() ? pa->notice.c_str() : std::string(pa.status().message()).c_str());
  std::fprintf(stderr, "revision_diff_fuzzer: profile of B: %s\n",
               pb.ok() ? pb->notice.c_str() : std::string(pb.status().message()).c_str());
  if (g->a_profile && g->b_profile) {
    // The switches on which the two revisions' profiles differ: the classes the fuzzer should
    // find (tests read this line, not version labels).
    std::string differing;
    for (const SwitchDef& sw : Switches()) {
      const int64_t va = sw.get(*g->a_profile), vb = sw.get(*g->b_profile);
      if (va == vb) continue;
      absl::StrAppend(&differing, " ", sw.name, "=", SwitchValueText(sw, va), "/",
                      SwitchValueText(sw, vb));
    }
    std::fprintf(stderr, "revision_diff_fuzzer: switches differing (A/B):%s\n",
                 differing.empty() ? " none" : differing.c_str());
  }
  g->mixed_generations = g->a->Generation() != g->b->Generation();
  if (g->mixed_generations) {
    std::fprintf(stderr,
                 "revision_diff_fuzzer: generations %s and %s: comparing only what both express "
                 "(filesystem rights up to ABI 2, no network rules or scopes, no ABI or errata "
                 "queries)\n",
                 g->a->Generation().c_str(), g->b->Generation().c_str());
  }
  const char* mode = std::getenv("LOCKSTEP_REVDIFF_ABORT");
  g->abort_on_any = mode != nullptr && std::string(mode) == "any";
  std::fprintf(stderr, "revision_diff_fuzzer: A = kernel %s (%s), B = kernel %s (%s)%s\n",
               g->a->Version().c_str(), g->a->Origin().c_str(), g->b->Version().c_str(),
               g->b->Origin().c_str(),
               g->a_profile ? "" : "; A has no oracle profile: differences stay unexplained");
}

namespace {

// Whether a 6.1-generation revision (ABI 2: an 8-byte ruleset attr with filesystem rights up to
// REFER, path_beneath rules only, no network hooks) can express `s` as a 6.12 one does: no
// network or scope bits in a ruleset attr, no filesystem right above REFER, no net_port rule, no
// ABI or errata query, no ptrace (the 6.1 adapter does not compile ptrace.c). Socket ops stay:
// with no network right handled both allow them all.
bool ExpressibleByBoth(const Scenario& s) {
  constexpr uint64_t kAbi2FsRights = (1ull << 14) - 1;  // EXECUTE .. REFER
  const auto u64_at = [](const std::vector<uint8_t>& b, size_t at) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && at + i < b.size(); ++i) v |= uint64_t{b[at + i]} << (8 * i);
    return v;
  };
  for (const Op& op : s.ops) {
    switch (op.kind) {
      case OpKind::kCreateRuleset: {
        if (op.flags != 0) return false;
        const std::vector<uint8_t>& b = op.mem.bytes;
        if ((u64_at(b, 0) & ~kAbi2FsRights) != 0) return false;
        for (size_t i = 8; i < b.size(); ++i) {
          if (b[i] != 0) return false;
        }
        break;
      }
      case OpKind::kAddRule:
        if (op.rule_type != 1 || (u64_at(op.mem.bytes, 0) & ~kAbi2FsRights) != 0) return false;
        break;
      case OpKind::kPtrace:
      case OpKind::kTraceme:
        return false;  // the 6.1 generation is built without ptrace.c (docs/tasks.md)
      default:
        break;
    }
  }
  return true;
}

std::vector<const Profile*> Profiles() {
  return {g->a_profile ? &*g->a_profile : nullptr, g->b_profile ? &*g->b_profile : nullptr};
}

// A and B judged (scenario/compare.h); with mixed generations, only what both can express.
Verdict JudgeAB(const Scenario& s) {
  if (g->mixed_generations && !ExpressibleByBoth(s)) return Verdict{};
  return Judge(s, RunScenarioOnEach({g->a.get(), g->b.get()}, s), Profiles());
}

void Report(const Scenario& input, const Verdict& found) {
  State& st = *g;
  // Minimized keeping its class: for a difference, the op kind and A's and B's outcomes.
  const Scenario min = MinimizeWhile(input, found, JudgeAB);
  std::vector<std::string> names = {"kernel-" + st.a->Version(), "kernel_b-" + st.b->Version()};
  std::vector<RunResult> results = RunScenarioOnEach({st.a.get(), st.b.get()}, min);
  const Verdict v = Judge(min, results, Profiles());
  if (st.a_profile) {
    OracleEngine oracle(*st.a_profile);
    names.push_back("oracle-" + st.a_profile->version);
    results.push_back(RunScenario(oracle, min));
  }
  Finding f = MakeFinding("revision_diff_fuzzer", v, input.ops.size(), min, names, results);
  // The class: a difference by the switch that explains it, anything else by its kind.
  std::string klass = VerdictKindName(v.kind);
  bool explained = false;
  if (v.kind == Verdict::Kind::kDisagreement && st.a_profile) {
    if (!st.explainer) {
      ScenarioSource source;
      if (st.mixed_generations) source.accept = ExpressibleByBoth;
      // A revision that checks UDP: scenarios with UDP rights and sockets, or a change to the
      // UDP checks (a mutant dropping one autobind check) is taken for udp_checked's flip.
      if (st.a_profile->udp_checked) source.options.udp_percent = 30;
      st.explainer = std::make_unique<Explainer>(*st.b, *st.a_profile, st.b_profile, source);
      std::fprintf(stderr, "revision_diff_fuzzer: switches checked against B: %s\n",
                   st.explainer->Summary().c_str());
    }
    const Explanation e = st.explainer->Explain(min);
    explained = e.explained;
    klass = e.ToString();
  } else if (v.kind == Verdict::Kind::kDisagreement) {
    klass = "new, unexplained";
  }
  const std::string key = klass + " | " + v.what;
  if (!st.seen.insert(key).second) return;  // this class has its case already
  f.headline = absl::StrCat("revision B differs from A: ", v.Text(names), " -- ", klass);
  f.comments.insert(f.comments.begin(), "class: " + key);
  f.replay_flags = "--engines=kernel,kernel_b,oracle";
  ReportFinding(f);
  if (st.abort_on_any || !explained) std::abort();
}

}  // namespace

// fuzz/scenario_target.h: one scenario judged.
void CheckScenario(const Scenario& s) {
  const Verdict v = JudgeAB(s);
  if (v) Report(s, v);
}

}  // namespace lockstep
