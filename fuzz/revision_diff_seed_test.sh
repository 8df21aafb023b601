#!/usr/bin/env bash
# revision_diff_seed_test.sh TARGET SEEDS.zip: the revision-diff fuzzer (replay main) over the seeds
# must find the known difference between the default pair (Debian 6.12.117 as A, 6.12.107 as B)
# and report it as the right class; it must find nothing it cannot explain (that would abort).
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
if ! grep -q 'A = kernel 6.12.117 .*B = kernel 6.12.107 ' "$tmp/log"; then
  echo "skipped: the known difference is between 6.12.117 and 6.12.107; this build has:"
  grep -m1 'A = kernel' "$tmp/log"
  exit 0
fi
[ "$rc" -eq 0 ] || { echo "the fuzzer stopped (status $rc): an unexplained difference?"; tail -40 "$tmp/log"; exit 1; }
classes="$(cat "$LOCKSTEP_FINDINGS_DIR"/*.scn 2>/dev/null | sed -n 's/^# class: //p' | sort -u)"
echo "classes found:"
echo "$classes" | sed 's/^/  /'
want='explained: sendmsg_fastopen_checked (hook_socket_sendmsg: TCP Fast Open with a destination checked as connect (Debian 6.12.113)) | sendto EACCES -> 0'
if ! grep -qxF "$want" <<<"$classes"; then
  echo "missing the known class: $want"
  exit 1
fi
if grep -v '^explained: ' <<<"$classes" | grep -q .; then
  echo "a class that is not explained:"; grep -v '^explained: ' <<<"$classes"; exit 1
fi
echo "revision_diff_seed_test: the 6.12.117/6.12.107 difference is found and explained"
