// The oracle's filesystem: a plain tree of inodes, bind mounts over it, and each op's checks in
// the order docs/filesystem.md gives them. Landlock's part of each op is one call into
// oracle_fs_landlock.cc, marked ★ as in the contract.

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "model/oracle_engine.h"

namespace lockstep {
namespace {

constexpr long kEperm = -EPERM;
constexpr long kEnoent = -ENOENT;
constexpr long kEnxio = -ENXIO;
constexpr long kEbadf = -EBADF;
constexpr long kEacces = -EACCES;
constexpr long kEbusy = -EBUSY;
constexpr long kEexist = -EEXIST;
constexpr long kExdev = -EXDEV;
constexpr long kEnotdir = -ENOTDIR;
constexpr long kEisdir = -EISDIR;
constexpr long kEinval = -EINVAL;
constexpr long kEmfile = -EMFILE;
constexpr long kEtxtbsy = -ETXTBSY;
constexpr long kEnotempty = -ENOTEMPTY;

// Open flags (x86-64 Linux).
constexpr uint32_t kAccessModeMask = 3;  // O_RDONLY 0, O_WRONLY 1, O_RDWR 2
constexpr uint32_t kOCreat = 0100;
constexpr uint32_t kOExcl = 0200;
constexpr uint32_t kOTrunc = 01000;
constexpr uint32_t kODirectory = 0200000;
constexpr uint32_t kOPath = 010000000;
constexpr uint32_t kOCloexec = 02000000;

// File types as mknod(2)'s mode carries them.
constexpr uint32_t kSIfmt = 0170000;
constexpr uint32_t kSIfsock = 0140000;
constexpr uint32_t kSIfreg = 0100000;
constexpr uint32_t kSIfblk = 0060000;
constexpr uint32_t kSIfdir = 0040000;
constexpr uint32_t kSIfchr = 0020000;
constexpr uint32_t kSIfifo = 0010000;

// renameat2(2) flags.
constexpr uint32_t kRenameNoreplace = 1;
constexpr uint32_t kRenameExchange = 2;
constexpr uint32_t kRenameWhiteout = 4;

// The null device, makedev(1, 3): the one device that opens.
constexpr uint32_t kNullDevice = 0x103;
// The root directory and the root mount.
constexpr int kRootInode = 0;
constexpr int kRootMount = 0;

}  // namespace

// ---- The tree and its mounts ----

int OracleEngine::NewInode(FileType type, int parent, uint32_t rdev) {
  Inode inode;
  inode.type = type;
  inode.rdev = rdev;
  inode.parent = type == FileType::kDirectory ? parent : -1;
  inodes_.push_back(std::move(inode));
  return static_cast<int>(inodes_.size()) - 1;
}

bool OracleEngine::Covers(const Mount& m, const Place& place) const {
  if (m.covered_inode != place.inode) return false;
  // A directory has one name, so its inode says where it is; a file may have several.
  if (IsDir(place.inode)) return true;
  return m.covered_dir == place.dir && m.covered_name == place.name;
}

bool OracleEngine::IsMountPoint(const Place& place) const {
  for (size_t i = 1; i < mounts_.size(); ++i) {
    if (Covers(mounts_[i], place)) return true;
  }
  return false;
}

bool OracleEngine::IsUnlinked(const Place& place) const {
  if (IsDir(place.inode)) return inodes_[place.inode].removed;
  return place.dir < 0;
}

OracleEngine::Place OracleEngine::MountRoot(int mount) const {
  const Mount& m = mounts_[mount];
  return Place{mount, m.root, m.root_dir, m.root_name};
}

std::vector<OracleEngine::Mount*> OracleEngine::FileRootsNamed(int dir, const std::string& name) {
  std::vector<Mount*> roots;
  for (size_t i = 1; i < mounts_.size(); ++i) {
    Mount& m = mounts_[i];
    if (!IsDir(m.root) && m.root_dir == dir && m.root_name == name) roots.push_back(&m);
  }
  return roots;
}

bool OracleEngine::IsMountRoot(int inode) const {
  for (size_t i = 1; i < mounts_.size(); ++i) {
    if (mounts_[i].root == inode) return true;
  }
  return false;
}

OracleEngine::Place OracleEngine::EnterMounts(Place place) const {
  // Enter the latest mount attached on the place, then whatever is attached on its root.
  while (true) {
    int top = -1;
    for (size_t i = 1; i < mounts_.size(); ++i) {
      if (mounts_[i].parent_mount == place.mount && Covers(mounts_[i], place)) {
        top = static_cast<int>(i);
      }
    }
    if (top < 0) return place;
    place = MountRoot(top);
  }
}

OracleEngine::Place OracleEngine::ParentOf(const Place& place) const {
  if (place.inode == mounts_[place.mount].root) return place;
  if (IsDir(place.inode)) return Place{place.mount, inodes_[place.inode].parent, -1, ""};
  return Place{place.mount, place.dir, -1, ""};
}

long OracleEngine::Resolve(int dirfd, const std::string& path, Resolved* out) const {
  *out = Resolved{};
  Place at{kRootMount, kRootInode, -1, ""};
  if (dirfd != kAtRoot) {
    const File* f = Lookup(dirfd);
    if (f == nullptr) return kEbadf;
    if (!f->in_tree || !IsDir(f->place.inode)) return kEnotdir;
    at = f->place;
  }
  if (path == ".") {
    out->is_dot = true;
    out->parent = at;
    out->inode = at.inode;
    out->target = at;
    return 0;
  }
  if (path.empty()) return kEnoent;
  // Every name before the last '/' is a directory walked into (an empty one, of "a//b", is
  // looked up like any other and not found); the rest is the last component.
  absl::string_view rest = path;
  for (size_t slash = rest.find('/'); slash != absl::string_view::npos; slash = rest.find('/')) {
    const absl::string_view name = rest.substr(0, slash);
    rest.remove_prefix(slash + 1);
    const auto& children = inodes_[at.inode].children;
    auto it = children.find(name);
    if (it == children.end()) return kEnoent;
    if (!IsDir(it->second)) return kEnotdir;
    at = EnterMounts(Place{at.mount, it->second, at.inode, std::string(name)});
  }
  out->parent = at;
  out->name = std::string(rest);
  const auto& children = inodes_[at.inode].children;
  auto it = children.find(out->name);
  if (it != children.end()) {
    out->inode = it->second;
    out->target = EnterMounts(Place{at.mount, it->second, at.inode, out->name});
  }
  return 0;
}

bool OracleEngine::IsBelowOrSame(int inode, int ancestor) const {
  for (int at = inode; at >= 0; at = inodes_[at].parent) {
    if (at == ancestor) return true;
    if (!IsDir(at)) return false;
  }
  return false;
}

bool OracleEngine::OpenForWriting(int inode) const {
  return AnyOpenFile([inode](const File& f) {
    return f.in_tree && !f.o_path && f.writes && f.place.inode == inode;
  });
}

long OracleEngine::InstallFile(File file) {
  const int fd = LowestFreeFd();
  if (fd < 0) return kEmfile;
  SetFd(fd, std::make_shared<File>(std::move(file)));
  return fd;
}

// ---- The ops ----

long OracleEngine::Mkdir(int dirfd, const std::string& path) {
  Resolved r;
  if (long err = Resolve(dirfd, path, &r); err != 0) return err;
  if (r.is_dot || r.exists()) return kEexist;
  // A removed directory takes no new names (its lookups fail).
  if (inodes_[r.parent.inode].removed) return kEnoent;
  if (long err = CheckPath(r.parent, fs_access::kMakeDir); err != 0) return err;  // ★
  const int dir = NewInode(FileType::kDirectory, r.parent.inode);
  inodes_[r.parent.inode].children[r.name] = dir;
  return 0;
}

long OracleEngine::Mknod(int dirfd, const std::string& path, uint32_t mode, uint64_t dev) {
  FileType type;
  switch (mode & kSIfmt) {
    case 0:
    case kSIfreg: type = FileType::kRegular; break;
    case kSIfchr: type = FileType::kCharDevice; break;
    case kSIfblk: type = FileType::kBlockDevice; break;
    case kSIfifo: type = FileType::kFifo; break;
    case kSIfsock: type = FileType::kSocket; break;
    case kSIfdir: return kEperm;
    default: return kEinval;
  }
  // mknodat(2) takes the device number as an unsigned int.
  const uint32_t rdev = type == FileType::kCharDevice || type == FileType::kBlockDevice
                            ? static_cast<uint32_t>(dev)
                            : 0;
  Resolved r;
  if (long err = Resolve(dirfd, path, &r); err != 0) return err;
  if (r.is_dot || r.exists()) return kEexist;
  if (inodes_[r.parent.inode].removed) return kEnoent;
  if (long err = CheckPath(r.parent, MakeRight(type, rdev)); err != 0) return err;  // ★
  const int inode = NewInode(type, r.parent.inode, rdev);
  inodes_[inode].executable = (mode & 0111) != 0;
  inodes_[r.parent.inode].children[r.name] = inode;
  return 0;
}

long OracleEngine::Open(int dirfd, const std::string& path, uint32_t flags) {
  const bool close_on_exec = (flags & kOCloexec) != 0;
  // O_PATH beats every other flag but O_DIRECTORY (and O_CLOEXEC), O_CREAT included.
  if ((flags & kOPath) != 0) flags &= kOPath | kODirectory;
  if ((flags & kOCreat) != 0 && (flags & kODirectory) != 0) return kEinval;
  // The fd is reserved before the path is looked at.
  if (LowestFreeFd() < 0) return kEmfile;
  Resolved r;
  if (long err = Resolve(dirfd, path, &r); err != 0) return err;

  File file;
  file.in_tree = true;
  file.close_on_exec = close_on_exec;
  if ((flags & kOPath) != 0) {
    // O_PATH: a position in the tree, no open file, so no Landlock check.
    if (!r.exists()) return kEnoent;
    if ((flags & kODirectory) != 0 && !IsDir(r.target.inode)) return kEnotdir;
    file.place = r.target;
    file.o_path = true;
    return InstallFile(std::move(file));
  }

  // Access mode 3 opens with neither read nor write mode, yet asks for write permission.
  const uint32_t access_mode = flags & kAccessModeMask;
  file.reads = access_mode == 0 || access_mode == 2;
  file.writes = access_mode == 1 || access_mode == 2;
  const bool asks_write = access_mode != 0;
  bool created = false;
  if (!r.exists()) {
    if ((flags & kOCreat) == 0) return kEnoent;
    if (inodes_[r.parent.inode].removed) return kEnoent;
    if (long err = CheckPath(r.parent, fs_access::kMakeReg); err != 0) return err;  // ★
    const int inode = NewInode(FileType::kRegular, r.parent.inode);
    inodes_[r.parent.inode].children[r.name] = inode;
    r.inode = inode;
    r.target = Place{r.parent.mount, inode, r.parent.inode, r.name};
    created = true;
  } else {
    const bool is_dir = IsDir(r.target.inode);
    if ((flags & kOCreat) != 0 && (flags & kOExcl) != 0) return kEexist;
    if ((flags & kOCreat) != 0 && is_dir) return kEisdir;
    if ((flags & kODirectory) != 0 && !is_dir) return kEnotdir;
    if (is_dir && (asks_write || (flags & kOTrunc) != 0)) return kEisdir;
  }
  file.place = r.target;
  const Inode& inode = inodes_[r.target.inode];

  // ★ file_open: the rights the access mode needs must be allowed; truncate and, for devices,
  // ioctl_dev are recorded for later whether allowed or not.
  uint64_t needed = 0;
  if (inode.type == FileType::kDirectory) {
    if (file.reads) needed = fs_access::kReadDir;
  } else {
    if (file.reads) needed |= fs_access::kReadFile;
    if (file.writes) needed |= fs_access::kWriteFile;
  }
  uint64_t optional = fs_access::kTruncate;
  if (inode.type == FileType::kCharDevice || inode.type == FileType::kBlockDevice) {
    optional |= fs_access::kIoctlDev;
  }
  int truncate_layer = -1;  // the youngest layer denying truncate, for O_TRUNC below
  if (HasFsDomain()) {
    const std::vector<int> walk = RuleWalk(file.place);
    file.landlock_allowed = AllowedRights(walk, needed | optional);
    // For the logs of later ftruncate and ioctl denials: who denied each refused optional right.
    uint64_t missing = 0;
    if ((optional & ~file.landlock_allowed & fs_access::kTruncate) != 0) {
      truncate_layer = DenyingLayer(walk, fs_access::kTruncate, &missing, &file.truncate_quiet);
    }
    if (truncate_layer >= 0) {
      const Layer& l = layers_[static_cast<size_t>(truncate_layer)];
      file.truncate_deny_domain = l.domain;
      file.truncate_deny_same_exec = l.same_exec;
    }
    if ((optional & ~file.landlock_allowed & fs_access::kIoctlDev) != 0) {
      const int layer = DenyingLayer(walk, fs_access::kIoctlDev, &missing, &file.ioctl_quiet);
      if (layer >= 0) {
        const Layer& l = layers_[static_cast<size_t>(layer)];
        file.ioctl_deny_domain = l.domain;
        file.ioctl_deny_same_exec = l.same_exec;
      }
    }
    if ((needed & ~file.landlock_allowed) != 0) {
      bool quiet = false;
      const int layer = DenyingLayer(walk, needed, &missing, &quiet);
      LogFsDenial(layer, missing, quiet, PathObject(file.place));
      return kEacces;
    }
  }

  switch (inode.type) {
    case FileType::kCharDevice:
      if (inode.rdev != kNullDevice) return kEnxio;
      break;
    case FileType::kBlockDevice:
    case FileType::kSocket: return kEnxio;
    case FileType::kFifo:
      if (!file.writes && !file.reads) return kEinval;  // fifo_open() wants a mode
      if (file.writes && !file.reads) {
        const int fifo = r.target.inode;
        const bool has_reader = AnyOpenFile([fifo](const File& f) {
          return f.in_tree && !f.o_path && f.reads && f.place.inode == fifo;
        });
        if (!has_reader) return kEnxio;
      }
      break;
    default: break;
  }

  // ★ file_truncate, with the right just recorded.
  if (inode.type == FileType::kRegular && (flags & kOTrunc) != 0 && !created &&
      (file.landlock_allowed & fs_access::kTruncate) == 0) {
    LogFsDenial(truncate_layer, fs_access::kTruncate, file.truncate_quiet,
                PathObject(file.place));
    return kEacces;
  }
  return InstallFile(std::move(file));
}

long OracleEngine::Execute(int dirfd, const std::string& path) {
  Resolved r;
  if (long err = Resolve(dirfd, path, &r); err != 0) return err;
  if (!r.exists()) return kEnoent;
  // may_open(): a regular file with at least one execute bit (root needs one too).
  if (inodes_[r.target.inode].type != FileType::kRegular ||
      !inodes_[r.target.inode].executable) {
    return kEacces;
  }
  // ★ file_open for execution: read mode plus execute.
  if (long err = CheckPath(r.target, fs_access::kReadFile | fs_access::kExecute); err != 0) {
    return err;
  }
  if (OpenForWriting(r.target.inode)) return kEtxtbsy;
  return 0;
}

long OracleEngine::Execve(int dirfd, const std::string& path) {
  if (long err = Execute(dirfd, path); err != 0) return err;
  // The new program: the close-on-exec fds are gone, and every domain the task has was made
  // by a program before it (what LOG_SAME_EXEC_OFF and LOG_NEW_EXEC_ON tell apart).
  // de_thread(): the other threads end first, by number; then the close-on-exec fds go.
  for (int t = 0; t < static_cast<int>(threads_.size()); ++t) {
    if (t != thread_ && LiveTask(t) && ProcessOf(t) == process_) EndThread(t);
  }
  for (int fd = 0; fd < fds_end_; ++fd) {
    if (fds_[fd] && fds_[fd]->close_on_exec) DropFd(fd);
  }
  for (Layer& layer : layers_) layer.same_exec = false;
  return 0;
}

long OracleEngine::Truncate(int dirfd, const std::string& path) {
  Resolved r;
  if (long err = Resolve(dirfd, path, &r); err != 0) return err;
  if (!r.exists()) return kEnoent;
  if (IsDir(r.target.inode)) return kEisdir;
  if (inodes_[r.target.inode].type != FileType::kRegular) return kEinval;
  return CheckPath(r.target, fs_access::kTruncate);  // ★ path_truncate
}

long OracleEngine::Ftruncate(int fd) {
  const File* f = Lookup(fd);
  if (f == nullptr || (f->in_tree && f->o_path)) return kEbadf;
  if (!f->in_tree || inodes_[f->place.inode].type != FileType::kRegular || !f->writes) {
    return kEinval;
  }
  // ★ file_truncate: decided at open, whatever the domain is now (and blamed on the layer that
  // denied it then).
  if ((f->landlock_allowed & fs_access::kTruncate) != 0) return 0;
  LogFileDenial(f->truncate_deny_domain, f->truncate_deny_same_exec, fs_access::kTruncate,
                f->truncate_quiet, PathObject(f->place));
  return kEacces;
}

long OracleEngine::Unlink(int dirfd, const std::string& path) {
  Resolved r;
  if (long err = Resolve(dirfd, path, &r); err != 0) return err;
  if (r.is_dot) return kEisdir;
  if (!r.exists()) return kEnoent;
  if (long err = CheckPath(r.parent, fs_access::kRemoveFile); err != 0) return err;  // ★
  if (IsDir(r.inode)) return kEisdir;
  // Busy when a mount is attached on this name, in whichever mount: also when it is the root
  // of a mount that another mount is stacked on (`bind_mount c a` then `bind_mount a a`). Being
  // only the root of a mount is not busy: the mount keeps showing the unlinked file.
  if (IsMountPoint(Place{r.parent.mount, r.inode, r.parent.inode, r.name})) return kEbusy;
  for (Mount* m : FileRootsNamed(r.parent.inode, r.name)) m->root_dir = -1;
  inodes_[r.parent.inode].children.erase(r.name);
  return 0;
}

long OracleEngine::Rmdir(int dirfd, const std::string& path) {
  Resolved r;
  if (long err = Resolve(dirfd, path, &r); err != 0) return err;
  if (r.is_dot) return kEinval;
  if (!r.exists()) return kEnoent;
  if (long err = CheckPath(r.parent, fs_access::kRemoveDir); err != 0) return err;  // ★
  if (!IsDir(r.inode)) return kEnotdir;
  // A mount's root may go (checked on Linux 6.18: the bind mount then shows a removed
  // directory); only a mount point is busy.
  if (IsMountPoint(Place{r.parent.mount, r.inode, r.parent.inode, r.name})) return kEbusy;
  if (!inodes_[r.inode].children.empty()) return kEnotempty;
  inodes_[r.parent.inode].children.erase(r.name);
  inodes_[r.inode].removed = true;
  return 0;
}

long OracleEngine::Rename(int old_dirfd, const std::string& old_path, int new_dirfd,
                          const std::string& new_path, uint32_t flags) {
  if ((flags & ~(kRenameNoreplace | kRenameExchange | kRenameWhiteout)) != 0) return kEinval;
  const bool exchange = (flags & kRenameExchange) != 0;
  const bool noreplace = (flags & kRenameNoreplace) != 0;
  const bool whiteout = (flags & kRenameWhiteout) != 0;
  if (exchange && (noreplace || whiteout)) return kEinval;

  Resolved from, to;
  if (long err = Resolve(old_dirfd, old_path, &from); err != 0) return err;
  if (long err = Resolve(new_dirfd, new_path, &to); err != 0) return err;
  if (from.parent.mount != to.parent.mount) return kExdev;
  if (from.is_dot) return kEbusy;
  if (to.is_dot) return noreplace ? kEexist : kEbusy;
  if (!from.exists()) return kEnoent;
  if (inodes_[to.parent.inode].removed) return kEnoent;
  if (noreplace && to.exists()) return kEexist;
  if (exchange && !to.exists()) return kEnoent;
  const int old_dir = from.parent.inode;
  const int new_dir = to.parent.inode;
  if (IsBelowOrSame(new_dir, from.inode)) return kEinval;
  if (to.exists() && IsBelowOrSame(old_dir, to.inode)) return exchange ? kEinval : kEnotempty;

  // ★ path_rename
  if (long err = CheckRefer(from.parent, from.inode, from.parent.inode, to.parent, to.inode,
                            /*removes=*/true, exchange, whiteout);
      err != 0) {
    return err;
  }
  if (from.inode == to.inode) return 0;
  if (!exchange && to.exists()) {
    if (IsDir(from.inode) && !IsDir(to.inode)) return kEnotdir;
    if (!IsDir(from.inode) && IsDir(to.inode)) return kEisdir;
  }
  const Place from_place{from.parent.mount, from.inode, old_dir, from.name};
  const Place to_place{to.parent.mount, to.inode, new_dir, to.name};
  if (IsMountPoint(from_place) || (to.exists() && IsMountPoint(to_place))) return kEbusy;
  if (!exchange && to.exists() && IsDir(to.inode) && !inodes_[to.inode].children.empty()) {
    return kEnotempty;
  }

  // Mounts whose root is one of the two file names follow the file, as its dentry does; a file
  // root replaced by the rename is gone.
  const std::vector<Mount*> from_roots = FileRootsNamed(old_dir, from.name);
  const std::vector<Mount*> to_roots =
      to.exists() ? FileRootsNamed(new_dir, to.name) : std::vector<Mount*>{};
  for (Mount* m : to_roots) {
    m->root_dir = exchange ? old_dir : -1;
    m->root_name = exchange ? from.name : "";
  }
  for (Mount* m : from_roots) {
    m->root_dir = new_dir;
    m->root_name = to.name;
  }
  if (exchange) {
    inodes_[old_dir].children[from.name] = to.inode;
    inodes_[new_dir].children[to.name] = from.inode;
    if (IsDir(to.inode)) inodes_[to.inode].parent = old_dir;
  } else {
    inodes_[old_dir].children.erase(from.name);
    if (to.exists() && IsDir(to.inode)) inodes_[to.inode].removed = true;
    inodes_[new_dir].children[to.name] = from.inode;
    if (whiteout) {
      inodes_[old_dir].children[from.name] = NewInode(FileType::kCharDevice, old_dir, 0);
    }
  }
  if (IsDir(from.inode)) inodes_[from.inode].parent = new_dir;
  return 0;
}

long OracleEngine::Link(int old_dirfd, const std::string& old_path, int new_dirfd,
                        const std::string& new_path) {
  Resolved from, to;
  if (long err = Resolve(old_dirfd, old_path, &from); err != 0) return err;
  if (!from.exists()) return kEnoent;
  if (long err = Resolve(new_dirfd, new_path, &to); err != 0) return err;
  if (to.is_dot || to.exists()) return kEexist;
  if (inodes_[to.parent.inode].removed) return kEnoent;
  if (from.target.mount != to.parent.mount) return kExdev;
  // ★ path_link
  // The filesystem's root is its own parent, as a root dentry is.
  int tree_parent = IsDir(from.target.inode) ? inodes_[from.target.inode].parent : from.target.dir;
  if (tree_parent < 0) tree_parent = from.target.inode;
  if (long err = CheckRefer(ParentOf(from.target), from.target.inode, tree_parent, to.parent, -1,
                            /*removes=*/false, /*exchange=*/false, /*whiteout=*/false);
      err != 0) {
    return err;
  }
  if (IsDir(from.target.inode)) return kEperm;
  inodes_[to.parent.inode].children[to.name] = from.target.inode;
  return 0;
}

long OracleEngine::Ioctl(int fd, uint32_t cmd) {
  const File* f = Lookup(fd);
  if (f == nullptr || (f->in_tree && f->o_path)) return kEbadf;
  if (!f->in_tree) return 0;  // rulesets and sockets are not devices
  // ★ file_ioctl
  const FileType type = inodes_[f->place.inode].type;
  const bool is_device = type == FileType::kCharDevice || type == FileType::kBlockDevice;
  if ((f->landlock_allowed & fs_access::kIoctlDev) != 0 || !is_device) return 0;
  if (IsAlwaysAllowedIoctl(cmd)) return 0;
  // The record names the command by its low 16 bits ("ioctlcmd=0x%hx").
  std::string object = PathObject(f->place);
  if (!object.empty()) object += absl::StrFormat(" ioctlcmd=0x%x", cmd & 0xffff);
  LogFileDenial(f->ioctl_deny_domain, f->ioctl_deny_same_exec, fs_access::kIoctlDev,
                f->ioctl_quiet, object);
  return kEacces;
}

long OracleEngine::BindMount(int src_dirfd, const std::string& src_path, int dst_dirfd,
                             const std::string& dst_path) {
  Resolved dst;
  if (long err = Resolve(dst_dirfd, dst_path, &dst); err != 0) return err;
  if (!dst.exists()) return kEnoent;
  // ★ sb_mount: a sandboxed task may not change what its paths mean.
  if (HasFsDomain()) {
    // Blamed on the youngest layer handling a filesystem right (HasFsDomain: there is one),
    // never quiet; the object is the mount point as named.
    if (LogsDenials()) {
      size_t layer = layers_.size() - 1;
      while (layers_[layer].handled_fs == 0) --layer;
      const std::string object = PathObject(dst.target);
      if (object.empty()) {
        LogNotModelled();
      } else {
        const Layer& l = layers_[layer];
        LogDenial(DomainNumbered(l.domain), l.same_exec, 0, false, 0, "fs.change_topology",
                  object);
      }
    }
    return kEperm;
  }
  if (!cap_sys_admin_) return kEperm;
  Resolved src;
  if (long err = Resolve(src_dirfd, src_path, &src); err != 0) return err;
  if (!src.exists()) return kEnoent;
  // The new mount goes on top of what is mounted at dst already (resolution does not enter the
  // mounts on "." or on an fd's own directory), and never on a name that is gone.
  const Place on = EnterMounts(dst.target);
  if (IsUnlinked(on)) return kEnoent;
  if (IsDir(src.target.inode) != IsDir(on.inode)) return kEnotdir;
  // Nor is a removed directory or an unlinked file bound anywhere (Linux 6.18; only once the
  // types match).
  if (IsUnlinked(src.target)) return kEnoent;
  Mount m;
  m.root = src.target.inode;
  if (!IsDir(m.root)) {
    m.root_dir = src.target.dir;
    m.root_name = src.target.name;
  }
  m.parent_mount = on.mount;
  m.covered_inode = on.inode;
  m.covered_dir = on.dir;
  m.covered_name = on.name;
  mounts_.push_back(std::move(m));
  return 0;
}

}  // namespace lockstep
