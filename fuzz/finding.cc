#include "fuzz/finding.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "scenario/binary.h"
#include "scenario/report.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

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

}  // namespace

uint64_t Fnv1a64(const uint8_t* data, size_t size, uint64_t seed) {
  uint64_t h = seed;
  for (size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string FindingText(const Finding& f, const std::string& path) {
  Scenario annotated = f.scenario;
  const RunResult& exp = f.results[f.expect_column];
  for (size_t i = 0; i < annotated.ops.size() && i < exp.outcomes.size(); ++i) {
    annotated.ops[i].expect = exp.outcomes[i];
  }
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
    }
    absl::StrAppend(&text, line, "\n");
  }
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
