# SPDX-License-Identifier: MIT
"""Faults for `nic2app fds`:
- fds replaced by the thousands during scans: fds 100-1099 of a churning process only ever
  hold one end of one pipe or /dev/null; every row a snapshot shows must be one of those two
  truths (a row mixing them, or anything else, was never true); an fd that changed under
  every one of the scan's reads is an `error` row saying EAGAIN, which is true too, but must
  stay rare (on a loaded machine a few happen);
- the watched process exits mid-scan (a process with 15,000 fds killed as the scan starts):
  exit 1 with a message, or exit 0 with all 15,000 fds, never a table of the fds that were
  still left while the kernel closed them;
- nic2app's own RLIMIT_NOFILE exhausted: a clear error or a result, never a crash."""
import json
import os
import signal
import subprocess
import sys
import time

from e2e import NIC2APP, STARTUP, check, nic2app, reduced
from fixture import Fixture

CHURN = r"""
import os, sys, time
r, w = os.pipe()
null = os.open("/dev/null", os.O_RDONLY)
sys.stdout.write(f"{os.fstat(r).st_ino} {os.fstat(null).st_ino}\n"); sys.stdout.flush()
n = 0
while True:
    for fd in range(100, 1100):
        os.dup2(r if (fd + n) % 2 else null, fd)
    for fd in range(100, 1100, 3):
        os.close(fd)
    n += 1
    time.sleep(float(sys.argv[1]))
"""

# 1. churn: every row true at some moment
slow = reduced("the churn pauses 0.2 s between rounds (the scans run many times slower); "
               "nic2app's own fd limit is not squeezed (valgrind needs fds of its own)")
pause = 0.2 if slow else 0
churn = subprocess.Popen([sys.executable, "-c", CHURN, str(pause)], stdout=subprocess.PIPE, text=True)
try:
    pipe_ino, null_ino = (int(x) for x in churn.stdout.readline().split())
    rows = retried = 0
    for _ in range(30):
        r = nic2app("fds", str(churn.pid), "--json")
        check(r.returncode == 0, f"fds during churn: exit {r.returncode}: {r.stderr[-300:]!r}")
        for e in json.loads(r.stdout)["fds"]:
            if not 100 <= e["fd"] < 1100:
                continue
            rows += 1
            pipe = e["type"] == "pipe" and e.get("inode") == pipe_ino
            null = e["type"] == "chr" and e.get("name") == "/dev/null"
            if e["type"] == "error" and e.get("error") == "EAGAIN":
                retried += 1
                continue
            check(pipe or null, f"a row that was never true: {e}")
    check(rows > 1000, f"only {rows} churned rows seen")
    check(retried * 20 <= rows, f"{retried} of {rows} rows changed under every read (EAGAIN)")
finally:
    churn.kill()
    churn.wait()

# 2. the process exits as the scan runs: exit 0 (the scan won) or 1 (said so), nothing else
outcomes = {}
for i in range(8):
    with Fixture("--bench", "15000") as fx:
        p = subprocess.Popen([NIC2APP, "fds", str(fx.pid), "--json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        time.sleep(STARTUP + 0.002 * i)
        os.kill(fx.pid, signal.SIGKILL)
        out, err = p.communicate(timeout=60)
    outcomes[p.returncode] = outcomes.get(p.returncode, 0) + 1
    check(p.returncode in (0, 1), f"exit mid-scan: exit {p.returncode}: {err[-300:]!r}")
    if p.returncode == 0:  # the scan won the race: then it must be the whole, true table
        n = len(json.loads(out)["fds"])
        check(n >= 15000, f"exit 0 with {n} fds of a process that had 15,000: a table never true")
    else:
        check(out == b"" and b"nic2app: " in err, f"exit mid-scan: out {out[:100]!r} err {err!r}")
print(f"exit statuses when the process died mid-scan: {outcomes}")

# 3. nic2app's own fd limit nearly exhausted: a result or a clear error, never a crash
for limit in (() if slow else (4, 6, 10, 16)):
    for args in (["fds", "self", "--json"], ["journey", "--count", "50"], ["sockets", "--json"],
                 ["bench", "syscall", "--quick"]):
        r = subprocess.run(["prlimit", f"--nofile={limit}", NIC2APP, *args], capture_output=True,
                           timeout=120)
        what = f"nofile={limit} {' '.join(args)}"
        check(r.returncode in (0, 1, 3), f"{what}: exit {r.returncode}: {r.stderr[-300:]!r}")
        if r.returncode:
            check(r.stderr.startswith(b"nic2app") and r.stdout == b"",
                  f"{what}: exit {r.returncode} without a clear message: {r.stderr[-300:]!r}")
inst = "/sys/kernel/tracing/instances"
left = [i for i in os.listdir(inst) if i.startswith("nic2app-")] if os.path.isdir(inst) else []
check(left == [], f"tracefs instances left: {left}")
print("ok")
