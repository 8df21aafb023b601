#!/usr/bin/env bash
# tools/compdb_test.sh: ./lockstep compdb gives clangd what it needs (run by .ci/run; about 15 s
# once the default configuration is built). Not a Bazel test: it runs bazel aquery itself.
#
# Checks: every C/C++ source of the repository has an entry (but the 6.1 adapter, compiled only
# when the second tree is of the 6.1 generation) and so has every kernel file the tree in use
# compiles; a kernel file's includes put kernel_shim/include before the tree's include/;
# clangd-14 --check finds the database by itself (the link at the output base's top) and reports
# no error on net.c, ruleset.c and two shim files; a jump to the definition of net.c's
# sk_is_tcp() call lands in kernel_shim/. Extra ./lockstep arguments (--kernel-tree PATH) go first.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 2
failures=0
fail() {
  echo "compdb_test: FAIL: $*" >&2
  failures=$((failures + 1))
}
command -v clangd-14 >/dev/null || tools/setup.sh || exit 2
start=$SECONDS

./lockstep "$@" compdb || { echo "compdb_test: FAIL: ./lockstep compdb failed" >&2; exit 1; }
db="$root/compile_commands.json"
output_base="$(bazel info output_base 2>/dev/null)"
tree="$output_base/external/kernel_tree"

python3 - "$db" "$root" "$tree" <<'PY' || fail "database contents (above)"
import json, os, re, subprocess, sys
db, root, tree = sys.argv[1:]
entries = {e["file"]: e for e in json.load(open(db))}
bad = 0
tracked = subprocess.check_output(["git", "ls-files", "*.c", "*.cc"], cwd=root, text=True).split()
# An adapter (kernel_shim/adapter/landlock_<generation>.c) is built only for a tree of its
# generation: the trees in use need at least one; the others have none.
adapters = [f for f in tracked if re.match(r"kernel_shim/adapter/landlock_[0-9_]+\.c$", f)]
if not any(os.path.join(root, f) in entries for f in adapters):
    print("compdb_test: no entry for any adapter of %s" % " ".join(adapters))
    bad = 1
for f in tracked:
    if f not in adapters and os.path.join(root, f) not in entries:
        print("compdb_test: no entry for %s" % f)
        bad = 1
kernel = sorted(os.path.relpath(f, tree) for f in entries if f.startswith(tree + "/"))
print("compdb_test: %d entries; kernel files of the tree in use: %s" % (len(entries), " ".join(kernel)))
for want in ("lib/rbtree.c", "security/landlock/net.c", "security/landlock/ruleset.c",
             "security/landlock/fs.c", "security/landlock/syscalls.c"):
    if want not in kernel:
        print("compdb_test: no entry for the tree's %s" % want)
        bad = 1
net = entries.get(os.path.join(tree, "security/landlock/net.c"))
if net:
    args = net["arguments"]
    shim = "-I" + os.path.join(root, "kernel_shim/include")
    inc = "-I" + os.path.join(tree, "include")
    if shim not in args or inc not in args or args.index(shim) > args.index(inc):
        print("compdb_test: net.c: want %s before %s in %s" % (shim, inc, args))
        bad = 1
    if any(not a.startswith("/") for a in (net["file"], net["directory"])):
        print("compdb_test: net.c: relative file or directory")
        bad = 1
sys.exit(bad)
PY

# clangd-14 --check: no diagnostics of severity error, and the compile command came from our
# database (not one clangd guessed: that is what happens when it does not find it).
for f in "$tree/security/landlock/net.c" "$tree/security/landlock/ruleset.c" \
  kernel_shim/src/vfs.c kernel_shim/standins.c; do
  f="$(readlink -f "$f")"
  log="$(cd / && clangd-14 --check="$f" 2>&1)"
  errors="$(grep -E '^E\[' <<<"$log")"
  if ! grep -q 'Compile command from CDB is' <<<"$log"; then
    fail "clangd-14 did not find compile_commands.json for $f"
  elif [ -n "$errors" ] || ! grep -q 'All checks completed, 0 errors' <<<"$log"; then
    fail "clangd-14 --check=$f: $(printf '%s\n' "$errors" | head -5)"
  else
    echo "compdb_test: clangd-14 --check=${f#"$root"/}: 0 errors"
  fi
done

# Jump to definition: net.c's call of sk_is_tcp() lands in the shim.
target="$(python3 tools/clangd_definition.py --compdb-dir "$root" "$tree/security/landlock/net.c" sk_is_tcp)"
case "$target" in
  "$root"/kernel_shim/*) echo "compdb_test: net.c sk_is_tcp( -> ${target#"$root"/}" ;;
  *) fail "net.c's sk_is_tcp resolves to '$target', not into kernel_shim/" ;;
esac

echo "compdb_test: $((SECONDS - start)) s, $failures failure(s)"
[ "$failures" -eq 0 ]
