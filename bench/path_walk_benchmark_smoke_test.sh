#!/usr/bin/env bash
# The path-walk benchmark runs one tiny workload of each kind on the kernel engine, writes
# Google Benchmark JSON that bench/report.py pathwalk reads, skips the oracle while it has no
# filesystem (saying why), and runs the live kernel's workloads here or says why not.
set -euo pipefail
bin=bench/path_walk_benchmark
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" --engines=kernel,oracle --depths=1,10 --rules=10 --layers=2 \
  --benchmark_min_time=0.001 --benchmark_out="$tmp/smoke.json" --benchmark_out_format=json \
  >"$tmp/out.txt" 2>&1 || { cat "$tmp/out.txt"; fail "path_walk_benchmark exited with $?"; }
for name in path_walk/kernel/open/depth:1/rule:leaf path_walk/kernel/open/depth:10/rule:root \
  path_walk/kernel/open/depth:10/rule:none path_walk/kernel/open/depth:20/rules:10 \
  path_walk/kernel/open/depth:100/layers:2 fs_bench/kernel/depth:10000; do
  grep -q "\"name\": \"$name\"" "$tmp/smoke.json" || fail "$name missing from the JSON"
done
if grep -q '"error_occurred": true' "$tmp/smoke.json"; then
  grep -A1 '"error_occurred": true' "$tmp/smoke.json" >&2
  fail "a benchmark reported an error"
fi
grep -q '"domain_bytes"' "$tmp/smoke.json" || fail "no domain_bytes counter"
# The oracle runs, or the reason it does not is in the output.
grep -q '"name": "path_walk/oracle/open/depth:1/rule:leaf"' "$tmp/smoke.json" ||
  grep -q 'oracle skipped: ' "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "no oracle and no reason"; }
python3 bench/report.py pathwalk "$tmp/smoke.json" >"$tmp/table.md"
grep -q '^| 10 |' "$tmp/table.md" || { cat "$tmp/table.md"; fail "no table row for depth 10"; }
grep -q '^| kernel engine | ' "$tmp/table.md" || { cat "$tmp/table.md"; fail "no fs_bench row"; }

# The live kernel: it runs here, or says why not.
"$bin" --engines=live --depths=10 --rules= --layers= --fs_bench=false \
  --benchmark_min_time=0.001 >"$tmp/live.txt" 2>&1 || { cat "$tmp/live.txt"; fail "live run failed"; }
if grep -q 'live skipped: ' "$tmp/live.txt"; then
  grep 'live skipped: ' "$tmp/live.txt"
else
  echo "live: ran"
  for rule in leaf root none; do
    grep -q "^path_walk/live/open/depth:10/rule:$rule/manual_time" "$tmp/live.txt" ||
      { cat "$tmp/live.txt"; fail "no live result for rule:$rule and no reason"; }
  done
  if grep -q 'ERROR OCCURRED' "$tmp/live.txt"; then cat "$tmp/live.txt"; fail "live error"; fi
fi
echo "PASS"
