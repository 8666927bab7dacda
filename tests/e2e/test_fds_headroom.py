# SPDX-License-Identifier: MIT
"""Headroom when fds sit above the soft limit: after `prlimit --nofile=16:HARD` on a process
holding more than 16 fds, nic2app must say plainly that fds numbered 16 or more exist, and the
highest fd, never a negative room ("-21 left"). Ground truth: /proc/PID/fd and the limit set."""
import json
import os
import re
import shutil
import subprocess

from e2e import check, nic2app, skip
from fixture import Fixture

PRLIMIT = shutil.which("prlimit")
if not PRLIMIT:
    skip("prlimit (util-linux) is not installed")
SOFT = 16

with Fixture("--kinds", "all") as fx:
    hard = open(f"/proc/{fx.pid}/limits").read().split("Max open files")[1].split()[1]
    r = subprocess.run([PRLIMIT, "--pid", str(fx.pid), f"--nofile={SOFT}:{hard}"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, f"prlimit: {r.stderr.strip()}")
    fds = sorted(int(n) for n in os.listdir(f"/proc/{fx.pid}/fd"))
    above = [fd for fd in fds if fd >= SOFT]
    check(len(above) > 10, f"the fixture holds only {len(fds)} fds")
    free_below = SOFT - (len(fds) - len(above))

    doc = json.loads(nic2app("fds", str(fx.pid), "--json").stdout)
    limits = doc["limits"]
    check(limits["soft"] == SOFT, f"limits.soft {limits['soft']}")
    check(limits.get("highest_fd") == fds[-1], f"limits.highest_fd {limits.get('highest_fd')}, want {fds[-1]}")
    check(limits.get("above_soft") == len(above), f"limits.above_soft {limits.get('above_soft')}, want {len(above)}")

    text = nic2app("fds", str(fx.pid)).stdout.decode()
    head = [line for line in text.splitlines() if line.startswith("headroom:")][0]
    check(f", {free_below} left)" in head, f"the headroom line: {head!r}, want {free_below} left")
    check(not re.search(r"-\d+ left", text), f"a negative room: {head!r}")
    want = f"{len(above)} fds are numbered {SOFT} or more, past the soft limit (highest fd {fds[-1]})"
    check(want in text, f"the text does not say {want!r}:\n{text[text.find('headroom:'):]}")
print(f"{len(above)} fds above a soft limit of {SOFT} (highest {fds[-1]}) reported as such")
