# SPDX-License-Identifier: MIT
"""`nic2app fds PID --json` against ground truth: the manifest of a fixture process that
opened every kind of fd itself and recorded, from its own syscalls, what each one is."""
import json
import os

from e2e import check, fail, nic2app
from fixture import Fixture

SOCKET_FIELDS = ("family", "proto", "local", "remote", "state", "peer_inode", "dev", "v6only")


def compare(want, got):
    where = f"fd {want['fd']} ({want['kind']})"
    check(got is not None, f"{where} is missing from nic2app's output")
    check(got["type"] == want["type"], f"{where}: type {got['type']!r}, want {want['type']!r}")
    check(got.get("inode") == want["inode"], f"{where}: inode {got.get('inode')}, want {want['inode']}")
    if "name" in want:
        name = os.fsencode(got.get("name", ""))
        check(name.startswith(os.fsencode(want["name"])),
              f"{where}: name {name!r}, want {want['name']!r}")
    if want.get("deleted"):
        check(got.get("deleted") is True, f"{where}: not marked deleted")
    elif want["type"] != "socket":
        check("deleted" not in got, f"{where}: marked deleted")
    for key in ("pos", "flags"):
        if key in want:
            check(got.get(key) == want[key], f"{where}: {key} {got.get(key)!r}, want {want[key]!r}")
    if "detail" in want:
        check(got.get("detail") == want["detail"],
              f"{where}: detail {got.get('detail')!r}, want {want['detail']!r}")
    if "targets" in want:
        check(sorted(got.get("targets", [])) == sorted(want["targets"]),
              f"{where}: epoll targets {got.get('targets')}, want {want['targets']}")
    if "socket" in want:
        sock = got.get("socket")
        check(sock is not None, f"{where}: the socket was not resolved")
        for key in SOCKET_FIELDS:
            # ping sockets (and raw ones, without raw_diag) come from /proc/net, which does
            # not say these: unknown is null there
            if key in ("dev", "v6only") and sock.get("proto") in ("raw", "icmp") and sock.get(key) is None:
                continue
            if key in want["socket"]:
                check(sock.get(key) == want["socket"][key],
                      f"{where}: socket.{key} {sock.get(key)!r}, want {want['socket'][key]!r}")


with Fixture("--kinds", "all") as fx:
    r = nic2app("fds", str(fx.pid), "--json")
    check(r.returncode == 0, f"fds exited {r.returncode}: {r.stderr.decode()}")
    doc = json.loads(r.stdout)
    check(doc["pid"] == fx.pid, "wrong pid in the output")
    check(doc["scan"]["socket_source"] == "sock_diag",
          f"socket_source {doc['scan']['socket_source']!r} as root")
    by_fd = {e["fd"]: e for e in doc["fds"]}
    check(doc["scan"]["fds"] == len(doc["fds"]), "scan.fds does not count the rows")
    for want in fx.manifest["fds"]:
        compare(want, by_fd.get(want["fd"]))
    # every fd the fixture holds is listed, and nothing else
    listed = set(int(n) for n in os.listdir(f"/proc/{fx.pid}/fd"))
    check(set(by_fd) == listed, f"fds listed {sorted(set(by_fd) ^ listed)} differ from /proc")
    limits = open(f"/proc/{fx.pid}/limits").read()
    soft = [line.split()[3] for line in limits.splitlines() if line.startswith("Max open files")][0]
    check(str(doc["limits"]["soft"]) == soft, f"limits.soft {doc['limits']['soft']}, want {soft}")

    # --type keeps only what was asked for
    r = nic2app("fds", str(fx.pid), "--json", "--type", "socket,pipe")
    types = {e["type"] for e in json.loads(r.stdout)["fds"]}
    check(types == {"socket", "pipe"}, f"--type socket,pipe gave {types}")

    # the text view has the three groups and a summary
    r = nic2app("fds", str(fx.pid))
    out = r.stdout.decode()
    for word in ("files\n", "sockets\n", "other\n", "summary:", "headroom:", "scan:"):
        check(word in out, f"the text view lacks {word!r}")
    if fx.stop() != 0:
        fail("fd_fixture did not exit cleanly")
print(f"{len(fx.manifest['fds'])} fds match the manifest; skipped kinds: "
      f"{[s['kind'] for s in fx.manifest.get('skipped', [])]}")
