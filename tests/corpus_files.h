// The corpus/*.scn cases as tests see them through Bazel's runfiles.

#ifndef LOCKSTEP_TESTS_CORPUS_FILES_H_
#define LOCKSTEP_TESTS_CORPUS_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scenario/scenario.h"

namespace lockstep {

// The corpus directory in the test's runfiles (or ./corpus outside Bazel).
std::string CorpusDir();

// The names of the .scn files in it ("connect_rule.scn", ...), sorted.
std::vector<std::string> CorpusFiles();

// Reads and parses one of them; errors name the file as corpus/NAME.
absl::StatusOr<Scenario> LoadCorpusCase(const std::string& name);

}  // namespace lockstep

#endif  // LOCKSTEP_TESTS_CORPUS_FILES_H_
