#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench.sh: the benchmarks behind `make bench`. Performance goals live here, as ratios
# against peers measured side by side, never as timed assertions in tests: nic2app bench
# beside a bare syscall loop, sockperf and iperf3 (three runs), then `nic2app fds` against
# lsof, lsfd and the readlink floor, a scrape of `nic2app exporter` beside
# prometheus-node-exporter's, then what `journey --live` costs a round trip beside the
# tracefs method.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
scripts/deps.sh bench || exit 1
echo "nic2app bench beside a bare loop, sockperf and iperf3 (client on CPU 0, server on CPU 1)"
NIC2APP_BUILD=$BUILD /usr/bin/python3 scripts/bench_peers.py 3 || exit 1
echo
echo "nic2app fds on a process holding 15,000 fds, against lsof, lsfd and the readlink floor"
NIC2APP_BUILD=$BUILD /usr/bin/python3 scripts/bench_fds.py || exit 1
echo
echo "nic2app fds by each engine, for processes of 0 to 15,000 fds: where auto switches to BPF"
NIC2APP_BUILD=$BUILD /usr/bin/python3 scripts/bench_fds_engines.py || exit 1
echo
echo "nic2app exporter: one scrape of 15,000 fds and 300 processes, beside prometheus-node-exporter"
NIC2APP_BUILD=$BUILD /usr/bin/python3 scripts/bench_exporter.py || exit 1
echo
echo "what observing costs a UDP round trip: journey --live (BPF) beside the tracefs method"
NIC2APP_BUILD=$BUILD /usr/bin/python3 scripts/bench_live.py 5 || exit 1
echo
echo "nic2app fds --events from the system calls (BPF): the cost per open+close pair in the target"
NIC2APP_BUILD=$BUILD /usr/bin/python3 scripts/bench_fd_events.py || exit 1
