#!/usr/bin/env python3
"""Writes compile_commands.json (clangd, clang-tidy) from Bazel's own compile actions.

  compdb.py --aquery AQUERY.json --workspace DIR --execroot DIR --output-base DIR --out FILE
            [--tree-repo kernel_tree]

AQUERY.json is `bazel aquery --output=jsonproto 'mnemonic("CppCompile", //...)'` for the
configuration wanted (./lockstep compdb: the default one). Each action becomes one entry with the
action's own arguments, in its order (so the include order is the build's: kernel_shim/include
before the tree's include/), with every path made absolute:

  external/REPO/...  -> OUTPUT_BASE/external/REPO/...  (the kernel tree's files and headers)
  bazel-out/...      -> EXECROOT/bazel-out/...          (generated headers: tree_info.h, ...)
  anything else      -> WORKSPACE/...                   (our sources, kernel_shim/include)

and `directory` the workspace, so an editor opening any file of either side finds it. Dropped:
what only concerns the action's outputs (-o, -MD/-MF, -frandom-seed) and gcc options clang does
not know (-fno-canonical-system-headers, ...: clangd reports them as errors).

A source compiled by several actions (an adapter built for two trees) keeps the action of the
tree in use (--tree-repo), else the first. Prints one summary line; exit status 1 if nothing was
found.
"""
import argparse
import json
import os
import sys

# gcc options that clang (and so clangd) does not accept.
GCC_ONLY = {
    "-fno-canonical-system-headers",
    "-Wunused-but-set-parameter",
    "-Wno-free-nonheap-object",
}
# Options taking a path as the next argument, or glued to it.
PATH_OPTIONS = ("-I", "-iquote", "-isystem", "-idirafter", "-include", "-imacros", "-c")


def absolute(path, workspace, execroot, output_base):
    if os.path.isabs(path):
        return path
    norm = os.path.normpath(path)
    if norm == "external" or norm.startswith("external/"):
        return os.path.join(output_base, norm)
    if norm == "bazel-out" or norm.startswith("bazel-out/"):
        return os.path.join(execroot, norm)
    return workspace if norm == "." else os.path.join(workspace, norm)


def entry(args, workspace, execroot, output_base):
    """(source, compile_commands.json entry) for one CppCompile action's arguments."""
    out = [args[0]]
    source = None
    i = 1
    while i < len(args):
        a = args[i]
        if a in ("-o", "-MF", "-MT", "-MQ"):
            i += 2
            continue
        if a in ("-MD", "-MMD") or a.startswith("-frandom-seed=") or a in GCC_ONLY:
            i += 1
            continue
        if a in PATH_OPTIONS and i + 1 < len(args):
            p = absolute(args[i + 1], workspace, execroot, output_base)
            if a == "-c":
                source = p
            out += [a, p]
            i += 2
            continue
        glued = next((o for o in ("-I", "-isystem", "-iquote") if a.startswith(o) and len(a) > len(o)),
                     None)
        if glued:
            out.append(glued + absolute(a[len(glued):], workspace, execroot, output_base))
        else:
            out.append(a)
        i += 1
    if source is None:
        return None, None
    return source, {"directory": workspace, "file": source, "arguments": out}


def main(argv):
    ap = argparse.ArgumentParser(prog="compdb.py")
    ap.add_argument("--aquery", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--execroot", required=True)
    ap.add_argument("--output-base", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tree-repo", default="kernel_tree")
    a = ap.parse_args(argv)
    with open(a.aquery) as f:
        doc = json.load(f)
    tree_include = "external/%s/" % a.tree_repo
    chosen = {}  # source -> (uses the tree in use, entry)
    for action in doc.get("actions", []):
        if action.get("mnemonic") != "CppCompile":
            continue
        args = action.get("arguments", [])
        source, e = entry(args, a.workspace, a.execroot, a.output_base)
        if source is None:
            continue
        in_use = any(x.startswith("-I" + tree_include) for x in args)
        if source not in chosen or (in_use and not chosen[source][0]):
            chosen[source] = (in_use, e)
    entries = [e for _, e in sorted(chosen.values(), key=lambda v: v[1]["file"])]
    if not entries:
        print("compdb: no C/C++ compile actions in %s" % a.aquery, file=sys.stderr)
        return 1
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")
    os.replace(tmp, a.out)
    kernel = [e for e in entries if e["file"].startswith(os.path.join(a.output_base, "external"))]
    print("compdb: %s: %d files (%d of them from kernel trees under %s/external)"
          % (a.out, len(entries), len(kernel), a.output_base))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
