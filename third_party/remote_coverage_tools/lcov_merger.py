#!/usr/bin/env python3
"""Merges lcov tracefiles. Stand-in for Bazel's LcovMerger / CoverageOutputGenerator.

As lcov_merger (per test, run by collect_coverage.sh):
  --coverage_dir=DIR --output_file=FILE [--filter_sources=REGEX]... [--source_file_manifest=FILE]
  merges every lcov file (*.dat, *.info, *.lcov) found under DIR.
As coverage_report_generator (bazel coverage --combined_report=lcov):
  --reports_file=FILE --output_file=FILE
  merges the lcov files listed in FILE, one path per line.
Counts for the same source file are summed; sources under external/kernel_tree*/ are kept despite
--filter_sources. Other flags are accepted and ignored.
"""
import os
import re
import subprocess
import sys


def parse_args(argv):
    opts = {"filter_sources": []}
    for arg in argv:
        if not arg.startswith("--") or "=" not in arg:
            continue
        key, value = arg[2:].split("=", 1)
        if key == "filter_sources":
            opts["filter_sources"].append(value)
        else:
            opts[key] = value
    return opts


class Record:
    def __init__(self):
        self.lines = {}      # line -> count
        self.functions = {}  # name -> first line
        self.fn_hits = {}    # name -> count
        self.branches = {}   # (line, block, branch) -> count or None ("-")


def read_lcov(path, records):
    rec = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("SF:"):
                rec = records.setdefault(line[3:], Record())
            elif rec is None:
                continue
            elif line.startswith("DA:"):
                parts = line[3:].split(",")
                n, count = int(parts[0]), int(float(parts[1]))
                rec.lines[n] = rec.lines.get(n, 0) + count
            elif line.startswith("FN:"):
                n, name = line[3:].split(",", 1)
                rec.functions.setdefault(name, int(n))
            elif line.startswith("FNDA:"):
                count, name = line[5:].split(",", 1)
                rec.fn_hits[name] = rec.fn_hits.get(name, 0) + int(float(count))
            elif line.startswith("BRDA:"):
                n, block, branch, taken = line[5:].split(",", 3)
                key = (int(n), block, branch)
                old = rec.branches.get(key)
                if taken == "-":
                    rec.branches[key] = old
                else:
                    rec.branches[key] = (old or 0) + int(float(taken))
            elif line == "end_of_record":
                rec = None


# The kernel's own files come from the external repository @kernel_tree (and @kernel_tree_b, ...):
# Bazel asks to filter out .*external/.+, but these are the sources lockstep is about.
KEEP = re.compile(r"(.*/)?external/kernel_tree[^/]*/.+")


def write_lcov(path, records, filters):
    patterns = [re.compile(p) for p in filters]
    with open(path, "w", encoding="utf-8") as out:
        for sf in sorted(records):
            if any(p.fullmatch(sf) for p in patterns) and not KEEP.fullmatch(sf):
                continue
            rec = records[sf]
            out.write("SF:%s\n" % sf)
            for name, n in sorted(rec.functions.items(), key=lambda kv: (kv[1], kv[0])):
                out.write("FN:%d,%s\n" % (n, name))
            for name in sorted(rec.fn_hits):
                out.write("FNDA:%d,%s\n" % (rec.fn_hits[name], name))
            out.write("FNF:%d\n" % len(rec.functions))
            out.write("FNH:%d\n" % sum(1 for c in rec.fn_hits.values() if c > 0))
            for (n, block, branch), taken in sorted(rec.branches.items()):
                out.write("BRDA:%d,%s,%s,%s\n" % (n, block, branch, "-" if taken is None else taken))
            if rec.branches:
                out.write("BRF:%d\n" % len(rec.branches))
                out.write("BRH:%d\n" % sum(1 for t in rec.branches.values() if t))
            for n in sorted(rec.lines):
                out.write("DA:%d,%d\n" % (n, rec.lines[n]))
            out.write("LH:%d\n" % sum(1 for c in rec.lines.values() if c > 0))
            out.write("LF:%d\n" % len(rec.lines))
            out.write("end_of_record\n")


def reexport_llvm(coverage_dir):
    """Re-runs collect_cc_coverage.sh's `llvm-cov export`, keeping the kernel's external files.

    Bazel 4.2 exports clang coverage with -ignore-filename-regex='.*external/.+', which drops the
    sources of @kernel_tree. The merged profile (_cc_coverage.dat.data) is still in coverage_dir,
    so export it again without that filter; write_lcov() then applies --filter_sources with the
    kernel_tree exemption. Any failure leaves Bazel's own _cc_coverage.dat in place.
    """
    llvm_cov = os.environ.get("LLVM_COV")
    profile = os.path.join(coverage_dir, "_cc_coverage.dat.data")
    manifest = os.environ.get("COVERAGE_MANIFEST")
    runfiles = os.path.join(os.environ.get("RUNFILES_DIR", ""), os.environ.get("TEST_WORKSPACE", ""))
    if not (llvm_cov and manifest and os.path.isfile(profile) and os.path.isfile(manifest)):
        return
    objects = []
    with open(manifest, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.endswith("runtime_objects_list.txt"):
                with open(line, encoding="utf-8") as objs:
                    for obj in objs:
                        if obj.strip():
                            objects += ["-object", os.path.join(runfiles, obj.strip())]
    if not objects:
        return
    out = subprocess.run([llvm_cov, "export", "-instr-profile", profile, "-format=lcov",
                          "-ignore-filename-regex=/tmp/.+"] + objects,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if out.returncode == 0 and out.stdout:
        with open(os.path.join(coverage_dir, "_cc_coverage.dat"), "w", encoding="utf-8") as f:
            f.write(out.stdout.replace("/proc/self/cwd/", ""))


def main(argv):
    opts = parse_args(argv)
    output = opts.get("output_file")
    if not output:
        print("lcov_merger: --output_file is required", file=sys.stderr)
        return 1
    inputs = []
    if "reports_file" in opts:
        with open(opts["reports_file"], encoding="utf-8") as f:
            inputs += [l.strip() for l in f if l.strip()]
    if "coverage_dir" in opts:
        reexport_llvm(opts["coverage_dir"])
        for root, _, files in os.walk(opts["coverage_dir"]):
            for name in sorted(files):
                if name.endswith((".dat", ".info", ".lcov")):
                    inputs.append(os.path.join(root, name))
    out_abs = os.path.abspath(output)
    records = {}
    for path in inputs:
        if os.path.abspath(path) != out_abs and os.path.isfile(path) and os.path.getsize(path) > 0:
            read_lcov(path, records)
    write_lcov(output, records, opts["filter_sources"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
