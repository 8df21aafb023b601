#!/usr/bin/env bash
# fuzz/libfuzzer_workers.sh: N libFuzzer processes on one corpus directory, for ./lockstep fuzz
# --jobs N (fuzz/fuzz.sh).
#
#   fuzz/libfuzzer_workers.sh --jobs N --time SECONDS --log-prefix PREFIX -- FUZZER ARGS... CORPUS [DIRS...]
#
# Each worker is a plain libFuzzer run (in process, no -fork): they share the corpus directory,
# and libFuzzer reloads it (-reload, every second by default) to take up what the others found.
# libFuzzer's -fork=N ran jobs of a few seconds and merged their corpora between them: measured
# here, 2 jobs gave no more execs/s than 1 (94,884 against 100,321). A worker that stops before
# the time is up (a finding aborts the process, so libFuzzer keeps the input) starts again for
# the time left; one that stops before fuzzing anything (a startup error) is not restarted.
# Worker I writes its current run to PREFIX-I.run and appends each finished run to PREFIX-I.log.
# Exit status 0, or 1 when any run of any worker ended with an error.
set -uo pipefail
jobs=2
time_s=60
prefix=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs="$2"; shift 2 ;;
    --time) time_s="$2"; shift 2 ;;
    --log-prefix) prefix="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "libfuzzer_workers: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ $# -ge 2 ] && [ -n "$prefix" ] || { echo "libfuzzer_workers: name the log prefix, the fuzzer and its corpus" >&2; exit 2; }
end=$(( $(date +%s) + time_s ))

# worker I FUZZER ARGS...: runs until the time is up; exit 1 if a run ended with an error.
worker() {
  local i="$1" status=0 left run_log
  shift
  run_log="$prefix-$i.run"
  while left=$(( end - $(date +%s) )); [ "$left" -gt 0 ]; do
    "$@" -max_total_time="$left" >"$run_log" 2>&1
    local rc=$?
    cat "$run_log" >>"$prefix-$i.log"
    [ "$rc" -eq 0 ] && break
    status=1
    grep -qa 'INITED' "$run_log" || break  # never started fuzzing: restarting would not either
  done
  rm -f "$run_log"
  return "$status"
}

pids=()
for i in $(seq 1 "$jobs"); do
  : >"$prefix-$i.log"
  worker "$i" "$@" &
  pids+=($!)
done
# Ctrl-C or the caller's kill: stop every worker (so none restarts), then its fuzzer.
stop() {
  local p fuzzers=()
  for p in "${pids[@]}"; do mapfile -t -O "${#fuzzers[@]}" fuzzers < <(pgrep -P "$p"); done
  kill "${pids[@]}" 2>/dev/null
  [ ${#fuzzers[@]} -eq 0 ] || kill "${fuzzers[@]}" 2>/dev/null
  exit 130
}
trap stop INT TERM
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit "$status"
