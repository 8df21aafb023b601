#include "scenario/generator.h"

#include "engine/landlock_uapi.h"

namespace lockstep {
namespace {

namespace ll = ::lockstep::landlock;

constexpr uint64_t kInterestingPorts[] = {0,    1,     22,    80,    443,       1023, 1024,
                                          8080, 65534, 65535, 65536, 1u << 20, ~0ull};

}  // namespace

bool ScenarioGenerator::Chance(int percent) { return Below(100) < percent; }

int ScenarioGenerator::Below(int n) {
  return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng_));
}

uint64_t ScenarioGenerator::Port() {
  // A small pool makes rules and probes meet often; the edges come often enough to matter.
  if (Chance(70)) return static_cast<uint64_t>(Below(4)) * 1000 + 80;
  return kInterestingPorts[Below(std::size(kInterestingPorts))];
}

uint64_t ScenarioGenerator::NetAccess(bool allow_odd) {
  if (allow_odd && Chance(8)) return Chance(50) ? 0 : (1ull << Below(64));
  return static_cast<uint64_t>(1 + Below(3));  // bind, connect, or both
}

Op ScenarioGenerator::CreateRuleset() {
  Op op;
  op.kind = OpKind::kCreateRuleset;
  uint64_t fs = Chance(25) ? (1ull << Below(16)) | (Chance(30) ? ll::kAccessFsAll : 0) : 0;
  uint64_t net = Chance(85) ? NetAccess(false) : 0;
  uint64_t scoped = Chance(10) ? static_cast<uint64_t>(1 + Below(3)) : 0;
  if (Chance(4)) net |= 1ull << (2 + Below(62));  // unknown net bit
  if (Chance(3)) fs |= 1ull << (16 + Below(48));  // unknown fs bit
  std::vector<uint8_t> attr = RulesetAttr(fs, net, scoped);
  op.size = attr.size();
  switch (Below(40)) {
    case 0:  // a size the kernel rejects, or a shorter struct it accepts
      op.size = static_cast<uint64_t>(Below(25));
      break;
    case 1:  // larger struct: zero tail is fine, nonzero is E2BIG
      attr.resize(24 + 8 * (1 + Below(3)), 0);
      if (Chance(50)) attr.back() = 1;
      op.size = attr.size();
      break;
    case 2:
      op.size = 4097;
      break;
    case 3:
      op.flags = static_cast<uint32_t>(1 + Below(4));
      if (Chance(70)) {
        op.mem = UserMem::Null();
        op.size = 0;
        return op;
      }
      break;
    default:
      break;
  }
  op.mem = UserMem::Of(std::move(attr));
  if (Chance(3)) op.mem.readable = static_cast<size_t>(Below(static_cast<int>(op.mem.bytes.size())));
  if (Chance(2)) op.mem = UserMem::Null();
  return op;
}

FdRef ScenarioGenerator::AnyFd(const Scenario& s, bool want_ruleset) {
  std::vector<int> candidates, others;
  for (size_t i = 0; i < s.ops.size(); ++i) {
    const Op& op = s.ops[i];
    if (!ReturnsFd(op)) continue;
    const bool is_ruleset = op.kind == OpKind::kCreateRuleset;
    (is_ruleset == want_ruleset ? candidates : others).push_back(static_cast<int>(i));
  }
  if (!candidates.empty() && !Chance(6)) {
    // Mostly the latest: the one a program would use.
    const int pick = Chance(70) ? static_cast<int>(candidates.size()) - 1
                                : Below(static_cast<int>(candidates.size()));
    return FdRef::Handle(candidates[static_cast<size_t>(pick)]);
  }
  if (!others.empty() && Chance(50)) {
    return FdRef::Handle(others[static_cast<size_t>(Below(static_cast<int>(others.size())))]);
  }
  constexpr int kRawFds[] = {-1, 0, 2, 255, 256, 1000, 1 << 30};
  if (options_.live_comparable) return FdRef::Raw(Chance(50) ? -1 : 1 << 30);
  return FdRef::Raw(kRawFds[Below(std::size(kRawFds))]);
}

Op ScenarioGenerator::AddNetRule(const Scenario& s) {
  Op op;
  op.kind = OpKind::kAddRule;
  op.fd = AnyFd(s, true);
  op.rule_type = ll::kRuleNetPort;
  op.mem = UserMem::Of(NetPortAttr(NetAccess(true), Port()));
  if (Chance(3)) op.flags = 1;
  if (Chance(2)) op.rule_type = Chance(50) ? 0 : 3 + Below(100);
  if (Chance(3)) op.mem.readable = static_cast<size_t>(Below(16));
  if (Chance(1)) op.mem = UserMem::Null();
  return op;
}

Op ScenarioGenerator::AddPathRule(const Scenario& s) {
  Op op;
  op.kind = OpKind::kAddRule;
  op.fd = AnyFd(s, true);
  op.rule_type = ll::kRulePathBeneath;
  const uint64_t access = Chance(10) ? 0 : (1ull << Below(Chance(90) ? 16 : 64));
  op.mem = UserMem::Of(PathBeneathAttr(access, -1));
  if (Chance(60)) {
    op.parent_fd = AnyFd(s, Chance(50));
  } else {
    constexpr int kRawFds[] = {-1, 0, 1000};
    int raw = kRawFds[Below(std::size(kRawFds))];
    if (options_.live_comparable && raw != -1) raw = 1 << 30;
    op.mem = UserMem::Of(PathBeneathAttr(access, raw));
  }
  return op;
}

Op ScenarioGenerator::Restrict(const Scenario& s) {
  Op op;
  op.kind = OpKind::kRestrictSelf;
  op.fd = AnyFd(s, true);
  if (Chance(3)) op.flags = static_cast<uint32_t>(1u << Below(32));
  return op;
}

Op ScenarioGenerator::Socket() {
  Op op;
  op.kind = OpKind::kSocket;
  op.family = Chance(55) ? net::kAfInet : net::kAfInet6;
  op.type = net::kSockStream;
  op.protocol = 0;
  switch (Below(20)) {
    case 0: op.type = net::kSockDgram; break;
    case 1: op.protocol = net::kIpprotoMptcp; break;
    case 2: op.protocol = net::kIpprotoTcp; break;
    case 3: op.family = net::kAfUnix; break;
    case 4: op.type = net::kSockDgram; op.protocol = net::kIpprotoUdp; break;
    case 5: op.family = Below(50); op.type = Below(12); op.protocol = Below(300); break;
    default: break;
  }
  return op;
}

std::vector<uint8_t> ScenarioGenerator::Address(int family_hint, uint64_t port) {
  const uint16_t p = static_cast<uint16_t>(port);
  const int roll = Below(100);
  if (roll < 8) return SockaddrUnspec(p, Chance(70) ? 0 : 0x7f000001);
  if (roll < 10) return SockaddrOfFamily(Chance(50) ? net::kAfUnix : Below(64), 2 + Below(30));
  if (roll < 18) family_hint = family_hint == net::kAfInet ? net::kAfInet6 : net::kAfInet;
  if (family_hint == net::kAfInet6) return SockaddrIn6(p);
  return SockaddrIn(p, Chance(50) ? 0 : 0x7f000001);
}

Op ScenarioGenerator::Probe(const Scenario& s) {
  Op op;
  const int roll = Below(100);
  op.kind = roll < 45 ? OpKind::kConnect : roll < 85 ? OpKind::kBind : OpKind::kSendTo;
  op.fd = AnyFd(s, false);
  int family = net::kAfInet;
  if (op.fd.kind == FdRef::Kind::kHandle) {
    family = s.ops[static_cast<size_t>(op.fd.value)].family;
  }
  std::vector<uint8_t> addr = Address(family, Port());
  int addrlen = static_cast<int>(addr.size());
  if (Chance(12)) {
    constexpr int kLens[] = {-1, 0, 1, 2, 3, 15, 16, 23, 24, 27, 28, 127, 128, 129};
    addrlen = kLens[Below(std::size(kLens))];
    if (addrlen > static_cast<int>(addr.size()) && Chance(70)) addr.resize(static_cast<size_t>(addrlen), 0);
  }
  op.addrlen = addrlen;
  op.mem = UserMem::Of(std::move(addr));
  if (Chance(2)) op.mem.readable = static_cast<size_t>(Below(static_cast<int>(op.mem.bytes.size()) + 1));
  if (op.kind == OpKind::kSendTo) {
    op.flags = Chance(70) ? net::kMsgFastopen : 0;
    if (Chance(15)) {
      op.mem = UserMem::Null();
      op.addrlen = Chance(80) ? 0 : 16;
    }
  }
  return op;
}

Scenario ScenarioGenerator::Next(int target_ops) {
  Scenario s;
  s.task.no_new_privs = !Chance(5);
  s.task.cap_sys_admin = Chance(3);
  // Layers: usually 1-3, sometimes up to 17 to hit the limit.
  const int layers = Chance(6) ? 14 + Below(4) : 1 + Below(3);
  const bool early_socket = Chance(40);
  if (early_socket) s.ops.push_back(Socket());
  for (int layer = 0; layer < layers && static_cast<int>(s.ops.size()) < 48; ++layer) {
    s.ops.push_back(CreateRuleset());
    const int rules = layers > 4 ? Below(2) : Below(5);
    for (int r = 0; r < rules; ++r) {
      s.ops.push_back(Chance(8) ? AddPathRule(s) : AddNetRule(s));
      if (Chance(10)) s.ops.push_back(s.ops.back());  // duplicate rule
    }
    if (Chance(3)) {
      Op nnp;
      nnp.kind = OpKind::kSetNoNewPrivs;
      s.ops.push_back(nnp);
    }
    s.ops.push_back(Restrict(s));
    if (Chance(10)) {
      Op close;
      close.kind = OpKind::kClose;
      close.fd = AnyFd(s, true);
      s.ops.push_back(close);
    }
    if (Chance(15)) s.ops.push_back(AddNetRule(s));  // after restrict: must not matter
  }
  if (!early_socket || Chance(50)) s.ops.push_back(Socket());
  const int probes = target_ops - static_cast<int>(s.ops.size());
  for (int i = 0; i < (probes > 3 ? probes : 3) && s.ops.size() < 48; ++i) {
    if (Chance(8)) s.ops.push_back(Socket());
    s.ops.push_back(Probe(s));
  }
  for (size_t i = 0; i < s.ops.size(); ++i) {
    Op& op = s.ops[i];
    op.name.clear();
    if (ReturnsFd(op)) op.name = (op.kind == OpKind::kSocket ? "s" : "r") + std::to_string(i);
  }
  return s;
}

}  // namespace lockstep
