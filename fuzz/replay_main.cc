// The main() a fuzz target links when no fuzzing engine is configured (the default gcc build):
// runs every file named on the command line, and every regular file of a directory named there,
// through LLVMFuzzerTestOneInput once. With no arguments it runs standard input. Arguments
// starting with '-' are ignored, so libFuzzer-style command lines work.
//
// A target that finds a problem aborts, so a non-zero exit (or a signal) means a finding; an
// unreadable file is exit status 2.

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool RunFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay_main: cannot read %s\n", path.c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  // A copy of exactly the input's size, so ASan sees reads past its end.
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(copy.empty() ? nullptr : copy.data(), copy.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  bool read_error = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (!arg.empty() && arg[0] == '-') continue;
    struct stat st;
    if (stat(arg.c_str(), &st) != 0) {
      std::fprintf(stderr, "replay_main: %s does not exist\n", arg.c_str());
      read_error = true;
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      files.push_back(arg);
      continue;
    }
    std::vector<std::string> in_dir;
    if (DIR* d = opendir(arg.c_str())) {
      while (struct dirent* e = readdir(d)) {
        const std::string p = arg + "/" + e->d_name;
        struct stat fst;
        if (stat(p.c_str(), &fst) == 0 && S_ISREG(fst.st_mode)) in_dir.push_back(p);
      }
      closedir(d);
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  if (argc < 2) {
    const std::vector<char> bytes((std::istreambuf_iterator<char>(std::cin.rdbuf())),
                                  std::istreambuf_iterator<char>());
    std::vector<uint8_t> copy(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(copy.empty() ? nullptr : copy.data(), copy.size());
    std::fprintf(stderr, "replay_main: ran standard input (%zu bytes)\n", copy.size());
    return 0;
  }
  size_t ran = 0;
  for (const std::string& f : files) {
    if (RunFile(f)) ++ran; else read_error = true;
  }
  std::fprintf(stderr, "replay_main: %zu inputs ran, none failed\n", ran);
  return read_error ? 2 : 0;
}
