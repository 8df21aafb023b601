// The path-walk trees of bench/path_walk.h on the running kernel. Landlock restricts only the
// calling thread, so each tree lives in its own worker thread, which first gets a private mount
// namespace (unshare(CLONE_FS | CLONE_NEWNS), every mount made private) and mounts a fresh tmpfs
// on a directory the benchmark made with mkdtemp() (and removes after the worker has gone: the
// mount exists only in the worker's namespace, which dies with the thread). The worker builds the
// tree with real syscalls through the same BuildPathWalk() as the userspace engines, restricts
// itself (no_new_privs, one landlock_restrict_self() per layer), then times batches of
// openat(deep_fd, ".", O_RDONLY | O_DIRECTORY) + close() itself: thread CPU time (user + system)
// and wall time, so the hand-off between threads is not measured.
//
// Differences from the userspace engines: the tmpfs root is a mount point below the host's root,
// so a walk that no rule stops (rule:none, fs_bench) continues across the mount to "/" (a few
// more levels); on ABI >= 7 the layers are restricted with LOG_SAME_EXEC_OFF so that denials
// measure the decision, not audit logging.

#ifndef LOCKSTEP_BENCH_LIVE_PATH_WALK_H_
#define LOCKSTEP_BENCH_LIVE_PATH_WALK_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "bench/path_walk.h"

namespace lockstep {
namespace bench {

// Empty when the live path walk can run here; otherwise why not (no Landlock, no mount
// namespace, no tmpfs, ...). Tries it once with a one-level tree.
std::string LivePathWalkUnavailableReason();

class LivePathWalk {
 public:
  explicit LivePathWalk(const PathWalkSpec& spec);
  ~LivePathWalk();
  LivePathWalk(const LivePathWalk&) = delete;
  LivePathWalk& operator=(const LivePathWalk&) = delete;

  const std::string& error() const { return error_; }

  struct Batch {
    int64_t cpu_ns = 0;   // the worker thread's CPU time (user + system) for the `n` opens
    int64_t wall_ns = 0;  // their wall time (inflated when the machine is busy)
    int unexpected = 0;   // an outcome other than the spec's (errno, or -1 for an allowed open)
  };
  // `n` opens (and closes, when allowed) of the deepest directory.
  Batch Run(int64_t n);

 private:
  void Main();
  std::string Setup();
  Batch Execute(int64_t n) const;

  const PathWalkSpec spec_;
  std::string mount_dir_;  // the mkdtemp() directory, tmpfs mounted on it in the worker only
  std::string error_;
  int deep_fd_ = -1;

  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_ = false;  // setup done (error_ set if it failed)
  bool quit_ = false;
  bool pending_ = false;
  bool done_ = false;
  int64_t n_ = 0;
  Batch result_;
  std::thread thread_;
};

}  // namespace bench
}  // namespace lockstep

#endif  // LOCKSTEP_BENCH_LIVE_PATH_WALK_H_
