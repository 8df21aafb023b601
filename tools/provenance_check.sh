#!/usr/bin/env bash
# tools/provenance_check.sh [KERNEL_TARBALL | debian:VERSION]: keeps near-copies of kernel text out
# of kernel_shim/. Puts the kernel's headers (include/linux, include/asm-generic,
# include/uapi/linux, from the tarball; default: tools/kernel_tree.py's default tree, Debian's 7.3,
# downloaded once; .ci/run also checks the long-term 6.12) in a scratch git repository as committed
# files and kernel_shim/ as new ones, then asks the `duplicates` tool (the workplace's tool library)
# for the pairs the shim adds. A pair of a shim file and a kernel file that is not in
# tools/provenance_allowlist.txt fails the check: rewrite the shim's code in our own words, or, for
# an interface fact (values, names), add the pair with the reason. Without `duplicates` on PATH it
# says so and exits 0 (the check is for this workplace's machines and CI).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
tarball="${1:-$(python3 tools/kernel_tree.py default)}"
command -v duplicates >/dev/null || { echo "provenance: skipped: no duplicates tool on PATH"; exit 0; }
if [[ "$tarball" == debian:* ]]; then
  # The package's tarball in lockstep's cache (fetched with apt-get download if it is not there).
  tarball="$(python3 tools/kernel_tree.py tarball "$tarball")" || exit 2
fi
[ -f "$tarball" ] || { echo "provenance: no kernel tarball at $tarball"; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
top="$(tar -tJf "$tarball" | head -1 | cut -d/ -f1)"
tar -xJf "$tarball" -C "$work" "$top/include/linux" "$top/include/asm-generic" \
  "$top/include/uapi/linux" || { echo "provenance: cannot extract headers from $tarball"; exit 2; }
mv "$work/$top" "$work/kernel"
git -C "$work" init -q && git -C "$work" add kernel &&
  git -C "$work" -c user.email=provenance@lockstep -c user.name=provenance commit -qm kernel ||
  exit 2
mkdir -p "$work/shim" && cp -r kernel_shim/include kernel_shim/src "$work/shim/"
(cd "$work" && duplicates --change --most 200 --seconds 600) >"$work/pairs.txt" 2>&1
if grep -q '^incomplete:' "$work/pairs.txt"; then
  grep '^incomplete:' "$work/pairs.txt"
  echo "provenance: the duplicates tool did not finish"
  exit 2
fi
# "Dn shim/X:a-b ~ kernel/Y:c-d ..." -> "X ~ Y" for the pairs between the shim and the kernel.
found="$(grep -E '^D[0-9]+ shim/[^ ]+ ~ kernel/' "$work/pairs.txt" |
  sed -E 's/^D[0-9]+ shim\/([^: ]+)[^ ]* ~ kernel\/([^: ]+).*/\1 ~ \2/' | sort -u)"
allowed="$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' tools/provenance_allowlist.txt | grep -v '^$' | sort -u)"
new="$(comm -23 <(echo "$found" | grep -v '^$') <(echo "$allowed"))"
echo "provenance: $(echo "$found" | grep -c .) shim/kernel pair(s) of files, $(echo "$allowed" | grep -c .) accepted"
if [ -n "$new" ]; then
  echo "provenance: FAILED: kernel_shim/ shares runs of lines with kernel headers not accepted in tools/provenance_allowlist.txt:"
  grep -E '^D[0-9]+ shim/[^ ]+ ~ kernel/' "$work/pairs.txt" | while read -r row; do
    key="$(sed -E 's/^D[0-9]+ shim\/([^: ]+)[^ ]* ~ kernel\/([^: ]+).*/\1 ~ \2/' <<<"$row")"
    grep -qxF "$key" <<<"$new" && echo "  $row"
  done
  exit 1
fi
echo "provenance: ok"
