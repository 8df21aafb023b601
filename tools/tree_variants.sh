#!/usr/bin/env bash
# tools/tree_variants.sh: lockstep holds whichever point release Debian serves. Makes, at run time
# and from the installed long-term tree (tools/kernel_tree.py default --lts, Debian's 6.12; never
# committed), three variants and checks each:
#
#   sublevel      Makefile SUBLEVEL = 999, code untouched: the profile of the identical code is
#                 chosen by fingerprint ("Landlock identical to ..."), the corpus and 20,000 random
#                 scenarios agree with the oracle.
#   recommented   SUBLEVEL 999 and one comment line added to net.c: code no profile was verified
#                 against, so the nearest known revision stands in ("no verified profile for this
#                 code"), and the tree still agrees with it.
#   no_sendmsg    hook_socket_sendmsg's registration removed from net.c: the differential fuzzer
#                 finds the disagreement within --time seconds and explains it as
#                 sendmsg_fastopen_checked.
#
# Each variant builds in its own Bazel output base under $LOCKSTEP_CACHE_DIR (default
# ~/.cache/lockstep), so the main build's cache is not thrown away. Prints one line per check and
# ends "tree variants: N passed, N failed"; exit status 1 if any failed.
#
#   tools/tree_variants.sh [--time SECONDS (30)] [--keep]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
time_s=30
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time_s="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "tree_variants: unknown argument $1" >&2; exit 2 ;;
  esac
done
cache="${LOCKSTEP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lockstep}"
work="$(mktemp -d)"
[ "$keep" -eq 1 ] || trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() {
  local name="$1"
  shift
  if "$@" >"$work/last.log" 2>&1; then
    passed=$((passed + 1))
    echo "tree variants: ok: $name"
  else
    failed=$((failed + 1))
    echo "tree variants: FAILED: $name (log below)"
    tail -30 "$work/last.log" | sed 's/^/    /'
  fi
}

# The variants, from the installed long-term tree (tools/mutants.py extract: real files).
LOCKSTEP_KERNEL_TREE="$(python3 tools/kernel_tree.py default --lts)" python3 - "$work" <<'PY' || { echo "tree_variants: cannot make the variants" >&2; exit 2; }
import os, re, sys
sys.path.insert(0, "tools")
import mutants
work = sys.argv[1]
def edit(tree, rel, fn):
    path = os.path.join(tree, rel)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = fn(text)
    if new == text:
        sys.exit("tree_variants: the edit of %s changed nothing" % rel)
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)
sublevel = lambda t: re.sub(r"^SUBLEVEL = .*$", "SUBLEVEL = 999", t, count=1, flags=re.M)
for name in ("sublevel", "recommented", "no_sendmsg"):
    tree = os.path.join(work, name)
    mutants.extract(tree)
    edit(tree, "Makefile", sublevel)
edit(os.path.join(work, "recommented"), "security/landlock/net.c",
     lambda t: t + "/* lockstep tree_variants: a comment, so the code's fingerprint changes */\n")
edit(os.path.join(work, "no_sendmsg"), "security/landlock/net.c",
     lambda t: re.sub(r"^\s*LSM_HOOK_INIT\(socket_sendmsg, hook_socket_sendmsg\),\n", "", t,
                      count=1, flags=re.M))
PY

# bz VARIANT COMMAND ARGS...: bazel in the variant's own output base, with the variant as tree.
bz() {
  local variant="$1" cmd="$2"
  shift 2
  # --symlink_prefix=/: no bazel-* links in the checkout; they would point into this output base
  # and break the next plain bazel command there (it would load that tree as packages).
  bazel --output_base="$cache/variants-bazel/$variant" "$cmd" --symlink_prefix=/ \
    --repo_env=LOCKSTEP_KERNEL_TREE="$work/$variant" "$@"
}
tree_says() {
  local variant="$1" want="$2"
  bz "$variant" build //tools:tree_report &&
    "$(bz "$variant" info bazel-bin 2>/dev/null)/tools/tree_report" | tee /dev/stderr |
    grep -q "$want"
}
agrees() {
  bz "$1" test --test_output=errors //tests:corpus_test //tests:differential_test
}
finds_sendmsg() {
  local findings="$work/no_sendmsg-findings"
  rm -rf "$findings"
  # The fuzzer's own build of the variant (libFuzzer + ASan config) in its output base.
  LOCKSTEP_FINDINGS_DIR="$findings" LOCKSTEP_FUZZ_DIR="$work/no_sendmsg-fuzz" \
    LOCKSTEP_REPO_ENV="--repo_env=LOCKSTEP_KERNEL_TREE=$work/no_sendmsg" \
    LOCKSTEP_BAZEL_STARTUP="--output_base=$cache/variants-bazel/no_sendmsg" \
    fuzz/fuzz.sh --time "$time_s"
  local rc=$?
  [ "$rc" -eq 1 ] || { echo "want exit status 1 (a finding), got $rc"; return 1; }
  grep -l "explained: sendmsg_fastopen_checked" "$findings"/*.scn
}

check "sublevel 999: same code, verified profile chosen by fingerprint" \
  tree_says sublevel "6.12.999: Landlock identical to"
check "sublevel 999: corpus and random scenarios agree with the oracle" agrees sublevel
check "code changed by a comment: nearest profile stands in" \
  tree_says recommented "no verified profile for this code"
check "code changed by a comment: corpus and random scenarios agree with the nearest profile" \
  agrees recommented
check "sendmsg hook unregistered: the fuzzer finds it, explained as sendmsg_fastopen_checked" \
  finds_sendmsg
for v in sublevel recommented no_sendmsg; do
  bazel --output_base="$cache/variants-bazel/$v" shutdown >/dev/null 2>&1
done
echo "tree variants: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
