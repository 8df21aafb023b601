#include "scenario/fs_ops.h"

namespace lockstep {
namespace fs {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsValidPath(std::string_view path) {
  if (path == ".") return true;
  if (path.empty() || path.size() > kMaxPathBytes || path == "expect") return false;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view name = path.substr(start, end - start);
    if (name.empty() || name.size() > kMaxNameBytes || name == "." || name == "..") return false;
    for (char c : name) {
      if (!IsNameChar(c)) return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string SafePath(std::string_view path) {
  if (IsValidPath(path)) return std::string(path);
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string name(path.substr(start, slash - start));
    start = slash + 1;
    if (name.empty() || name == "." || name == "..") continue;
    if (name.size() > kMaxNameBytes) name.resize(kMaxNameBytes);
    for (char& c : name) {
      if (!IsNameChar(c)) c = '_';
    }
    const size_t grown = out.size() + (out.empty() ? 0 : 1) + name.size();
    if (grown > kMaxPathBytes) break;
    if (!out.empty()) out += '/';
    out += name;
  }
  if (out.empty()) return ".";
  if (out == "expect") return "expect_";
  return out;
}

}  // namespace fs
}  // namespace lockstep
