#include "engine/kernel_engine.h"

#include <map>
#include <utility>

// See kernel_engine.h.
extern "C" {
thread_local void* lockstep_gdb_task = nullptr;
thread_local long lockstep_gdb_cred_offset = -1;
}

namespace lockstep {
KernelEngine::KernelEngine(const lockstep_kernel_api* api) : api_(api) {}

KernelEngine::~KernelEngine() {
  // A task left open would be the next engine's problem on this thread; close it quietly.
  if (task_open_) EndTask();
}

std::string KernelEngine::Name() const { return std::string("kernel-") + api_->version; }
std::string KernelEngine::Version() const { return api_->version; }
std::string KernelEngine::Origin() const { return api_->origin; }
std::string KernelEngine::Generation() const { return api_->generation; }
std::string KernelEngine::Fingerprint() const { return api_->fingerprint; }

void KernelEngine::BeginTask(const TaskSpec& spec) {
  if (task_open_) EndTask();
  const lockstep_task_spec c_spec = {spec.no_new_privs ? 1 : 0, spec.cap_sys_admin ? 1 : 0};
  api_->begin_task(&c_spec);
  domain_numbers_.clear();
  lockstep_gdb_task = api_->current_task();
  lockstep_gdb_cred_offset = api_->cred_blob_offset();
  task_open_ = true;
}

std::vector<EngineFinding> KernelEngine::EndTask() {
  std::vector<EngineFinding> findings;
  if (!task_open_) return findings;
  task_open_ = false;
  lockstep_gdb_task = nullptr;
  lockstep_gdb_cred_offset = -1;
  lockstep_shim_finding raw[32];
  const size_t total = api_->end_task(raw, std::size(raw));
  const size_t kept = total < std::size(raw) ? total : std::size(raw);
  for (size_t i = 0; i < kept; ++i) findings.push_back({raw[i].kind, raw[i].detail});
  if (total > kept) {
    findings.push_back({"more", std::to_string(total - kept) + " more findings not kept"});
  }
  return findings;
}

void KernelEngine::NoteDomain() {
  const uint64_t id = api_->domain_id();
  if (id == 0) return;
  const int next = static_cast<int>(domain_numbers_.size()) + 1;
  domain_numbers_.emplace(id, next);  // no-op for a known id (restrict_self with fd -1)
}

// The shim's pids: task n is LOCKSTEP_TASK_PID_BASE + n (lockstep_shim/task.h).
static const std::map<int64_t, int>& TaskNumbers() {
  static const std::map<int64_t, int>* numbers = [] {
    auto* m = new std::map<int64_t, int>;
    for (int n = 0; n < LOCKSTEP_MAX_TASK_THREADS; ++n) m->emplace(LOCKSTEP_TASK_PID_BASE + n, n);
    return m;
  }();
  return *numbers;
}

bool KernelEngine::TakeLogRecords(std::vector<LogRecord>* out) {
  int type = 0;
  char text[600];
  while (true) {
    const long got = api_->audit_next(&type, text, sizeof(text));
    if (got == 0) return true;
    if (got < 0) {
      LogRecord lost;
      lost.type = LogRecord::Type::kUnparsed;
      lost.object = std::to_string(-got) + " audit records lost (the shim keeps the last 64)";
      out->push_back(std::move(lost));
      continue;
    }
    out->push_back(ParseAuditRecord(type, text, domain_numbers_, &TaskNumbers()));
  }
}

static_assert(Engine::kAtRoot == LOCKSTEP_AT_ROOT, "one root dirfd for C++ and the shim");

KernelEngine::KunitSummary KernelEngine::RunKunit() {
  if (task_open_) EndTask();
  char report[8192];
  const lockstep_kunit_summary s = api_->run_kunit(report, sizeof(report));
  return {s.suites, s.cases, s.failed_cases, report};
}

void KernelEngine::FailNthAllocation(uint64_t n) { api_->fail_nth_alloc(n); }

ShimStats KernelEngine::Stats() const {
  const lockstep_shim_stats s = api_->stats();
  return {s.allocations, s.live_allocations, s.live_bytes, s.warnings};
}

std::unique_ptr<KernelEngine> NewDefaultKernelEngine() {
  return std::make_unique<KernelEngine>(lockstep_kernel_default());
}

}  // namespace lockstep
