#!/usr/bin/env bash
# fuzz/afl_multicore.sh: AFL++ on N cores, one main (-M) and N-1 secondaries (-S) sharing one
# output directory, for a fixed time.
#
#   fuzz/afl_multicore.sh [--jobs N] [--time SECONDS] [--out DIR] [--seeds DIR] [--dict FILE] \
#       -- TARGET [TARGET ARGS...]
#
# TARGET is a fuzz target built with --config=afl (persistent mode through libAFLDriver.a), e.g.
#   bazel build --config=afl //fuzz:differential_fuzzer //fuzz:differential_fuzzer_seed_corpus
# Defaults: all cores (nproc), 60 s, out fuzz-out/afl. Sets AFL_SKIP_CPUFREQ=1 (no CPU governor
# check) and AFL_NO_UI=1. The instances are stopped when the time is up or on Ctrl-C; crashes land
# in OUT/<instance>/crashes/, the target's own .scn findings in $LOCKSTEP_FINDINGS_DIR. While they
# run, OUT/<instance>/progress holds each one's current counters (fuzz/afl_progress.py).
set -uo pipefail

jobs=$(nproc)
time_s=60
out=fuzz-out/afl
seeds=""
dict=""
max_len=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs="$2"; shift 2 ;;
    --time) time_s="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --dict) dict="$2"; shift 2 ;;
    --max-len) max_len="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "afl_multicore: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ $# -ge 1 ] || { echo "afl_multicore: name the target after --" >&2; exit 2; }
if [ -z "$seeds" ]; then
  seeds="$(mktemp -d)"
  printf '\0' >"$seeds/empty"
fi
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_AFFINITY="${AFL_NO_AFFINITY:-}"
mkdir -p "$out"
# A resumed output directory continues its queue; a fresh one starts from the seeds.
input="$seeds"
[ -d "$out/main/queue" ] && input=-
extra=()
[ -n "$dict" ] && extra+=(-x "$dict")
[ -n "$max_len" ] && extra+=(-G "$max_len")

names=(main)
for i in $(seq 1 $((jobs - 1))); do names+=("sec$i"); done
# Live progress in OUT/<instance>/progress from each instance's StatsD gauges (fuzzer_stats is
# rewritten only once a minute): fuzz/afl_progress.py gives every instance its own local port.
ports_file="$out/.statsd_ports"
rm -f "$ports_file"
python3 "$(dirname "${BASH_SOURCE[0]}")/afl_progress.py" --ports-file "$ports_file" --parent $$ \
  "${names[@]/#/$out/}" &
progress_pid=$!
for _ in $(seq 50); do [ -s "$ports_file" ] && break; sleep 0.1; done
mapfile -t ports <"$ports_file" 2>/dev/null

pids=()
for i in $(seq 0 $((jobs - 1))); do
  if [ "$i" -eq 0 ]; then role=(-M main); else role=(-S "sec$i"); fi
  statsd=()
  [ -n "${ports[$i]:-}" ] && statsd=(AFL_STATSD=1 "AFL_STATSD_PORT=${ports[$i]}")
  env "${statsd[@]}" afl-fuzz -i "$input" -o "$out" "${role[@]}" -V "$time_s" "${extra[@]}" -- "$@" \
    >"$out/afl-$i.log" 2>&1 &
  pids+=($!)
done
trap 'kill "${pids[@]}" "$progress_pid" 2>/dev/null; exit 130' INT TERM
echo "afl_multicore: ${jobs} instance(s) for ${time_s}s into $out (logs $out/afl-*.log)"
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
kill "$progress_pid" 2>/dev/null
wait "$progress_pid" 2>/dev/null
for s in "$out"/*/fuzzer_stats; do
  [ -f "$s" ] || continue
  awk -v f="$(basename "$(dirname "$s")")" -F' *: *' '
    /^execs_done/ {x=$2} /^execs_per_sec/ {r=$2} /^edges_found/ {e=$2} /^saved_crashes|^unique_crashes/ {c=$2}
    END { printf "afl_multicore: %-6s execs %s  exec/s %s  edges %s  crashes %s\n", f, x, r, e, c }' "$s"
done
exit "$status"
