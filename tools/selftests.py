#!/usr/bin/env python3
"""Runs a kernel tree's Landlock selftests under the hybrid engine and on the live kernel, and
compares them (./lockstep selftests, docs/selftests.md).

  selftests.py --bin-dir DIR --tree-info FILE [--programs=FILE] [--only base_test,net_test]
               [--no-live] [--timeout SECONDS]

DIR holds <test>_hybrid (the tree's selftest linked with the hybrid engine: Landlock answered by
the tree's compiled code) and <test>_live (the same source as the kernel builds it: Landlock
answered by the host kernel); --programs names the ones to run (one per line; default: every
<test>_hybrid in DIR). Prints each program's kselftest TAP summary under the hybrid
engine, then a table per test file (passed / failed / skipped both ways) and every failure under
lockstep with its expectation, what lockstep returned and what the live kernel did.

A test during which the hybrid engine reported a call it could not route (a thread it did not
see start, one past its thread limit) counts as skipped, whatever its result. A failure under
lockstep where the live kernel passes the same test is a lockstep finding (unless
the tree and the host differ there: the table names both). One where the live kernel fails too
is the test's or the host's business. A program that crashes or prints no kselftest totals, and a
WARN_ON the hybrid engine reports, are findings too. Exit status: 0 no finding, 1 findings,
2 could not run. Standard library only.
"""
import ctypes
import os
import platform
import re
import subprocess
import sys

RESULT = re.compile(r"^(not ok|ok) (\d+) (\S+)(?: # (SKIP|XFAIL|XPASS)\b ?(.*))?$")
RUN = re.compile(r"^#\s+RUN\s+(\S+) \.\.\.$")
TOTALS = re.compile(r"^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) "
                    r"error:(\d+)$")
# What explains a failure: the harness's expectation lines, the audit helpers' DATA/ERROR lines,
# the hybrid engine's own reports.
DETAIL = re.compile(r"^(# .*:\d+:.*Expected .*|# .*:\d+:.*\(\d+\)$|DATA: .*|ERROR: .*|"
                    r"lockstep hybrid: .*)$")


class Run:
    """One program's run: per test, its status ("pass", "fail", "skip") and detail lines."""

    def __init__(self, output, returncode):
        self.returncode = returncode
        self.tests = {}
        self.order = []
        self.details = {}
        self.totals = None
        self.reports = []  # the hybrid engine's lines
        current, pending = None, []
        for line in output.splitlines():
            m = RUN.match(line)
            if m:
                current, pending = m.group(1), []
                continue
            m = RESULT.match(line)
            if m:
                name = m.group(3)
                kind = m.group(4)
                if kind == "SKIP":
                    status = "skip"
                elif m.group(1) == "ok":
                    status = "pass"
                else:
                    status = "fail"
                unmirrored = [d for d in pending if d.startswith("lockstep hybrid: ") and
                              ("unrouted" in d or "not mirrored" in d)]
                if unmirrored and status != "skip":
                    # Part of the test ran beside lockstep: its result says nothing of it.
                    status = "skip"
                    pending = pending + ["skip: the hybrid engine did not mirror all of it: " +
                                         unmirrored[0][len("lockstep hybrid: "):]]
                self.tests[name] = status
                self.order.append(name)
                self.details[name] = pending + ([("skip: " + m.group(5))] if kind == "SKIP" else [])
                current, pending = None, []
                continue
            m = TOTALS.match(line)
            if m:
                self.totals = line
                continue
            if line.startswith("lockstep hybrid: "):
                self.reports.append(line)
            if DETAIL.match(line):
                pending.append(line.lstrip("# "))

    def count(self, status):
        return sum(1 for s in self.tests.values() if s == status)


def clear_stale_audit_rule(exe):
    """Deletes the audit exclusion rule the selftests' audit fixtures add for their own program
    (audit.h audit_filter_exe: "never log unless exe is this one") if a killed run left it: the
    next run's fixtures would fail with EEXIST. Best effort (needs CAP_AUDIT_CONTROL)."""
    import socket
    import struct
    path = os.path.realpath(exe).encode()
    audit_del_rule, audit_filter_exclude, audit_never = 1012, 5, 0
    audit_exe, audit_not_equal = 112, 0x30000000
    rule = struct.pack("=III", audit_filter_exclude, audit_never, 1) + bytes(4 * 64)
    rule += struct.pack("=I", audit_exe) + bytes(4 * 63)
    rule += struct.pack("=I", len(path)) + bytes(4 * 63)
    rule += struct.pack("=I", audit_not_equal) + bytes(4 * 63)
    rule += struct.pack("=I", len(path)) + path
    header_len = 16
    message = struct.pack("=IHHII", header_len + len(rule), audit_del_rule, 0x1 | 0x4, 1, 0) + rule
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9) as s:
            s.settimeout(1)
            s.sendto(message, (0, 0))
            s.recv(8192)  # the ack (or ENOENT: no such rule, the usual case)
    except OSError:
        pass


def run_program(path, timeout):
    clear_stale_audit_rule(path)
    try:
        proc = subprocess.run([path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout, text=True, errors="replace")
        return Run(proc.stdout, proc.returncode)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        r = Run(out, -1)
        r.reports.append("lockstep selftests: timed out after %d s" % timeout)
        return r


def host_abi():
    """The running kernel's Landlock ABI, or a reason it has none."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        v = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
        if v < 0:
            return "no Landlock (%s)" % os.strerror(ctypes.get_errno())
        return "Landlock ABI %d" % v
    except OSError as e:
        return "unknown (%s)" % e


def tree_facts(info_path):
    """tree_info.txt's "key: value" lines (version, origin, fingerprint, ...); {} without one."""
    facts = {}
    try:
        with open(info_path, encoding="utf-8") as f:
            for line in f:
                if ": " in line:
                    k, v = line.rstrip("\n").split(": ", 1)
                    facts[k] = v
    except (OSError, TypeError):
        pass
    return facts


def first_detail(details):
    for d in details:
        if "Expected" in d or d.startswith(("ERROR", "lockstep hybrid", "skip")):
            return d
    return details[0] if details else "(no expectation printed)"


def main(argv):
    bin_dir, info, only, live, timeout, programs = None, None, None, True, 900, None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--bin-dir" and i + 1 < len(argv):
            bin_dir = argv[i + 1]
            i += 2
        elif a == "--tree-info" and i + 1 < len(argv):
            info = argv[i + 1]
            i += 2
        elif a.startswith("--only="):
            only = [t for t in a.split("=", 1)[1].split(",") if t]
            i += 1
        elif a == "--only" and i + 1 < len(argv):
            only = [t for t in argv[i + 1].split(",") if t]
            i += 2
        elif a.startswith("--programs="):
            try:
                with open(a.split("=", 1)[1], encoding="utf-8") as f:
                    programs = [line.strip() for line in f if line.strip()]
            except OSError as e:
                print("selftests.py: %s" % e, file=sys.stderr)
                return 2
            i += 1
        elif a == "--no-live":
            live = False
            i += 1
        elif a.startswith("--timeout="):
            timeout = int(a.split("=", 1)[1])
            i += 1
        else:
            print("selftests.py: unknown argument %s" % a, file=sys.stderr)
            return 2
    if not bin_dir:
        print("selftests.py: --bin-dir is required", file=sys.stderr)
        return 2
    available = sorted(n[:-len("_hybrid")] for n in os.listdir(bin_dir)
                       if n.endswith("_hybrid") and os.access(os.path.join(bin_dir, n), os.X_OK)
                       and (programs is None or n[:-len("_hybrid")] in programs))
    if not available:
        print("lockstep selftests: no selftest program built in %s (the tree has no "
              "tools/testing/selftests/landlock?)" % bin_dir, file=sys.stderr)
        return 2
    tests = only or available
    unknown = [t for t in tests if t not in available]
    if unknown:
        print("lockstep selftests: %s: not among the programs the hybrid engine runs (%s)"
              % (", ".join(unknown), ", ".join(available)), file=sys.stderr)
        return 2

    facts = tree_facts(info)
    version = "Linux " + facts["version"] if "version" in facts else "the tree"
    print("lockstep selftests: %s" % ("%s (%s), fingerprint %s" % (
        version, facts.get("origin", "?"), facts.get("fingerprint", "?")) if facts else
        "the tree (not named)"))
    print("  hybrid engine: its Landlock compiled in user space; live kernel: %s %s, %s"
          % (platform.system(), platform.release(), host_abi()))
    rows, failures, findings = [], [], 0
    for test in tests:
        hybrid = run_program(os.path.join(bin_dir, test + "_hybrid"), timeout)
        live_run = run_program(os.path.join(bin_dir, test + "_live"), timeout) if live else None
        print("\n== %s under the hybrid engine ==" % test)
        print(hybrid.totals or "(no kselftest totals: the program exited with %d)"
              % hybrid.returncode)
        crashed = hybrid.totals is None
        warn = [r for r in hybrid.reports if "finding" in r or "timed out" in r]
        findings += int(crashed) + len(warn)
        for r in warn:
            print("  " + r)
        diff = 0
        for name in hybrid.order:
            if hybrid.tests[name] != "fail":
                continue
            live_status = live_run.tests.get(name, "not run") if live_run else "not run"
            if live_status == "pass":
                verdict = "FINDING: the live kernel passes it"
                diff += 1
            elif live_status == "fail":
                verdict = "the live kernel fails it too"
            else:
                verdict = "live kernel: %s" % live_status
            failures.append((test, name, first_detail(hybrid.details[name]), verdict,
                             first_detail(live_run.details.get(name, [])) if live_run and
                             live_status == "fail" else ""))
        findings += diff
        lockstep_only = [n for n in hybrid.order if live_run and hybrid.tests[n] == "pass"
                         and live_run.tests.get(n) == "fail"]
        rows.append((test, hybrid, live_run, diff, lockstep_only))

    print("\n%-12s %-24s %-24s %s" % ("test file", "lockstep pass/fail/skip",
                                        "live pass/fail/skip", "lockstep findings"))
    for test, hybrid, live_run, diff, _ in rows:
        lv = ("%d/%d/%d" % (live_run.count("pass"), live_run.count("fail"), live_run.count("skip"))
              if live_run else "not run")
        print("%-12s %-24s %-24s %d" % (test, "%d/%d/%d" % (hybrid.count("pass"),
                                                            hybrid.count("fail"),
                                                            hybrid.count("skip")), lv, diff))
    for test, hybrid, live_run, _, lockstep_only in rows:
        if lockstep_only:
            print("  %s: %d tests fail on the live kernel and pass under lockstep (the tree's "
                  "Landlock is not the host's), e.g. %s" % (test, len(lockstep_only),
                                                           ", ".join(lockstep_only[:3])))
    if failures:
        print("\nfailures under lockstep:")
        for test, name, expected, verdict, live_detail in failures:
            print("  %s %s\n    lockstep: %s\n    %s%s" % (test, name, expected, verdict,
                                                       (": " + live_detail) if live_detail else ""))
    print("\nlockstep selftests: %s: %s; %d finding%s" % (
        version, ", ".join(
            "%s %d/%d/%d%s" % (t, h.count("pass"), h.count("fail"), h.count("skip"),
                               " (live %d/%d/%d)" % (lr.count("pass"), lr.count("fail"),
                                                     lr.count("skip")) if lr else "")
            for t, h, lr, _, _ in rows) + " passed/failed/skipped under lockstep",
        findings, "" if findings == 1 else "s"))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
