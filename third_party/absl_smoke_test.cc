// Proves one @absl//:<component> links on its own: built once per component, with
// ABSL_SMOKE_<COMPONENT> defined and only that component as a dependency (see BUILD.bazel).
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#if defined(ABSL_SMOKE_FLAGS)
#include "absl/flags/flag.h"
ABSL_FLAG(int, smoke, 7, "smoke flag");
#elif defined(ABSL_SMOKE_FLAGS_PARSE)
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
ABSL_FLAG(int, smoke, 7, "smoke flag");
#elif defined(ABSL_SMOKE_FLAT_HASH_MAP)
#include "absl/container/flat_hash_map.h"
#elif defined(ABSL_SMOKE_OPTIONAL)
#include "absl/types/optional.h"
#elif defined(ABSL_SMOKE_RANDOM)
#include "absl/random/random.h"
#elif defined(ABSL_SMOKE_SPAN)
#include "absl/types/span.h"
#elif defined(ABSL_SMOKE_STATUS)
#include "absl/status/status.h"
#elif defined(ABSL_SMOKE_STATUSOR)
#include "absl/status/statusor.h"
#elif defined(ABSL_SMOKE_STR_FORMAT)
#include "absl/strings/str_format.h"
#elif defined(ABSL_SMOKE_STRINGS)
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#elif defined(ABSL_SMOKE_SYNCHRONIZATION)
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#elif defined(ABSL_SMOKE_TIME)
#include "absl/time/clock.h"
#include "absl/time/time.h"
#else
#error "define one ABSL_SMOKE_<COMPONENT>"
#endif

int main(int argc, char** argv) {
  bool ok = false;
#if defined(ABSL_SMOKE_FLAGS)
  absl::SetFlag(&FLAGS_smoke, 8);
  ok = absl::GetFlag(FLAGS_smoke) == 8;
#elif defined(ABSL_SMOKE_FLAGS_PARSE)
  absl::ParseCommandLine(argc, argv);
  ok = absl::GetFlag(FLAGS_smoke) == 7;
#elif defined(ABSL_SMOKE_FLAT_HASH_MAP)
  absl::flat_hash_map<std::string, int> m = {{"a", 1}};
  m["b"] = 2;
  ok = m.size() == 2 && m.at("a") == 1;
#elif defined(ABSL_SMOKE_OPTIONAL)
  absl::optional<int> o;
  try {
    (void)o.value();
  } catch (const absl::bad_optional_access&) {
    ok = true;
  }
#elif defined(ABSL_SMOKE_RANDOM)
  absl::BitGen gen;
  int v = absl::Uniform(gen, 0, 10);
  ok = v >= 0 && v < 10;
#elif defined(ABSL_SMOKE_SPAN)
  int a[3] = {1, 2, 3};
  absl::Span<const int> s(a);
  try {
    (void)s.at(3);
  } catch (const std::out_of_range&) {
    ok = s.size() == 3;
  }
#elif defined(ABSL_SMOKE_STATUS)
  absl::Status st = absl::InvalidArgumentError("bad");
  ok = absl::IsInvalidArgument(st) && st.ToString() == "INVALID_ARGUMENT: bad";
#elif defined(ABSL_SMOKE_STATUSOR)
  absl::StatusOr<std::string> so = std::string("x");
  absl::StatusOr<int> bad = absl::NotFoundError("nope");
  ok = so.ok() && *so == "x" && !bad.ok();
#elif defined(ABSL_SMOKE_STR_FORMAT)
  ok = absl::StrFormat("%s=%d", "port", 443) == "port=443";
#elif defined(ABSL_SMOKE_STRINGS)
  std::vector<std::string> parts = absl::StrSplit(absl::StrCat("a,", 1, ",c"), ',');
  ok = parts.size() == 3 && parts[1] == "1";
#elif defined(ABSL_SMOKE_SYNCHRONIZATION)
  absl::Mutex mu;
  absl::Notification n;
  {
    absl::MutexLock lock(&mu);
    n.Notify();
  }
  ok = n.HasBeenNotified();
#elif defined(ABSL_SMOKE_TIME)
  absl::Time t = absl::Now();
  ok = absl::FormatTime(t).size() > 10 && absl::ToInt64Seconds(absl::Seconds(2)) == 2;
#endif
  (void)argc;
  (void)argv;
  std::printf("%s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
