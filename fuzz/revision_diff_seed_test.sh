#!/usr/bin/env bash
# revision_diff_seed_test.sh TARGET SEEDS.zip: the revision-diff fuzzer (replay main) over the seeds
# must find nothing it cannot explain (that would abort), and when the two revisions' profiles
# differ on sendmsg_fastopen_checked (A checks sendto(MSG_FASTOPEN), B does not: the default pair,
# Debian 6.12.113+ against 6.12.107) the seeds must show that class, explained by that switch.
# Keyed by the profiles' switches (the fuzzer's "switches differing" line), not by version labels.
set -uo pipefail
target="$1" seeds="$2"
zip_dir="$(dirname "$0")/zip_dir.py"
[ -f "$zip_dir" ] || zip_dir="fuzz/zip_dir.py"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
export LOCKSTEP_FINDINGS_DIR="$tmp/findings"
dir="$tmp/seeds"
rm -rf "$dir" "$LOCKSTEP_FINDINGS_DIR" && mkdir -p "$dir"
python3 "$zip_dir" -x "$seeds" "$dir" || exit 1
"$target" "$dir" >"$tmp/log" 2>&1
rc=$?
grep -m1 'A = kernel' "$tmp/log"
differing="$(grep -m1 '^revision_diff_fuzzer: switches differing (A/B):' "$tmp/log")"
[ -n "$differing" ] || { echo "no 'switches differing' line: a revision without a profile?"; tail -20 "$tmp/log"; exit 1; }
echo "$differing"
[ "$rc" -eq 0 ] || { echo "the fuzzer stopped (status $rc): an unexplained difference?"; tail -40 "$tmp/log"; exit 1; }
classes="$(cat "$LOCKSTEP_FINDINGS_DIR"/*.scn 2>/dev/null | sed -n 's/^# class: //p' | sort -u)"
echo "classes found:"
echo "$classes" | sed 's/^/  /'
want='explained: sendmsg_fastopen_checked (... checked on N scenarios ...) | sendto EACCES -> 0'
if grep -q ' sendmsg_fastopen_checked=true/false' <<<"$differing" &&
  ! grep -qE '^explained: sendmsg_fastopen_checked \(hook_socket_sendmsg: .*checked on [0-9]+ scenarios.*\) \| sendto EACCES -> 0$' <<<"$classes"; then
  echo "missing the known class: $want"
  exit 1
fi
if grep -v '^explained: ' <<<"$classes" | grep -q .; then
  echo "a class that is not explained:"; grep -v '^explained: ' <<<"$classes"; exit 1
fi
echo "revision_diff_seed_test: every class found is explained; the sendmsg class where the profiles say so"
