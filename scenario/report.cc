#include "scenario/report.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "scenario/scn.h"

namespace lockstep {

std::vector<std::string> OpLines(const Scenario& s) {
  Scenario bare = s;
  for (Op& op : bare.ops) {
    op.expect.reset();
    op.expect_overrides.clear();
  }
  bare.task = TaskSpec{};  // no `task` line
  std::vector<std::string> lines = absl::StrSplit(PrintScn(bare), '\n', absl::SkipEmpty());
  lines.resize(s.ops.size());
  return lines;
}

RunComparison CompareRuns(const Scenario& s, const std::vector<std::string>& names,
                          const std::vector<RunResult>& results,
                          const std::vector<const Profile*>& profiles) {
  const auto cell_text = [&](const RunResult& r, size_t i) -> std::string {
    if (i >= r.outcomes.size()) return "-";
    std::string t = r.outcomes[i].ToString();
    if (i < r.stack_alone.size() && r.stack_alone[i] && *r.stack_alone[i] != r.outcomes[i]) {
      t += " (stack " + r.stack_alone[i]->ToString() + ")";
    }
    return t;
  };
  RunComparison cmp;
  for (size_t c = 1; c < results.size(); ++c) {
    const int d = FirstDivergence(results[0], results[c]);
    if (d >= 0 && (cmp.first_divergence < 0 || d < cmp.first_divergence)) cmp.first_divergence = d;
  }
  for (const RunResult& r : results) cmp.findings = cmp.findings || !r.findings.empty();

  const std::vector<std::string> lines = OpLines(s);
  size_t width = 2;
  for (const std::string& l : lines) width = l.size() > width ? l.size() : width;
  if (width > 60) width = 60;
  size_t cell = 15;  // wide enough for EPROTONOSUPPORT
  for (const std::string& n : names) cell = n.size() > cell ? n.size() : cell;
  for (const RunResult& r : results) {
    for (size_t i = 0; i < s.ops.size(); ++i) cell = std::max(cell, cell_text(r, i).size());
  }

  std::string& table = cmp.table;
  table = absl::StrFormat("  %-4s %-*s", "#", width, "op");
  for (const std::string& n : names) table += absl::StrFormat("  %-*s", cell, n);
  table += "  expect\n";
  for (size_t i = 0; i < s.ops.size(); ++i) {
    table += absl::StrFormat("  %-4d %-*s", i + 1, width, lines[i]);
    bool expect_failed = false;
    bool expect_unchecked = false;
    bool has_expect = s.ops[i].expect.has_value() || !s.ops[i].expect_overrides.empty();
    for (size_t c = 0; c < results.size(); ++c) {
      const RunResult& r = results[c];
      table += absl::StrFormat("  %-*s", cell, cell_text(r, i));
      const ExpectChoice choice = ExpectFor(s.ops[i], c < profiles.size() ? profiles[c] : nullptr);
      const std::optional<Outcome>& expect = choice.outcome;
      expect_unchecked = expect_unchecked || !choice.undetermined.empty();
      const std::optional<Outcome> stack =
          i < r.stack_alone.size() ? r.stack_alone[i] : std::nullopt;
      if (expect && (i >= r.outcomes.size() ||
                     !OutcomesAgree(*expect, std::nullopt, r.outcomes[i], stack))) {
        expect_failed = true;
      }
    }
    if (has_expect) {
      ++cmp.expects;
      table += "  " + (s.ops[i].expect ? s.ops[i].expect->ToString() : std::string("-"));
      for (const Op::ExpectOverride& o : s.ops[i].expect_overrides) {
        table += " [" + ExpectConditionsText(o.when) + "] " + o.outcome.ToString();
      }
    }
    if (expect_unchecked) ++cmp.unchecked_expects;
    if (static_cast<int>(i) == cmp.first_divergence) table += "   << engines disagree";
    if (expect_failed) {
      ++cmp.failed_expects;
      table += "   << expect failed";
    }
    table += "\n";
  }
  for (size_t c = 0; c < results.size() && c < names.size(); ++c) {
    for (const EngineFinding& f : results[c].findings) {
      table += absl::StrFormat("  FINDING %s %s: %s\n", names[c], f.kind, f.detail);
    }
  }
  return cmp;
}

std::string RunComparison::Summary(size_t num_ops) const {
  return absl::StrFormat(
      "%s: %zu ops, %s, %d/%d expects met%s%s", ok() ? "ok" : "FAILED", num_ops,
      first_divergence < 0 ? std::string("engines agree")
                           : absl::StrFormat("first disagreement at op %d", first_divergence + 1),
      expects - failed_expects - unchecked_expects, expects,
      unchecked_expects > 0
          ? absl::StrFormat(", %d not checked (undetermined switch)", unchecked_expects)
          : std::string(),
      findings ? ", engine findings" : "");
}

}  // namespace lockstep
