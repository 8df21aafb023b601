// Revision profiles: what one kernel revision's Landlock does, as named switches the oracle reads.
//
// Every behaviour that differs between the kernel revisions lockstep knows is one field of
// `Profile`, with a comment naming the kernel change it models. A profile maps a kernel version to
// those switches. "verified" in a comment means read in that revision's source; "unverified"
// means taken from another revision or from the change's description.

#ifndef LOCKSTEP_MODEL_PROFILE_H_
#define LOCKSTEP_MODEL_PROFILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lockstep {

// How a TCP socket is recognised before its address is looked at.
enum class TcpCheck {
  // sk_is_tcp(): an AF_INET/AF_INET6 socket of type SOCK_STREAM and protocol IPPROTO_TCP. UDP,
  // MPTCP, SCTP and AF_UNIX sockets are never restricted.
  kSkIsTcp,
  // sock->type != SOCK_STREAM returns early: every stream socket is checked (MPTCP, and even
  // AF_UNIX stream sockets, which then reach the family checks).
  kSockStream,
};

// How an AF_UNSPEC address is handled by bind(2) and connect(2) on a checked socket.
enum class AfUnspecHandling {
  // Per request first: connect → allowed whatever addrlen (>= 2); bind on an AF_INET socket:
  // addrlen < 16 → EINVAL, address != INADDR_ANY → EAFNOSUPPORT, else checked as AF_INET;
  // bind on any other socket: addrlen < 24 → EINVAL, else EAFNOSUPPORT.
  kPerRequest,
  // AF_UNSPEC shares the AF_INET case: addrlen < 16 → EINVAL (connect too); then connect →
  // allowed; bind on a non-AF_INET socket → EINVAL; address != INADDR_ANY → EAFNOSUPPORT.
  kSharedInetLength,
};

struct Profile {
  // A short name for tables, e.g. "debian-6.12.117".
  std::string name;
  // The kernel version this profile describes, as KernelEngine::Version() spells it.
  std::string version;

  // LANDLOCK_CREATE_RULESET_VERSION's answer (LANDLOCK_ABI_VERSION in syscalls.c).
  int abi_version = 6;
  // Whether LANDLOCK_CREATE_RULESET_ERRATA is a known flag ("landlock: Add erratum mechanism",
  // upstream v6.15, backported to 6.12.y); without it the flag is unknown → EINVAL.
  bool errata_flag_supported = true;
  // LANDLOCK_CREATE_RULESET_ERRATA's answer: bit (n-1) for each LANDLOCK_ERRATUM(n) in
  // security/landlock/errata/abi-*.h.
  uint32_t errata = 0;

  // LANDLOCK_MASK_ACCESS_FS: every filesystem right the revision knows (ABI 5+: up to IOCTL_DEV).
  uint64_t fs_access_mask = 0xffff;
  // LANDLOCK_MASK_ACCESS_NET: BIND_TCP and CONNECT_TCP (ABI 4+).
  uint64_t net_access_mask = 0x3;
  // LANDLOCK_MASK_SCOPE: ABSTRACT_UNIX_SOCKET and SIGNAL (ABI 6, "landlock: Add abstract UNIX
  // socket scoping" / "landlock: Add signal scoping", v6.12). 0 where scopes are unknown.
  uint64_t scope_mask = 0x3;
  bool scopes_supported() const { return scope_mask != 0; }
  // LANDLOCK_MAX_NUM_LAYERS: a restrict_self beyond this many stacked layers → E2BIG.
  size_t max_layers = 16;

  // Which sockets the net hooks restrict (see TcpCheck).
  TcpCheck tcp_check = TcpCheck::kSkIsTcp;
  // How AF_UNSPEC addresses are handled (see AfUnspecHandling).
  AfUnspecHandling af_unspec = AfUnspecHandling::kPerRequest;
  // What Landlock returns when the address family is neither AF_UNSPEC nor the socket's family
  // (as a negative errno); the network stack alone would say EAFNOSUPPORT.
  long family_mismatch_errno = -22;  // -EINVAL
  // What bind(AF_UNSPEC) with an address other than INADDR_ANY returns on an AF_INET socket.
  long unspec_bind_not_any_errno = -97;  // -EAFNOSUPPORT
  // Whether hook_socket_sendmsg checks sendto(MSG_FASTOPEN) with a destination as a connect.
  bool sendmsg_fastopen_checked = false;
};

// The profile for a kernel version ("6.12.117"; a profile name such as "debian-6.12.117" is
// accepted too), or NotFound naming the known versions.
absl::StatusOr<Profile> LookupProfile(absl::string_view version);

// As LookupProfile, for a version the caller knows is there: an unknown version aborts with the
// same message.
Profile ProfileForVersion(absl::string_view version);

// Every known profile, oldest first.
const std::vector<Profile>& KnownProfiles();

}  // namespace lockstep

#endif  // LOCKSTEP_MODEL_PROFILE_H_
