#!/usr/bin/env bash
# fuzz/measure.sh: throughput and coverage of the differential fuzz target (a benchmark, not a
# test: numbers depend on the machine and its load, which is printed with them).
#
#   fuzz/measure.sh [SECONDS_PER_RATE_RUN (20)] [SECONDS_FOR_COVERAGE (60)]
#
# 1. execs/s on one core, libFuzzer + ASan + UBSan (--config=libfuzzer, what ./lockstep fuzz runs)
# 2. execs/s on one core, libFuzzer without sanitizers (--config=libfuzzer_nosan, --fast)
#    both from the seeds with -max_len=80, which keeps scenarios to about 10 ops
# 3. edges covered (libFuzzer cov:) after SECONDS_FOR_COVERAGE of --config=libfuzzer from the seeds
# Each run starts from an empty corpus in a temporary directory. Prints one table and JSON.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rate_s="${1:-20}"
cov_s="${2:-60}"
repo_env=()
[ -n "${LOCKSTEP_KERNEL_TREE:-}" ] && repo_env=(--repo_env=LOCKSTEP_KERNEL_TREE="$LOCKSTEP_KERNEL_TREE")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export LOCKSTEP_FINDINGS_DIR="$tmp/findings"

bin_of() {  # CONFIG -> built binary dir
  bazel build "${repo_env[@]}" --config="$1" --noshow_progress --ui_event_filters=-info \
    //fuzz:differential_fuzzer //fuzz:differential_fuzzer_seed_corpus >/dev/null 2>&1 || return 1
  bazel info "${repo_env[@]}" --config="$1" bazel-bin 2>/dev/null
}

# run NAME CONFIG SECONDS MAX_LEN -> "execs exec_per_s edges" of one libFuzzer run
run() {
  local dir bin_dir log
  bin_dir="$(bin_of "$2")" || { echo "build failed"; return 1; }
  dir="$tmp/$1"
  mkdir -p "$dir/corpus" "$dir/seeds"
  python3 fuzz/zip_dir.py -x "$bin_dir/fuzz/differential_fuzzer_seed_corpus.zip" "$dir/seeds"
  log="$dir/log"
  "$bin_dir/fuzz/differential_fuzzer" -max_total_time="$3" -max_len="$4" -print_final_stats=1 \
    -dict=fuzz/lockstep.dict -artifact_prefix="$dir/" "$dir/corpus" "$dir/seeds" >"$log" 2>&1
  local execs rate edges
  execs=$(awk '/^stat::number_of_executed_units/ {print $2}' "$log")
  rate=$(awk '/^stat::average_exec_per_sec/ {print $2}' "$log")
  edges=$(grep -aE '^#[0-9]+' "$log" | tail -1 | sed -E 's/.* cov: ([0-9]+).*/\1/')
  echo "${execs:-?} ${rate:-?} ${edges:-?}"
}

echo "fuzz/measure.sh on $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r a_execs a_rate a_edges <<<"$(run asan libfuzzer "$rate_s" 80)"
read -r n_execs n_rate n_edges <<<"$(run nosan libfuzzer_nosan "$rate_s" 80)"
read -r c_execs c_rate c_edges <<<"$(run cov libfuzzer "$cov_s" 512)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %12s %10s %8s\n' "run" "execs" "execs/s" "edges"
printf '%-44s %12s %10s %8s\n' "libfuzzer+ASan+UBSan -O2, ${rate_s}s, max_len 80" "$a_execs" "$a_rate" "$a_edges"
printf '%-44s %12s %10s %8s\n' "libfuzzer_nosan -O2, ${rate_s}s, max_len 80" "$n_execs" "$n_rate" "$n_edges"
printf '%-44s %12s %10s %8s\n' "libfuzzer+ASan+UBSan -O2, ${cov_s}s, max_len 512" "$c_execs" "$c_rate" "$c_edges"
echo "load after: $load_after (1/5/15 min; other work on the machine lowers every rate)"
printf '{"sanitized_execs_per_s": %s, "nosan_execs_per_s": %s, "edges_after_%ss": %s, "load_after": "%s"}\n' \
  "${a_rate:-null}" "${n_rate:-null}" "$cov_s" "${c_edges:-null}" "$load_after"
