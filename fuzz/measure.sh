#!/usr/bin/env bash
# fuzz/measure.sh: throughput and coverage of the differential fuzz target (a benchmark, not a
# test: numbers depend on the machine and its load, which is printed with them).
#
#   fuzz/measure.sh [--time SECONDS (20)] [--cov-time SECONDS (60)] [--repeat N (1)] [--json FILE]
#                   [--quick]
#
# Every run is `./lockstep fuzz` (fuzz/fuzz.sh) from the seeds into an empty corpus, on the kernel
# tree in use ($LOCKSTEP_KERNEL_TREE, else the default):
#   rate runs, SECONDS each, inputs of at most 80 bytes (about 10 ops):
#     libFuzzer + ASan + UBSan (what ./lockstep fuzz runs), libFuzzer without sanitizers (--fast)
#     and AFL++ (persistent mode, no sanitizers); network ops only (--ops network) and all ops;
#     1 and 2 jobs (libFuzzer workers on one corpus, AFL++ main + secondary)
#   one coverage run: libFuzzer + ASan + UBSan, all ops, 512-byte inputs, for --cov-time seconds
# Columns: execs, execs/s (the run's average), edges (libFuzzer cov: / AFL++ edges_found: only
# the kernel tree's files and the oracle's decisions are instrumented) and the 1-minute load
# average before the run. A table, then JSON (also written to --json FILE, default
# fuzz-out/measure.json). --quick: one job only and 10-second runs.
# --repeat N: each rate run N times and the row is the run of median rate (on a shared machine one
# run's rate can be a third off); the JSON keeps every run's rate.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
rate_s=20
cov_s=60
json_out=fuzz-out/measure.json
repeat=1
job_counts=(1 2)
die() { echo "fuzz/measure.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --time) rate_s="${2:-}"; shift 2 ;;
    --cov-time) cov_s="${2:-}"; shift 2 ;;
    --json) json_out="${2:-}"; shift 2 ;;
    --repeat) repeat="${2:-}"; shift 2 ;;
    --quick) rate_s=10; job_counts=(1); shift ;;
    *) die "unknown argument '$1'" ;;
  esac
done
[[ "$rate_s" =~ ^[0-9]+$ ]] && [ "$rate_s" -gt 0 ] || die "--time needs a positive number of seconds"
[[ "$cov_s" =~ ^[0-9]+$ ]] || die "--cov-time needs a number of seconds (0: no coverage run)"
[[ "$repeat" =~ ^[0-9]+$ ]] && [ "$repeat" -gt 0 ] || die "--repeat needs a positive number"

export LOCKSTEP_REPO_ENV=""
[ -n "${LOCKSTEP_KERNEL_TREE:-}" ] && LOCKSTEP_REPO_ENV="--repo_env=LOCKSTEP_KERNEL_TREE=$LOCKSTEP_KERNEL_TREE"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

rows=()   # "label|engine|sanitizers|ops|jobs|seconds|max_len|execs|rate|edges|load|rates"
# measure LABEL ENGINE SANITIZERS OPS JOBS SECONDS MAX_LEN FUZZ_FLAGS...
# Runs it $repeat times and keeps the run of median rate.
measure() {
  local label="$1" engine="$2" san="$3" ops="$4" jobs="$5" secs="$6" max_len="$7"
  shift 7
  local times="$repeat" i dir load log execs rate edges runs=() rates
  for ((i = 1; i <= times; i++)); do
    dir="$tmp/run$((${#rows[@]} + 1))-$i"
    load="$(cut -d' ' -f1 /proc/loadavg)"
    log="$dir.log"
    LOCKSTEP_FUZZ_DIR="$dir" LOCKSTEP_FINDINGS_DIR="$dir/findings" LOCKSTEP_FUZZ_MAX_LEN="$max_len" \
      fuzz/fuzz.sh --engine "$engine" --ops "$ops" --jobs "$jobs" --time "$secs" "$@" >"$log" 2>&1
    execs=$(awk '$1 == "execs" {print $2}' "$log" | tail -1)
    rate=$(awk '$1 == "execs/s" {print $2}' "$log" | tail -1)
    edges=$(awk '$1 == "edges" {print $2}' "$log" | tail -1)
    if grep -q '^  findings     [1-9]' "$log"; then
      echo "fuzz/measure.sh: $label found something (the rate stands; see the finding):" >&2
      sed -n '/^  findings/,$p' "$log" >&2
    fi
    [ -n "$rate" ] || { echo "fuzz/measure.sh: $label did not run:" >&2; tail -5 "$log" >&2; }
    runs+=("${rate:-?} ${execs:-?} ${edges:-?} $load")
  done
  # The run of median rate ("?", a run that did not run, sorts first).
  read -r rate execs edges load < <(printf '%s\n' "${runs[@]}" | sort -n -k1,1 |
    sed -n "$(((times + 1) / 2))p")
  rates="$(printf '%s\n' "${runs[@]}" | cut -d' ' -f1 | paste -sd, -)"
  rows+=("$label|$engine|$san|$ops|$jobs|$secs|$max_len|$execs|$rate|$edges|$load|$rates")
  printf '  %-40s %10s execs/s%s\n' "$label" "$rate" \
    "$([ "$times" -gt 1 ] && echo " (median of $rates)")" >&2
}

echo "fuzz/measure.sh: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); ${rate_s}s per rate run" >&2
for jobs in "${job_counts[@]}"; do
  for ops in network all; do
    measure "libFuzzer+ASan+UBSan $ops, $jobs job(s)" libfuzzer asan+ubsan "$ops" "$jobs" "$rate_s" 80
    measure "libFuzzer no sanitizers $ops, $jobs job(s)" libfuzzer none "$ops" "$jobs" "$rate_s" 80 --fast
    measure "AFL++ $ops, $jobs job(s)" afl none "$ops" "$jobs" "$rate_s" 80
  done
done
if [ "$cov_s" -gt 0 ]; then
  repeat=1 measure "coverage: libFuzzer+ASan+UBSan all, 512 B" libfuzzer asan+ubsan all 1 "$cov_s" 512
fi

tree="$(python3 tools/kernel_tree.py default 2>/dev/null)"
[ -n "${LOCKSTEP_KERNEL_TREE:-}" ] && tree="$LOCKSTEP_KERNEL_TREE"
printf '\n%-44s %5s %4s %10s %9s %6s %5s\n' "run (kernel tree $tree)" "s" "len" "execs" "execs/s" \
  "edges" "load"
for r in "${rows[@]}"; do
  IFS='|' read -r label _ _ _ _ secs max_len execs rate edges load _ <<<"$r"
  printf '%-44s %5s %4s %10s %9s %6s %5s\n' "$label" "$secs" "$max_len" "$execs" "$rate" "$edges" \
    "$load"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; other work on the machine lowers every rate)"

mkdir -p "$(dirname "$json_out")"
python3 - "$json_out" "$tree" "$(nproc)" "${rows[@]}" <<'EOF'
import json, sys
out, tree, cores, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
def num(v, kind):
    try:
        return kind(v)
    except ValueError:
        return None
runs = []
for r in rows:
    label, engine, san, ops, jobs, secs, max_len, execs, rate, edges, load, rates = r.split("|")
    runs.append({"run": label, "engine": engine, "sanitizers": san, "ops": ops,
                 "jobs": int(jobs), "seconds": int(secs), "max_len": int(max_len),
                 "execs": num(execs, int), "execs_per_s": num(rate, int),
                 "edges": num(edges, int), "load_before": num(load, float),
                 "execs_per_s_runs": [num(x, int) for x in rates.split(",")]})
doc = {"kernel_tree": tree, "cores": cores, "runs": runs}
with open(out, "w") as f:
    json.dump(doc, f, indent=1)
print(json.dumps(doc))
print("JSON: " + out, file=sys.stderr)
EOF
