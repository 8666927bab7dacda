# SPDX-License-Identifier: MIT
"""bench_exporter: what one scrape of `nic2app exporter` costs on a machine with a process
holding 15,000 fds (fd_fixture --bench) and 300 small processes, beside `exporter --live`
(what its histograms add) and Debian's prometheus-node-exporter scraped on the same machine
in the same run (interleaved). For each: the wall time of a scrape as the client sees it
(request to last byte) and the CPU the exporter process spent on it (utime+stime from /proc/PID/stat), medians of ROUNDS; from
that, the share of one core at one scrape every 15 s. Goal (issue 16): a scrape under
100 ms and under 5% of a core at 15 s. Prints a table and, last, one JSON line."""
import http.client
import json
import os
import re
import select
import shutil
import socket
import statistics
import subprocess
import sys
import time

BUILD = os.environ.get("NIC2APP_BUILD", "build")
NIC2APP = os.path.join(BUILD, "nic2app")
FIXTURE = os.path.join(BUILD, "tests", "helpers", "fd_fixture")
FDS = int(os.environ.get("BENCH_FDS", "15000"))
SMALL = int(os.environ.get("BENCH_PROCESSES", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
INTERVAL_S = 15.0


def cpu_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port):
    """(wall seconds, body bytes) of one GET /metrics with Prometheus's Accept header."""
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/metrics", headers={
        "Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"})
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200:
        sys.exit(f"bench_exporter: a scrape answered {r.status}")
    return time.perf_counter() - t0, body


def measure(pid, port):
    """One scrape: (wall s, cpu s of the exporter, body)."""
    c0 = cpu_of(pid)
    wall, body = scrape(port)
    time.sleep(0.05)  # let the exporter finish closing the connection
    return wall, cpu_of(pid) - c0, body


def fds_alone(pid):
    """Wall seconds of `nic2app fds PID --json` of the fixture alone: the part of a scrape
    that is one process's 15,000 fds, for scale."""
    t0 = time.perf_counter()
    subprocess.run([NIC2APP, "fds", str(pid), "--json"], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def start_small(n):
    return [subprocess.Popen(["sleep", "3600"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(n)]


def start_exporter(name, args, peers, ports):
    """Start `nic2app exporter ARGS` as peer name; False when it could not (--live without
    root or BPF)."""
    ex = subprocess.Popen([NIC2APP, "exporter", "--listen", "127.0.0.1:0", *args],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ready, _, _ = select.select([ex.stdout], [], [], 10)
    m = re.search(r":(\d+)/metrics", ex.stdout.readline().decode() if ready else "")
    if not m:
        ex.kill()
        ex.wait()
        return False
    peers[name], ports[name] = ex, int(m.group(1))
    return True


def main():
    children, peers, ports = [], {}, {}
    fixture = subprocess.Popen([FIXTURE, "--bench", str(FDS)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        fixture_pid = json.loads(fixture.stdout.readline())["pid"]
        children = start_small(SMALL)
        if not start_exporter("nic2app exporter", [], peers, ports):
            sys.exit("bench_exporter: the exporter did not start")
        # the same with the stage histograms of --live: what reading them adds to a scrape
        if not start_exporter("nic2app exporter --live", ["--live"], peers, ports):
            print("bench_exporter: exporter --live could not start (root and BPF): left out")
        node = shutil.which("prometheus-node-exporter")
        if node:
            port = free_port()
            peers["prometheus-node-exporter"] = subprocess.Popen(
                [node, f"--web.listen-address=127.0.0.1:{port}", "--log.level=error"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ports["prometheus-node-exporter"] = port
            time.sleep(1)
        for name in peers:  # warm up: first scrapes pay for page faults and caches
            for _ in range(2):
                measure(peers[name].pid, ports[name])
        results = {name: [] for name in peers}
        bodies, alone = {}, []
        for _ in range(ROUNDS):
            alone.append(fds_alone(fixture_pid))
            for name in peers:
                wall, cpu, body = measure(peers[name].pid, ports[name])
                results[name].append((wall, cpu))
                bodies[name] = body
        # idle cost: nothing but waiting between scrapes
        c0 = {n: cpu_of(p.pid) for n, p in peers.items()}
        time.sleep(3)
        idle = {n: cpu_of(p.pid) - c0[n] for n, p in peers.items()}
        text = bodies["nic2app exporter"].decode()
        fds = sum(float(v) for v in re.findall(r'^nic2app_process_fds\{[^}]*\} (\S+)$', text, re.M))
        procs = re.search(r'nic2app_scrape_processes\{result="scanned"\} (\d+)', text).group(1)
        print(f"machine: {procs} processes scanned, {fds:.0f} fds (fixture: {FDS}, plus "
              f"{SMALL} sleeps); {ROUNDS} scrapes each, interleaved, medians")
        print(f"\n  {'':26s} {'wall ms':>8s} {'cpu ms':>8s} {'bytes':>8s} {'% core at 15 s':>15s}")
        out = {}
        for name, rs in results.items():
            wall = statistics.median(w for w, _ in rs)
            cpu = statistics.mean(c for _, c in rs)  # ticks are 10 ms: the mean, not the median
            share = cpu / INTERVAL_S * 100 + idle[name] / 3 * 100
            print(f"  {name:26s} {wall * 1e3:8.1f} {cpu * 1e3:8.1f} {len(bodies[name]):8d} "
                  f"{share:14.2f}%")
            out[name] = {"wall_ms": round(wall * 1e3, 2), "cpu_ms": round(cpu * 1e3, 2),
                         "bytes": len(bodies[name]), "core_pct_at_15s": round(share, 3)}
        scan = statistics.median(alone)
        print(f"  {'(nic2app fds of the fixture)':26s} {scan * 1e3:8.1f}   one process's 15,000 "
              f"fds alone, same rounds")
        print(json.dumps({"bench": "exporter", "processes": int(procs), "fds": int(fds),
                          "fixture_fds_json_ms": round(scan * 1e3, 2), "results": out}))
    finally:
        for p in list(peers.values()) + children:
            p.terminate()
        for p in list(peers.values()) + children:
            p.wait()
        fixture.stdin.close()
        fixture.wait()


if __name__ == "__main__":
    main()
