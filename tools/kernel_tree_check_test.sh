#!/usr/bin/env bash
# Asserts each one-line error and exit status of `tools/kernel_tree.py check`, plus success, on fake
# kernel trees built in $TEST_TMPDIR. Run: bazel test //tools:kernel_tree_check_test
set -uo pipefail

script="${TEST_SRCDIR:-$(dirname "$0")/..}/${TEST_WORKSPACE:-lockstep}/tools/kernel_tree.py"
[ -f "$script" ] || script="$(cd "$(dirname "$0")" && pwd)/kernel_tree.py"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
export LOCKSTEP_CACHE_DIR="$tmp/cache"
failures=0
checks=0

# expect NAME STATUS EXPECTED_STDERR PATH: run `check PATH`, compare status and the whole stderr.
expect() {
  local name=$1 want_status=$2 want_err=$3 path=$4 out err status
  checks=$((checks + 1))
  out=$(python3 "$script" check "$path" 2>"$tmp/stderr")
  status=$?
  err=$(cat "$tmp/stderr")
  if [ "$status" != "$want_status" ] || [ "$err" != "$want_err" ]; then
    failures=$((failures + 1))
    printf 'FAIL %s\n  want status %s, stderr: %s\n  got  status %s, stderr: %s\n' \
      "$name" "$want_status" "$want_err" "$status" "$err"
  else
    printf 'ok   %s\n' "$name"
  fi
  if [ "$want_status" = 0 ] && [ -z "$out" ]; then
    failures=$((failures + 1))
    printf 'FAIL %s: no summary line on success\n' "$name"
  fi
  if [ "$want_status" != 0 ] && [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
    failures=$((failures + 1))
    printf 'FAIL %s: error is not one line\n' "$name"
  fi
}

# make_tree DIR VERSION PATCHLEVEL SUBLEVEL: a minimal well-formed 6.12-like tree.
make_tree() {
  local d=$1
  mkdir -p "$d/security/landlock" "$d/lib" "$d/include/linux" "$d/include/uapi/linux"
  printf '# SPDX-License-Identifier: GPL-2.0\nVERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION =\nNAME = Fake\n' \
    "$2" "$3" "$4" >"$d/Makefile"
  for f in ruleset.c object.c cred.c syscalls.c net.c fs.c setup.c; do
    echo "/* fake */" >"$d/security/landlock/$f"
  done
  printf 'struct landlock_id {\n\tunion landlock_key key;\n};\n' >"$d/security/landlock/ruleset.h"
  echo "/* fake */" >"$d/lib/rbtree.c"
  echo "/* fake */" >"$d/include/linux/rbtree.h"
  echo "/* fake */" >"$d/include/uapi/linux/landlock.h"
}

good="$tmp/good"
make_tree "$good" 6 12 117
expect "well-formed 6.12 tree" 0 "" "$good"

rc="$tmp/rc"
make_tree "$rc" 6 13 0
sed -i 's/^EXTRAVERSION =$/EXTRAVERSION = -rc3/' "$rc/Makefile"
expect "6.13-rc3 tree" 0 "" "$rc"

expect "missing path" 2 "lockstep: kernel tree $tmp/nope does not exist" "$tmp/nope"

mkdir -p "$tmp/empty"
expect "directory without Makefile" 2 \
  "lockstep: kernel tree $tmp/empty is not a kernel tree: no Makefile with VERSION/PATCHLEVEL/SUBLEVEL" \
  "$tmp/empty"

mkdir -p "$tmp/othermake"
printf 'all:\n\techo hi\n' >"$tmp/othermake/Makefile"
expect "Makefile without a version" 2 \
  "lockstep: kernel tree $tmp/othermake is not a kernel tree: no Makefile with VERSION/PATCHLEVEL/SUBLEVEL" \
  "$tmp/othermake"

echo "not a tarball" >"$tmp/notes.txt"
expect "plain file" 2 \
  "lockstep: kernel tree $tmp/notes.txt is neither a directory nor a .tar.xz/.tar.gz/.tar source tarball" \
  "$tmp/notes.txt"

nolandlock="$tmp/nolandlock"
make_tree "$nolandlock" 6 12 117
rm -r "$nolandlock/security/landlock"
expect "no security/landlock" 2 \
  "lockstep: kernel tree $nolandlock is not a kernel tree: Linux 6.12.117 without security/landlock" \
  "$nolandlock"

old="$tmp/linux-5.10"
make_tree "$old" 5 10 0
rm -r "$old/security/landlock"
expect "Linux 5.10 (before Landlock)" 2 \
  "lockstep: kernel tree $old is Linux 5.10.0: it has no Landlock (security/landlock, Linux 5.13+); the 6.12 engine cannot use it" \
  "$old"

norb="$tmp/norbtree"
make_tree "$norb" 6 12 117
rm "$norb/lib/rbtree.c"
expect "no lib/rbtree.c" 2 \
  "lockstep: kernel tree $norb is not a complete kernel tree: Linux 6.12.117 has no lib/rbtree.c" \
  "$norb"

nouapi="$tmp/nouapi"
make_tree "$nouapi" 6 12 117
rm "$nouapi/include/uapi/linux/landlock.h"
expect "no uapi landlock.h" 2 \
  "lockstep: kernel tree $nouapi is not a complete kernel tree: Linux 6.12.117 has no include/uapi/linux/landlock.h" \
  "$nouapi"

v61="$tmp/linux-6.1"
make_tree "$v61" 6 1 192
rm "$v61/security/landlock/net.c"
printf 'struct landlock_rule {\n};\n' >"$v61/security/landlock/ruleset.h"
expect "6.1-like tree (no net.c)" 2 \
  "lockstep: kernel tree $v61 is Linux 6.1.192: its Landlock has no network rules (security/landlock/net.c, Linux 6.7+); the 6.12 engine cannot use it" \
  "$v61"

noid="$tmp/noid"
make_tree "$noid" 6 6 0
printf 'struct landlock_rule {\n};\n' >"$noid/security/landlock/ruleset.h"
expect "net.c but no struct landlock_id" 2 \
  "lockstep: kernel tree $noid is Linux 6.6.0: its Landlock has no struct landlock_id (security/landlock/ruleset.h, Linux 6.7+); the 6.12 engine cannot use it" \
  "$noid"

# Landlock after 6.14: landlock_get_applicable_subject (6.15+) without tsync.c is refused; with
# tsync.c it is the 7 generation, which the default (6.12) check refuses by name.
v615="$tmp/linux-6.15"
make_tree "$v615" 6 15 0
printf 'static inline void *landlock_get_applicable_subject(void);\n' >"$v615/security/landlock/cred.h"
expect "6.15 tree (applicable_subject, no tsync.c)" 2 \
  "lockstep: kernel tree $v615 is Linux 6.15.0: its Landlock uses landlock_get_applicable_subject (Linux 6.15+), which no adapter supports yet (adapters: 7, 6.12, 6.1)" \
  "$v615"

v73="$tmp/linux-7.3"
make_tree "$v73" 7 3 4
printf 'static inline void *landlock_get_applicable_subject(void);\n' >"$v73/security/landlock/cred.h"
echo "/* fake */" >"$v73/security/landlock/tsync.c"
mkdir -p "$v73/include/trace/events"
echo "/* fake */" >"$v73/include/linux/landlock.h"
echo "/* fake */" >"$v73/include/trace/events/landlock.h"
fp73=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import kernel_tree; print(kernel_tree.fingerprint(sys.argv[2]))' \
  "$(dirname "$script")" "$v73")
expect "7.3 tree (the 7 generation)" 2 \
  "lockstep: kernel tree $v73 is Linux 7.3.4: its Landlock is of the 7 generation; the 6.12 engine cannot use it" \
  "$v73"
# The fingerprint covers Landlock's headers outside security/landlock.
echo "/* changed */" >"$v73/include/trace/events/landlock.h"
fp73b=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import kernel_tree; print(kernel_tree.fingerprint(sys.argv[2]))' \
  "$(dirname "$script")" "$v73")
checks=$((checks + 1))
if [ "$fp73" = "$fp73b" ]; then
  failures=$((failures + 1))
  echo "FAIL fingerprint ignores include/trace/events/landlock.h"
else
  echo "ok   fingerprint covers include/trace/events/landlock.h"
fi
# The 7 generation's engine takes it.
checks=$((checks + 1))
if python3 "$script" check "$v73" --generations=7 | grep -q "Landlock of the 7 generation, fingerprint $fp73b"; then
  echo "ok   7.3 tree with --generations=7"
else
  failures=$((failures + 1))
  echo "FAIL 7.3 tree with --generations=7"
fi
# A 7.x tarball's subset includes them.
tar -C "$tmp" -cJf "$tmp/linux-7.3.tar.xz" linux-7.3
expect "7.3 tarball" 2 \
  "lockstep: kernel tree $tmp/linux-7.3.tar.xz is Linux 7.3.4: its Landlock is of the 7 generation; the 6.12 engine cannot use it" \
  "$tmp/linux-7.3.tar.xz"

# Tarballs: with a top directory (like Debian's), without one, and one that is not a kernel tree.
tar -C "$tmp" -cJf "$tmp/good-top.tar.xz" good
expect "tar.xz with a top directory" 0 "" "$tmp/good-top.tar.xz"
tar -C "$good" -czf "$tmp/good-flat.tar.gz" .
expect "tar.gz without a top directory" 0 "" "$tmp/good-flat.tar.gz"
tar -C "$tmp" -cf "$tmp/linux-6.1.tar" linux-6.1
expect "6.1-like .tar" 2 \
  "lockstep: kernel tree $tmp/linux-6.1.tar is Linux 6.1.192: its Landlock has no network rules (security/landlock/net.c, Linux 6.7+); the 6.12 engine cannot use it" \
  "$tmp/linux-6.1.tar"
tar -C "$tmp" -cJf "$tmp/empty.tar.xz" empty
expect "tarball that is not a kernel tree" 2 \
  "lockstep: kernel tree $tmp/empty.tar.xz is not a kernel tree: no Makefile at the top of the tarball" \
  "$tmp/empty.tar.xz"

# expect_out NAME STATUS EXPECTED_STDOUT ARGS...: run kernel_tree.py ARGS, compare status and stdout.
expect_out() {
  local name=$1 want_status=$2 want_out=$3 out status
  shift 3
  checks=$((checks + 1))
  out=$(python3 "$script" "$@" 2>"$tmp/stderr")
  status=$?
  if [ "$status" != "$want_status" ] || [ "$out" != "$want_out" ]; then
    failures=$((failures + 1))
    printf 'FAIL %s\n  want status %s, stdout: %s\n  got  status %s, stdout: %s (stderr: %s)\n' \
      "$name" "$want_status" "$want_out" "$status" "$out" "$(cat "$tmp/stderr")"
  else
    printf 'ok   %s\n' "$name"
  fi
}

# The generation by itself, any generation unless told; the defaults, written once in
# kernel_tree.py: B follows A's generation.
expect_out "generation of a 6.12 tree" 0 "6.12" generation "$good"
expect_out "generation of a 7.3 tree" 0 "7" generation "$v73"
expect_out "generation of a 7.3 tree, 6.12 wanted" 2 "" generation "$v73" --generations=6.12
expect_out "default tree" 0 "debian:7.3" default
expect_out "long-term tree" 0 "/usr/src/linux-source-6.12.tar.xz" default --lts
expect_out "default B of a 7.3 tree" 0 "debian:7.2" default "--b-of=$v73"
expect_out "default B of a 6.12 tree" 0 "debian:6.12.107" default "--b-of=$good"
expect_out "default B of a missing tree" 2 "" default "--b-of=$tmp/missing"
expect_out "default with a stray argument" 1 "" default --b-of
expect_out "tarball of a path, not debian:VERSION" 2 "" tarball "$good"

echo "$((checks - failures)) of $checks checks passed"
[ "$failures" = 0 ]
