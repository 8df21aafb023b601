#!/usr/bin/env bash
# The mutation rules (tools/mutants/rules.py) and tools/mutants.py without a kernel build: every
# rule well-formed, the generation field, rule selection by the tree's generation, a rule that does
# not fit the tree (exit status 3, one line naming it), a rule that does (applied once). On fake
# kernel trees built in $TEST_TMPDIR. Run: bazel test //tools:mutants_test
set -uo pipefail

here="${TEST_SRCDIR:-$(dirname "$0")/..}/${TEST_WORKSPACE:-lockstep}/tools"
[ -f "$here/mutants.py" ] || here="$(cd "$(dirname "$0")" && pwd)"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
export LOCKSTEP_CACHE_DIR="$tmp/cache"
failures=0
checks=0

ok() { checks=$((checks + 1)); printf 'ok   %s\n' "$1"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); printf 'FAIL %s\n' "$1"; }
# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
  local name=$1
  shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}

# Every rule well-formed; the generations are tools/kernel_tree.py's.
rules_ok() {
  python3 - "$here" <<'PY'
import sys
sys.path.insert(0, sys.argv[1] + "/mutants")
sys.path.insert(0, sys.argv[1])
from rules import RULES
import kernel_tree
bad = []
ids = [r["id"] for r in RULES]
if len(ids) != len(set(ids)):
    bad.append("duplicate ids")
for r in RULES:
    keys = {"id", "file", "generations", "what", "search", "replace", "expect", "reason",
            "explained_by"}
    if set(r) - keys:
        bad.append("%s: unknown fields %s" % (r["id"], sorted(set(r) - keys)))
    gens = r.get("generations")
    if not isinstance(gens, tuple) or not gens or any(g not in kernel_tree.KNOWN_GENERATIONS
                                                      for g in gens):
        bad.append("%s: generations %r" % (r["id"], gens))
    if r["expect"] not in ("killed", "equivalent"):
        bad.append("%s: expect %r" % (r["id"], r["expect"]))
    if r["expect"] == "equivalent" and not r.get("reason"):
        bad.append("%s: equivalent without a reason" % r["id"])
    if r.get("explained_by") and r["expect"] != "killed":
        bad.append("%s: explained_by on a mutant not believed killed" % r["id"])
    if not r["file"].startswith("security/landlock/") or r["search"] == r["replace"]:
        bad.append("%s: file or search/replace" % r["id"])
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
}
check "every rule well-formed (fields, generations, expect/reason/explained_by)" rules_ok

# make_tree DIR GENERATION: a minimal well-formed tree of that generation (as kernel_tree.py
# recognises it), with empty Landlock files.
make_tree() {
  local d=$1
  mkdir -p "$d/security/landlock" "$d/lib" "$d/include/linux" "$d/include/uapi/linux"
  printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = 1\nEXTRAVERSION =\nNAME = Fake\n' \
    "${2%%.*}" "$([ "$2" = 7 ] && echo 3 || echo 12)" >"$d/Makefile"
  for f in ruleset.c object.c cred.c syscalls.c net.c fs.c setup.c domain.c; do
    echo "/* fake */" >"$d/security/landlock/$f"
  done
  if [ "$2" = 7 ]; then
    printf 'const void *landlock_get_applicable_subject(void);\n' >"$d/security/landlock/cred.h"
    echo "/* fake */" >"$d/security/landlock/tsync.c"
  fi
  printf 'struct landlock_id {\n\tunion landlock_key key;\n};\n' >"$d/security/landlock/ruleset.h"
  echo "/* fake */" >"$d/lib/rbtree.c"
  echo "/* fake */" >"$d/include/linux/rbtree.h"
  echo "/* fake */" >"$d/include/uapi/linux/landlock.h"
}
make_tree "$tmp/t612" 6.12
make_tree "$tmp/t7" 7

# The ids the rules name for a generation, from rules.py itself.
ids_for() {
  python3 - "$here" "$1" <<'PY'
import sys
sys.path.insert(0, sys.argv[1] + "/mutants")
from rules import RULES
for r in RULES:
    if sys.argv[2] in r["generations"]:
        print(r["id"])
PY
}
select_is() {
  [ "$(LOCKSTEP_KERNEL_TREE="$1" python3 "$here/mutants.py" select)" = "$(ids_for "$2")" ]
}
check "select on a 6.12 tree: the 6.12 rules" select_is "$tmp/t612" 6.12
check "select on a 7 tree: the 7 rules" select_is "$tmp/t7" 7
check "the 6.12 rules: the 24 written for 6.12.117 and 15 over task.c and the hierarchy" \
  test "$(ids_for 6.12 | wc -l)" -eq 42
check "at least 10 rules only for the 7 generation" \
  test "$(comm -13 <(ids_for 6.12 | sort) <(ids_for 7 | sort) | wc -l)" -ge 10

# select --only with a rule of another generation: an error naming both generations.
only_other() {
  local err
  err=$(LOCKSTEP_KERNEL_TREE="$tmp/t7" python3 "$here/mutants.py" select \
    unmask_layer_off_by_one 2>&1 >/dev/null) && return 1
  [ "$err" = "mutants: rule unmask_layer_off_by_one is for the 6.12 generation; the tree $tmp/t7 is of the 7 generation" ]
}
check "select of a 6.12 rule on a 7 tree is refused, one line" only_other

# make: a rule of the tree's generation whose text is not there: exit status 3, one line.
does_not_fit() {
  local err status
  err=$(LOCKSTEP_KERNEL_TREE="$tmp/t7" python3 "$here/mutants.py" make dom7_seventeen_layers \
    "$tmp/m1" 2>&1 >/dev/null)
  status=$?
  [ "$status" = 3 ] &&
    [ "$err" = "mutants: rule dom7_seventeen_layers: its search text occurs 0 times in security/landlock/domain.c (must be exactly once)" ]
}
check "make: a rule that does not fit the tree exits 3 with one line" does_not_fit

# make: a rule that fits is applied once, to a copy (the base tree keeps its text).
fits() {
  printf 'x\n\tif (parent->num_layers >= LANDLOCK_MAX_NUM_LAYERS)\ny\n' \
    >"$tmp/t7/security/landlock/domain.c"
  LOCKSTEP_KERNEL_TREE="$tmp/t7" python3 "$here/mutants.py" make dom7_seventeen_layers \
    "$tmp/m2" >/dev/null || return 1
  grep -q 'parent->num_layers > LANDLOCK_MAX_NUM_LAYERS' "$tmp/m2/security/landlock/domain.c" &&
    grep -q 'parent->num_layers >= LANDLOCK_MAX_NUM_LAYERS' "$tmp/t7/security/landlock/domain.c" &&
    [ ! -e "$tmp/m2/tree_info.txt" ] && [ ! -L "$tmp/m2/security/landlock/domain.c" ]
}
check "make: a rule that fits is applied to a copy" fits

# make: a rule of another generation is refused (not applied to a tree it was not written for).
other_generation() {
  ! LOCKSTEP_KERNEL_TREE="$tmp/t612" python3 "$here/mutants.py" make dom7_seventeen_layers \
    "$tmp/m3" >/dev/null 2>&1
}
check "make: a 7 rule on a 6.12 tree is refused" other_generation

echo "$((checks - failures))/$checks checks passed"
[ "$failures" -eq 0 ]
