#include "model/explain.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/oracle_engine.h"

namespace lockstep {
namespace {

// The class of a difference at op `i`: op kind and both outcomes, "sendto EACCES -> 0".
std::string ClassAt(const Scenario& s, const RunResult& a, const RunResult& b, int i) {
  const size_t k = static_cast<size_t>(i);
  return absl::StrCat(OpKindName(s.ops[k].kind), " ", a.outcomes[k].ToString(), " -> ",
                      b.outcomes[k].ToString());
}

}  // namespace

std::string Explanation::ToString() const {
  if (!explained) {
    if (closest.empty()) return "new, unexplained";
    return absl::StrCat("new, unexplained (closest switch: ", closest, ", agrees on ", agreeing,
                        " of ", checked, ")");
  }
  std::string out = absl::StrCat("explained: ", switch_name, " (", change, "; checked on ",
                                 checked, " scenarios");
  if (other_class > 0) absl::StrAppend(&out, ", ", other_class, " first differing in another class");
  return out + ")";
}

std::vector<Scenario> ScenarioSource::Generate() const {
  std::vector<Scenario> out;
  for (int i = 0; i < max_tries && static_cast<int>(out.size()) < count; ++i) {
    // One generator per scenario, seeded by its index, as the tests do: scenario i is the same
    // whatever `accept` rejected before it.
    ScenarioGenerator gen(seed + static_cast<uint64_t>(i), options);
    Scenario s = gen.Next(8 + i % 16);
    if (!accept || accept(s)) out.push_back(std::move(s));
  }
  return out;
}

Explainer::Explainer(ScenarioRunner b, Profile a, std::optional<Profile> b_profile,
                     ScenarioSource source)
    : b_(std::move(b)),
      a_(std::move(a)),
      b_profile_(std::move(b_profile)),
      source_(std::move(source)) {}

Explainer::Explainer(Engine& b, Profile a, std::optional<Profile> b_profile,
                     ScenarioSource source)
    : Explainer([&b](const Scenario& s) { return RunScenario(b, s); }, std::move(a),
                std::move(b_profile), std::move(source)) {}

Explainer::Checked Explainer::Check(std::string name, std::string change, Profile profile) const {
  Checked v{std::move(name), std::move(change), std::move(profile), {}};
  OracleEngine oracle(v.profile);
  v.differences.reserve(checks_.size());
  for (size_t j = 0; j < checks_.size(); ++j) {
    const RunResult r = RunScenario(oracle, checks_[j]);
    const int d = FirstDivergence(r, b_results_[j]);
    if (d < 0) {
      v.differences.emplace_back();
      continue;
    }
    // Untouched by the switch: A's oracle gives there what the variant gives.
    const bool untouched = OpAgrees(a_results_[j], r, static_cast<size_t>(d));
    v.differences.push_back(untouched ? ClassAt(checks_[j], r, b_results_[j], d) : kTouched);
  }
  return v;
}

std::pair<int, int> Explainer::Agreeing(const Checked& v, const std::string& klass) const {
  int agreeing = 0, other_class = 0;
  for (const std::string& d : v.differences) {
    if (d.empty()) {
      ++agreeing;
    } else if (d != kTouched && d != klass) {
      ++agreeing;
      ++other_class;
    }
  }
  return {agreeing, other_class};
}

void Explainer::CheckOnce() {
  if (checked_) return;
  checked_ = true;
  const auto start = std::chrono::steady_clock::now();
  checks_ = source_.Generate();
  OracleEngine a(a_);
  for (const Scenario& s : checks_) {
    b_results_.push_back(b_(s));
    a_results_.push_back(RunScenario(a, s));
  }
  for (SwitchVariant& v : FlippedSwitches(a_)) {
    variants_.push_back(Check(std::move(v.name), std::move(v.change), std::move(v.profile)));
  }
  single_switches_ = variants_.size();
  if (b_profile_) {
    std::vector<const SwitchDef*> differing;
    for (const SwitchDef& sw : Switches()) {
      if (sw.get(a_) != sw.get(*b_profile_)) differing.push_back(&sw);
    }
    for (size_t i = 0; i < differing.size(); ++i) {
      for (size_t j = i + 1; j < differing.size(); ++j) {
        const SwitchDef& x = *differing[i];
        const SwitchDef& y = *differing[j];
        Profile p = a_;
        x.set(p, x.get(*b_profile_));
        y.set(p, y.get(*b_profile_));
        variants_.push_back(Check(absl::StrCat(x.name, " + ", y.name),
                                  absl::StrCat(x.change, "; and ", y.change), std::move(p)));
      }
    }
  }
  if (b_profile_) {
    variants_.push_back(
        Check("profile " + b_profile_->name, "several switches at once", *b_profile_));
  }
  check_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Explanation Explainer::Explain(const Scenario& c) {
  CheckOnce();
  const RunResult rb = b_(c);
  OracleEngine a(a_);
  const RunResult ra = RunScenario(a, c);
  const int d = FirstDivergence(ra, rb);
  const std::string klass = d >= 0 ? ClassAt(c, ra, rb, d) : "";

  Explanation e;
  e.checked = Generated() + 1;
  const Checked* closest = nullptr;
  bool closest_on_c = false;
  for (size_t i = 0; i < variants_.size(); ++i) {
    const Checked& v = variants_[i];
    OracleEngine oracle(v.profile);
    const bool on_c = FirstDivergence(RunScenario(oracle, c), rb) < 0;
    auto [agreeing, other_class] = Agreeing(v, klass);
    agreeing += on_c ? 1 : 0;
    if (agreeing == e.checked) {
      e.explained = true;
      e.switch_name = v.name;
      e.change = v.change;
      e.agreeing = agreeing;
      e.other_class = other_class;
      e.closest.clear();
      return e;
    }
    // B's profile is no switch: it takes no part in "closest switch". A variant that reproduces
    // the case comes first (it is the one a single case would have named); else a switch that
    // changes next to nothing would always be "closest".
    const bool closer = closest == nullptr || (on_c && !closest_on_c) ||
                        (on_c == closest_on_c && agreeing > e.agreeing);
    if (i < single_switches_ && closer) {
      closest = &v;
      closest_on_c = on_c;
      e.agreeing = agreeing;
      e.other_class = other_class;
      e.closest = v.name;
    }
  }
  return e;
}

std::string Explainer::Summary() {
  CheckOnce();
  std::string out = absl::StrCat(Generated(), " generated scenarios checked in ",
                                 absl::StrFormat("%.2f s", check_seconds_), "; agreeing with B:");
  for (const Checked& v : variants_) {
    const auto [agreeing, other_class] = Agreeing(v, "");
    absl::StrAppend(&out, " ", v.name, " ", agreeing - other_class);
  }
  return out;
}

}  // namespace lockstep
