#!/usr/bin/env bash
# fuzz/oss_fuzz_build.sh: OSS-Fuzz / ClusterFuzzLite build.sh contract for lockstep.
#
# Honours $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $OUT and writes into $OUT, per fuzzer:
#   <fuzzer>                    the fuzz target (differential_fuzzer, fault_fuzzer)
#   <fuzzer>_seed_corpus.zip    corpus/*.scn compiled to binary seeds
#   <fuzzer>.dict               fuzz/lockstep.dict
#   <fuzzer>.options            libFuzzer options (max_len, timeout)
# Drives Bazel with those variables: --repo_env=CC, one --copt per CFLAGS word, one --cxxopt per
# CXXFLAGS word, and CXXFLAGS + LIB_FUZZING_ENGINE as link options, with the fuzz targets' own
# engine selection off (--define=lockstep_fuzzing_engine=external). Tried here with
#   CC=clang-14 CXX=clang++-14 CFLAGS=CXXFLAGS="-fsanitize=address,fuzzer-no-link"
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/ossfuzz-out fuzz/oss_fuzz_build.sh
# and with base-builder's environment and libc++ by .clusterfuzzlite/dry_run.sh.
# C++ library: OSS-Fuzz's CXXFLAGS hold -stdlib=libc++. Then the host tools (scn_to_seed) are
# built with it too, every binary links libc++ and libc++abi statically instead of Bazel's default
# -lstdc++ (BAZEL_LINKLIBS), and Abseil must be built with libc++ as well: Debian's libabsl-dev is
# libstdc++ and does not link. $LOCKSTEP_ABSL_REPO names a Bazel repository that replaces @absl
# (.clusterfuzzlite/absl_libcxx.sh builds one from Debian's source package; .clusterfuzzlite/build.sh
# does that in the ClusterFuzzLite image). $LOCKSTEP_BAZEL_STARTUP: Bazel startup options.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

: "${CC:?set CC}" "${CXX:?set CXX}" "${OUT:?set OUT}"
CFLAGS="${CFLAGS:-}"
CXXFLAGS="${CXXFLAGS:-}"
LIB_FUZZING_ENGINE="${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}"
mkdir -p "$OUT"

flags=(--repo_env=CC="$CC" --repo_env=CXX="$CXX" --platform_suffix=-ossfuzz
       --define=lockstep_fuzzing_engine=external --copt=-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
       --copt=-gline-tables-only --dynamic_mode=off)
[ -n "${LOCKSTEP_KERNEL_TREE:-}" ] && flags+=(--repo_env=LOCKSTEP_KERNEL_TREE="$LOCKSTEP_KERNEL_TREE")
[ -n "${LOCKSTEP_ABSL_REPO:-}" ] && flags+=(--override_repository=absl="$LOCKSTEP_ABSL_REPO")
if [[ " $CXXFLAGS " == *" -stdlib=libc++ "* ]]; then
  # -static-libstdc++: the C++ library clang's driver adds for -fsanitize=fuzzer static as well.
  flags+=(--host_cxxopt=-stdlib=libc++ --linkopt=-static-libstdc++
          "--repo_env=BAZEL_LINKLIBS=-Wl,-Bstatic:-lc++:-lc++abi:-Wl,-Bdynamic:-lm")
fi
startup=()
[ -n "${LOCKSTEP_BAZEL_STARTUP:-}" ] && read -r -a startup <<<"$LOCKSTEP_BAZEL_STARTUP"
# Another output base must not take over the checkout's bazel-* links.
[ ${#startup[@]} -gt 0 ] && flags+=(--symlink_prefix=/)
for f in $CFLAGS; do flags+=("--conlyopt=$f"); done
for f in $CXXFLAGS; do flags+=("--cxxopt=$f"); done
# libFuzzer's coverage only on the code under test, as --config=libfuzzer has it (.bazelrc).
case " $CFLAGS $CXXFLAGS " in
  *fuzzer-no-link*) flags+=(--config=fuzz_coverage_under_test) ;;
esac
sanitized=0
for f in $CXXFLAGS $LIB_FUZZING_ENGINE; do
  flags+=("--linkopt=$f")
  case "$f" in -fsanitize=*) sanitized=1 ;; esac
done
# Bazel links with $CC (the C driver): the sanitizers' C++ runtime must be asked for explicitly.
[ "$sanitized" -eq 1 ] && flags+=(--linkopt=-fsanitize-link-c++-runtime)
# lld for host tools too: it takes static archives (Abseil from source) in any order.
case "$CC" in *clang*) flags+=(--linkopt=-fuse-ld=lld --host_linkopt=-fuse-ld=lld) ;; esac

fuzzers=(differential_fuzzer fault_fuzzer)
targets=()
for f in "${fuzzers[@]}"; do targets+=("//fuzz:$f" "//fuzz:${f}_seed_corpus"); done
bazel "${startup[@]}" build "${flags[@]}" "${targets[@]}"
bin_dir="$(bazel "${startup[@]}" info "${flags[@]}" bazel-bin 2>/dev/null)"

for f in "${fuzzers[@]}"; do
  install -m 0755 "$bin_dir/fuzz/$f" "$OUT/$f"
  install -m 0644 "$bin_dir/fuzz/${f}_seed_corpus.zip" "$OUT/${f}_seed_corpus.zip"
  install -m 0644 fuzz/lockstep.dict "$OUT/$f.dict"
  cat >"$OUT/$f.options" <<OPTIONS
[libfuzzer]
dict = $f.dict
max_len = 512
timeout = 10
OPTIONS
done
echo "oss_fuzz_build: wrote ${fuzzers[*]} (+ _seed_corpus.zip, .dict, .options) to $OUT"
