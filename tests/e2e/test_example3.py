# SPDX-License-Identifier: MIT
"""Example 3 times its own send/recv loop on one CPU and on two, and must say where each end
really ran (the CPUs must be the ones asked for: one shared, then two different ones); then
one way of the same trip cut into stages by the library. The numbers must be consistent
(p50 <= p99; the one-way total shorter than a round trip on one CPU), and the module's ~50 us
must be called a LAN figure, not compared as if it were local."""
import os
import re

from e2e import check, example, run

UNIT = {"ns": 1, "us": 1e3, "\u00b5s": 1e3, "ms": 1e6, "s": 1e9}
UNOBSERVABLE = {"WIRE", "NIC_RECEIVE", "DMA_TRANSFER", "IRQ_SIGNAL"}


def ns(value, unit):
    return float(value) * UNIT[unit]


r = run([example("03_packet_journey")], timeout=120)
out = r.stdout.decode()
check(r.returncode == 0, f"example 3 exit {r.returncode}: {r.stderr[-400:]!r}")
check(r.stderr == b"", f"example 3 wrote to stderr: {r.stderr[:300]!r}")

rtts = re.findall(r"(both ends on one CPU|the ends on two CPUs)\s+client on CPU (-?\d+), echo on CPU "
                  r"(-?\d+): p50 ([\d.]+) (ns|us|\u00b5s|ms), p99 ([\d.]+) (ns|us|\u00b5s|ms)", out)
check(rtts and rtts[0][0] == "both ends on one CPU", f"round trips: {rtts}")
one = rtts[0]
check(one[1] == one[2] and int(one[1]) >= 0, f"one CPU, but the ends ran on {one[1]} and {one[2]}")
if os.cpu_count() > 1:
    check(len(rtts) == 2 and rtts[1][1] != rtts[1][2], f"two CPUs: {rtts}")
for what, _, _, p50, u50, p99, u99 in rtts:
    check(ns(p50, u50) <= ns(p99, u99), f"{what}: p50 > p99")

m = re.search(r"One way, client to echo, stage by stage \(median of (\d+) messages, method (\w+)\)", out)
check(m, "no journey")
want = "tracefs" if os.geteuid() == 0 else "timestamping"
check(m.group(2) == want, f"method {m.group(2)}, want {want}")
check(int(m.group(1)) >= 270, f"only {m.group(1)} of 300 messages complete")
rows = re.findall(r"^  (\w+)\s+([A-Z_.]+)\s+(kernel|boundary|user)\s+([\d.]+) ([nmu\u00b5]?s)\s+([\d.]+) ([nmu\u00b5]?s)",
                  out, re.M)
check(len(rows) >= 4, f"waterfall rows: {rows}")
for name, module, _, p50, u50, p99, u99 in rows:
    check(not set(module.split("..")) & UNOBSERVABLE, f"row {name} claims {module}")
    check(ns(p50, u50) <= ns(p99, u99), f"row {name}: p50 > p99")
total = re.search(r"total: median ([\d.]+) ([nmu\u00b5]?s)", out)
check(total and ns(*total.groups()) < ns(one[5], one[6]), f"one way {total and total.groups()} "
      f"not shorter than the p99 round trip {one[5:]}")
check("~50 \u00b5s is a typical LAN round trip" in out, "the module's figure is not called a LAN figure")
print("ok")
