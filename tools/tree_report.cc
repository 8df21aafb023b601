// ./lockstep tree: the kernel tree in use as lockstep knows it — version (its label), origin,
// the fingerprint of its Landlock code, and which oracle profile that code gets and why, with
// every switch's value. --live adds the running kernel: each switch decided by its witness.

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "engine/kernel_engine.h"
#include "engine/live_engine.h"
#include "model/kernel_profile.h"
#include "model/live_profile.h"
#include "model/profile.h"

ABSL_FLAG(bool, live, false, "also probe the running kernel: every switch decided by a witness");

namespace lockstep {
namespace {

void PrintSwitches(const Profile& p) {
  for (const SwitchDef& sw : Switches()) {
    std::printf("  %-46s %s%s\n", sw.name, SwitchValueText(sw, sw.get(p)).c_str(),
                p.Determined(sw.name) ? "" : "  (undetermined)");
  }
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage("tree_report [--live]: the kernel tree in use and its profile");
  absl::ParseCommandLine(argc, argv);
  std::unique_ptr<KernelEngine> kernel = NewDefaultKernelEngine();
  std::printf("version:     %s\n", kernel->Version().c_str());
  std::printf("origin:      %s\n", kernel->Origin().c_str());
  std::printf("generation:  %s\n", kernel->Generation().c_str());
  std::printf("fingerprint: %s (tools/kernel_tree.py: security/landlock/**, lib/rbtree.c, "
              "rbtree and uapi headers)\n",
              kernel->Fingerprint().c_str());
  absl::StatusOr<TreeProfile> t = ProfileForKernel(*kernel);
  int status = 0;
  if (!t.ok()) {
    std::printf("profile:     %s\n", std::string(t.status().message()).c_str());
    status = 1;
  } else {
    std::printf("profile:     %s\n", t->notice.c_str());
    std::printf("switches of %s:\n", t->profile.name.c_str());
    PrintSwitches(t->profile);
  }
  if (absl::GetFlag(FLAGS_live)) {
    const LiveKernelInfo& info = DetectLiveKernel();
    std::printf("\nlive kernel: Linux %s, Landlock ABI %d\n", info.release.c_str(),
                info.abi_version);
    if (!info.usable) {
      std::printf("  no live profile: %s\n", info.reason.c_str());
      return status;
    }
    const absl::StatusOr<LiveProfile>& lp = ProbeRunningKernel();
    if (!lp.ok()) {
      std::printf("  no live profile: %s\n", std::string(lp.status().message()).c_str());
      return 1;
    }
    std::printf("live profile %s, each switch decided by a witness run on this kernel:\n%s",
                lp->profile.name.c_str(), WitnessTable(*lp).c_str());
  }
  return status;
}

}  // namespace
}  // namespace lockstep

int main(int argc, char** argv) { return lockstep::Main(argc, argv); }
