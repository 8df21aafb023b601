// Landlock's filesystem access rights as the oracle names them (include/uapi/linux/landlock.h
// numbers them this way; the ABI that introduced a right is noted).

#ifndef LOCKSTEP_MODEL_FS_ACCESS_H_
#define LOCKSTEP_MODEL_FS_ACCESS_H_

#include <cstdint>

namespace lockstep {
namespace fs_access {

inline constexpr uint64_t kExecute = 1ull << 0;
inline constexpr uint64_t kWriteFile = 1ull << 1;
inline constexpr uint64_t kReadFile = 1ull << 2;
inline constexpr uint64_t kReadDir = 1ull << 3;
inline constexpr uint64_t kRemoveDir = 1ull << 4;
inline constexpr uint64_t kRemoveFile = 1ull << 5;
inline constexpr uint64_t kMakeChar = 1ull << 6;
inline constexpr uint64_t kMakeDir = 1ull << 7;
inline constexpr uint64_t kMakeReg = 1ull << 8;
inline constexpr uint64_t kMakeSock = 1ull << 9;
inline constexpr uint64_t kMakeFifo = 1ull << 10;
inline constexpr uint64_t kMakeBlock = 1ull << 11;
inline constexpr uint64_t kMakeSym = 1ull << 12;
inline constexpr uint64_t kRefer = 1ull << 13;     // ABI 2
inline constexpr uint64_t kTruncate = 1ull << 14;  // ABI 3
inline constexpr uint64_t kIoctlDev = 1ull << 15;  // ABI 5
inline constexpr uint64_t kResolveUnix = 1ull << 16;  // ABI 9 (Linux 7.1)

// The rights that mean something for a file that is not a directory (fs.c ACCESS_FILE): a
// path_beneath rule on such a file may grant only these, and only these count when a file is
// moved (may_refer()). RESOLVE_UNIX is one from ABI 9 ("Files only get access rights that make
// sense": 7.2's and 7.3's ACCESS_FILE list it; a file may be a named UNIX socket); where it is
// unknown no ruleset can handle or grant it, so it changes nothing for earlier revisions.
inline constexpr uint64_t kFileRights =
    kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev | kResolveUnix;

}  // namespace fs_access
}  // namespace lockstep

#endif  // LOCKSTEP_MODEL_FS_ACCESS_H_
