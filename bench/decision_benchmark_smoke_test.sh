#!/usr/bin/env bash
# The benchmark binary runs one tiny workload of each kind, writes Google Benchmark JSON that
# bench/report.py reads, and its A/B mode yields a B/A ratio.
set -euo pipefail
bin=bench/decision_benchmark
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" --layers=1 --rules=10 --engines=kernel,oracle \
  --benchmark_filter='^(decision/(kernel|oracle)/connect/(hook|syscall)/ipv4/(hit|miss)/|add_rule/|restrict_self/)' \
  --benchmark_min_time=0.001 --benchmark_out="$tmp/smoke.json" --benchmark_out_format=json >"$tmp/out.txt" 2>&1 ||
  { cat "$tmp/out.txt"; fail "decision_benchmark exited with $?"; }
for name in decision/kernel/connect/hook/ipv4/hit/layers:1/rules:10 \
  decision/kernel/connect/hook/ipv4/miss/layers:1/rules:10 \
  decision/kernel/connect/syscall/ipv4/hit/layers:1/rules:10 \
  decision/oracle/connect/syscall/ipv4/miss/layers:1/rules:10 \
  add_rule/kernel/rules:10 restrict_self/kernel/layers:1/rules:10; do
  grep -q "\"name\": \"$name\"" "$tmp/smoke.json" || fail "$name missing from the JSON"
done
if grep -q '"error_occurred": true' "$tmp/smoke.json"; then
  grep -A1 '"error_occurred": true' "$tmp/smoke.json" >&2
  fail "a benchmark reported an error"
fi
grep -q '"bytes_per_rule"' "$tmp/smoke.json" || fail "no bytes_per_rule counter"

# The UDP sends, where the tree checks UDP (7.2+): each decides as described, or the run says the
# tree has no UDP rights (no UDP workload registered).
"$bin" --layers=1 --rules=10 --engines=kernel,oracle --benchmark_filter='sendto_udp' \
  --benchmark_min_time=0.001 --benchmark_out="$tmp/udp.json" --benchmark_out_format=json \
  >"$tmp/udp.txt" 2>&1 || { cat "$tmp/udp.txt"; fail "decision_benchmark (UDP) exited with $?"; }
if grep -q '"name": "decision/kernel/sendto_udp' "$tmp/udp.json"; then
  for name in decision/kernel/sendto_udp/syscall/ipv4/hit/layers:1/rules:10 \
    decision/kernel/sendto_udp/syscall/ipv4/miss/layers:1/rules:10 \
    decision/kernel/sendto_udp_connected/syscall/ipv4/hit/layers:1/rules:10 \
    decision/kernel/sendto_udp_autobind/syscall/ipv4/hit/layers:1/rules:10 \
    decision/oracle/sendto_udp_autobind/syscall/ipv4/hit/layers:1/rules:10; do
    grep -q "\"name\": \"$name\"" "$tmp/udp.json" || fail "$name missing from the JSON"
  done
  if grep -q '"error_occurred": true' "$tmp/udp.json"; then
    grep -A1 '"error_occurred": true' "$tmp/udp.json" >&2
    fail "a UDP benchmark reported an error"
  fi
fi
python3 bench/report.py table "$tmp/smoke.json" >"$tmp/table.md"
grep -q '| 10 |' "$tmp/table.md" || { cat "$tmp/table.md"; fail "no table row for 10 rules"; }
python3 bench/report.py svg "$tmp/smoke.json" "$tmp/plot.svg" >/dev/null
grep -q '<polyline' "$tmp/plot.svg" || fail "the SVG has no line"

# A/B: both revisions, interleaved, one ratio per workload.
"$bin" --ab --ab_repetitions=2 --layers=1 --rules=10 \
  --benchmark_filter='^decision/kernel/connect/hook/ipv4/hit/' --benchmark_min_time=0.001 \
  --benchmark_out="$tmp/ab.json" --benchmark_out_format=json >"$tmp/ab.txt" 2>&1 ||
  { cat "$tmp/ab.txt"; fail "decision_benchmark --ab exited with $?"; }
python3 bench/report.py ab "$tmp/ab.json" >"$tmp/ratios.txt"
grep -q '^decision/kernel/connect/hook/ipv4/hit/layers:1/rules:10 ' "$tmp/ratios.txt" ||
  { cat "$tmp/ratios.txt"; fail "no A/B row"; }

# The live syscalls: they run here, or say why not.
"$bin" --engines=live --layers=1 --rules=10 --benchmark_filter='ipv4/miss' \
  --benchmark_min_time=0.001 >"$tmp/live.txt" 2>&1 || { cat "$tmp/live.txt"; fail "live run failed"; }
if ! grep -q 'live syscalls skipped: ' "$tmp/live.txt"; then
  grep -q '^decision/live/connect/syscall/ipv4/miss/layers:1/rules:10' "$tmp/live.txt" ||
    { cat "$tmp/live.txt"; fail "no live result and no reason"; }
  if grep -q 'ERROR OCCURRED' "$tmp/live.txt"; then cat "$tmp/live.txt"; fail "live error"; fi
fi
echo "PASS"
