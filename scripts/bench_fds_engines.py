# SPDX-License-Identifier: MIT
"""bench_fds_engines: where `nic2app fds --engine auto` should switch from /proc to BPF. For
processes holding N fds (fd_fixture --bench N: files, pipes, TCP, UDP, UNIX; N = 0 is a
process with only its stdio), `nic2app fds PID --json` by each engine, whole processes timed
(wall and CPU, medians of ROUNDS, interleaved); then the BPF engine's fixed cost: a process
with 3 fds, where nearly all of the run is loading the program. Prints a table and, last,
one JSON line; the smallest N at which BPF wins is where auto's threshold belongs
(src/fds_engine.c). Needs root (the BPF engine)."""
import json
import os
import statistics
import subprocess
import sys
import time

BUILD = os.environ.get("NIC2APP_BUILD", "build")
NIC2APP = os.path.join(BUILD, "nic2app")
FIXTURE = os.path.join(BUILD, "tests", "helpers", "fd_fixture")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "0,50,200,500,1000,2000,5000,15000").split(",")]


def timed(argv):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench_fds_engines: {' '.join(argv)} failed (status {status})")
    return wall, ru.ru_utime + ru.ru_stime


def fdsize(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("FDSize:"))


def measure(pid):
    runs = {e: [] for e in ("procfs", "bpf")}
    for _ in range(ROUNDS):
        for engine in runs:
            runs[engine].append(timed([NIC2APP, "fds", str(pid), "--json", "--engine", engine]))
    return {e: (statistics.median(w for w, _ in s) * 1e3, statistics.median(c for _, c in s) * 1e3,
                min(w for w, _ in s) * 1e3)
            for e, s in runs.items()}


def main():
    if subprocess.run([NIC2APP, "fds", "self", "--engine", "bpf", "--json"],
                      capture_output=True).returncode != 0:
        print("bench_fds_engines: the BPF engine cannot be used here (root, BTF): skipped")
        return
    rows = []
    print(f"{ROUNDS} rounds   fds  FDSize   procfs wall (min) / cpu ms   bpf wall (min) / cpu ms   bpf/procfs")
    for n in SIZES:
        args = [FIXTURE, "--bench", str(n)] if n else ["sleep", "3600"]
        p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            if n:
                p.stdout.readline()  # the manifest: the fds are open
            else:
                time.sleep(0.05)
            size = fdsize(p.pid)
            m = measure(p.pid)
        finally:
            if n:
                p.stdin.close()
            else:
                p.kill()
            p.wait(timeout=30)
        ratio = m["bpf"][0] / m["procfs"][0]
        rows.append({"fds": n, "fdsize": size, "procfs_ms": m["procfs"], "bpf_ms": m["bpf"]})
        print(f"{'':9s}{n:5d} {size:7d}   {m['procfs'][0]:7.2f} ({m['procfs'][2]:6.2f}) / {m['procfs'][1]:6.2f}"
              f"      {m['bpf'][0]:7.2f} ({m['bpf'][2]:6.2f}) / {m['bpf'][1]:6.2f}     {ratio:5.2f}x")
    # the smallest FDSize from which BPF wins at every size measured (not just at one of them)
    loses = [r["fdsize"] for r in rows if r["bpf_ms"][0] >= r["procfs_ms"][0]]
    wins = [r["fdsize"] for r in rows if r["fdsize"] > max(loses, default=0)]
    print(f"BPF is faster at every size from FDSize {min(wins) if wins else 'never'} on (wall); "
          f"auto switches at 512 (FD_BPF_WORTH_SLOTS)")
    print(json.dumps({"rounds": ROUNDS, "rows": rows}))


main()
