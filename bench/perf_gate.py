#!/usr/bin/env python3
"""lockstep's performance gate: instruction counts (callgrind) vs a committed baseline.

  perf_gate.py run --binary PATH --baseline bench/perf_baseline.json --compiler STR --config STR
                   [--rebaseline] [--threshold 3] [--out-dir DIR] [--reproduce CMD]

Runs PATH (bench:perf_gate_workloads, built with the pinned config) under
`valgrind --tool=callgrind --instr-atstart=no`, the kernel engine's workloads and the oracle's in
two processes (so neither's heap history moves the other's malloc paths): each workload is
measured between CALLGRIND_START/STOP_INSTRUMENTATION and dumped under its own name. Per
workload it keeps the total Ir and each function's own Ir (callgrind_annotate), divided by the
workload's op count.

The gate fails (exit 1) when a workload's Ir per op rises more than --threshold percent over the
baseline, printing one row per workload and, for each failing one, the functions whose Ir grew.
It also fails when the workload list or the build config (compiler, compilation mode, valgrind)
differs from the baseline's: counts are only comparable under the same config. --rebaseline
writes the current counts as the new baseline instead.

Instruction counts are deterministic for a given binary: the binary runs with a fixed
environment and argv (env -i, ./perf_gate_workloads from a scratch directory), so the stack
layout, and with it glibc's alignment-dependent paths, is the same every run.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

DEFAULT_THRESHOLD = 3.0
TOP_FUNCTIONS = 3  # functions named per failing workload in the summary table


# --- parsing ------------------------------------------------------------------------------------

ANNOTATE_LINE = re.compile(r"^\s*([0-9,]+)\s+\(\s*[0-9.]+%\)\s+(.*)$")


def parse_annotate(text):
    """{function: Ir} from `callgrind_annotate --inclusive=no` output ("???:" and " [obj]" dropped)."""
    functions = {}
    in_table = False
    for line in text.splitlines():
        if line.startswith("Ir") and "file:function" in line:
            in_table = True
            continue
        if not in_table:
            continue
        m = ANNOTATE_LINE.match(line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        name = m.group(2).strip()
        name = re.sub(r"\s+\[[^\]]*\]$", "", name)  # the object file
        if ":" in name and not name.startswith("::"):
            prefix, rest = name.split(":", 1)
            if prefix == "???" or "/" in prefix or prefix.endswith((".c", ".cc", ".h")):
                name = rest
        functions[name] = functions.get(name, 0) + ir
    return functions


def parse_dump_header(text):
    """(workload name, total Ir) of one callgrind dump file."""
    name = None
    total = None
    for line in text.splitlines():
        if line.startswith("desc: Trigger: Client Request: "):
            name = line[len("desc: Trigger: Client Request: "):].strip()
        elif line.startswith("totals:"):
            total = int(line.split()[1])
    return name, total


def parse_manifest(text):
    """The workload binary's stdout: [(name, ops)] in order, and the kernel's
    {"kernel": version, "generation": generation}."""
    workloads = []
    kernel = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        obj = json.loads(line)
        if "name" in obj:
            workloads.append((obj["name"], int(obj["ops"])))
        elif "kernel" in obj:
            kernel = obj
    return workloads, kernel


# --- measuring ----------------------------------------------------------------------------------


def measure(binary, out_dir):
    """Runs the workloads under callgrind; returns {name: {"ops", "ir", "ir_per_op", "functions"}}
    (functions: own Ir per op) and the kernel version the binary was built from."""
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.startswith("callgrind.out"):
            os.remove(os.path.join(out_dir, f))
    local = os.path.join(out_dir, "perf_gate_workloads")
    shutil.copyfile(binary, local)
    os.chmod(local, 0o755)
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
    # Two processes: the kernel engine's workloads, then the oracle's. A malloc's path depends on
    # the heap the process has been through: after the shim's tasks, the oracle's one allocation
    # per task took _int_malloc's slow path (+169 Ir per task) or not depending on the shim's
    # object sizes, which no oracle change could explain.
    manifest, kernel = [], None
    for group, selector in (("kernel", "!oracle/"), ("oracle", "oracle/")):
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             "--callgrind-out-file=callgrind.out.%s" % group, "./perf_gate_workloads", selector],
            cwd=out_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit("perf-gate: the workload binary failed under valgrind (exit %d)"
                             % proc.returncode)
        group_manifest, kernel = parse_manifest(proc.stdout)
        manifest += group_manifest
    ops = dict(manifest)
    results = {}
    dumps = [f for f in os.listdir(out_dir)
             if re.match(r"^callgrind\.out\.(kernel|oracle)\.\d+$", f)]
    for f in sorted(dumps, key=lambda s: (s.split(".")[2] != "kernel", int(s.rsplit(".", 1)[1]))):
        path = os.path.join(out_dir, f)
        with open(path) as fh:
            name, total = parse_dump_header(fh.read())
        if name not in ops:
            continue
        annotate = subprocess.run(
            ["callgrind_annotate", "--inclusive=no", "--threshold=100", path],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout
        n = ops[name]
        results[name] = {
            "ops": n,
            "ir": total,
            "ir_per_op": round(total / n, 3),
            "functions": {fn: round(ir / n, 3) for fn, ir in
                          sorted(parse_annotate(annotate).items(), key=lambda kv: -kv[1])},
            "dump": path,
        }
    missing = [n for n, _ in manifest if n not in results]
    if missing:
        raise SystemExit("perf-gate: no callgrind dump for %s" % ", ".join(missing))
    # Keep the binary's own order.
    return {n: results[n] for n, _ in manifest}, kernel


# --- comparing ----------------------------------------------------------------------------------


def compare(baseline, current, threshold=DEFAULT_THRESHOLD):
    """Compares two gate documents ({"config": {...}, "workloads": {...}}).

    Returns (ok, rows, problems): rows are dicts per workload (name, base, now, change_percent,
    status, grew: [(function, base, now)]), problems one-line strings that fail the gate.
    """
    problems = []
    bcfg = baseline.get("config", {})
    ccfg = current.get("config", {})
    for key in ("compilation_mode", "compiler", "valgrind"):
        if bcfg.get(key) != ccfg.get(key):
            problems.append("config differs: %s is %r here, %r in the baseline (counts are not "
                            "comparable: rebaseline on the CI machine's toolchain)"
                            % (key, ccfg.get(key), bcfg.get(key)))
    # Releases and patches may differ (the archive moves; a patch is what is gated), another
    # generation of Landlock's code may not (6.12's per-right masks against 7.x's domains): known
    # by the tree's code, as the build knows it, not by its version label.
    bgen, cgen = bcfg.get("kernel_generation"), ccfg.get("kernel_generation")
    if bgen != cgen:
        problems.append("kernel generation differs: %s (Linux %s) here, %s (Linux %s) in the "
                        "baseline (other Landlock code: gate a tree of the baseline's "
                        "generation, or --rebaseline)"
                        % (cgen, ccfg.get("kernel_tree"), bgen, bcfg.get("kernel_tree")))
    rows = []
    bw = baseline.get("workloads", {})
    cw = current.get("workloads", {})
    for name in list(bw) + [n for n in cw if n not in bw]:
        if name not in cw:
            problems.append("workload %s is in the baseline but was not measured" % name)
            rows.append({"name": name, "base": bw[name]["ir_per_op"], "now": None,
                         "change_percent": None, "status": "MISSING", "grew": []})
            continue
        if name not in bw:
            problems.append("workload %s is not in the baseline" % name)
            rows.append({"name": name, "base": None, "now": cw[name]["ir_per_op"],
                         "change_percent": None, "status": "NEW", "grew": []})
            continue
        base = bw[name]["ir_per_op"]
        now = cw[name]["ir_per_op"]
        change = (now - base) / base * 100.0 if base else 0.0
        bf = bw[name].get("functions", {})
        cf = cw[name].get("functions", {})
        deltas = []
        for fn in set(bf) | set(cf):
            d = cf.get(fn, 0.0) - bf.get(fn, 0.0)
            if d > 0:
                deltas.append((fn, bf.get(fn, 0.0), cf.get(fn, 0.0)))
        deltas.sort(key=lambda t: -(t[2] - t[1]))
        if change > threshold + 1e-9:  # "more than": exactly +threshold% passes
            status = "FAIL"
            problems.append("%s: %.1f -> %.1f Ir per op (%+.2f%%, limit +%.1f%%)"
                            % (name, base, now, change, threshold))
        elif change < -threshold:
            status = "faster"
        else:
            status = "ok"
        rows.append({"name": name, "base": base, "now": now, "change_percent": change,
                     "status": status, "grew": deltas})
    return not problems, rows, problems


def fmt_num(v):
    return "-" if v is None else "{:,.1f}".format(v)


def render(rows, problems, threshold=DEFAULT_THRESHOLD):
    """The gate's table, as printed."""
    out = []
    width = max([len("workload")] + [len(r["name"]) for r in rows])
    head = "%-*s  %12s  %12s  %8s  %-6s  %s" % (width, "workload", "base Ir/op", "now Ir/op",
                                                "change", "status", "function that grew most")
    out.append(head)
    out.append("-" * len(head))
    for r in rows:
        change = "-" if r["change_percent"] is None else "%+.2f%%" % r["change_percent"]
        grew = ""
        if r["grew"]:
            fn, b, n = r["grew"][0]
            grew = "%s %+.1f" % (fn, n - b)
        out.append("%-*s  %12s  %12s  %8s  %-6s  %s" % (width, r["name"], fmt_num(r["base"]),
                                                        fmt_num(r["now"]), change, r["status"],
                                                        grew))
    failing = [r for r in rows if r["status"] == "FAIL"]
    for r in failing:
        out.append("")
        out.append("%s: functions whose own Ir per op grew" % r["name"])
        fw = max([len("function")] + [len(fn) for fn, _, _ in r["grew"][:10]])
        out.append("  %-*s  %10s  %10s  %10s" % (fw, "function", "base", "now", "delta"))
        for fn, b, n in r["grew"][:10]:
            out.append("  %-*s  %10s  %10s  %+10.1f" % (fw, fn, fmt_num(b), fmt_num(n), n - b))
    if problems:
        out.append("")
        for p in problems:
            out.append("perf-gate: " + p)
    return "\n".join(out)


# --- command line -------------------------------------------------------------------------------


def valgrind_version():
    return subprocess.run(["valgrind", "--version"], stdout=subprocess.PIPE, text=True,
                          check=True).stdout.strip()


def main(argv):
    ap = argparse.ArgumentParser(prog="perf_gate.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run")
    run.add_argument("--binary", required=True)
    run.add_argument("--baseline", required=True)
    run.add_argument("--compiler", required=True)
    run.add_argument("--config", required=True, help="compilation mode, e.g. opt")
    run.add_argument("--rebaseline", action="store_true")
    run.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    run.add_argument("--out-dir", default=None)
    run.add_argument("--reproduce", default="./lockstep perf-gate")
    args = ap.parse_args(argv)

    out_dir = args.out_dir or tempfile.mkdtemp(prefix="lockstep-perf-gate.")
    workloads, kernel = measure(args.binary, out_dir)
    kernel_shown = "%s, generation %s" % (kernel.get("kernel", "?"), kernel.get("generation", "?"))
    current = {
        "config": {
            "compilation_mode": args.config,
            "compiler": args.compiler,
            "valgrind": valgrind_version(),
            "kernel_tree": kernel.get("kernel", ""),
            "kernel_generation": kernel.get("generation", ""),
            "threshold_percent": args.threshold,
        },
        "workloads": {n: {k: v for k, v in w.items() if k != "dump"}
                      for n, w in workloads.items()},
    }
    with open(os.path.join(out_dir, "current.json"), "w") as f:
        json.dump(current, f, indent=1, sort_keys=False)
        f.write("\n")

    if args.rebaseline:
        doc = dict(current)
        doc = {"about": "Instruction counts per op of bench:perf_gate_workloads under callgrind "
                        "(./lockstep perf-gate). Rewrite with ./lockstep perf-gate --rebaseline; "
                        "only comparable under the same config.",
               **doc}
        with open(args.baseline, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print("perf-gate: baseline rewritten: %s (%d workloads, kernel %s, %s, -c %s)"
              % (args.baseline, len(workloads), kernel_shown, args.compiler, args.config))
        return 0

    try:
        with open(args.baseline) as f:
            baseline = json.load(f)
    except OSError as e:
        print("perf-gate: no baseline (%s): run %s --rebaseline" % (e, args.reproduce))
        return 1
    ok, rows, problems = compare(baseline, current, args.threshold)
    print(render(rows, problems, args.threshold))
    print()
    if ok:
        print("perf-gate: ok: %d workloads within +%.1f%% of the baseline (kernel %s)"
              % (len(rows), args.threshold, kernel_shown))
        return 0
    print("perf-gate: FAILED. callgrind dumps: %s/callgrind.out.GROUP.N (callgrind_annotate FILE)"
          % out_dir)
    print("perf-gate: reproduce: %s" % args.reproduce)
    print("perf-gate: if the change is intended: %s --rebaseline, and commit %s"
          % (args.reproduce, args.baseline))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
