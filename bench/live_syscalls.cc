#include "bench/live_syscalls.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "engine/landlock_uapi.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

namespace lockstep {
namespace bench {
namespace {

long LandlockCreateRuleset(const void* attr, size_t size, uint32_t flags) {
  return syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

std::string Errno(const char* what) { return std::string(what) + ": " + strerror(errno); }

// In the calling thread: a new network namespace with lo up.
std::string EnterPrivateNetns() {
  if (unshare(CLONE_NEWNET) != 0) return Errno("unshare(CLONE_NEWNET)");
  const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return Errno("socket for SIOCSIFFLAGS");
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof(ifr));
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  std::string error;
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
    error = Errno("SIOCGIFFLAGS lo");
  } else {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) error = Errno("SIOCSIFFLAGS lo up");
  }
  close(s);
  return error;
}

}  // namespace

std::string LiveUnavailableReason() {
  static const std::string reason = [] {
    const long abi = LandlockCreateRuleset(nullptr, 0, landlock::kCreateRulesetVersion);
    if (abi < 0) return Errno("Landlock is not enabled on this kernel (landlock_create_ruleset)");
    if (abi < 4) return "Landlock ABI " + std::to_string(abi) + " has no network rules (needs 4)";
    std::string error;
    std::thread probe([&error] { error = EnterPrivateNetns(); });
    probe.join();
    if (!error.empty()) return "no private network namespace: " + error;
    return std::string();
  }();
  return reason;
}

LiveDomain::LiveDomain(int layers, int rules) : layers_(layers), rules_(rules) {
  thread_ = std::thread([this] { Main(); });
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return ready_; });
}

LiveDomain::~LiveDomain() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LiveDomain::Main() {
  std::string error = EnterPrivateNetns();
  if (error.empty() && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) error = Errno("no_new_privs");
  // Connect sockets are bound to port kFirstPort - 1 before the domain exists (Landlock checks
  // bind, not a bound socket's connect): with an ephemeral source port, a connect to a port that
  // happens to be that source port would connect to itself (TCP simultaneous open).
  if (error.empty()) {
    connect4_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    connect6_ = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const std::vector<uint8_t> a4 = SockaddrIn(kFirstPort - 1);
    const std::vector<uint8_t> a6 = SockaddrIn6(kFirstPort - 1);
    if (connect4_ < 0 || connect6_ < 0) {
      error = Errno("socket");
    } else if (bind(connect4_, reinterpret_cast<const sockaddr*>(a4.data()), a4.size()) != 0 ||
               bind(connect6_, reinterpret_cast<const sockaddr*>(a6.data()), a6.size()) != 0) {
      error = Errno("bind of the connect sockets");
    }
  }
  const std::vector<uint8_t> attr = RulesetAttr(0, landlock::kAccessNetAll, 0);
  std::vector<uint8_t> rule = NetPortAttr(landlock::kAccessNetAll, 0);
  for (int layer = 0; error.empty() && layer < layers_; ++layer) {
    const long fd = LandlockCreateRuleset(attr.data(), attr.size(), 0);
    if (fd < 0) {
      error = Errno("landlock_create_ruleset");
      break;
    }
    for (int i = 0; error.empty() && i < rules_; ++i) {
      const uint64_t port = RulePort(i, rules_);
      std::memcpy(rule.data() + 8, &port, sizeof(port));
      if (syscall(__NR_landlock_add_rule, fd, landlock::kRuleNetPort, rule.data(), 0) != 0) {
        error = Errno("landlock_add_rule");
      }
    }
    if (error.empty() && syscall(__NR_landlock_restrict_self, fd, 0) != 0) {
      error = Errno("landlock_restrict_self");
    }
    close(static_cast<int>(fd));
  }
  if (error.empty()) {
    fd4_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    fd6_ = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd4_ < 0 || fd6_ < 0) error = Errno("socket");
  }

  std::unique_lock<std::mutex> lock(mu_);
  error_ = error;
  ready_ = true;
  cv_.notify_all();
  while (true) {
    cv_.wait(lock, [this] { return quit_ || pending_; });
    if (quit_) break;
    pending_ = false;
    lock.unlock();
    const Batch result = Execute();
    lock.lock();
    result_ = result;
    done_ = true;
    cv_.notify_all();
  }
  for (int fd : {fd4_, fd6_, connect4_, connect6_}) {
    if (fd >= 0) close(fd);
  }
}

LiveDomain::Batch LiveDomain::Execute() {
  Batch b;
  const int fd = op_ == Op::kConnect ? (family_ == Family::kIpv4 ? connect4_ : connect6_)
                                     : (family_ == Family::kIpv4 ? fd4_ : fd6_);
  const int expected_denied = EACCES;
  struct timespec cpu0, cpu1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n_; ++i) {
    const auto* addr = static_cast<const struct sockaddr*>(probes_->At(i & (kProbes - 1)));
    const socklen_t len = static_cast<socklen_t>(probes_->size);
    const int ret = op_ == Op::kConnect ? connect(fd, addr, len) : bind(fd, addr, len);
    const int err = ret == 0 ? 0 : errno;
    bool ok;
    if (!hit_ && layers_ > 0) {
      ok = err == expected_denied;
    } else if (op_ == Op::kConnect) {
      ok = err == ECONNREFUSED;
    } else {
      ok = err == 0 || err == EINVAL || err == EADDRINUSE;
    }
    if (!ok && b.unexpected == 0) b.unexpected = err == 0 ? -1 : err;
  }
  b.wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
  b.cpu_ns = (cpu1.tv_sec - cpu0.tv_sec) * 1000000000LL + (cpu1.tv_nsec - cpu0.tv_nsec);
  return b;
}

LiveDomain::Batch LiveDomain::Run(Op op, Family family, bool hit, const Probes* probes,
                                  int64_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  op_ = op;
  family_ = family;
  hit_ = hit;
  probes_ = probes;
  n_ = n;
  done_ = false;
  pending_ = true;
  cv_.notify_all();
  cv_.wait(lock, [this] { return done_; });
  return result_;
}

}  // namespace bench
}  // namespace lockstep
