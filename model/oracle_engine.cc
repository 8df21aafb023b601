#include "model/oracle_engine.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

namespace lockstep {
namespace {

// Errnos as the kernel numbers them (x86-64 Linux; the same as this host's libc).
constexpr long kEperm = -EPERM;
constexpr long kEbadf = -EBADF;
constexpr long kEfault = -EFAULT;
constexpr long kEinval = -EINVAL;
constexpr long kEmfile = -EMFILE;
constexpr long kE2big = -E2BIG;
constexpr long kEnomsg = -ENOMSG;
constexpr long kEbadfd = -EBADFD;
constexpr long kEnotsock = -ENOTSOCK;
constexpr long kEprotonosupport = -EPROTONOSUPPORT;
constexpr long kEsocktnosupport = -ESOCKTNOSUPPORT;
constexpr long kEafnosupport = -EAFNOSUPPORT;
constexpr long kEagain = -EAGAIN;
constexpr long kEsrch = -ESRCH;
constexpr uint64_t kScopeSignal = 1u << 1;  // LANDLOCK_SCOPE_SIGNAL

// Landlock ABI values (include/uapi/linux/landlock.h).
constexpr uint32_t kFlagVersion = 1u << 0;
constexpr uint32_t kFlagErrata = 1u << 1;
constexpr int kRulePathBeneath = 1;
constexpr int kRuleNetPort = 2;
constexpr uint64_t kBindTcp = 1u << 0;
constexpr uint64_t kConnectTcp = 1u << 1;
constexpr uint64_t kBindUdp = 1u << 2;        // ABI 10
constexpr uint64_t kConnectSendUdp = 1u << 3;  // ABI 10
constexpr size_t kRulesetAttrMaxSize = 48;   // six u64 (ABI 10); the profile says which
constexpr size_t kRulesetAttrMinSize = 8;    // up to handled_access_fs
constexpr size_t kPathBeneathAttrSize = 12;  // u64 + s32, packed
constexpr size_t kNetPortAttrSize = 16;      // two u64
constexpr size_t kPageSize = 4096;           // the largest attr size accepted

// Socket-layer values (Linux).
constexpr int kAfUnspec = 0;
constexpr int kAfUnix = 1;
constexpr int kAfInet = 2;
constexpr int kAfInet6 = 10;
constexpr int kAfMax = 46;
constexpr int kSockStream = 1;
constexpr int kSockDgram = 2;
constexpr int kSockRaw = 3;
constexpr int kSockSeqpacket = 5;
constexpr int kSockMax = 11;  // SOCK_PACKET + 1
constexpr int kSockTypeMask = 0xf;
constexpr int kSockNonblock = 04000;
constexpr int kSockCloexec = 02000000;
constexpr int kIpprotoTcp = 6;
constexpr int kIpprotoUdp = 17;
constexpr int kIpprotoUdplite = 136;
constexpr int kIpprotoMptcp = 262;
constexpr uint32_t kMsgFastopen = 0x20000000u;
constexpr int kSockaddrStorageSize = 128;
constexpr int kSockaddrInSize = 16;
constexpr int kSin6LenRfc2133 = 24;

// Whether bytes [offset, offset + n) of `b` are readable user memory.
bool Readable(UserBuffer b, size_t offset, size_t n) {
  if (n == 0) return true;
  return b.data != nullptr && offset <= b.readable && n <= b.readable - offset;
}

const uint8_t* Bytes(UserBuffer b) { return static_cast<const uint8_t*>(b.data); }

uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

int32_t Load32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// Whether `mask` has bits outside `known`.
bool HasUnknownBits(uint64_t mask, uint64_t known) { return (mask & ~known) != 0; }

}  // namespace

OracleEngine::OracleEngine(Profile profile) : profile_(std::move(profile)) {}

OracleEngine::~OracleEngine() = default;

std::string OracleEngine::Name() const { return "oracle-" + profile_.version; }

void OracleEngine::Reset() {
  for (int fd = 0; fd < fds_end_; ++fd) fds_[fd].reset();
  fds_end_ = 0;
  for (size_t p = 1; p < processes_.size(); ++p) {
    for (int fd = 0; fd < processes_[p].fds_end; ++fd) processes_[p].fds[fd].reset();
  }
  layers_.clear();
  domains_.clear();
  unix_sockets_.clear();
  if (!fowns_.empty()) fowns_.clear();
  // One thread of one process again (resize keeps the storage: a task's start allocates
  // nothing here).
  threads_.resize(1);
  threads_[0].live = true;
  threads_[0].layers.clear();
  threads_[0].process = 0;
  threads_[0].parent = -1;
  threads_[0].pending = 0;
  if (!rt_queued_.empty()) rt_queued_.clear();
  thread_ = 0;
  processes_.resize(1);
  processes_[0].fds_end = 0;
  processes_[0].leader = 0;
  process_ = 0;
  log_subdomains_off_ = false;
  // A fresh world: one empty root directory, mounted.
  inodes_.clear();
  inodes_.emplace_back();
  inodes_[0].type = FileType::kDirectory;
  mounts_.assign(1, Mount{});
  no_new_privs_ = false;
  cap_sys_admin_ = false;
}

void OracleEngine::BeginTask(const TaskSpec& spec) {
  Reset();
  // The log state outlives Reset: task exit's records wait there for TakeLogRecords.
  logs_known_ = true;
  logs_.clear();
  no_new_privs_ = spec.no_new_privs;
  cap_sys_admin_ = spec.cap_sys_admin;
}

std::vector<EngineFinding> OracleEngine::EndTask() {
  // The oracle has nothing like a WARN: it only drops its state, after the exit's logs.
  LogTaskExit();
  Reset();
  return {};
}

// ---- fd table ----

int OracleEngine::LowestFreeFd() const {
  for (int fd = kFirstFd; fd < kMaxFds; ++fd) {
    if (!fds_[fd]) return fd;
  }
  return -1;
}

void OracleEngine::SetFd(int fd, std::shared_ptr<File> file) {
  file->opener_domain = YoungestDomain();
  HoldDomain(file->opener_domain);
  fds_[fd] = std::move(file);
  if (fd >= fds_end_) fds_end_ = fd + 1;
}

const OracleEngine::File* OracleEngine::Lookup(int fd) const {
  if (fd < 0 || fd >= kMaxFds) return nullptr;
  return fds_[fd].get();
}

// What fdget() finds: O_PATH fds are only names, invisible to the syscalls that want a file.
const OracleEngine::File* OracleEngine::LookupFile(int fd) const {
  const File* f = Lookup(fd);
  return f != nullptr && f->in_tree && f->o_path ? nullptr : f;
}

long OracleEngine::Syscall(const OpArgs& args) { return CallOpMethod(*this, args); }

long OracleEngine::GetRuleset(int fd, std::shared_ptr<Ruleset>* out) const {
  const File* f = LookupFile(fd);
  if (f == nullptr) return kEbadf;
  if (!f->ruleset) return kEbadfd;
  *out = f->ruleset;
  return 0;
}

long OracleEngine::Close(int fd) {
  if (Lookup(fd) == nullptr) return kEbadf;
  DropFd(fd);
  return 0;
}

void OracleEngine::DropFile(std::shared_ptr<File>& slot) {
  const int domain = slot->opener_domain;
  const bool last = slot.use_count() == 1;
  const int unix_socket = slot->sock.unix_socket;
  const int fown = slot->fown;
  slot.reset();
  if (!last) return;
  // A socket's news and the file's owner record first (the file's security blob), then its
  // credentials.
  if (unix_socket >= 0 || fown >= 0) FileGone(unix_socket, fown);
  ReleaseDomain(domain);
}

// ---- landlock_create_ruleset ----

long OracleEngine::CreateRuleset(UserBuffer attr, size_t size, uint32_t flags) {
  // Flags are for queries only, and only without an attr.
  if (flags != 0) {
    if (attr.data != nullptr || size != 0) return kEinval;
    if (flags == kFlagVersion) return profile_.abi_version;
    if (flags == kFlagErrata && profile_.errata_flag_supported) return profile_.errata;
    return kEinval;
  }

  // The attr: a NULL pointer faults; the size must cover handled_access_fs and stay within a
  // page; a larger struct than ours must end in zeros; a shorter one is zero-extended.
  if (attr.data == nullptr) return kEfault;
  if (size < kRulesetAttrMinSize) return kEinval;
  if (size > kPageSize) return kE2big;
  const size_t kRulesetAttrSize = profile_.ruleset_attr_size;
  uint8_t raw[kRulesetAttrMaxSize] = {};
  if (size > kRulesetAttrSize) {
    // The unknown tail is checked first, in order: a nonzero byte is E2BIG, reaching the
    // unreadable part first is EFAULT (the kernel reads it a word at a time, and unmapped memory
    // starts on a page boundary, so no word holds both).
    for (size_t i = kRulesetAttrSize; i < size; ++i) {
      if (!Readable(attr, i, 1)) return kEfault;
      if (Bytes(attr)[i] != 0) return kE2big;
    }
  }
  const size_t known = size < kRulesetAttrSize ? size : kRulesetAttrSize;
  if (!Readable(attr, 0, known)) return kEfault;
  std::memcpy(raw, attr.data, known);

  const uint64_t handled_fs = Load64(raw);
  const uint64_t handled_net = Load64(raw + 8);
  const uint64_t scoped = Load64(raw + 16);
  if (HasUnknownBits(handled_fs, profile_.fs_access_mask)) return kEinval;
  if (HasUnknownBits(handled_net, profile_.net_access_mask)) return kEinval;
  if (HasUnknownBits(scoped, profile_.scope_mask)) return kEinval;
  // ABI 10: each quiet_* field must be a subset of its handled_* field.
  const uint64_t quiet_fs = kRulesetAttrSize >= 48 ? Load64(raw + 24) : 0;
  const uint64_t quiet_net = kRulesetAttrSize >= 48 ? Load64(raw + 32) : 0;
  const uint64_t quiet_scoped = kRulesetAttrSize >= 48 ? Load64(raw + 40) : 0;
  if (HasUnknownBits(quiet_fs, handled_fs)) return kEinval;
  if (HasUnknownBits(quiet_net, handled_net)) return kEinval;
  if (HasUnknownBits(quiet_scoped, scoped)) return kEinval;
  // A ruleset that handles nothing would be useless.
  if (handled_fs == 0 && handled_net == 0 && scoped == 0) return kEnomsg;

  const int fd = LowestFreeFd();
  if (fd < 0) return kEmfile;
  auto file = std::make_shared<File>();
  file->close_on_exec = true;  // a ruleset fd always is (O_CLOEXEC)
  file->ruleset = std::make_shared<Ruleset>();
  file->ruleset->handled_fs = handled_fs;
  file->ruleset->handled_net = handled_net;
  file->ruleset->scoped = scoped;
  file->ruleset->quiet_fs = quiet_fs;
  file->ruleset->quiet_net = quiet_net;
  file->ruleset->quiet_scoped = quiet_scoped;
  SetFd(fd, std::move(file));
  return fd;
}

// ---- landlock_add_rule ----

long OracleEngine::AddRule(int ruleset_fd, int rule_type, UserBuffer rule_attr,
                           uint32_t flags) {
  // ABI 10: LANDLOCK_ADD_RULE_QUIET is the one flag (alone); before, none.
  if (flags != 0 && (profile_.add_rule_flags == 0 || flags != profile_.add_rule_flags)) {
    return kEinval;
  }
  const bool quiet = flags != 0;
  std::shared_ptr<Ruleset> ruleset;
  if (long err = GetRuleset(ruleset_fd, &ruleset); err != 0) return err;

  switch (rule_type) {
    case kRulePathBeneath: {
      if (!Readable(rule_attr, 0, kPathBeneathAttrSize)) return kEfault;
      const uint64_t allowed = Load64(Bytes(rule_attr));
      const int32_t parent_fd = Load32(Bytes(rule_attr) + 8);
      // A rule that allows nothing is useless (unless it only quiets); one that allows unhandled
      // rights is invalid; a quiet one needs the ruleset's quiet mask.
      if (!quiet && allowed == 0) return kEnomsg;
      if (HasUnknownBits(allowed, ruleset->handled_fs)) return kEinval;
      if (quiet && ruleset->quiet_fs == 0) return kEinval;
      // The parent must be an open file of the tree (O_PATH or not): rulesets and sockets live
      // on internal filesystems.
      const File* parent = Lookup(parent_fd);
      if (parent == nullptr) return kEbadf;
      if (!parent->in_tree) return kEbadfd;
      // A file that is not a directory only takes the rights that mean something for it.
      const int inode = parent->place.inode;
      if (!IsDir(inode) && HasUnknownBits(allowed, fs_access::kFileRights)) return kEinval;
      // The rule holds the inode, whatever its names become; rules on one inode add up, and so
      // does the quiet mark.
      if (allowed != 0) ruleset->inode_rights[inode] |= allowed;
      if (quiet) ruleset->quiet_inodes.insert(inode);
      return 0;
    }
    case kRuleNetPort: {
      if (!Readable(rule_attr, 0, kNetPortAttrSize)) return kEfault;
      const uint64_t allowed = Load64(Bytes(rule_attr));
      const uint64_t port = Load64(Bytes(rule_attr) + 8);
      if (!quiet && allowed == 0) return kEnomsg;
      if (HasUnknownBits(allowed, ruleset->handled_net)) return kEinval;
      if (quiet && ruleset->quiet_net == 0) return kEinval;
      if (port > 65535) return kEinval;
      // Rules for one port in one ruleset add up.
      if (allowed != 0) ruleset->port_rights[static_cast<uint16_t>(port)] |= allowed;
      // Quiet sticks: a later rule for the port without the flag does not clear it.
      if (quiet) ruleset->quiet_ports.insert(static_cast<uint16_t>(port));
      return 0;
    }
    default:
      return kEinval;
  }
}

// ---- landlock_restrict_self ----

long OracleEngine::RestrictSelf(int ruleset_fd, uint32_t flags) {
  constexpr uint32_t kLogSubdomainsOff = 1u << 2;
  constexpr uint32_t kTsync = 1u << 3;
  constexpr uint32_t kNoNewPrivs = 1u << 4;
  const bool unknown_flags = (flags & ~profile_.restrict_self_flags) != 0;
  // Linux 7.3 checks the flags first; before, the privilege check came first.
  if (profile_.restrict_self_flags_checked_first && unknown_flags) return kEinval;
  // Like seccomp: only a task that cannot gain privileges (or is already privileged), unless
  // (ABI 11) the call itself sets no_new_privs.
  const bool sets_no_new_privs = (profile_.restrict_self_flags & kNoNewPrivs) != 0 &&
                                 (flags & kNoNewPrivs) != 0;
  if (!sets_no_new_privs && !no_new_privs_ && !cap_sys_admin_) return kEperm;
  if (unknown_flags) return kEinval;
  // ABI 7: muting subdomain logs needs no ruleset (with TSYNC too, once known).
  const uint32_t tsync = profile_.restrict_self_flags & kTsync;
  // (ABI 8) TSYNC: the siblings take no_new_privs when the caller has it or sets it.
  const bool siblings_no_new_privs = sets_no_new_privs || no_new_privs_;
  if (profile_.restrict_self_log_subdomains_without_ruleset && ruleset_fd == -1 &&
      (flags & ~tsync) == kLogSubdomainsOff) {
    NoteRestrict(flags, /*added=*/false);
    if ((flags & tsync) != 0) SyncSiblings(siblings_no_new_privs);
    return 0;
  }
  std::shared_ptr<Ruleset> ruleset;
  if (long err = GetRuleset(ruleset_fd, &ruleset); err != 0) return err;
  if (layers_.size() >= profile_.max_layers) return kE2big;
  // The new layer is the ruleset as it is now; later add_rule calls do not reach it. It makes
  // a new domain, stacked on the thread's.
  Domain d;
  d.number = static_cast<int>(domains_.size()) + 1;
  d.parent = YoungestDomain();
  d.quiet_fs = ruleset->quiet_fs;
  d.holders = 1;  // the thread
  domains_.push_back(d);
  if (d.parent > 0) {
    Domain& parent = DomainNumbered(d.parent);
    ++parent.children;
    --parent.holders;  // the thread holds the new domain instead (which keeps its parent)
  }
  layers_.emplace_back(*ruleset);
  layers_.back().domain = d.number;
  NoteRestrict(flags, /*added=*/true);
  if ((flags & tsync) != 0) SyncSiblings(siblings_no_new_privs);
  if (sets_no_new_privs) no_new_privs_ = true;
  return 0;
}

// TSYNC, as landlock.h documents it: the caller's new Landlock configuration (its domain, and
// its logging configuration) replaces every sibling thread's, whatever each had; and siblings
// take no_new_privs when the caller has it (or sets it with NO_NEW_PRIVS). Siblings commit in
// thread order, before the caller: a sibling's own domain that nothing else keeps goes then.
void OracleEngine::SyncSiblings(bool no_new_privs) {
  for (int t = 0; t < static_cast<int>(threads_.size()); ++t) {
    ThreadState& s = threads_[static_cast<size_t>(t)];
    if (t == thread_ || !s.live || s.process != process_) continue;
    const int old = YoungestOf(s.layers);
    s.layers = layers_;
    s.log_subdomains_off = log_subdomains_off_;
    if (no_new_privs) s.no_new_privs = true;
    HoldDomain(YoungestDomain());
    ReleaseDomain(old);
  }
}

// ---- threads and processes ----

int OracleEngine::NewTask(int process, int parent) {
  ThreadState s;
  s.no_new_privs = no_new_privs_;
  s.layers = layers_;
  s.log_subdomains_off = log_subdomains_off_;
  s.process = process;
  s.parent = parent;
  HoldDomain(YoungestDomain());
  threads_.push_back(std::move(s));
  return static_cast<int>(threads_.size()) - 1;
}

long OracleEngine::Thread() {
  if (threads_.size() >= static_cast<size_t>(kMaxThreads)) return kEagain;
  return NewTask(process_, threads_[static_cast<size_t>(thread_)].parent);
}

long OracleEngine::Fork() {
  // The task limit counts every process's threads.
  if (threads_.size() >= static_cast<size_t>(kMaxThreads)) return kEagain;
  const int child = NewTask(static_cast<int>(processes_.size()), thread_);
  // The child's fd table: the same open files under the same numbers.
  Process p;
  p.fds = fds_;
  p.fds_end = fds_end_;
  p.leader = child;
  processes_.push_back(std::move(p));
  return child;
}

// Signals, as landlock.h's LANDLOCK_SCOPE_SIGNAL documents them: a task of a domain that scopes
// signals cannot signal a task outside that domain (one whose domain is neither it nor nested
// in it); threads of one process may always signal each other. Layer by layer: the sender is
// scoped out when some layer of it that scopes signals was not inherited by the target (the
// target has no layer there, or another domain's: ScopingLayer). Denials are blamed on the
// youngest layer scoping signals.
long OracleEngine::Kill(int task, int sig) {
  if (!LiveTask(task)) return kEsrch;
  if (static_cast<unsigned>(sig) > 64) return kEinval;  // valid_signal()
  if (ProcessOf(task) != process_) {
    const int layer = ScopingLayer(kScopeSignal, YoungestOf(LayersOf(task)));
    if (layer >= 0) {
      if (LogsDenials()) {
        const Layer& l = layers_[static_cast<size_t>(layer)];
        LogDenial(DomainNumbered(l.domain), l.same_exec, kScopeSignal, /*object_quiet=*/true,
                  l.quiet_scoped, "scope.signal", TaskObject(task));
      }
      return kEperm;
    }
  }
  Deliver(task, sig);
  return 0;
}

// ptrace, as the userspace-api documentation states it: a sandboxed task may only trace a task
// of its own domain or of a domain nested in it; a task outside any domain may trace any task.
// A task of the tracer's own process is never a tracee (ptrace's own rule, EPERM). Denials are
// blamed on the tracer's youngest domain.
long OracleEngine::Ptrace(int task) {
  if (!LiveTask(task)) return kEsrch;
  if (ProcessOf(task) == process_) return kEperm;
  return TraceCheck(layers_, LayersOf(task), task);
}

// PTRACE_TRACEME, as the documentation states ptrace: the parent becomes the tracer, so the
// parent's domain must be the task's own or one it is nested in. Blamed on the parent's
// youngest domain (the tracer's, as for an attach).
long OracleEngine::Traceme() {
  const int parent = ParentOf(thread_);
  if (parent < 0) return kEsrch;  // the op's: no parent among the scenario's tasks
  return TraceCheck(LayersOf(parent), layers_, thread_);
}

long OracleEngine::TraceCheck(const std::vector<Layer>& tracer,
                              const std::vector<Layer>& tracee, int tracee_task) {
  if (tracer.empty()) return 0;
  const size_t depth = tracer.size();
  if (tracee.size() >= depth && tracee[depth - 1].domain == tracer.back().domain) return 0;
  if (LogsDenials()) {
    const Layer& l = tracer.back();
    LogDenial(DomainNumbered(l.domain), l.same_exec, 0, /*object_quiet=*/false, 0, "ptrace",
              TaskObject(tracee_task));
  }
  return kEperm;
}

int OracleEngine::ParentOf(int t) const {
  const int parent = threads_[static_cast<size_t>(t)].parent;
  if (parent < 0 || LiveTask(parent)) return parent;
  for (int u = 0; u < static_cast<int>(threads_.size()); ++u) {
    if (LiveTask(u) && ProcessOf(u) == ProcessOf(parent)) return u;
  }
  return -1;
}

std::string OracleEngine::TaskObject(int t) const {
  return "opid=" + std::to_string(processes_[static_cast<size_t>(ProcessOf(t))].leader);
}

long OracleEngine::OnThread(int thread) {
  if (!LiveTask(thread)) return kEsrch;
  if (thread == thread_) return 0;
  ThreadState& running = threads_[static_cast<size_t>(thread_)];
  running.no_new_privs = no_new_privs_;
  running.layers = std::move(layers_);
  running.log_subdomains_off = log_subdomains_off_;
  ThreadState& next = threads_[static_cast<size_t>(thread)];
  no_new_privs_ = next.no_new_privs;
  layers_ = std::move(next.layers);
  next.layers.clear();
  log_subdomains_off_ = next.log_subdomains_off;
  thread_ = thread;
  if (next.process != process_) {
    // The running process's fd table goes back to it; the next one's comes out.
    Process& from = processes_[static_cast<size_t>(process_)];
    Process& to = processes_[static_cast<size_t>(next.process)];
    from.fds.swap(fds_);
    from.fds_end = fds_end_;
    fds_.swap(to.fds);
    fds_end_ = to.fds_end;
    to.fds_end = 0;
    process_ = next.process;
  }
  return 0;
}

void OracleEngine::EndThread(int t) {
  ThreadState& s = threads_[static_cast<size_t>(t)];
  s.live = false;
  const int domain = YoungestOf(s.layers);
  s.layers.clear();
  ReleaseDomain(domain);
}

long OracleEngine::SetNoNewPrivs() {
  no_new_privs_ = true;
  return 0;
}

// ---- the socket layer ----

long OracleEngine::Socket(int family, int type, int protocol) {
  const int type_flags = type & ~kSockTypeMask;
  if ((type_flags & ~(kSockCloexec | kSockNonblock)) != 0) return kEinval;
  type &= kSockTypeMask;
  if (family < 0 || family >= kAfMax) return kEafnosupport;
  if (type >= kSockMax) return kEinval;

  int resolved = 0;
  if (family == kAfInet || family == kAfInet6) {
    if (type == kSockStream) {
      if (protocol == 0 || protocol == kIpprotoTcp) {
        resolved = kIpprotoTcp;
      } else if (protocol == kIpprotoMptcp) {
        resolved = kIpprotoMptcp;
      } else {
        return kEprotonosupport;
      }
    } else if (type == kSockDgram) {
      if (protocol == 0 || protocol == kIpprotoUdp) {
        resolved = kIpprotoUdp;
      } else if (protocol == kIpprotoUdplite) {
        resolved = kIpprotoUdplite;
      } else {
        return kEprotonosupport;
      }
    } else if (type == kSockRaw) {
      return kEperm;  // needs CAP_NET_RAW, which the modelled task never has
    } else {
      return kEsocktnosupport;
    }
  } else if (family == kAfUnix) {
    if (type != kSockStream && type != kSockDgram && type != kSockSeqpacket) {
      return kEsocktnosupport;
    }
    if (protocol != 0 && protocol != kAfUnix) return kEprotonosupport;
    resolved = 0;
  } else {
    return kEafnosupport;
  }

  const int fd = LowestFreeFd();
  if (fd < 0) return kEmfile;
  auto file = std::make_shared<File>();
  file->close_on_exec = (type_flags & kSockCloexec) != 0;
  file->is_socket = true;
  file->sock = Sock{family, type, resolved};
  if (family == kAfUnix) {
    file->sock.unix_socket = static_cast<int>(unix_sockets_.size());
    UnixSocket u;
    u.type = type;
    u.opener_domain = YoungestDomain();
    u.file = file.get();
    unix_sockets_.push_back(std::move(u));
  }
  SetFd(fd, std::move(file));
  return fd;
}

long OracleEngine::CopySockaddr(UserBuffer addr, int addrlen, std::vector<uint8_t>* out) {
  if (addrlen < 0 || addrlen > kSockaddrStorageSize) return kEinval;
  if (!Readable(addr, 0, static_cast<size_t>(addrlen))) return kEfault;
  out->assign(Bytes(addr), Bytes(addr) + addrlen);
  return 0;
}

long OracleEngine::Bind(int fd, UserBuffer addr, int addrlen) {
  const File* f = LookupFile(fd);
  if (f == nullptr) return kEbadf;
  if (!f->is_socket) return kEnotsock;
  std::vector<uint8_t> bytes;
  if (long err = CopySockaddr(addr, addrlen, &bytes); err != 0) return err;
  const bool udp = profile_.udp_checked && IsUdp(f->sock);
  const long err = CheckSocket(f->sock, bytes, addrlen, udp ? kBindUdp : kBindTcp);
  if (err == 0 && f->sock.unix_socket >= 0) return UnixBind(f->sock.unix_socket, bytes, addrlen);
  // The stack gives an allowed, well-formed bind of an unbound socket its port (or an ephemeral
  // one for port 0); a bound socket's second bind is the stack's EINVAL and changes nothing.
  uint16_t port;
  if (err == 0 && !f->sock.bound && StackTakesAddress(f->sock, bytes, addrlen, &port)) {
    fds_[fd]->sock.bound = true;
    fds_[fd]->sock.port_locked = port != 0;
  }
  return err;
}

long OracleEngine::Connect(int fd, UserBuffer addr, int addrlen) {
  const File* f = LookupFile(fd);
  if (f == nullptr) return kEbadf;
  // connect(2) copies the address before it looks at what the fd is.
  std::vector<uint8_t> bytes;
  if (long err = CopySockaddr(addr, addrlen, &bytes); err != 0) return err;
  if (!f->is_socket) return kEnotsock;
  if (!(profile_.udp_checked && IsUdp(f->sock))) {
    const long err = CheckSocket(f->sock, bytes, addrlen, kConnectTcp);
    if (err == 0 && f->sock.unix_socket >= 0) {
      return UnixConnect(f->sock.unix_socket, bytes, addrlen);
    }
    return err;
  }
  // UDP (7.x): the destination, then (not for AF_UNSPEC, which only disconnects) the autobind.
  long err = CheckSocket(f->sock, bytes, addrlen, kConnectSendUdp, /*connecting=*/true);
  if (err == 0 && addrlen >= 2 && SockaddrFamily(bytes) != kAfUnspec) {
    err = CheckUdpAutobind(f->sock);
  }
  uint16_t port;
  if (err == 0 && SockaddrFamily(bytes) != kAfUnspec &&
      StackTakesAddress(f->sock, bytes, addrlen, &port)) {
    fds_[fd]->sock.bound = true;  // autobind
  }
  // connect(AF_UNSPEC) disconnects (udp_disconnect): a port no bind asked for is released.
  if (err == 0 && SockaddrFamily(bytes) == kAfUnspec && !f->sock.port_locked) {
    fds_[fd]->sock.bound = false;
  }
  return err;
}

long OracleEngine::SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags) {
  const File* f = LookupFile(fd);
  if (f == nullptr) return kEbadf;
  if (!f->is_socket) return kEnotsock;
  const bool udp = profile_.udp_checked && IsUdp(f->sock);
  // Without a destination nothing is copied and there is nothing to check (but, for UDP on
  // 7.x, the autobind; for a UNIX datagram socket, its peer).
  if (addr.data == nullptr) {
    if (f->sock.unix_socket >= 0) return UnixSend(f->sock.unix_socket, {}, 0, false, flags);
    return udp ? CheckUdpAutobind(f->sock) : 0;
  }
  std::vector<uint8_t> bytes;
  if (long err = CopySockaddr(addr, addrlen, &bytes); err != 0) return err;
  if (udp) {
    long err = CheckSocket(f->sock, bytes, addrlen, kConnectSendUdp, /*connecting=*/false);
    if (err == 0) err = CheckUdpAutobind(f->sock);
    uint16_t port;
    if (err == 0 && SockaddrFamily(bytes) != kAfUnspec &&
        StackTakesAddress(f->sock, bytes, addrlen, &port)) {
      fds_[fd]->sock.bound = true;  // autobind
    }
    return err;
  }
  // TCP Fast Open: a send with a destination opens the connection, so it is checked as one
  // where the revision hooks sendmsg.
  if (profile_.sendmsg_fastopen_checked && (flags & kMsgFastopen) != 0) {
    const long err = CheckSocket(f->sock, bytes, addrlen, kConnectTcp);
    if (err != 0) return err;
  }
  // Then the family's own send (after the LSM's sendmsg hook).
  if (f->sock.unix_socket >= 0) {
    return UnixSend(f->sock.unix_socket, bytes, addrlen, true, flags);
  }
  return 0;
}

// listen(2): no Landlock check; an AF_UNIX socket's listen is the stack's (oracle_unix.cc),
// another family's state is not modelled.
long OracleEngine::Listen(int fd) {
  const File* f = LookupFile(fd);
  if (f == nullptr) return kEbadf;
  if (!f->is_socket) return kEnotsock;
  return f->sock.unix_socket >= 0 ? UnixListen(f->sock.unix_socket) : 0;
}

// accept4(2) without waiting: no Landlock check. The fd and flags first, then a free fd (the
// connection stays queued when there is none), then the socket; an AF_UNIX listener's accept is
// the stack's (oracle_unix.cc), another family's is not modelled: a stream socket answers as one
// that does not listen, any other has no accept.
long OracleEngine::Accept(int fd, uint32_t flags) {
  const File* f = LookupFile(fd);
  if (f == nullptr) return kEbadf;
  if ((flags & ~static_cast<uint32_t>(kSockCloexec | kSockNonblock)) != 0) return kEinval;
  const int new_fd = LowestFreeFd();
  if (new_fd < 0) return kEmfile;
  if (!f->is_socket) return kEnotsock;
  if (f->sock.unix_socket < 0) return f->sock.type == kSockStream ? kEinval : -EOPNOTSUPP;
  const long accepted = UnixAccept(f->sock.unix_socket);
  if (accepted < 0) return accepted;
  auto file = std::make_shared<File>();
  file->close_on_exec = (flags & kSockCloexec) != 0;
  file->is_socket = true;
  file->sock = Sock{kAfUnix, f->sock.type, 0};
  file->sock.unix_socket = static_cast<int>(accepted);
  UnixAt(static_cast<int>(accepted)).file = file.get();
  SetFd(new_fd, std::move(file));
  return new_fd;
}

// ---- Landlock's network decision ----

namespace {
// sk_is_udp(): an AF_INET/AF_INET6 datagram socket of protocol UDP (not UDP-Lite).
bool IsUdpSock(int family, int type, int protocol) {
  return (family == kAfInet || family == kAfInet6) && type == kSockDgram &&
         protocol == kIpprotoUdp;
}
}  // namespace

bool OracleEngine::IsUdp(const Sock& sock) {
  return IsUdpSock(sock.family, sock.type, sock.protocol);
}

int OracleEngine::SockaddrFamily(const std::vector<uint8_t>& addr) {
  if (addr.size() < 2) return -1;
  return addr[0] | (addr[1] << 8);
}

bool OracleEngine::StackTakesAddress(const Sock& sock, const std::vector<uint8_t>& addr,
                                     int addrlen, uint16_t* port) {
  if ((sock.family != kAfInet && sock.family != kAfInet6) || addrlen < 2) return false;
  const int family = SockaddrFamily(addr);
  if (family == sock.family) {
    if (addrlen < (sock.family == kAfInet ? kSockaddrInSize : kSin6LenRfc2133)) return false;
  } else if (family == kAfUnspec && sock.family == kAfInet) {
    if (addrlen < kSockaddrInSize || (addr[4] | addr[5] | addr[6] | addr[7]) != 0) return false;
  } else {
    return false;
  }
  *port = static_cast<uint16_t>((addr[2] << 8) | addr[3]);
  return true;
}

long OracleEngine::CheckUdpAutobind(const Sock& sock) {
  // Only where some layer handles bind_udp, and only for a socket without a local port: then
  // the implicit bind is checked as bind(2) to port 0 of the socket's family.
  bool handled = false;
  for (const Layer& layer : layers_) handled = handled || (layer.handled_net & kBindUdp) != 0;
  if (!handled || sock.bound) return 0;
  std::vector<uint8_t> port0(kSockaddrStorageSize, 0);
  port0[0] = static_cast<uint8_t>(sock.family & 0xff);
  port0[1] = static_cast<uint8_t>(sock.family >> 8);
  return CheckSocket(sock, port0, kSockaddrStorageSize, kBindUdp);
}

long OracleEngine::CheckSocket(const Sock& sock, const std::vector<uint8_t>& addr, int addrlen,
                               uint64_t request, bool connecting) {
  // 1. A domain that restricts no network right at all (or, where the revision asks so, not
  //    the requested one) does not look at sockets.
  const uint64_t relevant = profile_.net_checks_need_requested_right ? request : ~0ull;
  bool any_net = false;
  for (const Layer& layer : layers_) any_net = any_net || (layer.handled_net & relevant) != 0;
  if (!any_net) return 0;

  // 2. Only TCP sockets are restricted (which ones count as TCP depends on the revision), and
  //    from 7.2 UDP sockets for the UDP rights.
  const bool udp_request = request == kBindUdp || request == kConnectSendUdp;
  bool checked;
  if (udp_request) {
    checked = IsUdp(sock);
  } else if (profile_.tcp_check == TcpCheck::kSkIsTcp) {
    checked = (sock.family == kAfInet || sock.family == kAfInet6) &&
              sock.type == kSockStream && sock.protocol == kIpprotoTcp;
  } else {
    checked = sock.type == kSockStream;
  }
  if (!checked) return 0;

  // 3. The address must at least hold its family.
  if (addrlen < 2) return kEinval;
  uint16_t family;
  std::memcpy(&family, addr.data(), sizeof(family));
  const bool is_bind = request == kBindTcp || request == kBindUdp;

  // 4-5. Per family: minimum length, the AF_UNSPEC special cases, where the port is.
  if (family == kAfUnspec) {
    if (profile_.af_unspec == AfUnspecHandling::kPerRequest) {
      // Disconnecting (connect to AF_UNSPEC) is always allowed.
      if (request == kConnectTcp || (request == kConnectSendUdp && connecting)) return 0;
      if (request == kConnectSendUdp) {
        // sendto(AF_UNSPEC) on UDP: denied on an IPv6 socket (its family could change to IPv4
        // under Landlock's feet); an IPv4 socket takes it as AF_INET.
        if (sock.family == kAfInet6) {
          // Logged against the youngest layer handling the right, with no object fields.
          for (size_t i = layers_.size(); i-- > 0;) {
            if ((layers_[i].handled_net & request) == 0) continue;
            LogNetDenial(i, request, addr, /*object_quiet=*/false);
            break;
          }
          return -EACCES;
        }
        if (addrlen < kSockaddrInSize) return kEinval;
      } else if (sock.family == kAfInet) {
        if (addrlen < kSockaddrInSize) return kEinval;
        // An IPv4 socket takes bind(AF_UNSPEC) as AF_INET, for INADDR_ANY only.
        if (addr[4] != 0 || addr[5] != 0 || addr[6] != 0 || addr[7] != 0) {
          return profile_.unspec_bind_not_any_errno;
        }
      } else {
        if (addrlen < kSin6LenRfc2133) return kEinval;
        return kEafnosupport;
      }
    } else {
      // AF_UNSPEC is measured like AF_INET first, for connect as well.
      if (addrlen < kSockaddrInSize) return kEinval;
      if (!is_bind) return 0;
      if (sock.family != kAfInet) return kEinval;
      if (addr[4] != 0 || addr[5] != 0 || addr[6] != 0 || addr[7] != 0) {
        return profile_.unspec_bind_not_any_errno;
      }
    }
  } else if (family == kAfInet) {
    if (addrlen < kSockaddrInSize) return kEinval;
  } else if (family == kAfInet6) {
    if (addrlen < kSin6LenRfc2133) return kEinval;
  } else {
    // Other families are not TCP/IP addresses: the stack will reject them itself.
    return 0;
  }

  // 6. The address family must be the socket's (AF_UNSPEC aside).
  if (family != kAfUnspec && family != sock.family) return profile_.family_mismatch_errno;

  // 7. The port, in network byte order at offset 2 for both sockaddr_in and sockaddr_in6.
  const uint16_t port = static_cast<uint16_t>((addr[2] << 8) | addr[3]);

  // 8. Every layer that handles this right must grant it for this port; within one layer,
  //    the rules for the port add up. (Youngest first: the youngest denying layer is the one a
  //    denial is logged against.)
  for (size_t i = layers_.size(); i-- > 0;) {
    const Layer& layer = layers_[i];
    if ((layer.handled_net & request) == 0) continue;
    auto it = layer.port_rights.find(port);
    if (it == layer.port_rights.end() || (it->second & request) == 0) {
      LogNetDenial(i, request, addr, layer.quiet_ports.contains(port));
      return -EACCES;
    }
  }
  return 0;
}

}  // namespace lockstep
