# SPDX-License-Identifier: MIT
"""`nic2app fds --watch` on a terminal: it draws on the alternate screen, marks a new fd, and
on q (and on Ctrl-C) leaves the terminal as it found it: main screen, cursor shown, echo on."""
import os
import pty
import re
import select
import signal
import termios
import time

from e2e import NIC2APP, check, fail
from fixture import Fixture


def read_until(fd, needle, timeout=10):
    """Read the terminal until the regular expression needle (bytes) matches."""
    out, end = b"", time.monotonic() + timeout
    while not re.search(needle, out):
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            fail(f"{needle!r} did not appear; got {out[-300:]!r}")
        try:
            out += os.read(fd, 65536)
        except OSError:
            break
    return out


def watch(fx, stop):
    pid, master = pty.fork()
    if pid == 0:
        os.environ.pop("NO_COLOR", None)
        os.environ["TERM"] = "xterm"
        os.execv(NIC2APP, [NIC2APP, "fds", str(fx.pid), "--watch", "--interval", "0.1"])
    try:
        out = read_until(master, rb"q quits")
        opened = fx.command("open eventfd")["fds"][0]["fd"]
        out += read_until(master, rb"\x1b\[32m *%d " % opened)  # a new row, in green
        stop(pid, master)
        out += read_until(master, rb"\x1b\[\?1049l")
        _, status = os.waitpid(pid, 0)
        check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"exit status {status}")
        attrs = termios.tcgetattr(master)
        check(attrs[3] & termios.ECHO and attrs[3] & termios.ICANON, "the terminal was left raw")
        check(out.rstrip().endswith(b"\x1b[?25h\x1b[?1049l"), f"not restored at the end: {out[-80:]!r}")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(master)


with Fixture("--kinds", "chr") as fx:
    watch(fx, lambda pid, master: os.write(master, b"q"))
    watch(fx, lambda pid, master: os.kill(pid, signal.SIGINT))
print("ok: q and Ctrl-C both restore the terminal")
