#!/usr/bin/env bash
# fidelity's core on the live kernel, small: N random scenarios (default 2000) on the live kernel,
# its oracle, the compiled tree and the tree's oracle (tools/fidelity.cc). Built in every
# configuration `./lockstep test` runs, so under ASan+UBSan+LSan too: a per-op table out of step
# with OpKind (the old agree[9]/total[9]) is an out-of-bounds write ASan stops on.
#
#   1. As it is: fidelity must finish (exit 0 or 1, not a signal or a sanitizer report), print valid
#      JSON with --json, and count agreement for every op kind break_op --list names, in order.
#   2. One switch of the live kernel's profile flipped on purpose (--flip_switch): the run must
#      meet the disagreement, exit 1, print each new class in the text report, and list it in the
#      JSON, as a sendto class that the flipped switch explains.
#   3. --flip_switch naming no switch: exit 2 with one line naming the switches.
# Where the live kernel cannot be used (no Landlock ABI 4+, no namespaces), the test is skipped with
# fidelity's reason ("lockstep-skip: ...", counted as a skip by ./lockstep test).
#
# Arguments: the fidelity binary, the break_op binary, and optionally N.
set -uo pipefail

fidelity="$1"
break_op="$2"
n="${3:-2000}"
switch=sendmsg_fastopen_checked
tmp="${TEST_TMPDIR:-$(mktemp -d)}"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run NAME ARGS...: fidelity with --json; stdout to $tmp/NAME.json, the text report to NAME.txt.
run() {
  local name="$1"
  shift
  "$fidelity" --scenarios="$n" --minimize_tries=300 --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.txt"
}

run plain
status=$?
if [ "$status" -eq 2 ] && grep -q '^fidelity: skipped: ' "$tmp/plain.txt"; then
  reason="$(sed -n 's/^fidelity: skipped: //p' "$tmp/plain.txt" | head -1)"
  echo "lockstep-skip: no usable live kernel here: $reason"
  exit 0
fi
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  tail -40 "$tmp/plain.txt" >&2
  fail "fidelity --scenarios=$n exited with status $status (0 or 1 expected: a crash or sanitizer report?)"
fi

kinds="$("$break_op" --list | awk '{print $1}' | paste -sd' ')" || fail "break_op --list failed"
[ -n "$kinds" ] || fail "break_op --list printed no op kinds"

# check_json NAME: valid JSON with every op kind's agreement row in every comparison; prints the
# live-vs-oracle classes as "op|a|b|scenarios|explained_by" lines to NAME.classes.
check_json() {
  python3 - "$tmp/$1.json" "$kinds" >"$tmp/$1.classes" <<'EOF' || fail "$1: --json output: see above"
import json
import sys

path, kinds = sys.argv[1], sys.argv[2].split()
try:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
except (OSError, ValueError) as e:
    sys.exit("not valid JSON: %s" % e)
comparisons = doc.get("comparisons")
if not isinstance(comparisons, list) or len(comparisons) != 3:
    sys.exit("want 3 comparisons, got %r" % (comparisons,))
for c in comparisons:
    ops = [row["op"] for row in c["agreement"]]
    if ops != kinds:
        sys.exit("%s: agreement rows %s, want every op kind %s" % (c["title"], ops, kinds))
    disagreeing = sum(row["total"] - row["agree"] for row in c["agreement"])
    if disagreeing != c["disagreeing_ops"]:
        sys.exit("%s: rows sum to %d disagreeing ops, disagreeing_ops says %d"
                 % (c["title"], disagreeing, c["disagreeing_ops"]))
    if bool(c["classes"]) != bool(disagreeing):
        sys.exit("%s: %d disagreeing ops but %d classes" % (c["title"], disagreeing,
                                                           len(c["classes"])))
    for k in c["classes"]:
        if k["op"] not in kinds or k["scenarios"] < 1 or not k["scn"].strip():
            sys.exit("%s: malformed class %r" % (c["title"], k))
for k in comparisons[0]["classes"]:
    print("|".join([k["op"], k["a"], k["b"], str(k["scenarios"]), k["explained_by"]]))
EOF
}
check_json plain

# 2. The planted disagreement.
run flipped --flip_switch="$switch"
status=$?
[ "$status" -eq 1 ] || { tail -40 "$tmp/flipped.txt" >&2; fail "--flip_switch=$switch: exit status $status, want 1 (a disagreement)"; }
grep -q "^flipped on purpose: the live kernel's oracle is .* with $switch=" "$tmp/flipped.txt" ||
  fail "--flip_switch=$switch: no 'flipped on purpose' line"
check_json flipped
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["flipped_switch"] != sys.argv[2])' \
  "$tmp/flipped.json" "$switch" || fail "--json: flipped_switch is not $switch"

# Classes the flip made: in the flipped run's live-vs-oracle classes, not in the plain run's.
cut -d'|' -f1-3 "$tmp/plain.classes" | sort >"$tmp/plain.keys"
planted="$(cut -d'|' -f1-3 "$tmp/flipped.classes" | sort | comm -13 "$tmp/plain.keys" -)"
[ -n "$planted" ] || { cat "$tmp/flipped.classes" >&2; fail "--flip_switch=$switch: no new disagreement class in $n scenarios"; }
while IFS='|' read -r op a b; do
  [ "$op" = sendto ] || fail "flipping $switch made a $op class ($a vs $b): only sendto depends on it"
  line="$(grep -F "$op|$a|$b|" "$tmp/flipped.classes")"
  case "${line##*|}" in
    *"$switch"*) ;;
    *) fail "class $op $a vs $b: explained by '${line##*|}', want it to name $switch" ;;
  esac
  # The text report prints the class: "  sendto: LIVE A, ORACLE(...) B — N scenario(s); explained by: ..."
  grep -qF "  $op: " "$tmp/flipped.txt" && grep -F "  $op: " "$tmp/flipped.txt" | grep -qF " $a, oracle(" ||
    fail "the text report does not print the class $op $a vs $b"
  echo "planted class: $op: live $a, oracle $b (${line##*|})"
done <<<"$planted"

# 3. A switch that does not exist.
"$fidelity" --scenarios=1 --flip_switch=no_such_switch >"$tmp/bad.txt" 2>&1
status=$?
[ "$status" -eq 2 ] || fail "--flip_switch=no_such_switch: exit status $status, want 2"
grep -q "no switch 'no_such_switch' (switches: .*$switch" "$tmp/bad.txt" ||
  fail "--flip_switch=no_such_switch: no line naming the switches"

echo "plain run ($n scenarios): $(wc -l <"$tmp/plain.classes") live-vs-oracle class(es); flipped: $(wc -l <"$tmp/flipped.classes")"
sed 's/^/  plain class: /' "$tmp/plain.classes"
echo "PASS: fidelity on $n scenarios, plain and with $switch flipped; --json valid; every op kind counted"
