#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench.sh: the benchmarks behind `make bench`. Performance goals live here, as ratios
# against peers measured side by side, never as timed assertions in tests. Today it runs the
# system-call cost measurement three times, to show its spread (the `nic2app bench` suites
# will replace it), then `nic2app fds` against lsof, lsfd and the readlink floor.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
for run in 1 2 3; do
	echo "run $run: nic2app sockets --json, syscall_cost (per call)"
	"$BUILD/nic2app" sockets --json | /usr/bin/python3 scripts/syscost_table.py || exit 1
done
echo
echo "nic2app fds on a process holding 15,000 fds, against lsof, lsfd and the readlink floor"
NIC2APP_BUILD=$BUILD /usr/bin/python3 scripts/bench_fds.py || exit 1
