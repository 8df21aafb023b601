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
  // Whether the address checks run only when a layer handles the *requested* right: upstream
  // v6.15's net.c asks landlock_get_applicable_subject() with {.net = access_request} (the audit
  // series), where 6.12 looks at any handled network right. With only connect handled, a
  // malformed bind is then left to the stack instead of EINVAL/EAFNOSUPPORT from Landlock.
  bool net_checks_need_requested_right = false;
  // LANDLOCK_MASK_RESTRICT_SELF: the landlock_restrict_self() flags the revision knows; others
  // → EINVAL. ABI 7 (upstream v6.15, "landlock: Add LANDLOCK_RESTRICT_SELF_LOG_*"):
  // LOG_SAME_EXEC_OFF (1), LOG_NEW_EXEC_ON (2), LOG_SUBDOMAINS_OFF (4). 0 before ABI 7.
  uint32_t restrict_self_flags = 0;
  // ABI 7: restrict_self(-1, LOG_SUBDOMAINS_OFF) is accepted without a ruleset (it only mutes
  // the logs of future subdomains), returning 0 and adding no layer.
  bool restrict_self_log_subdomains_without_ruleset = false;

  // Erratum 4 ("Creation of whiteout objects", errata/abi-1.h, Debian 6.12.111): a whiteout
  // (char 0:0) made by mknod(2), moved or linked needs make_reg instead of make_char, and
  // renameat2(RENAME_WHITEOUT) needs make_reg on the source directory for the whiteout it
  // leaves. Without it (observed on Linux 6.18): make_char, and RENAME_WHITEOUT asks nothing.
  bool whiteout_is_make_reg = true;
};

// The switches of `Profile` that differ between revisions, each as a named variant of `base`
// with that one switch flipped (bools negated, enums and errnos to their other value, ABI and
// masks to the other known revision's value): a disagreement that one variant removes is
// explained by that switch.
struct SwitchVariant {
  std::string name;    // the Profile field, e.g. "sendmsg_fastopen_checked"
  std::string change;  // the kernel change behind it, in a few words
  Profile profile;
};
std::vector<SwitchVariant> FlippedSwitches(const Profile& base);

// The profile of a live kernel: the switches observed on its release series (uname -r, e.g.
// "6.18.44-fc-v769" → series 6.18) with the ABI version and errata it reported. NotFound for a
// series never observed, FailedPrecondition when the reported ABI is not the one observed for
// the series (its switches would be a guess). Named "live-<version>", version "6.18.44".
absl::StatusOr<Profile> ProfileForLiveKernel(absl::string_view release, int abi_version,
                                             uint32_t errata);

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
