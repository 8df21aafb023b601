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

  long Syscall(const OpArgs& args) override { return Count(k_.Syscall(args)); }

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
