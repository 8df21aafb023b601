// Landlock's filesystem decisions, written as the documentation states them.
//
// A domain is a list of layers; each layer is a ruleset frozen at restrict_self time: the rights
// it handles and, per inode, the rights its rules grant. A request for rights R on a path is
// allowed when every layer grants each right of R that it checks, by a rule on the file itself
// or on any directory above it. "Above" walks the tree the way the path was reached: up through
// parent directories, and at the root of a bind mount on to the parent of the directory the mount
// is attached on (that covered directory's own rules are hidden by the mount).
//
// Rules are stored as the rights they grant. The kernel also ORs every right the layer does not
// handle into each rule; since a layer never checks a right it does not handle, that changes no
// decision here and the oracle leaves it out.

#include <cerrno>
#include <vector>

#include "model/oracle_engine.h"

namespace lockstep {
namespace {

using fs_access::kFileRights;
using fs_access::kRefer;

// Ioctl commands (x86-64 values) Landlock lets through on a device opened without ioctl_dev:
// the fd-level ones the VFS handles itself and the filesystem-level ones that do not reach the
// device's driver.
constexpr uint32_t kFioclex = 0x5451;
constexpr uint32_t kFionclex = 0x5450;
constexpr uint32_t kFionbio = 0x5421;
constexpr uint32_t kFioasync = 0x5452;
constexpr uint32_t kFioqsize = 0x5460;
constexpr uint32_t kFifreeze = 0xc0045877;
constexpr uint32_t kFithaw = 0xc0045878;
constexpr uint32_t kFsIocFiemap = 0xc020660b;
constexpr uint32_t kFigetbsz = 0x2;
constexpr uint32_t kFiclone = 0x40049409;
constexpr uint32_t kFiclonerange = 0x4020940d;
constexpr uint32_t kFideduperange = 0xc0189436;
constexpr uint32_t kFsIocGetfsuuid = 0x80111500;
constexpr uint32_t kFsIocGetfssysfspath = 0x80811501;

}  // namespace

bool OracleEngine::HasFsDomain() const {
  for (const Layer& layer : layers_) {
    if (layer.handled_fs != 0) return true;
  }
  return false;
}

uint64_t OracleEngine::CheckedBy(const Layer& layer) {
  // `refer` cannot be left unhandled: a layer that does not grant it by a rule denies it, even
  // a layer that handles only network rights (checked on Linux 6.18).
  return layer.handled_fs | kRefer;
}

std::vector<int> OracleEngine::RuleWalk(Place place) const {
  std::vector<int> walk;
  Place at = place;
  while (true) {
    walk.push_back(at.inode);
    const Mount& mount = mounts_[at.mount];
    if (at.inode == mount.root) {
      // The root of a mount: continue in the mount it is attached on, at the parent of the
      // covered directory (or file). The covered one is hidden; when it is itself the root of
      // a mount (stacked mounts), keep going out.
      if (mount.parent_mount < 0) return walk;  // the root of the world
      Place covered{mount.parent_mount, mount.covered_inode, mount.covered_dir, mount.covered_name};
      while (covered.inode == mounts_[covered.mount].root) {
        const Mount& outer = mounts_[covered.mount];
        if (outer.parent_mount < 0) return walk;
        covered =
            Place{outer.parent_mount, outer.covered_inode, outer.covered_dir, outer.covered_name};
      }
      at = ParentOf(covered);
    } else if (at.inode == 0) {
      // The filesystem's root reached without meeting this mount's root: the path was moved
      // out of the bind mount it was reached through. Its rules count up to here, and the
      // mount's own hierarchy still counts too (erratum 3, "disconnected directories").
      at = Place{at.mount, mount.root, -1, ""};
    } else {
      at = ParentOf(at);
    }
  }
}

uint64_t OracleEngine::GrantedAlong(const Layer& layer, const std::vector<int>& walk) {
  uint64_t granted = 0;
  for (int inode : walk) {
    auto it = layer.inode_rights.find(inode);
    if (it != layer.inode_rights.end()) granted |= it->second;
  }
  return granted;
}

uint64_t OracleEngine::AllowedRights(Place place, uint64_t request) const {
  return AllowedRights(RuleWalk(place), request);
}

uint64_t OracleEngine::AllowedRights(const std::vector<int>& walk, uint64_t request) const {
  uint64_t allowed = request;
  for (const Layer& layer : layers_) {
    const uint64_t checked = request & CheckedBy(layer);
    allowed &= ~(checked & ~GrantedAlong(layer, walk));
  }
  return allowed;
}

int OracleEngine::DenyingLayer(Place place, uint64_t request, uint64_t* missing,
                               bool* quiet) const {
  return DenyingLayer(RuleWalk(place), request, missing, quiet);
}

int OracleEngine::DenyingLayer(const std::vector<int>& walk, uint64_t request, uint64_t* missing,
                               bool* quiet) const {
  for (size_t i = layers_.size(); i-- > 0;) {
    const Layer& layer = layers_[i];
    const uint64_t refused = request & CheckedBy(layer) & ~GrantedAlong(layer, walk);
    if (refused == 0) continue;
    *missing = refused;
    *quiet = false;
    for (int inode : walk) *quiet = *quiet || layer.quiet_inodes.count(inode) != 0;
    return static_cast<int>(i);
  }
  return -1;
}

long OracleEngine::CheckPath(Place place, uint64_t request) {
  if (!HasFsDomain()) return 0;
  uint64_t missing = 0;
  bool quiet = false;
  const int layer = DenyingLayer(place, request, &missing, &quiet);
  if (layer < 0) return 0;
  LogFsDenial(layer, missing, quiet, PathObject(place));
  return -EACCES;
}

uint64_t OracleEngine::MakeRight(FileType type, uint32_t rdev) const {
  switch (type) {
    case FileType::kDirectory: return fs_access::kMakeDir;
    case FileType::kRegular: return fs_access::kMakeReg;
    case FileType::kCharDevice:
      // A whiteout (char 0:0) is not a device: since erratum 4 it counts as a regular file.
      return rdev == 0 && profile_.whiteout_is_make_reg ? fs_access::kMakeReg
                                                        : fs_access::kMakeChar;
    case FileType::kBlockDevice: return fs_access::kMakeBlock;
    case FileType::kFifo: return fs_access::kMakeFifo;
    case FileType::kSocket: return fs_access::kMakeSock;
  }
  return fs_access::kMakeReg;
}

bool OracleEngine::IsAlwaysAllowedIoctl(uint32_t cmd) {
  switch (cmd) {
    case kFioclex:
    case kFionclex:
    case kFionbio:
    case kFioasync:
    case kFioqsize:
    case kFifreeze:
    case kFithaw:
    case kFsIocFiemap:
    case kFigetbsz:
    case kFiclone:
    case kFiclonerange:
    case kFideduperange:
    case kFsIocGetfsuuid:
    case kFsIocGetfssysfspath: return true;
    default: return false;
  }
}

// Linking or renaming, plainly.
//
// Moving a name inside one directory changes nothing about which rules sit above the file, so it
// is an ordinary request on that directory: the right to make the moved file's type, plus, for a
// rename, to remove it (and to remove a replaced file; with RENAME_EXCHANGE, to make the other
// file's type too; with RENAME_WHITEOUT, to make the whiteout left behind, where the revision
// asks for it). Denied → EACCES.
//
// Moving a file to another directory ("reparenting") could give it the rights of its new
// surroundings, so three things are asked of every layer:
//   1. the source directory grants `refer` and what a rename takes out of it (removing the file;
//      with RENAME_EXCHANGE making the other file; with RENAME_WHITEOUT making the whiteout);
//   2. the destination directory grants `refer` and what is put into it (making the file's type;
//      for a rename, removing the file it replaces);
//   3. the file gains nothing: every right the destination directory grants is one the file
//      already had where it was (by its own rule or a rule above its old directory). Only rights
//      that mean something for it count: all of them for a directory, the file rights otherwise.
//      With RENAME_EXCHANGE the same holds the other way round for the other file.
// All three hold → allowed. Otherwise the error tells the caller what to do next: EACCES when
// a layer denies something other than `refer` in 1 or 2 (the creation or removal itself is not
// possible, copying will not help), else EXDEV (as if across filesystems: copy and delete).
long OracleEngine::CheckRefer(Place old_dir, int old_inode, int old_tree_parent, Place new_dir,
                              int new_inode,
                              bool removes, bool exchange, bool whiteout) {
  if (!HasFsDomain()) return 0;
  const auto make_right = [&](int inode) {
    return MakeRight(inodes_[inode].type, inodes_[inode].rdev);
  };
  const auto remove_right = [&](int inode) {
    return IsDir(inode) ? fs_access::kRemoveDir : fs_access::kRemoveFile;
  };

  // What each side must grant.
  uint64_t from_source = 0;  // taken out of (or, exchanged, put into) the old directory
  uint64_t into_destination = make_right(old_inode);
  if (exchange) from_source |= make_right(new_inode);
  if (removes) {
    from_source |= remove_right(old_inode);
    if (new_inode >= 0) into_destination |= remove_right(new_inode);
  }
  // The whiteout left at the old name: make_reg since erratum 4; earlier revisions ask nothing.
  if (whiteout && profile_.whiteout_is_make_reg) from_source |= fs_access::kMakeReg;

  // "The same directory" is the file's own parent in the tree, even when the file was reached
  // as a mount's root (a link of a bind-mounted directory into itself reparents it).
  if (old_tree_parent == new_dir.inode) {
    return CheckPath(new_dir, from_source | into_destination);
  }

  from_source |= kRefer;
  into_destination |= kRefer;
  const std::vector<int> source_walk = RuleWalk(old_dir);
  const std::vector<int> destination_walk = RuleWalk(new_dir);
  const std::vector<int> old_file_only = {old_inode};
  const uint64_t old_file_relevant = IsDir(old_inode) ? ~0ull : kFileRights;
  bool denied_other = false;  // some layer refuses a right other than refer in 1 or 2
  bool refused_side = false;  // some layer refuses 1 or 2
  bool gains = false;         // some layer refuses 3
  for (const Layer& layer : layers_) {
    const uint64_t checked = CheckedBy(layer);
    const uint64_t at_source = GrantedAlong(layer, source_walk);
    const uint64_t at_destination = GrantedAlong(layer, destination_walk);
    const uint64_t refused =
        (from_source & checked & ~at_source) | (into_destination & checked & ~at_destination);
    refused_side = refused_side || refused != 0;
    denied_other = denied_other || (refused & ~kRefer) != 0;

    const uint64_t old_file_had = at_source | GrantedAlong(layer, old_file_only);
    if ((at_destination & ~old_file_had & checked & old_file_relevant) != 0) gains = true;
    if (exchange) {
      const uint64_t new_file_had = at_destination | GrantedAlong(layer, {new_inode});
      const uint64_t new_file_relevant = IsDir(new_inode) ? ~0ull : kFileRights;
      if ((at_source & ~new_file_had & checked & new_file_relevant) != 0) gains = true;
    }
  }
  if (!refused_side && !gains) return 0;
  if (LogsDenials()) {
    // One record per side some layer refuses, the source directory's first. What a side is
    // asked: its request when the file gains nothing; when it would gain something, every
    // right the domain handles (Landlock judged the move as a whole, and each side is blamed
    // for all it does not grant).
    uint64_t handled = 0;
    for (const Layer& layer : layers_) {
      if (layer.handled_fs != 0) handled |= CheckedBy(layer);
    }
    const auto log_side = [&](Place dir, const std::vector<int>& walk, uint64_t request) {
      uint64_t missing = 0;
      bool quiet = false;
      const int layer = DenyingLayer(walk, gains ? handled : request, &missing, &quiet);
      if (layer >= 0) LogFsDenial(layer, missing, quiet, PathObject(dir));
    };
    log_side(old_dir, source_walk, from_source);
    log_side(new_dir, destination_walk, into_destination);
  }
  return denied_other ? -EACCES : -EXDEV;
}

}  // namespace lockstep
