// Landlock's denial logs, written as the documentation states them (Documentation/admin-guide/
// LSM/landlock.rst, "Audit", and the uapi comments of LANDLOCK_RESTRICT_SELF_LOG_* and
// LANDLOCK_ADD_RULE_QUIET in include/uapi/linux/landlock.h):
//
// - A denied request is blamed on the youngest layer that denies it; that domain counts the
//   denial whether or not it is logged (the `denials` of its deallocation record).
// - It is logged (an access record: the domain, the blockers, the object) unless the domain
//   logs nothing (both LOG_SAME_EXEC_OFF and not LOG_NEW_EXEC_ON, or it was made after some
//   LOG_SUBDOMAINS_OFF of the task), unless the request comes from the same executable that
//   made the domain and LOG_SAME_EXEC_OFF is set (or from a new one and LOG_NEW_EXEC_ON is not),
//   and unless it is quieted: the object is marked quiet in that layer and every denied right is
//   in the layer's quiet_access_* mask.
// - The first logged denial of a domain is followed by the domain's "allocated" record; a
//   domain that was ever logged gets a "deallocated" record with its denial count when it goes
//   (here: at task exit, when the task's credentials go).

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "model/oracle_engine.h"

namespace lockstep {
namespace {

constexpr uint32_t kLogSameExecOff = 1u << 0;
constexpr uint32_t kLogNewExecOn = 1u << 1;
constexpr uint32_t kLogSubdomainsOff = 1u << 2;

constexpr int kAfInet = 2;
constexpr int kAfInet6 = 10;

// The blocker names of the network rights, by bit.
const char* const kNetBlockers[] = {"net.bind_tcp", "net.connect_tcp", "net.bind_udp",
                                    "net.connect_send_udp"};

// The object fields of a network denial: for an IPv4 or IPv6 address, the local address and
// port of a bind ("saddr=", "src="), the remote ones of a connect or send ("daddr=", "dest="),
// each only when not zero; an address of any other family (AF_UNSPEC) names nothing.
std::string NetObject(const std::vector<uint8_t>& addr, bool bind) {
  uint16_t family = 0;
  if (addr.size() >= 2) std::memcpy(&family, addr.data(), sizeof(family));
  const char* addr_key = bind ? "saddr=" : "daddr=";
  const char* port_key = bind ? "src=" : "dest=";
  const uint16_t port = static_cast<uint16_t>((addr[2] << 8) | addr[3]);
  std::string object;
  const auto field = [&](const std::string& f) { object += (object.empty() ? "" : " ") + f; };
  if (family == kAfInet) {
    const uint8_t* a = &addr[4];
    if ((a[0] | a[1] | a[2] | a[3]) != 0) field(addr_key + CanonicalAddress(kAfInet, a));
  } else if (family == kAfInet6) {
    const uint8_t* a = &addr[8];
    bool any = true;
    for (int i = 0; i < 16; ++i) any = any && a[i] == 0;
    if (!any) field(addr_key + CanonicalAddress(kAfInet6, a));
  } else {
    return object;
  }
  if (port != 0) field(port_key + std::to_string(port));
  return object;
}

}  // namespace

void OracleEngine::LogNetDenial(size_t layer, uint64_t request, const std::vector<uint8_t>& addr,
                                bool object_quiet) {
  if (!LogsDenials()) return;
  Layer& l = layers_[layer];
  ++l.denials;
  // No op runs a new executable (execve) yet: every request comes from the program that made
  // every layer of the task.
  const bool same_exec = true;
  bool logged = !l.log_disabled && (same_exec ? l.log_same_exec : l.log_new_exec);
  // Quieted: the port is marked quiet in the denying layer and its quiet_access_net covers the
  // whole denied request.
  if (object_quiet && (l.quiet_net & request) == request) logged = false;
  if (!logged) return;
  int bit = 0;
  while (bit < 4 && (request & (uint64_t{1} << bit)) == 0) ++bit;
  LogRecord access;
  access.type = LogRecord::Type::kAccess;
  access.domain = static_cast<int>(layer) + 1;
  access.blockers = bit < 4 ? kNetBlockers[bit] : "?";
  // Bind rights name the local address, connect/send rights the remote one.
  const bool bind = request == (uint64_t{1} << 0) || request == (uint64_t{1} << 2);
  // Padded so the port (bytes 2..3) and addresses (4..7, 8..23) read as zero when absent.
  std::vector<uint8_t> padded = addr;
  if (padded.size() < 24) padded.resize(24, 0);
  access.object = NetObject(padded, bind);
  const int domain = access.domain;
  logs_.push_back(std::move(access));
  if (!l.log_recorded) {
    LogRecord allocated;
    allocated.type = LogRecord::Type::kDomainAllocated;
    allocated.domain = domain;
    logs_.push_back(std::move(allocated));
    l.log_recorded = true;
  }
}

void OracleEngine::NoteRestrict(uint32_t flags, bool added) {
  if (!LogsDenials()) return;
  // LOG_SUBDOMAINS_OFF reaches the domains made after this call, not the one it makes.
  const bool subdomains_were_off = log_subdomains_off_;
  if ((flags & kLogSubdomainsOff) != 0) log_subdomains_off_ = true;
  if (!added) return;
  Layer& l = layers_.back();
  l.log_same_exec = (flags & kLogSameExecOff) == 0;
  l.log_new_exec = (flags & kLogNewExecOn) != 0;
  l.log_disabled = (!l.log_same_exec && !l.log_new_exec) || subdomains_were_off;
}

void OracleEngine::LogTaskExit() {
  if (!LogsDenials()) return;
  for (size_t i = layers_.size(); i-- > 0;) {
    if (!layers_[i].log_recorded) continue;
    LogRecord r;
    r.type = LogRecord::Type::kDomainDeallocated;
    r.domain = static_cast<int>(i) + 1;
    r.denials = layers_[i].denials;
    logs_.push_back(std::move(r));
  }
}

bool OracleEngine::TakeLogRecords(std::vector<LogRecord>* out) {
  if (!logs_known_) {
    logs_.clear();
    return false;
  }
  for (LogRecord& r : logs_) out->push_back(std::move(r));
  logs_.clear();
  return true;
}

}  // namespace lockstep
