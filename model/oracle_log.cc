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

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "model/oracle_engine.h"

namespace lockstep {
namespace {

constexpr uint32_t kLogSameExecOff = 1u << 0;
constexpr uint32_t kLogNewExecOn = 1u << 1;
constexpr uint32_t kLogSubdomainsOff = 1u << 2;

constexpr int kRootInode = 0;  // the filesystem's root directory
constexpr int kAfInet = 2;
constexpr int kAfInet6 = 10;

// The blocker names of the filesystem rights, by bit (fs.execute is bit 0).
const char* const kFsBlockers[] = {
    "fs.execute",    "fs.write_file", "fs.read_file",  "fs.read_dir",   "fs.remove_dir",
    "fs.remove_file", "fs.make_char", "fs.make_dir",   "fs.make_reg",   "fs.make_sock",
    "fs.make_fifo",  "fs.make_block", "fs.make_sym",   "fs.refer",      "fs.truncate",
    "fs.ioctl_dev",  "fs.resolve_unix"};

// The blocker names of the network rights, by bit.
const char* const kNetBlockers[] = {"net.bind_tcp", "net.connect_tcp", "net.bind_udp",
                                    "net.connect_send_udp"};

// The object fields of a network denial: for an IPv4 or IPv6 address, the local address and
// port of a bind ("saddr=", "src="), the remote ones of a connect or send ("daddr=", "dest="),
// each only when not zero; an address of any other family (AF_UNSPEC) names nothing. Bytes
// past a short address read as zero.
std::string NetObject(const std::vector<uint8_t>& addr, bool bind) {
  uint8_t bytes[24] = {};
  if (!addr.empty()) std::memcpy(bytes, addr.data(), std::min(addr.size(), sizeof(bytes)));
  uint16_t family = 0;
  std::memcpy(&family, bytes, sizeof(family));
  const char* addr_key = bind ? "saddr=" : "daddr=";
  const char* port_key = bind ? "src=" : "dest=";
  const uint16_t port = static_cast<uint16_t>((bytes[2] << 8) | bytes[3]);
  std::string object;
  const auto field = [&](const std::string& f) { object += (object.empty() ? "" : " ") + f; };
  const auto all_zero = [](const uint8_t* a, int n) {
    for (int i = 0; i < n; ++i) {
      if (a[i] != 0) return false;
    }
    return true;
  };
  if (family == kAfInet) {
    if (!all_zero(&bytes[4], 4)) field(addr_key + CanonicalAddress(kAfInet, &bytes[4]));
  } else if (family == kAfInet6) {
    if (!all_zero(&bytes[8], 16)) field(addr_key + CanonicalAddress(kAfInet6, &bytes[8]));
  } else {
    return object;
  }
  if (port != 0) field(port_key + std::to_string(port));
  return object;
}

}  // namespace

// The rule every denial follows: counted by the layer that denied it (the youngest), logged
// unless the layer logs nothing for this program or a quiet rule covers the object and the
// layer's quiet mask (`quiet_mask`, its quiet_access_fs or _net) every denied right; the first
// logged denial of a domain is followed by its allocated record.
void OracleEngine::LogDenial(Domain& d, bool same_exec, uint64_t missing, bool object_quiet,
                             uint64_t quiet_mask, std::string blockers, std::string object) {
  ++d.denials;
  bool logged = !d.log_disabled && (same_exec ? d.log_same_exec : d.log_new_exec);
  if (object_quiet && (quiet_mask & missing) == missing) logged = false;
  if (!logged) return;
  LogRecord access;
  access.type = LogRecord::Type::kAccess;
  access.domain = d.number;
  access.blockers = std::move(blockers);
  access.object = std::move(object);
  logs_.push_back(std::move(access));
  if (!d.log_recorded) {
    LogRecord allocated;
    allocated.type = LogRecord::Type::kDomainAllocated;
    allocated.domain = d.number;
    logs_.push_back(std::move(allocated));
    d.log_recorded = true;
  }
}

void OracleEngine::LogNetDenial(size_t layer, uint64_t request, const std::vector<uint8_t>& addr,
                                bool object_quiet) {
  if (!LogsDenials()) return;
  int bit = 0;
  while (bit < 4 && (request & (uint64_t{1} << bit)) == 0) ++bit;
  // Bind rights name the local address, connect/send rights the remote one.
  const bool bind = request == (uint64_t{1} << 0) || request == (uint64_t{1} << 2);
  const Layer& l = layers_[layer];
  LogDenial(DomainNumbered(l.domain), l.same_exec, request, object_quiet, l.quiet_net,
            bit < 4 ? kNetBlockers[bit] : "?", NetObject(addr, bind));
}

namespace {
std::string FsBlockers(uint64_t missing) {
  std::string blockers;
  for (size_t bit = 0; bit < std::size(kFsBlockers); ++bit) {
    if ((missing & (uint64_t{1} << bit)) == 0) continue;
    blockers += (blockers.empty() ? "" : ",") + std::string(kFsBlockers[bit]);
  }
  return blockers;
}
}  // namespace

void OracleEngine::LogFsDenial(int layer, uint64_t missing, bool object_quiet,
                               const std::string& object) {
  if (!LogsDenials()) return;
  if (layer < 0 || object.empty()) {
    LogNotModelled();
    return;
  }
  const Layer& l = layers_[static_cast<size_t>(layer)];
  LogDenial(DomainNumbered(l.domain), l.same_exec, missing, object_quiet, l.quiet_fs,
            FsBlockers(missing), object);
}

void OracleEngine::LogFileDenial(int domain, bool same_exec, uint64_t missing, bool object_quiet,
                                 const std::string& object) {
  if (!LogsDenials()) return;
  if (domain <= 0 || object.empty()) {
    LogNotModelled();
    return;
  }
  Domain& d = DomainNumbered(domain);
  LogDenial(d, same_exec, missing, object_quiet, d.quiet_fs, FsBlockers(missing), object);
}

// The names from the task's root (the scenario's root) down to `place`, across the mounts each
// is seen through, as the kernel's d_path() gives them. "" where the model cannot name it the
// way the kernel would: a file whose entry no longer names it (renamed, unlinked: " (deleted)"),
// a removed directory, a directory moved out of the bind mount it was reached through.
std::string OracleEngine::PathObject(const Place& place) const {
  std::vector<std::string> names;  // the leaf first
  Place at = place;
  // The root of a bind mount whose source name is gone (a file root unlinked or replaced, a
  // removed directory): d_path() says " (deleted)" after its mount point's path.
  const Mount& leaf_mount = mounts_[place.mount];
  if (place.inode == leaf_mount.root && leaf_mount.parent_mount >= 0 &&
      (IsDir(place.inode) ? inodes_[place.inode].removed : leaf_mount.root_dir < 0)) {
    return "";
  }
  while (true) {
    const Mount& m = mounts_[at.mount];
    if (at.inode == m.root) {
      if (m.parent_mount < 0) break;  // the task's root
      at = Place{m.parent_mount, m.covered_inode, m.covered_dir, m.covered_name};
      continue;
    }
    if (at.inode == kRootInode) return "";  // out of its mount: escaped
    if (IsDir(at.inode)) {
      const Inode& dir = inodes_[at.inode];
      if (dir.removed || dir.parent < 0) return "";
      std::string name;
      for (const auto& [n, child] : inodes_[dir.parent].children) {
        if (child == at.inode) name = n;
      }
      if (name.empty()) return "";
      names.push_back(name);
      at = Place{at.mount, dir.parent, -1, ""};
    } else {
      if (at.dir < 0) return "";
      const auto it = inodes_[at.dir].children.find(at.name);
      if (it == inodes_[at.dir].children.end() || it->second != at.inode) return "";
      names.push_back(at.name);
      at = Place{at.mount, at.dir, -1, ""};
    }
  }
  std::string path;
  for (size_t i = names.size(); i-- > 0;) path += "/" + names[i];
  return "path=" + AuditUntrustedString(path.empty() ? "/" : path);
}

void OracleEngine::NoteRestrict(uint32_t flags, bool added) {
  if (!LogsDenials()) return;
  // LOG_SUBDOMAINS_OFF reaches the domains made after this call, not the one it makes.
  const bool subdomains_were_off = log_subdomains_off_;
  if ((flags & kLogSubdomainsOff) != 0) log_subdomains_off_ = true;
  if (!added) return;
  Domain& d = DomainNumbered(YoungestDomain());
  d.log_same_exec = (flags & kLogSameExecOff) == 0;
  d.log_new_exec = (flags & kLogNewExecOn) != 0;
  d.log_disabled = (!d.log_same_exec && !d.log_new_exec) || subdomains_were_off;
}

void OracleEngine::ReleaseDomainHeld(int number) {
  --DomainNumbered(number).holders;
  // The kernel frees a hierarchy once no domain and no younger hierarchy refers to it, and
  // logs each one freed on the way down (landlock_put_hierarchy()).
  while (number > 0) {
    const Domain& d = DomainNumbered(number);
    if (d.holders > 0 || d.children > 0) return;
    if (LogsDenials() && d.log_recorded) {
      LogRecord r;
      r.type = LogRecord::Type::kDomainDeallocated;
      r.domain = d.number;
      r.denials = d.denials;
      logs_.push_back(std::move(r));
    }
    number = d.parent;
    if (number > 0) --DomainNumbered(number).children;
  }
}

void OracleEngine::LogTaskExit() {
  if (domains_.empty()) return;  // no domain: nothing to let go of
  // Each process in the order they were made: it closes its files first (exit_files()), then
  // its threads end, by number. A file another process still holds stays open until then.
  for (int p = 0; p < static_cast<int>(processes_.size()); ++p) {
    FdTable& fds = p == process_ ? fds_ : processes_[static_cast<size_t>(p)].fds;
    const int end = p == process_ ? fds_end_ : processes_[static_cast<size_t>(p)].fds_end;
    for (int fd = 0; fd < end; ++fd) {
      if (fds[static_cast<size_t>(fd)]) DropFile(fds[static_cast<size_t>(fd)]);
    }
    for (int t = 0; t < static_cast<int>(threads_.size()); ++t) {
      if (ProcessOf(t) != p) continue;
      if (t == thread_) {
        ReleaseDomain(YoungestDomain());
        layers_.clear();
        threads_[static_cast<size_t>(t)].live = false;  // no signal reaches it any more
      } else if (LiveTask(t)) {
        EndThread(t);
      }
    }
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
