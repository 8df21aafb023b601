// Which scenarios the live kernel can be compared on: one predicate for the live differential
// fuzzer, fidelity and the generator's live_comparable mode.
//
// The engines model Landlock and the parts of Linux it decides on; the live kernel is all of
// Linux. A scenario is comparable only when everything it does means the same to both:
//   - raw fds: -1 or ≥ 1<<20 only (below that, the live process has fds of its own);
//   - socket(2): AF_UNIX stream/datagram with protocol 0, AF_INET/AF_INET6 TCP (0, IPPROTO_TCP,
//     IPPROTO_MPTCP) and UDP (0, IPPROTO_UDP), flags SOCK_NONBLOCK/SOCK_CLOEXEC only (other
//     families reach real drivers: AF_PACKET answers EPERM without CAP_NET_RAW, the model's
//     socket(2) answers EAFNOSUPPORT);
//   - open(2): the model's flags only (O_TMPFILE, O_APPEND, O_DIRECT, ... mean other things to a
//     real filesystem);
//   - device nodes: only the devices every engine models (the null device and whiteouts), and
//     none at all where the live side cannot make them (a user namespace, e.g. Bazel's sandbox);
//   - add_rule of a path-beneath rule: its parent fd (inside the attr bytes) comparable too.

#ifndef LOCKSTEP_SCENARIO_LIVE_COMPARABLE_H_
#define LOCKSTEP_SCENARIO_LIVE_COMPARABLE_H_

#include <string>

#include "scenario/scenario.h"

namespace lockstep {

// Why `op` cannot be compared with the live kernel ("socket family 17"), empty when it can.
std::string WhyOpNotLiveComparable(const Op& op);

// Why `s` cannot be compared (its first op that cannot, "op 3: socket family 17"), empty when it
// can. `devices_usable`: whether the live side can make device nodes (LiveKernelInfo).
std::string WhyNotLiveComparable(const Scenario& s, bool devices_usable);

inline bool LiveComparable(const Scenario& s, bool devices_usable) {
  return WhyNotLiveComparable(s, devices_usable).empty();
}

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_LIVE_COMPARABLE_H_
