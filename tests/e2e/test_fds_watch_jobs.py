# SPDX-License-Identifier: MIT
"""Ctrl-Z and `fg` with `nic2app fds --watch` on a terminal, under a small job-control shell
(written here, as bash does it: the job in its own process group, made the terminal's
foreground; on a stop the shell takes the terminal back and resets its modes; `fg` gives it
back and sends SIGCONT). Checked: when the job stops, it has left the alternate screen and shown
the cursor, and the terminal is in its normal mode; after `fg` it draws again and a lone q (no
Enter) quits it, so no key is left over for the shell.

A process group whose leader's parent is in another session is "orphaned", and the kernel
discards SIGTSTP sent to it: that is why a shell is needed, not just a pty."""
import os
import signal
import termios

from e2e import NIC2APP, VALGRIND, check, skip
from fixture import Fixture
from vt import Pty


def shell(argv, env):
    """The job-control shell: runs argv as a job, says STOPPED/EXITED on the terminal."""
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    cooked = termios.tcgetattr(0)
    job = os.fork()
    if job == 0:
        os.setpgid(0, 0)
        os.tcsetpgrp(0, os.getpid())
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        os.execve(argv[0], argv, env)
    try:
        os.setpgid(job, job)
    except OSError:
        pass  # the job did it first
    os.tcsetpgrp(0, job)
    while True:
        _, status = os.waitpid(job, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            os.tcsetpgrp(0, os.getpgrp())
            code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
            os.write(1, b"\r\nSHELL: exited %d\r\n" % code)
            os._exit(0)
        os.tcsetpgrp(0, os.getpgrp())
        lflag = termios.tcgetattr(0)[3]
        cooked_left = bool(lflag & termios.ICANON and lflag & termios.ECHO)
        termios.tcsetattr(0, termios.TCSADRAIN, cooked)
        os.write(1, b"\r\nSHELL: stopped by %d, terminal %s\r\n"
                 % (os.WSTOPSIG(status), b"cooked" if cooked_left else b"raw"))
        os.read(0, 100)  # "fg" and Enter
        os.tcsetpgrp(0, job)
        os.killpg(job, signal.SIGCONT)


if VALGRIND:  # checked: raise(SIGTSTP) under valgrind 3.19 returns, where it stops a program
    skip("valgrind does not stop a program on SIGTSTP: Ctrl-Z is tested without it")

with Fixture("--kinds", "pipe") as fx:
    env = dict(os.environ, TERM="xterm")
    argv = [NIC2APP, "fds", str(fx.pid), "--watch", "--interval", "30"]
    with Pty(24, 80) as p:
        p.start(func=lambda: shell(argv, env))
        p.expect(rb"q quits")
        check(p.screen.on_alt, "not on the alternate screen")
        for round in (1, 2):
            start = len(p.out)
            p.send(b"\x1a")  # Ctrl-Z
            p.expect(rb"SHELL: stopped by (\d+), terminal (\w+)")
            check(b"SHELL: stopped by %d, terminal cooked" % signal.SIGTSTP in p.out[start:],
                  f"round {round}: stopped as {p.out[-60:]!r}")
            check(not p.screen.on_alt and p.screen.cursor_shown and p.screen.autowrap,
                  f"round {round}: stopped on the alternate screen or with the cursor hidden")
            p.send(b"fg\n")
            p.expect(rb"\x1b\[\?1049h[\s\S]*q quits")
            p.settle(quiet=0.3)
            check(p.screen.on_alt and not p.screen.cursor_shown, f"round {round}: not redrawn after fg")
            check(not termios.tcgetattr(p.master)[3] & termios.ICANON,
                  f"round {round}: the terminal is not raw after fg (q would need Enter)")
        start = len(p.out)
        p.send(b"q")
        p.expect(rb"SHELL: exited (-?\d+)", timeout=5)
        check(b"SHELL: exited 0" in p.out[start:], f"after fg, q: {p.out[-40:]!r}")
        check(not p.screen.on_alt and p.screen.cursor_shown, "the terminal was not restored at the end")
print("ok: Ctrl-Z restores the terminal, fg draws again and a lone q quits")
