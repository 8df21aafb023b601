// The numbers filesystem ops carry (x86_64 open flags, file types, renameat2 flags, ioctl
// commands, glibc's makedev) and the rules for a scenario path, shared by the .scn text form, the
// binary form, the generator and the runner.

#ifndef LOCKSTEP_SCENARIO_FS_OPS_H_
#define LOCKSTEP_SCENARIO_FS_OPS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lockstep {
namespace fs {

// open(2) flags as x86_64 numbers them.
inline constexpr uint32_t kORdonly = 0;
inline constexpr uint32_t kOWronly = 1;
inline constexpr uint32_t kORdwr = 2;
inline constexpr uint32_t kOAccmode = 3;
inline constexpr uint32_t kOCreat = 0100;
inline constexpr uint32_t kOExcl = 0200;
inline constexpr uint32_t kOTrunc = 01000;
inline constexpr uint32_t kONonblock = 04000;
inline constexpr uint32_t kODirectory = 0200000;
inline constexpr uint32_t kOCloexec = 02000000;
inline constexpr uint32_t kOPath = 010000000;

// The file type bits of a mode (S_IF*), and the permission bits below them.
inline constexpr uint32_t kSIfmt = 0170000;
inline constexpr uint32_t kSIfsock = 0140000;
inline constexpr uint32_t kSIfreg = 0100000;
inline constexpr uint32_t kSIfblk = 0060000;
inline constexpr uint32_t kSIfdir = 0040000;
inline constexpr uint32_t kSIfchr = 0020000;
inline constexpr uint32_t kSIfifo = 0010000;
inline constexpr uint32_t kPermissionBits = 07777;
inline constexpr uint32_t kDefaultPermissions = 0755;

// renameat2(2) flags.
inline constexpr uint32_t kRenameNoreplace = 1;
inline constexpr uint32_t kRenameExchange = 2;
inline constexpr uint32_t kRenameWhiteout = 4;

// ioctl(2) commands Landlock's file_ioctl hook treats specially or that files commonly take
// (include/uapi/asm-generic/ioctls.h and include/uapi/linux/fs.h of 6.12, x86_64).
inline constexpr uint32_t kFionread = 0x541b;
inline constexpr uint32_t kFionbio = 0x5421;
inline constexpr uint32_t kFionclex = 0x5450;
inline constexpr uint32_t kFioclex = 0x5451;
inline constexpr uint32_t kFioasync = 0x5452;
inline constexpr uint32_t kFioqsize = 0x5460;
inline constexpr uint32_t kFigetbsz = 0x2;
inline constexpr uint32_t kFifreeze = 0xc0045877;
inline constexpr uint32_t kFithaw = 0xc0045878;
inline constexpr uint32_t kFsIocFiemap = 0xc020660b;
inline constexpr uint32_t kFiclone = 0x40049409;
inline constexpr uint32_t kFiclonerange = 0x4020940d;
inline constexpr uint32_t kFideduperange = 0xc0189436;
inline constexpr uint32_t kFsIocGetfsuuid = 0x80111500;
inline constexpr uint32_t kFsIocGetfssysfspath = 0x80811501;
inline constexpr uint32_t kFsIocGetflags = 0x80086601;
inline constexpr uint32_t kFsIocSetflags = 0x40086602;

// glibc's makedev / major / minor: a bijection between (u32, u32) and u64.
constexpr uint64_t Makedev(uint32_t major, uint32_t minor) {
  return (uint64_t{major & 0x00000fffu} << 8) | (uint64_t{major & 0xfffff000u} << 32) |
         uint64_t{minor & 0x000000ffu} | (uint64_t{minor & 0xffffff00u} << 12);
}
constexpr uint32_t Major(uint64_t dev) {
  return static_cast<uint32_t>(((dev >> 8) & 0x00000fffu) | ((dev >> 32) & 0xfffff000u));
}
constexpr uint32_t Minor(uint64_t dev) {
  return static_cast<uint32_t>((dev & 0xffu) | ((dev >> 12) & 0xffffff00u));
}

// The null device (char 1:3), the only device whose open succeeds in the model.
inline constexpr uint64_t kNullDevice = Makedev(1, 3);

// Paths: `.` alone, or names of [A-Za-z0-9._-] other than `.` and `..` joined by single `/`s, no
// leading or trailing `/`. Each name is at most kMaxNameBytes, the whole at most kMaxPathBytes
// (NAME_MAX and PATH_MAX, so no engine answers ENAMETOOLONG). The path `expect` alone is
// reserved: in .scn text that token starts the expected outcome.
inline constexpr size_t kMaxNameBytes = 255;
inline constexpr size_t kMaxPathBytes = 4095;

bool IsNameChar(char c);
bool IsValidPath(std::string_view path);

// `path` when valid; otherwise a valid path made from it: empty, `.` and `..` components dropped,
// other bytes than [A-Za-z0-9._-] replaced by `_`, names cut to kMaxNameBytes, components past
// kMaxPathBytes dropped, `.` when nothing is left, `expect_` for `expect`. What the runner
// passes to an engine for a path built in code that is not valid: no engine ever sees `..`, an
// absolute path or a path that leaves the scenario's tree.
std::string SafePath(std::string_view path);

}  // namespace fs
}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_FS_OPS_H_
