#!/usr/bin/env bash
# tools/selftests.py on fake selftest programs (shell scripts printing kselftest TAP): a failure
# under lockstep that the live kernel passes is a finding (exit 1), one the live kernel fails too
# is not; a program without totals and a WARN_ON report are findings; bad arguments exit 2.
set -uo pipefail
runner="$1"
dir="$TEST_TMPDIR/bin"
mkdir -p "$dir"
fail() { echo "FAIL: $*"; exit 1; }

program() { # NAME BODY
  printf '#!/bin/sh\n%s\n' "$2" >"$dir/$1"
  chmod +x "$dir/$1"
}
tap() { # results...: "ok 1 a" lines, then totals computed by the caller
  printf 'TAP version 13\n'
  printf '%s\n' "$@"
}

# One test both pass, one lockstep fails and live passes (a finding), one both fail, one skipped.
program t_test_hybrid "$(printf 'cat <<X\n%s\nX' "$(tap '#  RUN           g.same ...' \
  'ok 1 g.same' \
  '#  RUN           g.differs ...' \
  '# t_test.c:10:differs:Expected 0 (0) == bind(fd) (-13)' \
  'not ok 2 g.differs' '#  RUN           g.both ...' '# t_test.c:20:both:Expected 1 (1) == x (0)' \
  'not ok 3 g.both' 'ok 4 g.skipped # SKIP tracefs not available' \
  '# Totals: pass:1 fail:2 xfail:0 xpass:0 skip:1 error:0')")"
program t_test_live "$(printf 'cat <<X\n%s\nX' "$(tap 'ok 1 g.same' 'ok 2 g.differs' \
  '# t_test.c:20:both:Expected 1 (1) == x (2)' 'not ok 3 g.both' \
  'ok 4 g.skipped # SKIP tracefs not available' \
  '# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:1 error:0')")"
out="$(python3 "$runner" --bin-dir "$dir")"
status=$?
echo "$out"
[ "$status" -eq 1 ] || fail "a lockstep-only failure must exit 1, got $status"
grep -q 'g.differs' <<<"$out" && grep -q 'FINDING: the live kernel passes it' <<<"$out" ||
  fail "the differing test is not reported as a finding"
grep -q 'Expected 0 (0) == bind(fd) (-13)' <<<"$out" || fail "the expectation is not shown"
grep -q 'g.both' <<<"$out" && grep -q 'the live kernel fails it too' <<<"$out" ||
  fail "a failure both share is not told apart"
grep -qE '^t_test +1/2/1 +2/1/1 +1$' <<<"$out" || fail "table row wrong"
grep -q '1 finding$' <<<"$out" || fail "finding count wrong"

# The same without the live kernel: nothing to call a finding, exit 0.
python3 "$runner" --bin-dir "$dir" --no-live >/dev/null || fail "--no-live must exit 0 here"

# A crash (no totals) and a WARN_ON report are findings.
program t_test_hybrid 'echo "lockstep hybrid: finding: WARN_ON hit in the revision during bind"
echo "ok 1 g.same"
echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"'
python3 "$runner" --bin-dir "$dir" --no-live >/dev/null && fail "a WARN_ON report must exit 1"
program t_test_hybrid 'echo "ok 1 g.same"; kill -SEGV $$'
python3 "$runner" --bin-dir "$dir" --no-live >/dev/null && fail "a crash must exit 1"

# A test during which the hybrid engine could not route a call counts as skipped, with the reason.
program t_test_hybrid "$(printf 'cat <<X\n%s\nX' "$(tap '#  RUN           g.same ...' \
  'lockstep hybrid: a call from a thread started without pthread_create ran unrouted' \
  'not ok 1 g.same' '# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0')")"
program t_test_live "$(printf 'cat <<X\n%s\nX' "$(tap 'ok 1 g.same' \
  '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0')")"
out="$(python3 "$runner" --bin-dir "$dir")" || fail "an unrouted test is not a finding: $out"
grep -qE '^t_test +0/0/1 +1/0/0 +0$' <<<"$out" ||
  fail "an unrouted test must count as skipped: $out"

# --programs limits the run to the named programs (bazel-bin may hold stale ones).
program u_test_hybrid 'exit 3'
echo t_test >"$dir/programs.txt"
python3 "$runner" --bin-dir "$dir" --programs="$dir/programs.txt" --no-live >/dev/null ||
  fail "--programs must leave u_test out"
rm -f "$dir/u_test_hybrid" "$dir/programs.txt"

# Bad arguments.
python3 "$runner" --bin-dir "$dir" --only nope_test >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown --only must exit 2"
python3 "$runner" --bin-dir "$TEST_TMPDIR" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a directory without programs must exit 2"
echo PASS
