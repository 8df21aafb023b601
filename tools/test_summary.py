#!/usr/bin/env python3
"""Counts test cases, not Bazel targets, from the test.xml files of a `bazel test` run.

  test_summary.py TESTLOGS_DIR //pkg:target...

A GoogleTest target counts each test case: passed, failed, or skipped (GTEST_SKIP, with its
message). Any other target (sh_test) is one case; it is skipped when its log has a line
"lockstep-skip: REASON" and it passed; a passed one's "lockstep-summary: TEXT" lines are printed
("summary: //t: TEXT"), not counted. A target with no test.xml (it did not build or run) is one
failed case. Prints one line per skip and per failure ("skipped: //t Suite.Case: reason") and ends
with "cases: P F S". Standard library only.
"""
import os
import sys
import xml.etree.ElementTree as ET


def one_line(text):
    text = " ".join((text or "").split())
    return text if len(text) <= 200 else text[:197] + "..."


def summarize(testlogs, target):
    """Yields (status, case name, reason) for the target's cases, over all of its shards."""
    rel = target.lstrip("/").replace(":", "/")
    base = os.path.join(testlogs, rel)
    # A sharded target writes shard_I_of_N/test.xml (and a merged top-level log without XML).
    shards = sorted(d for d in (os.listdir(base) if os.path.isdir(base) else [])
                    if d.startswith("shard_") and os.path.isfile(os.path.join(base, d, "test.xml")))
    if shards:
        for shard in shards:
            for status, name, reason in summarize_xml(os.path.join(rel, shard), testlogs):
                yield status, name, reason
        return
    yield from summarize_xml(rel, testlogs)


def summarize_xml(rel, testlogs):
    """Yields (status, case name, reason) for the cases of testlogs/rel/test.xml."""
    xml_path = os.path.join(testlogs, rel, "test.xml")
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError) as e:
        yield "failed", "(no test.xml)", "did not run: %s" % getattr(e, "strerror", e)
        return
    cases = root.iter("testcase")
    gtest = root.get("name") == "AllTests"
    if not gtest:
        # Bazel's own XML for a non-gtest target: one case; failures are <error>/<failure>.
        case = next(cases, None)
        if case is None:
            yield "failed", "(empty test.xml)", ""
            return
        bad = case.find("error") if case.find("error") is not None else case.find("failure")
        if bad is not None:
            yield "failed", "", one_line(bad.get("message"))
            return
        log_path = os.path.join(testlogs, rel, "test.log")
        summaries = []
        try:
            with open(log_path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("lockstep-skip: "):
                        yield "skipped", "", one_line(line[len("lockstep-skip: "):])
                        return
                    if line.startswith("lockstep-summary: "):
                        summaries.append(one_line(line[len("lockstep-summary: "):]))
        except OSError:
            pass
        yield "passed", "", ""
        for summary in summaries:
            yield "summary", "", summary
        return
    for case in cases:
        name = "%s.%s" % (case.get("classname"), case.get("name"))
        if case.get("status") == "notrun":
            continue  # DISABLED_ tests: not run, and not claimed
        failure = case.find("failure")
        skipped = case.find("skipped")
        if failure is not None:
            yield "failed", name, one_line(failure.get("message"))
        elif case.get("result") == "skipped" or skipped is not None:
            yield "skipped", name, one_line(skipped.get("message") if skipped is not None else "")
        else:
            yield "passed", name, ""


def main(argv):
    if len(argv) < 1:
        print(__doc__, file=sys.stderr)
        return 2
    testlogs, targets = argv[0], argv[1:]
    counts = {"passed": 0, "failed": 0, "skipped": 0, "summary": 0}
    for target in targets:
        for status, name, reason in summarize(testlogs, target):
            counts[status] += 1
            if status != "passed":
                print("%s: %s%s%s" % (status, target, " " + name if name else "",
                                      ": " + reason if reason else ""))
    print("cases: %d %d %d" % (counts["passed"], counts["failed"], counts["skipped"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
