# SPDX-License-Identifier: MIT
"""`nic2app fds --watch` on a terminal, checked on a replayed screen (tests/e2e/vt.py):
- it draws on the alternate screen, marks a new fd, and on q (and on Ctrl-C) leaves the terminal
  as it found it: main screen, cursor shown, echo on;
- at 80x24 and 60x12 nothing wraps or scrolls the screen: the title, the summary and a table
  header stay on it, rows are cut at the width, and every fd of the process can be reached with
  PgDn, arrows, Home and End (and the cut part of a row with the right arrow);
- a resized window is redrawn at its new size, from the same snapshot;
- when the process exits, the last view stays on the main screen with "process N exited";
- with TERM=dumb it prints plain snapshots without a single escape sequence."""
import os
import re
import signal
import termios

from e2e import NIC2APP, check
from fixture import Fixture
from vt import Pty

UP, DOWN, RIGHT, LEFT = b"\x1b[A", b"\x1b[B", b"\x1b[C", b"\x1b[D"
PGUP, PGDN, HOME, END = b"\x1b[5~", b"\x1b[6~", b"\x1b[H", b"\x1b[F"
ROW = re.compile(r"^\s+(\d+)\s")          # a table row starts with its fd number
HEADER = re.compile(r"^\s+FD\s+(TYPE|PROTO)\s")


def watch(fx, rows=24, cols=80, interval="0.1", term="xterm"):
    env = dict(os.environ, TERM=term)
    env.pop("NO_COLOR", None)
    p = Pty(rows, cols)
    return p.start([NIC2APP, "fds", str(fx.pid), "--watch", "--interval", interval], env)


def fds_of(pid):
    return {int(n) for n in os.listdir(f"/proc/{pid}/fd")}


def shown_fds(p):
    return {int(m.group(1)) for line in p.screen.lines() if (m := ROW.match(line))}


def check_layout(p, fx, what):
    s, lines = p.screen, p.screen.lines()
    check(s.on_alt, f"{what}: not on the alternate screen")
    check(s.wrapped == 0 and s.cut == 0 and s.scrolled == 0,
          f"{what}: {s.wrapped} characters wrapped, {s.cut} cut by the terminal, {s.scrolled} "
          f"lines scrolled off; screen:\n{s.text()}")
    check(lines[0].startswith(f"nic2app fds {fx.pid} "), f"{what}: no title on the first row:\n{s.text()}")
    check(any(line.startswith("summary:") for line in lines), f"{what}: no summary:\n{s.text()}")
    check(any(HEADER.match(line) for line in lines), f"{what}: no table header:\n{s.text()}")


def press(p, key):
    """A key, and its redraw (every key redraws, even one that moves nothing)."""
    p.send(key)
    p.settle(quiet=0.1, fresh=True)


def stop_and_check(p, stop):
    stop(p)
    p.expect(rb"\x1b\[\?1049l")
    status = p.wait()
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"exit status {status}")
    attrs = termios.tcgetattr(p.master)
    check(attrs[3] & termios.ECHO and attrs[3] & termios.ICANON, "the terminal was left raw")
    check(p.screen.cursor_shown and not p.screen.on_alt and p.screen.autowrap,
          "cursor, main screen or autowrap not restored at the end")
    check(p.out.rstrip().endswith(b"\x1b[?25h\x1b[?1049l"), f"not restored at the end: {p.out[-80:]!r}")


# q and Ctrl-C both leave the terminal as it was; a new fd shows in green
with Fixture("--kinds", "chr") as fx:
    for stop in (lambda p: p.send(b"q"), lambda p: os.kill(p.pid, signal.SIGINT)):
        with watch(fx) as p:
            p.expect(rb"q quits")
            opened = fx.command("open eventfd")["fds"][0]["fd"]
            p.expect(rb"\x1b\[32m *%d " % opened)  # a new row, in green
            stop_and_check(p, stop)
            fx.command(f"close {opened}")
print("ok: q and Ctrl-C both restore the terminal")

# a table taller and wider than the window: cut rows, a fixed head, every fd reachable
with Fixture("--kinds", "all") as fx:
    want = fds_of(fx.pid)
    for rows, cols, step in ((24, 80, PGDN), (12, 60, DOWN)):
        with watch(fx, rows, cols, interval="30") as p:
            p.expect(rb"q quits").settle()
            check_layout(p, fx, f"{cols}x{rows}")
            first = p.screen.text()
            seen = shown_fds(p)
            check(len(seen) < len(want), f"{cols}x{rows}: all {len(want)} fds fit: not a test")
            for _ in range(3 * len(want)):
                before = p.screen.text()
                press(p, step)
                check_layout(p, fx, f"{cols}x{rows} after scrolling")
                seen |= shown_fds(p)
                if p.screen.text() == before:
                    break
            check(seen == want, f"{cols}x{rows}: fds never shown: {sorted(want - seen)}")
            press(p, HOME)
            check(p.screen.text() == first, f"{cols}x{rows}: Home is not the first view")
            press(p, END)
            check(max(want) in shown_fds(p), f"{cols}x{rows}: End does not show fd {max(want)}")
            press(p, PGUP)
            press(p, UP)
            check(max(want) not in shown_fds(p), f"{cols}x{rows}: PgUp and Up did not go back")
            check_layout(p, fx, f"{cols}x{rows} after End, PgUp, Up")
            stop_and_check(p, lambda p: p.send(b"q"))
    print(f"ok: {len(want)} fds at 80x24 and 60x12: nothing wraps, the head stays, all reachable")

# a row cut at the width is seen whole with the right arrow; a resize redraws the same snapshot
with Fixture("--kinds", "tcp_established") as fx:
    inodes = [str(e["inode"]) for e in fx.manifest["fds"]]
    with watch(fx, 12, 60, interval="30") as p:
        p.expect(rb"q quits").settle()
        check_layout(p, fx, "60x12")
        press(p, END)  # the sockets table is the last
        check(not any(i in p.screen.text() for i in inodes), "the inodes fit in 60 columns: not a test")
        for _ in range(20):
            if all(i in p.screen.text() for i in inodes):
                break
            press(p, RIGHT)
        check(all(i in p.screen.text() for i in inodes), f"right arrow: no inode:\n{p.screen.text()}")
        press(p, LEFT * 20)  # one read, one redraw
        check(p.screen.lines()[0].startswith("nic2app fds"), "the title scrolled sideways")
        start = len(p.out)
        p.resize(10, 50)
        p.settle(fresh=True)
        check_layout(p, fx, "resized to 50x10")
        redraw = p.out[start:]
        check(redraw and b"\x1b[31m" not in redraw, f"the redraw after a resize marks fds closed: {redraw!r}")
        stop_and_check(p, lambda p: p.send(b"q"))
print("ok: sideways scrolling and a resize")

# the process exits: its last view stays on the main screen, with a word
with Fixture("--kinds", "pipe,eventfd") as fx:
    pid = fx.pid
    with watch(fx, 24, 80) as p:
        p.expect(rb"q quits")
        fx.command("exit")
        status = p.wait()
        check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"exit status {status}")
        main = p.screen.main_lines()
        check(not p.screen.on_alt and p.screen.cursor_shown, "the terminal was not restored")
        check(any(line.startswith(f"nic2app fds {pid} ") for line in main),
              f"no title on the main screen:\n" + "\n".join(main))
        check({e["fd"] for e in fx.manifest["fds"]} <= {int(m.group(1)) for m in map(ROW.match, main) if m},
              "the last table is not on the main screen:\n" + "\n".join(main))
        check(any(f"process {pid} exited" in line for line in main), "no word that the process exited")
print("ok: the last view stays when the process exits")

# TERM=dumb: plain snapshots, no escape sequence at all
with Fixture("--kinds", "pipe") as fx:
    with watch(fx, 24, 80, term="dumb") as p:
        p.expect(rb"process %d \(" % fx.pid)
        p.expect(rb"process %d \(" % fx.pid)
        fx.command("exit")
        status = p.wait()
        check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"TERM=dumb: exit status {status}")
        check(b"\x1b" not in p.out, f"TERM=dumb: escape sequences written: {p.out[:200]!r}")
print("ok: TERM=dumb gets plain snapshots")
