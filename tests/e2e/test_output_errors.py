# SPDX-License-Identifier: MIT
"""Output to a closed pipe ends quietly (no crash, nothing on stderr); output to a full
device is a clear error with exit 1."""
import os
import signal
import subprocess

from e2e import NIC2APP, check, run

for args in (["sockets"], ["sockets", "--json"], ["tour"], ["--help"]):
    what = " ".join(args)
    p = subprocess.Popen([NIC2APP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()  # like `| head -1`
    err = p.stderr.read()
    rc = p.wait(timeout=60)
    # killed by SIGPIPE or a quiet exit are both fine; any other signal is a crash
    check(rc in (0, 1, -signal.SIGPIPE), f"'{what} | head -1' ended with {rc}")
    check(err == b"", f"'{what} | head -1' wrote to stderr: {err[:300]!r}")

if os.path.exists("/dev/full"):
    with open("/dev/full", "w") as full:
        r = run([NIC2APP, "sockets", "--json"], stdout=full)
    check(r.returncode == 1, f"output to /dev/full: exit {r.returncode}, want 1")
    check(b"cannot write output" in r.stderr and b"No space left" in r.stderr,
          f"output to /dev/full: stderr {r.stderr!r}")
print("ok")
