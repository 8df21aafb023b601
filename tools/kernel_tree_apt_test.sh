#!/usr/bin/env bash
# Runs tools/kernel_tree_apt_test.py (Python's unittest, no network) with the system python3.
set -euo pipefail
dir="${TEST_SRCDIR:-$(dirname "$0")/..}/${TEST_WORKSPACE:-lockstep}/tools"
[ -f "$dir/kernel_tree_apt_test.py" ] || dir="$(cd "$(dirname "$0")" && pwd)"
exec python3 "$dir/kernel_tree_apt_test.py"
