# SPDX-License-Identifier: MIT
"""What `nic2app fds --watch` and `--events` write off a terminal:
- to a full device (/dev/full) the first failed write ends them with exit 1 and one error line,
  as the one-shot command does (they used to print an error per interval and keep running);
- a text `change` event for an fd number reused by another object says what it was too."""
import os
import re
import subprocess
import time

from e2e import NIC2APP, check, fail, skip
from fixture import Fixture


def ends_with_one_error(p, what):
    try:
        _, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        fail(f"{what} to /dev/full kept running; stderr: {err[-300:]!r}")
    errors = [line for line in err.splitlines() if "cannot write" in line]
    check(p.returncode == 1, f"{what} to /dev/full: exit {p.returncode}, want 1; stderr: {err!r}")
    check(len(errors) == 1 and "No space left on device" in errors[0],
          f"{what} to /dev/full: want one error line, got {err!r}")


if not os.path.exists("/dev/full"):
    skip("no /dev/full here")

with Fixture("--kinds", "pipe") as fx, open("/dev/full", "w") as full:
    for args in (["--watch"], ["--watch", "--json"]):
        p = subprocess.Popen([NIC2APP, "fds", str(fx.pid), *args, "--interval", "0.05"],
                             stdout=full, stderr=subprocess.PIPE, text=True)
        ends_with_one_error(p, " ".join(args))
    for args in (["--events"], ["--events", "--json"]):
        p = subprocess.Popen([NIC2APP, "fds", str(fx.pid), *args, "--interval", "0.05"],
                             stdout=full, stderr=subprocess.PIPE, text=True)
        check("watching process" in p.stderr.readline(), "no start line on stderr")
        opened = fx.command("open eventfd")["fds"][0]["fd"]  # an event to write
        ends_with_one_error(p, " ".join(args))
        fx.command(f"close {opened}")
print("ok: --watch and --events end with exit 1 on a full device")

# an fd closed and another object opened at its number between two snapshots: one change event
# (retried when the two fell in different snapshots)
with Fixture("--kinds", "pipe") as fx:
    fd = min(e["fd"] for e in fx.manifest["fds"] if e["type"] == "pipe")
    was = f"pipe:[{next(e['inode'] for e in fx.manifest['fds'] if e['fd'] == fd)}]"
    p = subprocess.Popen([NIC2APP, "fds", str(fx.pid), "--events", "--interval", "0.5"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        start = p.stderr.readline()
        check("watching process" in start, "no start line on stderr")
        if "system calls" in start:
            # exact events: the close and the open are two events, each naming its object
            fx.command(f"close {fd}")
            check(fx.command("open eventfd")["fds"][0]["fd"] == fd, f"the eventfd did not reuse fd {fd}")
            closed, opened = p.stdout.readline(), p.stdout.readline()
            check(re.search(rf" close +syscall +close +fd {fd} pipe {re.escape(was)}", closed),
                  f"not the pipe's close: {closed!r}")
            check(re.search(rf" open +syscall +\S+ +fd {fd} eventfd", opened), f"not the eventfd: {opened!r}")
            line = closed.strip() + " / " + opened
        else:
            for kind, name in [("eventfd", "anon_inode:[eventfd]"), ("timerfd", "anon_inode:[timerfd]")] * 3:
                time.sleep(0.1)
                fx.command(f"close {fd}")
                check(fx.command(f"open {kind}")["fds"][0]["fd"] == fd, f"the {kind} did not reuse fd {fd}")
                line = p.stdout.readline()
                if " close " in line:
                    p.stdout.readline()  # its open
                else:
                    break
                was = name
            check(re.search(rf" change +fd {fd} {kind} {re.escape(name)}", line),
                  f"not a change to a {kind}: {line!r}")
            check(re.search(rf"\(was .*{re.escape(was)}\)", line),
                  f"the change event does not say what fd {fd} was ({was}): {line!r}")
    finally:
        p.kill()
        p.wait()
print(f"ok: a text change event names what the fd was: {line.strip()}")
