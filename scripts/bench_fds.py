# SPDX-License-Identifier: MIT
"""bench_fds: `nic2app fds PID --json` on a process holding 15,000 fds (files, pipes, loopback
TCP pairs, UDP sockets, UNIX pairs), side by side with lsof, lsfd and the floor (listing
/proc/PID/fd and readlink-ing every entry once, nothing else), in one run, interleaved so
the machine's noise falls on all of them alike. Whole processes are timed: wall clock and
CPU (user+system, from wait4). Then `--watch` at 1 s intervals on the same process, as a
share of one core. Goals (issue 3): >= 6x faster than lsof, >= 5x than lsfd, <= 1.3x the
floor; --watch < 10% of a core. Issue 15 adds the whole machine (the fixture and BENCH_SMALL
small processes): `fds --all --json` by each engine beside `lsof -n -P` and `ss -tanp`, and
`fds --port N` beside `ss -tlnp 'sport = :N'` and `lsof -i :N`; goals: >= 10x faster than lsof,
faster than ss; and it tightens the one-process goals to <= 1.0x the floor and >= 6x faster
than lsof and lsfd, --watch <= 3% of a core. Prints a table and, last, one JSON line."""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

BUILD = os.environ.get("NIC2APP_BUILD", "build")
NIC2APP = os.path.join(BUILD, "nic2app")
FIXTURE = os.path.join(BUILD, "tests", "helpers", "fd_fixture")
FLOOR = os.path.join(BUILD, "tests", "helpers", "readlink_floor")
FDS = int(os.environ.get("BENCH_FDS", "15000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
WATCH_S = float(os.environ.get("BENCH_WATCH_S", "10"))
SMALL = int(os.environ.get("BENCH_SMALL", "300"))
# a peer's ratio is against this nic2app row (default: "nic2app fds --json")
REF = {}


def timed(argv):
    """Run argv with output discarded; (wall seconds, cpu seconds)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench_fds: {argv[0]} failed (status {status})")
    return wall, ru.ru_utime + ru.ru_stime


def cpu_of(pid):
    """utime + stime of a running process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_tools(tools, pid, doc):
    """The whole-machine peers (issue 15), timed in the same rounds."""
    port = next((e["socket"]["local"].rsplit(":", 1)[1] for e in doc["fds"]
                 if e["type"] == "socket" and e["socket"]["proto"] == "tcp"), None)
    bpf = subprocess.run([NIC2APP, "fds", "--pid", pid, "--engine", "bpf", "--json"],
                         capture_output=True).returncode == 0
    if bpf:
        tools["nic2app fds --pid P --engine bpf"] = [NIC2APP, "fds", "--pid", pid, "--engine", "bpf", "--json"]
        tools["nic2app fds --all --json (bpf)"] = [NIC2APP, "fds", "--all", "--json", "--engine", "bpf"]
    tools["nic2app fds --all --json (procfs)"] = [NIC2APP, "fds", "--all", "--json", "--engine", "procfs"]
    whole = "nic2app fds --all --json (bpf)" if bpf else "nic2app fds --all --json (procfs)"
    if shutil.which("lsof"):
        tools["lsof -n -P (whole machine)"] = ["lsof", "-n", "-P"]
        REF["lsof -n -P (whole machine)"] = whole
    if shutil.which("ss"):
        tools["ss -tanp"] = ["ss", "-tanp"]
        REF["ss -tanp"] = whole
    if port:
        ours = f"nic2app fds --port {port}"
        tools[ours] = [NIC2APP, "fds", "--port", port, "--json"]
        if shutil.which("ss"):
            tools[f"ss -tanp 'sport = :{port}'"] = ["ss", "-tanp", f"sport = :{port}"]
            REF[f"ss -tanp 'sport = :{port}'"] = ours
        if shutil.which("lsof"):
            tools[f"lsof -n -P -i :{port}"] = ["lsof", "-n", "-P", f"-i:{port}"]
            REF[f"lsof -n -P -i :{port}"] = ours


def main():
    small = [subprocess.Popen(["sleep", "3600"]) for _ in range(SMALL)]
    try:
        run_all()
    finally:
        for p in small:
            p.kill()
            p.wait()


def run_all():
    fixture = subprocess.Popen([FIXTURE, "--bench", str(FDS)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        manifest = json.loads(fixture.stdout.readline())
        pid = str(manifest["pid"])
        doc = json.loads(subprocess.run([NIC2APP, "fds", pid, "--json"], capture_output=True,
                                        check=True).stdout)
        unresolved = doc["scan"]["sockets_unresolved"]
        sockets = sum(1 for e in doc["fds"] if e["type"] == "socket")
        print(f"fixture: pid {pid}, {doc['scan']['fds']} fds ({manifest.get('mix')}); "
              f"{sockets} sockets, {unresolved} not resolved by {doc['scan']['socket_source']}")
        tools = {"floor (readlink each fd)": [FLOOR, pid],
                 "nic2app fds --json": [NIC2APP, "fds", pid, "--json"]}
        if shutil.which("lsof"):
            tools["lsof -n -P -p"] = ["lsof", "-n", "-P", "-p", pid]
        if shutil.which("lsfd"):
            tools["lsfd -p"] = ["lsfd", "-p", pid]
        machine_tools(tools, pid, doc)
        samples = {name: [] for name in tools}
        for _ in range(ROUNDS):
            for name, argv in tools.items():
                samples[name].append(timed(argv))
        med = {n: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
               for n, s in samples.items()}
        ours_wall, ours_cpu = med["nic2app fds --json"]
        print(f"\n{ROUNDS} rounds, median per run              wall ms   cpu ms   nic2app is")
        for name, (wall, cpu) in med.items():
            ref = REF.get(name, "nic2app fds --json")
            ratio = "" if name.startswith("nic2app") else f"{wall / med[ref][0]:5.2f}x faster (wall)"
            if ref != "nic2app fds --json" and ratio:
                ratio += f" than {ref.split(' --json')[0].replace('nic2app ', '')}"
            if name.startswith("floor"):
                ratio = f"{ours_wall / wall:5.2f}x the floor (wall), {ours_cpu / cpu:.2f}x (cpu)"
            print(f"  {name:34s} {wall * 1e3:8.1f} {cpu * 1e3:8.1f}   {ratio}")

        watch = subprocess.Popen([NIC2APP, "fds", pid, "--watch", "--json", "--interval", "1"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        c0, t0 = cpu_of(watch.pid), time.monotonic()
        time.sleep(WATCH_S)
        c1, t1 = cpu_of(watch.pid), time.monotonic()
        watch.terminate()
        watch.wait()
        watch_share = (c1 - c0) / (t1 - t0)
        print(f"\n--watch --interval 1 for {t1 - t0:.0f} s: {watch_share * 100:.1f}% of one core")
        result = {"fds": doc["scan"]["fds"], "sockets": sockets, "unresolved": unresolved,
                  "rounds": ROUNDS, "watch_core_share": round(watch_share, 4),
                  "median_ms": {n: {"wall": round(w * 1e3, 2), "cpu": round(c * 1e3, 2)}
                                for n, (w, c) in med.items()}}
        print(json.dumps(result))
    finally:
        fixture.stdin.close()
        fixture.wait(timeout=30)


main()
