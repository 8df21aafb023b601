#!/usr/bin/env bash
# dict_test.sh SCN_TO_SEED DICT: the checked-in dictionary is what the generator prints.
set -euo pipefail
if ! diff -u "$2" <("$1" --dict); then
  echo "fuzz/lockstep.dict is stale: bazel run //fuzz:scn_to_seed -- --dict > fuzz/lockstep.dict"
  exit 1
fi
echo "dict_test: fuzz/lockstep.dict is current"
