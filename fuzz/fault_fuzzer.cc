// The fault-injection fuzz target: the input also chooses which kernel allocation fails.
//
//   input := u16 selector (little-endian) ‖ scenario bytes (DecodeScenario)
//
// A fault-free run of the scenario on the kernel engine counts the allocations each op makes
// (FaultInjectingEngine); the selector picks allocation n in 1..total, and so the op k that makes
// it. The scenario then runs with that allocation failing, and must:
//   1. notice nothing: no WARN_ON, no leak, no lock or RCU state left, no refcount problem
//      (EndTask findings empty; ASan/UBSan/LSan watch the rest);
//   2. fail op k with the error the kernel gives for it: -ENOMEM, or for socket() the socket
//      layer's -ENFILE / -ENOBUFS, for accept() sock_alloc()'s -ENFILE;
//   3. change no later decision: on every other op, the same outcome as the scenario with op k
//      replaced by an inert failing op of the same kind (create_ruleset with a NULL attr,
//      add_rule / restrict_self with flag bit 31, unknown to every revision (flags=1 is
//      LOG_SAME_EXEC_OFF from ABI 7 and LANDLOCK_ADD_RULE_QUIET from ABI 10), socket of an invalid family, an fd of -1, a path
//      op resolving from the fd -1; for fork, which has none, a close of fd -1).
// Checks 1 to 3 are one judgement (scenario/compare.h): the faulted run against the inert run
// with op k's outcome replaced by the error it must give. A violation is minimized, written as a
// .scn (replay with --fail_nth=N) and aborts.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "engine/fault_engine.h"
#include "engine/kernel_engine.h"
#include "scenario/binary.h"
#include "scenario/compare.h"
#include "scenario/minimize.h"
#include "scenario/runner.h"

namespace lockstep {
namespace {

constexpr int kENOMEM = 12, kENFILE = 23, kENOBUFS = 105;

KernelEngine* g_kernel = nullptr;

void Init() {
  if (g_kernel == nullptr) g_kernel = NewDefaultKernelEngine().release();
}

// Op `op` made into a call of the same kind that fails before touching any state.
Op Inert(Op op) {
  switch (op.kind) {
    case OpKind::kCreateRuleset:
      op.mem = UserMem::Null();
      op.size = 0;
      op.flags = 0;
      break;
    case OpKind::kAddRule:
    case OpKind::kRestrictSelf:
      op.flags = 1u << 31;
      break;
    case OpKind::kSocket:
      op.family = -1;  // < 0: -EAFNOSUPPORT before anything is allocated
      break;
    case OpKind::kSetNoNewPrivs:
    case OpKind::kThread:
      break;  // has no failing form; it never allocates kernel memory
    case OpKind::kFork:
      // fork has no failing form that changes nothing (only the task limit's EAGAIN): a close
      // of fd -1 stands for it; its one allocation (the child's credentials) fails with ENOMEM.
      op = Op();
      op.kind = OpKind::kClose;
      op.fd = FdRef::Raw(-1);
      break;
    default:
      if (Takes(op.kind, LOCKSTEP_ARG_PATH)) {
        // A relative path from a bad dirfd: -EBADF at the start of resolution (mknod's type
        // checks come first but touch no state either).
        op.at = FdRef::Raw(-1);
      } else if (Takes(op.kind, LOCKSTEP_ARG_FD)) {
        op.fd = FdRef::Raw(-1);  // -EBADF before anything else (close, bind, ftruncate, ...)
      }
      break;
  }
  return op;
}

// Allocation counts per op of a fault-free run.
std::vector<uint64_t> CountAllocations(const Scenario& s) {
  FaultInjectingEngine counting(*g_kernel, 0);
  RunScenario(counting, s);
  return counting.allocations_after_op();
}

struct FaultCheck {
  std::string problem;  // empty: all well
  size_t op = 0;        // the op that made allocation n
  RunResult faulted;    // the scenario with allocation n failing
  RunResult inert;      // the scenario with op `op` made inert, without a fault
  Verdict verdict;      // the faulted run judged against what it must be
};

// Runs `s` with its n-th allocation (1-based, within the ops' allocations) failing.
FaultCheck CheckFault(const Scenario& s, const std::vector<uint64_t>& after, uint64_t n) {
  FaultCheck c;
  c.op = static_cast<size_t>(std::lower_bound(after.begin(), after.end(), n) - after.begin());
  FaultInjectingEngine armed(*g_kernel, n);
  c.faulted = RunScenario(armed, s);
  Scenario inert = s;
  inert.ops[c.op] = Inert(s.ops[c.op]);
  c.inert = RunScenario(*g_kernel, inert);

  // What the faulted run must be: the inert run (whose findings are findings too), except that
  // op k fails for want of memory.
  const Op& op = s.ops[c.op];
  const Outcome got = c.faulted.outcomes[c.op];
  const bool allowed =
      got.kind == Outcome::Kind::kErrno &&
      (got.value == kENOMEM ||
       (op.kind == OpKind::kSocket && (got.value == kENFILE || got.value == kENOBUFS)) ||
       (op.kind == OpKind::kAccept && got.value == kENFILE));
  RunResult must = c.inert;
  must.outcomes[c.op] = allowed ? got : Outcome::Errno(kENOMEM);
  c.verdict = Judge(s, {c.faulted, must});
  const Verdict& v = c.verdict;
  if (!v) return c;
  if (v.kind == Verdict::Kind::kEngineFinding && v.columns[0] == 0) {
    c.problem = absl::StrCat("with allocation ", n, " failing (op ", c.op + 1, ", ",
                             OpKindName(op.kind), ") the kernel engine noticed: ",
                             c.faulted.findings[0].kind, " ", c.faulted.findings[0].detail);
  } else if (v.kind == Verdict::Kind::kEngineFinding) {
    c.problem = absl::StrCat("with op ", c.op + 1, " made inert the kernel engine noticed: ",
                             c.inert.findings[0].kind, " ", c.inert.findings[0].detail);
  } else if (v.kind != Verdict::Kind::kDisagreement) {
    c.problem = absl::StrCat("with allocation ", n, " failing: ", v.Text({"kernel", "inert"}));
  } else if (v.op == static_cast<int>(c.op)) {
    c.problem = absl::StrCat("allocation ", n, " failed in op ", c.op + 1, " (",
                             OpKindName(op.kind), ") but the op returned ", got.ToString(),
                             op.kind == OpKind::kSocket   ? " (want ENOMEM, ENFILE or ENOBUFS)"
                             : op.kind == OpKind::kAccept ? " (want ENOMEM or ENFILE)"
                                                          : " (want ENOMEM)");
  } else {
    c.problem = absl::StrCat("allocation ", n, " failing in op ", c.op + 1, " (",
                             OpKindName(op.kind), ") changed op ", v.op + 1, ": ", v.outcomes[0],
                             " where a failed call gives ", v.outcomes[1]);
  }
  return c;
}

// The first n (up to a bound) whose fault shows a problem, or 0.
uint64_t FirstBadFault(const Scenario& s) {
  const std::vector<uint64_t> after = CountAllocations(s);
  const uint64_t total = after.empty() ? 0 : after.back();
  for (uint64_t n = 1; n <= total && n <= 64; ++n) {
    if (!CheckFault(s, after, n).problem.empty()) return n;
  }
  return 0;
}

[[noreturn]] void ReportAndAbort(const Scenario& input, uint64_t input_n) {
  Scenario min =
      MinimizeScenario(input, [](const Scenario& s) { return FirstBadFault(s) != 0; }, 2000);
  uint64_t n = FirstBadFault(min);
  const Scenario& shown = n != 0 ? min : input;  // (minimization keeps the predicate true)
  if (n == 0) n = input_n;
  const std::vector<uint64_t> after = CountAllocations(shown);
  FaultCheck c = CheckFault(shown, after, n);
  Finding f = MakeFinding("fault_fuzzer", c.verdict, input.ops.size(), shown,
                          {absl::StrCat("kernel fail_nth=", n),
                           absl::StrCat("op ", c.op + 1, " inert")},
                          {c.faulted, c.inert});
  f.headline = c.problem;
  f.replay_flags = absl::StrCat("--fail_nth=", n);
  std::string counts;
  for (size_t i = 0; i < after.size(); ++i) {
    absl::StrAppend(&counts, i ? " " : "", after[i] - (i ? after[i - 1] : 0));
  }
  f.comments.push_back(absl::StrCat("allocations per op without a fault: ", counts));
  f.comments.push_back("replay shows the faulted kernel next to the oracle");
  ReportFinding(f);
  std::abort();
}

}  // namespace
}  // namespace lockstep

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  lockstep::Init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lockstep;
  Init();
  if (size < 2) return 0;
  const uint16_t selector = static_cast<uint16_t>(data[0] | (data[1] << 8));
  Scenario s = DecodeScenario(absl::MakeConstSpan(data + 2, size - 2));
  const std::vector<uint64_t> after = CountAllocations(s);
  const uint64_t total = after.empty() ? 0 : after.back();
  if (total == 0) return 0;
  const uint64_t n = 1 + selector % total;
  const FaultCheck c = CheckFault(s, after, n);
  if (!c.problem.empty()) ReportAndAbort(s, n);
  return 0;
}
