#include "engine/errno_name.h"

#include <cstring>
#include <string>

namespace lockstep {
namespace {

// Kernel-internal errnos (include/linux/errno.h) that never reach user space on a real system but
// can leak out of code compiled in userspace; libc does not name them.
const char* KernelInternalName(long err) {
  switch (err) {
    case 512: return "ERESTARTSYS";
    case 513: return "ERESTARTNOINTR";
    case 514: return "ERESTARTNOHAND";
    case 515: return "ENOIOCTLCMD";
    case 516: return "ERESTART_RESTARTBLOCK";
    case 517: return "EPROBE_DEFER";
    case 518: return "EOPENSTALE";
    case 519: return "ENOPARAM";
    case 521: return "EBADHANDLE";
    case 522: return "ENOTSYNC";
    case 523: return "EBADCOOKIE";
    case 524: return "ENOTSUPP";
    case 525: return "ETOOSMALL";
    case 526: return "ESERVERFAULT";
    case 527: return "EBADTYPE";
    case 528: return "EJUKEBOX";
    case 529: return "EIOCBQUEUED";
    case 530: return "ERECALLCONFLICT";
    case 531: return "ENOGRACE";
    default: return nullptr;
  }
}

// Linux errno values, for C libraries without strerrorname_np (glibc < 2.32, musl). Covers what
// Landlock, the socket layer and the fd table return.
const char* TableName(long err) {
  switch (err) {
    case 1: return "EPERM";
    case 2: return "ENOENT";
    case 3: return "ESRCH";
    case 4: return "EINTR";
    case 5: return "EIO";
    case 7: return "E2BIG";
    case 9: return "EBADF";
    case 11: return "EAGAIN";
    case 12: return "ENOMEM";
    case 13: return "EACCES";
    case 14: return "EFAULT";
    case 16: return "EBUSY";
    case 17: return "EEXIST";
    case 20: return "ENOTDIR";
    case 21: return "EISDIR";
    case 22: return "EINVAL";
    case 23: return "ENFILE";
    case 24: return "EMFILE";
    case 28: return "ENOSPC";
    case 38: return "ENOSYS";
    case 42: return "ENOMSG";
    case 75: return "EOVERFLOW";
    case 77: return "EBADFD";
    case 88: return "ENOTSOCK";
    case 89: return "EDESTADDRREQ";
    case 91: return "EPROTOTYPE";
    case 93: return "EPROTONOSUPPORT";
    case 94: return "ESOCKTNOSUPPORT";
    case 95: return "EOPNOTSUPP";
    case 97: return "EAFNOSUPPORT";
    case 98: return "EADDRINUSE";
    case 99: return "EADDRNOTAVAIL";
    case 101: return "ENETUNREACH";
    case 106: return "EISCONN";
    case 107: return "ENOTCONN";
    case 110: return "ETIMEDOUT";
    case 111: return "ECONNREFUSED";
    case 114: return "EALREADY";
    case 115: return "EINPROGRESS";
    default: return nullptr;
  }
}

}  // namespace

std::string ErrnoName(long ret) {
  if (ret >= 0 || ret < -4095) return std::to_string(ret);
  const long err = -ret;
  if (const char* name = KernelInternalName(err)) return name;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* name = strerrorname_np(static_cast<int>(err))) return name;
#endif
  if (const char* name = TableName(err)) return name;
  return "errno" + std::to_string(err);
}

}  // namespace lockstep
