# SPDX-License-Identifier: MIT
"""Example 3 measures the journey of a 12, a 340 and a 1200-byte TCP message and prints, for
each, a waterfall whose rows are stages of the module's thirteen (never one of the four that
loopback cannot show), then 1000 real round trips and a getsockopt(): the numbers must be
consistent with each other (min <= p50 <= p99 <= max, a one-way journey shorter than a round
trip) and compared with the module's figures."""
import os
import re

from e2e import check, example, run

MODULE_STAGES = {"SYSCALL", "TCP_IP_TX", "QDISC", "DRIVER_TX", "WIRE", "NIC_RECEIVE", "DMA_TRANSFER",
                 "IRQ_SIGNAL", "DRIVER_RX", "TCP_IP_RX", "SOCKET_BUFFER", "COPY_TO_USER", "APP_RECEIVE"}
UNOBSERVABLE = {"WIRE", "NIC_RECEIVE", "DMA_TRANSFER", "IRQ_SIGNAL"}
UNIT = {"ns": 1, "\u00b5s": 1e3, "ms": 1e6, "s": 1e9}


def ns(text):
    value, unit = text.split()
    return float(value) * UNIT[unit]


r = run([example("03_packet_journey")], timeout=120)
out = r.stdout.decode()
check(r.returncode == 0, f"example 3 exit {r.returncode}: {r.stderr[-400:]!r}")
check(r.stderr == b"", f"example 3 wrote to stderr: {r.stderr[:300]!r}")
journeys = re.findall(r"A (\d+)-byte message, client to server \(median of (\d+), method (\w+)\)", out)
check([int(j[0]) for j in journeys] == [12, 340, 1200], f"journeys: {journeys}")
want_method = "tracefs" if os.geteuid() == 0 else "timestamping"
for size, complete, method in journeys:
    check(method == want_method, f"{size} bytes: method {method}, want {want_method}")
    check(int(complete) >= 270, f"{size} bytes: only {complete} of 300 messages complete")

rows = re.findall(r"^  (\w+)\s+([A-Z_.]+)\s+(kernel|boundary|user)\s+([\d.]+ [nm\u00b5]?s)\s+([\d.]+ [nm\u00b5]?s)", out, re.M)
check(len(rows) >= 3 * 4, f"waterfall rows: {len(rows)}")
for name, module, layer, p50, p99 in rows:
    stages = set(module.split(".."))
    check(stages <= MODULE_STAGES and not stages & UNOBSERVABLE, f"row {name}: module stage {module}")
    check(ns(p50) <= ns(p99), f"row {name}: p50 {p50} > p99 {p99}")
totals = [ns(t) for t in re.findall(r"total: median ([\d.]+ [nm\u00b5]?s)", out)]
check(len(totals) == 3, f"totals: {totals}")

m = re.search(r"min ([\d.]+ [nm\u00b5]?s), mean ([\d.]+ [nm\u00b5]?s), p50 ([\d.]+ [nm\u00b5]?s), "
              r"p99 ([\d.]+ [nm\u00b5]?s), max ([\d.]+ [nm\u00b5]?s)", out)
check(m, "no round-trip line")
lo, mean, p50, p99, hi = (ns(x) for x in m.groups())
check(lo <= p50 <= p99 <= hi and lo <= mean <= hi, f"round trips out of order: {m.groups()}")
check(max(totals) < p99 and min(totals) < p50 * 2, f"one-way totals {totals} against round trips {m.groups()}")
check(re.search(r"getsockopt\(SO_TYPE\) call: [\d.]+ [nm\u00b5]?s \(a plain function call", out), "no getsockopt cost")
check("local round trip: the module says 50.00 \u00b5s, this machine measured" in out, "no RTT comparison")
check("system call: the module says 100 ns to 300 ns" in out, "no system call comparison")
print("ok")
