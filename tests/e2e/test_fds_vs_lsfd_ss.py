# SPDX-License-Identifier: MIT
"""`nic2app fds` against the tools it replaces, on the same fixture process at the same
moment: lsfd (util-linux) for the fd numbers, types and inodes; ss for every TCP, UDP and
UNIX socket's addresses, state and (UNIX) peer inode."""
import json
import re
import shutil
import subprocess

from e2e import check, nic2app, skip
from fixture import Fixture

LSFD, SS = shutil.which("lsfd"), shutil.which("ss")
if not LSFD or not SS:
    skip("lsfd (util-linux) or ss (iproute2) is not installed")

LSFD_TYPE = {"file": "REG", "memfd": "REG", "dir": "DIR", "chr": "CHR", "blk": "BLK",
             "pipe": "FIFO", "fifo": "FIFO", "socket": "SOCK"}
SS_STATE = {"ESTAB": "ESTABLISHED", "LISTEN": "LISTEN", "UNCONN": "UNCONN",
            "CLOSE-WAIT": "CLOSE_WAIT", "SYN-SENT": "SYN_SENT", "FIN-WAIT-2": "FIN_WAIT2"}


def lsfd_rows(pid):
    out = subprocess.run([LSFD, "-J", "-p", str(pid), "-o", "ASSOC,TYPE,INODE"],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    return {int(r["assoc"]): r for r in json.loads(out)["lsfd"] if r["assoc"].isdigit()}


def ss_inet(pid_inodes):
    """ss's TCP and UDP sockets by inode: (local, remote, state)."""
    out = subprocess.run([SS, "-Htuane"], capture_output=True, text=True, timeout=30).stdout
    rows = {}
    for line in out.splitlines():
        f = line.split()
        ino = re.search(r"\bino:(\d+)", line)
        if not ino or int(ino.group(1)) not in pid_inodes:
            continue
        remote = "" if f[5].endswith(":*") else f[5]
        rows[int(ino.group(1))] = (f[4], remote, SS_STATE.get(f[1], f[1]))
    return rows


def ss_unix(pid_inodes):
    """ss's UNIX sockets by inode: (local, peer inode, state)."""
    out = subprocess.run([SS, "-Hxa"], capture_output=True, text=True, timeout=30).stdout
    rows = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) < 8 or not f[5].isdigit() or int(f[5]) not in pid_inodes:
            continue
        local = "" if f[4] == "*" else f[4]
        rows[int(f[5])] = (local, int(f[7]), SS_STATE.get(f[1], f[1]))
    return rows


with Fixture("--kinds", "all") as fx:
    ours = {e["fd"]: e for e in json.loads(nic2app("fds", str(fx.pid), "--json").stdout)["fds"]}
    theirs = lsfd_rows(fx.pid)
    check(set(ours) == set(theirs), f"fd sets differ: {sorted(set(ours) ^ set(theirs))}")
    for fd, e in ours.items():
        want = LSFD_TYPE.get(e["type"])
        if want:
            check(theirs[fd]["type"] == want, f"fd {fd}: {e['type']} but lsfd says {theirs[fd]['type']}")
            check(int(theirs[fd]["inode"]) == e["inode"], f"fd {fd}: inode {e['inode']}, lsfd {theirs[fd]['inode']}")

    inodes = {e["inode"]: e for e in ours.values() if e["type"] == "socket"}
    inet = ss_inet(inodes)
    unix = ss_unix(inodes)
    compared = 0
    for ino, e in inodes.items():
        s = e["socket"]
        if s["family"] in ("inet", "inet6") and s["proto"] in ("tcp", "udp"):
            check(ino in inet, f"fd {e['fd']}: ss does not list inode {ino}")
            local = s["local"]
            if s.get("v6only") is False and local.startswith("[::]:"):
                local = "*:" + local[5:]  # ss writes a dual-stack socket on [::] so
            got = (local, s["remote"], s["state"])
            check(got == inet[ino], f"fd {e['fd']}: {got}, ss says {inet[ino]}")
            compared += 1
        elif s["family"] == "unix":
            check(ino in unix, f"fd {e['fd']}: ss -x does not list inode {ino}")
            local, peer, state = unix[ino]
            check((s["local"], s.get("peer_inode", 0), s["state"]) == (local, peer, state),
                  f"fd {e['fd']}: {(s['local'], s.get('peer_inode', 0), s['state'])}, ss says {unix[ino]}")
            compared += 1
    check(compared >= 10, f"only {compared} sockets were compared with ss")
print(f"{len(ours)} fds agree with lsfd; {compared} sockets agree with ss")
