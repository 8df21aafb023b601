// OracleEngine: Landlock's semantics written plainly, as the documentation and DESIGN.md state
// them, parametrised by a revision Profile. It is the reference the kernel engine is diffed
// against, so it shares no code with the kernel: a ruleset is its handled masks plus a port →
// rights map, a domain is a list of layers, each a copy of a ruleset taken at restrict time.
//
// Around Landlock it models the same small task the kernel engine's shim models (kernel_shim/src
// task.c and socket.c): an fd table whose new fds are the lowest free number from 3 (at most
// 256), sockets with their family/type/protocol, user buffers readable up to a byte count, and
// the socket layer's own checks before the hooks.
//
// The filesystem (docs/filesystem.md) is a plain tree of inodes with bind mounts on top of it;
// oracle_fs.cc holds the VFS side of each op, oracle_fs_landlock.cc Landlock's decisions.

#ifndef LOCKSTEP_MODEL_ORACLE_ENGINE_H_
#define LOCKSTEP_MODEL_ORACLE_ENGINE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "engine/engine.h"
#include "model/fs_access.h"
#include "model/profile.h"

namespace lockstep {

class OracleEngine : public Engine {
 public:
  explicit OracleEngine(Profile profile);
  ~OracleEngine() override;

  const Profile& profile() const { return profile_; }

  std::string Name() const override;
  void BeginTask(const TaskSpec& spec) override;
  std::vector<EngineFinding> EndTask() override;

  long Syscall(const OpArgs& args) override;

  // The denial logs, where the profile's revision writes them (LogsDenials()): the records of
  // the network ops, of the filesystem ops and of task exit, written plainly from the uapi and
  // admin-guide documentation (oracle_log.cc). Not modelled yet (from there on the task's logs
  // are not known: returns false): denials of a rename or link that moves a file to another
  // directory, of a mount, and of an object whose path the model cannot name (a file renamed or
  // unlinked after it was opened, a directory moved out of its bind mount).
  bool TakeLogRecords(std::vector<LogRecord>* out) override;

  // Each op (what Syscall dispatches to), callable directly on an OracleEngine.
  long CreateRuleset(UserBuffer attr, size_t size, uint32_t flags);
  long AddRule(int ruleset_fd, int rule_type, UserBuffer rule_attr, uint32_t flags);
  long RestrictSelf(int ruleset_fd, uint32_t flags);
  long SetNoNewPrivs();
  long Close(int fd);
  long Socket(int family, int type, int protocol);
  long Bind(int fd, UserBuffer addr, int addrlen);
  long Connect(int fd, UserBuffer addr, int addrlen);
  long SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags);

  long Mkdir(int dirfd, const std::string& path);
  long Mknod(int dirfd, const std::string& path, uint32_t mode, uint64_t dev);
  long Open(int dirfd, const std::string& path, uint32_t flags);
  long Execute(int dirfd, const std::string& path);
  long Execve(int dirfd, const std::string& path);
  long Truncate(int dirfd, const std::string& path);
  long Ftruncate(int fd);
  long Unlink(int dirfd, const std::string& path);
  long Rmdir(int dirfd, const std::string& path);
  long Rename(int old_dirfd, const std::string& old_path, int new_dirfd,
              const std::string& new_path, uint32_t flags);
  long Link(int old_dirfd, const std::string& old_path, int new_dirfd,
            const std::string& new_path);
  long Ioctl(int fd, uint32_t cmd);
  long BindMount(int src_dirfd, const std::string& src_path, int dst_dirfd,
                 const std::string& dst_path);
  long Thread();
  long OnThread(int thread);
  long Fork();
  long Kill(int task, int sig);
  long Ptrace(int task);
  long Traceme();
  long Listen(int fd);
  long Accept(int fd, uint32_t flags);
  long Setown(int fd, int task);
  long Sigwait(int sig);

  // How many layers the task's domain has (0: not sandboxed). For tests.
  size_t NumLayers() const { return layers_.size(); }

 private:
  // ---- The filesystem world ----

  enum class FileType { kDirectory, kRegular, kCharDevice, kBlockDevice, kFifo, kSocket };

  // One inode of the task's tmpfs-like filesystem. Inodes are never freed during a task: an
  // unlinked file stays reachable through its fds and keeps its Landlock rules.
  struct Inode {
    FileType type = FileType::kRegular;
    uint32_t rdev = 0;                    // devices: the number as mknod(2) takes it
    std::map<std::string, int, std::less<>> children;  // directories: name → inode
    int parent = -1;                      // directories: the directory holding it (the root: -1)
    bool removed = false;                 // directories: rmdir'ed (kept for its open fds)
    bool executable = true;               // some execute bit in its mode (mknod may clear all)
  };

  // A mount: a view of the tree from `root` down, attached on a name in another mount. The
  // root mount (index 0) is attached nowhere.
  struct Mount {
    int root = 0;
    // A file root is one name of the file, as the kernel's dentry is: the entry (directory,
    // name) it was bound from, moved along by renames; root_dir is -1 once that name is gone
    // (unlinked or replaced). A directory has one name, so its inode (and `removed`) suffices.
    int root_dir = -1;
    std::string root_name;
    int parent_mount = -1;
    // What it covers in parent_mount: the inode, and for a file the entry (directory, name)
    // naming it, since two hard links are two mount points; -1 when it covers a mount's root.
    int covered_inode = -1;
    int covered_dir = -1;
    std::string covered_name;
  };

  // Where a name resolved to: the mount it is seen in, its inode, and the directory whose entry
  // named it. A directory's own parent is in its inode; the root of a mount carries the mount's
  // root_dir and root_name (-1 and "" for a directory, and for a file whose name is gone).
  struct Place {
    int mount = 0;
    int inode = 0;
    int dir = -1;
    std::string name;  // the entry's name in `dir`
  };

  // A path resolved up to its last component.
  struct Resolved {
    bool is_dot = false;  // the path was "." (the starting directory itself)
    Place parent;         // the directory holding the last component (for ".", the start)
    std::string name;     // the last component ("" for ".")
    int inode = -1;       // the entry's inode in `parent`, -1 when missing (for ".", the start)
    Place target;         // the entry after entering the mounts on it (for ".", the start)
    bool exists() const { return inode >= 0; }
  };

  // ---- Landlock ----

  // What landlock_create_ruleset() makes and landlock_add_rule() extends.
  struct Ruleset {
    uint64_t handled_fs = 0;
    uint64_t handled_net = 0;
    uint64_t scoped = 0;
    // quiet_access_fs/net (ABI 10): what LANDLOCK_ADD_RULE_QUIET needs; no effect on decisions.
    uint64_t quiet_fs = 0;
    uint64_t quiet_net = 0;
    uint64_t quiet_scoped = 0;  // (ABI 10) quiet_scoped: the scopes whose denials it keeps quiet
    absl::flat_hash_map<uint16_t, uint64_t> port_rights;  // port → granted net rights
    absl::flat_hash_set<uint16_t> quiet_ports;  // ports some LANDLOCK_ADD_RULE_QUIET rule named
    std::set<int> quiet_inodes;                  // inodes some quiet path_beneath rule named
    std::map<int, uint64_t> inode_rights;                 // inode → granted fs rights
  };

  // A domain: what one restrict_self made, stacked on the thread's domain then (its parent).
  // Every thread enforcing it, and every file opened under it, shares it. Domains are numbered
  // in the order they were made, as log records number them.
  struct Domain {
    int number = 0;
    int parent = 0;  // the domain it was stacked on (0: none)
    // (ABI 7) How it logs.
    bool log_same_exec = true;  // not LOG_SAME_EXEC_OFF
    bool log_new_exec = false;  // LOG_NEW_EXEC_ON
    // Nothing of it is logged: both exec flags off, or made under LOG_SUBDOMAINS_OFF.
    bool log_disabled = false;
    bool log_recorded = false;  // its "allocated" record was written
    uint64_t denials = 0;       // every denial it was the youngest to deny, logged or not
    uint64_t quiet_fs = 0;      // its layer's quiet_access_fs (a file's later denials need it)
    // What keeps it: the threads and files whose youngest domain it is (`holders`), the
    // domains stacked on it that are kept (`children`). It goes, with its deallocated record,
    // when both reach 0, its children first; nothing holds it again after that.
    int holders = 0;
    int children = 0;
  };

  // One layer of a thread's domain: a snapshot of a ruleset at restrict_self time, the domain
  // it made, and whether the program the thread runs made it (no execve since).
  struct Layer : Ruleset {
    explicit Layer(const Ruleset& r) : Ruleset(r) {}
    int domain = 0;  // its number: domains_[domain - 1]
    bool same_exec = true;
  };

  // A task's own state (a thread of some process): its credentials' Landlock part and
  // no_new_privs. The running thread's is in the members below (no_new_privs_, layers_,
  // log_subdomains_off_); the others' wait here.
  struct ThreadState {
    bool live = true;  // not ended by an execve of another thread
    bool no_new_privs = false;
    std::vector<Layer> layers;
    bool log_subdomains_off = false;
    int process = 0;  // its process: processes_[process]
    // The task that forked its process (a thread has its creator's); -1: outside the scenario.
    int parent = -1;
    // The signals pending for it: every task blocks every signal, so a signal sent to it waits
    // until a sigwait takes it; a standard signal (below 32) is pending once (bit sig - 1), a
    // real-time one as often as it was sent (rt_queued_ counts those).
    uint64_t pending = 0;
  };
  static constexpr int kMaxThreads = LOCKSTEP_MAX_TASK_THREADS;

  struct Sock {
    int family = 0;
    int type = 0;      // without SOCK_NONBLOCK / SOCK_CLOEXEC
    int protocol = 0;  // as the family's create() settles it (0 → TCP/UDP)
    // Whether the stack gave it a local port (bind, or a UDP socket's autobind): what 7.x's
    // UDP autobind check reads (inet_sk(sk)->inet_num != 0).
    bool bound = false;
    // Whether that port was asked for by a bind to a nonzero port (SOCK_BINDPORT_LOCK): a UDP
    // socket's connect(AF_UNSPEC) keeps it; an autobound or bind(0) port goes with the
    // disconnect, so the next send or connect meets the autobind check again.
    bool port_locked = false;
    // AF_UNIX: its state in unix_sockets_ (-1: another family).
    int unix_socket = -1;
  };

  struct File;
  // An AF_UNIX socket (oracle_unix.cc), as unix(7) describes what decides whether Landlock's
  // abstract UNIX socket scope is asked: its bound name, whether it listens or is connected, a
  // datagram socket's peer. Kept while a peer still points at it after its last close.
  struct UnixSocket {
    int type = 0;
    bool closed = false;
    // Bound: `name` is the address as bound (family and path, addrlen bytes); an autobound
    // socket has a name no scenario can know (the kernel draws it at random): `findable` false.
    bool bound = false;
    bool findable = false;
    std::vector<uint8_t> name;
    bool listening = false;
    bool connected = false;  // a stream or seqpacket socket's connect succeeded
    int peer = -1;           // a datagram socket's peer (connect), in unix_sockets_
    // A stream or seqpacket connection's other end once accepted (the client's accepted
    // socket, the accepted socket's client); and whether the other end closed (shut down).
    int stream_peer = -1;
    bool shut = false;
    // A listener: the sockets whose connections it holds (until accepted), oldest first.
    std::vector<int> backlog;
    int queued = 0;          // the datagrams that reached it (none is ever read)
    bool reset = false;      // its next datagram send fails with ECONNRESET
    int opener_domain = 0;   // the youngest domain of the task that made it (the file's)
    int inode = -1;          // a named socket's file (bound to a pathname)
    File* file = nullptr;  // its file, while open (its owner gets its SIGIO)
  };

  // A file's owner (F_SETOWN_EX, op setown): the task its SIGIO goes to, and what Landlock
  // recorded when the owner was set: the setter's layers when one of them scoped signals and
  // the owner was a task of another process (empty: nothing recorded, every SIGIO goes
  // through), with the setter's process (its own process always gets the signal).
  struct Fown {
    int owner = -1;
    bool async = false;  // O_ASYNC
    std::vector<Layer> layers;
    int setter_process = -1;
  };

  // One open file: a ruleset, a socket or a file of the tree. An fd table holds it shared: a
  // forked process's table names the same open files (a socket bound through one is bound for
  // both), and the file's credentials go when its last fd closes.
  struct File {
    std::shared_ptr<Ruleset> ruleset;  // set for a ruleset fd
    bool is_socket = false;
    Sock sock;
    bool close_on_exec = false;  // O_CLOEXEC, SOCK_CLOEXEC, every ruleset: execve closes it
    bool in_tree = false;        // a file of the tree, opened by Open()
    Place place;           // where it was opened (a file keeps its inode after unlink/rename)
    bool o_path = false;
    bool reads = false;
    bool writes = false;
    // Landlock's rights recorded at open: truncate and ioctl_dev decide ftruncate and ioctl
    // later, whatever the domain is then. Opened outside any fs domain: every right.
    uint64_t landlock_allowed = ~0ull;
    // For the logs of a later ftruncate or ioctl denied by what was recorded at open: the
    // domain of the youngest layer that denied truncate (ioctl_dev), 0 when none, whether a
    // quiet rule of that layer covered the file, and whether the program that opened the file
    // made that layer (ftruncate and ioctl are judged by the credentials the file was opened
    // with, an execve since included). (Ordered so the struct packs: its size decides which
    // malloc bin it comes from, which perf-gate's per-op counts see.)
    int truncate_deny_domain = 0;
    int ioctl_deny_domain = 0;
    bool truncate_quiet = false;
    bool ioctl_quiet = false;
    bool truncate_deny_same_exec = false;
    bool ioctl_deny_same_exec = false;
    // The youngest domain of the thread that opened it (0: none): the file's credentials keep
    // that domain.
    int opener_domain = 0;
    int fown = -1;  // its owner, in fowns_ (set by the first setown; -1: none)
  };

  static constexpr int kFirstFd = 3;
  static constexpr int kMaxFds = 256;

  // The lowest free fd (from 3), or -1 when the table is full.
  int LowestFreeFd() const;
  // Installs `file` as `fd` (made with make_shared: one allocation for it and its count).
  void SetFd(int fd, std::shared_ptr<File> file);
  using FdTable = std::array<std::shared_ptr<File>, kMaxFds>;
  const File* Lookup(int fd) const;
  // Lookup() as fdget() sees it: nullptr for an O_PATH fd too.
  const File* LookupFile(int fd) const;
  // The ruleset behind `fd`: -EBADF when no such fd, -EBADFD when not a ruleset.
  long GetRuleset(int fd, std::shared_ptr<Ruleset>* out) const;
  // move_addr_to_kernel(): 0 and the bytes, or -EINVAL / -EFAULT.
  static long CopySockaddr(UserBuffer addr, int addrlen, std::vector<uint8_t>* out);
  // Landlock's verdict on a bind (bind=true) or connect of `sock` to `addr`.
  // 7.x (udp_checked): the check of an unbound UDP socket's autobind, as a bind to port 0.
  long CheckUdpAutobind(const Sock& sock);
  // Whether the stack takes `addr` for `sock`'s local or remote address (family and length);
  // the port, in host order, in *port.
  static bool StackTakesAddress(const Sock& sock, const std::vector<uint8_t>& addr, int addrlen,
                                uint16_t* port);
  static bool IsUdp(const Sock& sock);
  // The address's family (host order), -1 when it is shorter than one.
  static int SockaddrFamily(const std::vector<uint8_t>& addr);
  // `connecting`: connect(2) rather than sendto(2) (AF_UNSPEC disconnects a UDP socket).
  long CheckSocket(const Sock& sock, const std::vector<uint8_t>& addr, int addrlen,
                   uint64_t request, bool connecting = false);
  void Reset();

  // ---- Denial logs (oracle_log.cc) ----
  // Whether the revision writes denial logs: it knows the LOG_* restrict_self flags (ABI 7),
  // which came with them.
  bool LogsDenials() const { return WritesDenialLogs(profile_); }
  // A network denial of `request` (one right) by layer `layer`, the youngest that denies it:
  // counted, and logged as the documentation says. `addr` is the address as passed (its
  // family decides the object's fields), `quiet_port` whether the port's rule in that layer is
  // quiet.
  void LogNetDenial(size_t layer, uint64_t request, const std::vector<uint8_t>& addr,
                    bool object_quiet);
  // Counts a denial of `missing` by `domain` and logs it as the documentation says (both kinds).
  // `same_exec`: whether the program of the credentials judged made the domain (the running
  // thread's, or for ftruncate and ioctl the file's opener's).
  void LogDenial(Domain& domain, bool same_exec, uint64_t missing, bool object_quiet,
                 uint64_t quiet_mask, std::string blockers, std::string object);
  // A filesystem denial of `missing` by layer `layer` of the running thread (the youngest
  // denying), its object's fields (`object`, empty: the object cannot be named here, and the
  // task's logs become unknown), `object_quiet` whether the layer's quiet rules cover it.
  void LogFsDenial(int layer, uint64_t missing, bool object_quiet, const std::string& object);
  // The same for a denial recorded when a file was opened: by domain `domain` (0: none), made
  // by the opener's program or not (`same_exec`).
  void LogFileDenial(int domain, bool same_exec, uint64_t missing, bool object_quiet,
                     const std::string& object);
  // The object fields of a path, as audit writes them: `path="/a/b"` (hex when the name needs
  // it: " (deleted)"); "" when the model cannot name it.
  std::string PathObject(const Place& place) const;
  // Marks the task's logs unknown (a denial the oracle does not model).
  void LogNotModelled() { logs_known_ = false; }
  // A successful restrict_self with `flags`: the new layer's log settings (when `added`), and
  // the task's LOG_SUBDOMAINS_OFF.
  void NoteRestrict(uint32_t flags, bool added);
  // Task exit: every file closes, then every thread ends, by number; the logged domains that
  // go are recorded as they go.
  void LogTaskExit();

  // ---- Domains' lifetimes and threads ----
  // The youngest domain of a thread with these layers (0: none); YoungestDomain(): the running
  // thread's.
  static int YoungestOf(const std::vector<Layer>& layers) {
    return layers.empty() ? 0 : layers.back().domain;
  }
  int YoungestDomain() const { return YoungestOf(layers_); }
  Domain& DomainNumbered(int number) { return domains_[static_cast<size_t>(number - 1)]; }
  // A thread or file whose youngest domain is `number` lets go of it: it and the domains
  // below it that nothing keeps any more go, each with its deallocated record where logged.
  void ReleaseDomain(int number) {
    if (number > 0) ReleaseDomainHeld(number);
  }
  void ReleaseDomainHeld(int number);
  void HoldDomain(int number) {
    if (number > 0) ++DomainNumbered(number).holders;
  }
  // Closes fd `fd` (the file's credentials go with it, when no other table holds it).
  void DropFd(int fd) { DropFile(fds_[static_cast<size_t>(fd)]); }
  void DropFile(std::shared_ptr<File>& slot);
  // Ends thread `t` (not the running one): its credentials go.
  void EndThread(int t);
  // TSYNC: every other live thread of the running process takes the running thread's Landlock
  // state (and no_new_privs when `no_new_privs`).
  void SyncSiblings(bool no_new_privs);

  // ---- Processes ----
  // A process: its fd table (the running process's is in fds_ and fds_end_, this one is empty
  // while it runs) and its first task, whose number names it in logs (opid).
  struct Process {
    FdTable fds;
    int fds_end = 0;
    int leader = 0;
  };
  // Whether task `t` exists and has not ended.
  bool LiveTask(int t) const {
    return t >= 0 && t < static_cast<int>(threads_.size()) &&
           threads_[static_cast<size_t>(t)].live;
  }
  // The Landlock layers of task `t` (the running one's are layers_).
  const std::vector<Layer>& LayersOf(int t) const {
    return t == thread_ ? layers_ : threads_[static_cast<size_t>(t)].layers;
  }
  int ProcessOf(int t) const { return threads_[static_cast<size_t>(t)].process; }
  // Task `t`'s parent now: the task that forked its process, or once that one ended, the live
  // task of its process (children go to a live thread of the group); -1: outside the scenario.
  int ParentOf(int t) const;
  // Whether some file open in any process's fd table satisfies `pred`.
  template <typename Pred>
  bool AnyOpenFile(Pred pred) const {
    const auto scan = [&pred](const FdTable& table, int end) {
      for (int fd = 0; fd < end; ++fd) {
        if (table[static_cast<size_t>(fd)] && pred(*table[static_cast<size_t>(fd)])) return true;
      }
      return false;
    };
    if (scan(fds_, fds_end_)) return true;
    for (size_t p = 0; p < processes_.size(); ++p) {
      if (static_cast<int>(p) != process_ && scan(processes_[p].fds, processes_[p].fds_end)) {
        return true;
      }
    }
    return false;
  }
  // The object fields of a task in a log record: its process, by its first task's number.
  std::string TaskObject(int t) const;
  // A new task with the running thread's credentials and no_new_privs, in process `process`
  // with parent `parent`: its number.
  int NewTask(int process, int parent);
  // Landlock's ptrace rule: a tracer with these layers may trace a task with `tracee`'s when it
  // has no domain or its domain is the tracee's or one the tracee's is nested in; else EPERM,
  // blamed on the tracer's youngest domain with task `tracee_task` as the object.
  long TraceCheck(const std::vector<Layer>& tracer, const std::vector<Layer>& tracee,
                  int tracee_task);

  // ---- AF_UNIX sockets (oracle_unix.cc) ----
  UnixSocket& UnixAt(int s) { return unix_sockets_[static_cast<size_t>(s)]; }
  long UnixBind(int s, const std::vector<uint8_t>& addr, int addrlen);
  long UnixConnect(int s, const std::vector<uint8_t>& addr, int addrlen);
  long UnixSend(int s, const std::vector<uint8_t>& addr, int addrlen, bool has_addr,
                uint32_t flags);
  long UnixListen(int s);
  // unix_accept(): listener `s`'s oldest connection becomes a socket (its index), or -errno.
  long UnixAccept(int s);
  // The bound, open, findable socket of `type` named `addr` (its first `addrlen` bytes): its
  // index, or -1.
  int FindAbstract(const std::vector<uint8_t>& addr, int addrlen, int type) const;
  // A named socket's bind: its file first (Landlock's make_sock), then the binding.
  long UnixBindPath(int s, const std::vector<uint8_t>& addr, int addrlen);
  // The socket of `type` an address names (abstract, or a pathname: its file, a socket bound
  // to it, then Landlock's RESOLVE_UNIX): its index, or -errno.
  long FindUnix(const std::vector<uint8_t>& addr, int addrlen, int type);
  // LANDLOCK_ACCESS_FS_RESOLVE_UNIX (ABI 9) on the named socket file at `place`, made by a task
  // whose youngest domain is `server_domain`: 0, or -EACCES, logged.
  long CheckResolveUnix(const Place& place, int server_domain);
  // Whether `domain` is `ancestor` or nested in it (0: no domain, inside nothing).
  bool DomainWithin(int domain, int ancestor) const;
  // The abstract UNIX socket scope between the running task and socket `s`'s maker (0 when `s`
  // is not an abstract socket): 0, or -EPERM, logged.
  long UnixScope(int s);
  // Socket `s` leaves its datagram peer: its unread datagrams go, and a peer connected back
  // learns it at its next send.
  void UnixDisconnected(int s, int old_peer);
  // Socket `s`'s file closed for the last time: its name and peer go, and a listener's queued
  // connections hang up.
  void UnixClosed(int s);
  // What goes with a file's last close besides its credentials: its AF_UNIX socket
  // (`unix_socket`, -1: none) and its owner record (`fown`, -1: none). Out of line: most files
  // have neither.
  void FileGone(int unix_socket, int fown);
  // The layer of the running task whose `scope` keeps it from a task or object whose youngest
  // domain is `target_domain` (the youngest such layer; -1: none). A layer scopes the task out
  // when its domain is not `target_domain` or one of its ancestors.
  int ScopingLayer(uint64_t scope, int target_domain) const {
    return ScopingLayerOf(layers_, scope, target_domain);
  }
  // The same for a task with `layers`.
  int ScopingLayerOf(const std::vector<Layer>& layers, uint64_t scope, int target_domain) const;
  // Socket `s` has news for its file's owner (a datagram, a connection, an error, a hang-up):
  // SIGIO goes to the owner when the file is O_ASYNC, unless what Landlock recorded at setown
  // scopes the owner out (logged, blamed on the setter's youngest layer scoping signals).
  void RaiseSigio(int s);
  // Socket `s` got urgent data: SIGURG goes to its file's owner (O_ASYNC or not), judged as
  // SIGIO is.
  void RaiseSigurg(int s);
  void SignalOwner(int s, int sig);
  // Signal `sig` (1..64) becomes pending for task `task`, as the kernel queues it.
  void Deliver(int task, int sig);

  // ---- The filesystem (oracle_fs.cc) ----
  int NewInode(FileType type, int parent, uint32_t rdev = 0);
  bool IsDir(int inode) const { return inodes_[inode].type == FileType::kDirectory; }
  // Whether mount `m` is attached on what `place` names (in whichever mount).
  bool Covers(const Mount& m, const Place& place) const;
  // Whether some mount, in whichever mount, is attached on what `place` names (a mount point:
  // EBUSY to remove or rename).
  bool IsMountPoint(const Place& place) const;
  // Whether what `place` names is no longer in the tree: a removed directory, or a mount's file
  // root whose name was unlinked or replaced. Nothing can be mounted on it.
  bool IsUnlinked(const Place& place) const;
  // The root of mount `mount` as a Place.
  Place MountRoot(int mount) const;
  // The mounts whose root is the file named `name` in directory `dir`.
  std::vector<Mount*> FileRootsNamed(int dir, const std::string& name);
  // Whether `inode` is the root of some mount other than the root mount.
  bool IsMountRoot(int inode) const;
  // The directory holding `place` in the same mount (a mount's root: itself).
  Place ParentOf(const Place& place) const;
  // `place` after entering the mounts attached on it (the top one when stacked): where
  // resolution lands, and where a new mount on `place` is attached.
  Place EnterMounts(Place place) const;
  // Resolves `path` from `dirfd` up to its last component: -EBADF, -ENOTDIR or -ENOENT.
  long Resolve(int dirfd, const std::string& path, Resolved* out) const;
  // Whether `inode` is `ancestor` or below it (following directory parents).
  bool IsBelowOrSame(int inode, int ancestor) const;
  // Whether an fd of the task has `inode` open for writing (execve's ETXTBSY).
  bool OpenForWriting(int inode) const;
  long InstallFile(File file);

  // ---- Landlock's filesystem decisions (oracle_fs_landlock.cc) ----
  // Whether some layer handles a filesystem right: only then do fs hooks look at anything.
  bool HasFsDomain() const;
  // The rights a layer checks: its handled rights, and `refer`, which every layer denies unless
  // a rule grants it.
  static uint64_t CheckedBy(const Layer& layer);
  // The inodes whose rules count for `place`: the file itself, then every directory above it up
  // to the root, across mounts.
  std::vector<int> RuleWalk(Place place) const;
  // What `layer` grants along `walk` (union of its rules there).
  static uint64_t GrantedAlong(const Layer& layer, const std::vector<int>& walk);
  // The rights of `request` that every layer checking them grants on `place`.
  uint64_t AllowedRights(Place place, uint64_t request) const;
  uint64_t AllowedRights(const std::vector<int>& walk, uint64_t request) const;
  // 0 when every right of `request` is allowed on `place`, else -EACCES, logged with `place` as
  // the object.
  long CheckPath(Place place, uint64_t request);
  // The youngest layer that denies some right of `request` on `place`, or -1: the rights it
  // denies in *missing, and in *quiet whether one of its quiet rules covers `place` (a quiet
  // rule on it or on a directory above it).
  int DenyingLayer(Place place, uint64_t request, uint64_t* missing, bool* quiet) const;
  int DenyingLayer(const std::vector<int>& walk, uint64_t request, uint64_t* missing,
                   bool* quiet) const;
  // Whether an ioctl command is one Landlock lets through on a device without ioctl_dev.
  static bool IsAlwaysAllowedIoctl(uint32_t cmd);
  // The make_* right creating a file of this type needs.
  uint64_t MakeRight(FileType type, uint32_t rdev) const;
  // Landlock's verdict on linking or renaming `old_inode`, named in directory `old_dir`, to an
  // entry of `new_dir` that now holds `new_inode` (-1: none).
  long CheckRefer(Place old_dir, int old_inode, int old_tree_parent, Place new_dir,
                  int new_inode, bool removes, bool exchange, bool whiteout);

  Profile profile_;
  bool no_new_privs_ = false;
  bool cap_sys_admin_ = false;
  std::vector<Layer> layers_;
  std::vector<Domain> domains_;        // every domain the task made, by number - 1
  std::vector<ThreadState> threads_;   // every task, by number; threads_[thread_] is stale
  // The scenario's AF_UNIX sockets, by creation (one network namespace: abstract names are
  // shared by every process).
  std::vector<UnixSocket> unix_sockets_;
  std::vector<Fown> fowns_;  // the files' owners (File::fown), for the task's lifetime
  // How often each real-time signal is pending for each task (by task, then sig - 32): made
  // at the first one sent.
  std::vector<std::array<uint16_t, 33>> rt_queued_;
  int thread_ = 0;                     // the running thread
  std::vector<Process> processes_;     // in the order they were made
  int process_ = 0;                    // the running thread's process
  FdTable fds_;
  int fds_end_ = 0;  // one past the highest fd installed in this task: the fds from it on are empty
  bool log_subdomains_off_ = false;   // LOG_SUBDOMAINS_OFF: domains made from now on log nothing
  bool logs_known_ = true;            // false once the task met what the oracle does not model
  std::vector<LogRecord> logs_;       // written since the last TakeLogRecords
  std::vector<Inode> inodes_;  // inode 0: the root directory
  std::vector<Mount> mounts_;  // mount 0: the root mount
};

}  // namespace lockstep

#endif  // LOCKSTEP_MODEL_ORACLE_ENGINE_H_
