#!/usr/bin/env bash
# .clusterfuzzlite/dry_run.sh [--seconds N (10)] [--sanitizer address|undefined] [--keep] [--work DIR]: build.sh outside the image, the way the
# base image's `compile` runs it, then every fuzzer it wrote for N seconds on its seed corpus.
#
# A throwaway directory gets $SRC (a copy of this checkout's files as $SRC/lockstep, Debian's
# Abseil source package unpacked as $SRC/abseil), $OUT and $WORK; the environment is OSS-Fuzz's
# base-builder's for an ASan + libFuzzer build, with Debian's clang-14 as the compiler:
#   CC=clang-14 CXX=clang++-14 CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only
#   -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope
#   -fsanitize=fuzzer-no-link" CXXFLAGS="$CFLAGS -stdlib=libc++"
#   LIB_FUZZING_ENGINE="-fsanitize=fuzzer -Wl,-lstdc++" (-lstdc++: for Debian's libFuzzer, see below)
# Needs libc++-14-dev, libc++abi-14-dev and cmake (Debian packages). Abseil's source comes through
# a private apt configuration with a deb-src line for the machine's Debian mirror (~/.cache/lockstep/
# apt-src; the machine's sources are not edited). --work DIR: $WORK is DIR, kept (Abseil's build
# and Bazel's output base there are reused by the next run, as where an OSS-Fuzz $WORK persists). Exit status 0 when every fuzzer ran its N seconds
# without a crash.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=10
keep=0
work=""
sanitizer=address
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --work) work="$2"; shift 2 ;;
    --sanitizer) sanitizer="$2"; shift 2 ;;
    *) echo "dry_run: unknown argument $1" >&2; exit 2 ;;
  esac
done
for p in libc++-14-dev libc++abi-14-dev cmake dpkg-dev; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
    { echo "dry_run: needs Debian package $p (apt-get install $p)" >&2; exit 2; }
done

# Debian's abseil source package, as the Dockerfile's Debian stage fetches it.
apt_dir="${XDG_CACHE_HOME:-$HOME/.cache}/lockstep/apt-src"
if ! ls "$apt_dir"/src/abseil_*.dsc >/dev/null 2>&1; then
  mirror="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -1)"
  [ -n "$mirror" ] || mirror="$(awk '$1 == "deb" && $3 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)"
  [ -n "$mirror" ] || { echo "dry_run: no Debian mirror in the machine's apt sources" >&2; exit 2; }
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/src"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main" >"$apt_dir/sources.list"
  o=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=/nonexistent
     -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::archives=$apt_dir/archives")
  apt-get "${o[@]}" update -q >&2 && (cd "$apt_dir/src" && apt-get "${o[@]}" source --download-only abseil >&2) ||
    { echo "dry_run: apt-get source abseil failed" >&2; exit 2; }
fi

tmp="$(mktemp -d /tmp/lockstep-cflite.XXXXXX)"
export SRC="$tmp/src" OUT="$tmp/out" WORK="${work:-$tmp/work}"
mkdir -p "$SRC/lockstep" "$OUT" "$WORK"
(cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 tar -c) | tar -x -C "$SRC/lockstep"
dpkg-source -x "$(ls "$apt_dir"/src/abseil_*.dsc | tail -1)" "$SRC/abseil" >/dev/null 2>&1 ||
  { echo "dry_run: dpkg-source -x failed" >&2; exit 2; }
export CC=clang-14 CXX=clang++-14
case "$sanitizer" in
  address) san_flags="-fsanitize=address -fsanitize-address-use-after-scope" ;;
  # base-builder's SANITIZER_FLAGS_undefined, less what C code cannot take (function, vptr).
  undefined) checks=array-bounds,bool,builtin,enum,float-divide-by-zero,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound
    san_flags="-fsanitize=$checks -fno-sanitize-recover=$checks" ;;
  *) echo "dry_run: --sanitizer is address or undefined" >&2; exit 2 ;;
esac
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION $san_flags -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS -stdlib=libc++"
# Debian's libFuzzer runtime (libclang_rt.fuzzer) is itself built against libstdc++; OSS-Fuzz's
# carries a private C++ library. So here, and only here, the engine brings libstdc++ along (it
# shares no C++ type with the fuzzer's libc++ code). As -Wl,-lstdc++: clang's driver turns a plain
# -lstdc++ into the library -stdlib= names, libc++.
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer -Wl,-lstdc++"
export SANITIZER="$sanitizer" FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64
echo "dry_run: $tmp: build.sh with CC=$CC CXX=$CXX CXXFLAGS=$CXXFLAGS LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE"
start=$SECONDS
(cd "$SRC" && bash -eu "$SRC/lockstep/.clusterfuzzlite/build.sh") >"$tmp/build.log" 2>&1
status=$?
echo "dry_run: build.sh exit $status in $((SECONDS - start)) s (log $tmp/build.log)"
tail -3 "$tmp/build.log"
failures=0
[ "$status" -eq 0 ] || failures=1
cleanup() {
  bazel --output_base="$WORK/bazel" shutdown >/dev/null 2>&1
  [ "$keep" -eq 1 ] || rm -rf "$tmp"
}
if [ "$status" -ne 0 ]; then cleanup; exit 1; fi

echo "dry_run: in \$OUT: $(cd "$OUT" && ls | tr '\n' ' ')"
for bin in "$OUT"/*; do
  [ -x "$bin" ] && [ -f "$bin" ] || continue
  name="$(basename "$bin")"
  corpus="$tmp/corpus-$name"
  mkdir -p "$corpus"
  python3 "$root/fuzz/zip_dir.py" -x "$OUT/${name}_seed_corpus.zip" "$corpus" || failures=$((failures + 1))
  seeds="$(ls "$corpus" | wc -l)"
  # The .options file's [libfuzzer] lines become flags, as ClusterFuzzLite passes them.
  mapfile -t opts < <(sed -n '/^\[libfuzzer\]/,/^\[/{s/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p}' "$OUT/$name.options" |
    sed "s|^-dict=|-dict=$OUT/|")
  # What the binary is made of: libc++ code linked in (std::__1::), and what it needs at run time.
  libcxx="$(nm -C "$bin" 2>/dev/null | grep -c 'std::__1::')"
  needed="$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
  (cd "$tmp" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$bin" "${opts[@]}" -max_total_time="$seconds" \
    -print_final_stats=1 "$corpus" >"$tmp/$name.log" 2>&1)
  rc=$?
  execs="$(awk '/^stat::number_of_executed_units/ {print $2}' "$tmp/$name.log")"
  cov="$(grep -aoE 'cov: [0-9]+' "$tmp/$name.log" | tail -1)"
  echo "dry_run: $name: exit $rc, ${execs:-?} execs in ${seconds} s, $cov, $seeds seeds; $libcxx libc++ (std::__1) symbols, needs: $needed; flags ${opts[*]}"
  if [ "$rc" -ne 0 ] || [ -z "$execs" ]; then
    failures=$((failures + 1))
    grep -aE 'ERROR|SUMMARY|lockstep finding' "$tmp/$name.log" | head -5 | sed 's/^/    /'
  fi
done
cleanup
echo "dry_run: $failures failure(s)"
[ "$failures" -eq 0 ]
