#!/usr/bin/env bash
# Live scenarios per second per core on the running kernel (goal: >= 5,000/s per core).
#   bench/live_throughput.sh [--benchmark_format=json] [other Google Benchmark flags]
# Exit status 0 when live/batch reaches the goal, 1 below it, 2 when the live kernel is unusable.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
goal=5000
bazel build -c opt //bench:live_throughput >/dev/null 2>&1 || { bazel build -c opt //bench:live_throughput; exit 2; }
bin="$(bazel info -c opt bazel-bin 2>/dev/null)/bench/live_throughput"
out="$("$bin" --benchmark_min_time=3 "$@")" || { echo "$out"; exit 2; }
echo "$out"
case " $* " in *json*) exit 0 ;; esac
per_core=$(echo "$out" | awk '/^live\/batch/ { for (i = 1; i <= NF; i++) if ($i ~ /^per_core=/) { sub("per_core=", "", $i); print $i } }')
[ -n "$per_core" ] || { echo "live_throughput: no result (live kernel unusable?)"; exit 2; }
value=$(echo "$per_core" | awk '{ v = $1; if (v ~ /k$/) { sub("k", "", v); v *= 1000 } printf "%d", v }')
if [ "$value" -ge "$goal" ]; then
  echo "live_throughput: $value scenarios/s per core (goal $goal): ok"
else
  echo "live_throughput: $value scenarios/s per core (goal $goal): BELOW GOAL"
  exit 1
fi
