// Revision profiles: what one kernel revision's Landlock does, as named switches the oracle reads.
//
// Every behaviour that differs between the kernel revisions lockstep knows is one field of
// `Profile`, with a comment naming the kernel change it models, and one row of Switches(): the
// single table that explanations, expectations in .scn files, live witnesses and reports derive
// from. A compiled tree is matched to a profile by the fingerprint of its Landlock code
// (tools/kernel_tree.py), never by its version label; a live kernel gets a profile probed by
// witness scenarios (model/live_profile.h). "verified" in a comment means read in that
// revision's source; "unverified" means taken from another revision or a change's description.

#ifndef LOCKSTEP_MODEL_PROFILE_H_
#define LOCKSTEP_MODEL_PROFILE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
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
  // The adapter generation of the trees it describes ("6.12"), or "live" for a profile of a
  // running kernel (observed or probed), which no compiled tree is matched to.
  std::string generation = "6.12";
  // Fingerprints (tools/kernel_tree.py `fingerprint`: sha256 over security/landlock/**,
  // lib/rbtree.c, include/linux/rbtree*.h and include/uapi/linux/landlock.h, not the top
  // Makefile) of the trees whose code every switch below was verified against.
  std::vector<std::string> fingerprints;
  // Switches whose value is not known for this kernel (a live witness could not decide them):
  // the field holds a placeholder, and expectations conditioned on them are not checked.
  std::vector<std::string> undetermined;
  bool Determined(absl::string_view switch_name) const;

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
  // Linux 7.2 (ABI 10, "landlock: Add UDP bind and connect/send"): UDP sockets (sk_is_udp) are
  // checked for BIND_UDP on bind(2) and CONNECT_SEND_UDP on connect(2) and on sendto(2) with a
  // destination (AF_UNSPEC: connect allowed; sendto denied on IPv6, AF_INET on IPv4); then a
  // socket without a local port has its autobind checked as a bind to port 0, where a layer
  // handles BIND_UDP. Before, UDP sockets are never restricted.
  bool udp_checked = false;
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
  // the logs of future subdomains), returning 0 and adding no layer. With TSYNC known (bit 3,
  // ABI 8), LOG_SUBDOMAINS_OFF|TSYNC is that form too; with NO_NEW_PRIVS known (bit 4, ABI 11,
  // Linux 7.3) the flag waives the no_new_privs/CAP_SYS_ADMIN requirement and sets no_new_privs
  // once the domain is committed (a single-threaded task: TSYNC changes nothing else here).
  bool restrict_self_log_subdomains_without_ruleset = false;
  // Linux 7.3 ("landlock: Add LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS"): restrict_self checks its
  // flags (EINVAL) before the no_new_privs/CAP_SYS_ADMIN requirement (EPERM); before, EPERM came
  // first. Only a call with an unknown flag and neither no_new_privs nor CAP_SYS_ADMIN sees it.
  bool restrict_self_flags_checked_first = false;
  // sizeof(struct landlock_ruleset_attr): 24 (handled_access_fs/net, scoped) up to ABI 9; 48
  // from ABI 10 (Linux 7.2: quiet_access_fs, quiet_access_net, quiet_scoped, each of which must
  // be a subset of its handled field, else EINVAL). Bytes beyond it must be zero (E2BIG).
  size_t ruleset_attr_size = 24;
  // The landlock_add_rule() flags the revision knows: 0 before ABI 10, LANDLOCK_ADD_RULE_QUIET
  // (1) from Linux 7.2. A quiet rule may allow nothing (no ENOMSG) and needs the ruleset's quiet
  // mask for its type to be nonzero (else EINVAL); it grants what it allows like any rule.
  uint32_t add_rule_flags = 0;

  // Erratum 4 ("Creation of whiteout objects", errata/abi-1.h, Debian 6.12.111): a whiteout
  // (char 0:0) made by mknod(2), moved or linked needs make_reg instead of make_char, and
  // renameat2(RENAME_WHITEOUT) needs make_reg on the source directory for the whiteout it
  // leaves. Without it (observed on Linux 6.18): make_char, and RENAME_WHITEOUT asks nothing.
  bool whiteout_is_make_reg = true;
};

// Whether the revision writes Landlock's denial logs (audit records, ABI 7, upstream v6.15): it
// knows the LOG_* flags of restrict_self, which came with them.
inline bool WritesDenialLogs(const Profile& p) { return (p.restrict_self_flags & 0x7) != 0; }

// One switch of `Profile`: a behaviour that differs between kernel revisions, with every value a
// known revision has. The one definition every form derives from: FlippedSwitches (explaining a
// revision difference), `expect[...]` conditions in .scn files, live witnesses, tables.
struct SwitchDef {
  const char* name;    // the Profile field, e.g. "sendmsg_fastopen_checked"
  const char* change;  // the kernel change behind it, in a few words
  int64_t (*get)(const Profile&);
  void (*set)(Profile&, int64_t);
  // Every value a known revision (or a kernel lockstep has seen) has, in the order printed.
  std::vector<int64_t> values;
  // Names of values, where numbers would not say it ("sk_is_tcp", "EINVAL"); bools are
  // "true"/"false", masks and errata hex.
  std::vector<std::pair<int64_t, const char*>> value_names;
  enum class Format { kBool, kDecimal, kHex, kNamed };
  Format format = Format::kDecimal;
};

// Every switch, in the order a live profile is probed (each witness may rely on the ones before).
const std::vector<SwitchDef>& Switches();
// The switch named `name`, or nullptr.
const SwitchDef* FindSwitch(absl::string_view name);
// `value` of `sw` as people read it: "true", "0xf", "sk_is_tcp", "EINVAL", "7".
std::string SwitchValueText(const SwitchDef& sw, int64_t value);
// The value a .scn condition or a flag names: a number (decimal, 0x-hex, negative), true/false
// for bools, or one of the switch's value names; nullopt if it names none.
std::optional<int64_t> ParseSwitchValue(const SwitchDef& sw, absl::string_view text);

// The switches of `Profile` that differ between revisions, each as a named variant of `base`
// with that one switch set to one of its other known values: a disagreement that a variant
// removes (on every scenario it is checked against) is explained by that switch. A switch with
// several other values gives one variant per value.
struct SwitchVariant {
  std::string name;    // the Profile field, e.g. "sendmsg_fastopen_checked"
  std::string change;  // the kernel change behind it, in a few words
  Profile profile;
};
std::vector<SwitchVariant> FlippedSwitches(const Profile& base);

// The profile chosen for a compiled tree, and how.
struct TreeProfile {
  Profile profile;
  // Whether a profile was verified against exactly this code (same fingerprint); otherwise the
  // nearest known revision of the same generation stands in, and any behaviour change in the
  // tree shows up as findings.
  bool verified = false;
  // One line for people, e.g. "6.12.118: Landlock identical to 6.12.117 (verified profile)" or
  // "6.12.999: no verified profile for this code (fingerprint …): using 6.12.117's, the nearest
  // known revision of the 6.12 generation; differences will be reported as findings".
  std::string notice;
};

// The profile for a compiled tree of `version` ("6.12.118"), Landlock code `fingerprint` and
// adapter `generation`: a profile verified against that fingerprint (the one of the same
// version first, else the newest), else the known revision of that generation nearest in
// version. Never refuses a revision of a generation lockstep has profiles for; NotFound only
// for a generation it has none of (today: "6.1").
absl::StatusOr<TreeProfile> ProfileForTree(absl::string_view version,
                                           absl::string_view fingerprint,
                                           absl::string_view generation);

// The profile named by a kernel version ("6.12.117") or a profile name ("debian-6.12.117",
// "observed-6.18"), or NotFound naming the known ones. For tests and forced comparisons; a tree
// is matched by ProfileForTree, a live kernel by ProbeLiveProfile (model/live_profile.h).
absl::StatusOr<Profile> LookupProfile(absl::string_view version);

// As LookupProfile, for a version the caller knows is there: an unknown version aborts with the
// same message.
Profile ProfileForVersion(absl::string_view version);

// Every known profile, oldest first (the compiled-tree profiles, then the observed live ones).
const std::vector<Profile>& KnownProfiles();

}  // namespace lockstep

#endif  // LOCKSTEP_MODEL_PROFILE_H_
