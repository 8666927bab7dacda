#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench.sh: the benchmarks behind `make bench`. Performance goals live here, as ratios
# against peers measured side by side, never as timed assertions in tests. Today it runs the
# system-call cost measurement three times, to show its spread; the `nic2app bench` suites
# (syscall, copy, rtt, zerocopy, batch) will replace it.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
for run in 1 2 3; do
	echo "run $run: nic2app sockets --json, syscall_cost (per call)"
	"$BUILD/nic2app" sockets --json | /usr/bin/python3 scripts/syscost_table.py || exit 1
done
