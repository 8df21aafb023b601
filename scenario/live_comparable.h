// Which scenarios the live kernel can be compared on: one predicate for the live differential
// fuzzer, fidelity and the generator's live_comparable mode.
//
// The engines model Landlock and the parts of Linux it decides on; the live kernel is all of
// Linux. A scenario is comparable only when everything it does means the same to both:
//   - raw fds: -1 or ≥ 1<<20 only (below that, the live process has fds of its own);
//   - socket(2): AF_UNIX stream/datagram/seqpacket with protocol 0, AF_INET/AF_INET6 TCP (0, IPPROTO_TCP,
//     IPPROTO_MPTCP) and UDP (0, IPPROTO_UDP), flags SOCK_NONBLOCK/SOCK_CLOEXEC only (other
//     families reach real drivers: AF_PACKET answers EPERM without CAP_NET_RAW, the model's
//     socket(2) answers EAFNOSUPPORT);
//   - open(2): the model's flags only (O_TMPFILE, O_APPEND, O_DIRECT, ... mean other things to a
//     real filesystem);
//   - device nodes: only the devices every engine models (the null device and whiteouts), and
//     none at all where the live side cannot make them (a user namespace, e.g. Bazel's sandbox);
//   - bind/connect/sendto: no pathname AF_UNIX address (named sockets: the twin has no filesystem);
//   - add_rule of a path-beneath rule: its parent fd (inside the attr bytes) comparable too;
//   - restrict_self without TSYNC (see WhyLiveMustNotRun below);
//   - threads: an fd argument never names a `thread` op's result, nor on_thread an fd's;
//   - no op between processes (fork, kill, ptrace, traceme) but setown and sigwait, which mean
//     the same among the threads of one process (setown's task is a task number, not an fd).

#ifndef LOCKSTEP_SCENARIO_LIVE_COMPARABLE_H_
#define LOCKSTEP_SCENARIO_LIVE_COMPARABLE_H_

#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace lockstep {

// Why `op` cannot be compared with the live kernel ("socket family 17"), empty when it can.
std::string WhyOpNotLiveComparable(const Op& op);

// Why a scenario cannot be compared: the reason and, when an op is to blame, which one.
struct NotLiveComparable {
  std::string reason;  // "socket family 17"; empty when the scenario can be compared
  int op = -1;         // index of the first op that cannot (0-based); -1: the scenario as a whole
  bool comparable() const { return reason.empty(); }
  // "op 3: socket family 17" (op numbered from 1, as .scn errors are), or the bare reason.
  std::string ToString() const;
};

// Why `s` cannot be compared (its first op that cannot), `reason` empty when it can.
// `devices_usable`: whether the live side can make device nodes (LiveKernelInfo).
NotLiveComparable WhyNotLiveComparable(const Scenario& s, bool devices_usable);

inline bool LiveComparable(const Scenario& s, bool devices_usable) {
  return WhyNotLiveComparable(s, devices_usable).comparable();
}

// Why the live engine must not run `s` at all on a kernel of Landlock ABI `abi`, empty when it
// may: a restrict_self with LANDLOCK_RESTRICT_SELF_TSYNC where the kernel knows it (ABI 8+)
// would restrict every thread of the process running the engine, not only the scenario's.
// Below ABI 8 the kernel refuses the flag (EINVAL) before doing anything. Scenarios with
// processes (fork): the live engine's child processes make only the Landlock syscalls, the
// socket ops and the ops between tasks, so every op must be one of those, on an fd its process
// made or inherited (a handle to another process's fd names nothing there); ptrace where Yama
// restricts it (`ptrace_unrestricted` false, LiveKernelInfo) and scopes below ABI 6 are
// refused too. For hand-written scenarios (the corpus, replay), which may use anything else and keep their
// expectations.
NotLiveComparable WhyLiveMustNotRun(const Scenario& s, int abi, bool ptrace_unrestricted = true);

// The processes of a scenario as far as its text says: for the rule above, and for the
// generator, which keeps each process's fd ops on the fds it holds.
struct ProcessMap {
  // The process each op runs in, and (last) the one the next op would: 0 is task 0's, then
  // numbered as `fork` makes them; -1 once `on_thread` named what the text cannot tell.
  std::vector<int> of_op;
  std::vector<int> parent;     // each process's parent process (-1: task 0's has none)
  std::vector<int> forked_at;  // the op that forked it (-1: task 0's)
  // Whether process `process` has the fd op `op` made: made there, or in an ancestor before
  // the fork that led here.
  bool Holds(int process, int op) const;
};
ProcessMap MapProcesses(const Scenario& s);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_LIVE_COMPARABLE_H_
