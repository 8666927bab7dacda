# SPDX-License-Identifier: MIT
"""Scoped and device-bound addresses as ss writes them: a listener bound to lo by
SO_BINDTODEVICE is `127.0.0.1%lo:PORT`, a link-local one `[fe80::...]%IFACE:PORT`; and whether a
listener on [::] is IPv6-only (ss: `[::]:PORT`) or takes IPv4 too (ss: `*:PORT`; nic2app: tcp46,
"v6only": false). Ground truth: ss's own line for the same socket inode. The link-local part
runs in a network namespace this test creates (with a veth pair of its own), as root only."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys

from e2e import check, nic2app, skip
from fixture import Fixture

SS, IP = shutil.which("ss"), shutil.which("ip")
if not SS:
    skip("ss (iproute2) is not installed")
NS = f"nic2app-scope-{os.getpid()}"


def ss_locals(prefix=()):
    """inode -> the local address ss prints for every TCP socket."""
    out = subprocess.run([*prefix, SS, "-Htane"], capture_output=True, text=True, timeout=30).stdout
    found = {}
    for line in out.splitlines():
        m = re.search(r"\bino:(\d+)", line)
        if m:
            found[int(m.group(1))] = line.split()[3]
    return found


def compare(fx, prefix=()):
    doc = json.loads(nic2app("fds", str(fx.pid), "--json", "--type", "socket").stdout)
    text = nic2app("fds", str(fx.pid), "--type", "socket").stdout.decode()
    by_fd = {e["fd"]: e for e in doc["fds"]}
    truth = ss_locals(prefix)
    for want in fx.manifest["fds"]:
        got = by_fd[want["fd"]]["socket"]
        where = f"fd {want['fd']} ({want['kind']})"
        ss_local = truth.get(by_fd[want["fd"]]["inode"])
        check(ss_local is not None, f"{where}: ss does not list inode {by_fd[want['fd']]['inode']}")
        for key in ("local", "dev", "v6only"):
            if key in want["socket"]:
                check(got.get(key) == want["socket"][key],
                      f"{where}: {key} {got.get(key)!r}, want {want['socket'][key]!r}")
        if got.get("v6only") is False and got["local"].startswith("[::]:"):
            # ss writes a dual-stack listener as *:PORT
            check(ss_local == "*:" + got["local"][5:], f"{where}: ss says {ss_local}, we {got['local']}")
            check(re.search(rf"^\s*{want['fd']}\s+tcp46\s", text, re.M),
                  f"{where}: the text view does not call it tcp46:\n{text}")
        else:
            check(ss_local == got["local"], f"{where}: ss says {ss_local}, we say {got['local']}")
        if got["local"].find("%") > 0:
            check(got["local"] in text, f"{where}: {got['local']} is not in the text view")
    return len(fx.manifest["fds"])


with Fixture("--kinds", "tcp_bound_lo,tcp6_any,tcp6_v6only") as fx:
    check(not fx.manifest["skipped"], f"kinds skipped: {fx.manifest['skipped']}")
    n = compare(fx)
print(f"{n} listeners (bound to lo, on [::] with and without IPV6_V6ONLY) agree with ss")

if os.geteuid() != 0 or not IP:
    print("the link-local part needs root and ip: not run")
    sys.exit(0)


def ip(*args):
    return subprocess.run([IP, *args], capture_output=True, text=True, timeout=30)


def cleanup(*_):
    ip("netns", "delete", NS)
    if _:
        sys.exit(1)


if ip("netns", "add", NS).returncode != 0:
    print("cannot create a network namespace here: the link-local part is not run")
    sys.exit(0)
signal.signal(signal.SIGTERM, cleanup)
signal.signal(signal.SIGINT, cleanup)
try:
    for cmd in (("link", "set", "lo", "up"), ("link", "add", "scope0", "type", "veth", "peer", "name", "scope1"),
                ("link", "set", "scope0", "addrgenmode", "none"),  # no other, tentative fe80 address
                ("link", "set", "scope1", "addrgenmode", "none"),
                ("addr", "add", "fe80::1/64", "dev", "scope0", "nodad"), ("link", "set", "scope1", "up"),
                ("link", "set", "scope0", "up")):
        r = ip("-n", NS, *cmd)
        check(r.returncode == 0, f"ip -n {NS} {' '.join(cmd)}: {r.stderr.strip()}")
    prefix = (IP, "netns", "exec", NS)
    with Fixture("--kinds", "tcp6_link_local", prefix=prefix) as fx:
        check(not fx.manifest["skipped"], f"kinds skipped: {fx.manifest['skipped']}")
        n = compare(fx, prefix)
finally:
    cleanup()
check(NS not in ip("netns", "list").stdout, "the namespace was left behind")
print(f"{n} link-local sockets in namespace {NS} agree with ss ([fe80::1]%scope0:PORT)")
