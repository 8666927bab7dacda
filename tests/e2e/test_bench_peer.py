# SPDX-License-Identifier: MIT
"""`nic2app bench rtt zerocopy --peer` against `nic2app serve` in another network namespace
(a veth pair the test creates and removes): round trips to the peer are full round trips
with histograms that say where each end ran, and every byte the zero-copy senders claim to have sent is what the peer
says it received (its own count, from its summary line after SIGTERM)."""
import json
import os
import re
import shutil
import signal

from e2e import NIC2APP, URING_RESULTS, check, reduced, skip
from veth_pair import VethPair

if os.geteuid() != 0 or not shutil.which("ip"):
    skip("network namespaces need root and ip (iproute2)")
SENDERS = ["read_write", "mmap_write", "sendfile", "splice", "io_uring", "msg_zerocopy", "io_uring_send_zc"]

with VethPair("n2ab") as net:
    server, peer = net.serve(1, "192.0.2.2:0")
    r = net.run(0, [NIC2APP, "bench", "rtt", "zerocopy", "--quick", "--json", "--peer", peer])
    check(r.returncode == 0, f"bench --peer {peer}: exit {r.returncode}: {r.stderr[-400:]!r}")
    res = {x["name"]: x for x in json.loads(r.stdout)["results"]}
    for name in ("rtt.tcp_peer", "rtt.udp_peer"):
        x = res.get(name)
        check(x and x["full_round_trip"] and x["samples"] > 0, f"{name}: {x}")
        check(sum(b["count"] for b in x["histogram"]) == x["samples"], f"{name}: histogram")
        # where each end ran: this end unpinned, each measured round on a CPU; the peer is in
        # another namespace, so its address is not this one's
        ends = x.get("ends", {})
        client = ends.get("client", {})
        check(client.get("pinned") is False and sum(client.get("rounds_by_cpu", {}).values()) == x["samples"],
              f"{name}: where this end ran: {ends}")
        check(all(int(c) < os.cpu_count() for c in client["rounds_by_cpu"]), f"{name}: CPUs {client}")
        check(ends.get("server") == {"peer": True, "pinned": None, "on_this_machine": False},
              f"{name}: where the peer ran: {ends}")
    zc = [n for n in res if n.startswith("zerocopy.")]
    check(sorted(zc) == sorted(f"zerocopy.{w}" for w in SENDERS), f"zerocopy results to a peer: {zc}")
    size_mib = int(re.search(r"(\d+) MiB", res["zerocopy.sendfile"]["note"]).group(1))
    runs = res["zerocopy.sendfile"]["samples"]
    server.send_signal(signal.SIGTERM)
    check(server.wait(timeout=10) == 0, f"serve exit {server.returncode}")
    summary = server.stderr.read()
    sunk = int(re.search(r"(\d+) bytes sunk", summary).group(1))
    senders = SENDERS
    if reduced("io_uring is made unavailable: its two senders must say not measured, and send nothing"):
        for name in URING_RESULTS & set(res):
            check(res[name]["value"] is None, f"{name} measured without io_uring: {res[name]}")
        senders = [w for w in SENDERS if f"zerocopy.{w}" not in URING_RESULTS]
    want = len(senders) * runs * size_mib << 20
    check(sunk == want, f"the peer received {sunk} bytes, the senders claim {want}: {summary!r}")
print("ok")
