// replay: runs .scn scenarios on the engines asked for and prints one aligned row per op with
// every engine's result, marking the first disagreement and every failed `expect`.
//
//   bazel run //tools:replay -- corpus/connect_rule.scn
//   ./lockstep replay --engines=kernel,oracle corpus/*.scn
//
// Exit status: 0 when every file ran with engines agreeing, expects met and no engine finding;
// 1 otherwise; 2 for a file that cannot be read or parsed (FILE:LINE:COL: message).

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/kernel_engine.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

ABSL_FLAG(std::vector<std::string>, engines, std::vector<std::string>({"kernel", "oracle"}),
          "engines to run, in column order: kernel, oracle");
ABSL_FLAG(std::string, profile, "",
          "oracle profile (a kernel version such as 6.12.107); default: the kernel tree's version");
ABSL_FLAG(bool, quiet, false, "print only files that fail, and the summary");

namespace lockstep {
namespace {

struct Column {
  std::string name;
  std::unique_ptr<Engine> engine;
};

// Each op as one line of .scn text, without its expect (shown in its own column).
std::vector<std::string> OpLines(const Scenario& s) {
  Scenario bare = s;
  for (Op& op : bare.ops) op.expect.reset();
  bare.task = TaskSpec{};  // no `task` line
  std::vector<std::string> lines = absl::StrSplit(PrintScn(bare), '\n', absl::SkipEmpty());
  lines.resize(s.ops.size());
  return lines;
}

std::string ResolvePath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");  // set by `bazel run`
  if (cwd == nullptr || path.empty() || path[0] == '/') return path;
  return std::string(cwd) + "/" + path;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(ResolvePath(path), std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Returns 0 (all good), 1 (divergence, failed expect or finding) or 2 (unreadable).
int ReplayFile(const std::string& path, std::vector<Column>& columns, bool quiet) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    std::fprintf(stderr, "replay: %s\n", std::string(text.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<Scenario> parsed = ParseScn(*text, path);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", std::string(parsed.status().message()).c_str());
    return 2;
  }
  const Scenario& s = *parsed;
  std::vector<RunResult> results;
  for (Column& c : columns) results.push_back(RunScenario(*c.engine, s));

  int first_divergence = -1;
  for (size_t c = 1; c < results.size(); ++c) {
    const int d = FirstDivergence(results[0], results[c]);
    if (d >= 0 && (first_divergence < 0 || d < first_divergence)) first_divergence = d;
  }
  int failed_expects = 0, expects = 0;
  bool findings = false;
  for (const RunResult& r : results) findings = findings || !r.findings.empty();

  const std::vector<std::string> lines = OpLines(s);
  size_t width = 2;
  for (const std::string& l : lines) width = l.size() > width ? l.size() : width;
  if (width > 60) width = 60;

  size_t cell = 15;  // wide enough for EPROTONOSUPPORT
  for (const Column& c : columns) cell = c.name.size() > cell ? c.name.size() : cell;
  std::string table = absl::StrFormat("  %-4s %-*s", "#", width, "op");
  for (const Column& c : columns) table += absl::StrFormat("  %-*s", cell, c.name);
  table += "  expect\n";
  for (size_t i = 0; i < s.ops.size(); ++i) {
    table += absl::StrFormat("  %-4d %-*s", i + 1, width, lines[i]);
    bool expect_failed = false;
    for (const RunResult& r : results) {
      table += absl::StrFormat("  %-*s", cell, r.outcomes[i].ToString());
      if (s.ops[i].expect && *s.ops[i].expect != r.outcomes[i]) expect_failed = true;
    }
    if (s.ops[i].expect) {
      ++expects;
      table += "  " + s.ops[i].expect->ToString();
    }
    if (static_cast<int>(i) == first_divergence) table += "   << engines disagree";
    if (expect_failed) {
      ++failed_expects;
      table += "   << expect failed";
    }
    table += "\n";
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    for (const EngineFinding& f : results[c].findings) {
      table += absl::StrFormat("  FINDING %s %s: %s\n", columns[c].name, f.kind, f.detail);
    }
  }
  const bool ok = first_divergence < 0 && failed_expects == 0 && !findings;
  if (!quiet || !ok) {
    std::printf("%s\n%s", path.c_str(), table.c_str());
    std::printf("  %s: %zu ops, %s, %d/%d expects met%s\n\n", ok ? "ok" : "FAILED", s.ops.size(),
                first_divergence < 0 ? "engines agree"
                                     : absl::StrFormat("first disagreement at op %d",
                                                       first_divergence + 1).c_str(),
                expects - failed_expects, expects, findings ? ", engine findings" : "");
  }
  return ok ? 0 : 1;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "replay FILE.scn...: run scenarios on the kernel engine and the oracle, one row per op");
  std::vector<char*> files = absl::ParseCommandLine(argc, argv);
  files.erase(files.begin());
  if (files.empty()) {
    std::fprintf(stderr, "replay: name at least one .scn file (see --help)\n");
    return 2;
  }

  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  std::string version = absl::GetFlag(FLAGS_profile);
  if (version.empty()) version = kernel->Version();
  std::vector<Column> columns;
  for (const std::string& name : absl::GetFlag(FLAGS_engines)) {
    if (name == "kernel") {
      columns.push_back({kernel->Name(), nullptr});
      columns.back().engine = NewDefaultKernelEngine();
    } else if (name == "oracle") {
      absl::StatusOr<Profile> profile = LookupProfile(version);
      if (!profile.ok()) {
        std::fprintf(stderr, "replay: %s\n", std::string(profile.status().message()).c_str());
        return 2;
      }
      columns.push_back({"oracle-" + profile->version, std::make_unique<OracleEngine>(*profile)});
    } else {
      std::fprintf(stderr, "replay: unknown engine '%s' (known: kernel, oracle)\n", name.c_str());
      return 2;
    }
  }
  int worst = 0, failed = 0;
  for (const char* file : files) {
    const int rc = ReplayFile(file, columns, absl::GetFlag(FLAGS_quiet));
    if (rc != 0) ++failed;
    if (rc > worst) worst = rc;
  }
  std::printf("replay: %zu files, %zu passed, %d failed (engines: %s)\n", files.size(),
              files.size() - failed, failed,
              absl::StrJoin(columns, ", ", [](std::string* out, const Column& c) {
                out->append(c.name);
              }).c_str());
  return worst;
}

}  // namespace
}  // namespace lockstep

int main(int argc, char** argv) { return lockstep::Main(argc, argv); }
