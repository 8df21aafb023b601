#include "scenario/generator.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/landlock_uapi.h"
#include "scenario/fs_ops.h"
#include "scenario/live_comparable.h"

namespace lockstep {
namespace {

namespace ll = ::lockstep::landlock;

struct NodeChoice {
  uint32_t type;
  uint64_t dev;
};

constexpr size_t kMaxOps = 48;  // kBinaryMaxOps

constexpr uint64_t kInterestingPorts[] = {0,    1,     22,    80,    443,       1023, 1024,
                                          8080, 65534, 65535, 65536, 1u << 20, ~0ull};

// ABI 10's tail of a ruleset attr: quiet_access_fs, quiet_access_net, quiet_scoped.
void AppendQuiet(std::vector<uint8_t>& attr, const uint64_t (&quiet)[3]) {
  for (const uint64_t q : quiet) {
    for (int i = 0; i < 8; ++i) attr.push_back(static_cast<uint8_t>(q >> (8 * i)));
  }
}

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
  // TCP and UDP rights: bind_tcp, connect_tcp, bind_udp, connect_send_udp (any nonzero mix).
  if (options_.udp_percent > 0 && Chance(options_.udp_percent)) {
    return static_cast<uint64_t>(1 + Below(15));
  }
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
  if (options_.log_percent > 0 && Chance(options_.log_percent)) {
    // ABI 10's 48-byte attr: quiet_access_fs/net and quiet_scoped, usually subsets of what is
    // handled (else EINVAL).
    const uint64_t quiet[3] = {fs & rng_(), Chance(80) ? net & rng_() : net | rng_(),
                               Chance(50) ? scoped : 0};
    AppendQuiet(attr, quiet);
  }
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
    // thread and fork return a task's number, not an fd.
    if (!ReturnsFd(op) || op.kind == OpKind::kThread || op.kind == OpKind::kFork) continue;
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
  if (options_.log_percent > 0 && Chance(options_.log_percent)) {
    op.flags = 1;  // LANDLOCK_ADD_RULE_QUIET, which may allow nothing
    if (Chance(30)) op.mem = UserMem::Of(NetPortAttr(0, Port()));
  }
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
  // TSYNC would restrict every thread of the process running the live engine.
  if (options_.live_comparable && op.flags == 0x8u) op.flags = 1u << 31;
  if (options_.log_percent > 0 && Chance(options_.log_percent)) {
    // LOG_SAME_EXEC_OFF, LOG_NEW_EXEC_ON, LOG_SUBDOMAINS_OFF in any mix; sometimes the form that
    // only mutes later domains.
    op.flags = static_cast<uint32_t>(1 + Below(7));
    if (Chance(20)) {
      op.fd = FdRef::Raw(-1);
      op.flags = 4;
    }
  }
  op.flags |= TsyncFlags();
  return op;
}

Op ScenarioGenerator::Socket() {
  Op op;
  op.kind = OpKind::kSocket;
  op.family = Chance(55) ? net::kAfInet : net::kAfInet6;
  op.type = net::kSockStream;
  op.protocol = 0;
  if (options_.udp_percent > 0 && Chance(options_.udp_percent)) {
    op.type = net::kSockDgram;
    op.protocol = Chance(50) ? net::kIpprotoUdp : 0;
    return op;
  }
  switch (Below(20)) {
    case 0: op.type = net::kSockDgram; break;
    case 1: op.protocol = net::kIpprotoMptcp; break;
    case 2: op.protocol = net::kIpprotoTcp; break;
    case 3: op.family = net::kAfUnix; break;
    case 4: op.type = net::kSockDgram; op.protocol = net::kIpprotoUdp; break;
    case 5:
      // Any family, type and protocol; with live_comparable, only what means the same to the
      // live kernel (scenario/live_comparable.h): an unsupported type or protocol of a modelled
      // family, never another family's driver.
      if (options_.live_comparable) {
        op.type = Chance(50) ? net::kSockStream : net::kSockDgram;
        op.protocol = op.type == net::kSockStream ? (Chance(50) ? net::kIpprotoTcp : 0)
                                                   : (Chance(50) ? net::kIpprotoUdp : 0);
        break;
      }
      op.family = Below(50);
      op.type = Below(12);
      op.protocol = Below(300);
      break;
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
  // No draw at 0: the network-only sequence stays what it was.
  const bool tasks = options_.task_percent > 0 && Chance(options_.task_percent);
  const bool unix_sockets = !tasks && options_.unix_percent > 0 && Chance(options_.unix_percent);
  const bool filesystem = !tasks && !unix_sockets && options_.filesystem_percent > 0 &&
                          Chance(options_.filesystem_percent);
  Scenario s = tasks          ? NextTasks(target_ops)
               : unix_sockets ? NextUnix(target_ops)
               : filesystem   ? NextFilesystem(target_ops)
                              : NextNetwork(target_ops);
  if (s.ops.size() > kMaxOps) s.ops.resize(kMaxOps);  // handles only point back: still valid
  for (size_t i = 0; i < s.ops.size(); ++i) {
    Op& op = s.ops[i];
    op.name.clear();
    if (!ReturnsFd(op)) continue;
    const char* prefix = op.kind == OpKind::kSocket ? "s"
                         : op.kind == OpKind::kOpen ? "f"
                         : op.kind == OpKind::kFork ? "p"
                                                    : "r";
    op.name = prefix + std::to_string(i);
  }
  return s;
}

bool ScenarioGenerator::DrawThreads() {
  return !options_.live_comparable && options_.thread_percent > 0 &&
         Chance(options_.thread_percent);
}

uint32_t ScenarioGenerator::TsyncFlags() {
  constexpr uint32_t kTsync = 1u << 3, kNoNewPrivs = 1u << 4;
  if (!threads_ || !Chance(40)) return 0;
  // TSYNC (ABI 8), with NO_NEW_PRIVS (ABI 11) now and then; the fd-less LOG_SUBDOMAINS_OFF
  // form propagates too.
  return Chance(25) ? kTsync | kNoNewPrivs : kTsync;
}

void ScenarioGenerator::MaybeThreadOps(Scenario& s) {
  if (!threads_) return;
  std::vector<int> made;
  for (size_t i = 0; i < s.ops.size(); ++i) {
    if (s.ops[i].kind == OpKind::kThread) made.push_back(static_cast<int>(i));
  }
  if (made.size() < 4 && Chance(made.empty() ? 60 : 20)) {
    Op t;
    t.kind = OpKind::kThread;
    s.ops.push_back(t);
    made.push_back(static_cast<int>(s.ops.size()) - 1);
  }
  if (Chance(35)) {
    Op on;
    on.kind = OpKind::kOnThread;
    const int roll = Below(100);
    if (roll < 70 && !made.empty()) {
      on.fd = FdRef::Handle(made[static_cast<size_t>(Below(static_cast<int>(made.size())))]);
    } else {
      on.fd = roll < 97 ? FdRef::Raw(0) : FdRef::Raw(Chance(50) ? -1 : 7);
    }
    s.ops.push_back(on);
  }
}

Op ScenarioGenerator::ScopedRuleset(uint64_t fs, uint64_t net, uint64_t scoped) {
  Op r;
  r.kind = OpKind::kCreateRuleset;
  std::vector<uint8_t> attr = RulesetAttr(fs, net, scoped);
  if (options_.log_percent > 0 && Chance(options_.log_percent)) {
    // ABI 10's quiet_scoped, so that a scope's denial is sometimes kept out of the logs.
    const uint64_t quiet[3] = {0, 0, Chance(50) ? scoped : 0};
    AppendQuiet(attr, quiet);
  }
  r.size = attr.size();
  r.mem = UserMem::Of(std::move(attr));
  return r;
}

Scenario ScenarioGenerator::NextTasks(int target_ops) {
  Scenario s;
  s.task.no_new_privs = !Chance(5);
  s.task.cap_sys_admin = Chance(3);
  // TSYNC among restrict_self's flags now and then (never live: it would restrict every thread
  // of the process running the live engine).
  threads_ = !options_.live_comparable;
  std::vector<int> tasks;  // the ops that made a task (fork, thread)
  const auto task = [&]() -> FdRef {
    const int roll = Below(100);
    if (roll < 80 && !tasks.empty()) return FdRef::Handle(PickOne(tasks));
    if (roll < 95) return FdRef::Raw(0);
    return FdRef::Raw(Chance(50) ? -1 : 7);  // none, or one past what was made
  };
  // Now and then a pair of datagram sockets made by task 0 first (every child inherits them),
  // each the other's peer, for SIGIO: `setown a T` from any task, then news made by task 0
  // (`on_thread 0`, `sendto b`: to its own peer, which no scope asks about).
  int sigio_a = -1, sigio_b = -1;
  // Now and then a program to execve (de_thread(): the other threads of the process end, its
  // close-on-exec fds close; other processes go on). For the live engine, by task 0's process
  // only (scenario/live_comparable.h).
  const bool execs = Chance(25);
  if (execs) {
    Op prog = PathOp(OpKind::kMknod, "prog");
    prog.mode = fs::kSIfreg | fs::kDefaultPermissions;
    s.ops.push_back(std::move(prog));
  }
  if (Chance(60)) {
    const std::vector<uint8_t> name_a = {static_cast<uint8_t>(net::kAfUnix), 0, 0, 'a'};
    const std::vector<uint8_t> name_b = {static_cast<uint8_t>(net::kAfUnix), 0, 0, 'b'};
    for (const auto* name : {&name_a, &name_b}) {
      Op sock;
      sock.kind = OpKind::kSocket;
      sock.family = net::kAfUnix;
      sock.type = net::kSockDgram;
      if (execs && Chance(50)) sock.type |= 02000000;  // SOCK_CLOEXEC: an execve closes it
      (name == &name_a ? sigio_a : sigio_b) = static_cast<int>(s.ops.size());
      s.ops.push_back(std::move(sock));
      Op bind;
      bind.kind = OpKind::kBind;
      bind.fd = FdRef::Handle(name == &name_a ? sigio_a : sigio_b);
      bind.mem = UserMem::Of(*name);
      bind.addrlen = static_cast<int32_t>(name->size());
      s.ops.push_back(std::move(bind));
    }
    for (const int from : {sigio_a, sigio_b}) {
      Op connect;
      connect.kind = OpKind::kConnect;
      connect.fd = FdRef::Handle(from);
      connect.mem = UserMem::Of(from == sigio_a ? name_b : name_a);
      connect.addrlen = static_cast<int32_t>(connect.mem.bytes.size());
      s.ops.push_back(std::move(connect));
    }
  }
  // Now and then an accepted stream connection, made by task 0 too (a listener `u`, its client
  // and the accepted end): `setown` of either end from any task, urgent bytes sent by task 0
  // (`sendto c null flags=oob`: SIGURG, then SIGIO, for the other end's owner).
  int urg_c = -1, urg_a = -1;
  if (Chance(35)) {
    const std::vector<uint8_t> name = {static_cast<uint8_t>(net::kAfUnix), 0, 0, 'u'};
    const auto stream = [&] {
      Op sock;
      sock.kind = OpKind::kSocket;
      sock.family = net::kAfUnix;
      sock.type = net::kSockStream;
      s.ops.push_back(std::move(sock));
      return static_cast<int>(s.ops.size()) - 1;
    };
    const auto with_name = [&](OpKind kind, int fd) {
      Op op;
      op.kind = kind;
      op.fd = FdRef::Handle(fd);
      op.mem = UserMem::Of(name);
      op.addrlen = static_cast<int32_t>(name.size());
      s.ops.push_back(std::move(op));
    };
    const int listener = stream();
    with_name(OpKind::kBind, listener);
    Op listen;
    listen.kind = OpKind::kListen;
    listen.fd = FdRef::Handle(listener);
    s.ops.push_back(std::move(listen));
    urg_c = stream();
    with_name(OpKind::kConnect, urg_c);
    Op accept;
    accept.kind = OpKind::kAccept;
    accept.fd = FdRef::Handle(listener);
    urg_a = static_cast<int>(s.ops.size());
    s.ops.push_back(std::move(accept));
    if (Chance(60)) {  // task 0 owns the accepted end from the start
      Op own;
      own.kind = OpKind::kSetown;
      own.fd = FdRef::Handle(urg_a);
      own.at = FdRef::Raw(0);
      s.ops.push_back(std::move(own));
    }
  }
  // Rulesets scoping signals mostly (and abstract UNIX sockets, which only make a layer here),
  // some handling a right instead: a domain that does not scope signals still limits ptrace.
  const int rulesets = 1 + Below(3);
  for (int i = 0; i < rulesets; ++i) {
    const uint64_t scoped = PickOne(std::vector<uint64_t>{2, 2, 2, 3, 1, 0});
    const uint64_t net = scoped == 0 || Chance(20) ? NetAccess(false) : 0;
    s.ops.push_back(ScopedRuleset(0, net, scoped));
  }
  const int length = std::min(target_ops + 8, static_cast<int>(kMaxOps));
  bool execed = false;  // an execve was drawn
  while (static_cast<int>(s.ops.size()) < length) {
    Op op;
    if ((sigio_a >= 0 || urg_a >= 0) && Chance(30)) {
      const bool urgent = urg_a >= 0 && (sigio_a < 0 || Chance(50));
      const int what = Below(100);
      if (what < 30) {
        op.kind = OpKind::kSetown;
        op.fd = urgent ? FdRef::Handle(Chance(70) ? urg_a : urg_c)
                       : FdRef::Handle(Chance(85) ? sigio_a : sigio_b);
        op.at = task();
      } else if (what < 50) {
        op.kind = OpKind::kSigwait;
        // SIGIO, SIGURG, or what kill sends most.
        op.flags = urgent ? (Chance(60) ? 23 : 29) : (Chance(85) ? 29 : 10);
      } else {
        Op on;
        on.kind = OpKind::kOnThread;
        on.fd = FdRef::Raw(0);
        s.ops.push_back(std::move(on));
        op.kind = OpKind::kSendTo;
        op.mem = UserMem::Null();
        if (urgent) {
          op.fd = FdRef::Handle(Chance(80) ? urg_c : urg_a);
          op.flags = 1;  // MSG_OOB
          if (static_cast<int>(s.ops.size()) + 2 < length && Chance(40)) {
            // Task 0 looks at once (it often owns the accepted end).
            s.ops.push_back(std::move(op));
            op = Op();
            op.kind = OpKind::kSigwait;
            op.flags = 23;
          }
        } else {
          op.fd = FdRef::Handle(sigio_b);
        }
      }
      s.ops.push_back(std::move(op));
      continue;
    }
    const int roll = Below(100);
    if (roll < 12) {
      op.kind = OpKind::kFork;
    } else if (roll < 17) {
      op.kind = OpKind::kThread;
    } else if (roll < 37) {
      op.kind = OpKind::kOnThread;
      op.fd = task();
    } else if (roll < 52) {
      op = Restrict(s);
    } else if (roll < 77) {
      op.kind = OpKind::kKill;
      op.fd = task();
      op.flags = PickOne(std::vector<uint32_t>{0, 10, 10, 23, 17, 65, 0xffffffffu});
    } else if (roll < 92) {
      op.kind = OpKind::kPtrace;
      op.fd = task();
    } else if (roll < 97) {
      // For the live engine, none after an execve (scenario/live_comparable.h).
      if (options_.live_comparable && execed) continue;
      op.kind = OpKind::kTraceme;
    } else if (execs && roll < 99) {
      if (options_.live_comparable && MapProcesses(s).of_op.back() != 0) continue;
      op = PathOp(OpKind::kExecve, "prog");
      execed = true;
    } else {
      op.kind = OpKind::kSetNoNewPrivs;
    }
    if (op.kind == OpKind::kFork || op.kind == OpKind::kThread) {
      tasks.push_back(static_cast<int>(s.ops.size()));
    }
    s.ops.push_back(std::move(op));
  }
  return s;
}

Scenario ScenarioGenerator::NextUnix(int target_ops) {
  Scenario s;
  s.task.no_new_privs = !Chance(5);
  s.task.cap_sys_admin = Chance(3);
  threads_ = DrawThreads();
  // Forked processes too. For the live engine (live_comparable), each process's fd ops stay on
  // the sockets it made or inherited (scenario/live_comparable.h WhyLiveMustNotRun).
  const bool processes = Chance(30);
  // Named sockets too (not live: the live checks refuse pathnames): files "s", "d/s", "d/t" of
  // the tree, rulesets handling make_sock and RESOLVE_UNIX, a rule on "d", and now and then
  // the socket file unlinked or renamed.
  const bool named = !options_.live_comparable && Chance(50);
  int dir_fd = -1;
  if (named) {
    s.ops.push_back(PathOp(OpKind::kMkdir, "d"));
    Op open = PathOp(OpKind::kOpen, "d");
    open.flags = fs::kOPath;
    dir_fd = static_cast<int>(s.ops.size());
    s.ops.push_back(std::move(open));
  }
  std::vector<int> sockets, tasks, connected, listeners, accepted;
  std::vector<std::pair<int, std::vector<uint8_t>>> bound;  // (socket type, address) of binds
  std::map<int, std::vector<uint8_t>> bound_by;      // socket handle -> the name it bound
  std::map<int, std::vector<uint8_t>> connected_to;  // socket handle -> the name it connected to
  // A few abstract names, so that binds collide and connects find them; now and then the empty
  // name (the NUL alone), the family alone (autobind), another family, an odd length.
  const auto address = [&]() -> std::vector<uint8_t> {
    static const char* const kNames[] = {"a", "b", "c"};
    const int roll = Below(100);
    if (named && Chance(45)) {
      static const char* const kPaths[] = {"s", "d/s", "d/t"};
      const char* path = kPaths[Below(3)];
      std::vector<uint8_t> b = {static_cast<uint8_t>(net::kAfUnix), 0};
      b.insert(b.end(), path, path + std::char_traits<char>::length(path));
      if (Chance(85)) b.push_back(0);  // SUN_LEN + 1; else the path fills addrlen
      return b;
    }
    if (roll < 82) {
      std::vector<uint8_t> b = {static_cast<uint8_t>(net::kAfUnix), 0, 0};
      const char* name = kNames[Below(3)];
      b.insert(b.end(), name, name + std::char_traits<char>::length(name));
      return b;
    }
    if (roll < 88) return SockaddrOfFamily(net::kAfUnix, 3);
    if (roll < 93) return SockaddrOfFamily(net::kAfUnix, 2);
    if (roll < 96) return SockaddrUnspec(0, 0);
    return SockaddrOfFamily(Chance(50) ? net::kAfInet : net::kAfUnix, Below(2) == 0 ? 1 : 111);
  };
  int last_fork = -1;
  // The sockets an op of the running process may name: for the live engine, those its process
  // made or inherited; all of them otherwise.
  const auto usable = [&](const std::vector<int>& from) {
    if (!options_.live_comparable || last_fork < 0) return from;
    const ProcessMap map = MapProcesses(s);
    const int running = map.of_op.back();
    std::vector<int> out;
    for (const int h : from) {
      if (map.Holds(running, h)) out.push_back(h);
    }
    return out;
  };
  const auto any_socket = [&]() -> FdRef {
    const std::vector<int> candidates = usable(sockets);
    if (!candidates.empty() && !Chance(4)) return FdRef::Handle(PickOne(candidates));
    if (options_.live_comparable && last_fork >= 0 && !candidates.empty()) {
      return FdRef::Handle(PickOne(candidates));
    }
    return AnyFd(s, false);
  };
  const auto new_socket = [&] {
    Op op;
    op.kind = OpKind::kSocket;
    op.family = net::kAfUnix;
    const int roll = Below(100);
    op.type = roll < 45 ? net::kSockDgram : roll < 85 ? net::kSockStream : net::kSockSeqpacket;
    if (Chance(10)) op.type |= PickOne(std::vector<int>{04000, 02000000});
    sockets.push_back(static_cast<int>(s.ops.size()));
    s.ops.push_back(std::move(op));
  };
  // Rulesets scoping abstract sockets mostly, some scoping signals only or handling a right.
  const int rulesets = 1 + Below(2);
  int first_ruleset = -1;
  for (int i = 0; i < rulesets; ++i) {
    uint64_t scoped = PickOne(std::vector<uint64_t>{1, 1, 1, 3, 2, 0});
    uint64_t fs = 0;
    if (named && Chance(50)) {
      // RESOLVE_UNIX (ABI 9), make_sock, both; the scope now and then beside them.
      fs = PickOne(std::vector<uint64_t>{ll::kAccessFsResolveUnix, ll::kAccessFsResolveUnix,
                                         ll::kAccessFsMakeSock,
                                         ll::kAccessFsResolveUnix | ll::kAccessFsMakeSock});
      if (!Chance(30)) scoped = 0;
    }
    const uint64_t net = (scoped == 0 && fs == 0) || Chance(15) ? NetAccess(false) : 0;
    const int ruleset = static_cast<int>(s.ops.size());
    if (first_ruleset < 0) first_ruleset = ruleset;
    s.ops.push_back(ScopedRuleset(fs, net, scoped));
    if (fs != 0 && Chance(60)) {
      // A rule on "d" granting what the ruleset handles (or only part of it).
      Op rule;
      rule.kind = OpKind::kAddRule;
      rule.fd = FdRef::Handle(ruleset);
      rule.rule_type = ll::kRulePathBeneath;
      const uint64_t granted = Chance(75) ? fs : fs & ll::kAccessFsResolveUnix;
      rule.mem = UserMem::Of(PathBeneathAttr(granted, -1));
      rule.parent_fd = FdRef::Handle(dir_fd);
      s.ops.push_back(std::move(rule));
    }
  }
  const int length = std::min(target_ops + 10, static_cast<int>(kMaxOps));
  while (static_cast<int>(s.ops.size()) < length) {
    Op op;
    if (!sockets.empty() && Chance(7)) {
      // SIGIO and SIGURG: an owner for a socket (task 0, a forked task, a thread, or none of
      // them), an urgent byte on a connected or accepted socket, or a look at what is pending
      // for the running task.
      std::vector<int> ends = connected;
      ends.insert(ends.end(), accepted.begin(), accepted.end());
      ends = usable(ends);
      const int what = Below(100);
      if (what < 45) {
        op.kind = OpKind::kSetown;
        op.fd = any_socket();
        const int who = Below(100);
        op.at = who < 45 || (tasks.empty() && who < 90) ? FdRef::Raw(0)
                : who < 90                               ? FdRef::Handle(PickOne(tasks))
                                                         : FdRef::Raw(1 + Below(3));
      } else if (what < 75 || ends.empty()) {
        op.kind = OpKind::kSigwait;
        op.flags = PickOne(std::vector<uint32_t>{29, 29, 29, 23, 23, 10});
      } else {
        op.kind = OpKind::kSendTo;
        op.fd = FdRef::Handle(PickOne(ends));
        op.mem = UserMem::Null();
        op.flags = 1;  // MSG_OOB
      }
      s.ops.push_back(std::move(op));
      continue;
    }
    const int roll = Below(100);
    // For the live engine, a child process without a socket makes one first.
    const bool none_held = options_.live_comparable && last_fork >= 0 && usable(sockets).empty();
    if (roll < 16 || sockets.empty() || none_held) {
      new_socket();
      continue;
    } else if (roll < 30) {
      op.kind = OpKind::kBind;
    } else if (roll < 38) {
      // A listener's connection accepted, or a listen.
      const std::vector<int> can_accept = usable(listeners);
      if (!can_accept.empty() && Chance(25)) {
        op.kind = OpKind::kAccept;
        op.fd = FdRef::Handle(PickOne(can_accept));
        if (Chance(10)) op.flags = PickOne(std::vector<uint32_t>{04000, 02000000});
      } else {
        op.kind = OpKind::kListen;
        op.fd = any_socket();
      }
    } else if (roll < 56) {
      op.kind = OpKind::kConnect;
      // Now and then a socket that connected already (EISCONN, a datagram socket's new peer).
      const std::vector<int> again = usable(connected);
      if (!again.empty() && Chance(50)) {
        op.fd = FdRef::Handle(PickOne(again));
        // Mostly the name it connected to (a listener still: EISCONN; a datagram peer again).
        const auto to = connected_to.find(op.fd.value);
        if (to != connected_to.end() && Chance(85)) {
          op.mem = UserMem::Of(to->second);
          op.addrlen = static_cast<int32_t>(to->second.size());
        }
      }
    } else if (roll < 72) {
      op.kind = OpKind::kSendTo;
      if (Chance(5)) op.flags = 1;  // MSG_OOB
    } else if (roll < 77) {
      op.kind = OpKind::kClose;
      op.fd = any_socket();
    } else if (roll < 87) {
      op = Restrict(s);
      // For the live engine, a handle its process holds (the rulesets came before any fork).
      if (options_.live_comparable && last_fork >= 0 && op.fd.kind == FdRef::Kind::kHandle) {
        const ProcessMap map = MapProcesses(s);
        if (!map.Holds(map.of_op.back(), op.fd.value)) op.fd = FdRef::Handle(first_ruleset);
      }
    } else if (named && roll < 89 && Chance(40)) {
      // The socket file goes, or moves.
      op = Chance(50) ? PathOp(OpKind::kUnlink, PickOne(std::vector<std::string>{"s", "d/s"}))
                      : PathOp(OpKind::kRename, "d/s");
      if (op.kind == OpKind::kRename) op.path2 = Chance(50) ? "d/t" : "s";
    } else if (processes && roll < 91) {
      op.kind = OpKind::kFork;
      last_fork = static_cast<int>(s.ops.size());
      tasks.push_back(static_cast<int>(s.ops.size()));
    } else if (processes && roll < 96 && !tasks.empty()) {
      op.kind = OpKind::kOnThread;
      op.fd = Chance(75) ? FdRef::Handle(PickOne(tasks)) : FdRef::Raw(0);
    } else {
      MaybeThreadOps(s);
      continue;
    }
    if (TakesAddress(op.kind) && op.addrlen == 0) {
      if (op.fd.kind != FdRef::Kind::kHandle) op.fd = any_socket();
      const int type = op.fd.kind == FdRef::Kind::kHandle
                           ? s.ops[static_cast<size_t>(op.fd.value)].type & 0xf
                           : 0;
      if (op.kind == OpKind::kSendTo && Chance(25)) {
        op.mem = Chance(90) ? UserMem::Null() : UserMem::Of({});
        op.addrlen = 0;
      } else {
        // A connect or send mostly names what a socket of its type was bound to; a connect
        // often a listener's name (the connection is then often accepted: below).
        std::vector<std::vector<uint8_t>> known, listening;
        for (const auto& [t, name] : bound) {
          if (t == type) known.push_back(name);
        }
        for (const int l : listeners) {
          const auto name = bound_by.find(l);
          if (name != bound_by.end() && (s.ops[static_cast<size_t>(l)].type & 0xf) == type) {
            listening.push_back(name->second);
          }
        }
        if (op.kind == OpKind::kConnect && !listening.empty() && Chance(55)) known = listening;
        op.mem = UserMem::Of(op.kind != OpKind::kBind && !known.empty() && Chance(60)
                                 ? PickOne(known)
                                 : address());
        op.addrlen = static_cast<int32_t>(op.mem.bytes.size());
        if (op.kind == OpKind::kBind && type != 0) bound.emplace_back(type, op.mem.bytes);
        if (op.kind == OpKind::kBind && op.fd.kind == FdRef::Kind::kHandle) {
          bound_by[op.fd.value] = op.mem.bytes;
        }
      }
    }
    const OpKind kind = op.kind;
    const FdRef fd = op.fd;
    s.ops.push_back(std::move(op));
    if (kind == OpKind::kConnect && fd.kind == FdRef::Kind::kHandle) {
      connected.push_back(fd.value);
      connected_to[fd.value] = s.ops.back().mem.bytes;
      // A connect to a listener's name is often accepted next.
      const std::vector<uint8_t> to = s.ops.back().mem.bytes;  // a copy: s.ops grows below
      for (const int l : usable(listeners)) {
        const auto name = bound_by.find(l);
        if (name == bound_by.end() || name->second != to || !Chance(80) ||
            static_cast<int>(s.ops.size()) >= length) {
          continue;
        }
        Op accept;
        accept.kind = OpKind::kAccept;
        accept.fd = FdRef::Handle(l);
        s.ops.push_back(std::move(accept));
        accepted.push_back(static_cast<int>(s.ops.size()) - 1);
        sockets.push_back(accepted.back());
        // Now and then the connected socket tries again: EISCONN, the listener found first.
        if (Chance(25) && static_cast<int>(s.ops.size()) < length) {
          Op again;
          again.kind = OpKind::kConnect;
          again.fd = fd;
          again.mem = UserMem::Of(to);
          again.addrlen = static_cast<int32_t>(to.size());
          s.ops.push_back(std::move(again));
        }
        break;
      }
    }
    if (kind == OpKind::kListen && fd.kind == FdRef::Kind::kHandle) listeners.push_back(fd.value);
    if (kind == OpKind::kAccept) {
      accepted.push_back(static_cast<int>(s.ops.size()) - 1);
      sockets.push_back(accepted.back());
    }
    // A stream or seqpacket socket just bound usually listens next: connects then find it.
    if (kind == OpKind::kBind && fd.kind == FdRef::Kind::kHandle && Chance(60) &&
        (s.ops[static_cast<size_t>(fd.value)].type & 0xf) != net::kSockDgram &&
        static_cast<int>(s.ops.size()) < length) {
      Op listen;
      listen.kind = OpKind::kListen;
      listen.fd = fd;
      s.ops.push_back(std::move(listen));
      listeners.push_back(fd.value);
    }
  }
  return s;
}

Scenario ScenarioGenerator::NextNetwork(int target_ops) {
  Scenario s;
  s.task.no_new_privs = !Chance(5);
  s.task.cap_sys_admin = Chance(3);
  threads_ = DrawThreads();
  // Layers: usually 1-3; sometimes a deep stack of 14 to 19 restrict_self calls, past the
  // 16-layer limit: mostly the last restriction again (a ruleset restricted again is one more
  // layer), now and then a new ruleset with at most one rule, so that all of it fits in kMaxOps.
  const bool deep = Chance(6);
  const int layers = deep ? 14 + Below(6) : 1 + Below(3);
  const bool early_socket = Chance(40);
  if (early_socket) s.ops.push_back(Socket());
  size_t last_restrict = 0;
  for (int layer = 0; layer < layers && static_cast<int>(s.ops.size()) < 48; ++layer) {
    if (deep) {
      if (layer > 0 && !Chance(20)) {
        s.ops.push_back(s.ops[last_restrict]);
        continue;
      }
      s.ops.push_back(CreateRuleset());
      if (Chance(50)) s.ops.push_back(Chance(8) ? AddPathRule(s) : AddNetRule(s));
      last_restrict = s.ops.size();
      s.ops.push_back(Restrict(s));
      continue;
    }
    s.ops.push_back(CreateRuleset());
    const int rules = Below(5);
    for (int r = 0; r < rules; ++r) {
      s.ops.push_back(Chance(8) ? AddPathRule(s) : AddNetRule(s));
      if (Chance(10)) s.ops.push_back(s.ops.back());  // duplicate rule
    }
    MaybeThreadOps(s);
    if (Chance(threads_ ? 15 : 3)) {
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
    if (threads_ && Chance(30)) MaybeThreadOps(s);
    if (threads_ && Chance(8)) s.ops.push_back(Restrict(s));
    if (s.ops.size() < 48) s.ops.push_back(Probe(s));
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The filesystem

struct ScenarioGenerator::Tree {
  std::vector<std::string> dirs = {"."};
  std::vector<std::string> files;  // regular files (what execute, truncate and link want)
  std::vector<std::string> nodes;  // devices, FIFOs, sockets, whiteouts
  std::vector<int> dir_fds;        // ops that opened a directory (at= and parent_fd=)
  std::vector<int> file_fds;       // ops that opened a file for reading or writing
  std::vector<int> null_fds;       // ops that opened the null device (ioctl_dev)
};

namespace {

// Rights Landlock knows for files (a rule on a file may only grant these).
constexpr uint64_t kFileRights = ll::kAccessFsExecute | ll::kAccessFsWriteFile |
                                 ll::kAccessFsReadFile | ll::kAccessFsTruncate |
                                 ll::kAccessFsIoctlDev;

constexpr uint32_t kIoctlCommands[] = {
    fs::kFionread, fs::kFioclex,      fs::kFionclex,       fs::kFionbio,
    fs::kFioasync, fs::kFioqsize,     fs::kFigetbsz,       fs::kFifreeze,
    fs::kFithaw,   fs::kFsIocFiemap,  fs::kFiclone,        fs::kFiclonerange,
    fs::kFideduperange, fs::kFsIocGetfsuuid, fs::kFsIocGetfssysfspath, fs::kFsIocGetflags,
    fs::kFsIocSetflags};

std::string Join(const std::string& dir, char name) {
  return dir == "." ? std::string(1, name) : dir + "/" + name;
}

}  // namespace

std::string ScenarioGenerator::NewPath(const Tree& t) {
  std::string dir = AnyDir(t);
  // At most four names deep: the binary form's short paths.
  while (std::count(dir.begin(), dir.end(), '/') >= 3) dir = ".";
  return Join(dir, static_cast<char>('a' + Below(6)));
}

std::string ScenarioGenerator::AnyDir(const Tree& t) { return PickOne(t.dirs); }

std::string ScenarioGenerator::AnyFile(const Tree& t) {
  if (t.files.empty() || Chance(5)) return NewPath(t);
  return PickOne(t.files);
}

std::string ScenarioGenerator::AnyPath(const Tree& t) {
  const int roll = Below(100);
  if (roll < 45) return AnyFile(t);
  if (roll < 75) return AnyDir(t);
  if (roll < 90 && !t.nodes.empty()) {
    return PickOne(t.nodes);
  }
  return NewPath(t);
}

uint64_t ScenarioGenerator::FsAccess(uint64_t within) {
  if (Chance(5)) return Chance(50) ? 0 : 1ull << Below(Chance(90) ? 16 : 64);
  uint64_t access = 0;
  for (uint64_t bit = 1; bit <= ll::kAccessFsIoctlDev; bit <<= 1) {
    if ((within & bit) != 0 && Chance(45)) access |= bit;
  }
  return access != 0 ? access : within;
}

// Sometimes a path resolves from a directory fd instead of the root: an open of one of the
// tree's directories (the path, chosen from the root, may then miss), a file (ENOTDIR) or a raw
// fd for the bad-fd paths.
std::optional<FdRef> ScenarioGenerator::At(const Tree& t) {
  if (!Chance(20)) return std::nullopt;
  if (!t.dir_fds.empty() && !Chance(10)) {
    return FdRef::Handle(PickOne(t.dir_fds));
  }
  if (!t.file_fds.empty() && Chance(50)) return FdRef::Handle(t.file_fds.back());  // ENOTDIR
  if (options_.live_comparable) return FdRef::Raw(Chance(50) ? -1 : 1 << 30);
  constexpr int kRawFds[] = {-1, 0, 1000, 1 << 30};
  return FdRef::Raw(kRawFds[Below(std::size(kRawFds))]);
}

Op ScenarioGenerator::PathOp(OpKind kind, std::string path) {
  Op op;
  op.kind = kind;
  op.path = std::move(path);
  return op;
}

// One access after (or between) the restrictions.
Op ScenarioGenerator::FsAccessOp(Scenario& s, Tree& t) {
  const int roll = Below(100);
  const int index = static_cast<int>(s.ops.size());
  if (roll < 22) {  // open
    const bool dir = Chance(25);
    Op op = PathOp(OpKind::kOpen, dir ? AnyDir(t) : AnyPath(t));
    constexpr uint32_t kFileFlags[] = {
        fs::kORdonly,           fs::kOWronly,
        fs::kORdwr,             fs::kOWronly | fs::kOCreat,
        fs::kORdwr | fs::kOTrunc, fs::kOWronly | fs::kOCreat | fs::kOExcl,
        fs::kOPath,             fs::kORdonly | fs::kOCloexec,
        fs::kOWronly | fs::kOTrunc, fs::kOCreat | fs::kODirectory};
    op.flags = dir ? (Chance(50) ? fs::kORdonly | fs::kODirectory : fs::kOPath)
                   : kFileFlags[Below(std::size(kFileFlags))];
    // A stray flag bit; with live_comparable only the model's (scenario/live_comparable.h).
    if (Chance(5)) {
      constexpr uint32_t kModelBits[] = {fs::kOCreat,     fs::kOExcl,     fs::kOTrunc,
                                         fs::kONonblock,  fs::kODirectory, fs::kOCloexec,
                                         fs::kOPath};
      op.flags = static_cast<uint32_t>(Below(4)) |
                 (options_.live_comparable ? kModelBits[Below(std::size(kModelBits))]
                                           : 1u << Below(24));
    }
    op.at = At(t);
    if ((op.flags & fs::kOCreat) != 0) t.files.push_back(op.path);
    if (dir) t.dir_fds.push_back(index);
    if (!dir && (op.flags & fs::kOPath) == 0) t.file_fds.push_back(index);
    return op;
  }
  if (roll < 30) {  // make something new
    if (Chance(40)) {
      Op op = PathOp(OpKind::kMkdir, NewPath(t));
      t.dirs.push_back(op.path);
      op.at = At(t);
      return op;
    }
    Op op = PathOp(OpKind::kMknod, NewPath(t));
    constexpr NodeChoice kNodes[] = {
        {fs::kSIfreg, 0}, {fs::kSIfifo, 0}, {fs::kSIfsock, 0}, {fs::kSIfchr, fs::kNullDevice},
        {fs::kSIfchr, 0}, {fs::kSIfblk, 0}, {0, 0},            {fs::kSIfdir, 0}};
    const NodeChoice& n = kNodes[Below(std::size(kNodes))];
    op.mode = n.type | fs::kDefaultPermissions;
    op.dev = n.dev;
    (n.type == fs::kSIfreg || n.type == 0 ? t.files : t.nodes).push_back(op.path);
    op.at = At(t);
    return op;
  }
  if (roll < 40) {  // remove
    const bool dir = Chance(35);
    Op op = PathOp(dir ? OpKind::kRmdir : OpKind::kUnlink, dir ? AnyDir(t) : AnyPath(t));
    op.at = At(t);
    return op;
  }
  if (roll < 58) {  // rename or link, often across directories
    const bool link = Chance(30);
    Op op = PathOp(link ? OpKind::kLink : OpKind::kRename, Chance(70) ? AnyFile(t) : AnyPath(t));
    op.path2 = Chance(60) ? NewPath(t) : AnyPath(t);
    if (!link) {
      constexpr uint32_t kFlags[] = {0, 0, 0, fs::kRenameNoreplace, fs::kRenameExchange,
                                     fs::kRenameWhiteout,
                                     fs::kRenameExchange | fs::kRenameNoreplace, 8};
      op.flags = kFlags[Below(std::size(kFlags))];
    }
    op.at = At(t);
    op.at2 = At(t);
    t.files.push_back(op.path2);
    return op;
  }
  if (roll < 70) {  // truncate by path or by fd
    if (!t.file_fds.empty() && Chance(50)) {
      Op op;
      op.kind = OpKind::kFtruncate;
      op.fd = FdRef::Handle(PickOne(t.file_fds));
      return op;
    }
    Op op = PathOp(OpKind::kTruncate, Chance(85) ? AnyFile(t) : AnyPath(t));
    op.at = At(t);
    return op;
  }
  if (roll < 82) {  // ioctl: on the null device (ioctl_dev), a regular file, a directory fd
    Op op;
    op.kind = OpKind::kIoctl;
    std::vector<int> fds = t.null_fds;
    if (fds.empty() || Chance(40)) fds = t.file_fds;
    if (fds.empty() || Chance(10)) fds = t.dir_fds;
    op.fd = fds.empty() ? FdRef::Raw(-1) : FdRef::Handle(PickOne(fds));
    op.flags = kIoctlCommands[Below(std::size(kIoctlCommands))];
    if (!options_.live_comparable && Chance(5)) op.flags = static_cast<uint32_t>(rng_());
    return op;
  }
  if (roll < 92) {  // execute; or execve, after which the task runs another program
    const OpKind kind = Chance(25) ? OpKind::kExecve : OpKind::kExecute;
    Op op = PathOp(kind, Chance(85) ? AnyFile(t) : AnyPath(t));
    op.at = At(t);
    return op;
  }
  if (roll < 95) {  // a bind mount under a domain: denied
    Op op = PathOp(OpKind::kBindMount, AnyDir(t));
    op.path2 = AnyDir(t);
    return op;
  }
  Op op;  // close an open file: its fd goes bad, the file stays
  op.kind = OpKind::kClose;
  op.fd = t.file_fds.empty() ? FdRef::Raw(-1) : FdRef::Handle(t.file_fds.back());
  return op;
}

Scenario ScenarioGenerator::NextFilesystem(int target_ops) {
  Scenario s;
  Tree t;
  s.task.no_new_privs = !Chance(5);
  s.task.cap_sys_admin = Chance(30);
  threads_ = DrawThreads();
  // The tree: a few directories, files and special files.
  const int dirs = 2 + Below(3);
  for (int i = 0; i < dirs; ++i) {
    Op op = PathOp(OpKind::kMkdir, NewPath(t));
    t.dirs.push_back(op.path);
    s.ops.push_back(std::move(op));
  }
  const int files = 1 + Below(3);
  for (int i = 0; i < files; ++i) {
    std::string path = NewPath(t);
    t.files.push_back(path);
    if (Chance(50)) {
      Op op = PathOp(OpKind::kMknod, std::move(path));
      op.mode = fs::kSIfreg | fs::kDefaultPermissions;
      s.ops.push_back(std::move(op));
    } else {
      Op op = PathOp(OpKind::kOpen, std::move(path));
      op.flags = Chance(50) ? fs::kOWronly | fs::kOCreat : fs::kORdwr | fs::kOCreat;
      t.file_fds.push_back(static_cast<int>(s.ops.size()));  // open before the domain
      s.ops.push_back(std::move(op));
    }
  }
  if (Chance(50)) {
    Op op = PathOp(OpKind::kMknod, NewPath(t));
    op.mode = fs::kSIfchr | fs::kDefaultPermissions;
    op.dev = fs::kNullDevice;
    t.nodes.push_back(op.path);
    const std::string null_path = op.path;
    s.ops.push_back(std::move(op));
    if (Chance(50)) {  // opened before the domain: the ioctl right is recorded at open
      Op open = PathOp(OpKind::kOpen, null_path);
      open.flags = Chance(50) ? fs::kORdonly : fs::kORdwr;
      t.null_fds.push_back(static_cast<int>(s.ops.size()));
      s.ops.push_back(std::move(open));
    }
  }
  if (s.task.cap_sys_admin && Chance(50)) {  // a bind mount, allowed before any domain
    Op op = PathOp(OpKind::kBindMount, AnyDir(t));
    op.path2 = AnyDir(t);
    s.ops.push_back(std::move(op));
  }
  // Layers of path_beneath rules on `open ... path` fds.
  const int layers = Chance(10) ? 0 : 1 + Below(Chance(80) ? 2 : 4);
  // Sometimes the sandboxed task goes on as another program (execve, below): its later denials
  // are judged by LOG_NEW_EXEC_ON rather than LOG_SAME_EXEC_OFF. Its layers then often leave
  // executing alone, so that the execve runs.
  const bool execs = layers > 0 && Chance(20);
  for (int layer = 0; layer < layers; ++layer) {
    uint64_t handled =
        Chance(40) ? ll::kAccessFsAll : FsAccess(ll::kAccessFsAll) & ll::kAccessFsAll;
    if (execs && Chance(70)) {
      handled &= ~(ll::kAccessFsExecute | ll::kAccessFsReadFile);
      if (handled == 0) handled = ll::kAccessFsMakeReg;
    }
    Op create;
    create.kind = OpKind::kCreateRuleset;
    std::vector<uint8_t> attr = RulesetAttr(handled, Chance(10) ? NetAccess(false) : 0, 0);
    create.size = attr.size();
    create.mem = UserMem::Of(std::move(attr));
    const int ruleset = static_cast<int>(s.ops.size());
    s.ops.push_back(std::move(create));
    const int rules = Below(4);
    for (int r = 0; r < rules; ++r) {
      const bool on_file = Chance(15) && !t.files.empty();
      Op open = PathOp(OpKind::kOpen, on_file ? AnyFile(t) : AnyDir(t));
      open.flags = Chance(80) ? fs::kOPath : fs::kORdonly | (on_file ? 0 : fs::kODirectory);
      const int parent = static_cast<int>(s.ops.size());
      if (!on_file) t.dir_fds.push_back(parent);
      s.ops.push_back(std::move(open));
      Op rule;
      rule.kind = OpKind::kAddRule;
      rule.fd = FdRef::Handle(ruleset);
      rule.rule_type = ll::kRulePathBeneath;
      uint64_t allowed = FsAccess(handled);
      if (on_file && !Chance(10)) allowed &= kFileRights;
      rule.mem = UserMem::Of(PathBeneathAttr(allowed, 0));
      rule.parent_fd = FdRef::Handle(parent);
      s.ops.push_back(std::move(rule));
    }
    Op restrict;
    restrict.kind = OpKind::kRestrictSelf;
    restrict.fd = FdRef::Handle(ruleset);
    if (options_.log_percent > 0 && Chance(options_.log_percent)) {
      restrict.flags = static_cast<uint32_t>(1 + Below(7));  // the LOG_* flags in any mix
    }
    restrict.flags |= TsyncFlags();
    MaybeThreadOps(s);
    s.ops.push_back(std::move(restrict));
    if (layer + 1 < layers) {  // accesses between layers see the domain so far
      for (int i = Below(3); i > 0; --i) s.ops.push_back(FsAccessOp(s, t));
    }
  }
  if (execs) {
    for (int i = Below(3); i > 0; --i) s.ops.push_back(FsAccessOp(s, t));
    Op exec = PathOp(OpKind::kExecve, AnyFile(t));
    exec.at = At(t);
    s.ops.push_back(std::move(exec));
  }
  while (static_cast<int>(s.ops.size()) < std::max(target_ops, 6) && s.ops.size() < kMaxOps) {
    if (threads_ && Chance(15)) MaybeThreadOps(s);
    if (s.ops.size() < kMaxOps) s.ops.push_back(FsAccessOp(s, t));
  }
  // Sometimes a few more accesses past the target, so ops after the tree is busy are common.
  for (int i = Below(4); i > 0 && s.ops.size() < kMaxOps; --i) s.ops.push_back(FsAccessOp(s, t));
  return s;
}

}  // namespace lockstep
