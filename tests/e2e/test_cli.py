# SPDX-License-Identifier: MIT
"""The command line contract: --version, --help for every command, and bad input: a message
naming what was wrong, a hint to --help, exit 2."""
import re

from e2e import ROOT, check, nic2app

COMMANDS = ["tour", "sockets", "fds", "journey", "bench", "serve"]

with open(f"{ROOT}/Makefile") as f:
    version = re.search(r"^VERSION := (\S+)", f.read(), re.M).group(1)
r = nic2app("--version")
check(r.returncode == 0 and r.stdout.decode().strip() == f"nic2app {version}",
      f"--version printed {r.stdout!r}, exit {r.returncode}; Makefile says {version}")

r = nic2app("--help")
check(r.returncode == 0, "--help must exit 0")
for c in COMMANDS:
    check(re.search(rf"^  {c} ", r.stdout.decode(), re.M), f"--help does not list '{c}'")

for c in COMMANDS:
    for form in ([c, "--help"], [c, "-h"], ["help", c]):
        r = nic2app(*form)
        check(r.returncode == 0, f"'{' '.join(form)}' exit {r.returncode}")
        check(r.stdout.decode().startswith(f"usage: nic2app {c}"),
              f"'{' '.join(form)}' printed {r.stdout[:60]!r}")
        check(r.stderr == b"", f"'{' '.join(form)}' wrote to stderr: {r.stderr!r}")


def usage_error(args, must_name, hint="nic2app"):
    r = nic2app(*args)
    err = r.stderr.decode()
    what = " ".join(args) or "(no arguments)"
    check(r.returncode == 2, f"'{what}' exit {r.returncode}, want 2")
    check(must_name in err, f"'{what}': stderr does not name {must_name!r}: {err!r}")
    check(f"Try '{hint} --help'" in err or "usage:" in err, f"'{what}': no hint: {err!r}")
    check(r.stdout == b"", f"'{what}' wrote to stdout: {r.stdout!r}")


usage_error([], "usage: nic2app")
usage_error(["frobnicate"], "'frobnicate'")
usage_error(["--frobnicate"], "'--frobnicate'")
usage_error(["help", "frobnicate"], "'frobnicate'")
for c in COMMANDS:
    usage_error([c, "--frobnicate"], "'--frobnicate'", f"nic2app {c}")
    usage_error([c, "-Z"], "'-Z'", f"nic2app {c}")
    usage_error([c, "extra"], "'extra'", f"nic2app {c}")
usage_error(["sockets", "--json=yes"], "'--json=yes'", "nic2app sockets")
usage_error(["fds", "--all", "1"], "--all", "nic2app fds")  # without a PID: the whole machine
usage_error(["fds", "0"], "'0'", "nic2app fds")
usage_error(["fds", "12ab"], "'12ab'", "nic2app fds")
usage_error(["fds", "99999999999"], "'99999999999'", "nic2app fds")
usage_error(["fds", "self", "1"], "'1'", "nic2app fds")
usage_error(["fds", "self", "--type", "socket,bogus"], "'bogus'", "nic2app fds")
usage_error(["fds", "self", "--type", ""], "--type", "nic2app fds")
usage_error(["fds", "self", "--watch", "--events"], "--watch", "nic2app fds")
usage_error(["fds", "self", "--watch", "--interval", "0"], "'0'", "nic2app fds")
usage_error(["fds", "self", "--watch", "--interval", "nan"], "'nan'", "nic2app fds")
usage_error(["fds", "self", "--interval", "1"], "--interval", "nic2app fds")
usage_error(["journey", "--proto", "sctp"], "'sctp'", "nic2app journey")
usage_error(["journey", "--via", "eth0"], "'eth0'", "nic2app journey")
usage_error(["journey", "--method", "guess"], "'guess'", "nic2app journey")
usage_error(["journey", "--size", "0"], "'0'", "nic2app journey")
usage_error(["journey", "--size", "65485"], "'65485'", "nic2app journey")
usage_error(["journey", "--via", "netns", "--size", "1449"], "'1449'", "nic2app journey")
usage_error(["journey", "--size", "-5"], "'-5'", "nic2app journey")
usage_error(["journey", "--count", "0"], "'0'", "nic2app journey")
usage_error(["journey", "--count", "10x"], "'10x'", "nic2app journey")
usage_error(["journey", "--packets"], "--json", "nic2app journey")
usage_error(["journey", "--cpus", "3"], "'3'", "nic2app journey")
usage_error(["journey", "--peer", "bogus"], "'bogus'", "nic2app journey")
usage_error(["journey", "--peer", "127.0.0.1:0"], "'127.0.0.1:0'", "nic2app journey")
usage_error(["journey", "--peer", "127.0.0.1:7701", "--via", "lo"], "--via", "nic2app journey")
usage_error(["journey", "--peer", "127.0.0.1:7701", "--cpus", "split"], "split", "nic2app journey")
usage_error(["journey", "--peer", "127.0.0.1:7701", "--size", "7"], "'7'", "nic2app journey")
usage_error(["serve", "--listen", "1.2.3.4:99999"], "'1.2.3.4:99999'", "nic2app serve")
usage_error(["serve", "--listen", "localhost:7701"], "'localhost:7701'", "nic2app serve")
usage_error(["serve", "--listen"], "'--listen'", "nic2app serve")
usage_error(["serve", "--max-connections", "0"], "'0'", "nic2app serve")
usage_error(["serve", "--max-connections", "10001"], "'10001'", "nic2app serve")
usage_error(["serve", "--idle", "0"], "'0'", "nic2app serve")
usage_error(["serve", "--idle", "-1"], "'-1'", "nic2app serve")
usage_error(["serve", "--idle", "nan"], "'nan'", "nic2app serve")

# One strict reading of numbers for every command (issue 13 item 21): decimal digits only, no
# sign, no spaces on either side, no hex, no exponent, nothing after. Each bad word is paired
# with a later usage error, so a parser that wrongly takes the word still ends quickly (exit 2)
# but with a message that does not name the word, and the test fails.
import os
me = str(os.getpid())
for bad in (" " + me, me + " ", "+" + me, "0x1", "1e3", "1.0", "", " 1", "-1"):
    usage_error(["fds", bad, "--interval", "1"], f"'{bad}'", "nic2app fds")
for bad in (" 1", "1 ", "+1", "0x1", "1e0", "0x1p0", "inf", ".", "1.", "1..5", "\t1"):
    usage_error(["fds", "self", "--watch", "--interval", bad, "extra"], f"'{bad}'", "nic2app fds")
for bad in (" 5", "5 ", "+5", "0x5", "5e0", "5.0"):
    usage_error(["journey", "--count", bad, "--packets"], f"'{bad}'", "nic2app journey")
    usage_error(["journey", "--size", bad, "--packets"], f"'{bad}'", "nic2app journey")
for bad in (" 1", "1 ", "+1", "0x1", "1e0"):
    usage_error(["report", "--pid", bad], f"'{bad}'", "nic2app report")
    usage_error(["serve", "--max-connections", bad, "extra"], f"'{bad}'", "nic2app serve")
    usage_error(["serve", "--idle", bad, "extra"], f"'{bad}'", "nic2app serve")
    usage_error(["exporter", "--timeout", bad, "extra"], f"'{bad}'", "nic2app exporter")
    usage_error(["exporter", "--max-processes", bad, "extra"], f"'{bad}'", "nic2app exporter")
    usage_error(["exporter", "--live", "--live-port", bad, "extra"], f"'{bad}'", "nic2app exporter")
# a good number is still a number: leading zeros are decimal, a fraction of a second is fine
r = nic2app("journey", "--count", "010", "--size", "064", "--packets")
check(r.returncode == 2 and b"--packets" in r.stderr, f"--count 010: {r.returncode} {r.stderr!r}")
r = nic2app("fds", "self", "--watch", "--interval", "0.5", "extra")
check(r.returncode == 2 and b"'extra'" in r.stderr, f"--interval 0.5: {r.returncode} {r.stderr!r}")
# the program's own options take nothing after them
for form in (["--version", "extra"], ["-V", "extra"], ["--help", "extra"]):
    usage_error(form, "'extra'")

# a process that is gone: a runtime error that says so, exit 1
import subprocess
gone = subprocess.Popen(["true"])
gone.wait()
r = nic2app("fds", str(gone.pid))
check(r.returncode == 1 and b"does not exist" in r.stderr, f"fds of a reaped pid: {r.returncode} {r.stderr!r}")
# an exited child not yet reaped (a zombie) holds no fds: said so, exit 1
import time
zombie = subprocess.Popen(["true"])
for _ in range(200):
    with open(f"/proc/{zombie.pid}/stat") as f:
        if f.read().rsplit(")", 1)[1].split()[0] == "Z":
            break
    time.sleep(0.01)
r = nic2app("fds", str(zombie.pid))
zombie.wait()
check(r.returncode == 1 and b"zombie" in r.stderr, f"fds of a zombie: {r.returncode} {r.stderr!r}")
print("ok")
