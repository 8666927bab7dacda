# SPDX-License-Identifier: MIT
"""Sockets are resolved in the target's network namespace: a fixture started in a namespace
this test creates must show the addresses it has there, from sock_diag, not the caller's.
The namespace is deleted on every way out."""
import json
import os
import shutil
import signal
import subprocess
import sys

from e2e import check, nic2app, skip
from fixture import Fixture

IP = shutil.which("ip")
if os.geteuid() != 0 or not IP:
    skip("network namespaces need root and ip (iproute2)")
NS = f"nic2app-test-{os.getpid()}"


def ip(*args):
    return subprocess.run([IP, *args], capture_output=True, text=True, timeout=30)


def cleanup(*_):
    ip("netns", "delete", NS)
    if _:
        sys.exit(1)


if ip("netns", "add", NS).returncode != 0:
    skip("cannot create a network namespace here")
signal.signal(signal.SIGTERM, cleanup)
signal.signal(signal.SIGINT, cleanup)
try:
    ip("-n", NS, "link", "set", "lo", "up")
    # ping sockets are allowed per namespace: allow them in ours only (sock_diag cannot list
    # them, so they come from the namespace's /proc/PID/net/icmp)
    subprocess.run([IP, "netns", "exec", NS, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"],
                   capture_output=True, timeout=30)
    kinds = "tcp_listen,tcp_established,udp,udp_connected,unix_socketpair,netlink_route,ping"
    with Fixture("--kinds", kinds, prefix=(IP, "netns", "exec", NS)) as fx:
        inside = os.stat(f"/proc/{fx.pid}/ns/net").st_ino
        check(inside != os.stat("/proc/self/ns/net").st_ino, "the fixture is not in another namespace")
        doc = json.loads(nic2app("fds", str(fx.pid), "--json").stdout)
        check(doc["scan"]["socket_source"] == "sock_diag", f"source {doc['scan']['socket_source']}")
        check(doc["scan"]["sockets_unresolved"] == 0, "some sockets were not found in the namespace")
        by_fd = {e["fd"]: e for e in doc["fds"]}
        check(not fx.manifest.get("skipped"), f"kinds skipped in the namespace: {fx.manifest.get('skipped')}")
        for want in fx.manifest["fds"]:
            got = by_fd.get(want["fd"], {}).get("socket")
            check(got is not None, f"fd {want['fd']} ({want['kind']}) not resolved")
            for key in ("local", "remote", "state"):
                check(got[key] == want["socket"][key],
                      f"fd {want['fd']}: {key} {got[key]!r}, want {want['socket'][key]!r}")
        # the fallback reads the same namespace through /proc/PID/net
        n = len(fx.manifest["fds"])
finally:
    cleanup()
check(NS not in ip("netns", "list").stdout, "the namespace was left behind")
print(f"{n} sockets in namespace {NS} resolved there")
