#!/usr/bin/env bash
# seed_replay_test.sh (TARGET SEEDS.zip)...: unpacks each seed archive and runs every seed through
# its fuzz target (built with the replay main); any finding aborts the target and fails the test.
set -euo pipefail
zip_dir="$(dirname "$0")/zip_dir.py"
[ -f "$zip_dir" ] || zip_dir="fuzz/zip_dir.py"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
export LOCKSTEP_FINDINGS_DIR="$tmp/findings"
while [ $# -ge 2 ]; do
  target="$1" seeds="$2"
  shift 2
  dir="$tmp/$(basename "$target").seeds"
  rm -rf "$dir" && mkdir -p "$dir"
  python3 "$zip_dir" -x "$seeds" "$dir"
  n=$(find "$dir" -type f | wc -l)
  [ "$n" -ge 50 ] || { echo "only $n seeds in $seeds"; exit 1; }
  echo "== $(basename "$target"): $n seeds"
  "$target" "$dir"
done
if [ -d "$LOCKSTEP_FINDINGS_DIR" ] && [ -n "$(ls -A "$LOCKSTEP_FINDINGS_DIR")" ]; then
  echo "findings written:"; ls "$LOCKSTEP_FINDINGS_DIR"; exit 1
fi
echo "seed_replay_test: all seeds replayed, no findings"
