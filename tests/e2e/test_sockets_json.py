# SPDX-License-Identifier: MIT
"""`nic2app sockets --json` against ground truth: the fds we hand it (stdin a file whose name
holds a quote, a newline, a space and a byte that is not UTF-8), the same socket calls made
here by Python, /proc/sys/net/core, and the measured costs' own consistency."""
import json
import os
import socket
import struct
import tempfile

from e2e import NIC2APP, check, fail, run

tmp = tempfile.mkdtemp(prefix="nic2app-e2e-")
weird = os.path.join(os.fsencode(tmp), b'we"ird\nna me\xff.txt')
with open(weird, "wb") as f:
    f.write(b"input\n")
r_pipe, w_pipe = os.pipe()
try:
    with open(weird, "rb") as stdin, open(os.devnull, "w") as stderr:
        r = run([NIC2APP, "sockets", "--json"], stdin=stdin, stderr=stderr)
finally:
    os.unlink(weird)
    os.rmdir(tmp)
check(r.returncode == 0, f"exit {r.returncode}")
try:
    d = json.loads(r.stdout)  # strict: the output must be valid JSON
except ValueError as e:
    fail(f"not JSON: {e}: {r.stdout[:200]!r}")

# the standard fds: stdin is the weird file, stdout our pipe, stderr /dev/null
std = {x["fd"]: x for x in d["std_fds"]}
check(os.fsencode(std[0]["target"]) == weird,
      f"stdin target {std[0]['target']!r} does not give back {weird!r}")
check(std[0]["type"] == "file" and std[0]["flags"] == "O_RDONLY", f"stdin: {std[0]}")
check(std[1]["target"].startswith("pipe:[") and std[1]["type"] == "pipe", f"stdout: {std[1]}")
check(std[1]["flags"].startswith("O_WRONLY"), f"stdout flags: {std[1]}")
check(std[2]["target"] == "/dev/null" and std[2]["type"] == "chr", f"stderr: {std[2]}")
os.close(r_pipe)
os.close(w_pipe)

# the sockets: fds handed out lowest-first after 0-2, identity as the kernel states it
want = [("TCP", "AF_INET", "SOCK_STREAM", "IPPROTO_TCP", "inet", "tcp"),
        ("UDP", "AF_INET", "SOCK_DGRAM", "IPPROTO_UDP", "inet", "udp"),
        ("UNIX stream", "AF_UNIX", "SOCK_STREAM", "0", "unix", "stream"),
        ("UNIX datagram", "AF_UNIX", "SOCK_DGRAM", "0", "unix", "dgram")]
check([s["fd"] for s in d["sockets"]] == [3, 4, 5, 6], f"socket fds {d['sockets']}")
for s, w in zip(d["sockets"], want):
    got = (s["label"], s["domain"], s["type"], s["protocol"], s["family"], s["proto"])
    check(got == w, f"socket {got} != {w}")
    check(s["blocking"] is True and s["rcvtimeo_us"] == 0, f"new socket not plain: {s}")

# blocking demo: Python makes the same calls and reads the kernel's values
b = d["blocking"]
sk = socket.socket()
sk.setblocking(False)
tv = struct.pack("ll", 0, b["timeout_requested_us"])
sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
sec, usec = struct.unpack("ll", sk.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 16))
sk.close()
check(b["before"]["blocking"] and not b["after"]["blocking"], f"blocking demo: {b}")
check(b["after"]["rcvtimeo_us"] == sec * 1000000 + usec,
      f"SO_RCVTIMEO read back {b['after']['rcvtimeo_us']}, kernel gives Python {sec}s {usec}us")
# one jiffy: a 1 us timeout as Python reads it back, and the HZ it gives
sk = socket.socket()
sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 1))
sec, usec = struct.unpack("ll", sk.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 16))
sk.close()
check(b["jiffy_us"] == sec * 1000000 + usec and b["hz"] == 1000000 // b["jiffy_us"],
      f"jiffy {b['jiffy_us']} us, HZ {b['hz']}; Python reads {sec}s {usec}us")

# options: same requests from Python on a fresh TCP socket must store the same values
levels = {"SO_REUSEADDR": (socket.SOL_SOCKET, socket.SO_REUSEADDR),
          "SO_KEEPALIVE": (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
          "TCP_NODELAY": (socket.IPPROTO_TCP, socket.TCP_NODELAY),
          "SO_RCVBUF": (socket.SOL_SOCKET, socket.SO_RCVBUF),
          "SO_SNDBUF": (socket.SOL_SOCKET, socket.SO_SNDBUF)}
sk = socket.socket()
check(len(d["options"]) >= 5, f"options: {d['options']}")
for o in d["options"]:
    level, opt = levels[o["name"]]
    before = sk.getsockopt(level, opt)
    sk.setsockopt(level, opt, o["requested"])
    after = sk.getsockopt(level, opt)
    check(o["before"] == before, f"{o['name']} before {o['before']}, kernel says {before}")
    check(o["after"] == after, f"{o['name']} stored {o['after']}, kernel says {after}")
sk.close()

for k in ("rmem_default", "rmem_max", "wmem_default", "wmem_max", "somaxconn"):
    with open(f"/proc/sys/net/core/{k}") as f:
        check(d["limits"][k] == int(f.read()), f"limits.{k} {d['limits'][k]}")
for k in ("tcp_rmem", "tcp_wmem"):
    with open(f"/proc/sys/net/ipv4/{k}") as f:
        check(d["limits"][k] == [int(x) for x in f.read().split()], f"limits.{k} {d['limits'][k]}")
# a request under the cap comes back doubled, and it is not the default's size
rcv = next(o for o in d["options"] if o["name"] == "SO_RCVBUF")
check(rcv["after"] == 2 * rcv["requested"] != rcv["before"], f"SO_RCVBUF not shown doubled: {rcv}")

# costs: present, self-consistent, and a system call costs more than a function call
cost = d["syscall_cost"]
check(set(cost) == {"function_call", "getppid", "getsockopt", "socket_close", "clock_gettime_vdso"},
      f"{set(cost)}")
check([n for n, c in cost.items() if c["is_system_call"]] == ["getppid", "getsockopt", "socket_close"],
      "which costs are system calls")
for name, c in cost.items():
    check(c["samples"] >= 1000, f"{name}: {c['samples']} samples")
    check(0 < c["min_ns"] <= c["p50_ns"] <= c["p99_ns"] <= c["max_ns"], f"{name}: {c}")
    ratio = c["p50_ns"] / cost["function_call"]["p50_ns"]
    check(abs(ratio - c["ratio_to_function_call"]) <= 0.05 * ratio + 0.1, f"{name} ratio {c}")
check(cost["getppid"]["p50_ns"] > cost["function_call"]["p50_ns"], f"{cost}")
check(cost["getppid"]["module_typical"] == "100-300 ns", "module's typical figure missing")

# lifecycle: the steps in order, accept's new fd, the JSON contract's fields
steps = [s["step"] for s in d["lifecycle"]]
check(steps == ["socket", "bind", "listen", "socket", "connect", "accept", "send", "recv",
                "shutdown", "recv", "close", "close", "close"], f"steps {steps}")
acc = d["lifecycle"][5]
check(acc["fd"] not in (d["lifecycle"][0]["fd"], d["lifecycle"][3]["fd"]), f"accept fd {acc}")
for s in d["lifecycle"]:
    check({"step", "fd", "state"} <= set(s), f"lifecycle entry lacks fields: {s}")
# the calls as made, and the accept queue: one connection waiting after connect(), none after
# accept(); a LISTEN row's send_q is the backlog given to listen()
check("SOCK_CLOEXEC" in d["lifecycle"][0]["call"] and d["lifecycle"][5]["call"].startswith("accept4("),
      f"calls: {[s['call'] for s in d['lifecycle']]}")
port = d["lifecycle_port"]
for i, waiting in ((4, 1), (5, 0)):
    ls = [k for k in d["lifecycle"][i]["kernel"] if k["state"] == "LISTEN" and k["local"].endswith(f":{port}")]
    check(len(ls) == 1 and ls[0]["recv_q"] == waiting and ls[0]["send_q"] == 8,
          f"step {i + 1}: listener rows {ls}")
print("ok")
