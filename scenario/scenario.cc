#include "scenario/scenario.h"

#include "engine/errno_name.h"

// The op kinds and their break functions for tools/gdb/lockstep_gdb.py's `lockstep-break`, one
// "NAME FUNCTION..." line each. A plain char array (no pointers, so no relocations): gdb reads it
// from the executable before the program runs. `used, retain` keeps it in binaries that never
// refer to it, also when the linker drops unreferenced sections.
extern "C" {
extern const char lockstep_gdb_op_kinds[];
__attribute__((used, retain)) const char lockstep_gdb_op_kinds[] =
#define LOCKSTEP_OP_KIND_LINE(e, c, name, args, ret, tag, functions) name " " functions "\n"
    LOCKSTEP_OPS(LOCKSTEP_OP_KIND_LINE);
#undef LOCKSTEP_OP_KIND_LINE
}

namespace lockstep {

const char* OpKindName(OpKind kind) {
  const int i = static_cast<int>(kind);
  return i >= 0 && i < kNumOpKinds ? kOpInfo[i].name : "?";
}

const char* OpKindBreakFunctions(OpKind kind) {
  const int i = static_cast<int>(kind);
  return i >= 0 && i < kNumOpKinds ? kOpInfo[i].break_functions : "";
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
         at2 == o.at2 && mode == o.mode && dev == o.dev && expect == o.expect &&
         expect_overrides == o.expect_overrides && expect_log == o.expect_log &&
         expect_log_when == o.expect_log_when;
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

bool ConditionsHold(const std::vector<Op::ExpectCondition>& when, const Profile& profile,
                    std::string* undetermined) {
  // A false condition decides, whatever the others; an undetermined switch only if none is.
  bool holds = true;
  std::string unknown;
  for (const Op::ExpectCondition& c : when) {
    const SwitchDef* sw = FindSwitch(c.name);
    if (sw == nullptr || !profile.Determined(c.name)) {
      unknown = c.name;
      continue;
    }
    const int64_t v = sw->get(profile);
    switch (c.cmp) {
      case Op::ExpectCondition::Cmp::kEq: holds = holds && v == c.value; break;
      case Op::ExpectCondition::Cmp::kNe: holds = holds && v != c.value; break;
      case Op::ExpectCondition::Cmp::kGe: holds = holds && v >= c.value; break;
      case Op::ExpectCondition::Cmp::kLt: holds = holds && v < c.value; break;
    }
  }
  if (!holds) return false;
  if (undetermined != nullptr) *undetermined = unknown;
  return unknown.empty();
}

ExpectChoice ExpectFor(const Op& op, const Profile* profile) {
  if (profile == nullptr) return {op.expect, ""};
  for (const Op::ExpectOverride& o : op.expect_overrides) {
    // An override with a false condition does not apply; one whose only unknowns are
    // undetermined switches leaves the expectation unknown.
    std::string unknown;
    if (ConditionsHold(o.when, *profile, &unknown)) return {o.outcome, ""};
    if (!unknown.empty()) return {std::nullopt, unknown};
  }
  return {op.expect, ""};
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
