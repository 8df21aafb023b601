#!/usr/bin/env bash
# bench/perf_gate.py's comparison and parsing on fixed inputs (bench/perf_gate_test.py).
exec python3 bench/perf_gate_test.py
