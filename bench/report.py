#!/usr/bin/env python3
"""Turns bench:decision_benchmark's Google Benchmark JSON into things people read.

  report.py svg JSON OUT.svg [--engine kernel] [--path hook] [--op connect] [--family ipv4]
        ns per decision vs rules per layer (log x-axis), one colour per layer count, hit solid
        and miss dashed; a self-contained SVG (no plotting library)
  report.py table JSON [--update docs/benchmarks.md]
        markdown tables (medians); --update replaces the text between
        <!-- bench:begin --> and <!-- bench:end --> in that file
  report.py ab JSON
        the --ab run: per workload the median of A (@kernel_tree) and B (@kernel_tree_b) and the
        ratio B/A (> 1: B is slower), then the geometric mean of the ratios per kind
  report.py pathwalk JSON [--update docs/benchmarks.md]
        bench:path_walk_benchmark's markdown tables (ns per open vs depth, rules, layers; the
        fs_bench workload per level); --update replaces the text between
        <!-- pathwalk:begin --> and <!-- pathwalk:end --> in that file

Times are medians over repetitions (--benchmark_repetitions, or the A/B run's reps) of each
benchmark's CPU time per operation: on a shared machine the thread's CPU time is far steadier
than wall time. The live syscalls report the worker thread's CPU time (user + system) through
manual time. Standard library only.
"""
import argparse
import json
import math
import re
import statistics
import sys

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
PATHWALK_BEGIN = "<!-- pathwalk:begin -->"
PATHWALK_END = "<!-- pathwalk:end -->"
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def parse_name(name):
    """Fields of a benchmark name (see decision_benchmark.cc and path_walk_benchmark.cc), or None
    for a foreign name."""
    parts = name.split("/")
    fields = {}
    rest = []
    for p in parts:
        if ":" in p:
            k, v = p.split(":", 1)
            fields[k] = v
        else:
            rest.append(p)
    if rest and rest[-1] == "manual_time":
        rest.pop()
    if not rest:
        return None
    kind = rest[0]
    f = {"kind": kind, "layers": int(fields.get("layers", 0)), "rules": int(fields.get("rules", 0)),
         "rev": fields.get("rev"), "rep": fields.get("rep")}
    if kind == "decision" and len(rest) == 6:
        f.update(engine=rest[1], op=rest[2], path=rest[3], family=rest[4], hit=rest[5])
    elif kind in ("add_rule", "restrict_self") and len(rest) == 2:
        f.update(engine=rest[1])
    elif kind == "path_walk" and len(rest) == 3 and "depth" in fields:
        # rules: unrelated rules (plus the root rule); layers: stacked layers; rule: where the
        # granting rule sits (leaf, root, none).
        f.update(engine=rest[1], op=rest[2], depth=int(fields["depth"]), rule=fields.get("rule"))
    elif kind == "fs_bench" and len(rest) == 2 and "depth" in fields:
        f.update(engine=rest[1], depth=int(fields["depth"]))
    else:
        return None
    return f


def workload_key(name):
    """The name without /rev:X, /rep:K and /manual_time: one workload across revisions."""
    return "/".join(p for p in name.split("/")
                    if not p.startswith(("rev:", "rep:")) and p != "manual_time")


def load(path):
    with open(path) as f:
        doc = json.load(f)
    return doc


def samples(doc):
    """{run_name: {"ns": [per-op ns...], "counters": {...}, "fields": {...}}} over iterations."""
    out = {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        name = b.get("run_name", b["name"])
        fields = parse_name(name)
        if fields is None:
            continue
        scale = UNIT_NS.get(b.get("time_unit", "ns"), 1.0)
        manual = name.endswith("/manual_time")
        t = (b["real_time"] if manual else b["cpu_time"]) * scale
        entry = out.setdefault(name, {"ns": [], "counters": {}, "fields": fields})
        entry["ns"].append(t)
        for k in ("bytes_per_rule", "domain_bytes", "wall_ns"):
            if k in b:
                entry["counters"][k] = b[k]
    return out


def medians(doc):
    """{run_name without /manual_time: (median ns, fields, counters)}."""
    return {workload_key(n): (statistics.median(e["ns"]), e["fields"], e["counters"])
            for n, e in samples(doc).items()}


# --- SVG ----------------------------------------------------------------------------------------

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def nice_ticks(hi, n=5):
    if hi <= 0:
        return [0]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    return [i * step for i in range(int(hi / step) + 2) if i * step <= hi * 1.0001 + step]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(doc, engine, path, op, family, title=None):
    """The SVG text: ns per decision vs rules, one line per (layers, hit|miss)."""
    med = medians(doc)
    series = {}  # (layers, hit) -> [(rules, ns)]
    for _, (ns, f, _) in med.items():
        if (f["kind"] == "decision" and f["engine"] == engine and f["path"] == path
                and f["op"] == op and f["family"] == family and f["layers"] > 0):
            series.setdefault((f["layers"], f["hit"]), []).append((f["rules"], ns))
    if not series:
        raise SystemExit("report.py svg: no %s/%s/%s/%s decisions in the JSON"
                         % (engine, op, path, family))
    w, h = 760, 460
    left, right, top, bottom = 70, 190, 50, 60
    pw, ph = w - left - right, h - top - bottom
    all_rules = sorted({r for pts in series.values() for r, _ in pts})
    xmin, xmax = math.log10(min(all_rules)), math.log10(max(all_rules))
    if xmax == xmin:
        xmax = xmin + 1
    ymax = max(ns for pts in series.values() for _, ns in pts) * 1.1
    yticks = nice_ticks(ymax)
    ymax = max(ymax, yticks[-1])

    def x(r):
        return left + (math.log10(r) - xmin) / (xmax - xmin) * pw

    def y(v):
        return top + ph - v / ymax * ph

    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
         'font-family="sans-serif" font-size="12">' % (w, h),
         '<rect width="100%" height="100%" fill="white"/>']
    t = title or "Landlock %s() decision, %s engine (%s path), %s" % (op, engine, path, family)
    o.append('<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>' % (left, esc(t)))
    for v in yticks:
        o.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                 % (left, left + pw, y(v), y(v)))
        o.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (left - 6, y(v) + 4, v))
    for r in all_rules:
        o.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#eee"/>'
                 % (x(r), x(r), top, top + ph))
        o.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                 % (x(r), top + ph + 18, "{:,}".format(r)))
    o.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>'
             % (left, top, pw, ph))
    o.append('<text x="%d" y="%d" text-anchor="middle">rules per layer (log scale)</text>'
             % (left + pw // 2, h - 18))
    o.append('<text transform="translate(18,%d) rotate(-90)" text-anchor="middle">'
             'ns per decision (median CPU time)</text>' % (top + ph // 2))
    layer_counts = sorted({l for l, _ in series})
    ly = top + 10
    for i, l in enumerate(layer_counts):
        colour = COLOURS[i % len(COLOURS)]
        for hit in ("hit", "miss"):
            pts = sorted(series.get((l, hit), []))
            if not pts:
                continue
            dash = '' if hit == "hit" else ' stroke-dasharray="6,4"'
            o.append('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>'
                     % (colour, dash, " ".join("%.1f,%.1f" % (x(r), y(v)) for r, v in pts)))
            for r, v in pts:
                o.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%d layer(s), %s '
                         'rules, %s: %.1f ns</title></circle>'
                         % (x(r), y(v), colour, l, "{:,}".format(r), hit, v))
            lx = left + pw + 15
            o.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                     % (lx, lx + 28, ly, ly, colour, dash))
            o.append('<text x="%d" y="%d">%d layer%s, %s</text>'
                     % (lx + 34, ly + 4, l, "" if l == 1 else "s", hit))
            ly += 20
    o.append("</svg>")
    return "\n".join(o) + "\n"


# --- markdown -----------------------------------------------------------------------------------


def fmt_ns(v):
    if v is None:
        return "–"
    if v >= 100000:
        return "{:,.0f}".format(v)
    if v >= 100:
        return "{:,.0f}".format(v)
    return "%.1f" % v


def decision_table(med, engine, path, op, family):
    rows = {}
    layers = set()
    for _, (ns, f, _) in med.items():
        if (f["kind"] == "decision" and f["engine"] == engine and f["path"] == path
                and f["op"] == op and f["family"] == family and f["layers"] > 0):
            rows.setdefault(f["rules"], {})[(f["layers"], f["hit"])] = ns
            layers.add(f["layers"])
    if not rows:
        return []
    layers = sorted(layers)
    head = ["rules per layer"] + ["%d layer%s %s" % (l, "" if l == 1 else "s", h)
                                  for l in layers for h in ("hit", "miss")]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in sorted(rows):
        cells = ["{:,}".format(r)] + [fmt_ns(rows[r].get((l, h))) for l in layers
                                      for h in ("hit", "miss")]
        out.append("| " + " | ".join(cells) + " |")
    return out


def table(doc):
    med = medians(doc)
    out = []
    ctx = doc.get("context", {})
    out.append("From `%s` on %s (%d CPUs), %s; kernel tree %s. Medians of CPU time per "
               "operation, ns." % (" ".join(ctx.get("executable", "decision_benchmark").split("/")[-1:]),
                                   ctx.get("host_name", "?"), ctx.get("num_cpus", 0),
                                   ctx.get("date", "?"), ctx.get("kernel_a", "?")))
    out.append("")
    for engine, path, op, family, what in [
            ("kernel", "hook", "connect", "ipv4", "kernel engine, the connect hook alone"),
            ("kernel", "hook", "bind", "ipv6", "kernel engine, the bind hook alone, IPv6"),
            ("kernel", "syscall", "connect", "ipv4",
             "kernel engine, connect() through the engine (fd lookup, address copy, hook)"),
            ("oracle", "syscall", "connect", "ipv4", "oracle, connect()"),
            ("live", "syscall", "connect", "ipv4",
             "live kernel, the real connect() syscall (denied: EACCES; allowed: ECONNREFUSED)")]:
        t = decision_table(med, engine, path, op, family)
        if t:
            out.append("**%s** (`decision/%s/%s/%s/%s/…`), ns:" % (what, engine, op, path, family))
            out.append("")
            out.extend(t)
            out.append("")
    base = [ns for k, (ns, f, _) in med.items() if f.get("hit") == "nodomain"]
    if base:
        out.append("Live connect() to a closed port without any domain: %s ns." % fmt_ns(base[0]))
        out.append("")
    # Memory.
    mem = {}
    for _, (ns, f, c) in med.items():
        if f["kind"] == "decision" and f["engine"] == "kernel" and "bytes_per_rule" in c:
            mem[(f["rules"], f["layers"])] = (c["bytes_per_rule"], c.get("domain_bytes", 0))
    if mem:
        layers = sorted({l for _, l in mem})
        out.append("**Memory of the merged domain** (kernel engine, bytes the shim allocated for "
                   "it: `domain_bytes` / rules per layer):")
        out.append("")
        out.append("| rules per layer | " + " | ".join("%d layer%s" % (l, "" if l == 1 else "s")
                                                     for l in layers) + " |")
        out.append("|" + "---|" * (len(layers) + 1))
        for r in sorted({r for r, _ in mem}):
            cells = []
            for l in layers:
                v = mem.get((r, l))
                cells.append("–" if v is None else "%.1f B/rule (%s B)" % (v[0], "{:,.0f}".format(v[1])))
            out.append("| {:,} | ".format(r) + " | ".join(cells) + " |")
        out.append("")
    # Ratio to the live syscall.
    ratio_rows = []
    for k, (ns, f, _) in sorted(med.items(), key=lambda kv: (kv[1][1]["layers"], kv[1][1]["rules"])):
        if (f["kind"] == "decision" and f["engine"] == "live" and f["op"] == "connect"
                and f["family"] == "ipv4" and f["hit"] == "miss"):
            hook = med.get(k.replace("decision/live/connect/syscall", "decision/kernel/connect/hook"))
            sysc = med.get(k.replace("decision/live/", "decision/kernel/"))
            if hook and sysc:
                ratio_rows.append("| %d | {:,} | %s | %s | %s | %.2f | %.2f |".format(f["rules"])
                                  % (f["layers"], fmt_ns(hook[0]), fmt_ns(sysc[0]), fmt_ns(ns),
                                     hook[0] / ns, sysc[0] / ns))
    if ratio_rows:
        out.append("**Userspace decision vs the live kernel's denied connect()** (IPv4, miss):")
        out.append("")
        out.append("| layers | rules per layer | hook ns | engine connect ns | live connect ns | "
                   "hook / live | engine / live |")
        out.append("|---|---|---|---|---|---|---|")
        out.extend(ratio_rows)
        out.append("")
    # Insert and merge.
    ins = sorted((f["rules"], ns) for _, (ns, f, _) in med.items() if f["kind"] == "add_rule")
    if ins:
        out.append("**add_rule** (filling one ruleset; ns per rule): " + ", ".join(
            "{:,} rules: %s".format(r) % fmt_ns(ns / r) for r, ns in ins) + ".")
        out.append("")
    merge = {}
    for _, (ns, f, _) in med.items():
        if f["kind"] == "restrict_self":
            merge[(f["rules"], f["layers"])] = ns
    if merge:
        layers = sorted({l for _, l in merge})
        out.append("**restrict_self** (the L-th layer's merge of an N-rule ruleset), µs:")
        out.append("")
        out.append("| rules per layer | " + " | ".join("layer %d" % l for l in layers) + " |")
        out.append("|" + "---|" * (len(layers) + 1))
        for r in sorted({r for r, _ in merge}):
            out.append("| {:,} | ".format(r) + " | ".join(
                "–" if (r, l) not in merge else "%.2f" % (merge[(r, l)] / 1000) for l in layers) + " |")
        out.append("")
    return "\n".join(out)


def update(path, text, begin=BEGIN, end=END):
    with open(path) as f:
        old = f.read()
    if begin not in old or end not in old:
        raise SystemExit("report.py: %s has no %s ... %s markers" % (path, begin, end))
    head, rest = old.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + text.rstrip() + "\n" + end + tail)


# --- filesystem path walk -----------------------------------------------------------------------

ENGINE_ORDER = ("kernel", "oracle", "live")
ENGINE_TITLE = {"kernel": "kernel engine", "oracle": "oracle", "live": "live kernel"}


def pathwalk_table(doc):
    """Markdown for path_walk_benchmark's JSON: medians of ns per open (manual time = the live
    worker's CPU time), per level where the walk covers the whole depth."""
    med = medians(doc)
    walks = {}  # (engine, depth, rule) -> ns, for the rule:leaf|root|none workloads
    rules = {}  # (engine, unrelated rules) -> (ns, counters)
    layers = {}  # (engine, layers) -> (ns, counters)
    fs_bench = {}  # engine -> (ns, depth, counters)
    for _, (ns, f, c) in med.items():
        if f["kind"] == "path_walk" and f.get("rule"):
            walks[(f["engine"], f["depth"], f["rule"])] = ns
        elif f["kind"] == "path_walk" and f["layers"]:
            layers[(f["engine"], f["layers"])] = (ns, c)
        elif f["kind"] == "path_walk":
            rules[(f["engine"], f["rules"])] = (ns, c)
        elif f["kind"] == "fs_bench":
            fs_bench[f["engine"]] = (ns, f["depth"], c)
    ctx = doc.get("context", {})
    out = ["From `path_walk_benchmark` on %s (%d CPUs), %s; kernel tree %s. Medians of CPU time "
           "per open (+ close when allowed), ns." % (ctx.get("host_name", "?"),
                                                     ctx.get("num_cpus", 0), ctx.get("date", "?"),
                                                     ctx.get("kernel_a", "?")), ""]
    for k in ("oracle_skipped", "live_skipped"):
        if k in ctx:
            out += ["%s: %s" % (k.split("_")[0], ctx[k]), ""]

    def engines_of(keys):
        present = {k[0] for k in keys}
        return [e for e in ENGINE_ORDER if e in present]

    if walks:
        engines = engines_of(walks)
        head = ["depth"]
        for e in engines:
            head += ["%s %s" % (e, r) for r in ("leaf", "root", "none")]
        head += ["%s ns/level (root − leaf) / depth" % e for e in engines]
        out.append("**Open of the deepest directory vs depth** (`path_walk/ENGINE/open/depth:D/"
                   "rule:leaf|root|none`), ns:")
        out.append("")
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for d in sorted({k[1] for k in walks}):
            cells = ["{:,}".format(d)]
            for e in engines:
                cells += [fmt_ns(walks.get((e, d, r))) for r in ("leaf", "root", "none")]
            for e in engines:
                leaf, root = walks.get((e, d, "leaf")), walks.get((e, d, "root"))
                cells.append("%.1f" % ((root - leaf) / d) if leaf and root and d >= 100 else "–")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    for title, table_rows, label, name in (
            ("unrelated rules on sibling directories, root rule, depth 20", rules,
             "unrelated rules", "open/depth:20/rules:R"),
            ("stacked layers, each granting at the root, depth 100", layers, "layers",
             "open/depth:100/layers:L")):
        if not table_rows:
            continue
        engines = engines_of(table_rows)
        head = [label] + ["%s ns" % e for e in engines]
        if "kernel" in engines:
            head.append("kernel domain_bytes")
        out.append("**%s** (`path_walk/ENGINE/%s`):" % (title[0].upper() + title[1:], name))
        out.append("")
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for n in sorted({k[1] for k in table_rows}):
            cells = ["{:,}".format(n)] + [fmt_ns(table_rows[(e, n)][0]) if (e, n) in table_rows
                                          else "–" for e in engines]
            if "kernel" in engines:
                c = table_rows.get(("kernel", n), (0, {}))[1]
                cells.append("{:,.0f}".format(c["domain_bytes"]) if "domain_bytes" in c else "–")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if fs_bench:
        out.append("**Upstream fs_bench's workload** (`fs_bench/ENGINE/depth:10000`: every "
                   "directory has a rule granting read_file, the open asks for read_dir: denied "
                   "after the whole walk):")
        out.append("")
        out.append("| engine | ns per denied open | ns per level | wall ns per open |")
        out.append("|---|---|---|---|")
        for e in [e for e in ENGINE_ORDER if e in fs_bench]:
            ns, depth, c = fs_bench[e]
            out.append("| %s | %s | %.1f | %s |" % (ENGINE_TITLE[e], fmt_ns(ns), ns / depth,
                                                    fmt_ns(c.get("wall_ns"))))
        out.append("")
        if "kernel" in fs_bench and "live" in fs_bench:
            out.append("live / kernel engine: %.2f." % (fs_bench["live"][0] / fs_bench["kernel"][0]))
            out.append("")
    return "\n".join(out)


# --- A/B ----------------------------------------------------------------------------------------


def ab_rows(doc):
    """[(workload, median A, median B, B/A, reps)] in the run's order."""
    groups = {}
    order = []
    for name, e in samples(doc).items():
        f = e["fields"]
        if f["rev"] not in ("A", "B"):
            continue
        key = workload_key(name)
        if key not in groups:
            groups[key] = {"A": [], "B": []}
            order.append(key)
        groups[key][f["rev"]].extend(e["ns"])
    rows = []
    for key in order:
        a, b = groups[key]["A"], groups[key]["B"]
        if not a or not b:
            continue
        ma, mb = statistics.median(a), statistics.median(b)
        rows.append((key, ma, mb, mb / ma if ma else float("nan"), min(len(a), len(b))))
    return rows


def ab(doc):
    rows = ab_rows(doc)
    if not rows:
        raise SystemExit("report.py ab: no rev:A/rev:B benchmarks in the JSON (run with --ab)")
    ctx = doc.get("context", {})
    out = ["A = %s" % ctx.get("kernel_a", "?"), "B = %s" % ctx.get("kernel_b", "?"), ""]
    width = max(len(r[0]) for r in rows)
    out.append("%-*s  %10s  %10s  %7s  %4s" % (width, "workload", "A ns", "B ns", "B/A", "reps"))
    for key, ma, mb, ratio, n in rows:
        out.append("%-*s  %10s  %10s  %7.3f  %4d" % (width, key, fmt_ns(ma), fmt_ns(mb), ratio, n))
    out.append("")
    kinds = {}
    for key, _, _, ratio, _ in rows:
        f = parse_name(key)
        kind = f["kind"] if f["kind"] != "decision" else "decision/%s" % f["path"]
        kinds.setdefault(kind, []).append(ratio)
    for kind, rs in kinds.items():
        gm = math.exp(sum(math.log(r) for r in rs) / len(rs))
        out.append("geometric mean B/A, %-18s %.3f over %d workloads" % (kind + ":", gm, len(rs)))
    return "\n".join(out)


def main(argv):
    ap = argparse.ArgumentParser(prog="report.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("svg")
    s.add_argument("json")
    s.add_argument("out")
    s.add_argument("--engine", default="kernel")
    s.add_argument("--path", default="hook")
    s.add_argument("--op", default="connect")
    s.add_argument("--family", default="ipv4")
    t = sub.add_parser("table")
    t.add_argument("json")
    t.add_argument("--update", default=None)
    a = sub.add_parser("ab")
    a.add_argument("json")
    p = sub.add_parser("pathwalk")
    p.add_argument("json")
    p.add_argument("--update", default=None)
    args = ap.parse_args(argv)
    doc = load(args.json)
    if args.cmd == "svg":
        with open(args.out, "w") as f:
            f.write(svg(doc, args.engine, args.path, args.op, args.family))
        print("report.py: wrote %s" % args.out)
    elif args.cmd == "table":
        text = table(doc)
        if args.update:
            update(args.update, text)
            print("report.py: updated %s" % args.update)
        else:
            print(text)
    elif args.cmd == "pathwalk":
        text = pathwalk_table(doc)
        if args.update:
            update(args.update, text, PATHWALK_BEGIN, PATHWALK_END)
            print("report.py: updated %s" % args.update)
        else:
            print(text)
    else:
        print(ab(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
