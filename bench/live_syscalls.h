// The live kernel's connect()/bind() syscalls against the same domains as bench/domain.h, for
// context next to the userspace decision. Landlock restricts only the calling thread, so each
// domain lives in its own worker thread that first moves into a private network namespace
// (unshare(CLONE_NEWNET), lo up: loopback only, no probe can reach a real listener), then
// restricts itself layer by layer. The benchmark thread hands it batches of syscalls; the worker
// times each batch itself (thread CPU time, which includes the time in the kernel, and wall
// time), so the hand-off is not measured.
//
// Outcomes: connect denied → EACCES, allowed → ECONNREFUSED (nothing listens); bind denied →
// EACCES, allowed → 0 the first time, EINVAL after (the socket is bound).

#ifndef LOCKSTEP_BENCH_LIVE_SYSCALLS_H_
#define LOCKSTEP_BENCH_LIVE_SYSCALLS_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "bench/domain.h"

namespace lockstep {
namespace bench {

// Empty when live benchmarks can run here; otherwise why not (no Landlock, ABI < 4, no
// CLONE_NEWNET, ...).
std::string LiveUnavailableReason();

class LiveDomain {
 public:
  // layers == 0: no domain (the stack alone, for the syscall's own cost).
  LiveDomain(int layers, int rules);
  ~LiveDomain();
  LiveDomain(const LiveDomain&) = delete;
  LiveDomain& operator=(const LiveDomain&) = delete;

  const std::string& error() const { return error_; }

  struct Batch {
    int64_t cpu_ns = 0;   // the worker thread's CPU time (user + system) for the `n` syscalls
    int64_t wall_ns = 0;  // their wall time (inflated when the machine is busy)
    int unexpected = 0;   // an errno that is not the expected outcome (0: all as expected)
  };
  // `n` syscalls of `op` on a TCP socket of `family`, rotating through `probes`.
  Batch Run(Op op, Family family, bool hit, const Probes* probes, int64_t n);

 private:
  void Main();
  Batch Execute();

  const int layers_;
  const int rules_;
  std::string error_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_ = false;  // setup done (error_ set if it failed)
  bool quit_ = false;
  bool pending_ = false;
  bool done_ = false;
  // The request and its answer.
  Op op_ = Op::kConnect;
  Family family_ = Family::kIpv4;
  bool hit_ = false;
  const Probes* probes_ = nullptr;
  int64_t n_ = 0;
  Batch result_;

  int fd4_ = -1;  // unbound: for bind()
  int fd6_ = -1;
  int connect4_ = -1;  // bound to 127.0.0.1 / ::1 port kFirstPort - 1: for connect()
  int connect6_ = -1;
  std::thread thread_;
};

}  // namespace bench
}  // namespace lockstep

#endif  // LOCKSTEP_BENCH_LIVE_SYSCALLS_H_
