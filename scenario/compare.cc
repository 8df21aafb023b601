#include "scenario/compare.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "scenario/binary.h"
#include "scenario/minimize.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

const char* OpName(const Scenario& s, int op) {
  return op >= 0 && static_cast<size_t>(op) < s.ops.size() ? OpKindName(s.ops[op].kind) : "?";
}

std::string ColumnName(const std::vector<std::string>& names, size_t c) {
  return c < names.size() ? names[c] : absl::StrCat("column ", c + 1);
}

// mkdir -p.
bool MakeDirs(const std::string& dir) {
  if (dir.empty()) return true;
  std::string sofar;
  for (absl::string_view part : absl::StrSplit(dir, '/')) {
    sofar += std::string(part) + "/";
    if (part.empty() || part == ".") continue;
    if (mkdir(sofar.c_str(), 0777) != 0 && errno != EEXIST) return false;
  }
  return true;
}

// The denial logs of op `i` (i == n: task exit), one line per column, when some column's
// records there are not empty; a column that logs differently from the first is marked.
// Whether some column wrote records at op `i` (i == n: task exit).
bool AnyColumnLogged(const std::vector<RunResult>& results, size_t i) {
  for (const RunResult& r : results) {
    if (i < r.logs.size() && !r.logs[i].records.empty()) return true;
  }
  return false;
}

std::string LogLines(const std::vector<std::string>& names, const std::vector<RunResult>& results,
                     size_t i, size_t n, const std::string& indent) {
  if (!AnyColumnLogged(results, i)) return "";
  std::string lines;
  for (size_t c = 0; c < results.size(); ++c) {
    absl::StrAppend(&lines, indent, "log ", ColumnName(names, c), ": ", LogText(results[c], i));
    if (c > 0 && !LogsAgree(results[0], results[c], i, i == n)) lines += "   << logs differ";
    lines += "\n";
  }
  return lines;
}

// " [CONDITIONS]" of a conditional log expectation, "" for an unconditional one.
std::string WhenText(const std::vector<Op::ExpectCondition>& when) {
  return when.empty() ? "" : " [" + ExpectConditionsText(when) + "]";
}

// Whether a log expectation at op `i` (task exit: the number of ops) can be checked, over the
// columns it applies to (their revision writes logs and their profile meets its `log[...]`
// conditions): kCheckable, one of them knows its logs there; kNotApplicable, it applies to none
// (like an expect[...] whose condition does not hold, it is not an expectation there);
// kUnknown, none of them knows its logs there (not checked, and counted so).
enum class LogCheck { kCheckable, kNotApplicable, kUnknown };
LogCheck LogCheckable(const std::vector<RunResult>& results,
                      const std::vector<const Profile*>& profiles, size_t i,
                      const std::vector<Op::ExpectCondition>& when) {
  bool applicable = false;
  for (size_t c = 0; c < results.size(); ++c) {
    const Profile* p = c < profiles.size() ? profiles[c] : nullptr;
    if (!LogExpectApplies(when, p)) continue;
    applicable = true;
    if (i < results[c].logs.size() && results[c].logs[i].known) return LogCheck::kCheckable;
  }
  return applicable ? LogCheck::kUnknown : LogCheck::kNotApplicable;
}

}  // namespace

// ---- Judging ------------------------------------------------------------------------------------

const char* VerdictKindName(Verdict::Kind kind) {
  switch (kind) {
    case Verdict::Kind::kNone:
      return "no finding";
    case Verdict::Kind::kDisagreement:
      return "disagreement";
    case Verdict::Kind::kLogDisagreement:
      return "log disagreement";
    case Verdict::Kind::kFailedExpect:
      return "failed expect";
    case Verdict::Kind::kEngineFinding:
      return "engine finding";
  }
  return "?";
}

std::string Verdict::Text(const std::vector<std::string>& names) const {
  switch (kind) {
    case Kind::kNone:
      return "no finding";
    case Kind::kDisagreement:
      return absl::StrCat(ColumnName(names, columns[0]), " and ", ColumnName(names, columns[1]),
                          " disagree at op ", op + 1, ": ", what);
    case Kind::kLogDisagreement:
      return absl::StrCat(ColumnName(names, columns[0]), " and ", ColumnName(names, columns[1]),
                          " log differently at ",
                          outcomes.size() > 2 ? outcomes[2] : absl::StrCat("op ", op + 1), ": ",
                          what);
    case Kind::kFailedExpect:
      return absl::StrCat(ColumnName(names, columns[0]), " does not meet the expect of ",
                          absl::StartsWith(what, "exit log") ? std::string("task exit")
                                                             : absl::StrCat("op ", op + 1),
                          ": ", what);
    case Kind::kEngineFinding:
      return absl::StrCat(ColumnName(names, columns[0]), " noticed ", outcomes.size(),
                          " problem(s): ", outcomes[0]);
  }
  return "?";
}

std::string OutcomeText(const RunResult& r, size_t i) {
  if (i >= r.outcomes.size()) return "-";
  std::string t = r.outcomes[i].ToString();
  if (i < r.stack_alone.size() && r.stack_alone[i] && *r.stack_alone[i] != r.outcomes[i]) {
    t += " (stack " + r.stack_alone[i]->ToString() + ")";
  }
  return t;
}

std::string LogText(const RunResult& r, size_t i) {
  if (i >= r.logs.size() || !r.logs[i].known) return "not known";
  return LogRecordsText(r.logs[i].records);
}

Verdict Judge(const Scenario& s, const std::vector<RunResult>& results,
              const std::vector<const Profile*>& profiles, const ColumnPairs& pairs) {
  Verdict v;
  // 1. The earliest disagreement of a compared pair (no pairs given: column 0 with each other).
  const auto compare = [&](size_t a, size_t b) {
    const int d = FirstDivergence(results[a], results[b]);
    if (d < 0 || (v && d >= v.op)) return;
    v.kind = Verdict::Kind::kDisagreement;
    v.op = d;
    v.columns = {a, b};
    v.outcomes = {OutcomeText(results[a], d), OutcomeText(results[b], d)};
    v.what = absl::StrCat(OpName(s, d), " ", v.outcomes[0], " -> ", v.outcomes[1]);
  };
  if (pairs.empty()) {
    for (size_t c = 1; c < results.size(); ++c) compare(0, c);
  } else {
    for (const auto& [a, b] : pairs) compare(a, b);
  }
  if (v) return v;
  // 1b. The earliest log disagreement of a compared pair (task exit last).
  const size_t n = s.ops.size();
  const auto compare_logs = [&](size_t a, size_t b) {
    // A revision that writes no denial logs (before ABI 7) has none to compare.
    for (size_t c : {a, b}) {
      const Profile* p = c < profiles.size() ? profiles[c] : nullptr;
      if (p != nullptr && !WritesDenialLogs(*p)) return;
    }
    for (size_t i = 0; i <= n && (!v || static_cast<int>(i) < v.op); ++i) {
      if (LogsAgree(results[a], results[b], i, i == n)) continue;
      v.kind = Verdict::Kind::kLogDisagreement;
      v.op = static_cast<int>(i);
      v.columns = {a, b};
      const std::string where = i == n ? "task exit" : absl::StrCat("op ", i + 1);
      v.outcomes = {LogText(results[a], i), LogText(results[b], i), where};
      v.what = absl::StrCat(i == n ? "exit" : OpName(s, static_cast<int>(i)), " log ",
                            v.outcomes[0], " -> ", v.outcomes[1]);
      return;
    }
  };
  if (pairs.empty()) {
    for (size_t c = 1; c < results.size(); ++c) compare_logs(0, c);
  } else {
    for (const auto& [a, b] : pairs) compare_logs(a, b);
  }
  if (v) return v;
  // 2. The earliest failed expect, each column's for its own profile.
  for (size_t c = 0; c < results.size(); ++c) {
    const Profile* profile = c < profiles.size() ? profiles[c] : nullptr;
    const int e = FirstFailedExpect(s, results[c], profile);
    if (e < 0 || (v && e >= v.op)) continue;
    v.kind = Verdict::Kind::kFailedExpect;
    v.op = e;
    v.columns = {c};
    v.outcomes = {OutcomeText(results[c], e)};
    v.what = absl::StrCat(OpName(s, e), ": expect ",
                          ExpectFor(s.ops[e], profile).outcome->ToString(), ", got ",
                          v.outcomes[0]);
  }
  if (v) return v;
  // 2b. The earliest failed log expectation (`log` lines), each column's for its own profile.
  for (size_t c = 0; c < results.size(); ++c) {
    const Profile* profile = c < profiles.size() ? profiles[c] : nullptr;
    const int e = FirstFailedLogExpect(s, results[c], profile);
    if (e < 0 || (v && e >= v.op)) continue;
    const bool exit = static_cast<size_t>(e) == n;
    const std::optional<std::vector<LogRecord>>& want =
        exit ? s.expect_exit_log : s.ops[e].expect_log;
    v.kind = Verdict::Kind::kFailedExpect;
    v.op = e;
    v.columns = {c};
    v.outcomes = {LogText(results[c], e)};
    v.what = absl::StrCat(exit ? "exit" : OpName(s, e), " log: expect ", LogRecordsText(*want),
                          ", got ", v.outcomes[0]);
  }
  if (v) return v;
  // 3. The first column whose engine noticed something, or wrote a log record it could not read.
  for (size_t c = 0; c < results.size(); ++c) {
    std::vector<std::string> noticed;
    for (const EngineFinding& f : results[c].findings) {
      noticed.push_back(absl::StrCat(f.kind, ": ", f.detail));
    }
    for (size_t i = 0; i < results[c].logs.size(); ++i) {
      for (const LogRecord& r : results[c].logs[i].records) {
        if (r.type != LogRecord::Type::kUnparsed) continue;
        noticed.push_back(absl::StrCat("audit record at ", i < n ? absl::StrCat("op ", i + 1)
                                                                 : std::string("task exit"),
                                       ": ", r.object));
      }
    }
    if (noticed.empty()) continue;
    v.kind = Verdict::Kind::kEngineFinding;
    v.columns = {c};
    v.outcomes = std::move(noticed);
    v.what = results[c].findings.empty() ? "audit record" : results[c].findings[0].kind;
    return v;
  }
  return v;
}

Scenario MinimizeWhile(const Scenario& s, const Verdict& v,
                       const std::function<Verdict(const Scenario&)>& judge, int max_tries) {
  return MinimizeScenario(
      s, [&](const Scenario& candidate) { return v.SameClass(judge(candidate)); }, max_tries);
}

// ---- The side-by-side table ---------------------------------------------------------------------

std::vector<std::string> OpLines(const Scenario& s) {
  Scenario bare = s;
  for (Op& op : bare.ops) {
    op.expect.reset();
    op.expect_overrides.clear();
    op.expect_log.reset();
  }
  bare.expect_exit_log.reset();
  bare.task = TaskSpec{};  // no `task` line
  std::vector<std::string> lines = absl::StrSplit(PrintScn(bare), '\n', absl::SkipEmpty());
  lines.resize(s.ops.size());
  return lines;
}

RunComparison CompareRuns(const Scenario& s, const std::vector<std::string>& names,
                          const std::vector<RunResult>& results,
                          const std::vector<const Profile*>& profiles) {
  RunComparison cmp;
  cmp.verdict = Judge(s, results, profiles);
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
    for (size_t i = 0; i < s.ops.size(); ++i) cell = std::max(cell, OutcomeText(r, i).size());
  }

  std::string& table = cmp.table;
  table = absl::StrFormat("  %-4s %-*s", "#", width, "op");
  for (const std::string& n : names) table += absl::StrFormat("  %-*s", cell, n);
  table += "  expect\n";
  for (size_t i = 0; i < s.ops.size(); ++i) {
    table += absl::StrFormat("  %-4d %-*s", i + 1, width, lines[i]);
    bool expect_failed = false;
    bool expect_unchecked = false;
    const LogCheck log_check = s.ops[i].expect_log
                                   ? LogCheckable(results, profiles, i, s.ops[i].expect_log_when)
                                   : LogCheck::kNotApplicable;
    bool has_expect = s.ops[i].expect.has_value() || !s.ops[i].expect_overrides.empty() ||
                      log_check != LogCheck::kNotApplicable;
    for (size_t c = 0; c < results.size(); ++c) {
      const RunResult& r = results[c];
      table += absl::StrFormat("  %-*s", cell, OutcomeText(r, i));
      const ExpectChoice choice = ExpectFor(s.ops[i], c < profiles.size() ? profiles[c] : nullptr);
      const std::optional<Outcome>& expect = choice.outcome;
      expect_unchecked = expect_unchecked || !choice.undetermined.empty();
      const std::optional<Outcome> stack =
          i < r.stack_alone.size() ? r.stack_alone[i] : std::nullopt;
      if (expect && (i >= r.outcomes.size() ||
                     !OutcomesAgree(*expect, std::nullopt, r.outcomes[i], stack))) {
        expect_failed = true;
      }
      if (!LogExpectHolds(s, r, i, c < profiles.size() ? profiles[c] : nullptr)) {
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
    // A log expectation alone, where no column can check it (no column knows its logs here or
    // writes logs at all), is not checked, not met.
    if (!s.ops[i].expect.has_value() && s.ops[i].expect_overrides.empty() &&
        log_check == LogCheck::kUnknown) {
      expect_unchecked = true;
    }
    if (expect_unchecked) ++cmp.unchecked_expects;
    if (static_cast<int>(i) == cmp.first_divergence) table += "   << engines disagree";
    if (expect_failed) {
      ++cmp.failed_expects;
      table += "   << expect failed";
    }
    table += "\n";
    table += LogLines(names, results, i, s.ops.size(), "       ");
    if (s.ops[i].expect_log) {
      table += "       log expected" + WhenText(s.ops[i].expect_log_when) + ": " +
               LogRecordsText(*s.ops[i].expect_log) + "\n";
    }
  }
  table += LogLines(names, results, s.ops.size(), s.ops.size(), "  exit ");
  const LogCheck exit_check = s.expect_exit_log
                                 ? LogCheckable(results, profiles, s.ops.size(),
                                                s.expect_exit_log_when)
                                 : LogCheck::kNotApplicable;
  if (s.expect_exit_log && exit_check == LogCheck::kNotApplicable) {
    table += "  exit log expected" + WhenText(s.expect_exit_log_when) + ": " +
             LogRecordsText(*s.expect_exit_log) +
             "   (not an expectation for any engine here)\n";
  }
  if (exit_check != LogCheck::kNotApplicable) {
    ++cmp.expects;
    bool failed = false;
    for (size_t c = 0; c < results.size(); ++c) {
      failed = failed || !LogExpectHolds(s, results[c], s.ops.size(),
                                         c < profiles.size() ? profiles[c] : nullptr);
    }
    const bool checkable = exit_check == LogCheck::kCheckable;
    table += "  exit log expected" + WhenText(s.expect_exit_log_when) + ": " +
             LogRecordsText(*s.expect_exit_log) +
             (failed ? "   << expect failed" : checkable ? "" : "   (not checked)") + "\n";
    if (failed) ++cmp.failed_expects;
    if (!checkable) ++cmp.unchecked_expects;
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
          ? absl::StrFormat(", %d not checked (undetermined switch, or logs not known)", unchecked_expects)
          : std::string(),
      findings ? ", engine findings" : "");
}

// ---- Finding files ------------------------------------------------------------------------------

uint64_t Fnv1a64(const uint8_t* data, size_t size, uint64_t seed) {
  uint64_t h = seed;
  for (size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

Finding MakeFinding(const std::string& fuzzer, const Verdict& v, size_t input_ops,
                    const Scenario& minimized, const std::vector<std::string>& names,
                    const std::vector<RunResult>& results) {
  Finding f;
  f.fuzzer = fuzzer;
  f.headline = v.Text(names);
  f.scenario = minimized;
  f.names = names;
  f.results = results;
  f.expect_column = 0;
  f.comments.push_back(
      absl::StrCat("minimized from ", input_ops, " to ", minimized.ops.size(), " ops"));
  return f;
}

std::string FindingText(const Finding& f, const std::string& path) {
  Scenario annotated = f.scenario;
  const RunResult& exp = f.results[f.expect_column];
  for (size_t i = 0; i < annotated.ops.size() && i < exp.outcomes.size(); ++i) {
    annotated.ops[i].expect = exp.outcomes[i];
  }
  // Log expectations: the expect column's records, written below as `log` lines where some
  // column logged something (printed by hand so each op keeps one line here).
  for (Op& op : annotated.ops) op.expect_log.reset();
  annotated.expect_exit_log.reset();
  const auto log_lines = [&](size_t i, const std::string& prefix) {
    if (!AnyColumnLogged(f.results, i) || i >= exp.logs.size() || !exp.logs[i].known) {
      return std::string();
    }
    if (exp.logs[i].records.empty()) return prefix + "none\n";
    std::string out;
    for (const LogRecord& r : exp.logs[i].records) out += prefix + r.ToString() + "\n";
    return out;
  };
  std::string text = absl::StrCat("# lockstep finding (", f.fuzzer, "): ", f.headline, "\n");
  absl::StrAppend(&text, "# replay: ./lockstep replay ",
                  f.replay_flags.empty() ? "" : f.replay_flags + " ", path, "\n");
  for (const std::string& c : f.comments) absl::StrAppend(&text, "# ", c, "\n");
  absl::StrAppend(&text, "# expects are ", f.names[f.expect_column],
                  "'s outcomes; each op's trailing comment has every engine's.\n");
  for (size_t c = 0; c < f.results.size(); ++c) {
    for (const EngineFinding& e : f.results[c].findings) {
      absl::StrAppend(&text, "# FINDING ", f.names[c], " ", e.kind, ": ", e.detail, "\n");
    }
  }
  // PrintScn prints an optional task line, then one line per op.
  std::vector<std::string> lines =
      absl::StrSplit(PrintScn(annotated), '\n', absl::SkipEmpty());
  const size_t n = annotated.ops.size();
  const size_t first_op = lines.size() >= n ? lines.size() - n : 0;
  for (size_t l = 0; l < lines.size(); ++l) {
    std::string line = lines[l];
    if (l >= first_op && lines.size() >= n) {
      const size_t i = l - first_op;
      std::string outcomes;
      for (size_t c = 0; c < f.results.size(); ++c) {
        absl::StrAppend(&outcomes, c ? "  " : "", f.names[c], "=",
                        i < f.results[c].outcomes.size() ? f.results[c].outcomes[i].ToString()
                                                         : "-");
      }
      line = absl::StrFormat("%-60s  # %d: %s", line, i + 1, outcomes);
      absl::StrAppend(&text, line, "\n", LogLines(f.names, f.results, i, n, "#   "),
                      log_lines(i, "log "));
      continue;
    }
    absl::StrAppend(&text, line, "\n");
  }
  absl::StrAppend(&text, LogLines(f.names, f.results, n, n, "#   exit "),
                  log_lines(n, "log exit "));
  return text;
}

std::string ReportFinding(const Finding& f) {
  const char* env = std::getenv("LOCKSTEP_FINDINGS_DIR");
  std::string dir = env != nullptr && env[0] != '\0' ? env : "findings";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::vector<uint8_t> bytes = EncodeScenario(f.scenario);
  uint64_t h = Fnv1a64(bytes.data(), bytes.size());
  h = Fnv1a64(reinterpret_cast<const uint8_t*>(f.replay_flags.data()), f.replay_flags.size(), h);
  const std::string path = absl::StrFormat("%s/%016x.scn", dir, h);
  const std::string text = FindingText(f, path);

  std::string written;
  if (MakeDirs(dir)) {
    const std::string tmp = absl::StrFormat("%s.tmp.%d", path, static_cast<int>(getpid()));
    if (FILE* out = std::fopen(tmp.c_str(), "w")) {
      const bool ok = std::fwrite(text.data(), 1, text.size(), out) == text.size();
      if (std::fclose(out) == 0 && ok && std::rename(tmp.c_str(), path.c_str()) == 0) {
        written = path;
      }
    }
    if (written.empty()) std::remove(tmp.c_str());
  }

  const RunComparison cmp = CompareRuns(f.scenario, f.names, f.results);
  std::fprintf(stderr, "\n==== lockstep finding (%s): %s\n%s  %s\n", f.fuzzer.c_str(),
               f.headline.c_str(), cmp.table.c_str(), cmp.Summary(f.scenario.ops.size()).c_str());
  if (written.empty()) {
    std::fprintf(stderr, "lockstep: could not write %s; the case:\n%s", path.c_str(),
                 text.c_str());
  } else {
    std::fprintf(stderr, "lockstep finding written: %s\nreplay: ./lockstep replay %s%s\n",
                 written.c_str(), f.replay_flags.empty() ? "" : (f.replay_flags + " ").c_str(),
                 written.c_str());
  }
  std::fflush(stderr);
  return written;
}

}  // namespace lockstep
