#!/usr/bin/env bash
# tools/mutants_run.sh: the body of `./lockstep mutants`: the revision-diff fuzzer's mutation score.
#
#   ./lockstep mutants [--time SECONDS (60)] [--only ID,ID...] [--out DIR (mutants-out)]
#
# For each rule of tools/mutants/rules.py for the tree's generation ($LOCKSTEP_KERNEL_TREE, default
# the default tree of tools/kernel_tree.py; tools/mutants.py select): make the mutant tree
# (tools/mutants.py make), fuzz it as revision B against the original (./lockstep revdiff, aborting
# on the first difference of any class) for at most --time seconds, and record killed or survived,
# the time to kill and the class of the first difference (a kill filed otherwise than the rule's
# explained_by says is "misfiled", not counted as killed). A rule of the generation whose search
# text is not exactly once in the tree is recorded as "does not fit". Writes DIR/report.md and
# DIR/report.json; exit status 0 when the kill rate of the mutants believed killable is at least 90%
# and every rule fits the tree.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

time_s=60
only=""
out=mutants-out
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time_s="${2:-}"; shift 2 ;;
    --time=*) time_s="${1#*=}"; shift ;;
    --only) only="${2:-}"; shift 2 ;;
    --only=*) only="${1#*=}"; shift ;;
    --out) out="${2:-}"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    *) echo "lockstep mutants: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "$time_s" =~ ^[0-9]+$ ]] && [ "$time_s" -gt 0 ] || { echo "lockstep mutants: --time needs seconds" >&2; exit 2; }

# The rules of the tree's generation (tools/mutants.py select: an --only id of another generation
# is an error, not a silent skip).
ids_text="$(python3 tools/mutants.py select "$only")" || exit 2
mapfile -t ids <<<"$ids_text"
[ -n "$ids_text" ] && [ ${#ids[@]} -gt 0 ] || { echo "lockstep mutants: no rule matches --only $only" >&2; exit 2; }
generation_line="$(python3 tools/mutants.py tree)" || exit 2

mkdir -p "$out/trees" "$out/runs" || exit 2
out="$(cd "$out" && pwd)"
results="$out/results.tsv"
: >"$results"
for id in "${ids[@]}"; do
  tree="$out/trees/$id"
  run="$out/runs/$id"
  rm -rf "$run" && mkdir -p "$run"
  python3 tools/mutants.py make "$id" "$tree" >/dev/null 2>"$run/make.err"
  rc=$?
  if [ "$rc" -eq 3 ]; then
    # A rule of this generation whose search text is not exactly once in this tree: reported.
    why="$(sed 's/^mutants: //' "$run/make.err" | head -1)"
    printf '%s\t%s\t%s\t%s\t%s\n' "$id" does-not-fit - "$why" - >>"$results"
    echo "lockstep mutants: $id: does not fit this tree: $why"
    continue
  fi
  [ "$rc" -eq 0 ] || { cat "$run/make.err" >&2; echo "lockstep mutants: cannot make $id" >&2; exit 2; }
  echo "lockstep mutants: $id: fuzzing for at most ${time_s}s"
  # libFuzzer's per-input timeout is fuzz/fuzz.sh's for revdiff, 120 s: the first difference's
  # explanation runs inside one input (10 s cut net7_sendmsg_autobind_unchecked's class short).
  LOCKSTEP_REVDIFF_ABORT=any LOCKSTEP_FUZZ_DIR="$run/fuzz" LOCKSTEP_FINDINGS_DIR="$run/findings" \
    ./lockstep --kernel-tree-b "$tree" revdiff --time "$time_s" >"$run/log" 2>&1
  rc=$?
  secs=$(sed -n 's/^lockstep fuzz: done: .*, \([0-9]*\)s$/\1/p' "$run/log" | tail -1)
  finding=$(ls "$run"/findings/*.scn 2>/dev/null | head -1)
  if [ "$rc" -eq 1 ]; then
    verdict=killed
    class=$(sed -n 's/^# class: //p' "$finding" 2>/dev/null | head -1)
    [ -n "$class" ] || class="crash: $(grep -aoE 'SUMMARY: [A-Za-z]+: [A-Za-z-]+' "$run/fuzz/revdiff/fuzz.log" 2>/dev/null | head -1)"
  elif [ "$rc" -eq 0 ]; then
    verdict=survived
    class="-"
  else
    verdict=error
    class="see $run/log"
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$verdict" "${secs:-?}" "$class" "${finding:--}" >>"$results"
  echo "lockstep mutants: $id: $verdict after ${secs:-?}s ${class}"
done

python3 - "$results" "$out" "$time_s" "$generation_line" <<'PY'
import json, sys
sys.path.insert(0, "tools/mutants")
from rules import RULES
results_path, out, time_s, tree_line = sys.argv[1:5]
rules = {r["id"]: r for r in RULES}
rows = []
for line in open(results_path):
    rid, verdict, secs, klass, finding = line.rstrip("\n").split("\t")
    r = rules[rid]
    rows.append(dict(id=rid, file=r["file"].split("/")[-1], what=r["what"], expect=r["expect"],
                     reason=r.get("reason", ""), verdict=verdict, seconds=secs, klass=klass,
                     finding=finding))
unfit = [x for x in rows if x["verdict"] == "does-not-fit"]
killable = [x for x in rows if x["expect"] == "killed" and x["verdict"] != "does-not-fit"]
# A kill is filed as rules.py expects: by the switch of `explained_by`, else as anything but an
# explained class (a bug filed away as a known upstream change is a miss of the explainer).
for x in rows:
    want = rules[x["id"]].get("explained_by")
    got = x["klass"][len("explained: "):].split(" (")[0] if x["klass"].startswith("explained: ") else None
    if x["verdict"] == "killed" and got != want:
        x["verdict"] = "misfiled"
        x["misfiled"] = ("explained by %s, expected %s" % (got, "explained by " + want if want
                                                            else "no explanation")
                         if got else "not explained, expected explained by %s" % want)
killed = [x for x in killable if x["verdict"] == "killed"]
rate = 100.0 * len(killed) / len(killable) if killable else 100.0
lines = ["# Mutation score of the revision-diff fuzzer", "",
         "Each mutant is the tree in use with one rule of `tools/mutants/rules.py` applied, fuzzed as "
         "revision B against the original for at most %s s (`./lockstep mutants`)." % time_s, "",
         "Tree: %s; the rules of its generation." % tree_line, "",
         "Killed: %d of %d mutants believed killable (%.0f%%); %d believed equivalent." % (
             len(killed), len(killable), rate,
             len([x for x in rows if x["expect"] == "equivalent" and x["verdict"] != "does-not-fit"])),
         ""]
if unfit:
    lines += ["**%d rule(s) of this generation do not fit this tree** (search text not exactly once): "
              "%s." % (len(unfit), ", ".join(x["id"] for x in unfit)), ""]
lines += ["| mutant | file | what it breaks | result | time to kill | first difference |",
          "| --- | --- | --- | --- | --- | --- |"]
for x in rows:
    result = x["verdict"]
    if x["verdict"] == "does-not-fit":
        result = "**does not fit this tree**"
    elif x["verdict"] == "misfiled":
        result = "**misfiled** (%s)" % x["misfiled"]
    elif x["verdict"] == "survived":
        result = "survived (equivalent: %s)" % x["reason"] if x["expect"] == "equivalent" else "**survived**"
    lines.append("| %s | %s | %s | %s | %s | %s |" % (
        x["id"], x["file"], x["what"], result,
        (x["seconds"] + " s") if x["verdict"] in ("killed", "misfiled") else "-", x["klass"].replace("|", "/")))
open(out + "/report.md", "w").write("\n".join(lines) + "\n")
json.dump(dict(time_s=int(time_s), tree=tree_line, kill_rate=rate, rows=rows,
               does_not_fit=[x["id"] for x in unfit]), open(out + "/report.json", "w"), indent=1)
print("\n".join(lines))
print("\nlockstep mutants: %d/%d killable mutants killed (%.0f%%)%s; report %s/report.md" % (
    len(killed), len(killable), rate,
    ", %d rule(s) do not fit this tree" % len(unfit) if unfit else "", out))
sys.exit(0 if rate >= 90.0 and not unfit else 1)
PY
