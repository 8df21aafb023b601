// Landlock's user-space ABI as the C++ side of lockstep needs it: access-right bits, rule types,
// create_ruleset flags, and builders for the exact bytes a program passes to the syscalls
// (landlock_ruleset_attr, landlock_net_port_attr, landlock_path_beneath_attr) and to bind/connect
// (sockaddr_in, sockaddr_in6, AF_UNSPEC).
//
// Our own definitions, written from the documented ABI: the system <linux/landlock.h> on Debian 12
// is older than the revisions we test, and C++ never includes a kernel header. Multi-byte fields
// are laid out as on the machine that runs the engine (host order), except the network-order
// port and address fields of socket addresses, which are big-endian as the ABI requires.

#ifndef LOCKSTEP_ENGINE_LANDLOCK_UAPI_H_
#define LOCKSTEP_ENGINE_LANDLOCK_UAPI_H_

#include <cstdint>
#include <cstring>
#include <vector>

namespace lockstep {
namespace landlock {

// --- landlock_create_ruleset() flags ---
inline constexpr uint32_t kCreateRulesetVersion = 1u << 0;
inline constexpr uint32_t kCreateRulesetErrata = 1u << 1;

// --- landlock_add_rule() rule types ---
inline constexpr int kRulePathBeneath = 1;
inline constexpr int kRuleNetPort = 2;

// --- Filesystem access rights (handled_access_fs, path_beneath.allowed_access) ---
inline constexpr uint64_t kAccessFsExecute = 1ull << 0;
inline constexpr uint64_t kAccessFsWriteFile = 1ull << 1;
inline constexpr uint64_t kAccessFsReadFile = 1ull << 2;
inline constexpr uint64_t kAccessFsReadDir = 1ull << 3;
inline constexpr uint64_t kAccessFsRemoveDir = 1ull << 4;
inline constexpr uint64_t kAccessFsRemoveFile = 1ull << 5;
inline constexpr uint64_t kAccessFsMakeChar = 1ull << 6;
inline constexpr uint64_t kAccessFsMakeDir = 1ull << 7;
inline constexpr uint64_t kAccessFsMakeReg = 1ull << 8;
inline constexpr uint64_t kAccessFsMakeSock = 1ull << 9;
inline constexpr uint64_t kAccessFsMakeFifo = 1ull << 10;
inline constexpr uint64_t kAccessFsMakeBlock = 1ull << 11;
inline constexpr uint64_t kAccessFsMakeSym = 1ull << 12;
inline constexpr uint64_t kAccessFsRefer = 1ull << 13;     // ABI 2
inline constexpr uint64_t kAccessFsTruncate = 1ull << 14;  // ABI 3
inline constexpr uint64_t kAccessFsIoctlDev = 1ull << 15;  // ABI 5
inline constexpr uint64_t kAccessFsResolveUnix = 1ull << 16;  // ABI 9 (Linux 7.1)
// Every filesystem right up to ABI 6 (bits 0..15).
inline constexpr uint64_t kAccessFsAll = (kAccessFsIoctlDev << 1) - 1;

// --- Network access rights (handled_access_net, net_port.allowed_access), ABI 4 ---
inline constexpr uint64_t kAccessNetBindTcp = 1ull << 0;
inline constexpr uint64_t kAccessNetConnectTcp = 1ull << 1;
inline constexpr uint64_t kAccessNetAll = kAccessNetBindTcp | kAccessNetConnectTcp;
// UDP, ABI 10 (Linux 7.2)
inline constexpr uint64_t kAccessNetBindUdp = 1ull << 2;
inline constexpr uint64_t kAccessNetConnectSendUdp = 1ull << 3;
inline constexpr uint64_t kAccessNetAllUdp =
    kAccessNetAll | kAccessNetBindUdp | kAccessNetConnectSendUdp;

// --- IPC scopes (scoped), ABI 6 ---
inline constexpr uint64_t kScopeAbstractUnixSocket = 1ull << 0;
inline constexpr uint64_t kScopeSignal = 1ull << 1;
inline constexpr uint64_t kScopeAll = kScopeAbstractUnixSocket | kScopeSignal;

// --- Sizes of the ABI structures ---
inline constexpr size_t kRulesetAttrSize = 24;      // u64 fs, u64 net, u64 scoped
inline constexpr size_t kNetPortAttrSize = 16;      // u64 allowed_access, u64 port
inline constexpr size_t kPathBeneathAttrSize = 12;  // u64 allowed_access, s32 parent_fd (packed)
inline constexpr size_t kMaxLayers = 16;            // LANDLOCK_MAX_NUM_LAYERS

}  // namespace landlock

// --- Socket constants (Linux values), defined here so no libc network header is needed ---
namespace net {
inline constexpr int kAfUnspec = 0;
inline constexpr int kAfUnix = 1;
inline constexpr int kAfInet = 2;
inline constexpr int kAfInet6 = 10;
inline constexpr int kSockStream = 1;
inline constexpr int kSockDgram = 2;
inline constexpr int kSockSeqpacket = 5;
inline constexpr int kIpprotoTcp = 6;
inline constexpr int kIpprotoUdp = 17;
inline constexpr int kIpprotoMptcp = 262;
inline constexpr uint32_t kMsgFastopen = 0x20000000u;

inline constexpr size_t kSockaddrInSize = 16;
inline constexpr size_t kSockaddrIn6Size = 28;
inline constexpr size_t kSin6LenRfc2133 = 24;  // sockaddr_in6 without sin6_scope_id
inline constexpr size_t kSockaddrStorageSize = 128;

inline constexpr uint32_t kInaddrAny = 0x00000000u;
inline constexpr uint32_t kInaddrLoopback = 0x7f000001u;  // 127.0.0.1, host order
}  // namespace net

namespace uapi_internal {

inline void PutHost16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
  std::memcpy(b.data() + at, &v, sizeof(v));
}
inline void PutHost32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  std::memcpy(b.data() + at, &v, sizeof(v));
}
inline void PutHost64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  std::memcpy(b.data() + at, &v, sizeof(v));
}
inline void PutBig16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}
inline void PutBig32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

}  // namespace uapi_internal

// struct landlock_ruleset_attr { u64 handled_access_fs, handled_access_net, scoped; } (24 bytes).
inline std::vector<uint8_t> RulesetAttr(uint64_t handled_fs, uint64_t handled_net,
                                        uint64_t scoped) {
  std::vector<uint8_t> b(landlock::kRulesetAttrSize, 0);
  uapi_internal::PutHost64(b, 0, handled_fs);
  uapi_internal::PutHost64(b, 8, handled_net);
  uapi_internal::PutHost64(b, 16, scoped);
  return b;
}

// The first `n` bytes of RulesetAttr(...) (an older, shorter struct), or, when `n` is larger than
// 24, the struct followed by zero bytes up to `n` (a newer, longer struct with an all-zero tail).
inline std::vector<uint8_t> RulesetAttrSized(uint64_t handled_fs, uint64_t handled_net,
                                             uint64_t scoped, size_t n) {
  std::vector<uint8_t> b = RulesetAttr(handled_fs, handled_net, scoped);
  b.resize(n, 0);
  return b;
}

// RulesetAttr(...) followed by `tail` (fields of a future ABI this revision does not know).
inline std::vector<uint8_t> RulesetAttrWithTail(uint64_t handled_fs, uint64_t handled_net,
                                                uint64_t scoped,
                                                const std::vector<uint8_t>& tail) {
  std::vector<uint8_t> b = RulesetAttr(handled_fs, handled_net, scoped);
  b.insert(b.end(), tail.begin(), tail.end());
  return b;
}

// struct landlock_net_port_attr { u64 allowed_access; u64 port; } (16 bytes). `port` is a u64 in
// host order, so values above 65535 can be expressed (the kernel rejects them).
inline std::vector<uint8_t> NetPortAttr(uint64_t allowed_access, uint64_t port) {
  std::vector<uint8_t> b(landlock::kNetPortAttrSize, 0);
  uapi_internal::PutHost64(b, 0, allowed_access);
  uapi_internal::PutHost64(b, 8, port);
  return b;
}

// struct landlock_path_beneath_attr { u64 allowed_access; s32 parent_fd; } __packed (12 bytes).
inline std::vector<uint8_t> PathBeneathAttr(uint64_t allowed_access, int32_t parent_fd) {
  std::vector<uint8_t> b(landlock::kPathBeneathAttrSize, 0);
  uapi_internal::PutHost64(b, 0, allowed_access);
  uapi_internal::PutHost32(b, 8, static_cast<uint32_t>(parent_fd));
  return b;
}

// struct sockaddr_in (16 bytes): family AF_INET (host order), port and address big-endian.
inline std::vector<uint8_t> SockaddrIn(uint16_t port, uint32_t ipv4 = net::kInaddrLoopback) {
  std::vector<uint8_t> b(net::kSockaddrInSize, 0);
  uapi_internal::PutHost16(b, 0, static_cast<uint16_t>(net::kAfInet));
  uapi_internal::PutBig16(b, 2, port);
  uapi_internal::PutBig32(b, 4, ipv4);
  return b;
}

// The 16 bytes of an IPv6 address: "::1" and "::".
inline std::vector<uint8_t> Ipv6Loopback() {
  std::vector<uint8_t> a(16, 0);
  a[15] = 1;
  return a;
}
inline std::vector<uint8_t> Ipv6Any() { return std::vector<uint8_t>(16, 0); }

// struct sockaddr_in6 (28 bytes): family AF_INET6, port (big-endian), flowinfo 0, address
// (16 bytes; shorter input is zero-padded), scope_id.
inline std::vector<uint8_t> SockaddrIn6(uint16_t port,
                                        const std::vector<uint8_t>& addr = Ipv6Loopback(),
                                        uint32_t scope_id = 0) {
  std::vector<uint8_t> b(net::kSockaddrIn6Size, 0);
  uapi_internal::PutHost16(b, 0, static_cast<uint16_t>(net::kAfInet6));
  uapi_internal::PutBig16(b, 2, port);
  for (size_t i = 0; i < 16 && i < addr.size(); ++i) b[8 + i] = addr[i];
  uapi_internal::PutHost32(b, 24, scope_id);
  return b;
}

// An AF_UNSPEC address laid out like sockaddr_in (port at 2, IPv4 address at 4), `size` bytes in
// all (16 by default; 24 or 28 to look like an IPv6-sized address).
inline std::vector<uint8_t> SockaddrUnspec(uint16_t port = 0, uint32_t ipv4 = net::kInaddrAny,
                                           size_t size = net::kSockaddrInSize) {
  std::vector<uint8_t> b(size < 8 ? 8 : size, 0);
  uapi_internal::PutHost16(b, 0, static_cast<uint16_t>(net::kAfUnspec));
  uapi_internal::PutBig16(b, 2, port);
  uapi_internal::PutBig32(b, 4, ipv4);
  b.resize(size);
  return b;
}

// Any address of family `family`: the family field then zeros, `size` bytes in all (at least 2).
inline std::vector<uint8_t> SockaddrOfFamily(int family, size_t size) {
  std::vector<uint8_t> b(size < 2 ? 2 : size, 0);
  uapi_internal::PutHost16(b, 0, static_cast<uint16_t>(family));
  b.resize(size);
  return b;
}

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_LANDLOCK_UAPI_H_
