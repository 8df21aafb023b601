#include "engine/kernel_engine.h"

#include <utility>

// See kernel_engine.h.
extern "C" {
thread_local void* lockstep_gdb_task = nullptr;
thread_local long lockstep_gdb_cred_offset = -1;
}

namespace lockstep {
namespace {

lockstep_user_buf ToC(UserBuffer b) { return {b.data, b.readable}; }

}  // namespace

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

long KernelEngine::CreateRuleset(UserBuffer attr, size_t size, uint32_t flags) {
  return api_->create_ruleset(ToC(attr), size, flags);
}

long KernelEngine::AddRule(int ruleset_fd, int rule_type, UserBuffer rule_attr, uint32_t flags) {
  return api_->add_rule(ruleset_fd, rule_type, ToC(rule_attr), flags);
}

long KernelEngine::RestrictSelf(int ruleset_fd, uint32_t flags) {
  return api_->restrict_self(ruleset_fd, flags);
}

long KernelEngine::SetNoNewPrivs() { return api_->set_no_new_privs(); }

long KernelEngine::Close(int fd) { return api_->close(fd); }

long KernelEngine::Socket(int family, int type, int protocol) {
  return api_->socket(family, type, protocol);
}

long KernelEngine::Bind(int fd, UserBuffer addr, int addrlen) {
  return api_->bind(fd, ToC(addr), addrlen);
}

long KernelEngine::Connect(int fd, UserBuffer addr, int addrlen) {
  return api_->connect(fd, ToC(addr), addrlen);
}

long KernelEngine::SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags) {
  return api_->sendto(fd, ToC(addr), addrlen, flags);
}

static_assert(Engine::kAtRoot == LOCKSTEP_AT_ROOT, "one root dirfd for C++ and the shim");

long KernelEngine::Mkdir(int dirfd, const std::string& path) {
  return api_->mkdir(dirfd, path.c_str());
}

long KernelEngine::Mknod(int dirfd, const std::string& path, uint32_t mode, uint64_t dev) {
  // mknodat() takes the device number as an unsigned int: wider values are cut the same way.
  return api_->mknod(dirfd, path.c_str(), mode, static_cast<uint32_t>(dev));
}

long KernelEngine::Open(int dirfd, const std::string& path, uint32_t flags) {
  return api_->open(dirfd, path.c_str(), flags);
}

long KernelEngine::Execute(int dirfd, const std::string& path) {
  return api_->execute(dirfd, path.c_str());
}

long KernelEngine::Truncate(int dirfd, const std::string& path) {
  return api_->truncate(dirfd, path.c_str());
}

long KernelEngine::Ftruncate(int fd) { return api_->ftruncate(fd); }

long KernelEngine::Unlink(int dirfd, const std::string& path) {
  return api_->unlink(dirfd, path.c_str());
}

long KernelEngine::Rmdir(int dirfd, const std::string& path) {
  return api_->rmdir(dirfd, path.c_str());
}

long KernelEngine::Rename(int old_dirfd, const std::string& old_path, int new_dirfd,
                          const std::string& new_path, uint32_t flags) {
  return api_->rename(old_dirfd, old_path.c_str(), new_dirfd, new_path.c_str(), flags);
}

long KernelEngine::Link(int old_dirfd, const std::string& old_path, int new_dirfd,
                        const std::string& new_path) {
  return api_->link(old_dirfd, old_path.c_str(), new_dirfd, new_path.c_str());
}

long KernelEngine::Ioctl(int fd, uint32_t cmd) { return api_->ioctl(fd, cmd); }

long KernelEngine::BindMount(int src_dirfd, const std::string& src_path, int dst_dirfd,
                             const std::string& dst_path) {
  return api_->bind_mount(src_dirfd, src_path.c_str(), dst_dirfd, dst_path.c_str());
}

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
