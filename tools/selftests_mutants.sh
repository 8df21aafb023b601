#!/usr/bin/env bash
# tools/selftests_mutants.sh: the body of `./lockstep selftests --mutants`: the kernel's own
# selftests as a mutation killer, beside the revision-diff fuzzer's score (./lockstep mutants).
#
#   ./lockstep selftests --mutants [--only ID,ID...] [--out DIR (mutants-out/selftests)]
#
# For each rule of tools/mutants/rules.py for the tree's generation (tools/mutants.py select) but
# the filesystem ones (fs.c: the hybrid engine does not run fs_test.c): make the mutant tree, build
# the selftests against it in an output base of its own ($main-selftest-mutants: switching
# @kernel_tree in the main one would rebuild everything twice per mutant), run each program the
# build names under the hybrid engine, and call the mutant killed when any test fails or a program
# crashes (the unmutated tree passes them all). Prints one row per mutant and the count; DIR gets
# results.tsv and each run's output. Exit status 0 (a measurement, not a gate).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

only=""
out=mutants-out/selftests
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="${2:-}"; shift 2 ;;
    --only=*) only="${1#*=}"; shift ;;
    --out) out="${2:-}"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    *) echo "lockstep selftests --mutants: unknown argument $1" >&2; exit 2 ;;
  esac
done
ids_text="$(python3 tools/mutants.py select "$only")" || exit 2
mapfile -t ids <<<"$ids_text"
read -r -a startup <<<"${LOCKSTEP_BAZEL_STARTUP:-}"
main_base="$(bazel "${startup[@]}" info output_base 2>/dev/null)" || exit 2
bz() { bazel "${startup[@]}" --output_base="$main_base-selftest-mutants" "$@"; }
mkdir -p "$out" && out="$(cd "$out" && pwd)" || exit 2
results="$out/results.tsv"
: >"$results"
rules="$(python3 tools/mutants.py list)" || exit 2
killed=0
total=0
for id in "${ids[@]}"; do
  file="$(awk -v id="$id" '$1 == id {print $3}' <<<"$rules")"
  [ "$file" = fs.c ] && continue
  tree="$out/trees/$id"
  rm -rf "$tree" "$out/$id" && mkdir -p "$out/$id"
  python3 tools/mutants.py make "$id" "$tree" >/dev/null 2>"$out/$id/make.err" || {
    echo "$id: cannot make the mutant: $(head -1 "$out/$id/make.err")"
    continue
  }
  env=(--repo_env=LOCKSTEP_KERNEL_TREE="$tree")
  if ! bz build "${env[@]}" --noshow_progress //selftests:all >"$out/$id/build.log" 2>&1; then
    echo "$id: the selftests do not build against it (see $out/$id/build.log)"
    continue
  fi
  bin="$(bz info "${env[@]}" bazel-bin 2>/dev/null)/selftests"
  row="$id	$file"
  verdict=survived
  while read -r program; do
    [ -n "$program" ] || continue
    python3 -c "import sys; sys.path.insert(0, 'tools'); import selftests
selftests.clear_stale_audit_rule(sys.argv[1])" "$bin/${program}_hybrid"
    timeout 600 "$bin/${program}_hybrid" >"$out/$id/$program.log" 2>&1
    totals="$(grep -oE 'pass:[0-9]+ fail:[0-9]+' "$out/$id/$program.log" | tail -1)"
    [ -n "$totals" ] || totals="crash"
    [[ "$totals" == *"fail:0" ]] || verdict=killed
    row+="	$program $totals"
  done <"$bin/programs.txt"
  total=$((total + 1))
  [ "$verdict" = killed ] && killed=$((killed + 1))
  printf '%s\t%s\n' "$row" "$verdict" >>"$results"
  echo "$id ($file): $verdict"
done
echo "lockstep selftests --mutants: the selftests kill $killed of $total mutants ($results)"
