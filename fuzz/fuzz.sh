#!/usr/bin/env bash
# fuzz/fuzz.sh: the body of `./lockstep fuzz` (run from the repository root; ./lockstep does the
# setup and passes the kernel tree as $LOCKSTEP_REPO_ENV).
#
#   ./lockstep fuzz [--time SECONDS] [--target differential|fault|revdiff|live] [--engine libfuzzer|afl]
#                   [--jobs N] [--fast] [--ops all|network] [--minimize FILE]
#
# Builds the target for the engine, runs it on the default kernel tree against the oracle with
# the binary seeds (corpus/*.scn) plus the corpus of earlier runs (fuzz-out/<target>/corpus),
# prints a progress line every 10 s and a summary; every finding is a .scn under
# $LOCKSTEP_FINDINGS_DIR (default findings/) with its replay command. Exit status 1 if anything
# was found, 2 for a usage or build error. --ops network decodes only the ops that never reach the
# filesystem (rulesets, rules, restrict_self, sockets): the network half alone, with its own corpus
# (fuzz-out/<target>-network/).
set -uo pipefail

time_s=60
target=differential
engine=libfuzzer
jobs=1
fast=0
ops=all
minimize=""
die() { echo "lockstep fuzz: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time_s="${2:-}"; shift 2 ;;
    --time=*) time_s="${1#*=}"; shift ;;
    --target) target="${2:-}"; shift 2 ;;
    --target=*) target="${1#*=}"; shift ;;
    --engine) engine="${2:-}"; shift 2 ;;
    --engine=*) engine="${1#*=}"; shift ;;
    --jobs) jobs="${2:-}"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    --fast) fast=1; shift ;;
    --ops) ops="${2:-}"; shift 2 ;;
    --ops=*) ops="${1#*=}"; shift ;;
    --minimize) minimize="${2:-}"; shift 2 ;;
    --minimize=*) minimize="${1#*=}"; shift ;;
    *) die "unknown argument '$1' (see ./lockstep --help)" ;;
  esac
done
[[ "$time_s" =~ ^[0-9]+$ ]] && [ "$time_s" -gt 0 ] || die "--time needs a positive number of seconds"
[[ "$jobs" =~ ^[0-9]+$ ]] && [ "$jobs" -gt 0 ] || die "--jobs needs a positive number"
case "$target" in
  differential | fault) fuzzer="${target}_fuzzer" ;;
  revdiff) fuzzer=revision_diff_fuzzer ;;
  live) fuzzer=live_differential_fuzzer ;;
  *) die "--target is differential, fault, revdiff or live" ;;
esac
case "$engine" in libfuzzer | afl) ;; *) die "--engine is libfuzzer or afl" ;; esac
[ "$fast" -eq 0 ] || [ "$engine" = libfuzzer ] || die "--fast is for --engine libfuzzer"
case "$ops" in all | network) ;; *) die "--ops is all or network" ;; esac
[ "$ops" = all ] || [ "$target" != fault ] || die "--ops is for the scenario targets (not fault)"
export LOCKSTEP_FUZZ_OPS="$ops"
# $LOCKSTEP_FUZZ_MAX_LEN: the longest input either engine makes (512 bytes, room for the decoder's
# 48 ops; fuzz/measure.sh uses 80, about 10 ops).
max_len="${LOCKSTEP_FUZZ_MAX_LEN:-512}"
[[ "$max_len" =~ ^[0-9]+$ ]] && [ "$max_len" -gt 0 ] || die "LOCKSTEP_FUZZ_MAX_LEN needs a positive number of bytes"

config="$engine"
[ "$fast" -eq 1 ] && config=libfuzzer_nosan
# One libFuzzer process (its own log and final stats), or workers (fuzz/libfuzzer_workers.sh).
single_libfuzzer=0
[ "$engine" = libfuzzer ] && [ "$jobs" -eq 1 ] && single_libfuzzer=1
repo_env=()
[ -n "${LOCKSTEP_REPO_ENV:-}" ] && mapfile -t repo_env < <(printf '%s\n' "$LOCKSTEP_REPO_ENV" | grep .)
# AFL++ instruments only the code under test (fuzz/afl_allowlist.txt). The path is absolute:
# afl-clang-fast opens it from inside Bazel's sandbox, where the checkout's files are not inputs.
[ "$config" = afl ] && repo_env+=(--action_env=AFL_LLVM_ALLOWLIST="$PWD/fuzz/afl_allowlist.txt")
out="${LOCKSTEP_FUZZ_DIR:-fuzz-out}"
export LOCKSTEP_FINDINGS_DIR="${LOCKSTEP_FINDINGS_DIR:-findings}"

# The finding files, "NAME MTIME" per line. What a run wrote is what is new or rewritten after it
# (a finding file is always written anew, even when it exists): read from the directory, not from
# the fuzzer's log, because AFL++ keeps the target's output to itself and libFuzzer workers each
# have their own. Anything else writing findings there at the same time is counted too.
list_findings() {
  find "$LOCKSTEP_FINDINGS_DIR" -maxdepth 1 -type f -name '*.scn' -printf '%f %T@\n' 2>/dev/null | sort
}

# $LOCKSTEP_BAZEL_STARTUP: Bazel startup options (tools/tree_variants.sh: its own --output_base).
startup=()
[ -n "${LOCKSTEP_BAZEL_STARTUP:-}" ] && read -r -a startup <<<"$LOCKSTEP_BAZEL_STARTUP"
# Another output base must not take over the checkout's bazel-* links: the next plain bazel command
# would then read that output base's tree as packages of this workspace.
[ ${#startup[@]} -gt 0 ] && repo_env+=(--symlink_prefix=/)
echo "lockstep fuzz: building //fuzz:$fuzzer with --config=$config"
if ! bazel "${startup[@]}" build "${repo_env[@]}" --config="$config" --noshow_progress --ui_event_filters=-info \
  "//fuzz:$fuzzer" "//fuzz:${fuzzer}_seed_corpus" 2>&1 | grep -vE '^(Loading|Analyzing|INFO|Target|  bazel-)'; then
  :
fi
bin_dir="$(bazel "${startup[@]}" info "${repo_env[@]}" --config="$config" bazel-bin 2>/dev/null)" || die "bazel info failed"
bin="$bin_dir/fuzz/$fuzzer"
seeds_zip="$bin_dir/fuzz/${fuzzer}_seed_corpus.zip"
[ -x "$bin" ] && [ -f "$seeds_zip" ] || die "build of //fuzz:$fuzzer (--config=$config) failed"

work="$out/$target"
[ "$ops" = all ] || work="$out/$target-$ops"
corpus="$work/corpus"
seeds="$work/seeds"
crashes="$work/crashes"
mkdir -p "$corpus" "$crashes" || die "cannot create $work"
rm -rf "$seeds" && mkdir -p "$seeds" && python3 fuzz/zip_dir.py -x "$seeds_zip" "$seeds" || die "cannot unpack seeds"
if [ "$engine" = libfuzzer ]; then
  # Shorter allocation stacks and a smaller quarantine than ASan's defaults (30 frames, 256 MB):
  # ASan's malloc and free were a third of an exec, most of it on cold memory, since a freed chunk
  # comes back only after a quarantine's worth of later frees. An input allocates and frees about
  # 36 KB, so 1 MB still holds the frees of the last ~30 inputs: a use after free inside one
  # scenario (whose kernel state all goes at task exit) is caught as with 256 MB. Side by side,
  # 64 MB -> 1 MB gave 1.19-1.35x execs/s (docs/benchmarks.md). Rerunning a crash input (default
  # options) shows full stacks.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1:malloc_context_size=5:quarantine_size_mb=1}"
  export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-/usr/bin/llvm-symbolizer-14}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fi

# --minimize FILE: libFuzzer's byte-level -minimize_crash, then the target's own op-level reduction
# writes the .scn when the minimized input is run once more.
if [ -n "$minimize" ]; then
  case "$minimize" in /*) ;; *) [ -f "$minimize" ] || minimize="${LOCKSTEP_CALLER_PWD:-.}/$minimize" ;; esac
  [ -f "$minimize" ] || die "--minimize: no file $minimize"
  [ "$engine" = libfuzzer ] || die "--minimize needs --engine libfuzzer"
  min="$crashes/minimized-$(basename "$minimize")"
  echo "lockstep fuzz: libFuzzer -minimize_crash=1 on $minimize for up to ${time_s}s"
  "$bin" -minimize_crash=1 -max_total_time="$time_s" -exact_artifact_path="$min" "$minimize" \
    >"$work/minimize.log" 2>&1
  [ -f "$min" ] || { echo "lockstep fuzz: $minimize does not crash $fuzzer (see $work/minimize.log)"; exit 0; }
  echo "lockstep fuzz: minimized input $min ($(stat -c %s "$minimize") -> $(stat -c %s "$min") bytes)"
  "$bin" "$min" 2>&1 | sed -n '/==== lockstep finding/,/^replay:/p'
  exit 1
fi

log="$work/fuzz.log"
: >"$log"
touch "$log.start"
findings_before="$(list_findings)"
start=$(date +%s)
echo "lockstep fuzz: $fuzzer on $engine$([ "$fast" -eq 1 ] && echo ' (no sanitizers)')$([ "$ops" = network ] && echo ", network ops only"), ${time_s}s, $jobs job(s); seeds $(ls "$seeds" | wc -l), corpus $corpus, log $log"

if [ "$engine" = libfuzzer ]; then
  # $LOCKSTEP_FUZZ_TIMEOUT: libFuzzer's per-input -timeout (10 s; 120 s for the revision-diff
  # fuzzer): its first class checks every switch, and pairs of them, on 2,000 scenarios inside one
  # input (about 10 s under ASan here, over a minute for a 7.x tree against 6.12 on a loaded
  # machine), which is not a hang.
  default_timeout=10
  [ "$fuzzer" = revision_diff_fuzzer ] && default_timeout=120
  args=(-dict=fuzz/lockstep.dict -max_len="$max_len" -timeout="${LOCKSTEP_FUZZ_TIMEOUT:-$default_timeout}"
        -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$crashes/")
  if [ "$jobs" -eq 1 ]; then
    "$bin" -max_total_time="$time_s" "${args[@]}" "$corpus" "$seeds" >"$log" 2>&1 &
  else
    # N in-process libFuzzer runs on one corpus (fuzz/libfuzzer_workers.sh: -fork=N gave no more
    # execs/s than one job); their logs are $work/worker-I.log.
    rm -f "$work"/worker-*.log
    echo "lockstep fuzz: $jobs libFuzzer workers, logs $work/worker-*.log" >"$log"
    fuzz/libfuzzer_workers.sh --jobs "$jobs" --time "$time_s" --log-prefix "$work/worker" -- \
      "$bin" "${args[@]}" "$corpus" "$seeds" >>"$log" 2>&1 &
  fi
else
  command -v afl-fuzz >/dev/null || die "afl-fuzz is missing (./lockstep setup)"
  AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    fuzz/afl_multicore.sh --jobs "$jobs" --time "$time_s" --out "$work/afl" --seeds "$seeds" \
    --dict fuzz/lockstep.dict --max-len "$max_len" -- "$bin" >"$log" 2>&1 &
fi
pid=$!
trap 'kill -- "$pid" 2>/dev/null; exit 130' INT TERM

# One line: execs, execs/s, edges, corpus.
status_line() {
  if [ "$single_libfuzzer" -eq 1 ]; then
    local l
    l=$(grep -aE '^#[0-9]+' "$log" | tail -1)
    [ -n "$l" ] || { echo "starting"; return; }
    echo "$l" | awk '{ n=$1; gsub(/[#:]/, "", n); c="?"; e="?"; k="?";
      for (i=1;i<=NF;i++) { if ($i=="cov:") c=$(i+1); if ($i=="exec/s:" || $i=="exec/s") e=$(i+1); if ($i=="corp:") k=$(i+1) }
      printf "execs %s  exec/s %s  edges %s  corpus %s", n, e, c, k }'
  elif [ "$engine" = libfuzzer ]; then
    # Workers: each log holds its finished runs one after another (a run restarts after a
    # finding), the .run file the current one; a run's execs are its final stat, or its last
    # status line while it runs. Edges: the most any worker saw (each counts its own); corpus:
    # the shared directory's inputs.
    local files=() f
    for f in "$work"/worker-*.log "$work"/worker-*.run; do  # .run: a worker's current run
      [ -e "$f" ] && files+=("$f")
    done
    [ ${#files[@]} -gt 0 ] || { echo "starting"; return; }
    awk -v corpus="$(ls "$corpus" | wc -l)" '
      FNR == 1 { total += cur; cur = 0 }
      /^#[0-9]+/ { n = $1; gsub(/[#:]/, "", n); cur = n + 0
        for (i = 1; i <= NF; i++) if ($i == "cov:" && $(i + 1) > e) e = $(i + 1) }
      /^stat::number_of_executed_units/ { total += $2; cur = 0 }
      END { total += cur; if (e == "") e = 0
        printf "execs %d  exec/s %d  edges %d  corpus %d", total, 0, e, corpus }' "${files[@]}"
  else
    # While running: each instance's live counters (fuzz/afl_progress.py, once a second); at the
    # end: fuzzer_stats, which AFL++ rewrites on exit (during a run it is up to a minute old).
    local files=("$work"/afl/*/progress) sep=' '
    if [ "${1:-}" = final ] || [ ! -e "${files[0]}" ]; then
      files=("$work"/afl/*/fuzzer_stats)
      sep=' *: *'
    fi
    [ -e "${files[0]}" ] || { echo "starting"; return; }
    awk -F"$sep" '/^execs_done/ {x+=$2} /^execs_per_sec/ {s+=$2} /^corpus_count/ {k+=$2}
      /^edges_found/ { if ($2>e) e=$2 } END { printf "execs %d  exec/s %d  edges %d  corpus %d", x, s, e, k }' \
      "${files[@]}"
  fi
}

# Every 10 s: the counters, with exec/s the run's average so far from the execs count (the same for
# one libFuzzer, N workers and AFL++).
last=$start
while kill -0 "$pid" 2>/dev/null; do
  sleep 1
  now=$(date +%s)
  if [ $((now - last)) -ge 10 ]; then
    line="$(status_line)"
    execs_now=$(echo "$line" | awk '$1 == "execs" {print $2}')
    if [[ "$execs_now" =~ ^[0-9]+$ ]]; then
      line="$(echo "$line" | awk -v r=$(( execs_now / (now - start) )) \
        '{ printf "execs %s  exec/s %s (average)  edges %s  corpus %s", $2, r, $6, $8 }')"
    fi
    last=$now
    echo "lockstep fuzz: [$((now - start))s] $line"
  fi
done
wait "$pid"
rc=$?
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -gt 0 ] || elapsed=1

mapfile -t found < <(comm -13 <(printf '%s\n' "$findings_before") <(list_findings) |
  awk -v dir="$LOCKSTEP_FINDINGS_DIR" 'NF { print dir "/" $1 }')
# Each finding: its path and the command that replays it (the file's own "# replay:" line).
list_found() {
  local f
  for f in "${found[@]}"; do
    echo "    $f    replay: ./lockstep replay $(sed -n 's/^# replay: .\/lockstep replay //p' "$f" 2>/dev/null | head -1)"
  done
}

if [ "$engine" = afl ] && [ "$rc" -ne 0 ] && ! ls "$work"/afl/*/fuzzer_stats >/dev/null 2>&1; then
  echo "lockstep fuzz: afl-fuzz did not start:" >&2
  tail -5 "$work"/afl/afl-*.log >&2
  if [ ${#found[@]} -gt 0 ]; then
    echo "lockstep fuzz: findings ${#found[@]} (written while afl-fuzz was starting)"
    list_found
    exit 1
  fi
  exit 2
fi
final="$(status_line final)"
execs=$(echo "$final" | awk '{print $2}')
edges=$(echo "$final" | awk '{print $6}')
if [ "$single_libfuzzer" -eq 1 ] && grep -q '^stat::number_of_executed_units' "$log"; then
  execs=$(awk '/^stat::number_of_executed_units/ {print $2}' "$log")
fi
rate="?"
[[ "$execs" =~ ^[0-9]+$ ]] && rate=$((execs / elapsed))
if [ "$single_libfuzzer" -eq 1 ] && grep -q '^stat::average_exec_per_sec' "$log"; then
  rate=$(awk '/^stat::average_exec_per_sec/ {print $2}' "$log")
fi

mapfile -t crash_files < <(find "$crashes" "$work/afl" -type f \( -name 'crash-*' -o -name 'leak-*' \
  -o -name 'timeout-*' -o -name 'oom-*' -o -path '*/crashes/id:*' \) -newer "$log.start" 2>/dev/null | sort)

echo "lockstep fuzz: done: $fuzzer ($engine$([ "$fast" -eq 1 ] && echo ', no sanitizers')), ${elapsed}s"
echo "  execs        $execs"
echo "  execs/s      $rate"
echo "  edges        $edges (of the kernel files and the oracle's decisions, the only code instrumented; lines of ruleset.c, net.c: ./lockstep coverage --time 0)"
if [ "$engine" = afl ]; then
  echo "  corpus       $work/afl/*/queue ($(cat "$work"/afl/*/fuzzer_stats 2>/dev/null | awk -F' *: *' '/^corpus_count/ {n+=$2} END {print n+0}') inputs)"
else
  echo "  corpus       $corpus ($(ls "$corpus" | wc -l) inputs)"
fi
if [ ${#found[@]} -eq 0 ] && [ ${#crash_files[@]} -eq 0 ] && { [ "$rc" -eq 0 ] || [ "$engine" = afl ]; }; then
  echo "  findings     0"
  exit 0
fi
echo "  findings     ${#found[@]} (written to $LOCKSTEP_FINDINGS_DIR by this run)"
list_found
if [ "$target" = revdiff ]; then
  # Revision differences grouped by class: the explanation, then the op and both outcomes.
  echo "  classes (revision B vs A):"
  for f in "${found[@]}"; do sed -n 's/^# class: //p' "$f" | head -1; done | sort | uniq -c |
    sed 's/^/    /'
fi
if [ ${#crash_files[@]} -gt 0 ]; then
  echo "  crash inputs ${#crash_files[@]} (rerun one: $bin FILE; minimize: ./lockstep fuzz --target $target --minimize FILE)"
  for f in "${crash_files[@]:0:10}"; do echo "    $f"; done
  [ ${#crash_files[@]} -le 10 ] || echo "    ... and $((${#crash_files[@]} - 10)) more, newer than $log.start"
fi
if [ ${#found[@]} -eq 0 ]; then
  logs=("$log")
  [ "$single_libfuzzer" -eq 1 ] || [ "$engine" = afl ] || logs+=("$work"/worker-*.log)
  echo "  the fuzzer stopped with status $rc without a lockstep finding (sanitizer report?): see ${logs[*]}"
  grep -haE '^(SUMMARY|==[0-9]+==ERROR)' "${logs[@]}" | head -5 | sed 's/^/    /'
fi
exit 1
