#!/usr/bin/env bash
# finding_pipeline_test.sh FUZZER SEEDS.zip REPLAY ZIP_DIR: the differential target's whole finding
# path on a real divergence. Diffing the 6.12.117 tree against the 6.12.107 profile (sendto with
# MSG_FASTOPEN is hooked only from 6.12.117 on) must abort, write a minimized .scn that replays
# as a disagreement, and print the replay command; an unknown profile must refuse in one line.
set -uo pipefail
fuzzer="$1" seeds="$2" replay="$3" zip_dir="$4"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
mkdir -p "$tmp/seeds"
python3 "$zip_dir" -x "$seeds" "$tmp/seeds" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

out="$(LOCKSTEP_ORACLE_PROFILE=9.9.9 "$fuzzer" "$tmp/seeds" 2>&1)"
[ $? -eq 2 ] || fail "unknown profile: want exit 2"
[ "$(echo "$out" | wc -l)" -eq 1 ] || fail "unknown profile: want one line, got: $out"
echo "$out" | grep -q "refusing to fuzz" || fail "unknown profile: $out"

export LOCKSTEP_FINDINGS_DIR="$tmp/findings"
out="$(LOCKSTEP_ORACLE_PROFILE=6.12.107 "$fuzzer" "$tmp/seeds" 2>&1)"
[ $? -ne 0 ] || fail "6.12.107 vs the 6.12.117 tree: want an abort, got exit 0"
scn="$(ls "$LOCKSTEP_FINDINGS_DIR"/*.scn 2>/dev/null | head -1)"
[ -n "$scn" ] || fail "no .scn written; output: $out"
echo "$out" | grep -q "replay: ./lockstep replay $scn" || fail "no replay command in: $out"
echo "$out" | grep -q "<< engines disagree" || fail "no table in: $out"
cat "$scn"
ops=$(grep -cvE '^(#|task|$)' "$scn")
[ "$ops" -le 4 ] || fail "finding not minimized: $ops ops"
"$replay" --profile=6.12.107 "$scn" >"$tmp/replay.out" 2>&1
rc=$?
cat "$tmp/replay.out"
[ $rc -eq 1 ] || fail "replay --profile=6.12.107: want exit 1 (disagreement), got $rc"
grep -q "engines disagree" "$tmp/replay.out" || fail "replay shows no disagreement"
"$replay" --engines=kernel "$scn" >/dev/null 2>&1 || fail "the kernel does not meet the finding's expects"
echo "finding_pipeline_test: ok"
