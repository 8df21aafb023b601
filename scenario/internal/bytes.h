// Reading fields out of attr and sockaddr bytes, shared by the .scn printer and the binary form.

#ifndef LOCKSTEP_SCENARIO_INTERNAL_BYTES_H_
#define LOCKSTEP_SCENARIO_INTERNAL_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace lockstep {
namespace scenario_internal {

// The host-order integer at `at`; the caller checks that it lies within `b`.
inline uint64_t Host64(const std::vector<uint8_t>& b, size_t at) {
  uint64_t v;
  std::memcpy(&v, b.data() + at, sizeof(v));
  return v;
}
inline uint32_t Host32(const std::vector<uint8_t>& b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, sizeof(v));
  return v;
}
inline uint16_t Host16(const std::vector<uint8_t>& b, size_t at) {
  uint16_t v;
  std::memcpy(&v, b.data() + at, sizeof(v));
  return v;
}

// Whether b[from, to) (clipped to b) is all zero.
inline bool AllZero(const std::vector<uint8_t>& b, size_t from, size_t to) {
  for (size_t i = from; i < to && i < b.size(); ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

}  // namespace scenario_internal
}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_INTERNAL_BYTES_H_
