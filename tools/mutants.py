#!/usr/bin/env python3
"""Mutant kernel revisions from project-owned rules (tools/mutants/rules.py), and their score.

  mutants.py list                      the rules, one line each (with their generations)
  mutants.py select [ID,ID...]         the ids of the rules for the tree's generation (all of
                                       them, or those named); an id of another generation or
                                       an unknown id is an error
  mutants.py make ID DEST              DEST := the tree's Landlock subset with rule ID applied (a
                                       directory usable as a kernel tree); exit status 3 when
                                       the rule's search text does not occur exactly once
  mutants.py check                     every rule of the tree's generation applies exactly once
  mutants.py tree                      the tree in use, as tools/kernel_tree.py check names it

A rule fits a generation of trees ("6.12", "7": tools/kernel_tree.py's names); `select`,
`make` and `check` take the generation from the tree itself.

The mutation score itself (`./lockstep mutants`) builds the revision-diff fuzzer with each mutant
as the second tree and runs it against the original; see tools/mutants_run.sh.

A mutant tree is made fresh in DEST from the tree `LOCKSTEP_KERNEL_TREE` names (default: the
default tree of tools/kernel_tree.py, Debian's 7.3) and is never part of the repository.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "mutants"))
sys.path.insert(0, HERE)
from rules import RULES  # noqa: E402
from kernel_tree import DEFAULT_TREE  # noqa: E402  (the one place the default tree is written)

# The generations a mutant tree may be of: those `./lockstep --kernel-tree` accepts.
GENERATIONS = "7,6.12"
# make: the rule's search text does not occur exactly once in the tree (a stale rule).
EXIT_DOES_NOT_FIT = 3


def base_tree():
    return os.environ.get("LOCKSTEP_KERNEL_TREE") or DEFAULT_TREE


def ask_kernel_tree(command):
    """tools/kernel_tree.py COMMAND's one line for the base tree; exits with its error."""
    out = subprocess.run([sys.executable, os.path.join(HERE, "kernel_tree.py"), command,
                          base_tree(), "--generations=" + GENERATIONS],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr.strip() or "mutants: cannot check %s" % base_tree())
    return out.stdout.strip()


def tree_line():
    """The base tree as tools/kernel_tree.py check describes it ("PATH: Linux 7.3.4, Landlock of
    the 7 generation, fingerprint ...")."""
    return ask_kernel_tree("check")


def tree_generation():
    """The base tree's generation (tools/kernel_tree.py generation)."""
    return ask_kernel_tree("generation")


def rules_for(generation):
    return [r for r in RULES if generation in r["generations"]]


def select(only, generation):
    """The ids to run: the generation's rules, or those of `only` (errors for the others)."""
    chosen = rules_for(generation)
    if not only:
        return [r["id"] for r in chosen]
    fits = {r["id"] for r in chosen}
    ids = []
    for rule_id in only:
        r = rule(rule_id)
        if rule_id not in fits:
            sys.exit("mutants: rule %s is for the %s generation; the tree %s is of the %s "
                     "generation" % (rule_id, ",".join(r["generations"]), base_tree(), generation))
        ids.append(rule_id)
    return ids


def rule(rule_id):
    for r in RULES:
        if r["id"] == rule_id:
            return r
    sys.exit("mutants: no rule %r (see mutants.py list)" % rule_id)


def extract(dest):
    """The base tree's subset as real files in dest (not symlinks: a mutant edits one of them)."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    staging = dest + ".staging"
    if os.path.exists(staging):
        shutil.rmtree(staging)
    out = subprocess.run([sys.executable, os.path.join(HERE, "kernel_tree.py"), "extract",
                          base_tree(), staging, "--generations=" + GENERATIONS],
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr.strip() or "mutants: cannot extract %s" % base_tree())
    # The extraction of a checkout holds symlinks; copy their targets so the base stays untouched.
    shutil.copytree(staging, dest, symlinks=False)
    shutil.rmtree(staging)
    generation = None
    with open(os.path.join(dest, "tree_info.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("generation: "):
                generation = line.split(": ", 1)[1].strip()
    for generated in ("tree_info.h", "tree_info.txt", "generation.bzl", "BUILD.bazel", "WORKSPACE"):
        path = os.path.join(dest, generated)
        if os.path.exists(path):
            os.remove(path)
    return generation


def apply(r, tree):
    path = os.path.join(tree, r["file"])
    with open(path, encoding="utf-8") as f:
        text = f.read()
    n = text.count(r["search"])
    if n != 1:
        return "rule %s: its search text occurs %d times in %s (must be exactly once)" % (
            r["id"], n, r["file"])
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(r["search"], r["replace"]))
    return None


def cmd_list():
    for r in RULES:
        print("%-36s %-10s %-10s %-12s %s" % (r["id"], ",".join(r["generations"]),
                                              os.path.basename(r["file"]), r["expect"], r["what"]))


def cmd_select(only):
    for rule_id in select([x for x in only.split(",") if x], tree_generation()):
        print(rule_id)


def cmd_make(rule_id, dest):
    r = rule(rule_id)
    dest = os.path.abspath(dest)
    generation = extract(dest)
    if generation not in r["generations"]:
        sys.exit("mutants: rule %s is for the %s generation; the tree %s is of the %s generation"
                 % (rule_id, ",".join(r["generations"]), base_tree(), generation))
    err = apply(r, dest)
    if err:
        print("mutants: " + err, file=sys.stderr)
        return EXIT_DOES_NOT_FIT
    print(dest)
    return 0


def cmd_check():
    import tempfile
    work = tempfile.mkdtemp(prefix="lockstep-mutants-check-")
    tree = os.path.join(work, "tree")
    generation = extract(tree)
    rules = rules_for(generation)
    bad = 0
    for r in rules:
        with open(os.path.join(tree, r["file"]), encoding="utf-8") as f:
            n = f.read().count(r["search"])
        if n != 1:
            bad += 1
            print("mutants: rule %s: search text occurs %d times in %s" % (r["id"], n, r["file"]))
    shutil.rmtree(work)
    print("mutants: %d rules of the %s generation, %d apply exactly once, %d do not (%d rules "
          "are for other generations)" % (len(rules), generation, len(rules) - bad, bad,
                                          len(RULES) - len(rules)))
    return 1 if bad else 0


def main(argv):
    if argv == ["list"]:
        cmd_list()
        return 0
    if len(argv) in (1, 2) and argv[0] == "select":
        cmd_select(argv[1] if len(argv) == 2 else "")
        return 0
    if len(argv) == 3 and argv[0] == "make":
        return cmd_make(argv[1], argv[2])
    if argv == ["check"]:
        return cmd_check()
    if argv == ["tree"]:
        print(tree_line())
        return 0
    print(__doc__.strip(), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
