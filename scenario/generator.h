// Seeded random scenarios that reach Landlock's edges: ports 0/65535/65536 and beyond, 1 to 16
// layers and the 17th that fails, overlapping and duplicate rules, AF_UNSPEC, short and odd
// addrlen, family mismatch, UDP/MPTCP/UNIX sockets, sockets made before and after restrict_self,
// bad fds and flags, raw and truncated attrs. Every op is well-typed; many are deliberately
// malformed.
//
// Filesystem scenarios build a small tree of one-letter names (directories, regular files, a
// null device, FIFOs, sockets, whiteouts, a bind mount when the task has CAP_SYS_ADMIN), add
// path_beneath rules on `open ... path` fds, restrict, then open, create, remove, rename and link
// across directories (with renameat2 flags), truncate, ioctl and execute in it.

#ifndef LOCKSTEP_SCENARIO_GENERATOR_H_
#define LOCKSTEP_SCENARIO_GENERATOR_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace lockstep {

struct GeneratorOptions {
  // Only fd numbers every engine answers alike: raw fds are -1 and 1<<30 (never 0, 2, 255, ...
  // which a live process may have open or a model may number), and so is a raw path_beneath
  // parent_fd. For comparing with the live kernel (engine/live_engine.h).
  bool live_comparable = false;
  // Percent of scenarios about the filesystem; the others are about the network. 0 gives exactly
  // the network scenarios of the generator before it knew the filesystem.
  int filesystem_percent = 50;
  // Percent of network rights (handled by a ruleset, granted by a rule) and of sockets drawn
  // for UDP too: rights among all four (TCP and UDP bind/connect), sockets as UDP ones. For a
  // revision that checks UDP (7.2+: Profile::udp_checked); otherwise UDP rights are drawn only
  // as the rare unknown bit. 0 draws nothing more: the sequences stay what they were.
  int udp_percent = 0;
  // Percent of restrict_self calls, rulesets and network rules drawn for the denial logs (ABI
  // 7+): LOG_* flag combinations and restrict_self(-1, LOG_SUBDOMAINS_OFF); 48-byte ruleset attrs
  // with quiet_access_* fields (ABI 10); LANDLOCK_ADD_RULE_QUIET rules. For a revision that
  // writes denial logs (model/profile.h WritesDenialLogs). 0 draws nothing more.
  int log_percent = 0;
  // Percent of scenarios (network and filesystem) with sibling threads: `thread` ops before
  // and between the layers, `on_thread` switches before restrictions and accesses, and
  // restrict_self calls with TSYNC (and NO_NEW_PRIVS|TSYNC) among their flags. Never with
  // live_comparable (TSYNC would restrict every thread of the live engine's process). 0 draws
  // nothing more.
  int thread_percent = 0;
  // Percent of scenarios between tasks (docs/tasks.md): processes forked from any task, threads,
  // restrictions with and without the signal scope in any of them, then kill and ptrace from
  // any task to any other (and to tasks that do not exist); often a pair of datagram sockets
  // task 0 made first, for SIGIO: `setown` from any task to any task, news made by task 0,
  // `sigwait` anywhere. Only ops the live engine runs with processes (scenario/live_comparable.h
  // WhyLiveMustNotRun), and with live_comparable no TSYNC. 0 draws nothing more.
  int task_percent = 0;
  // Percent of scenarios about abstract UNIX sockets (docs/tasks.md): stream, datagram and
  // seqpacket sockets made before, between and after restrictions that scope abstract sockets
  // (or signals, or a network right), bound to a few abstract names (and autobound), listening,
  // connecting and sending to them, disconnecting and closing, owners for their SIGIO and
  // sigwait; with threads when thread_percent allows and, without live_comparable, forked
  // processes. 0 draws nothing more.
  int unix_percent = 0;
};

class ScenarioGenerator {
 public:
  explicit ScenarioGenerator(uint64_t seed, GeneratorOptions options = {})
      : rng_(seed), options_(options) {}

  // A scenario of roughly `target_ops` ops (at least a ruleset, a restriction and a few probes),
  // at most 48 (kBinaryMaxOps, so every one has a binary form).
  Scenario Next(int target_ops = 12);

 private:
  struct Tree;  // what a filesystem scenario has made so far
  Scenario NextNetwork(int target_ops);
  // Whether the scenario being made has threads (thread_percent; never live_comparable).
  bool DrawThreads();
  // With threads: restrict_self flags with TSYNC now and then, else 0.
  uint32_t TsyncFlags();
  // With threads: sometimes a new thread, sometimes a switch to another one (a thread the
  // scenario made, thread 0, or rarely one that does not exist).
  void MaybeThreadOps(Scenario& s);
  Scenario NextFilesystem(int target_ops);
  Scenario NextTasks(int target_ops);
  Scenario NextUnix(int target_ops);
  std::string NewPath(const Tree& t);
  std::string AnyPath(const Tree& t);
  std::string AnyDir(const Tree& t);
  std::string AnyFile(const Tree& t);
  uint64_t FsAccess(uint64_t within);
  std::optional<FdRef> At(const Tree& t);
  Op FsAccessOp(Scenario& s, Tree& t);
  Op PathOp(OpKind kind, std::string path);
  uint64_t Port();
  uint64_t NetAccess(bool allow_zero_or_unknown);
  Op CreateRuleset();
  // create_ruleset of these rights and scopes; with log_percent, now and then ABI 10's 48-byte
  // attr whose quiet_scoped covers the scopes (between tasks, UNIX sockets).
  Op ScopedRuleset(uint64_t fs, uint64_t net, uint64_t scoped);
  Op AddNetRule(const Scenario& s);
  Op AddPathRule(const Scenario& s);
  Op Restrict(const Scenario& s);
  Op Socket();
  Op Probe(const Scenario& s);  // bind, connect or sendto
  FdRef AnyFd(const Scenario& s, bool want_ruleset);
  std::vector<uint8_t> Address(int family_hint, uint64_t port);
  bool Chance(int percent);
  int Below(int n);
  template <typename T>
  const T& PickOne(const std::vector<T>& v) {  // v not empty
    return v[static_cast<size_t>(Below(static_cast<int>(v.size())))];
  }

  std::mt19937_64 rng_;
  GeneratorOptions options_;
  bool threads_ = false;  // the scenario being made has threads (thread_percent)
};

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_GENERATOR_H_
