#!/usr/bin/env python3
"""Live progress of AFL++ instances, from their StatsD metrics.

AFL++ rewrites OUT/<instance>/fuzzer_stats only once a minute (and its first write divides the
dry run's execs by a few milliseconds, e.g. "execs_per_sec: 620000"), so progress lines read from
it are stale or wrong for most of a short run. With AFL_STATSD=1 each instance sends its counters
as StatsD gauges to 127.0.0.1:AFL_STATSD_PORT once a second; this listener gives each instance
its own port and keeps OUT/<instance>/progress current:

    execs_done 41518
    execs_per_sec 6898.97
    edges_found 2729
    corpus_count 1513
    saved_crashes 0
    updated 1796498114.4   (time.time() of the last datagram)

    afl_progress.py --ports-file FILE --parent PID OUT/name1 [OUT/name2 ...]

Binds one UDP socket per instance directory on a free port, writes the ports (one per line, in
argument order) to FILE, and runs until PID is gone or it is terminated.
"""

import argparse
import os
import select
import socket
import time

METRICS = ("execs_done", "execs_per_sec", "edges_found", "corpus_count", "saved_crashes")


def parse_gauges(datagram):
    """{"execs_done": "41518", ...} from 'fuzzing.execs_done:41518|g|...' lines."""
    values = {}
    for line in datagram.decode("ascii", "replace").split("\n"):
        name, sep, rest = line.partition(":")
        if not sep or not name.startswith("fuzzing."):
            continue
        values[name[len("fuzzing."):]] = rest.split("|", 1)[0]
    return values


def write_progress(directory, values):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "progress")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for key in METRICS:
            if key in values:
                f.write(f"{key} {values[key]}\n")
        f.write(f"updated {time.time():.1f}\n")
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ports-file", required=True)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("dirs", nargs="+")
    args = parser.parse_args()

    sockets = {}
    latest = {directory: {} for directory in args.dirs}  # gauges may come in several datagrams
    for directory in args.dirs:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        sockets[s] = directory
    tmp = args.ports_file + ".tmp"
    with open(tmp, "w") as f:
        for s in sockets:
            f.write(f"{s.getsockname()[1]}\n")
    os.replace(tmp, args.ports_file)

    while True:
        try:
            os.kill(args.parent, 0)
        except ProcessLookupError:
            return
        ready, _, _ = select.select(list(sockets), [], [], 1.0)
        for s in ready:
            datagram, _ = s.recvfrom(65536)
            values = latest[sockets[s]]
            values.update(parse_gauges(datagram))
            if "execs_done" in values:
                write_progress(sockets[s], values)


if __name__ == "__main__":
    main()
