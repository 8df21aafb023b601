#!/usr/bin/env bash
# Build-time checks of the shim, by compiling tiny kernel-world files with each compiler here:
# min()/max()/clamp() of mixed signedness must not compile (the kernel's "signedness error"),
# same-signedness and min_t() must; min() evaluates its arguments once; an unknown CONFIG_ option
# in IS_ENABLED() is an error naming it, in C code and in #if.
set -uo pipefail

inc="${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-.}/kernel_shim/include"
[ -d "$inc" ] || inc="kernel_shim/include"
work="${TEST_TMPDIR:-$(mktemp -d)}"
status=0
compilers=()
for cc in gcc clang-14; do command -v "$cc" >/dev/null && compilers+=("$cc"); done
[ ${#compilers[@]} -gt 0 ] || { echo "no compiler"; exit 1; }

# expect_fail NAME PATTERN <<< C source: compiling must fail and the output match PATTERN.
expect_fail() {
  local name="$1" pattern="$2" cc out
  cat >"$work/$name.c"
  for cc in "${compilers[@]}"; do
    if out="$("$cc" -std=gnu11 -Wall -I"$inc" -c "$work/$name.c" -o /dev/null 2>&1)"; then
      echo "FAIL [$cc] $name: compiled, expected an error matching '$pattern'"
      status=1
    elif ! grep -qE "$pattern" <<<"$out"; then
      echo "FAIL [$cc] $name: the error does not match '$pattern':"
      echo "$out" | head -5
      status=1
    else
      echo "ok   [$cc] $name: $(grep -m1 -oE "$pattern" <<<"$out")"
    fi
  done
}

# expect_ok NAME <<< C source with main(): must compile warning-free and exit 0.
expect_ok() {
  local name="$1" cc out
  cat >"$work/$name.c"
  for cc in "${compilers[@]}"; do
    if ! out="$("$cc" -std=gnu11 -Wall -Werror -I"$inc" "$work/$name.c" -o "$work/$name" 2>&1)"; then
      echo "FAIL [$cc] $name: does not compile:"
      echo "$out" | head -10
      status=1
    elif ! "$work/$name"; then
      echo "FAIL [$cc] $name: exit status $?"
      status=1
    else
      echo "ok   [$cc] $name"
    fi
  done
}

expect_fail min_int_unsigned 'min\(i, u\) signedness error' <<'C'
#include <linux/kernel.h>
int f(int i, unsigned int u) { return min(i, u); }
C
expect_fail max_long_size_t 'max\(l, z\) signedness error' <<'C'
#include <linux/kernel.h>
long f(long l, size_t z) { return max(l, z); }
C
expect_fail min_size_t_negative 'min\(z, -1\) signedness error' <<'C'
#include <linux/kernel.h>
size_t f(size_t z) { return min(z, -1); }
C
expect_fail clamp_mixed 'clamp\(i, lo, hi\) signedness error' <<'C'
#include <linux/kernel.h>
int f(int i, unsigned int lo, unsigned int hi) { return clamp(i, lo, hi); }
C
expect_fail unknown_config_in_if 'CONFIG_LOCKSTEP_NO_SUCH_OPTION' <<'C'
#include <linux/kernel.h>
#if IS_ENABLED(CONFIG_LOCKSTEP_NO_SUCH_OPTION)
int x;
#endif
C
expect_fail unknown_config_in_code 'CONFIG_LOCKSTEP_NO_SUCH_OPTION' <<'C'
#include <linux/kernel.h>
int f(void) { return IS_ENABLED(CONFIG_LOCKSTEP_NO_SUCH_OPTION); }
C

expect_ok minmax_ok <<'C'
#include "lockstep_shim/dup.h"
#include "lockstep_shim/stubs.h"
int main(void)
{
	int i = 0, j = -3;
	unsigned int u = 7;
	size_t z = 10;
	unsigned char c = 200;

	/* Each argument once. */
	if (min(i++, 5) != 0 || i != 1)
		return 1;
	if (max(j, i) != 1 || min(j, i) != -3)
		return 2;
	/* Non-negative constants and promoted narrow unsigned types go with either signedness. */
	if (min(z, 4) != 4 || max(u, 9) != 9 || min(c, j) != -3)
		return 3;
	/* min_t() says the mix is intended. */
	if (min_t(int, j, u) != -3 || max_t(size_t, z, u) != 10)
		return 4;
	if (clamp(j, -1, 1) != -1 || clamp(z, 1, 5) != 5 || clamp(i, 0, 3) != 1)
		return 5;
	if (!IS_ERR_VALUE((unsigned long)-1) || !IS_ERR_VALUE((unsigned long)-MAX_ERRNO) ||
	    IS_ERR_VALUE((unsigned long)-MAX_ERRNO - 1) || IS_ERR_VALUE(0UL))
		return 6;
	if (__const_hweight8(0x1ff) != 8 || __const_hweight16(0xf0f0f) != 8 ||
	    __const_hweight32(0x1ffffffffULL) != 32 || __const_hweight64(~0ULL) != 64)
		return 7;
	if (!IS_ENABLED(CONFIG_INET) || IS_ENABLED(CONFIG_AUDIT))
		return 8;
	return 0;
}
C

exit "$status"
