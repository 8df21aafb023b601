#include "model/live_profile.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "model/oracle_engine.h"
#include "scenario/runner.h"
#include "scenario/scn.h"

namespace lockstep {
namespace {

// How a witness turns the live kernel's outcomes into the switch's value.
enum class Decide {
  kCompare,        // the known value whose oracle run agrees with the live run
  kReportedValue,  // the last op's returned value (an ABI version, the errata bits)
  kAnswered,       // whether the last op returned a value rather than an errno
};

struct Witness {
  const char* switch_name;
  Decide decide;
  const char* scn;  // .scn text; all ops run on the live kernel and on the oracle
  // When the switches decided before make this one meaningless on the kernel (no behaviour
  // anywhere depends on it), the value it then takes and why; nullptr: always meaningful.
  const char* (*inapplicable)(const Profile&) = nullptr;
  int64_t inapplicable_value = 0;
};

// One witness per switch of Switches(), in that order. Each is as short as it can be and relies
// only on switches decided before it.
const Witness kWitnesses[] = {
    {"abi_version", Decide::kReportedValue, "create_ruleset attr=null size=0 flags=version\n"},
    {"errata_flag_supported", Decide::kAnswered,
     "create_ruleset attr=null size=0 flags=errata\n"},
    {"errata", Decide::kReportedValue, "create_ruleset attr=null size=0 flags=errata\n",
     [](const Profile& p) -> const char* {
       return p.errata_flag_supported ? nullptr : "no errata query: no errata";
     },
     0},
    // ioctl_dev (ABI 5) and the next bit.
    {"fs_access_mask", Decide::kCompare,
     "create_ruleset handled_fs=ioctl_dev\ncreate_ruleset handled_fs=0x10000\n"},
    // bind_tcp|connect_tcp (ABI 4) and the next bit.
    {"net_access_mask", Decide::kCompare,
     "create_ruleset handled_net=bind|connect\ncreate_ruleset handled_net=4\n"},
    {"scope_mask", Decide::kCompare,
     "create_ruleset scoped=abstract_unix_socket\ncreate_ruleset scoped=signal\n"
     "create_ruleset scoped=4\n"},
    // Each LOG_* flag alone with a ruleset (each success stacks a layer; harmless here); TSYNC
    // (8) and NO_NEW_PRIVS (16) only with fd -1, which they cannot use (EBADF where known):
    // TSYNC with a ruleset would restrict every thread of the prober's process.
    {"restrict_self_flags", Decide::kCompare,
     "r = create_ruleset handled_net=bind\nrestrict_self r flags=1\nrestrict_self r flags=2\n"
     "restrict_self r flags=4\nrestrict_self -1 flags=8\nrestrict_self -1 flags=16\n"},
    {"restrict_self_log_subdomains_without_ruleset", Decide::kCompare,
     "restrict_self -1 flags=4\n",
     [](const Profile& p) -> const char* {
       return (p.restrict_self_flags & 4) != 0
                  ? nullptr
                  : "not applicable: LOG_SUBDOMAINS_OFF is an unknown flag here";
     },
     0},
    // An unknown flag without no_new_privs: EPERM first, or EINVAL first (Linux 7.3).
    {"restrict_self_flags_checked_first", Decide::kCompare,
     "task no_new_privs=0 cap_sys_admin=0\nrestrict_self -1 flags=0x80000000\n"},
    // handled_net=connect with quiet_access_net=connect: 48 bytes, a nonzero tail where the
    // struct has 24.
    {"ruleset_attr_size", Decide::kCompare,
     "create_ruleset attr=000000000000000002000000000000000000000000000000"
     "000000000000000002000000000000000000000000000000\n"},
    // LANDLOCK_ADD_RULE_QUIET on no ruleset: EINVAL where the flag is unknown (checked before
    // the fd), EBADF where it is known.
    {"add_rule_flags", Decide::kCompare, "add_rule -1 net_port allowed=connect port=80 flags=1\n"},
    // An MPTCP stream socket: checked only where every stream socket is.
    {"tcp_check", Decide::kCompare,
     "r = create_ruleset handled_net=connect\nrestrict_self r\ns = socket inet stream mptcp\n"
     "connect s inet:127.0.0.1:80\n"},
    // AF_UNSPEC shorter than a sockaddr_in: allowed per request, EINVAL where it shares the
    // AF_INET length check.
    {"af_unspec", Decide::kCompare,
     "r = create_ruleset handled_net=bind|connect\nrestrict_self r\ns = socket inet stream\n"
     "connect s unspec addrlen=4\n"},
    {"family_mismatch_errno", Decide::kCompare,
     "r = create_ruleset handled_net=bind|connect\nrestrict_self r\ns = socket inet stream\n"
     "connect s inet6:[::1]:80\n"},
    {"unspec_bind_not_any_errno", Decide::kCompare,
     "r = create_ruleset handled_net=bind|connect\nrestrict_self r\ns = socket inet stream\n"
     "bind s unspec:127.0.0.1:0\n"},
    {"sendmsg_fastopen_checked", Decide::kCompare,
     "r = create_ruleset handled_net=connect\nrestrict_self r\ns = socket inet stream\n"
     "sendto s inet:127.0.0.1:80 flags=fastopen\n"},
    // UDP connect with connect_send_udp handled and no rule (ABI 10).
    {"udp_checked", Decide::kCompare,
     "r = create_ruleset handled_net=8\nrestrict_self r\ns = socket inet dgram\n"
     "connect s inet:127.0.0.1:80\n",
     [](const Profile& p) -> const char* {
       return (p.net_access_mask & 8) != 0 ? nullptr
                                           : "not applicable: no UDP rights (ABI 10) here";
     },
     0},
    // Only connect handled; a bind with an address of the wrong family.
    {"net_checks_need_requested_right", Decide::kCompare,
     "r = create_ruleset handled_net=connect\nrestrict_self r\ns = socket inet stream\n"
     "bind s inet6:[::]:80\n"},
    // make_char granted, make_reg not: the whiteout is one or the other.
    {"whiteout_is_make_reg", Decide::kCompare,
     "mkdir a\nr = create_ruleset handled_fs=make_reg|make_char\nd = open a path\n"
     "add_rule r path_beneath allowed=make_char parent_fd=d\nrestrict_self r\n"
     "mknod a/w whiteout\n"},
};

const Witness* WitnessFor(const std::string& name) {
  for (const Witness& w : kWitnesses) {
    if (name == w.switch_name) return &w;
  }
  return nullptr;
}

std::string OutcomesText(const RunResult& r) {
  std::vector<std::string> cells;
  for (size_t i = 0; i < r.outcomes.size(); ++i) {
    std::string t = r.outcomes[i].ToString();
    if (i < r.stack_alone.size() && r.stack_alone[i] && *r.stack_alone[i] != r.outcomes[i]) {
      t += "(stack " + r.stack_alone[i]->ToString() + ")";
    }
    cells.push_back(t);
  }
  return absl::StrJoin(cells, " ");
}

bool AgreesEverywhere(const RunResult& oracle, const RunResult& live) {
  return FirstDivergence(oracle, live) < 0;
}

}  // namespace

absl::StatusOr<LiveProfile> ProbeLiveProfile(Engine& live, const LiveKernelInfo& info) {
  if (info.abi_version < 4) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Linux ", info.release, ": Landlock ABI ", info.abi_version,
        " has no network rules (ABI 4+); lockstep's live engine needs them"));
  }
  LiveProfile lp;
  // The starting values only fill fields no witness decides (max_layers); every switch below is
  // set by its witness or listed as undetermined.
  lp.profile = ProfileForVersion("6.12.117");
  lp.profile.name = "live-" + info.version;
  lp.profile.version = info.version;
  lp.profile.generation = "live";
  lp.profile.fingerprints.clear();
  lp.profile.undetermined.clear();
  for (const SwitchDef& sw : Switches()) {
    WitnessReport rep;
    rep.switch_name = sw.name;
    const Witness* w = WitnessFor(sw.name);
    if (w == nullptr) {
      rep.note = "no witness";
      lp.profile.undetermined.push_back(sw.name);
      lp.witnesses.push_back(std::move(rep));
      continue;
    }
    rep.witness = w->scn;
    absl::StatusOr<Scenario> s = ParseScn(w->scn, absl::StrCat("witness:", sw.name));
    if (!s.ok()) return s.status();  // a bug in the table above
    if (sw.name == std::string("whiteout_is_make_reg") && !info.filesystem_usable) {
      rep.note = "undetermined: the live engine has no filesystem here (" +
                 info.filesystem_reason + ")";
      lp.profile.undetermined.push_back(sw.name);
      lp.witnesses.push_back(std::move(rep));
      continue;
    }
    if (w->inapplicable != nullptr) {
      if (const char* why = w->inapplicable(lp.profile)) {
        rep.value = w->inapplicable_value;
        rep.note = why;
        sw.set(lp.profile, *rep.value);
        lp.witnesses.push_back(std::move(rep));
        continue;
      }
    }
    const RunResult lr = RunScenario(live, *s);
    rep.live_outcomes = OutcomesText(lr);
    const Outcome last = lr.outcomes.empty() ? Outcome::Errno(0) : lr.outcomes.back();
    switch (w->decide) {
      case Decide::kReportedValue:
        if (last.kind == Outcome::Kind::kValue) {
          rep.value = last.value;
          rep.note = "reported by the kernel";
        }
        break;
      case Decide::kAnswered:
        rep.value = last.kind == Outcome::Kind::kValue ? 1 : 0;
        rep.note = "the query is answered, not EINVAL";
        break;
      case Decide::kCompare: {
        std::vector<int64_t> candidates = sw.values;
        std::vector<int64_t> matching;
        for (int64_t v : candidates) {
          Profile p = lp.profile;
          sw.set(p, v);
          OracleEngine oracle(p);
          if (AgreesEverywhere(RunScenario(oracle, *s), lr)) matching.push_back(v);
        }
        std::vector<std::string> names;
        for (int64_t v : matching) names.push_back(SwitchValueText(sw, v));
        if (matching.size() == 1) {
          rep.value = matching[0];
          rep.note = "the oracle agrees with this value only";
        } else if (matching.empty()) {
          std::vector<std::string> all;
          for (int64_t v : candidates) all.push_back(SwitchValueText(sw, v));
          rep.note = absl::StrCat("undetermined: no known value (", absl::StrJoin(all, ", "),
                                  ") reproduces the live outcomes");
        } else {
          rep.note = absl::StrCat("undetermined: the witness does not separate ",
                                  absl::StrJoin(names, " and "));
        }
        break;
      }
    }
    if (rep.value) {
      sw.set(lp.profile, *rep.value);
    } else {
      if (rep.note.empty()) rep.note = "undetermined: the kernel gave no value";
      lp.profile.undetermined.push_back(sw.name);
    }
    lp.witnesses.push_back(std::move(rep));
  }
  return lp;
}

bool SwitchObservable(const Profile& p, const std::string& name) {
  const Witness* w = WitnessFor(name);
  return w != nullptr && (w->inapplicable == nullptr || w->inapplicable(p) == nullptr);
}

bool UndeterminedMayExplain(const Profile& p, const Scenario& s, const RunResult& live) {
  for (const std::string& name : p.undetermined) {
    const SwitchDef* sw = FindSwitch(name);
    if (sw == nullptr) continue;
    for (int64_t v : sw->values) {
      Profile q = p;
      sw->set(q, v);
      OracleEngine oracle(q);
      if (AgreesEverywhere(RunScenario(oracle, s), live)) return true;
    }
  }
  return false;
}

const absl::StatusOr<LiveProfile>& ProbeRunningKernel() {
  static absl::StatusOr<LiveProfile>* const kProbed = [] {
    absl::StatusOr<std::unique_ptr<LiveEngine>> live = LiveEngine::Create();
    if (!live.ok()) return new absl::StatusOr<LiveProfile>(live.status());
    return new absl::StatusOr<LiveProfile>(ProbeLiveProfile(**live, (*live)->info()));
  }();
  return *kProbed;
}

std::string WitnessTable(const LiveProfile& lp) {
  size_t name_w = 6, value_w = 5, outcomes_w = 4;
  std::vector<std::string> values;
  for (const WitnessReport& r : lp.witnesses) {
    const SwitchDef* sw = FindSwitch(r.switch_name);
    values.push_back(r.value && sw != nullptr ? SwitchValueText(*sw, *r.value) : "?");
    name_w = std::max(name_w, r.switch_name.size());
    value_w = std::max(value_w, values.back().size());
    outcomes_w = std::max(outcomes_w, r.live_outcomes.size());
  }
  std::string out = absl::StrFormat("  %-*s  %-*s  %-*s  %s\n", name_w, "switch", value_w,
                                    "value", outcomes_w, "live", "how / witness (last op)");
  for (size_t i = 0; i < lp.witnesses.size(); ++i) {
    const WitnessReport& r = lp.witnesses[i];
    std::vector<std::string> lines = absl::StrSplit(r.witness, '\n', absl::SkipEmpty());
    out += absl::StrFormat("  %-*s  %-*s  %-*s  %s%s\n", name_w, r.switch_name, value_w,
                           values[i], outcomes_w, r.live_outcomes, r.note,
                           lines.empty() ? "" : " | " + lines.back());
  }
  return out;
}

}  // namespace lockstep
