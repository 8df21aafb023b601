#!/usr/bin/env bash
# live_seed_replay_test.sh TARGET SEEDS.zip: every seed through the live differential fuzzer
# (replay main): the live kernel agrees with its oracle profile and the compiled tree with its
# own. Skips, saying why, where the live kernel cannot be used (no Landlock network rules, no
# namespaces).
set -uo pipefail
target="$1" seeds="$2"
zip_dir="$(dirname "$0")/zip_dir.py"
[ -f "$zip_dir" ] || zip_dir="fuzz/zip_dir.py"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
export LOCKSTEP_FINDINGS_DIR="$tmp/findings"
dir="$tmp/seeds"
rm -rf "$dir" && mkdir -p "$dir"
python3 "$zip_dir" -x "$seeds" "$dir" || exit 1
"$target" "$dir" >"$tmp/log" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'refusing to fuzz' "$tmp/log"; then
  echo "lockstep-skip: $(grep -m1 'refusing to fuzz' "$tmp/log")"
  exit 0
fi
if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$LOCKSTEP_FINDINGS_DIR" 2>/dev/null)" ]; then
  echo "the live differential fuzzer found something (status $rc):"
  tail -40 "$tmp/log"
  exit 1
fi
echo "live_seed_replay_test: $(find "$dir" -type f | wc -l) seeds, no finding"
