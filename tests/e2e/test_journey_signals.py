# SPDX-License-Identifier: MIT
"""SIGINT and SIGTERM in the middle of a journey (tracefs, over a veth pair between private
namespaces): the run ends with 128 + the signal, says so, and leaves nothing: no tracefs
instance, no veth, no namespace, and tracefs mounted only if it was before."""
import os
import re
import signal
import subprocess
import time

from e2e import NIC2APP, check, fail, skip

if os.geteuid() != 0:
    skip("the tracefs method and --via netns need root")
TRACING = "/sys/kernel/tracing"


def mounted():
    with open("/proc/self/mounts") as f:
        return any(line.split()[2] == "tracefs" for line in f)


def veths():
    out = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    return re.findall(r"n2a\d+[ab]", out)


def namespaces():
    r = subprocess.run(["lsns", "-n", "-t", "net", "-o", "NS"], capture_output=True, text=True)
    return set(r.stdout.split())


was_mounted, before = mounted(), namespaces()
for sig in (signal.SIGINT, signal.SIGTERM):
    p = subprocess.Popen([NIC2APP, "journey", "--via", "netns", "--proto", "tcp", "--count", "300000"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    instance = f"{TRACING}/instances/nic2app-{p.pid}"
    try:
        for _ in range(500):  # until tracing is set up and messages flow
            if os.path.isdir(instance) or p.poll() is not None:
                break
            time.sleep(0.01)
        if p.poll() is not None:
            err = p.stderr.read().decode()
            if p.returncode == 3:
                skip(f"journey not possible here: {err.strip()}")
            fail(f"journey ended before the signal: exit {p.returncode}: {err!r}")
        time.sleep(0.3)
        p.send_signal(sig)
        rc = p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    err = p.stderr.read().decode()
    check(rc == 128 + sig, f"{sig.name}: exit {rc}, want {128 + sig}: {err!r}")
    check("stopped by signal" in err, f"{sig.name}: stderr {err!r}")
    check(not os.path.exists(instance), f"{sig.name}: {instance} left behind")
    check(veths() == [], f"{sig.name}: veth left behind: {veths()}")
    check(mounted() == was_mounted, f"{sig.name}: tracefs mount changed")
for _ in range(50):  # namespaces go a moment after their last user
    if namespaces() == before:
        break
    time.sleep(0.1)
else:
    fail(f"namespaces left behind: {namespaces() - before}")
print("ok")
