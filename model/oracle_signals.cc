// The oracle's signals between tasks beyond kill (oracle_engine.cc): what stays pending for a
// task (every task blocks every signal), sigwait, and SIGIO through a file's owner, written from
// fcntl(2), signal(7) and landlock.h's LANDLOCK_SCOPE_SIGNAL: F_SETOWN_EX records the setter's
// domain as it is then, and each SIGIO is judged by that record as the setter's kill of the
// owner would be, whoever makes the socket's news (oracle_unix.cc says what news is).

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/oracle_engine.h"

namespace lockstep {
namespace {

constexpr long kEbadf = -EBADF;
constexpr long kEsrch = -ESRCH;
constexpr long kEagain = -EAGAIN;
constexpr uint64_t kScopeSignal = 1u << 1;
constexpr int kSigio = 29;
constexpr int kSigurg = 23;

}  // namespace

// How the kernel queues a signal for a task that blocks it (every task here blocks every
// signal): a standard signal is pending once however often it is sent, a real-time one once
// per send; a stop signal (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) cancels a pending SIGCONT in
// every thread of the process, and SIGCONT cancels the pending stop signals. Signal 0 sends
// nothing.
void OracleEngine::Deliver(int task, int sig) {
  constexpr int kSigcont = 18;
  const auto is_stop = [](int n) { return n == 19 || (n >= 20 && n <= 22); };
  if (sig <= 0 || sig > 64) return;
  if (is_stop(sig) || sig == kSigcont) {
    uint64_t flush = 0;
    for (int n = 1; n < 32; ++n) {
      if (sig == kSigcont ? is_stop(n) : n == kSigcont) flush |= uint64_t{1} << (n - 1);
    }
    for (ThreadState& t : threads_) {
      if (t.process == ProcessOf(task)) t.pending &= ~flush;
    }
  }
  threads_[static_cast<size_t>(task)].pending |= uint64_t{1} << (sig - 1);
  if (sig < 32) return;
  if (rt_queued_.size() < threads_.size()) rt_queued_.resize(kMaxThreads);
  uint16_t& queued = rt_queued_[static_cast<size_t>(task)][static_cast<size_t>(sig - 32)];
  if (queued < UINT16_MAX) ++queued;
}

// rt_sigtimedwait() of one signal without waiting: SIGKILL and SIGSTOP are never waited for,
// and a number outside 1..64 makes an empty set.
long OracleEngine::Sigwait(int sig) {
  if (sig < 1 || sig > 64 || sig == 9 || sig == 19) return kEagain;
  ThreadState& t = threads_[static_cast<size_t>(thread_)];
  const uint64_t bit = uint64_t{1} << (sig - 1);
  if ((t.pending & bit) == 0) return kEagain;
  // A real-time signal sent more than once is still pending after one is taken.
  if (sig >= 32) {
    uint16_t& queued = rt_queued_[static_cast<size_t>(thread_)][static_cast<size_t>(sig - 32)];
    if (--queued > 0) return 0;
  }
  t.pending &= ~bit;
  return 0;
}

// F_SETOWN_EX (F_OWNER_TID) and O_ASYNC, and what Landlock's hook_file_set_fowner records, as
// landlock.h documents LANDLOCK_SCOPE_SIGNAL for SIGIO: the scope is judged with the domain the
// setter had when it set the owner, not the one of whoever makes the socket's news; an owner in
// the setter's own process is always signalled.
long OracleEngine::Setown(int fd, int task) {
  if (LookupFile(fd) == nullptr) return kEbadf;
  if (!LiveTask(task)) return kEsrch;
  File& f = *fds_[static_cast<size_t>(fd)];
  if (f.fown < 0) {
    f.fown = static_cast<int>(fowns_.size());
    fowns_.emplace_back();
  }
  Fown& o = fowns_[static_cast<size_t>(f.fown)];
  const int old_domain = YoungestOf(o.layers);
  o.owner = task;
  o.layers.clear();
  o.setter_process = -1;
  const bool scopes_signals =
      std::any_of(layers_.begin(), layers_.end(),
                  [](const Layer& l) { return (l.scoped & kScopeSignal) != 0; });
  if (ProcessOf(task) != process_ && scopes_signals) {
    o.layers = layers_;
    o.setter_process = process_;
    HoldDomain(YoungestDomain());
  }
  ReleaseDomain(old_domain);
  o.async = true;
  return 0;
}

void OracleEngine::FileGone(int unix_socket, int fown) {
  if (unix_socket >= 0) UnixClosed(unix_socket);
  if (fown >= 0) ReleaseDomain(YoungestOf(fowns_[static_cast<size_t>(fown)].layers));
}

void OracleEngine::RaiseSigio(int s) { SignalOwner(s, kSigio); }

void OracleEngine::RaiseSigurg(int s) { SignalOwner(s, kSigurg); }

void OracleEngine::SignalOwner(int s, int sig) {
  const UnixSocket& u = UnixAt(s);
  if (u.closed || u.file == nullptr || u.file->fown < 0) return;
  const Fown& o = fowns_[static_cast<size_t>(u.file->fown)];
  // SIGIO goes through the file's fasync list (O_ASYNC); SIGURG to the owner alone.
  if ((sig == kSigio && !o.async) || !LiveTask(o.owner)) return;
  // Nothing recorded, or the setter's own process: delivered. Else the layers recorded judge
  // the owner as they judge a kill's target.
  if (!o.layers.empty() && ProcessOf(o.owner) != o.setter_process) {
    const int layer = ScopingLayerOf(o.layers, kScopeSignal, YoungestOf(LayersOf(o.owner)));
    if (layer >= 0) {
      if (LogsDenials()) {
        const Layer& l = o.layers[static_cast<size_t>(layer)];
        LogDenial(DomainNumbered(l.domain), l.same_exec, kScopeSignal, /*object_quiet=*/true,
                  l.quiet_scoped, "scope.signal", TaskObject(o.owner));
      }
      return;
    }
  }
  Deliver(o.owner, sig);
}

}  // namespace lockstep
