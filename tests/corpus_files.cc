#include "tests/corpus_files.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "scenario/scn.h"

namespace lockstep {

std::string CorpusDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir && workspace) return std::string(srcdir) + "/" + workspace + "/corpus";
  return "corpus";
}

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> files;
  if (DIR* dir = opendir(CorpusDir().c_str())) {
    while (dirent* e = readdir(dir)) {
      const std::string name = e->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".scn") == 0) files.push_back(name);
    }
    closedir(dir);
  }
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<Scenario> LoadCorpusCase(const std::string& name) {
  std::ifstream in(CorpusDir() + "/" + name);
  if (!in) return absl::NotFoundError("cannot open corpus/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return ParseScn(text.str(), "corpus/" + name);
}

}  // namespace lockstep
