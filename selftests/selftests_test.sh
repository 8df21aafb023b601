#!/usr/bin/env bash
# The tree's Landlock selftests under the hybrid engine, compared with the live kernel
# (tools/selftests.py): fails on any lockstep finding (a test lockstep fails and the live kernel
# passes, a crash, a WARN_ON). Also checks the routing itself: base_test's abi_version, which
# expects the tree's own ABI, passes under the hybrid engine (the host's Landlock would answer
# with the host's). The runner's last line becomes this test's summary in ./lockstep test.
set -uo pipefail
runner="$1"
tree_info="$2"
shift 2
if [ $# -eq 0 ]; then
  echo "lockstep-skip: the tree has no Landlock selftests the hybrid engine runs"
  exit 0
fi
dir="$(dirname "$1")"
out="$(python3 "$runner" --bin-dir "$dir" --tree-info "$tree_info")"
status=$?
echo "$out"
echo "lockstep-summary: $(tail -1 <<<"$out" | sed 's/^lockstep selftests: //')"
[ "$status" -eq 0 ] || { echo "FAIL: tools/selftests.py exited with $status"; exit 1; }
if [ -x "$dir/base_test_hybrid" ]; then
  abi="$("$dir/base_test_hybrid" -t abi_version 2>&1)"
  grep -q '^ok 1 global.abi_version' <<<"$abi" ||
    { echo "$abi"; echo "FAIL: abi_version fails under the hybrid engine: not routed?"; exit 1; }
fi
echo PASS
