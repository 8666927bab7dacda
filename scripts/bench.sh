#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench.sh: the benchmarks behind `make bench`. Performance goals live here, as measured
# ratios against peers run side by side, never as timed assertions in tests.
# For now: the system-call cost measured by `nic2app sockets`, against a bare loop of the same
# call in a separate program is part of the bench issue; this prints what is measured today.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
echo "nic2app bench: syscall cost as measured by 'nic2app sockets --json' (p50, ns per call)"
"$BUILD/nic2app" sockets --json | /usr/bin/python3 -c '
import json, sys
cost = json.load(sys.stdin)["syscall_cost"]
for name, c in cost.items():
    print(f"  {name:14s} p50 {c[\"p50_ns\"]:9.1f}  p99 {c[\"p99_ns\"]:9.1f}  x{c[\"ratio_to_function_call\"]:.0f} a function call")
'
