#include "model/profile.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace lockstep {
namespace {

// Debian 6.12.117 (linux-source-6.12 6.12.117-1~deb12u1), every switch verified in its
// security/landlock/{syscalls,net,limits}.c, errata/abi-{1,4,6}.h.
Profile Debian_6_12_117() {
  Profile p;
  p.name = "debian-6.12.117";
  p.version = "6.12.117";
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

// Debian 6.12.115: security/landlock differs from 6.12.117 only in fs.c. (verified by diff)
Profile Debian_6_12_115() {
  Profile p = Debian_6_12_117();
  p.name = "debian-6.12.115";
  p.version = "6.12.115";
  return p;
}

// Debian 6.12.113: net.c and errata as in 6.12.117, fs.c older. (verified by diff)
Profile Debian_6_12_113() {
  Profile p = Debian_6_12_117();
  p.name = "debian-6.12.113";
  p.version = "6.12.113";
  return p;
}

// Debian 6.12.111: net.c has no hook_socket_sendmsg; errata as in 6.12.117. (verified by diff)
Profile Debian_6_12_111() {
  Profile p = Debian_6_12_117();
  p.name = "debian-6.12.111";
  p.version = "6.12.111";
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

// Linux 6.18 (upstream stable series) as observed on the live kernel of these machines
// (6.18.44, Landlock ABI 7, errata 0x7) with lockstep's live engine and `./lockstep fidelity`;
// not read in source. ABI version and errata are overwritten with what the kernel reports.
Profile Observed_6_18() {
  Profile p = Debian_6_12_117();
  p.name = "live-6.18";
  p.version = "6.18";
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

const std::vector<Profile>& Profiles() {
  static const std::vector<Profile>* const kProfiles = new std::vector<Profile>{
      Upstream_6_12_0(), Debian_6_12_107(), Debian_6_12_111(),
      Debian_6_12_113(), Debian_6_12_115(), Debian_6_12_117(),
  };
  return *kProfiles;
}

}  // namespace

const std::vector<Profile>& KnownProfiles() { return Profiles(); }

absl::StatusOr<Profile> LookupProfile(absl::string_view version) {
  std::vector<std::string> known;
  for (const Profile& p : Profiles()) {
    if (p.version == version || p.name == version) return p;
    known.push_back(p.version);
  }
  return absl::NotFoundError(absl::StrCat("no oracle profile for kernel version \"", version,
                                          "\"; known: ", absl::StrJoin(known, ", ")));
}

absl::StatusOr<Profile> ProfileForLiveKernel(absl::string_view release, int abi_version,
                                             uint32_t errata) {
  // "6.18.44-fc-v769" → version "6.18.44", series "6.18".
  size_t end = 0;
  while (end < release.size() && (absl::ascii_isdigit(release[end]) || release[end] == '.')) ++end;
  const std::string version(release.substr(0, end));
  const std::vector<std::string> parts = absl::StrSplit(version, '.');
  if (parts.size() < 2 || parts[0].empty() || parts[1].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read a kernel version from release \"", release, "\""));
  }
  const std::string series = absl::StrCat(parts[0], ".", parts[1]);
  Profile p;
  if (series == "6.18") {
    p = Observed_6_18();
  } else {
    return absl::NotFoundError(absl::StrCat(
        "no observed switches for Linux ", series, " (release ", release,
        "); known live series: 6.18. Run ./lockstep fidelity with a new profile to derive them"));
  }
  if (abi_version != p.abi_version) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Linux ", release, " reports Landlock ABI ", abi_version, ", but the ", series,
        " switches were observed with ABI ", p.abi_version, "; not guessing"));
  }
  p.name = absl::StrCat("live-", version);
  p.version = version;
  p.errata = errata;
  return p;
}

std::vector<SwitchVariant> FlippedSwitches(const Profile& base) {
  std::vector<SwitchVariant> out;
  const auto add = [&](const char* name, const char* change, auto&& mutate) {
    Profile p = base;
    mutate(p);
    out.push_back({name, change, std::move(p)});
  };
  add("abi_version", "LANDLOCK_ABI_VERSION 6 vs 7 (ABI 7: audit logging, v6.15)",
      [](Profile& p) { p.abi_version = p.abi_version == 7 ? 6 : 7; });
  add("errata_flag_supported",
      "LANDLOCK_CREATE_RULESET_ERRATA, the erratum mechanism (v6.15, backported)",
      [](Profile& p) { p.errata_flag_supported = !p.errata_flag_supported; });
  add("errata", "errata/abi-1.h erratum 4 (Debian 6.12.111)",
      [](Profile& p) { p.errata = p.errata == 0x7 ? 0xf : 0x7; });
  add("tcp_check",
      "sk_is_tcp() instead of sock->type == SOCK_STREAM: MPTCP and UNIX stream sockets unchecked",
      [](Profile& p) {
        p.tcp_check =
            p.tcp_check == TcpCheck::kSkIsTcp ? TcpCheck::kSockStream : TcpCheck::kSkIsTcp;
      });
  add("af_unspec", "AF_UNSPEC handled per request before the AF_INET length check", [](Profile& p) {
    p.af_unspec = p.af_unspec == AfUnspecHandling::kPerRequest ? AfUnspecHandling::kSharedInetLength
                                                               : AfUnspecHandling::kPerRequest;
  });
  add("family_mismatch_errno", "errno for an address of another family than the socket's",
      [](Profile& p) { p.family_mismatch_errno = p.family_mismatch_errno == -22 ? -97 : -22; });
  add("unspec_bind_not_any_errno", "errno for bind(AF_UNSPEC) to an address other than INADDR_ANY",
      [](Profile& p) {
        p.unspec_bind_not_any_errno = p.unspec_bind_not_any_errno == -97 ? -22 : -97;
      });
  add("sendmsg_fastopen_checked",
      "hook_socket_sendmsg: TCP Fast Open with a destination checked as connect (Debian 6.12.113)",
      [](Profile& p) { p.sendmsg_fastopen_checked = !p.sendmsg_fastopen_checked; });
  add("net_checks_need_requested_right",
      "address checks only when a layer handles the requested right "
      "(landlock_get_applicable_subject, v6.15)",
      [](Profile& p) { p.net_checks_need_requested_right = !p.net_checks_need_requested_right; });
  add("restrict_self_flags", "LANDLOCK_RESTRICT_SELF_LOG_* flags (ABI 7)",
      [](Profile& p) { p.restrict_self_flags = p.restrict_self_flags == 0 ? 0x7 : 0; });
  add("restrict_self_log_subdomains_without_ruleset",
      "restrict_self(-1, LOG_SUBDOMAINS_OFF) without a ruleset (ABI 7)", [](Profile& p) {
        p.restrict_self_log_subdomains_without_ruleset =
            !p.restrict_self_log_subdomains_without_ruleset;
      });
  add("whiteout_is_make_reg",
      "erratum 4: whiteouts guarded by make_reg, RENAME_WHITEOUT checked (Debian 6.12.111)",
      [](Profile& p) { p.whiteout_is_make_reg = !p.whiteout_is_make_reg; });
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
