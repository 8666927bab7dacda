# SPDX-License-Identifier: MIT
"""When the kernel refuses even root the fd links (and fdinfo) of a process, as it does for a
process with capabilities the reader lacks (PID 1 in some containers), `nic2app fds` still lists
every fd number, with the mode each was opened with, marks each unreadable field as such, and
exits 0 with a note, as lsof lists the numbers. Here: a root fixture read by nic2app run without
CAP_SYS_PTRACE (setpriv). Ground truth: /proc/PID/fd as the test (full root) reads it, and the
modes the fixture opened its fds with."""
import json
import os
import shutil
import subprocess

from e2e import NIC2APP, check, skip
from fixture import Fixture

SETPRIV = shutil.which("setpriv")
if os.geteuid() != 0 or not SETPRIV:
    skip("needs root and setpriv (util-linux) to read a process without CAP_SYS_PTRACE")
LESS = [SETPRIV, "--bounding-set=-sys_ptrace"]
ACCESS = {"O_RDONLY": "r", "O_WRONLY": "w", "O_RDWR": "rw"}

with Fixture("--kinds", "file,file_append,chr,pipe,fifo,tcp_listen,eventfd") as fx:
    probe = subprocess.run([*LESS, "readlink", f"/proc/{fx.pid}/fd/0"], capture_output=True, timeout=30)
    if probe.returncode == 0:
        skip("without CAP_SYS_PTRACE the fd links of a root process are still readable here")
    r = subprocess.run([*LESS, NIC2APP, "fds", str(fx.pid), "--json"], capture_output=True, timeout=60)
    check(r.returncode == 0, f"exit {r.returncode}: {r.stderr.decode().strip()}")
    doc = json.loads(r.stdout)
    fds = sorted(int(n) for n in os.listdir(f"/proc/{fx.pid}/fd"))
    got = {e["fd"]: e for e in doc["fds"]}
    check(sorted(got) == fds, f"fds {sorted(got)}, /proc/{fx.pid}/fd has {fds}")
    check("links" in doc["scan"].get("denied", []), f"scan.denied {doc['scan'].get('denied')}")
    for e in got.values():
        check(e["type"] == "error" and e.get("error") in ("EACCES", "EPERM"), f"fd {e['fd']}: {e}")
        check("name" not in e, f"fd {e['fd']}: a name the kernel did not give: {e}")
    for want in fx.manifest["fds"]:
        mode = ACCESS.get(want.get("flags", "").split("|")[0])
        if mode:
            check(got[want["fd"]].get("access") == mode,
                  f"fd {want['fd']} ({want['kind']}): access {got[want['fd']].get('access')}, want {mode}")
    text = subprocess.run([*LESS, NIC2APP, "fds", str(fx.pid)], capture_output=True, timeout=60).stdout.decode()
    check(f"process {fx.pid}: the kernel shows neither what its fds point to" in text or
          f"process {fx.pid}: the kernel shows not what its fds point to" in text,
          f"no note on what was refused:\n{text}")
    check("opened read-write; target not shown" in text, f"rows do not say what is missing:\n{text}")
print(f"{len(fds)} fds listed with their modes though the kernel refused their links")
