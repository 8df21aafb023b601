#!/usr/bin/env bash
# fuzz/summary_test.sh: every fuzz mode's summary lists the finding files the run wrote, with their
# replay commands, and exits 1 when there is one; 0 and "findings 0" when there is none.
#
#   fuzz/summary_test.sh [SECONDS (15)]
#
# Plants a known disagreement: the differential fuzzer honours $LOCKSTEP_ORACLE_PROFILE, and the
# 6.12.107 profile against the default 6.12 tree disagrees with the kernel (errata, sendto with
# MSG_FASTOPEN, whiteouts; seeds have them). Runs ./lockstep fuzz single-job, --jobs 2 (libFuzzer workers) and
# --engine afl (AFL++ -M/-S), each into its own findings and fuzz directories, with a finding file
# of an earlier run planted there that must not be listed; then a clean single-job run. It runs
# Bazel builds, so it is a script for CI (bash fuzz/summary_test.sh), not a Bazel test.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
time_s="${1:-15}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "summary_test: FAIL: $*"; failures=$((failures + 1)); }

# run NAME PROFILE FUZZ-ARGS...: ./lockstep fuzz with its own directories; sets $rc, $summary, $dir.
run() {
  local name="$1" profile="$2"
  shift 2
  dir="$tmp/$name"
  mkdir -p "$dir/findings"
  printf '# a finding of an earlier run\n' >"$dir/findings/0000000000000000.scn"
  touch -d '-1 hour' "$dir/findings/0000000000000000.scn"
  env ${profile:+LOCKSTEP_ORACLE_PROFILE="$profile"} LOCKSTEP_FINDINGS_DIR="$dir/findings" \
    LOCKSTEP_FUZZ_DIR="$dir/out" ./lockstep fuzz --time "$time_s" "$@" >"$dir/log" 2>&1
  rc=$?
  summary="$(sed -n '/^lockstep fuzz: done/,$p; /^lockstep fuzz: findings/,$p' "$dir/log")"
  echo "== ./lockstep fuzz --time $time_s $* ${profile:+(LOCKSTEP_ORACLE_PROFILE=$profile)}: exit $rc"
  printf '%s\n' "$summary"
  progress_true "$name"
}

# Progress lines are true: execs never go down, and exec/s (the run's average) times the seconds
# (at least 10) is at most the execs so far (AFL++'s first fuzzer_stats once gave "execs 580
# exec/s 580000" for most of a run).
progress_true() {
  local bad
  bad="$(awk '/^lockstep fuzz: \[[0-9]+s\] execs/ {
      x = $5; r = $7
      if (x < last || r * 10 > x + 10) print
      last = x }' "$dir/log")"
  [ -z "$bad" ] || fail "$1: untrue progress lines: $bad"
}

# The planted disagreement: exit 1, every new finding file listed with its replay command, the
# earlier one not.
planted() {
  local name="$1" f n=0
  shift
  run "$name" 6.12.107 "$@"
  [ "$rc" -eq 1 ] || fail "$name: exit $rc, want 1"
  for f in "$dir"/findings/*.scn; do
    [ "$(basename "$f")" = 0000000000000000.scn ] && continue
    n=$((n + 1))
    grep -qF "$f    replay: ./lockstep replay " <<<"$summary" || fail "$name: $f is not in the summary"
    grep -qF "# replay: ./lockstep replay " "$f" || fail "$name: $f has no replay line"
    grep -qF "oracle profile debian-6.12.107" "$f" || fail "$name: $f is not from the planted profile"
  done
  [ "$n" -gt 0 ] || fail "$name: no finding file written (log $dir/log)"
  grep -qE "^  findings +$n " <<<"$summary" || grep -qE "^lockstep fuzz: findings $n " <<<"$summary" ||
    fail "$name: the summary does not count $n finding(s)"
  ! grep -q 0000000000000000.scn <<<"$summary" || fail "$name: lists the earlier run's finding"
}

planted single
planted jobs2 --jobs 2
planted afl --engine afl --jobs 2

run clean ""
[ "$rc" -eq 0 ] || fail "clean run: exit $rc, want 0 (a real finding? see $dir/log)"
grep -qE '^  findings +0$' <<<"$summary" || fail "clean run: no 'findings 0'"
# It runs the whole time (the planted runs may stop at their first finding): progress was shown.
grep -qE '^lockstep fuzz: \[[0-9]+s\] execs [0-9]+' "$dir/log" || fail "clean run: no progress line"

if [ "$failures" -gt 0 ]; then
  echo "summary_test: $failures failure(s)"
  exit 1
fi
echo "summary_test: ok"
