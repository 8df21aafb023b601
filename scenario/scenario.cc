#include "scenario/scenario.h"

#include "engine/errno_name.h"

namespace lockstep {

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kCreateRuleset: return "create_ruleset";
    case OpKind::kAddRule: return "add_rule";
    case OpKind::kRestrictSelf: return "restrict_self";
    case OpKind::kSetNoNewPrivs: return "no_new_privs";
    case OpKind::kClose: return "close";
    case OpKind::kSocket: return "socket";
    case OpKind::kBind: return "bind";
    case OpKind::kConnect: return "connect";
    case OpKind::kSendTo: return "sendto";
    case OpKind::kMkdir: return "mkdir";
    case OpKind::kMknod: return "mknod";
    case OpKind::kOpen: return "open";
    case OpKind::kExecute: return "execute";
    case OpKind::kTruncate: return "truncate";
    case OpKind::kFtruncate: return "ftruncate";
    case OpKind::kUnlink: return "unlink";
    case OpKind::kRmdir: return "rmdir";
    case OpKind::kRename: return "rename";
    case OpKind::kLink: return "link";
    case OpKind::kIoctl: return "ioctl";
    case OpKind::kBindMount: return "bind_mount";
  }
  return "?";
}

std::string Outcome::ToString() const {
  switch (kind) {
    case Kind::kFd: return "fd";
    case Kind::kErrno: return ErrnoName(-value);
    case Kind::kValue: return std::to_string(value);
  }
  return "?";
}

bool Op::operator==(const Op& o) const {
  return kind == o.kind && name == o.name && fd == o.fd && mem == o.mem && size == o.size &&
         addrlen == o.addrlen && rule_type == o.rule_type && flags == o.flags &&
         family == o.family && type == o.type && protocol == o.protocol &&
         parent_fd == o.parent_fd && path == o.path && path2 == o.path2 && at == o.at &&
         at2 == o.at2 && mode == o.mode && dev == o.dev && expect == o.expect && expect_overrides == o.expect_overrides;
}

std::optional<Outcome> ExpectFor(const Op& op, const std::string& version) {
  std::optional<Outcome> best = op.expect;
  size_t best_len = 0;
  for (const Op::ExpectOverride& o : op.expect_overrides) {
    if (!o.version.empty() && o.version.size() > best_len &&
        version.compare(0, o.version.size(), o.version) == 0) {
      best = o.outcome;
      best_len = o.version.size();
    }
  }
  return best;
}

bool ReturnsFd(const Op& op) {
  return (op.kind == OpKind::kCreateRuleset && op.flags == 0) || op.kind == OpKind::kSocket ||
         op.kind == OpKind::kOpen;
}

bool TakesPath(OpKind kind) {
  switch (kind) {
    case OpKind::kMkdir:
    case OpKind::kMknod:
    case OpKind::kOpen:
    case OpKind::kExecute:
    case OpKind::kTruncate:
    case OpKind::kUnlink:
    case OpKind::kRmdir:
    case OpKind::kRename:
    case OpKind::kLink:
    case OpKind::kBindMount: return true;
    default: return false;
  }
}

bool TakesSecondPath(OpKind kind) {
  return kind == OpKind::kRename || kind == OpKind::kLink || kind == OpKind::kBindMount;
}

bool MakesDeviceNodes(const Scenario& s) {
  constexpr uint32_t kIfmt = 0170000, kIfchr = 0020000, kIfblk = 0060000;
  for (const Op& op : s.ops) {
    if (op.kind != OpKind::kMknod) continue;
    const uint32_t type = op.mode & kIfmt;
    if (type == kIfblk || (type == kIfchr && op.dev != 0)) return true;
  }
  return false;
}

}  // namespace lockstep
