// Errno names for people: tables, findings and test failures print "EACCES", not -13.

#ifndef LOCKSTEP_ENGINE_ERRNO_NAME_H_
#define LOCKSTEP_ENGINE_ERRNO_NAME_H_

#include <string>

namespace lockstep {

// Names a syscall-shaped return value: -13 → "EACCES", -512 → "ERESTARTSYS"; a value >= 0 (an
// fd, an ABI version, 0 for success) → its decimal digits; a negative value that is not an errno
// (below -4095) → its decimal digits; an errno without a known name → "errno<N>".
std::string ErrnoName(long ret);

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_ERRNO_NAME_H_
