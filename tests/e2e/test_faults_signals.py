# SPDX-License-Identifier: MIT
"""Faults for `journey` and `bench`:
- SIGINT, SIGTERM and SIGPIPE (sent by kill) at many moments of a run, from setting up (namespaces, tracefs) through
  the measured messages to the output: each time, exit 128 + the signal or a finished run,
  and nothing left: no tracefs instance, veth, namespace or child process;
- SIGPIPE: a reader that goes away ends the run quietly, and it still cleans up;
- the tracefs instance name already taken: auto falls back to SO_TIMESTAMPING and says why,
  --method tracefs is refused, and the instance that was there stays untouched;
- tracefs missing (hidden in a private mount namespace): auto falls back, tracefs is exit 3."""
import os
import re
import signal
import subprocess
import sys
import time

from e2e import NIC2APP, STARTUP, check, skip, stale_instances

if os.geteuid() != 0:
    skip("tracefs, namespaces and mount namespaces need root")
TRACING = "/sys/kernel/tracing"


def leftovers(pid):
    found = stale_instances()
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    found += re.findall(r"n2a\d+[ab]", links)
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return found + [f"child {k}" for k in kids]


def signal_at(args, sig, delay):
    p = subprocess.Popen([NIC2APP, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(STARTUP + delay)  # STARTUP: valgrind's, before the program's own start
    p.send_signal(sig)
    rc = p.wait(timeout=60)
    err = p.stderr.read().decode()
    what = f"{' '.join(args)}: {sig.name} after {delay * 1000:.0f} ms"
    # -sig: the signal came before the handler was set (a slow start, e.g. under ASan):
    # nothing was set up yet, which the leftovers check below still verifies
    check(rc in (0, 128 + sig, -sig), f"{what}: exit {rc}: {err[-300:]!r}")
    if rc > 0:
        check("stopped by signal" in err, f"{what}: stderr {err[-300:]!r}")
    for _ in range(20):  # a reaped child's pid may linger a moment in pgrep
        left = leftovers(p.pid)
        if not [x for x in left if x.startswith("child")]:
            break
        time.sleep(0.05)
    check(left == [], f"{what}: left behind {left}")


mounted_before = any(l.split()[2] == "tracefs" for l in open("/proc/self/mounts"))
for delay in (0.001, 0.005, 0.02, 0.05, 0.1, 0.2, 0.4):
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
        signal_at(["journey", "--via", "netns", "--proto", "tcp", "--count", "20000"], sig, delay)
    signal_at(["bench", "ctxswitch", "zerocopy", "batch", "--quick"], signal.SIGINT, delay * 5)
mounted_after = any(l.split()[2] == "tracefs" for l in open("/proc/self/mounts"))
check(mounted_after == mounted_before, "the tracefs mount changed")

# SIGPIPE: the reader is gone before the output; quiet, and nothing left
for args in (["journey", "--count", "300"], ["bench", "syscall", "--quick"]):
    p = subprocess.Popen([NIC2APP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    rc = p.wait(timeout=120)
    err = p.stderr.read().decode()
    # the run ends, cleans up, then its first write fails: quiet exit 1, or killed by SIGPIPE
    check(rc in (1, -signal.SIGPIPE) and "Traceback" not in err and "Sanitizer" not in err,
          f"{args}: a closed pipe: exit {rc}: {err[-300:]!r}")
    check(leftovers(p.pid) == [], f"{args}: a closed pipe left {leftovers(p.pid)}")

# the instance name taken: made by a child for its own pid just before it runs nic2app
TAKE = r"""
import os, sys
inst = f"/sys/kernel/tracing/instances/nic2app-{os.getpid()}"
os.mkdir(inst)
print(inst, flush=True)
os.execv(sys.argv[1], sys.argv[1:])
"""
if os.path.isdir(f"{TRACING}/instances"):
    for method, want in (("auto", 0), ("tracefs", None)):
        r = subprocess.run([sys.executable, "-c", TAKE, NIC2APP, "journey", "--count", "100",
                            "--method", method], capture_output=True, text=True, timeout=120)
        inst = r.stdout.splitlines()[0]
        try:
            if want == 0:
                check(r.returncode == 0 and "method: timestamping" in r.stdout and "File exists" in r.stdout,
                      f"instance taken, auto: exit {r.returncode}: {r.stdout[:400]!r} {r.stderr[-200:]!r}")
            else:
                check(r.returncode in (1, 3) and "File exists" in r.stderr,
                      f"instance taken, tracefs: exit {r.returncode}: {r.stderr[-300:]!r}")
            check(os.path.isdir(inst), "nic2app removed an instance it did not make")
        finally:
            os.rmdir(inst)

# tracefs missing: hidden under an empty tmpfs in a private mount namespace
HIDE = "umount -l /sys/kernel/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null; " \
       "mount -t tmpfs none /sys/kernel && exec \"$@\""
for method, want in (("auto", 0), ("tracefs", 3)):
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", HIDE, "sh", NIC2APP,
                        "journey", "--count", "100", "--method", method], capture_output=True, text=True,
                       timeout=120)
    check(r.returncode == want, f"tracefs hidden, {method}: exit {r.returncode}: {r.stderr[-300:]!r}")
    if want == 0:
        check("method: timestamping" in r.stdout and "No such device" in r.stdout,
              f"tracefs hidden, auto: {r.stdout[:300]!r}")
    else:
        check("tracefs" in r.stderr and "timestamping" in r.stderr, f"tracefs hidden: {r.stderr!r}")
print("ok")
