// The witnesses of model/live_profile.cc, without a live kernel: each must recover every value
// of its switch from an engine that has it. The oracle with any known profile, and every single
// switch flipped, stands in for a live kernel (both paths of every witness); the compiled kernel
// trees stand in with real code (the default tree checks sendto(MSG_FASTOPEN), the second one,
// Debian 6.12.107 by default, does not).

#include <string>

#include "engine/kernel_engine.h"
#include "engine/live_engine.h"
#include "gtest/gtest.h"
#include "model/kernel_profile.h"
#include "model/live_profile.h"
#include "model/oracle_engine.h"
#include "model/profile.h"
#include "revisions/kernel_b.h"

namespace lockstep {
namespace {

LiveKernelInfo InfoFor(const Profile& p) {
  LiveKernelInfo info;
  info.release = p.version + "-test";
  info.version = p.version;
  info.abi_version = p.abi_version;
  info.errata_supported = p.errata_flag_supported;
  info.errata = p.errata;
  info.usable = true;
  info.filesystem_usable = true;
  return info;
}

// Probes `engine` as if it were a live kernel with `expected`'s switches; every switch must come
// out as `expected` has it.
void ExpectProbeRecovers(Engine& engine, const Profile& expected, const std::string& what) {
  absl::StatusOr<LiveProfile> lp = ProbeLiveProfile(engine, InfoFor(expected));
  ASSERT_TRUE(lp.ok()) << lp.status();
  EXPECT_TRUE(lp->profile.undetermined.empty()) << what << "\n" << WitnessTable(*lp);
  for (const SwitchDef& sw : Switches()) {
    if (!SwitchObservable(expected, sw.name)) continue;  // no behaviour depends on it there
    EXPECT_EQ(sw.get(lp->profile), sw.get(expected))
        << what << ": " << sw.name << "\n" << WitnessTable(*lp);
  }
}

TEST(Witnesses, OneForEverySwitch) {
  OracleEngine oracle(ProfileForVersion("6.12.117"));
  absl::StatusOr<LiveProfile> lp = ProbeLiveProfile(oracle, InfoFor(oracle.profile()));
  ASSERT_TRUE(lp.ok()) << lp.status();
  ASSERT_EQ(lp->witnesses.size(), Switches().size());
  for (const WitnessReport& w : lp->witnesses) {
    EXPECT_FALSE(w.witness.empty()) << w.switch_name << " has no witness";
    // A switch that means nothing on this kernel is set without running its witness.
    if (SwitchObservable(oracle.profile(), w.switch_name)) {
      EXPECT_FALSE(w.live_outcomes.empty()) << w.switch_name;
    } else {
      EXPECT_TRUE(w.value.has_value()) << w.switch_name;
    }
  }
}

TEST(Witnesses, RecoverEveryKnownProfileAndEveryFlippedSwitch) {
  for (const Profile& known : KnownProfiles()) {
    OracleEngine as_live(known);
    ExpectProbeRecovers(as_live, known, known.name);
    for (const SwitchVariant& v : FlippedSwitches(known)) {
      OracleEngine flipped(v.profile);
      ExpectProbeRecovers(flipped, v.profile,
                          known.name + " with " + v.name + " = " +
                              SwitchValueText(*FindSwitch(v.name),
                                              FindSwitch(v.name)->get(v.profile)));
    }
  }
}

// Real code on both sides of the sendmsg witness: the compiled trees stand in for live kernels.
TEST(Witnesses, CompiledTreesAsLiveKernels) {
  for (KernelEngine* k : {new KernelEngine(lockstep_kernel_default()),
                          new KernelEngine(lockstep_kernel_b())}) {
    std::unique_ptr<KernelEngine> owned(k);
    absl::StatusOr<TreeProfile> t = ProfileForKernel(*k);
    if (!t.ok()) {
      // A second tree of another generation (6.1) has no network rules to probe.
      std::cout << k->Name() << ": " << t.status() << "\n";
      continue;
    }
    ExpectProbeRecovers(*k, t->profile, k->Name());
  }
}

TEST(Witnesses, UndeterminedIsNeverGuessed) {
  // A "kernel" whose answers no known value reproduces: the oracle of an unknown net mask.
  Profile odd = ProfileForVersion("6.12.117");
  odd.net_access_mask = 0x1;  // bind_tcp without connect_tcp: no known revision has it
  OracleEngine oracle(odd);
  absl::StatusOr<LiveProfile> lp = ProbeLiveProfile(oracle, InfoFor(odd));
  ASSERT_TRUE(lp.ok());
  EXPECT_FALSE(lp->profile.Determined("net_access_mask")) << WitnessTable(*lp);
  for (const WitnessReport& w : lp->witnesses) {
    if (w.switch_name == "net_access_mask") {
      EXPECT_NE(w.note.find("undetermined: no known value"), std::string::npos) << w.note;
    }
  }
  // ABI below 4: no live profile at all.
  LiveKernelInfo old = InfoFor(odd);
  old.abi_version = 3;
  EXPECT_EQ(ProbeLiveProfile(oracle, old).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace lockstep
