# SPDX-License-Identifier: MIT
"""Print the syscall_cost section of `nic2app sockets --json` (read on stdin) as one table."""
import json
import sys

cost = json.load(sys.stdin)["syscall_cost"]
for name, c in cost.items():
    ratio = c["ratio_to_function_call"]
    print(f"  {name:14s} p50 {c['p50_ns']:9.1f} ns  p99 {c['p99_ns']:9.1f} ns"
          f"  {ratio:6.0f}x a function call")
