# SPDX-License-Identifier: MIT
"""Colour only on a terminal, never with NO_COLOR set (non-empty), never with TERM=dumb.
The terminal is a real pseudo-terminal from `script`."""
import os
import shutil

from e2e import NIC2APP, check, run, skip

if not shutil.which("script"):
    skip("script (util-linux bsdutils) is not installed: no way to get a terminal")

ESC = b"\x1b["


def on_tty(env_extra):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.setdefault("TERM", "xterm")
    if env["TERM"] == "dumb":
        env["TERM"] = "xterm"
    env.update(env_extra)
    r = run(["script", "-qec", f"{NIC2APP} sockets", "/dev/null"], env=env)
    check(r.returncode == 0, f"under script: exit {r.returncode} {r.stdout[-300:]!r}")
    return r.stdout


check(ESC in on_tty({}), "no colour on a terminal")
check(ESC in on_tty({"NO_COLOR": ""}), "an empty NO_COLOR must not disable colour")
check(ESC not in on_tty({"NO_COLOR": "1"}), "colour despite NO_COLOR=1")
check(ESC not in on_tty({"TERM": "dumb"}), "colour despite TERM=dumb")
r = run([NIC2APP, "sockets"])
check(r.returncode == 0 and ESC not in r.stdout, "colour in a pipe")
r = run([NIC2APP, "sockets", "--json"])
check(ESC not in r.stdout, "colour in JSON")
print("ok")
