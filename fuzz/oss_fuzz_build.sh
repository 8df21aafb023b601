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
# In a real OSS-Fuzz image: the system libraries lockstep links (Abseil, from Debian's
# libabsl-dev) must be installed by the project's Dockerfile and built with the same C++ library
# as $CXXFLAGS asks for (OSS-Fuzz adds -stdlib=libc++; Debian's Abseil is libstdc++).
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
for f in $CFLAGS; do flags+=("--conlyopt=$f"); done
for f in $CXXFLAGS; do flags+=("--cxxopt=$f"); done
sanitized=0
for f in $CXXFLAGS $LIB_FUZZING_ENGINE; do
  flags+=("--linkopt=$f")
  case "$f" in -fsanitize=*) sanitized=1 ;; esac
done
# Bazel links with $CC (the C driver): the sanitizers' C++ runtime must be asked for explicitly.
[ "$sanitized" -eq 1 ] && flags+=(--linkopt=-fsanitize-link-c++-runtime)
case "$CC" in *clang*) flags+=(--linkopt=-fuse-ld=lld) ;; esac

fuzzers=(differential_fuzzer fault_fuzzer)
targets=()
for f in "${fuzzers[@]}"; do targets+=("//fuzz:$f" "//fuzz:${f}_seed_corpus"); done
bazel build "${flags[@]}" "${targets[@]}"
bin_dir="$(bazel info "${flags[@]}" bazel-bin 2>/dev/null)"

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
