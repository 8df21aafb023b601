#!/usr/bin/env bash
# ./lockstep bench and ./lockstep perf-gate (docs/benchmarks.md). ./lockstep passes the kernel
# tree's Bazel flag in LOCKSTEP_REPO_ENV and the tree itself in LOCKSTEP_KERNEL_TREE_ARG.
#
#   bench [--quick] [--ab] [--plot] [--update-docs] [--out DIR] [--fs-only|--no-fs] [FLAGS...]
#   perf-gate [--rebaseline] [--runs N] [--threshold PERCENT]
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 2
repo_env=()
[ -n "${LOCKSTEP_REPO_ENV:-}" ] && mapfile -t repo_env < <(printf '%s\n' "$LOCKSTEP_REPO_ENV" | grep .)
tree_arg="${LOCKSTEP_KERNEL_TREE_ARG:-}"
lockstep_cmd="./lockstep${tree_arg:+ --kernel-tree $tree_arg}"

die() {
  echo "lockstep: $*" >&2
  exit 2
}

# Numbers (and the gate's instruction counts) come from this one configuration.
opt=(-c opt)

build() {
  local log
  log="$(mktemp)"
  if ! bazel build "${opt[@]}" "${repo_env[@]}" --noshow_progress --ui_event_filters=-info "$@" \
    >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}

bin_dir() {
  bazel info "${opt[@]}" "${repo_env[@]}" bazel-bin 2>/dev/null || die "bazel info failed"
}

verb="${1:-}"
shift || true
case "$verb" in
  bench)
    ab=0 plot=0 docs=0 quick=0 out="$root/bench/results" args=() has_min_time=0
    # The filesystem path walk (bench/path_walk_benchmark) runs after the decisions unless
    # --no-fs or --ab (A/B covers the decision workloads); --fs-only runs it alone, with every
    # flag. Otherwise its own flags (--depths, --fs_bench) go to it only, --layers/--rules (which
    # mean other things there) to decision_benchmark only, the rest to both.
    fs=1 fs_only=0 fs_args=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --ab) ab=1; shift ;;
        --plot) plot=1; shift ;;
        --update-docs) docs=1; shift ;;
        --quick) quick=1; shift ;;
        --no-fs) fs=0; shift ;;
        --fs-only) fs_only=1; shift ;;
        --out) [ $# -ge 2 ] || die "bench: --out needs a directory"; out="$2"; shift 2 ;;
        --benchmark_min_time=*) has_min_time=1; args+=("$1"); fs_args+=("$1"); shift ;;
        --depths=* | --fs_bench | --fs_bench=*) fs_args+=("$1"); shift ;;
        --layers=* | --rules=* | --ab_repetitions=*) args+=("$1"); shift ;;
        *) args+=("$1"); fs_args+=("$1"); shift ;;
      esac
    done
    if [ "$fs_only" -eq 1 ]; then
      [ "$ab" -eq 0 ] || die "bench: --fs-only has no A/B mode"
      [ "$fs" -eq 1 ] || die "bench: --fs-only and --no-fs contradict each other"
      fs_args=("${args[@]}" "${fs_args[@]}")
      # Every flag was routed to one or both lists: keep each once, in order.
      mapfile -t fs_args < <(printf '%s\n' "${fs_args[@]}" | awk 'NF && !seen[$0]++')
    fi
    [ "$ab" -eq 0 ] || fs=0
    [ "$quick" -eq 0 ] || fs_args=(--depths=1,100,10000 --rules=1,10000 --layers=1,16
      --benchmark_min_time=0.02 "${fs_args[@]}")
    [ "$quick" -eq 1 ] || [ "$has_min_time" -eq 1 ] || fs_args=(--benchmark_min_time=0.1 "${fs_args[@]}")
    if [ "$ab" -eq 1 ] && [ -n "${LOCKSTEP_KERNEL_TREE_B:-}" ]; then
      b="$LOCKSTEP_KERNEL_TREE_B"
      case "$b" in /* | debian:*) ;; *) b="$PWD/$b" ;; esac
      repo_env+=("--repo_env=LOCKSTEP_KERNEL_TREE_B=$b")
    fi
    [ "$quick" -eq 0 ] || args=(--layers=1,16 --rules=1,100,10000 --benchmark_min_time=0.02 "${args[@]}")
    [ "$quick" -eq 1 ] || [ "$has_min_time" -eq 1 ] || args=(--benchmark_min_time=0.1 "${args[@]}")
    [ "$ab" -eq 0 ] || args=(--ab "${args[@]}")
    targets=()
    [ "$fs_only" -eq 1 ] || targets+=(//bench:decision_benchmark)
    [ "$fs" -eq 0 ] || targets+=(//bench:path_walk_benchmark)
    build "${targets[@]}"
    mkdir -p "$out"
    if [ "$fs_only" -eq 0 ]; then
      json="$out/decision.json"
      [ "$ab" -eq 0 ] || json="$out/ab.json"
      echo "lockstep bench: bench/decision_benchmark ${args[*]} (JSON: ${json#"$root"/})" >&2
      "$(bin_dir)/bench/decision_benchmark" --benchmark_out="$json" --benchmark_out_format=json \
        "${args[@]}" || exit 1
      if [ "$ab" -eq 1 ]; then
        python3 bench/report.py ab "$json" | tee "$out/ab.txt"
      fi
      if [ "$plot" -eq 1 ]; then
        python3 bench/report.py svg "$json" "$out/connect_hook_ipv4.svg"
        python3 bench/report.py svg "$json" "$out/connect_syscall_ipv4.svg" --path syscall
      fi
      if [ "$docs" -eq 1 ]; then
        python3 bench/report.py table "$json" --update docs/benchmarks.md
      fi
    fi
    if [ "$fs" -eq 1 ]; then
      fs_json="$out/path_walk.json"
      echo "lockstep bench: bench/path_walk_benchmark ${fs_args[*]} (JSON: ${fs_json#"$root"/})" >&2
      "$(bin_dir)/bench/path_walk_benchmark" --benchmark_out="$fs_json" \
        --benchmark_out_format=json "${fs_args[@]}" || exit 1
      if [ "$docs" -eq 1 ]; then
        python3 bench/report.py pathwalk "$fs_json" --update docs/benchmarks.md
      fi
    fi
    echo "lockstep bench: results in ${out#"$root"/}/ (bench/report.py table|svg|ab reads the JSON)"
    ;;
  perf-gate)
    rebaseline=() runs=1 gate_args=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --rebaseline) rebaseline=(--rebaseline); shift ;;
        --runs) [ $# -ge 2 ] || die "perf-gate: --runs needs N"; runs="$2"; shift 2 ;;
        --threshold) [ $# -ge 2 ] || die "perf-gate: --threshold needs PERCENT"; gate_args+=(--threshold "$2"); shift 2 ;;
        *) die "perf-gate: unknown argument $1 (see ./lockstep --help)" ;;
      esac
    done
    command -v valgrind >/dev/null || "$root/tools/setup.sh" || die "setup failed"
    start=$SECONDS
    build //bench:perf_gate_workloads
    bin="$(bin_dir)/bench/perf_gate_workloads"
    compiler="$(gcc --version | head -1)"
    status=0
    for ((i = 1; i <= runs; i++)); do
      [ "$runs" -eq 1 ] || echo "lockstep perf-gate: run $i of $runs"
      python3 bench/perf_gate.py run --binary "$bin" --baseline bench/perf_baseline.json \
        --compiler "$compiler" --config opt --reproduce "$lockstep_cmd perf-gate" \
        "${rebaseline[@]}" "${gate_args[@]}" || status=1
    done
    echo "lockstep perf-gate: $((SECONDS - start)) s"
    exit "$status"
    ;;
  *)
    die "bench/lockstep_bench.sh: unknown verb '$verb'"
    ;;
esac
