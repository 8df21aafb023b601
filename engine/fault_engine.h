// FaultInjectingEngine: a KernelEngine seen through the Engine interface, with two additions the
// fault fuzzer needs and RunScenario cannot give: the fail-nth switch armed right after the task
// begins (the shim counts allocations from zero per task, so "the N-th allocation of this
// scenario" is stable), and the shim's allocation count after every op, to tell which op an
// allocation belongs to.

#ifndef LOCKSTEP_ENGINE_FAULT_ENGINE_H_
#define LOCKSTEP_ENGINE_FAULT_ENGINE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/kernel_engine.h"

namespace lockstep {

class FaultInjectingEngine : public Engine {
 public:
  // `fail_nth` 0: no fault, only counting; n >= 1: the n-th allocation of each task fails.
  FaultInjectingEngine(KernelEngine& kernel, uint64_t fail_nth) : k_(kernel), fail_nth_(fail_nth) {}

  // After the last task: allocations_after_op()[i] is the task's allocation count when op i
  // returned (so op i made allocations (after[i-1], after[i]]).
  const std::vector<uint64_t>& allocations_after_op() const { return after_; }

  std::string Name() const override { return k_.Name(); }
  void BeginTask(const TaskSpec& spec) override {
    k_.BeginTask(spec);
    after_.clear();
    if (fail_nth_ > 0) k_.FailNthAllocation(fail_nth_);
  }
  std::vector<EngineFinding> EndTask() override { return k_.EndTask(); }

  long CreateRuleset(UserBuffer attr, size_t size, uint32_t flags) override {
    return Count(k_.CreateRuleset(attr, size, flags));
  }
  long AddRule(int fd, int rule_type, UserBuffer attr, uint32_t flags) override {
    return Count(k_.AddRule(fd, rule_type, attr, flags));
  }
  long RestrictSelf(int fd, uint32_t flags) override { return Count(k_.RestrictSelf(fd, flags)); }
  long SetNoNewPrivs() override { return Count(k_.SetNoNewPrivs()); }
  long Close(int fd) override { return Count(k_.Close(fd)); }
  long Socket(int family, int type, int protocol) override {
    return Count(k_.Socket(family, type, protocol));
  }
  long Bind(int fd, UserBuffer addr, int addrlen) override {
    return Count(k_.Bind(fd, addr, addrlen));
  }
  long Connect(int fd, UserBuffer addr, int addrlen) override {
    return Count(k_.Connect(fd, addr, addrlen));
  }
  long SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags) override {
    return Count(k_.SendTo(fd, addr, addrlen, flags));
  }
  long Mkdir(int dirfd, const std::string& path) override { return Count(k_.Mkdir(dirfd, path)); }
  long Mknod(int dirfd, const std::string& path, uint32_t mode, uint64_t dev) override {
    return Count(k_.Mknod(dirfd, path, mode, dev));
  }
  long Open(int dirfd, const std::string& path, uint32_t flags) override {
    return Count(k_.Open(dirfd, path, flags));
  }
  long Execute(int dirfd, const std::string& path) override {
    return Count(k_.Execute(dirfd, path));
  }
  long Truncate(int dirfd, const std::string& path) override {
    return Count(k_.Truncate(dirfd, path));
  }
  long Ftruncate(int fd) override { return Count(k_.Ftruncate(fd)); }
  long Unlink(int dirfd, const std::string& path) override { return Count(k_.Unlink(dirfd, path)); }
  long Rmdir(int dirfd, const std::string& path) override { return Count(k_.Rmdir(dirfd, path)); }
  long Rename(int old_dirfd, const std::string& old_path, int new_dirfd,
              const std::string& new_path, uint32_t flags) override {
    return Count(k_.Rename(old_dirfd, old_path, new_dirfd, new_path, flags));
  }
  long Link(int old_dirfd, const std::string& old_path, int new_dirfd,
            const std::string& new_path) override {
    return Count(k_.Link(old_dirfd, old_path, new_dirfd, new_path));
  }
  long Ioctl(int fd, uint32_t cmd) override { return Count(k_.Ioctl(fd, cmd)); }
  long BindMount(int src_dirfd, const std::string& src_path, int dst_dirfd,
                 const std::string& dst_path) override {
    return Count(k_.BindMount(src_dirfd, src_path, dst_dirfd, dst_path));
  }

 private:
  long Count(long ret) {
    after_.push_back(k_.Stats().allocations);
    return ret;
  }

  KernelEngine& k_;
  uint64_t fail_nth_;
  std::vector<uint64_t> after_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_FAULT_ENGINE_H_
