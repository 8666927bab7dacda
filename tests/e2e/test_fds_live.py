# SPDX-License-Identifier: MIT
"""`nic2app fds --events` sees an fd opened and one closed by the fixture, with the right fd
numbers and inodes, and ends when the process exits; `--watch` off a terminal prints one
JSON snapshot per interval and also ends cleanly when the process exits mid-watch."""
import json
import queue
import subprocess
import threading
import time

from e2e import NIC2APP, check, fail
from fixture import Fixture


def lines_of(proc):
    """A queue fed with proc's stdout lines by a thread (None at the end), so reads can time
    out without select() missing lines that Python has already buffered."""
    q = queue.Queue()

    def pump():
        for line in proc.stdout:
            q.put(line)
        q.put(None)
    threading.Thread(target=pump, daemon=True).start()
    proc.lines = q
    return proc


def read_json_line(proc, timeout=10):
    try:
        line = proc.lines.get(timeout=timeout)
    except queue.Empty:
        fail("no output within the timeout")
    check(line, "the output ended early")
    return json.loads(line)


def wait_for(proc, timeout=10):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        fail("nic2app did not end after the process exited")


# --events: an open and a close, then the exit
with Fixture("--kinds", "chr") as fx:
    ev = subprocess.Popen([NIC2APP, "fds", str(fx.pid), "--events", "--json", "--interval", "0.05"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines_of(ev)
    try:
        check("watching process" in ev.stderr.readline(), "no start line on stderr")
        opened = fx.command("open tcp_established")["fds"]
        # from the system calls (BPF) the listener's open and close come too, and a socket
        # may open unconnected, then change: the latest event of each fd must be right
        want = {o["fd"]: o["inode"] for o in opened}
        latest = {}
        while any(latest.get(fd, {}).get("inode") != ino or
                  latest[fd]["socket"]["state"] != "ESTABLISHED" for fd, ino in want.items()):
            e = read_json_line(ev)
            check(e["event"] in ("open", "change", "close"), f"unexpected event {e}")
            check(e["event"] != "close" or e["fd"] not in want, f"unexpected close {e}")
            latest[e["fd"]] = e
        fd = opened[0]["fd"]
        check(fx.command(f"close {fd}")["ok"], "the fixture could not close its fd")
        e = read_json_line(ev)
        # closing one end moves the other to CLOSE_WAIT: a change may come first (and from
        # the system calls, the listener's close, if not read yet)
        while e["event"] == "change" or e["fd"] not in want:
            check(e["fd"] not in want or e["fd"] == opened[1]["fd"], f"unexpected change {e}")
            e = read_json_line(ev)
        check(e["event"] == "close" and e["fd"] == fd and e["inode"] == opened[0]["inode"],
              f"close event: {e}")
        t0 = time.monotonic()
        fx.command("exit")
        e = read_json_line(ev)
        while e["event"] != "exit":
            e = read_json_line(ev)
        check(wait_for(ev) == 0, "--events did not exit 0 when the process exited")
        print(f"events: open, close and exit seen; ended {time.monotonic() - t0:.2f} s after the exit")
    finally:
        if ev.poll() is None:
            ev.kill()
            ev.wait()

# a pipe replaced by another at the same fd numbers: the events must carry the new inodes
# (a refresh may skip the readlink of a pipe whose fdinfo shows the same inode as before)
with Fixture("--kinds", "pipe") as fx:
    old = {e["fd"]: e["inode"] for e in fx.manifest["fds"]}
    ev = subprocess.Popen([NIC2APP, "fds", str(fx.pid), "--events", "--json", "--interval", "0.02"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines_of(ev)
    try:
        check("watching process" in ev.stderr.readline(), "no start line on stderr")
        time.sleep(0.1)
        for fd in old:
            fx.command(f"close {fd}")
        new = {e["fd"]: e["inode"] for e in fx.command("open pipe")["fds"]}
        check(set(new) == set(old), f"the new pipe got fds {sorted(new)}, not {sorted(old)}")
        latest = dict(old)
        while latest != new:
            e = read_json_line(ev)
            if e["event"] in ("open", "change"):
                latest[e["fd"]] = e["inode"]
            elif e["event"] == "close":
                latest.pop(e["fd"], None)
        print("events: a pipe replaced at the same fds is reported with its new inodes")
    finally:
        ev.kill()
        ev.wait()

# --watch off a terminal: JSON lines, then the process exits mid-watch
with Fixture("--kinds", "file,pipe") as fx:
    w = subprocess.Popen([NIC2APP, "fds", str(fx.pid), "--watch", "--json", "--interval", "0.1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines_of(w)
    try:
        first, second = read_json_line(w), read_json_line(w)
        check(first["pid"] == fx.pid and second["time_ns"] > first["time_ns"], "snapshots out of order")
        fx.command("exit")
        check(wait_for(w) == 0, "--watch did not exit 0 when the process exited")
        while (line := w.lines.get(timeout=10)) is not None:
            json.loads(line)  # every line is a whole snapshot
        check("exited" in w.stderr.read(), "--watch did not say the process exited")
    finally:
        if w.poll() is None:
            w.kill()
            w.wait()
print("ok")
