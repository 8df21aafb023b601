#!/usr/bin/env bash
# tools/check_patch_test.sh [--time S]: the check-patch step of docs/ci/landlock-check-patch.yml
# (./lockstep check-patch) on kernel git checkouts made here from the cached Debian trees (run by .ci/run, not by ./lockstep test: it builds each revision
# twice, libFuzzer and -c opt, and fuzzes; see docs/check-patch.md for its runtime).
#
#   series:  6.12.107, then 6.12.117 on top      -> the known classes (sendmsg_fastopen_checked
#                                                   among them), all explained, exit 1
#   comment: 6.12.117, then a comment in net.c  -> no class, no instruction count moved, exit 0
#   a range that does not resolve               -> exit 2, JSON verdict "could not run"
#
# The commits have fixed authors and dates, so the exported trees (keyed by content) and Bazel's
# outputs for them are reused by the next run.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 2
time_s=20
[ "${1:-}" = "--time" ] && time_s="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "check_patch_test: FAIL: $*" >&2
  failures=$((failures + 1))
}
start=$SECONDS

# The cached Debian subsets (kernel_tree.py fetches and extracts them once if missing).
trees="$(cd tools && python3 -c '
import kernel_tree
for spec in ("debian:6.12.107", "debian:6.12.117"):
    print(kernel_tree.resolve(spec)[1])')" || { echo "check_patch_test: cannot get the Debian trees" >&2; exit 2; }
t107="$(sed -n 1p <<<"$trees")"
t117="$(sed -n 2p <<<"$trees")"

export GIT_AUTHOR_NAME=lockstep GIT_AUTHOR_EMAIL=lockstep@localhost
export GIT_COMMITTER_NAME=lockstep GIT_COMMITTER_EMAIL=lockstep@localhost
export GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z"
# commit_tree REPO SRC MESSAGE: REPO's files become SRC's (the subset, without cache markers).
commit_tree() {
  git -C "$1" rm -rq --ignore-unmatch . >/dev/null
  (cd "$2" && tar -c --exclude=.complete --exclude='.extract-*' .) | tar -x -C "$1"
  git -C "$1" add -A && git -C "$1" commit -qm "$3"
}
series="$work/series"
comment="$work/comment"
for r in "$series" "$comment"; do git init -q -b main "$r" || exit 2; done
commit_tree "$series" "$t107" "Linux 6.12.107 (Debian)"
commit_tree "$series" "$t117" "Linux 6.12.117 (Debian)"
commit_tree "$comment" "$t117" "Linux 6.12.117 (Debian)"
sed -i '0,/^static /s//\/* check_patch_test: a comment, nothing else. *\/\nstatic /' \
  "$comment/security/landlock/net.c"
git -C "$comment" commit -qam "landlock: a comment in net.c"
[ "$(git -C "$comment" diff HEAD~1 --numstat)" = "$(printf '1\t0\tsecurity/landlock/net.c')" ] ||
  fail "the comment commit changes more than one line"

# The workflow's check-patch step (docs/ci/landlock-check-patch.yml), its script as it is.
step="$work/step.sh"
python3 - docs/ci/landlock-check-patch.yml "$step" <<'PY' || { echo "check_patch_test: no check-patch step" >&2; exit 2; }
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
steps = [s for job in wf["jobs"].values() for s in job["steps"] if s.get("name") == "check-patch"]
open(sys.argv[2], "w").write("set -e\n" + steps[0]["run"])
PY
# Its `git config --global` must not touch this machine's.
export GIT_CONFIG_GLOBAL="$work/gitconfig"

# run NAME EXPECTED_STATUS REPO RANGE: the step on REPO, with the environment the workflow gives it.
run() {
  local name="$1" want="$2" repo="$3" range="$4" t0=$SECONDS status
  RANGE="$range" LOCKSTEP="$root/lockstep" KERNEL="$repo" OUT="$work/out-$name" \
    REVDIFF_SECONDS="$time_s" bash "$step" | tee "$work/$name.txt"
  status=${PIPESTATUS[0]}
  echo "check_patch_test: $name: exit $status in $((SECONDS - t0)) s"
  [ "$status" -eq "$want" ] || fail "$name: exit status $status, want $want"
}

run series 1 "$series" HEAD~1..HEAD
python3 - "$work/out-series/check-patch.json" <<'PY' || fail "series: JSON (above)"
import json, os, sys
doc = json.load(open(sys.argv[1]))
bad = []
classes = doc["revdiff"]["classes"] if doc.get("revdiff") else []
if doc["verdict"] != "change found" or doc["exit_status"] != 1:
    bad.append("verdict %r, exit_status %r" % (doc["verdict"], doc["exit_status"]))
# 6.12.117 checks TCP Fast Open's sendto as connect; 6.12.107 does not.
if not any(c["class"].startswith("explained: sendmsg_fastopen_checked") and "sendto 0 -> EACCES" in c["class"]
           for c in classes):
    bad.append("no sendmsg_fastopen_checked class with sendto 0 -> EACCES: %s" % [c["class"] for c in classes])
for c in classes:
    if not c["explained"]:
        bad.append("unexplained class: %s" % c["class"])
    if not all(os.path.isfile(s) for s in c["scn"]) or "replay" not in c:
        bad.append("class without its .scn or replay command: %s" % c["class"])
if not doc.get("perf_gate") or not doc["perf_gate"]["rows"]:
    bad.append("no perf gate rows")
print("check_patch_test: series classes: %s" % [c["class"] for c in classes])
for b in bad:
    print("check_patch_test: series: " + b)
sys.exit(1 if bad else 0)
PY

run comment 0 "$comment" HEAD~1..HEAD
python3 - "$work/out-comment/check-patch.json" <<'PY' || fail "comment: JSON (above)"
import json, sys
doc = json.load(open(sys.argv[1]))
bad = []
if doc["verdict"] != "no change" or doc["exit_status"] != 0:
    bad.append("verdict %r, exit_status %r" % (doc["verdict"], doc["exit_status"]))
if not doc.get("revdiff") or doc["revdiff"]["classes"] or doc["revdiff"]["execs"] in (None, 0):
    bad.append("revdiff did not run cleanly: %s" % doc.get("revdiff"))
if not doc.get("perf_gate") or doc["perf_gate"]["changed"]:
    bad.append("perf gate: %s" % (doc.get("perf_gate") or {}).get("changed"))
moved = [r["name"] for r in doc["perf_gate"]["rows"] if r["change_percent"]] if doc.get("perf_gate") else []
print("check_patch_test: comment: workloads whose Ir per op moved at all: %s" % (moved or "none"))
for b in bad:
    print("check_patch_test: comment: " + b)
sys.exit(1 if bad else 0)
PY

run badrange 2 "$series" HEAD~1..no-such-rev
grep -q '"verdict": "could not run"' "$work/out-badrange/check-patch.json" || fail "badrange: JSON verdict"

echo "check_patch_test: $((SECONDS - start)) s, $failures failure(s)"
[ "$failures" -eq 0 ]
