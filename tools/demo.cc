// lockstep demo: a few readable scenarios run through the kernel's own Landlock code (the tree the
// build is configured with), one aligned row per op, then a quick measure of the hook decision.
// The README's main command until the differential fuzzer lands.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "engine/engine.h"
#include "engine/errno_name.h"
#include "engine/kernel_engine.h"
#include "engine/landlock_uapi.h"

namespace lockstep {
namespace {

namespace ll = ::lockstep::landlock;
namespace net = ::lockstep::net;

// One op of a demo scenario: what it is, in words, and how to run it.
struct Step {
  std::string what;
  std::function<long(Engine&)> run;
  bool returns_fd = false;
  bool is_decision = false;  // bind/connect: 0 means Landlock allowed it
};

struct Scenario {
  std::string title;
  TaskSpec task;
  std::vector<Step> steps;
};

// fds of the scenario being run, by the order they were created: the first fd is fds[0].
std::vector<int> g_fds;

int Fd(size_t i) { return i < g_fds.size() ? g_fds[i] : -1; }

Step CreateRuleset(const std::string& what, uint64_t fs, uint64_t netmask) {
  return {what, [fs, netmask](Engine& e) {
            const std::vector<uint8_t> attr = RulesetAttr(fs, netmask, 0);
            return e.CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
          },
          true};
}

Step AllowPort(size_t ruleset, uint64_t access, uint64_t port, const std::string& what) {
  return {what, [=](Engine& e) {
            const std::vector<uint8_t> attr = NetPortAttr(access, port);
            return e.AddRule(Fd(ruleset), ll::kRuleNetPort, UserBuffer::Of(attr), 0);
          }};
}

Step Restrict(size_t ruleset) {
  return {"restrict_self(ruleset)", [=](Engine& e) { return e.RestrictSelf(Fd(ruleset), 0); }};
}

Step Socket(int family, int type, int protocol, const std::string& what) {
  return {what, [=](Engine& e) { return e.Socket(family, type, protocol); }, true};
}

Step Connect(size_t sock, std::vector<uint8_t> addr, const std::string& what) {
  return {what, [=](Engine& e) {
            return e.Connect(Fd(sock), UserBuffer::Of(addr), static_cast<int>(addr.size()));
          },
          false, true};
}

Step Bind(size_t sock, std::vector<uint8_t> addr, const std::string& what) {
  return {what, [=](Engine& e) {
            return e.Bind(Fd(sock), UserBuffer::Of(addr), static_cast<int>(addr.size()));
          },
          false, true};
}

std::vector<Scenario> DemoScenarios() {
  const uint64_t kLoopback = 0x7f000001;
  return {
      {"a sandbox that may connect only to TCP port 443",
       {},
       {CreateRuleset("create_ruleset(handled_access_net = bind|connect)", 0, ll::kAccessNetAll),
        AllowPort(0, ll::kAccessNetConnectTcp, 443, "add_rule(net_port 443: connect)"),
        Restrict(0),
        Socket(net::kAfInet, net::kSockStream, 0, "socket(AF_INET, SOCK_STREAM, 0)"),
        Connect(1, SockaddrIn(443, kLoopback), "connect(127.0.0.1:443)"),
        Connect(1, SockaddrIn(80, kLoopback), "connect(127.0.0.1:80)"),
        Bind(1, SockaddrIn(443, 0), "bind(0.0.0.0:443)")}},
      {"two layers: each must allow (AND across layers)",
       {},
       {CreateRuleset("create_ruleset(handled_access_net = connect)", 0, ll::kAccessNetConnectTcp),
        AllowPort(0, ll::kAccessNetConnectTcp, 80, "add_rule(net_port 80: connect)"),
        AllowPort(0, ll::kAccessNetConnectTcp, 443, "add_rule(net_port 443: connect)"),
        Restrict(0),
        CreateRuleset("create_ruleset(handled_access_net = connect)", 0, ll::kAccessNetConnectTcp),
        AllowPort(1, ll::kAccessNetConnectTcp, 443, "add_rule(net_port 443: connect)"),
        Restrict(1),
        Socket(net::kAfInet6, net::kSockStream, 0, "socket(AF_INET6, SOCK_STREAM, 0)"),
        Connect(2, SockaddrIn6(443), "connect([::]:443)"),
        Connect(2, SockaddrIn6(80), "connect([::]:80)")}},
      {"what Landlock does not restrict, and bad arguments",
       {},
       {CreateRuleset("create_ruleset(handled_access_net = bind|connect)", 0, ll::kAccessNetAll),
        Restrict(0),
        Socket(net::kAfInet, net::kSockDgram, 0, "socket(AF_INET, SOCK_DGRAM, 0)"),
        Connect(1, SockaddrIn(53, kLoopback), "connect(udp 127.0.0.1:53)"),
        Socket(net::kAfInet, net::kSockStream, 0, "socket(AF_INET, SOCK_STREAM, 0)"),
        Connect(2, SockaddrUnspec(), "connect(AF_UNSPEC)"),
        Connect(2, SockaddrIn6(80), "connect([::]:80) on an IPv4 socket"),
        {"connect(127.0.0.1:80, addrlen 15)",
         [](Engine& e) {
           const std::vector<uint8_t> addr = SockaddrIn(80, 0x7f000001);
           return e.Connect(Fd(2), UserBuffer::Of(addr), 15);
         },
         false, true},
        AllowPort(0, ll::kAccessNetBindTcp, 65536, "add_rule(net_port 65536: bind)")}},
  };
}

int RunScenario(KernelEngine& engine, const Scenario& s, int number) {
  std::printf("\nscenario %d: %s\n", number, s.title.c_str());
  std::printf("  %-3s %-52s %s\n", "#", "op", "result");
  engine.BeginTask(s.task);
  g_fds.clear();
  int step_number = 1;
  for (const Step& step : s.steps) {
    const long ret = step.run(engine);
    std::string shown = ErrnoName(ret);
    if (step.returns_fd && ret >= 0) {
      g_fds.push_back(static_cast<int>(ret));
      shown = absl::StrFormat("fd %ld", ret);
    } else if (step.is_decision && ret == 0) {
      shown = "0 (allowed)";
    }
    std::printf("  %-3d %-52s %s\n", step_number++, step.what.c_str(), shown.c_str());
  }
  const std::vector<EngineFinding> findings = engine.EndTask();
  for (const EngineFinding& f : findings) {
    std::printf("  FINDING %s: %s\n", f.kind.c_str(), f.detail.c_str());
  }
  return static_cast<int>(findings.size());
}

// ns per connect() hook decision on a one-layer domain with `rules` port rules.
double MeasureDecisionNs(KernelEngine& engine, int rules, bool hit) {
  engine.BeginTask({});
  const std::vector<uint8_t> attr = RulesetAttr(0, ll::kAccessNetAll, 0);
  const long rs = engine.CreateRuleset(UserBuffer::Of(attr), attr.size(), 0);
  for (int port = 1; port <= rules; ++port) {
    const std::vector<uint8_t> rule = NetPortAttr(ll::kAccessNetConnectTcp, port * 2);
    engine.AddRule(static_cast<int>(rs), ll::kRuleNetPort, UserBuffer::Of(rule), 0);
  }
  engine.RestrictSelf(static_cast<int>(rs), 0);
  const long sock = engine.Socket(net::kAfInet, net::kSockStream, 0);
  const std::vector<uint8_t> addr = SockaddrIn(hit ? rules : rules + 1, 0x7f000001);
  const int iterations = 200000;
  long sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    sink += engine.Connect(static_cast<int>(sock), UserBuffer::Of(addr), 16);
  }
  const auto end = std::chrono::steady_clock::now();
  engine.EndTask();
  if (sink == 1) std::printf("%ld", sink);  // keeps the loop
  return std::chrono::duration<double, std::nano>(end - start).count() / iterations;
}

int Main() {
  std::unique_ptr<KernelEngine> engine = NewDefaultKernelEngine();
  engine->BeginTask({});
  const long abi = engine->CreateRuleset(UserBuffer::Null(), 0, ll::kCreateRulesetVersion);
  const long errata = engine->CreateRuleset(UserBuffer::Null(), 0, ll::kCreateRulesetErrata);
  engine->EndTask();
  std::printf("lockstep demo: Landlock of Linux %s, compiled unchanged from %s\n",
              engine->Version().c_str(), engine->Origin().c_str());
  std::printf("Landlock ABI %ld, errata 0x%lx\n", abi, errata);

  int findings = 0;
  int number = 1;
  for (const Scenario& s : DemoScenarios()) findings += RunScenario(*engine, s, number++);

  std::printf("\nhook decision cost (connect, 1 layer; whole engine call incl. fd lookup and "
              "address copy):\n");
  for (int rules : {1, 1000}) {
    std::printf("  %5d rules: %6.0f ns (rule hit), %6.0f ns (miss)\n", rules,
                MeasureDecisionNs(*engine, rules, true), MeasureDecisionNs(*engine, rules, false));
  }
  std::printf("\nsummary: %zu scenarios, %d findings (WARN_ON, leaks, lockdep)\n",
              DemoScenarios().size(), findings);
  return findings == 0 ? 0 : 1;
}

}  // namespace
}  // namespace lockstep

int main() { return lockstep::Main(); }
