# SPDX-License-Identifier: MIT
"""`nic2app journey --peer` against `nic2app serve` in another network namespace, joined to
this test's own namespace by a veth pair the test creates and removes. A round trip uses
only the client host's clock: each message's stages must add up to exactly the round trip
the client timed itself, the device must be the client's veth end, the departing skb must be
the message plus its headers, and the remote part is one stage, "away". Also against a serve
on 127.0.0.1, and an address where nothing listens (exit 1, a clear message)."""
import json
import os
import select
import shutil
import signal
import subprocess
import sys

from e2e import NIC2APP, check, fail, skip

if os.geteuid() != 0 or not shutil.which("ip"):
    skip("network namespaces and tracefs need root and ip (iproute2)")
TAG = f"n2ap{os.getpid() % 100000}"
NS_A, NS_B = f"{TAG}a", f"{TAG}b"
HEADERS = {"udp": 14 + 20 + 8, "tcp": 14 + 20 + 32}
servers = []


def ip(*args, check_rc=True):
    r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check_rc and r.returncode != 0:
        fail(f"ip {' '.join(args)}: {r.stderr.strip()}")
    return r


def cleanup(*_):
    for p in servers:
        if p.poll() is None:
            p.kill()
            p.wait()
    ip("netns", "delete", NS_A, check_rc=False)
    ip("netns", "delete", NS_B, check_rc=False)
    if _:
        sys.exit(1)


def serve(ns, listen):
    """Start nic2app serve (in ns, or here when ns is None); its address from its first line."""
    cmd = [NIC2APP, "serve", "--listen", listen]
    if ns:
        cmd = ["ip", "netns", "exec", ns, *cmd]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    servers.append(p)
    ready, _, _ = select.select([p.stdout], [], [], 10)
    line = p.stdout.readline() if ready else ""
    if "listening on" not in line:
        fail(f"serve did not start: {line!r} {p.stderr.read() if p.poll() is not None else ''}")
    return line.split()[2]


def journey(ns, *args):
    cmd = [NIC2APP, "journey", *args]
    if ns:
        cmd = ["ip", "netns", "exec", ns, *cmd]
    return subprocess.run(cmd, capture_output=True, timeout=120)


def check_round_trips(what, d, size, proto, device):
    check(d["path"] == "peer" and d["devices"] == [device], f"{what}: path {d['path']} {d['devices']}")
    names = [s["name"] for s in d["stages"]]
    check("away" in names, f"{what}: no away stage: {names}")
    away = d["stages"][names.index("away")]
    check(away["layer"] == "remote" and away["from"] == "net_dev_start_xmit", f"{what}: {away}")
    check(d["packets_complete"] >= 0.9 * d["count"], f"{what}: {d['packets_complete']} complete: "
          f"{d['incomplete_by_point']}")
    for i, p in enumerate(d["packets"]):
        if not p["complete"]:
            continue
        # one clock: the stages of a round trip add up to the round trip the client timed
        check(sum(p["stages_ns"]) == p["total_ns"] == p["rtt_ns"], f"{what}: packet {i}: "
              f"stages {sum(p['stages_ns'])}, total {p['total_ns']}, round trip {p['rtt_ns']}")
        if d["method"] == "tracefs":
            check(p["wire_len"] == size + HEADERS[proto], f"{what}: packet {i}: skb {p['wire_len']}")


signal.signal(signal.SIGTERM, cleanup)
signal.signal(signal.SIGINT, cleanup)
try:
    ip("netns", "add", NS_A)
    ip("netns", "add", NS_B)
    ip("-n", NS_A, "link", "add", f"{TAG}x", "type", "veth", "peer", "name", f"{TAG}y", "netns", NS_B)
    ip("-n", NS_A, "addr", "add", "192.0.2.1/24", "dev", f"{TAG}x")
    ip("-n", NS_B, "addr", "add", "192.0.2.2/24", "dev", f"{TAG}y")
    for ns, dev in ((NS_A, f"{TAG}x"), (NS_B, f"{TAG}y")):
        ip("-n", ns, "link", "set", dev, "up")
        ip("-n", ns, "link", "set", "lo", "up")
    peer = serve(NS_B, "192.0.2.2:0")
    for proto, size in (("udp", 64), ("tcp", 1200)):
        for method in ("tracefs", "timestamping"):
            what = f"journey --peer {peer} --proto {proto} --method {method}"
            r = journey(NS_A, "--peer", peer, "--proto", proto, "--size", str(size), "--count", "500",
                        "--method", method, "--json", "--packets")
            check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr[-400:]!r}")
            d = json.loads(r.stdout)
            check(d["method"] == method and d["peer"] == peer, f"{what}: {d['method']} {d.get('peer')}")
            check_round_trips(what, d, size, proto, f"{TAG}x")
            if method == "tracefs":
                check(d["lost_events"] == 0 and sum(s["samples"] > 0 for s in d["stages"]) >= 6,
                      f"{what}: lost {d['lost_events']}, stages {[s['samples'] for s in d['stages']]}")

    local = serve(None, "127.0.0.1:0")
    r = journey(None, "--peer", local, "--count", "300", "--json", "--packets")
    check(r.returncode == 0, f"--peer {local}: exit {r.returncode}: {r.stderr[-300:]!r}")
    check_round_trips(f"--peer {local}", json.loads(r.stdout), 64, "udp", "lo")

    # nothing listens on the peer's port 9 (discard): refused at once, said so, exit 1
    r = journey(NS_A, "--peer", "192.0.2.2:9", "--proto", "tcp")
    err = r.stderr.decode()
    check(r.returncode == 1 and "192.0.2.2:9" in err, f"--peer to a closed port: exit {r.returncode}: {err!r}")
    for p in servers:
        p.send_signal(signal.SIGTERM)
        check(p.wait(timeout=10) == 0, f"serve ended with {p.returncode} after SIGTERM")
finally:
    cleanup()
print("ok")
