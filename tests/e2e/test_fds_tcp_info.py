# SPDX-License-Identifier: MIT
"""`nic2app fds --tcp-info` against `ss -tinoe` for the same sockets: a child holds a loopback
listener and an idle connection with keepalive on (a timer running) and 100,000 bytes sent
one way. For each TCP socket (matched by inode) the congestion window, MSS and congestion
control must equal what ss shows (an idle connection keeps them), bytes acked and received
too; rtt, rttvar and rto within a small margin; the keepalive timer by name, with its expiry
within 5 s of ss's (plus ss's rounding). Checked in the one-process JSON and text, in the whole-machine form, and by
each engine; without --tcp-info no socket has tcp_info."""
import json
import os
import re
import shutil
import subprocess
import sys

from e2e import check, nic2app, skip

if not shutil.which("ss"):
    skip("ss (iproute2) is not installed")

CHILD = r"""
import socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(5)
c = socket.create_connection(l.getsockname())
a, _ = l.accept()
c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
c.sendall(b"x" * 100000)
got = 0
while got < 100000:
    got += len(a.recv(65536))
print(l.getsockname()[1], flush=True)
sys.stdin.read()
"""


def ms(word):
    """ss's durations ("200ms", "7.2sec", "119min"): (ms, how far ss rounded it)."""
    m = re.fullmatch(r"([\d.]+)(ms|sec|min|h)?", word)
    scale = {"ms": 1, "sec": 1000, "min": 60000, "h": 3600000, None: 1}[m.group(2)]
    return float(m.group(1)) * scale, scale


def ss_sockets(port):
    """{inode: fields} from ss -tinoe for the sockets on port."""
    out = subprocess.run(["ss", "-tainoeH", f"sport = :{port} or dport = :{port}"],
                         capture_output=True, text=True, check=True).stdout
    socks, cur = {}, None
    for line in out.splitlines():
        if not line.startswith(("\t", " ")):
            m = re.search(r"ino:(\d+)", line)
            cur = socks.setdefault(int(m.group(1)), {}) if m else None
            t = re.search(r"timer:\((\w+),([^,]+),(\d+)\)", line)
            if cur is not None and t:
                cur["timer"] = (t.group(1), ms(t.group(2)), int(t.group(3)))
            continue
        if cur is None:
            continue
        words = line.split()
        for w in words:
            if ":" in w and not w.startswith(("bbr:(", "(")):
                k, _, v = w.partition(":")
                cur[k] = v
        cur["cong"] = next((w for w in words if re.fullmatch(r"[a-z][a-z0-9_]*", w)
                            and w not in ("ts", "sack", "ecn", "ecnseen", "fastopen",
                                          "app_limited", "send", "pacing_rate",
                                          "delivery_rate")), None)
    return socks


def compare(label, info, ss, listening):
    check(info is not None, f"{label}: no tcp_info")
    check(info["cong"] == ss["cong"], f"{label}: cong {info['cong']!r}, ss {ss['cong']!r}")
    check(info["snd_cwnd"] == int(ss["cwnd"]), f"{label}: cwnd {info['snd_cwnd']}, ss {ss['cwnd']}")
    if listening:
        return
    check(info["snd_mss"] == int(ss["mss"]), f"{label}: mss {info['snd_mss']}, ss {ss['mss']}")
    check(info["rcv_mss"] == int(ss["rcvmss"]), f"{label}: rcvmss {info['rcv_mss']}, ss {ss['rcvmss']}")
    for key, ours in (("bytes_acked", "bytes_acked"), ("bytes_received", "bytes_received")):
        check(info[ours] == int(ss.get(key, 0)), f"{label}: {ours} {info[ours]}, ss {ss.get(key)}")
    rtt, rttvar = (float(x) for x in ss["rtt"].split("/"))
    check(abs(info["rtt_us"] / 1000 - rtt) <= 1.0 and abs(info["rttvar_us"] / 1000 - rttvar) <= 1.0,
          f"{label}: rtt {info['rtt_us']}/{info['rttvar_us']} us, ss {ss['rtt']} ms")
    check(abs(info["rto_us"] / 1000 - float(ss["rto"])) <= 50,
          f"{label}: rto {info['rto_us']} us, ss {ss['rto']} ms")
    if "timer" in ss:
        name, (expires, rounding), retrans = ss["timer"]
        check(info["timer"] and info["timer"]["name"] == name,
              f"{label}: timer {info['timer']}, ss {ss['timer']}")
        check(abs(info["timer"]["expires_ms"] - expires) <= 5000 + rounding and info["timer"]["retrans"] == retrans,
              f"{label}: timer {info['timer']}, ss {ss['timer']}")
    else:
        check(info["timer"] is None, f"{label}: timer {info['timer']}, ss shows none")


child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
try:
    port = int(child.stdout.readline())
    pid = str(child.pid)
    engines = ["procfs"]
    probe = nic2app("fds", pid, "--engine", "bpf", "--json")
    if probe.returncode == 0:
        engines.append("bpf")
    ss = ss_sockets(port)
    check(len(ss) == 3, f"ss shows {len(ss)} sockets on port {port}, not 3")
    checked = 0
    for engine in engines:
        for form in ([pid], ["--pid", pid]):
            r = nic2app("fds", *form, "--tcp-info", "--json", "--engine", engine)
            check(r.returncode == 0, f"{form} --engine {engine}: exit {r.returncode}: {r.stderr!r}")
            d = json.loads(r.stdout)
            proc = d if "fds" in d else d["processes"][0]
            source = d["scan"]["source"]
            check(source == engine, f"{form}: scan.source {source}, asked for {engine}")
            socks = [e for e in proc["fds"] if e["type"] == "socket"]
            check(len(socks) == 3, f"{form} {engine}: {len(socks)} sockets")
            for e in socks:
                label = f"{' '.join(form)} --engine {engine} fd {e['fd']}"
                check(e["inode"] in ss, f"{label}: inode {e['inode']} not in ss")
                compare(label, e["socket"].get("tcp_info"), ss[e["inode"]],
                        e["socket"]["state"] == "LISTEN")
                checked += 1
    plain = json.loads(nic2app("fds", pid, "--json").stdout)
    check(all("tcp_info" not in e.get("socket", {}) for e in plain["fds"]),
          "without --tcp-info, a socket has tcp_info")
    text = nic2app("fds", pid, "--tcp-info", "--type", "socket").stdout.decode()
    lines = text.splitlines()
    notes = [lines[i + 1] for i, l in enumerate(lines[:-1]) if re.match(r"\s+\d+\s+tcp\s", l)]
    check(len(notes) == 3 and all("cwnd:" in n for n in notes),
          f"text: no tcp_info line under each TCP row:\n{text}")
    established = [n for n in notes if "rtt:" in n]
    check(len(established) == 2 and any("timer:(keepalive," in n for n in established),
          f"text: the connections' lines lack rtt or the keepalive timer:\n{text}")
finally:
    child.stdin.close()
    child.wait(timeout=10)
print(f"{checked} TCP sockets' tcp_info agree with ss -tinoe ({', '.join(engines)})")
