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

std::string ExpectConditionsText(const std::vector<Op::ExpectCondition>& when) {
  std::string out;
  for (const Op::ExpectCondition& c : when) {
    if (!out.empty()) out += ",";
    const SwitchDef* sw = FindSwitch(c.name);
    const bool is_bool = sw != nullptr && sw->format == SwitchDef::Format::kBool;
    if (is_bool && c.value == 0 && c.cmp == Op::ExpectCondition::Cmp::kNe) {
      out += c.name;
      continue;
    }
    if (is_bool && c.value == 0 && c.cmp == Op::ExpectCondition::Cmp::kEq) {
      out += "!" + c.name;
      continue;
    }
    const char* op = "=";
    switch (c.cmp) {
      case Op::ExpectCondition::Cmp::kEq: op = "="; break;
      case Op::ExpectCondition::Cmp::kNe: op = "!="; break;
      case Op::ExpectCondition::Cmp::kGe: op = ">="; break;
      case Op::ExpectCondition::Cmp::kLt: op = "<"; break;
    }
    out += c.name + op + (sw != nullptr ? SwitchValueText(*sw, c.value) : std::to_string(c.value));
  }
  return out;
}

ExpectChoice ExpectFor(const Op& op, const Profile* profile) {
  if (profile == nullptr) return {op.expect, ""};
  for (const Op::ExpectOverride& o : op.expect_overrides) {
    // An override with a false condition does not apply, whatever its other conditions; one
    // whose only unknowns are undetermined switches leaves the expectation unknown.
    bool holds = true;
    std::string unknown;
    for (const Op::ExpectCondition& c : o.when) {
      const SwitchDef* sw = FindSwitch(c.name);
      if (sw == nullptr || !profile->Determined(c.name)) {
        unknown = c.name;
        continue;
      }
      const int64_t v = sw->get(*profile);
      switch (c.cmp) {
        case Op::ExpectCondition::Cmp::kEq: holds = holds && v == c.value; break;
        case Op::ExpectCondition::Cmp::kNe: holds = holds && v != c.value; break;
        case Op::ExpectCondition::Cmp::kGe: holds = holds && v >= c.value; break;
        case Op::ExpectCondition::Cmp::kLt: holds = holds && v < c.value; break;
      }
    }
    if (!holds) continue;
    if (!unknown.empty()) return {std::nullopt, unknown};
    return {o.outcome, ""};
  }
  return {op.expect, ""};
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
