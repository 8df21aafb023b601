// The domains every lockstep benchmark decides against, built the same way on every engine:
// `layers` stacked layers, each a ruleset handling BIND_TCP and CONNECT_TCP with the same `rules`
// port rules granting both rights. Stacking the same ports makes a hit walk every layer (the
// costliest allowed decision); the merged domain has `rules` rules of `layers` entries each.
//
// Ports spread evenly over 0..65535 from kFirstPort; a miss probes the port just above a rule's
// port, which has no rule while rules <= 32,768 (at 65,536 rules every port has one: no miss).

#ifndef LOCKSTEP_BENCH_DOMAIN_H_
#define LOCKSTEP_BENCH_DOMAIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace lockstep {
namespace bench {

inline constexpr uint16_t kFirstPort = 1000;
// How many distinct addresses a decision loop rotates through (spread over the rules, so the
// average covers the tree's depths); a power of two.
inline constexpr int kProbes = 16;

// kConnect, kBind: TCP. The UDP sends (UDP domains only): kSendtoUdp, sendto() with a
// destination on a bound socket; kSendtoUdpConnected, sendto() without one on a connected
// socket; kSendtoUdpAutobind, sendto() with a destination on a socket with no local port yet,
// which 7.x also checks as bind(0) (no rule has port 0: denied there, and the socket stays
// unbound for the next probe).
enum class Op { kConnect, kBind, kSendtoUdp, kSendtoUdpConnected, kSendtoUdpAutobind };
enum class Family { kIpv4, kIpv6 };

const char* OpName(Op op);  // "connect", "bind", "sendto_udp", "sendto_udp_connected", ...
const char* FamilyName(Family f);   // "ipv4", "ipv6"

// The port of rule `i` (0 <= i < rules).
uint16_t RulePort(int i, int rules);
// Whether a miss exists at this size (some port has no rule).
bool MissPossible(int rules);

// kProbes socket addresses (sockaddr_in on 127.0.0.1 or sockaddr_in6 on ::1), back to back,
// `Size()` bytes each: rule ports (hit) or ports next to them (miss).
struct Probes {
  std::vector<uint8_t> bytes;
  int size = 0;  // addrlen
  const void* At(int j) const { return bytes.data() + static_cast<size_t>(j) * size; }
};
Probes MakeProbes(Family family, int rules, bool hit);

// The built domain on one engine, in the engine's current task.
struct Domain {
  int layers = 0;
  int rules = 0;
  int fd4 = -1;  // TCP sockets (socket() after the domain), AF_INET and AF_INET6
  int fd6 = -1;
  // UDP domains: AF_INET UDP sockets bound to the first rule's port (one of them connected to
  // it too), and one with no local port.
  bool udp = false;
  int udp_bound = -1;
  int udp_connected = -1;
  int udp_unbound = -1;
  // Shim bytes the domain holds (KernelEngine only: Stats().live_bytes after minus before).
  uint64_t bytes = 0;
  std::string error;  // empty when built as described
};

// BeginTask (no_new_privs), then the layers through CreateRuleset/AddRule/RestrictSelf/Close,
// then the two sockets. `live_bytes` (may be null) reads the engine's allocation counter.
// `udp`: the rulesets handle and the rules grant the UDP rights too (ABI 10), and the UDP
// sockets are made.
Domain BuildDomain(Engine& engine, int layers, int rules, uint64_t (*live_bytes)(Engine&),
                   bool udp = false);

// One ruleset of `rules` rules in the current task: its fd, or -errno / a negative on failure.
long BuildRuleset(Engine& engine, int rules, bool udp = false);

}  // namespace bench
}  // namespace lockstep

#endif  // LOCKSTEP_BENCH_DOMAIN_H_
