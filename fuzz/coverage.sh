#!/usr/bin/env bash
# fuzz/coverage.sh: the body of `./lockstep coverage` (run from the repository root).
#
#   ./lockstep coverage [--time SECONDS] [--target differential|fault]
#
# Fuzzes for SECONDS (default 60; 0 skips fuzzing and uses the corpus of earlier runs), then
# builds a coverage-instrumented replay build of the target (clang-14 -fprofile-instr-generate
# -fcoverage-mapping, replay main), runs it over the corpus and the seeds, merges the profile
# (llvm-profdata-14) and writes llvm-cov-14 reports restricted to the kernel files: an HTML tree
# and an lcov file under fuzz-out/coverage/<target>/, plus a per-file line table on stdout.
set -uo pipefail

time_s=60
target=differential
die() { echo "lockstep coverage: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time_s="${2:-}"; shift 2 ;;
    --time=*) time_s="${1#*=}"; shift ;;
    --target) target="${2:-}"; shift 2 ;;
    --target=*) target="${1#*=}"; shift ;;
    *) die "unknown argument '$1' (see ./lockstep --help)" ;;
  esac
done
[[ "$time_s" =~ ^[0-9]+$ ]] || die "--time needs a number of seconds (0: no fuzzing)"
case "$target" in differential | fault) ;; *) die "--target is differential or fault" ;; esac
repo_env=()
[ -n "${LOCKSTEP_REPO_ENV:-}" ] && mapfile -t repo_env < <(printf '%s\n' "$LOCKSTEP_REPO_ENV" | grep .)
out="${LOCKSTEP_FUZZ_DIR:-fuzz-out}"
fuzzer="${target}_fuzzer"

if [ "$time_s" -gt 0 ]; then
  fuzz/fuzz.sh --time "$time_s" --target "$target" || echo "lockstep coverage: (the fuzzing run found something; coverage of its corpus follows)"
fi
corpus="$out/$target/corpus"
seeds="$out/$target/seeds"
[ -d "$corpus" ] || mkdir -p "$corpus"

# The instrumented replay build: its own output directory, so no other configuration rebuilds.
cov_flags=(--repo_env=CC=clang-14 --platform_suffix=-fuzzcov
           --copt=-fprofile-instr-generate --copt=-fcoverage-mapping --copt=-O0
           --linkopt=-fprofile-instr-generate)
echo "lockstep coverage: building the coverage-instrumented replay build of //fuzz:$fuzzer"
bazel build "${repo_env[@]}" "${cov_flags[@]}" --noshow_progress --ui_event_filters=-info \
  "//fuzz:$fuzzer" "//fuzz:${fuzzer}_seed_corpus" 2>&1 | grep -vE '^(Loading|Analyzing|INFO|Target|  bazel-)'
bin_dir="$(bazel info "${repo_env[@]}" "${cov_flags[@]}" bazel-bin 2>/dev/null)" || die "bazel info failed"
exec_root="$(bazel info "${repo_env[@]}" "${cov_flags[@]}" execution_root 2>/dev/null)" || die "bazel info failed"
bin="$bin_dir/fuzz/$fuzzer"
[ -x "$bin" ] || die "build of the coverage replay of //fuzz:$fuzzer failed"
if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
  mkdir -p "$seeds" && python3 fuzz/zip_dir.py -x "$bin_dir/fuzz/${fuzzer}_seed_corpus.zip" "$seeds"
fi

report="$out/coverage/$target"
rm -rf "$report" && mkdir -p "$report/profraw"
report_abs="$(cd "$report" && pwd)"
n_inputs=$(( $(ls "$corpus" | wc -l) + $(ls "$seeds" | wc -l) ))
echo "lockstep coverage: replaying $n_inputs inputs ($corpus, $seeds)"
LLVM_PROFILE_FILE="$report_abs/profraw/%p.profraw" LOCKSTEP_FINDINGS_DIR="$report_abs/findings" \
  "$bin" "$corpus" "$seeds" >"$report/replay.log" 2>&1 || echo "lockstep coverage: the replay stopped early (a finding?): $report/replay.log"
llvm-profdata-14 merge -sparse "$report"/profraw/*.profraw -o "$report/merged.profdata" || die "llvm-profdata-14 merge failed"

# Only the kernel files: everything else (our code, the shim, headers, system and Bazel paths) is
# filtered out by name, since llvm-cov matches source-file arguments against canonical paths that
# Bazel's symlinked execution root does not give.
ignore='(^|/)(bazel-out|kernel_shim|engine|model|scenario|fuzz|tools|usr|third_party|absl|googletest)/|[.]h$|[.]inc$'
(cd "$exec_root" && llvm-cov-14 show "$bin" -instr-profile="$report_abs/merged.profdata" \
  -ignore-filename-regex="$ignore" -format=html -output-dir="$report_abs/html" \
  -show-line-counts-or-regions) || die "llvm-cov-14 show failed"
(cd "$exec_root" && llvm-cov-14 export "$bin" -instr-profile="$report_abs/merged.profdata" \
  -ignore-filename-regex="$ignore" -format=lcov >"$report_abs/kernel.lcov") ||
  die "llvm-cov-14 export failed"
(cd "$exec_root" && llvm-cov-14 report "$bin" -instr-profile="$report_abs/merged.profdata" \
  -ignore-filename-regex="$ignore") >"$report/report.txt" || die "llvm-cov-14 report failed"

echo "lockstep coverage: $n_inputs inputs of //fuzz:$fuzzer; kernel files"
# llvm-cov report columns: Filename Regions Missed Cover Functions Missed Executed Lines Missed ...
awk 'BEGIN { printf "  %-30s %7s %8s %7s\n", "file", "lines", "covered", "line %" }
  $1 ~ /(security\/landlock|lib)\/[a-z_]+[.]c$/ { name=$1; sub(/^.*external\/kernel_tree\//, "", name);
    lines=$8; missed=$9; tl+=lines; tm+=missed;
    printf "  %-30s %7d %8d %6.1f%%\n", name, lines, lines-missed, lines ? 100*(lines-missed)/lines : 0 }
  END { printf "  %-30s %7d %8d %6.1f%%\n", "total", tl, tl-tm, tl ? 100*(tl-tm)/tl : 0 }' \
  "$report/report.txt"
echo "lockstep coverage: HTML $report_abs/html/index.html"
echo "lockstep coverage: lcov $report_abs/kernel.lcov"
