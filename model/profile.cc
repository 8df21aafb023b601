#include "model/profile.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace lockstep {
namespace {

// Debian 6.12.117 (linux-source-6.12 6.12.117-1~deb12u1), every switch verified in its
// security/landlock/{syscalls,net,limits}.c, errata/abi-{1,4,6}.h.
Profile Debian_6_12_117() {
  Profile p;
  p.name = "debian-6.12.117";
  p.version = "6.12.117";
  // Debian 6.12.117 and 6.12.118 (identical Landlock code; only SUBLEVEL differs).
  p.fingerprints = {"addff566a4538a49"};
  // syscalls.c: LANDLOCK_ABI_VERSION 6. (verified)
  p.abi_version = 6;
  // syscalls.c answers LANDLOCK_CREATE_RULESET_ERRATA. (verified)
  p.errata_flag_supported = true;
  // errata/abi-4.h: erratum 1 (TCP socket identification); abi-6.h: erratum 2 (scoped signal
  // handling); abi-1.h: erratum 3 (disconnected directories) and erratum 4 (whiteout creation,
  // first in 6.12.111). Bits 0..3 → 0xf. (verified)
  p.errata = 0xf;
  // limits.h: last fs right IOCTL_DEV, last net right CONNECT_TCP, last scope SIGNAL, 16 layers.
  // (verified)
  p.fs_access_mask = 0xffff;
  p.net_access_mask = 0x3;
  p.scope_mask = 0x3;
  p.max_layers = 16;
  // net.c: sk_is_tcp() — "landlock: Fix non-TCP sockets restriction" (erratum 1, upstream
  // v6.15, backported to 6.12.y before 6.12.107). (verified in source; commit subject from
  // memory)
  p.tcp_check = TcpCheck::kSkIsTcp;
  // net.c: AF_UNSPEC decided per request before the AF_INET length check (the AF_UNSPEC fix of
  // the same backport series). (verified in source)
  p.af_unspec = AfUnspecHandling::kPerRequest;
  // net.c: sa_family != sk_family and != AF_UNSPEC → -EINVAL. (verified)
  p.family_mismatch_errno = -22;
  // net.c: bind(AF_UNSPEC) not INADDR_ANY on an AF_INET socket → -EAFNOSUPPORT. (verified)
  p.unspec_bind_not_any_errno = -97;
  // net.c: hook_socket_sendmsg checks sendto(MSG_FASTOPEN) with a destination as a connect;
  // first in Debian 6.12.113 (absent in 6.12.111's net.c, present in 6.12.113's). (verified)
  p.sendmsg_fastopen_checked = true;
  // fs.c: get_mode_access() maps WHITEOUT_DEV to MAKE_REG and current_check_refer_path() asks
  // for it with RENAME_WHITEOUT (erratum 4). (verified)
  p.whiteout_is_make_reg = true;
  return p;
}

// Debian 6.12.115: security/landlock differs from 6.12.117 only in fs.c, and is 6.12.113's.
// (verified by diff and fingerprint)
Profile Debian_6_12_115() {
  Profile p = Debian_6_12_117();
  p.name = "debian-6.12.115";
  p.version = "6.12.115";
  // The same Landlock code as 6.12.113 (fs.c older than 6.12.117's).
  p.fingerprints = {"050cb1ce01045fc0"};
  return p;
}

// Debian 6.12.113: net.c and errata as in 6.12.117, fs.c older. (verified by diff)
Profile Debian_6_12_113() {
  Profile p = Debian_6_12_117();
  p.name = "debian-6.12.113";
  p.version = "6.12.113";
  p.fingerprints = {"050cb1ce01045fc0"};
  return p;
}

// Debian 6.12.111: net.c has no hook_socket_sendmsg; errata as in 6.12.117. (verified by diff)
Profile Debian_6_12_111() {
  Profile p = Debian_6_12_117();
  p.name = "debian-6.12.111";
  p.version = "6.12.111";
  p.fingerprints = {"729bad2371024009"};
  // net.c registers only socket_bind and socket_connect. (verified)
  p.sendmsg_fastopen_checked = false;
  return p;
}

// Debian 6.12.107 (linux-source-6.12 6.12.107-1~deb12u1): net.c as 6.12.117 without the
// sendmsg hook; errata/abi-1.h has erratum 3 only (no erratum 4). syscalls.c, ruleset.c,
// limits.h identical to 6.12.117. (verified by diff)
Profile Debian_6_12_107() {
  Profile p = Debian_6_12_117();
  p.name = "debian-6.12.107";
  p.version = "6.12.107";
  p.fingerprints = {"71e11a7276d6f9b6"};
  // Errata 1, 2, 3 → 0x7; erratum 4 (whiteout objects guarded by MAKE_REG) came with 6.12.111.
  // (verified)
  p.errata = 0x7;
  // No hook_socket_sendmsg in net.c. (verified)
  p.sendmsg_fastopen_checked = false;
  // No erratum 4: whiteouts need make_char, RENAME_WHITEOUT nothing. (unverified: taken from
  // the 6.18 observation, which has no erratum 4 either)
  p.whiteout_is_make_reg = false;
  return p;
}

// Upstream v6.12.0 (kernel.org release). Not read from a v6.12.0 tree: the net.c switches were
// checked against an earlier upstream net.c (torvalds/linux at 136cc1e1, same AF_UNSPEC and
// SOCK_STREAM code) and the rest is from the changes' descriptions.
Profile Upstream_6_12_0() {
  Profile p = Debian_6_12_117();
  p.name = "upstream-6.12.0";
  p.version = "6.12.0";
  p.fingerprints = {};  // no v6.12.0 tree was read
  // ABI 6 ("landlock: Add abstract UNIX socket scoping" and "landlock: Add signal scoping" were
  // merged for v6.12). (unverified)
  p.abi_version = 6;
  // The errata interface (LANDLOCK_CREATE_RULESET_ERRATA) came later (upstream v6.15); v6.12.0
  // knows only the VERSION flag, so ERRATA is an unknown flag → EINVAL. (unverified)
  p.errata_flag_supported = false;
  p.errata = 0;
  // Same access masks and scopes as 6.12.117 (ABI 6). (unverified)
  p.fs_access_mask = 0xffff;
  p.net_access_mask = 0x3;
  p.scope_mask = 0x3;
  p.max_layers = 16;
  // net.c: `sock->type != SOCK_STREAM` returns early, so MPTCP, SCTP-stream and AF_UNIX stream
  // sockets are restricted too; fixed by "landlock: Fix non-TCP sockets restriction" (erratum 1).
  // (verified in pre-6.12 upstream net.c; unverified for v6.12.0 itself)
  p.tcp_check = TcpCheck::kSockStream;
  // net.c: AF_UNSPEC shares the AF_INET case (addrlen < 16 → EINVAL for bind and connect), then
  // connect → allowed, bind on a non-AF_INET socket → EINVAL. (verified in pre-6.12 upstream
  // net.c; unverified for v6.12.0 itself)
  p.af_unspec = AfUnspecHandling::kSharedInetLength;
  // Family mismatch → EINVAL; AF_UNSPEC bind not INADDR_ANY → EAFNOSUPPORT. (as above)
  p.family_mismatch_errno = -22;
  p.unspec_bind_not_any_errno = -97;
  // No sendmsg hook: only socket_bind and socket_connect. (as above)
  p.sendmsg_fastopen_checked = false;
  // No erratum 4 before 6.12.111's backport. (unverified, as 6.12.107)
  p.whiteout_is_make_reg = false;
  return p;
}

// Linux 6.18 (upstream stable series) as observed on one live kernel of these machines
// (6.18.44, Landlock ABI 7, errata 0x7) with lockstep's live engine and `./lockstep fidelity`;
// not read in source. Kept as a named profile for tests and as the example of an ABI 7 kernel:
// a live kernel's own profile is probed by witnesses (model/live_profile.h), because another
// machine's "6.18.44" does check sendto(MSG_FASTOPEN).
Profile Observed_6_18() {
  Profile p = Debian_6_12_117();
  p.name = "observed-6.18";
  p.version = "6.18";
  p.generation = "live";
  p.fingerprints = {};
  // ABI 7: the audit/logging series (upstream v6.15). (observed: VERSION query answers 7)
  p.abi_version = 7;
  // Errata 1..3 (TCP socket identification, scoped signals, disconnected directories); the
  // whiteout erratum is Debian 6.12.111+ only. (observed: ERRATA query answers 7)
  p.errata = 0x7;
  // No fs rights or scopes after ABI 6. (observed: handled_fs bit 16 / scoped bit 2 → EINVAL)
  p.fs_access_mask = 0xffff;
  p.scope_mask = 0x3;
  // sendto(MSG_FASTOPEN) to a denied port goes through: this kernel's net.c does not check
  // sendmsg (the hook is a Debian 6.12.113+ backport, not upstream). (observed)
  p.sendmsg_fastopen_checked = false;
  // landlock_get_applicable_subject(cred, {.net = access_request}) (v6.15 audit series): a
  // connect-only domain leaves a malformed bind to the stack. (observed)
  p.net_checks_need_requested_right = true;
  // LANDLOCK_RESTRICT_SELF_LOG_* (ABI 7, v6.15): flags 1|2|4 accepted. (observed)
  p.restrict_self_flags = 0x7;
  // restrict_self(-1, LOG_SUBDOMAINS_OFF) → 0 without a ruleset (ABI 7). (observed)
  p.restrict_self_log_subdomains_without_ruleset = true;
  // No erratum 4: mknod(char 0:0) is denied by an unruled make_char and allowed with only
  // make_reg handled; RENAME_WHITEOUT goes through with make_reg and make_char both handled and
  // ungranted. (observed)
  p.whiteout_is_make_reg = false;
  return p;
}

// Debian 7.2.13 (linux-source-7.2 7.2.13-1, sid; 7.2.12-1~bpo13+1 has the same Landlock code),
// every switch verified in its security/landlock/{syscalls,net,limits,fs}.c, errata/abi-*.h and
// include/uapi/linux/landlock.h. Generation 7 (struct landlock_domain still a ruleset here).
Profile Debian_7_2_13() {
  Profile p = Debian_6_12_117();
  p.name = "debian-7.2.13";
  p.version = "7.2.13";
  p.generation = "7";
  p.fingerprints = {"549372610ce29dcc"};
  // syscalls.c: landlock_abi_version = 10. (verified)
  p.abi_version = 10;
  // errata/abi-1.h: 3 and 4, abi-4.h: 1, abi-6.h: 2 → 0xf. (verified)
  p.errata = 0xf;
  // limits.h: last fs right RESOLVE_UNIX (bit 16, ABI 9), last net right CONNECT_SEND_UDP
  // (bit 3, ABI 10), last scope SIGNAL, 16 layers. (verified)
  p.fs_access_mask = 0x1ffff;
  p.net_access_mask = 0xf;
  p.scope_mask = 0x3;
  p.max_layers = 16;
  // net.c: sk_is_tcp() for TCP rights (sk_is_udp() for the UDP ones: udp_checked below);
  // AF_UNSPEC per request; family mismatch → EINVAL; AF_UNSPEC bind not INADDR_ANY →
  // EAFNOSUPPORT; TFO checked as connect in hook_socket_sendmsg. (verified)
  p.tcp_check = TcpCheck::kSkIsTcp;
  p.af_unspec = AfUnspecHandling::kPerRequest;
  p.family_mismatch_errno = -22;
  p.unspec_bind_not_any_errno = -97;
  p.sendmsg_fastopen_checked = true;
  // net.c: landlock_get_applicable_subject(cred, {.net = access_request}). (verified)
  p.net_checks_need_requested_right = true;
  // net.c: hook_socket_bind/connect/sendmsg check sk_is_udp() sockets for BIND_UDP and
  // CONNECT_SEND_UDP, with current_check_autobind_udp_socket() after a successful connect or
  // send. (verified)
  p.udp_checked = true;
  // limits.h: LANDLOCK_LAST_RESTRICT_SELF is TSYNC: LOG_* (0x7) and TSYNC (0x8). (verified)
  p.restrict_self_flags = 0xf;
  // syscalls.c: ruleset_fd == -1 with (flags & ~TSYNC) == LOG_SUBDOMAINS_OFF needs no ruleset.
  // (verified)
  p.restrict_self_log_subdomains_without_ruleset = true;
  // syscalls.c: the EPERM check comes before the flags check. (verified)
  p.restrict_self_flags_checked_first = false;
  // syscalls.c build_check_abi(): sizeof(ruleset_attr) == 48; quiet_* ⊆ handled_* else EINVAL.
  // (verified)
  p.ruleset_attr_size = 48;
  // syscalls.c: flags other than 0 and LANDLOCK_ADD_RULE_QUIET → EINVAL. (verified)
  p.add_rule_flags = 0x1;
  // fs.c/errata abi-1.h erratum 4: whiteouts need make_reg. (verified)
  p.whiteout_is_make_reg = true;
  return p;
}

// Debian 7.3.4 (linux-source-7.3 7.3.4-1~bpo13+1, trixie-backports), verified in its
// security/landlock/{syscalls,net,limits}.c, errata/abi-*.h and uapi landlock.h. As 7.2.13 but
// for ABI 11 (LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS) and restrict_self's check order.
Profile Debian_7_3_4() {
  Profile p = Debian_7_2_13();
  p.name = "debian-7.3.4";
  p.version = "7.3.4";
  p.fingerprints = {"cdbf6cc3e27de386"};
  // syscalls.c: landlock_abi_version = 11. (verified)
  p.abi_version = 11;
  // limits.h: LANDLOCK_LAST_RESTRICT_SELF is NO_NEW_PRIVS (bit 4) → 0x1f. (verified)
  p.restrict_self_flags = 0x1f;
  // syscalls.c: unknown flags → EINVAL before the EPERM check, which NO_NEW_PRIVS waives.
  // (verified)
  p.restrict_self_flags_checked_first = true;
  return p;
}

const std::vector<Profile>& Profiles() {
  static const std::vector<Profile>* const kProfiles = new std::vector<Profile>{
      Upstream_6_12_0(), Debian_6_12_107(), Debian_6_12_111(),
      Debian_6_12_113(), Debian_6_12_115(), Debian_6_12_117(), Observed_6_18(),
      Debian_7_2_13(), Debian_7_3_4(),
  };
  return *kProfiles;
}


int64_t Bool(bool b) { return b ? 1 : 0; }

// The table of switches (see SwitchDef). Order: what a live witness needs decided first comes
// first (the ABI and the flags it knows, then the masks, then the decisions).
std::vector<SwitchDef> MakeSwitches() {
  using F = SwitchDef::Format;
  std::vector<SwitchDef> t;
  t.push_back({"abi_version", "LANDLOCK_ABI_VERSION (ABI 7: audit logging, v6.15)",
               [](const Profile& p) -> int64_t { return p.abi_version; },
               [](Profile& p, int64_t v) { p.abi_version = static_cast<int>(v); },
               {6, 7, 10, 11}, {}, F::kDecimal});
  t.push_back({"errata_flag_supported",
               "LANDLOCK_CREATE_RULESET_ERRATA, the erratum mechanism (v6.15, backported)",
               [](const Profile& p) { return Bool(p.errata_flag_supported); },
               [](Profile& p, int64_t v) { p.errata_flag_supported = v != 0; }, {0, 1}, {},
               F::kBool});
  t.push_back({"errata", "errata/abi-*.h: erratum 4 (whiteouts, Debian 6.12.111) and others",
               [](const Profile& p) -> int64_t { return p.errata; },
               [](Profile& p, int64_t v) { p.errata = static_cast<uint32_t>(v); },
               {0x0, 0x7, 0xf}, {}, F::kHex});
  t.push_back({"fs_access_mask", "LANDLOCK_MASK_ACCESS_FS (ABI 5: ioctl_dev)",
               [](const Profile& p) -> int64_t { return static_cast<int64_t>(p.fs_access_mask); },
               [](Profile& p, int64_t v) { p.fs_access_mask = static_cast<uint64_t>(v); },
               {0x7fff, 0xffff, 0x1ffff}, {}, F::kHex});
  t.push_back({"net_access_mask",
               "LANDLOCK_MASK_ACCESS_NET (ABI 4: bind_tcp, connect_tcp; ABI 10: UDP)",
               [](const Profile& p) -> int64_t { return static_cast<int64_t>(p.net_access_mask); },
               [](Profile& p, int64_t v) { p.net_access_mask = static_cast<uint64_t>(v); },
               {0x3, 0xf}, {}, F::kHex});
  t.push_back({"scope_mask", "LANDLOCK_MASK_SCOPE (ABI 6: abstract UNIX sockets, signals)",
               [](const Profile& p) -> int64_t { return static_cast<int64_t>(p.scope_mask); },
               [](Profile& p, int64_t v) { p.scope_mask = static_cast<uint64_t>(v); },
               {0x0, 0x3}, {}, F::kHex});
  t.push_back({"restrict_self_flags",
               "LANDLOCK_RESTRICT_SELF_* flags (ABI 7: LOG_*, ABI 8: TSYNC, ABI 11: "
               "NO_NEW_PRIVS)",
               [](const Profile& p) -> int64_t { return p.restrict_self_flags; },
               [](Profile& p, int64_t v) { p.restrict_self_flags = static_cast<uint32_t>(v); },
               {0x0, 0x7, 0xf, 0x1f}, {}, F::kHex});
  t.push_back({"restrict_self_log_subdomains_without_ruleset",
               "restrict_self(-1, LOG_SUBDOMAINS_OFF) without a ruleset (ABI 7)",
               [](const Profile& p) { return Bool(p.restrict_self_log_subdomains_without_ruleset); },
               [](Profile& p, int64_t v) { p.restrict_self_log_subdomains_without_ruleset = v != 0; },
               {0, 1}, {}, F::kBool});
  t.push_back({"restrict_self_flags_checked_first",
               "restrict_self: unknown flags (EINVAL) before the no_new_privs check (EPERM) "
               "(Linux 7.3)",
               [](const Profile& p) { return Bool(p.restrict_self_flags_checked_first); },
               [](Profile& p, int64_t v) { p.restrict_self_flags_checked_first = v != 0; },
               {0, 1}, {}, F::kBool});
  t.push_back({"ruleset_attr_size",
               "sizeof(struct landlock_ruleset_attr): 48 with the quiet_* fields (ABI 10)",
               [](const Profile& p) -> int64_t { return static_cast<int64_t>(p.ruleset_attr_size); },
               [](Profile& p, int64_t v) { p.ruleset_attr_size = static_cast<size_t>(v); },
               {24, 48}, {}, F::kDecimal});
  t.push_back({"add_rule_flags", "landlock_add_rule() flags (ABI 10: LANDLOCK_ADD_RULE_QUIET)",
               [](const Profile& p) -> int64_t { return p.add_rule_flags; },
               [](Profile& p, int64_t v) { p.add_rule_flags = static_cast<uint32_t>(v); },
               {0x0, 0x1}, {}, F::kHex});
  t.push_back({"tcp_check",
               "sk_is_tcp() instead of sock->type == SOCK_STREAM: MPTCP and UNIX stream sockets "
               "unchecked",
               [](const Profile& p) -> int64_t { return static_cast<int64_t>(p.tcp_check); },
               [](Profile& p, int64_t v) { p.tcp_check = static_cast<TcpCheck>(v); },
               {static_cast<int64_t>(TcpCheck::kSkIsTcp),
                static_cast<int64_t>(TcpCheck::kSockStream)},
               {{static_cast<int64_t>(TcpCheck::kSkIsTcp), "sk_is_tcp"},
                {static_cast<int64_t>(TcpCheck::kSockStream), "sock_stream"}},
               F::kNamed});
  t.push_back({"af_unspec", "AF_UNSPEC handled per request before the AF_INET length check",
               [](const Profile& p) -> int64_t { return static_cast<int64_t>(p.af_unspec); },
               [](Profile& p, int64_t v) { p.af_unspec = static_cast<AfUnspecHandling>(v); },
               {static_cast<int64_t>(AfUnspecHandling::kPerRequest),
                static_cast<int64_t>(AfUnspecHandling::kSharedInetLength)},
               {{static_cast<int64_t>(AfUnspecHandling::kPerRequest), "per_request"},
                {static_cast<int64_t>(AfUnspecHandling::kSharedInetLength), "shared_inet_length"}},
               F::kNamed});
  t.push_back({"family_mismatch_errno", "errno for an address of another family than the socket's",
               [](const Profile& p) -> int64_t { return p.family_mismatch_errno; },
               [](Profile& p, int64_t v) { p.family_mismatch_errno = v; }, {-22, -97},
               {{-22, "EINVAL"}, {-97, "EAFNOSUPPORT"}}, F::kNamed});
  t.push_back({"unspec_bind_not_any_errno",
               "errno for bind(AF_UNSPEC) to an address other than INADDR_ANY",
               [](const Profile& p) -> int64_t { return p.unspec_bind_not_any_errno; },
               [](Profile& p, int64_t v) { p.unspec_bind_not_any_errno = v; }, {-97, -22},
               {{-22, "EINVAL"}, {-97, "EAFNOSUPPORT"}}, F::kNamed});
  t.push_back({"sendmsg_fastopen_checked",
               "hook_socket_sendmsg: TCP Fast Open with a destination checked as connect (Debian "
               "6.12.113)",
               [](const Profile& p) { return Bool(p.sendmsg_fastopen_checked); },
               [](Profile& p, int64_t v) { p.sendmsg_fastopen_checked = v != 0; }, {0, 1}, {},
               F::kBool});
  t.push_back({"udp_checked",
               "UDP bind and connect/send rights, with the autobind checked as bind to port 0 "
               "(ABI 10, Linux 7.2)",
               [](const Profile& p) { return Bool(p.udp_checked); },
               [](Profile& p, int64_t v) { p.udp_checked = v != 0; }, {0, 1}, {}, F::kBool});
  t.push_back({"net_checks_need_requested_right",
               "address checks only when a layer handles the requested right "
               "(landlock_get_applicable_subject, v6.15)",
               [](const Profile& p) { return Bool(p.net_checks_need_requested_right); },
               [](Profile& p, int64_t v) { p.net_checks_need_requested_right = v != 0; }, {0, 1},
               {}, F::kBool});
  t.push_back({"whiteout_is_make_reg",
               "erratum 4: whiteouts guarded by make_reg, RENAME_WHITEOUT checked (Debian "
               "6.12.111)",
               [](const Profile& p) { return Bool(p.whiteout_is_make_reg); },
               [](Profile& p, int64_t v) { p.whiteout_is_make_reg = v != 0; }, {0, 1}, {},
               F::kBool});
  return t;
}

// Version numbers of "6.12.117" for nearness: {6, 12, 117}; missing parts are 0.
std::vector<long> VersionParts(absl::string_view version) {
  std::vector<long> parts;
  for (absl::string_view piece : absl::StrSplit(version, '.')) {
    long n = 0;
    for (char c : piece) {
      if (!absl::ascii_isdigit(c)) break;
      n = n * 10 + (c - '0');
    }
    parts.push_back(n);
  }
  while (parts.size() < 3) parts.push_back(0);
  return parts;
}

// Distance between two versions of one generation: major/minor weigh more than any sublevel.
long VersionDistance(absl::string_view a, absl::string_view b) {
  const std::vector<long> x = VersionParts(a), y = VersionParts(b);
  long d = 0;
  for (size_t i = 0; i < 3; ++i) d = d * 1000 + std::labs(x[i] - y[i]);
  return d;
}

}  // namespace

bool Profile::Determined(absl::string_view switch_name) const {
  for (const std::string& u : undetermined) {
    if (u == switch_name) return false;
  }
  return true;
}

const std::vector<SwitchDef>& Switches() {
  static const std::vector<SwitchDef>* const kSwitches = new std::vector<SwitchDef>(MakeSwitches());
  return *kSwitches;
}

const SwitchDef* FindSwitch(absl::string_view name) {
  for (const SwitchDef& sw : Switches()) {
    if (name == sw.name) return &sw;
  }
  return nullptr;
}

std::string SwitchValueText(const SwitchDef& sw, int64_t value) {
  for (const auto& [v, name] : sw.value_names) {
    if (v == value) return name;
  }
  switch (sw.format) {
    case SwitchDef::Format::kBool:
      return value != 0 ? "true" : "false";
    case SwitchDef::Format::kHex:
      return absl::StrCat("0x", absl::Hex(value));
    case SwitchDef::Format::kDecimal:
    case SwitchDef::Format::kNamed:
      break;
  }
  return absl::StrCat(value);
}

std::optional<int64_t> ParseSwitchValue(const SwitchDef& sw, absl::string_view text) {
  for (const auto& [v, name] : sw.value_names) {
    if (text == name) return v;
  }
  if (sw.format == SwitchDef::Format::kBool) {
    if (text == "true") return 1;
    if (text == "false") return 0;
  }
  int64_t v = 0;
  if (absl::StartsWith(text, "0x") || absl::StartsWith(text, "0X")) {
    uint64_t u = 0;
    if (text.size() > 2 && absl::SimpleHexAtoi(text.substr(2), &u)) return static_cast<int64_t>(u);
    return std::nullopt;
  }
  if (absl::SimpleAtoi(text, &v)) return v;
  return std::nullopt;
}

const std::vector<Profile>& KnownProfiles() { return Profiles(); }

absl::StatusOr<Profile> LookupProfile(absl::string_view version) {
  std::vector<std::string> known;
  for (const Profile& p : Profiles()) {
    if (p.version == version || p.name == version) return p;
    known.push_back(p.name);
  }
  return absl::NotFoundError(absl::StrCat("no oracle profile named \"", version,
                                          "\"; known: ", absl::StrJoin(known, ", ")));
}

absl::StatusOr<TreeProfile> ProfileForTree(absl::string_view version,
                                           absl::string_view fingerprint,
                                           absl::string_view generation) {
  const Profile* verified = nullptr;
  const Profile* nearest = nullptr;
  for (const Profile& p : Profiles()) {
    if (p.generation != generation || p.generation == "live") continue;
    for (const std::string& f : p.fingerprints) {
      if (f != fingerprint) continue;
      // Same code: prefer the profile of the same version, else the newest (later in the list).
      if (verified == nullptr || verified->version != version) verified = &p;
    }
    if (nearest == nullptr ||
        VersionDistance(p.version, version) <= VersionDistance(nearest->version, version)) {
      nearest = &p;  // ties go to the newer (later) profile
    }
  }
  TreeProfile out;
  if (verified != nullptr) {
    out.profile = *verified;
    out.verified = true;
    out.notice = verified->version == version
                     ? absl::StrCat(version, ": verified profile ", verified->name,
                                    " (fingerprint ", fingerprint, ")")
                     : absl::StrCat(version, ": Landlock identical to ", verified->version,
                                    " (verified profile ", verified->name, ", fingerprint ",
                                    fingerprint, ")");
    return out;
  }
  if (nearest == nullptr) {
    return absl::NotFoundError(absl::StrCat("no oracle profile of the ", generation,
                                            " generation (kernel tree ", version,
                                            ", fingerprint ", fingerprint, ")"));
  }
  out.profile = *nearest;
  out.notice = absl::StrCat(version, ": no verified profile for this code (fingerprint ",
                            fingerprint, "): using ", nearest->version, "'s (", nearest->name,
                            "), the nearest known revision of the ", generation,
                            " generation; differences will be reported as findings");
  return out;
}

std::vector<SwitchVariant> FlippedSwitches(const Profile& base) {
  std::vector<SwitchVariant> out;
  for (const SwitchDef& sw : Switches()) {
    const int64_t current = sw.get(base);
    for (int64_t v : sw.values) {
      if (v == current) continue;
      Profile p = base;
      sw.set(p, v);
      out.push_back({sw.name, sw.change, std::move(p)});
    }
  }
  return out;
}

Profile ProfileForVersion(absl::string_view version) {
  absl::StatusOr<Profile> p = LookupProfile(version);
  if (!p.ok()) {
    std::fprintf(stderr, "%s\n", std::string(p.status().message()).c_str());
    std::abort();
  }
  return *std::move(p);
}

}  // namespace lockstep
