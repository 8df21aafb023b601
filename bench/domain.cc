#include "bench/domain.h"

#include <cstring>
#include <string>

#include "engine/landlock_uapi.h"

namespace lockstep {
namespace bench {

const char* OpName(Op op) {
  switch (op) {
    case Op::kConnect: return "connect";
    case Op::kBind: return "bind";
    case Op::kSendtoUdp: return "sendto_udp";
    case Op::kSendtoUdpConnected: return "sendto_udp_connected";
    case Op::kSendtoUdpAutobind: return "sendto_udp_autobind";
  }
  return "?";
}
const char* FamilyName(Family f) { return f == Family::kIpv4 ? "ipv4" : "ipv6"; }

uint16_t RulePort(int i, int rules) {
  const uint64_t offset = (static_cast<uint64_t>(i) * 65536u) / static_cast<uint64_t>(rules);
  return static_cast<uint16_t>(kFirstPort + offset);  // wraps modulo 65536
}

bool MissPossible(int rules) { return rules <= 32768; }

Probes MakeProbes(Family family, int rules, bool hit) {
  Probes p;
  p.size = family == Family::kIpv4 ? static_cast<int>(net::kSockaddrInSize)
                                   : static_cast<int>(net::kSockaddrIn6Size);
  for (int j = 0; j < kProbes; ++j) {
    const int index = static_cast<int>((static_cast<int64_t>(j) * rules) / kProbes);
    uint16_t port = RulePort(index, rules);
    if (!hit) port = static_cast<uint16_t>(port + 1);
    const std::vector<uint8_t> addr =
        family == Family::kIpv4 ? SockaddrIn(port) : SockaddrIn6(port);
    p.bytes.insert(p.bytes.end(), addr.begin(), addr.end());
  }
  return p;
}

long BuildRuleset(Engine& engine, int rules, bool udp) {
  const uint64_t rights = udp ? landlock::kAccessNetAllUdp : landlock::kAccessNetAll;
  const std::vector<uint8_t> attr = RulesetAttr(0, rights, 0);
  const long fd = engine.CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
  if (fd < 0) return fd;
  std::vector<uint8_t> rule = NetPortAttr(rights, 0);
  for (int i = 0; i < rules; ++i) {
    const uint64_t port = RulePort(i, rules);
    std::memcpy(rule.data() + 8, &port, sizeof(port));
    const long ret =
        engine.AddRule(static_cast<int>(fd), landlock::kRuleNetPort, UserBuffer::Of(rule), 0);
    if (ret != 0) return ret < 0 ? ret : -1;
  }
  return fd;
}

Domain BuildDomain(Engine& engine, int layers, int rules, uint64_t (*live_bytes)(Engine&),
                   bool udp) {
  Domain d;
  d.layers = layers;
  d.rules = rules;
  d.udp = udp;
  engine.BeginTask(TaskSpec{});
  const uint64_t before = live_bytes ? live_bytes(engine) : 0;
  for (int layer = 0; layer < layers; ++layer) {
    const long fd = BuildRuleset(engine, rules, udp);
    if (fd < 0) {
      d.error = "building layer " + std::to_string(layer + 1) + ": " + std::to_string(fd);
      return d;
    }
    const long ret = engine.RestrictSelf(static_cast<int>(fd), 0);
    engine.Close(static_cast<int>(fd));
    if (ret != 0) {
      d.error = "restrict_self of layer " + std::to_string(layer + 1) + ": " + std::to_string(ret);
      return d;
    }
  }
  d.bytes = live_bytes ? live_bytes(engine) - before : 0;
  d.fd4 = static_cast<int>(engine.Socket(net::kAfInet, net::kSockStream, 0));
  d.fd6 = static_cast<int>(engine.Socket(net::kAfInet6, net::kSockStream, 0));
  if (d.fd4 < 0 || d.fd6 < 0) d.error = "socket() failed";
  if (udp && d.error.empty()) {
    const std::vector<uint8_t> first = SockaddrIn(RulePort(0, rules));
    const UserBuffer addr = UserBuffer::Of(first);
    const int len = static_cast<int>(first.size());
    d.udp_bound = static_cast<int>(engine.Socket(net::kAfInet, net::kSockDgram, 0));
    d.udp_connected = static_cast<int>(engine.Socket(net::kAfInet, net::kSockDgram, 0));
    d.udp_unbound = static_cast<int>(engine.Socket(net::kAfInet, net::kSockDgram, 0));
    if (d.udp_bound < 0 || d.udp_connected < 0 || d.udp_unbound < 0 ||
        engine.Bind(d.udp_bound, addr, len) != 0 ||
        // Bound first: connect() of a socket with no local port is also checked as bind(0).
        engine.Bind(d.udp_connected, addr, len) != 0 ||
        engine.Connect(d.udp_connected, addr, len) != 0) {
      d.error = "UDP sockets: socket(), bind() or connect() failed";
    }
  }
  return d;
}

}  // namespace bench
}  // namespace lockstep
