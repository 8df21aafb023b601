#!/usr/bin/env python3
"""Fixed-input tests of bench/perf_gate.py (comparison, rendering, parsing) and bench/report.py."""
import copy
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perf_gate  # noqa: E402
import report  # noqa: E402

CONFIG = {"compilation_mode": "opt", "compiler": "gcc 12.2.0", "valgrind": "valgrind-3.19.0",
          "kernel_tree": "6.12.117", "kernel_generation": "6.12"}


def doc(**per_op):
    """A gate document: workload name -> (Ir per op, {function: Ir per op})."""
    return {"config": dict(CONFIG),
            "workloads": {n: {"ops": 1000, "ir": v[0] * 1000, "ir_per_op": v[0],
                              "functions": dict(v[1])}
                          for n, v in per_op.items()}}


BASE = doc(**{
    "connect/hook/ipv4/hit/layers:1/rules:1": (322.0, {"current_check_access_socket": 84.0,
                                                       "landlock_unmask_layers": 63.0}),
    "add_rule/rules:1000": (1050.0, {"insert_rule": 400.0, "calloc": 150.0}),
})


class CompareTest(unittest.TestCase):

    def test_unchanged_passes(self):
        ok, rows, problems = perf_gate.compare(BASE, copy.deepcopy(BASE))
        self.assertTrue(ok)
        self.assertEqual(problems, [])
        self.assertEqual([r["status"] for r in rows], ["ok", "ok"])

    def test_rise_at_the_threshold_passes(self):
        cur = copy.deepcopy(BASE)
        w = cur["workloads"]["connect/hook/ipv4/hit/layers:1/rules:1"]
        w["ir_per_op"] = 322.0 * 1.03  # exactly +3%: not more than 3%
        ok, _, _ = perf_gate.compare(BASE, cur)
        self.assertTrue(ok)

    def test_rise_over_the_threshold_fails_naming_workload_and_function(self):
        cur = copy.deepcopy(BASE)
        w = cur["workloads"]["connect/hook/ipv4/hit/layers:1/rules:1"]
        w["ir_per_op"] = 333.0  # +3.4%
        w["functions"]["landlock_unmask_layers"] = 74.0
        ok, rows, problems = perf_gate.compare(BASE, cur)
        self.assertFalse(ok)
        self.assertEqual(rows[0]["status"], "FAIL")
        self.assertEqual(rows[0]["grew"][0][0], "landlock_unmask_layers")
        self.assertEqual(rows[1]["status"], "ok")
        text = perf_gate.render(rows, problems)
        self.assertIn("connect/hook/ipv4/hit/layers:1/rules:1", text)
        self.assertIn("landlock_unmask_layers +11.0", text)
        self.assertIn("+3.42%", text)
        self.assertIn("functions whose own Ir per op grew", text)

    def test_new_function_counts_as_growth(self):
        cur = copy.deepcopy(BASE)
        w = cur["workloads"]["add_rule/rules:1000"]
        w["ir_per_op"] = 1200.0
        w["functions"]["slow_path"] = 150.0
        ok, rows, _ = perf_gate.compare(BASE, cur)
        self.assertFalse(ok)
        self.assertEqual(rows[1]["grew"][0], ("slow_path", 0.0, 150.0))

    def test_faster_passes(self):
        cur = copy.deepcopy(BASE)
        cur["workloads"]["add_rule/rules:1000"]["ir_per_op"] = 900.0
        ok, rows, _ = perf_gate.compare(BASE, cur)
        self.assertTrue(ok)
        self.assertEqual(rows[1]["status"], "faster")

    def test_threshold_is_a_parameter(self):
        cur = copy.deepcopy(BASE)
        cur["workloads"]["add_rule/rules:1000"]["ir_per_op"] = 1070.0  # +1.9%
        self.assertTrue(perf_gate.compare(BASE, cur)[0])
        self.assertFalse(perf_gate.compare(BASE, cur, threshold=1.0)[0])

    def test_missing_and_new_workloads_fail(self):
        cur = copy.deepcopy(BASE)
        del cur["workloads"]["add_rule/rules:1000"]
        cur["workloads"]["bind/hook/ipv6/miss/layers:1/rules:1"] = {
            "ops": 1000, "ir": 1, "ir_per_op": 300.0, "functions": {}}
        ok, rows, problems = perf_gate.compare(BASE, cur)
        self.assertFalse(ok)
        self.assertEqual(sorted(r["status"] for r in rows), ["MISSING", "NEW", "ok"])
        self.assertEqual(len(problems), 2)

    @staticmethod
    def compare_with_config(key, value):
        """compare() of BASE against BASE measured with config[key] = value."""
        cur = copy.deepcopy(BASE)
        cur["config"][key] = value
        return perf_gate.compare(BASE, cur)

    def test_config_mismatch_fails(self):
        ok, _, problems = self.compare_with_config("compiler", "gcc 13.1.0")
        self.assertFalse(ok)
        self.assertIn("compiler", problems[0])

    def test_kernel_tree_may_differ(self):
        self.assertTrue(self.compare_with_config("kernel_tree", "6.12.118-patched")[0])
        # The label is not what decides: a tree labelled anything, of the same generation.
        self.assertTrue(self.compare_with_config("kernel_tree", "7.3.4")[0])

    def test_kernel_generation_must_match(self):
        ok, _, problems = self.compare_with_config("kernel_generation", "7")
        self.assertFalse(ok)
        self.assertIn("kernel generation differs: 7 (Linux 6.12.117) here, 6.12 (Linux 6.12.117) "
                      "in the baseline", problems[0])


ANNOTATE = """\
--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
322,013 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir               file:function
--------------------------------------------------------------------------------
84,000 (26.09%)  ???:current_check_access_socket [/tmp/x/perf_gate_workloads]
 6,000 ( 1.86%)  ???:lockstep::Foo::Bar(int, char const*) const [/tmp/x/perf_gate_workloads]
 2,000 ( 0.62%)  security/landlock/net.c:hook_socket_connect [/tmp/x/perf_gate_workloads]
"""

DUMP = """\
# callgrind format
version: 1
desc: Trigger: Client Request: connect/hook/ipv4/hit/layers:1/rules:1
events: Ir
summary: 0
totals: 322013
"""


class ParseTest(unittest.TestCase):

    def test_annotate(self):
        self.assertEqual(perf_gate.parse_annotate(ANNOTATE), {
            "current_check_access_socket": 84000,
            "lockstep::Foo::Bar(int, char const*) const": 6000,
            "hook_socket_connect": 2000,
        })

    def test_dump_header(self):
        self.assertEqual(perf_gate.parse_dump_header(DUMP),
                         ("connect/hook/ipv4/hit/layers:1/rules:1", 322013))

    def test_manifest(self):
        self.assertEqual(
            perf_gate.parse_manifest('{"name": "a/b", "ops": 3}\n'
                                     '{"kernel": "6.12.1", "generation": "6.12"}\n'),
            ([("a/b", 3)], {"kernel": "6.12.1", "generation": "6.12"}))


def bench_doc():
    def entry(name, cpu, real=None, **extra):
        e = {"name": name, "run_name": name, "run_type": "iteration", "time_unit": "ns",
             "cpu_time": cpu, "real_time": real if real is not None else cpu * 2}
        e.update(extra)
        return e
    return {"context": {"kernel_a": "6.12.117", "kernel_b": "6.12.107"}, "benchmarks": [
        entry("decision/kernel/connect/hook/ipv4/hit/layers:1/rules:10", 10.0,
              bytes_per_rule=60.0, domain_bytes=600.0),
        entry("decision/kernel/connect/hook/ipv4/hit/layers:1/rules:10", 14.0,
              bytes_per_rule=60.0, domain_bytes=600.0),
        entry("decision/kernel/connect/hook/ipv4/hit/layers:1/rules:10", 11.0,
              bytes_per_rule=60.0, domain_bytes=600.0),
        entry("decision/live/connect/syscall/ipv4/miss/layers:1/rules:10/manual_time", 1.0,
              real=200.0),
        {"name": "decision/kernel/connect/hook/ipv4/hit/layers:1/rules:10_median",
         "run_name": "decision/kernel/connect/hook/ipv4/hit/layers:1/rules:10",
         "run_type": "aggregate", "cpu_time": 999.0, "real_time": 999.0},
        entry("add_rule/kernel/rules:10/rev:A/rep:0", 100.0),
        entry("add_rule/kernel/rules:10/rev:B/rep:0", 110.0),
        entry("add_rule/kernel/rules:10/rev:B/rep:1", 130.0),
        entry("add_rule/kernel/rules:10/rev:A/rep:1", 100.0),
    ]}


class ReportTest(unittest.TestCase):

    def test_parse_name(self):
        f = report.parse_name("decision/live/bind/syscall/ipv6/miss/layers:4/rules:100/manual_time")
        self.assertEqual((f["engine"], f["op"], f["path"], f["family"], f["hit"], f["layers"],
                          f["rules"]), ("live", "bind", "syscall", "ipv6", "miss", 4, 100))
        self.assertIsNone(report.parse_name("BM_Something/8"))

    def test_parse_path_walk_names(self):
        f = report.parse_name("path_walk/live/open/depth:1000/rule:none/manual_time")
        self.assertEqual((f["kind"], f["engine"], f["op"], f["depth"], f["rule"]),
                         ("path_walk", "live", "open", 1000, "none"))
        f = report.parse_name("path_walk/kernel/open/depth:20/rules:10000")
        self.assertEqual((f["depth"], f["rules"], f["rule"]), (20, 10000, None))
        f = report.parse_name("fs_bench/kernel/depth:10000")
        self.assertEqual((f["kind"], f["engine"], f["depth"]), ("fs_bench", "kernel", 10000))

    def test_pathwalk_table_per_level(self):
        def run(name, ns, **counters):
            return dict({"name": name, "run_name": name, "run_type": "iteration",
                         "time_unit": "ns", "cpu_time": ns, "real_time": ns}, **counters)
        doc = {"context": {}, "benchmarks": [
            run("path_walk/kernel/open/depth:100/rule:leaf", 100.0),
            run("path_walk/kernel/open/depth:100/rule:root", 1100.0),
            run("path_walk/kernel/open/depth:100/rule:none", 1000.0),
            run("fs_bench/kernel/depth:10000", 200000.0, domain_bytes=1.0),
            run("fs_bench/live/depth:10000/manual_time", 500000.0, wall_ns=600000.0),
        ]}
        text = report.pathwalk_table(doc)
        self.assertIn("| 100 | 100 | 1,100 | 1,000 | 10.0 |", text)
        self.assertIn("| kernel engine | 200,000 | 20.0 | – |", text)
        self.assertIn("| live kernel | 500,000 | 50.0 | 600,000 |", text)
        self.assertIn("live / kernel engine: 2.50.", text)

    def test_medians_use_cpu_time_and_manual_real_time(self):
        med = report.medians(bench_doc())
        self.assertEqual(med["decision/kernel/connect/hook/ipv4/hit/layers:1/rules:10"][0], 11.0)
        self.assertEqual(med["decision/live/connect/syscall/ipv4/miss/layers:1/rules:10"][0], 200.0)

    def test_ab_ratio_of_medians(self):
        rows = report.ab_rows(bench_doc())
        self.assertEqual(rows, [("add_rule/kernel/rules:10", 100.0, 120.0, 1.2, 2)])

    def test_svg_has_one_line_per_series(self):
        text = report.svg(bench_doc(), "kernel", "hook", "connect", "ipv4")
        self.assertEqual(text.count("<polyline"), 1)
        self.assertTrue(text.startswith("<svg"))


if __name__ == "__main__":
    unittest.main(verbosity=1)
