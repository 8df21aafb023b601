#!/usr/bin/env python3
"""Mutant kernel revisions from project-owned rules (tools/mutants/rules.py), and their score.

  mutants.py list                      the rules, one line each
  mutants.py make ID DEST              DEST := the default tree's Landlock subset with rule ID
                                       applied (a directory usable as a kernel tree)
  mutants.py check                     every rule applies exactly once to the default tree

The mutation score itself (`./lockstep mutants`) builds the revision-diff fuzzer with each mutant
as the second tree and runs it against the original; see tools/mutants_run.sh.

A mutant tree is made fresh in DEST from the tree `LOCKSTEP_KERNEL_TREE` names (default: Debian's
linux-source-6.12 tarball) and is never part of the repository.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "mutants"))
from rules import RULES  # noqa: E402

DEFAULT_TREE = "/usr/src/linux-source-6.12.tar.xz"


def base_tree():
    return os.environ.get("LOCKSTEP_KERNEL_TREE") or DEFAULT_TREE


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
                          base_tree(), staging], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr.strip() or "mutants: cannot extract %s" % base_tree())
    # The extraction of a checkout holds symlinks; copy their targets so the base stays untouched.
    shutil.copytree(staging, dest, symlinks=False)
    shutil.rmtree(staging)
    for generated in ("tree_info.h", "tree_info.txt", "generation.bzl", "BUILD.bazel", "WORKSPACE"):
        path = os.path.join(dest, generated)
        if os.path.exists(path):
            os.remove(path)


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
        print("%-30s %-8s %-12s %s" % (r["id"], os.path.basename(r["file"]), r["expect"], r["what"]))


def cmd_make(rule_id, dest):
    r = rule(rule_id)
    dest = os.path.abspath(dest)
    extract(dest)
    err = apply(r, dest)
    if err:
        sys.exit("mutants: " + err)
    print(dest)


def cmd_check():
    import tempfile
    work = tempfile.mkdtemp(prefix="lockstep-mutants-check-")
    tree = os.path.join(work, "tree")
    extract(tree)
    bad = 0
    for r in RULES:
        with open(os.path.join(tree, r["file"]), encoding="utf-8") as f:
            n = f.read().count(r["search"])
        if n != 1:
            bad += 1
            print("mutants: rule %s: search text occurs %d times in %s" % (r["id"], n, r["file"]))
    shutil.rmtree(work)
    print("mutants: %d rules, %d apply exactly once, %d do not" % (len(RULES), len(RULES) - bad, bad))
    return 1 if bad else 0


def main(argv):
    if argv == ["list"]:
        cmd_list()
        return 0
    if len(argv) == 3 and argv[0] == "make":
        cmd_make(argv[1], argv[2])
        return 0
    if argv == ["check"]:
        return cmd_check()
    print(__doc__.strip(), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
