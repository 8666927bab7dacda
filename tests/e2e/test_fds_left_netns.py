# SPDX-License-Identifier: MIT
"""Sockets stay in the network namespace they were made in: a process that opened a listener
and a connected pair, then moved into another namespace with setns(), must still see them
LISTEN and ESTABLISHED with their addresses (as lsof does), found in their own namespace
(pidfd_getfd + SIOCGSKNS), not called CLOSE, with their tcp_info (--tcp-info) from there
too. A socket that namespace does not list either is
the only one named by protocol, with a note saying how that was decided. The namespace the
fixture moves into is made here and deleted on every way out."""
import json
import os
import shutil
import signal
import subprocess
import sys

from e2e import VALGRIND, check, nic2app, skip
from fixture import Fixture

IP, LSOF = shutil.which("ip"), shutil.which("lsof")
if os.geteuid() != 0 or not IP:
    skip("network namespaces need root and ip (iproute2)")
if VALGRIND:
    skip("valgrind 3.19 does not know pidfd_getfd, which reads another process's socket's "
         "namespace; the plain and sanitizer runs test it")
NS = f"nic2app-left-{os.getpid()}"


def ip(*args):
    return subprocess.run([IP, *args], capture_output=True, text=True, timeout=30)


def cleanup(*_):
    ip("netns", "delete", NS)
    if _:
        sys.exit(1)


def lsof_tcp(pid):
    """fd -> (name, state) of the TCP sockets lsof lists for pid."""
    out = subprocess.run([LSOF, "-nP", "-a", "-p", str(pid), "-iTCP", "-F", "fnT"],
                         capture_output=True, text=True, timeout=60).stdout
    found, fd = {}, None
    for line in out.splitlines():
        if line.startswith("f") and line[1:].isdigit():
            fd = int(line[1:])
            found[fd] = ["", ""]
        elif line.startswith("n") and fd is not None:
            found[fd][0] = line[1:]
        elif line.startswith("TST=") and fd is not None:
            found[fd][1] = line[4:]
    return found


if ip("netns", "add", NS).returncode != 0:
    skip("cannot create a network namespace here")
signal.signal(signal.SIGTERM, cleanup)
signal.signal(signal.SIGINT, cleanup)
try:
    kinds = "tcp_listen,tcp_established,tcp6_established,udp,unix_socketpair"
    with Fixture("--kinds", kinds) as fx:
        reply = fx.command(f"setns /run/netns/{NS}")
        check(reply.get("ok"), f"the fixture could not enter {NS}: {reply}")
        check(os.stat(f"/proc/{fx.pid}/ns/net").st_ino != fx.manifest["netns_inode"],
              "the fixture did not move")
        # one socket made after the move, never bound: the only one no namespace lists
        made = fx.command("open tcp_unbound")
        check(made.get("ok"), f"open tcp_unbound: {made}")
        unbound = made["fds"][0]["fd"]

        doc = json.loads(nic2app("fds", str(fx.pid), "--json").stdout)
        by_fd = {e["fd"]: e for e in doc["fds"]}
        left = [w for w in fx.manifest["fds"] if w["socket"]["family"] in ("inet", "inet6", "unix")]
        for want in fx.manifest["fds"]:
            got = by_fd[want["fd"]].get("socket")
            where = f"fd {want['fd']} ({want['kind']})"
            check(got is not None, f"{where} not resolved")
            for key in ("local", "remote", "state"):
                check(got[key] == want["socket"][key],
                      f"{where}: {key} {got[key]!r}, want {want['socket'][key]!r}")
            check(got.get("netns") == fx.manifest["netns_inode"],
                  f"{where}: netns {got.get('netns')}, want {fx.manifest['netns_inode']}")
        scan = doc["scan"]
        check(scan.get("sockets_other_netns") == len(left),
              f"sockets_other_netns {scan.get('sockets_other_netns')}, want {len(left)}")
        check(scan["sockets_unresolved"] == 1 and scan.get("sockets_netns_unchecked") == 0,
              f"unresolved {scan['sockets_unresolved']}, unchecked {scan.get('sockets_netns_unchecked')}")
        check(by_fd[unbound]["socket"]["state"] == "CLOSE", f"the unbound socket: {by_fd[unbound]}")
        text = nic2app("fds", str(fx.pid)).stdout.decode()
        check("which the process has left (asked with SIOCGSKNS)" in text, f"no note on the namespace:\n{text}")
        check("1 socket listed by no namespace, its own asked too (SIOCGSKNS)" in text,
              f"no note on the unbound socket:\n{text}")
        # --tcp-info asks sock_diag in the namespace each socket lives in, too
        for engine in ("procfs", "bpf"):
            r = nic2app("fds", str(fx.pid), "--tcp-info", "--json", "--engine", engine)
            if engine == "bpf" and r.returncode == 3:
                continue  # no BPF here
            check(r.returncode == 0, f"--tcp-info --engine {engine}: exit {r.returncode}: {r.stderr!r}")
            infos = {e["fd"]: e["socket"].get("tcp_info", "absent")
                     for e in json.loads(r.stdout)["fds"] if e.get("socket", {}).get("proto") == "tcp"}
            for want in fx.manifest["fds"]:
                if want["socket"]["proto"] != "tcp":
                    continue
                info = infos.get(want["fd"])
                check(isinstance(info, dict) and info.get("snd_cwnd", 0) > 0,
                      f"--tcp-info --engine {engine}: fd {want['fd']} ({want['kind']}): {info!r}")
            check(infos.get(unbound) is None,
                  f"--tcp-info --engine {engine}: the unbound socket has {infos.get(unbound)!r}")
        if LSOF:  # lsof reads /proc/PID/net/tcp of the namespace it was made in too
            for fd, (name, state) in lsof_tcp(fx.pid).items():
                got = by_fd[fd]["socket"]
                if fd == unbound:
                    continue
                check(state == got["state"], f"fd {fd}: lsof says {state}, we {got['state']}")
                check(name.startswith(got["local"].replace("[", "").replace("]", "").rsplit(":", 1)[0]) or
                      got["local"] in name, f"fd {fd}: lsof says {name}, we {got['local']}")
finally:
    cleanup()
check(NS not in ip("netns", "list").stdout, "the namespace was left behind")
print(f"{len(left)} sockets found in the namespace they were made in after setns(); 1 unbound named CLOSE")
