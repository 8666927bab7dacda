# SPDX-License-Identifier: MIT
"""bench_peers: nic2app bench beside the tools it means to be trusted more than, on the same
machine in the same run, with the same placement (one CPU for both ends, or one each; the
peers' client on CPU 0 and server on CPU 1):
  syscall.getppid      against a bare loop of the same call (goal: within 10%)
  rtt.tcp_lo.pinned    against sockperf ping-pong --full-rtt, both ends on one CPU (within 15%)
  rtt.tcp_lo.blocking  against the same across two CPUs (within 15%)
  best zero-copy send  against iperf3 -Z (sendfile) (goal: at least as fast)
Usage: NIC2APP_BUILD=build python3 scripts/bench_peers.py [RUNS]"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

BUILD = os.environ.get("NIC2APP_BUILD", "build")
NIC2APP = os.path.join(BUILD, "nic2app")
SEND_WAYS = ["sendfile", "splice", "io_uring", "msg_zerocopy", "io_uring_send_zc", "mmap_write",
             "read_write"]
PORT = 11000 + os.getpid() % 1000


def pinned(cpu, args):
    return ["taskset", "-c", str(cpu), *args]


def ours():
    # not pinned as a whole: nic2app pins its own ends (one CPU, or two)
    r = subprocess.run([NIC2APP, "bench", "syscall", "rtt", "zerocopy", "--json"],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"nic2app bench failed: {r.stderr}")
    return {x["name"]: x for x in json.loads(r.stdout)["results"]}


def bare_getppid():
    out = subprocess.run([os.path.join(BUILD, "tests/helpers/bare_getppid")], capture_output=True,
                         text=True, timeout=120).stdout
    return float(out)


def sockperf_p50(client_cpu, server_cpu):
    """sockperf's full-round-trip median in ns, 64-byte TCP messages."""
    server = subprocess.Popen(pinned(server_cpu, ["sockperf", "server", "-i", "127.0.0.1", "-p",
                                                  str(PORT), "--tcp"]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        out = subprocess.run(pinned(client_cpu, ["sockperf", "ping-pong", "-i", "127.0.0.1", "-p",
                                                 str(PORT), "--tcp", "-m", "64", "-t", "3",
                                                 "--full-rtt"]),
                             capture_output=True, text=True, timeout=60).stdout
    finally:
        server.kill()
        server.wait()
    m = re.search(r"percentile 50\.000 =\s*([\d.]+)", out)
    if not m:
        sys.exit(f"sockperf printed no median: {out[-500:]}")
    return float(m.group(1)) * 1000


def iperf3_zerocopy():
    """iperf3 -Z (sendfile) over loopback for 5 s, in GB/s."""
    server = subprocess.Popen(pinned(1, ["iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", str(PORT + 1)]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        out = subprocess.run(pinned(0, ["iperf3", "-c", "127.0.0.1", "-p", str(PORT + 1), "-Z",
                                        "-t", "5", "-J"]),
                             capture_output=True, text=True, timeout=60).stdout
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()
    return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 8e9


def one_run(n):
    r = ours()
    bare = bare_getppid()
    sp_pinned = sockperf_p50(0, 0)
    sp_split = sockperf_p50(0, 1)
    iperf = iperf3_zerocopy()
    best = max(SEND_WAYS, key=lambda w: r[f"zerocopy.{w}"]["value"])
    rows = [
        ("syscall.getppid / bare loop", r["syscall.getppid"]["value"], bare, "ns", "within 10%",
         abs(r["syscall.getppid"]["value"] / bare - 1) <= 0.10),
        ("rtt.tcp_lo.pinned / sockperf, one CPU", r["rtt.tcp_lo.pinned"]["value"], sp_pinned, "ns",
         "within 15%", abs(r["rtt.tcp_lo.pinned"]["value"] / sp_pinned - 1) <= 0.15),
        ("rtt.tcp_lo.blocking / sockperf, two CPUs", r["rtt.tcp_lo.blocking"]["value"], sp_split, "ns",
         "within 15%", abs(r["rtt.tcp_lo.blocking"]["value"] / sp_split - 1) <= 0.15),
        (f"zerocopy.{best} (best) / iperf3 -Z", r[f"zerocopy.{best}"]["value"], iperf, "GB/s",
         "at least 1.0", r[f"zerocopy.{best}"]["value"] >= iperf),
    ]
    print(f"run {n}:")
    print(f"  {'comparison':44} {'nic2app':>12} {'peer':>12} {'ratio':>7}  goal")
    for what, a, b, unit, goal, met in rows:
        print(f"  {what:44} {a:9.1f} {unit:4} {b:7.1f} {unit:4} {a / b:6.2f}  {goal}: "
              f"{'met' if met else 'NOT met'}")
    sys.stdout.flush()


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for tool in ("sockperf", "iperf3", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"bench_peers: {tool} is missing (scripts/deps.sh bench installs it)")
    if os.cpu_count() < 2:
        sys.exit("bench_peers: needs two CPUs")
    for n in range(1, runs + 1):
        one_run(n)


if __name__ == "__main__":
    main()
