# SPDX-License-Identifier: MIT
"""The lifecycle's states come from the kernel: pause `nic2app sockets --step` after every
call, ask `ss -tan` about the same sockets while they exist, and compare. Then check that the
TIME_WAIT it reports outlives the process."""
import errno
import json
import re
import shutil
import socket
import subprocess

from e2e import NIC2APP, check, fail, skip

SS = shutil.which("ss")
if not SS:
    skip("ss (iproute2) is not installed")

SS_STATES = {"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
             "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT",
             "UNCONN": "CLOSE", "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK",
             "LISTEN": "LISTEN", "CLOSING": "CLOSING"}
# states a timer can move on from between our read and ss's (delayed ACK, FIN timeout)
LATER = {"FIN_WAIT1": {"FIN_WAIT2", "TIME_WAIT"}, "LAST_ACK": {None}}


def address_in_use(addr):
    """Whether the kernel holds addr: bind() on it fails with EADDRINUSE."""
    host, port = addr.rsplit(":", 1)
    s = socket.socket()
    try:
        s.bind((host, int(port)))
        return False
    except OSError as e:
        return e.errno == errno.EADDRINUSE
    finally:
        s.close()


def ss_rows(port):
    """ss's view of the port, plus the bound-only sockets ss 6.1 cannot list: a socket that
    is bound but neither listening nor connected (the kernel reports it as CLOSE when asked
    for TCP_BOUND_INACTIVE), found by bind() failing on its address."""
    out = subprocess.run([SS, "-tanH", f"( sport = :{port} or dport = :{port} )"],
                         capture_output=True, text=True, timeout=10).stdout
    rows = {}
    for line in out.splitlines():
        f = line.split()
        state, local, peer = f[0], f[3], f[4].replace("*", "0")
        rows[(local, peer)] = SS_STATES.get(state, state)
    bound = f"127.0.0.1:{port}"
    if not any(k[0] == bound for k in rows) and address_in_use(bound):
        rows[(bound, "0.0.0.0:0")] = "CLOSE"
    return rows


p = subprocess.Popen([NIC2APP, "sockets", "--json", "--step"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
seen = []
try:
    for line in p.stderr:
        m = re.search(r"step (\d+): .*sport = :(\d+)", line)
        if not m:
            fail(f"unexpected stderr line: {line!r}")
        seen.append(ss_rows(int(m.group(2))))
        p.stdin.write("\n")
        p.stdin.flush()
    out = p.stdout.read()
finally:
    if p.poll() is None:
        p.kill()
    p.wait(timeout=30)
check(p.returncode == 0, f"exit {p.returncode}")
d = json.loads(out)
steps = d["lifecycle"]
check(len(seen) == len(steps), f"{len(seen)} pauses for {len(steps)} steps")


def agrees(ours, theirs):
    return ours == theirs or theirs in LATER.get(ours, ())


states_seen = set()
for i, (st, ss) in enumerate(zip(steps, seen)):
    where = f"step {i + 1} ({st['call']})"
    ours = {(k["local"], k["remote"]): k["state"] for k in st["kernel"]}
    for key, state in ours.items():
        check(agrees(state, ss.get(key)), f"{where}: we saw {key} {state}, ss {ss.get(key)}")
    for key, state in ss.items():  # nothing of ours that ss shows may be missing
        if key in ours or not any(key[0] in (f["local"], f["remote"]) for f in st["fds"]):
            continue
        fail(f"{where}: ss shows {key} {state}, missing from our sock_diag rows")
    for f in st["fds"]:  # TCP_INFO on each open fd
        key = (f["local"], f["remote"] or "0.0.0.0:0")
        if f["state"] == "CLOSE":
            # unbound, or moved to TIME_WAIT: ss has nothing, a bound row or the TIME_WAIT
            check(ss.get(key) in (None, "CLOSE", "TIME_WAIT"), f"{where}: {f} vs ss {ss.get(key)}")
        else:
            check(agrees(f["state"], ss.get(key)), f"{where}: fd {f} vs ss {ss.get(key)}")
        states_seen.add(f["state"])
    states_seen.update(ours.values())

for s in ("LISTEN", "ESTABLISHED", "CLOSE_WAIT", "TIME_WAIT"):
    check(s in states_seen, f"the lifecycle never showed {s}: {sorted(states_seen)}")

# the client's connection is left in TIME_WAIT, and the kernel still has it now
client = next(f for f in steps[5]["fds"] if f["role"] == "client")
after = ss_rows(d["lifecycle_port"])
check(after.get((client["local"], client["remote"])) == "TIME_WAIT",
      f"after exit ss shows {after}, expected TIME_WAIT for {client}")
check(steps[-2]["state"] == "TIME_WAIT", f"close(client) reported {steps[-2]}")
print("ok")
