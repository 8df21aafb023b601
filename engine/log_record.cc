#include "engine/log_record.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string_view>

namespace lockstep {
namespace {

constexpr int kAuditLandlockAccess = 1423;
constexpr int kAuditLandlockDomain = 1424;

LogRecord Unparsed(const std::string& why, const std::string& text) {
  LogRecord r;
  r.type = LogRecord::Type::kUnparsed;
  r.object = why + ": \"" + text + "\"";
  return r;
}

// Splits "k=v k=v ..." on spaces (audit.c's values here never contain spaces: strings with one
// are written in hex).
std::vector<std::pair<std::string, std::string>> Fields(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> fields;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(' ', at);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(at, end - at);
    if (!word.empty()) {
      const size_t eq = word.find('=');
      if (eq == std::string::npos) {
        fields.emplace_back(word, std::string());
      } else {
        fields.emplace_back(word.substr(0, eq), word.substr(eq + 1));
      }
    }
    at = end + 1;
  }
  return fields;
}

bool ParseU64(const std::string& s, int base, uint64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtoull(s.c_str(), &end, base);
  return end != nullptr && *end == '\0';
}

}  // namespace

std::string LogRecord::ToString() const {
  const std::string dom =
      "domain=" + (domain < 0 ? std::string("?") : domain == 0 ? "*" : std::to_string(domain));
  switch (type) {
    case Type::kAccess:
      return "access " + dom + " blockers=" + blockers + (object.empty() ? "" : " " + object);
    case Type::kDomainAllocated:
      return dom + " allocated";
    case Type::kDomainDeallocated:
      return dom + " deallocated denials=" + std::to_string(denials);
    case Type::kUnparsed:
      return "unparsed: " + object;
  }
  return "?";
}

bool RecordsMatch(const LogRecord& a, const LogRecord& b) {
  if (a.domain != 0 && b.domain != 0) return a == b;
  LogRecord a_any = a;
  a_any.domain = b.domain;
  return a_any == b;
}

std::string AuditUntrustedString(const std::string& s) {
  bool hex = false;
  for (unsigned char c : s) hex = hex || c == '"' || c < 0x21 || c > 0x7e;
  if (!hex) return "\"" + s + "\"";
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

bool ReadAuditUntrustedString(const std::string& field, std::string* out) {
  if (field.size() >= 2 && field.front() == '"' && field.back() == '"') {
    *out = field.substr(1, field.size() - 2);
    return true;
  }
  if (field.empty() || field.size() % 2 != 0) return false;
  const auto digit = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  };
  out->clear();
  for (size_t i = 0; i < field.size(); i += 2) {
    const int hi = digit(field[i]), lo = digit(field[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

std::string LogRecordsText(const std::vector<LogRecord>& records) {
  if (records.empty()) return "none";
  std::string text;
  for (const LogRecord& r : records) text += (text.empty() ? "" : "; ") + r.ToString();
  return text;
}

std::string CanonicalAddress(int family, const uint8_t* bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, bytes, buf, sizeof(buf)) == nullptr) {
    return "?";
  }
  return buf;
}

LogRecord ParseAuditRecord(int type, const std::string& text,
                           const std::map<uint64_t, int>& domains,
                           const std::map<int64_t, int>* pids) {
  const auto fields = Fields(text);
  if (fields.empty() || fields[0].first != "domain") return Unparsed("no domain field", text);
  uint64_t id = 0;
  if (!ParseU64(fields[0].second, 16, &id)) return Unparsed("domain id not hex", text);
  LogRecord r;
  const auto it = domains.find(id);
  r.domain = it == domains.end() ? -1 : it->second;

  if (type == kAuditLandlockAccess) {
    if (fields.size() < 2 || fields[1].first != "blockers" || fields[1].second.empty()) {
      return Unparsed("access record without blockers", text);
    }
    r.type = LogRecord::Type::kAccess;
    r.blockers = fields[1].second;
    for (size_t i = 2; i < fields.size(); ++i) {
      const auto& [key, value] = fields[i];
      // The inode's device and number are the engine's own (each models its filesystem): the
      // path names the object.
      if (key == "dev" || key == "ino") continue;
      if (key == "laddr" || key == "lport" || key == "faddr" || key == "fport") continue;
      if (key == "ocomm") continue;
      std::string v = value;
      if (key == "opid" && pids != nullptr) {
        uint64_t pid = 0;
        const auto task = ParseU64(value, 10, &pid) ? pids->find(static_cast<int64_t>(pid))
                                                    : pids->end();
        v = task == pids->end() ? "?" : std::to_string(task->second);
      }
      if (key == "saddr" || key == "daddr") {
        uint8_t bytes[16];
        const int family = value.find(':') != std::string::npos ? AF_INET6 : AF_INET;
        if (inet_pton(family, value.c_str(), bytes) != 1) {
          return Unparsed("address not readable: " + key, text);
        }
        v = CanonicalAddress(family, bytes);
      }
      r.object += (r.object.empty() ? "" : " ") + key + "=" + v;
    }
    return r;
  }
  if (type == kAuditLandlockDomain) {
    if (fields.size() < 2 || fields[1].first != "status") {
      return Unparsed("domain record without status", text);
    }
    if (fields[1].second == "allocated") {
      // mode=enforcing pid= uid= exe= comm=: the machine's, not compared; the mode is the
      // one value Landlock has (a different one would be news).
      if (fields.size() < 3 || fields[2] != std::make_pair(std::string("mode"),
                                                           std::string("enforcing"))) {
        return Unparsed("allocated domain record without mode=enforcing", text);
      }
      r.type = LogRecord::Type::kDomainAllocated;
      return r;
    }
    if (fields[1].second == "deallocated") {
      if (fields.size() != 3 || fields[2].first != "denials" ||
          !ParseU64(fields[2].second, 10, &r.denials)) {
        return Unparsed("deallocated domain record without a denial count", text);
      }
      r.type = LogRecord::Type::kDomainDeallocated;
      return r;
    }
    return Unparsed("unknown domain status", text);
  }
  return Unparsed("unknown record type " + std::to_string(type), text);
}

}  // namespace lockstep
