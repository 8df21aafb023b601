#!/bin/bash -eu
# .clusterfuzzlite/build.sh: ClusterFuzzLite's (and OSS-Fuzz's) build step for lockstep, run by the
# base image's `compile` in the image of .clusterfuzzlite/Dockerfile with $SRC, $OUT, $WORK, $CC,
# $CXX, $CFLAGS, $CXXFLAGS and $LIB_FUZZING_ENGINE set. The fuzzers themselves are built by
# fuzz/oss_fuzz_build.sh (the same Bazel targets as ./lockstep fuzz); this script adds what the
# image needs first:
#   - Abseil with the C++ library $CXXFLAGS asks for (libc++ there; Debian's libabsl-dev is
#     libstdc++): built from Debian's source package in $SRC/abseil (.clusterfuzzlite/absl_libcxx.sh)
#     into $WORK and put in place of @absl;
#   - the kernel tree: Debian's linux-source-6.12 tarball the Dockerfile put in /usr/src (the
#     long-term tree, tools/kernel_tree.py default --lts), unless $LOCKSTEP_KERNEL_TREE names
#     another: lockstep's default, Debian 7.3, comes through apt from a Debian mirror, which the
#     builder image (Ubuntu) does not have.
cd "$SRC/lockstep"
export LOCKSTEP_KERNEL_TREE="${LOCKSTEP_KERNEL_TREE:-$(python3 tools/kernel_tree.py default --lts)}"
if [[ " ${CXXFLAGS:-} " == *" -stdlib=libc++ "* ]]; then
  .clusterfuzzlite/absl_libcxx.sh "$SRC/abseil" "$WORK/absl-libcxx"
  export LOCKSTEP_ABSL_REPO="$WORK/absl-libcxx"
fi
# Bazel's output base in $WORK: kept between builds where $WORK is, and never in $OUT.
export LOCKSTEP_BAZEL_STARTUP="--output_base=$WORK/bazel"
fuzz/oss_fuzz_build.sh
