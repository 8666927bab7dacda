# SPDX-License-Identifier: MIT
"""vt: a terminal for the tests of `nic2app fds --watch`: a pty of a chosen size that a program
runs on, and a small VT100/xterm screen that replays what the program wrote, so a test checks
what a person would see (rows, wrapped or cut lines, the alternate screen) rather than bytes.

The screen knows what --watch uses: cursor moves, erasing, SGR (ignored), the alternate screen
(?1049), the cursor (?25) and autowrap (?7). It counts what a well-behaved full-screen program
never does: lines wrapped or cut at the right margin, and the screen scrolled."""
import codecs
import fcntl
import os
import re
import select
import signal
import struct
import termios
import time

from e2e import VALGRIND, fail

SLOW = 10 if VALGRIND else 1  # timeouts are longer under valgrind


class Screen:
    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.main = self._blank()
        self.alt = self._blank()
        self.grid = self.main
        self.on_alt = False
        self.r = self.c = 0
        self.saved_cursor = (0, 0)
        self.autowrap = True
        self.pending_wrap = False
        self.cursor_shown = True
        self.wrapped = 0      # characters that wrapped onto the next line
        self.cut = 0          # characters written past the margin with autowrap off
        self.scrolled = 0     # lines scrolled off the top of the alternate screen
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self._esc = ""        # an escape sequence cut between two feeds

    def _blank(self):
        return [[" "] * self.cols for _ in range(self.rows)]

    def resize(self, rows, cols):
        """As xterm does: keep what fits, pad with blanks."""
        for name in ("main", "alt"):
            old = getattr(self, name)
            new = [[" "] * cols for _ in range(rows)]
            for y in range(min(rows, len(old))):
                for x in range(min(cols, len(old[y]))):
                    new[y][x] = old[y][x]
            setattr(self, name, new)
        self.grid = self.alt if self.on_alt else self.main
        self.rows, self.cols = rows, cols
        self.r, self.c = min(self.r, rows - 1), min(self.c, cols - 1)

    def lines(self):
        return ["".join(row).rstrip() for row in self.grid]

    def text(self):
        return "\n".join(self.lines())

    def main_lines(self):
        return ["".join(row).rstrip() for row in self.main]

    def feed(self, data):
        text = self._esc + self._utf8.decode(data)
        self._esc = ""
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\x1b":
                m = re.match(r"\x1b(\[[?>]?[0-9;]*[ -/]*[@-~]|[78=>]|\][^\x07]*\x07|\([0-9A-Z])", text[i:])
                if not m:
                    self._esc = text[i:]  # wait for the rest
                    return
                self._escape(m.group(1))
                i += len(m.group(0))
                continue
            self._control(ch) if ord(ch) < 32 else self._print(ch)
            i += 1

    def _linefeed(self):
        if self.r == self.rows - 1:
            if self.on_alt:
                self.scrolled += 1
            self.grid.pop(0)
            self.grid.append([" "] * self.cols)
        else:
            self.r += 1

    def _control(self, ch):
        self.pending_wrap = False
        if ch == "\r":
            self.c = 0
        elif ch == "\n":
            self._linefeed()
        elif ch == "\b":
            self.c = max(0, self.c - 1)
        elif ch == "\t":
            self.c = min(self.cols - 1, (self.c // 8 + 1) * 8)

    def _print(self, ch):
        if self.pending_wrap:
            self.pending_wrap = False
            if self.autowrap:
                self.wrapped += 1
                self.c = 0
                self._linefeed()
            else:
                self.cut += 1
        self.grid[self.r][self.c] = ch
        if self.c == self.cols - 1:
            self.pending_wrap = True
        else:
            self.c += 1

    def _escape(self, seq):
        self.pending_wrap = False
        if seq == "7":
            self.saved_cursor = (self.r, self.c)
            return
        if seq == "8":
            self.r, self.c = self.saved_cursor
            return
        if not seq.startswith("["):
            return
        final, body = seq[-1], seq[1:-1]
        if body.startswith("?"):
            on = final == "h"
            for mode in body[1:].split(";"):
                if mode == "1049":
                    self._alternate(on)
                elif mode == "25":
                    self.cursor_shown = on
                elif mode == "7":
                    self.autowrap = on
            return
        args = [int(a) if a.isdigit() else 0 for a in body.split(";")] if body else []
        first = args[0] if args else 0
        if final in "Hf":
            row = (args[0] if len(args) > 0 and args[0] else 1) - 1
            col = (args[1] if len(args) > 1 and args[1] else 1) - 1
            self.r, self.c = min(row, self.rows - 1), min(col, self.cols - 1)
        elif final == "A":
            self.r = max(0, self.r - max(first, 1))
        elif final == "B":
            self.r = min(self.rows - 1, self.r + max(first, 1))
        elif final == "C":
            self.c = min(self.cols - 1, self.c + max(first, 1))
        elif final == "D":
            self.c = max(0, self.c - max(first, 1))
        elif final == "G":
            self.c = min(self.cols - 1, max(first, 1) - 1)
        elif final == "J":
            self._erase_display(first)
        elif final == "K":
            self._erase_line(self.r, first)

    def _erase_line(self, r, how):
        row = self.grid[r]
        span = {0: range(self.c, self.cols), 1: range(0, self.c + 1)}.get(how, range(self.cols))
        for x in span:
            row[x] = " "

    def _erase_display(self, how):
        if how in (2, 3):
            for y in range(self.rows):
                self.grid[y] = [" "] * self.cols
            return
        self._erase_line(self.r, how)
        span = range(self.r + 1, self.rows) if how == 0 else range(0, self.r)
        for y in span:
            self.grid[y] = [" "] * self.cols

    def _alternate(self, on):
        if on == self.on_alt:
            return
        if on:
            self.saved_cursor = (self.r, self.c)
            self.alt = self._blank()
            self.grid = self.alt
        else:
            self.grid = self.main
            self.r, self.c = self.saved_cursor
        self.on_alt = on


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Pty:
    """A program on a new pty of rows x cols, as a session leader with the pty as its
    controlling terminal; start() runs argv, or a Python function (which must not return)."""

    def __init__(self, rows=24, cols=80):
        self.master, slave = os.openpty()
        set_size(slave, rows, cols)
        self.slave = slave
        self.screen = Screen(rows, cols)
        self.out = b""
        self.pid = None

    def start(self, argv=None, env=None, func=None):
        pid = os.fork()
        if pid == 0:
            try:
                os.close(self.master)
                os.setsid()
                fcntl.ioctl(self.slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(self.slave, fd)
                os.close(self.slave)
                if func:
                    func()
                else:
                    os.execve(argv[0], argv, env if env is not None else os.environ)
            finally:
                os._exit(127)
        os.close(self.slave)
        self.pid = pid
        return self

    def resize(self, rows, cols):
        set_size(self.master, rows, cols)  # the kernel sends SIGWINCH to the foreground
        self.screen.resize(rows, cols)

    def send(self, data):
        os.write(self.master, data)

    def _read(self, timeout):
        if not select.select([self.master], [], [], max(timeout, 0))[0]:
            return None
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: every slave fd is closed
            data = b""
        self.out += data
        self.screen.feed(data)
        return data

    def read_until(self, pred, timeout=10, what=None):
        """Read until pred(self) holds; fail with what was on screen if it does not."""
        end = time.monotonic() + timeout * SLOW
        while not pred(self):
            data = self._read(end - time.monotonic())
            if not data:
                fail(f"{what or pred} did not happen; screen:\n{self.screen.text()}\n"
                     f"last bytes: {self.out[-300:]!r}")
        return self

    def expect(self, needle, timeout=10):
        """Read until the regular expression needle (bytes) matches what was read from start."""
        start = len(self.out)
        return self.read_until(lambda p: re.search(needle, p.out[start:]), timeout,
                               f"{needle!r} in the output")

    def settle(self, quiet=0.3, timeout=10, fresh=False):
        """Read until nothing comes for quiet seconds (a redraw is done); with fresh, wait
        for something to come first (the redraw after a key)."""
        end = time.monotonic() + timeout * SLOW
        if fresh and not self._read(end - time.monotonic()):
            fail(f"nothing was drawn; screen:\n{self.screen.text()}")
        while time.monotonic() < end:
            if self._read(quiet) is None:
                return self
        fail("the program never stopped writing")

    def drain(self):
        """Read what is left after the program exited."""
        while self._read(0.2):
            pass

    def wait(self, timeout=10):
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            self._read(0.05)  # keep the pty drained, or the program blocks writing
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = None
                self.drain()
                return status
        fail("the program did not end")

    def close(self):
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = None
        os.close(self.master)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
