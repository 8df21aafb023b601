#!/usr/bin/env bash
# Installs the Debian packages lockstep needs, only those missing. Idempotent: a second run on a
# ready machine checks `dpkg-query` and exits in well under a second.
set -euo pipefail

# Each package is here for one reason; keep this list the single source of truth.
packages=(
  bazel-bootstrap        # Bazel 4.2.3, offline
  bazel-rules-java       # @rules_java as a local repository
  g++                    # default toolchain
  clang-14               # libFuzzer, sanitizers, coverage
  clangd-14              # ./lockstep compdb: its test checks clangd parses the kernel files
  libclang-rt-14-dev     # ASan/UBSan/LSan/libFuzzer runtimes
  lld-14                 # libFuzzer link
  llvm-14                # llvm-cov, llvm-profdata, llvm-symbolizer
  afl++                  # AFL++ 4.04c, built on clang-14
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libabsl-dev
  linux-source-6.12      # default kernel tree (tarball under /usr/src)
  xz-utils               # kernel tarball extraction
  python3
  gdb
  libcap-dev             # the kernel's Landlock selftests (./lockstep selftests) link libcap
  valgrind               # callgrind instruction counts for the perf gate
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "lockstep setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
