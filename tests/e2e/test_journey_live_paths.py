# SPDX-License-Identifier: MIT
"""`nic2app journey --live` on traffic that only leaves, and traffic that only arrives: in a
private network namespace the test makes, a tun device whose other end is this test (so what
leaves through it reaches "another host", the test, and what the test writes into it arrives
from one). UDP datagrams sent to 10.9.0.2 leave through the tun: their journey here ends at the
driver (qdisc stage only, counted to_elsewhere); datagrams the test writes into the tun arrive
at netif_receive_skb and end in a reader's recv() (from_elsewhere). Ground truth: the test reads
every datagram that left out of the tun, and the reader gets every one written in; the counts
and stages must match them exactly."""
import json
import os
import signal
import subprocess
import sys

from e2e import NIC2APP, check, fail, run, skip

if os.geteuid() != 0:
    skip("journey --live loads BPF programs and the test makes a namespace: needs root")
if not os.path.exists("/dev/net/tun"):
    skip("no /dev/net/tun: the test needs a tun device")
probe = run([NIC2APP, "journey", "--live", "--duration", "0.05", "--port", "1", "--json"])
if probe.returncode == 3:
    skip(f"journey --live not possible here: {probe.stderr.decode().strip()}")
COUNT = 50
NS = f"n2alive{os.getpid()}"

# Runs inside the namespace: makes the tun, waits for "go", sends COUNT datagrams out through
# it (and reads each from the tun), writes COUNT into it (and reads each with a socket), then
# prints what came where.
HELPER = r"""
import fcntl, json, os, socket, struct, subprocess, sys
count, port = int(sys.argv[1]), int(sys.argv[2])
tun = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(tun, 0x400454ca, struct.pack("16sH", b"n2alive0", 0x0001 | 0x1000))  # TUN, NO_PI
for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", "10.9.0.1/24", "dev", "n2alive0"],
            ["ip", "link", "set", "n2alive0", "up"]):
    subprocess.run(cmd, check=True)
reader = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); reader.bind(("10.9.0.1", port))
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); sender.bind(("10.9.0.1", 0))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def datagram(i):
    payload = b"%08d" % i + b"p" * 56
    udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload  # no UDP checksum
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     socket.inet_aton("10.9.0.2"), socket.inet_aton("10.9.0.1"))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + udp
print("ready", flush=True)
sys.stdin.readline()
left = arrived = 0
for i in range(count):
    sender.sendto(b"l" * 64, ("10.9.0.2", port))
    while True:  # what the kernel sent out; IPv6 router solicitations may come first
        pkt = os.read(tun, 2048)
        if pkt[0] >> 4 == 4 and pkt[9] == 17 and struct.unpack("!H", pkt[22:24])[0] == port:
            left += 1
            break
for i in range(count):
    os.write(tun, datagram(i))
    if reader.recv(2048)[:8] == b"%08d" % i:
        arrived += 1
print(json.dumps({"left": left, "arrived": arrived}), flush=True)
"""


def ip(*args):
    r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        fail(f"ip {' '.join(args)}: {r.stderr.strip()}")


# a timeout's SIGTERM ends the test through the finally below: the namespace goes too
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
ip("netns", "add", NS)
helper = live = None
try:
    port = 20000 + os.getpid() % 20000
    helper = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, "-c", HELPER, str(COUNT),
                               str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    check(helper.stdout.readline().strip() == "ready", "the namespace's helper did not start")
    live = subprocess.Popen([NIC2APP, "journey", "--live", "--port", str(port), "--proto", "udp",
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = live.stderr.readline()
    check("watching" in line, f"journey --live: {line!r}")
    helper.stdin.write("go\n")
    helper.stdin.flush()
    seen = json.loads(helper.stdout.readline())
    live.send_signal(2)
    out, err = live.communicate(timeout=30)
    check(live.returncode == 0, f"journey --live: exit {live.returncode}: {err!r}")
    j = json.loads(out)
finally:
    for p in (helper, live):
        if p and p.poll() is None:
            p.kill()
            p.wait()
    subprocess.run(["ip", "netns", "delete", NS], capture_output=True)

check(seen == {"left": COUNT, "arrived": COUNT}, f"the test's own ends saw {seen}")
check(j["journeys"] == {"local": 0, "from_elsewhere": COUNT, "to_elsewhere": COUNT},
      f"journeys {j['journeys']}, want {COUNT} from and {COUNT} to elsewhere")
stages = {s["name"]: s["samples"] for s in j["stages"]}
check(stages == {"qdisc": COUNT, "rx_stack": COUNT, "wakeup": COUNT, "run_queue": COUNT,
                 "recv_copy": COUNT}, f"stages {stages}: leaving gives the qdisc, arriving the rest")
check(j["totals"]["to_elsewhere"]["samples"] == COUNT and j["totals"]["from_elsewhere"]["samples"] == COUNT,
      f"totals {j['totals']}")
check(j["packets_seen"] == 2 * COUNT, f"packets_seen {j['packets_seen']}")
# a packet that only leaves is timed from the queue to the driver: its total is its qdisc stage
q = next(s for s in j["stages"] if s["name"] == "qdisc")
check(abs(q["mean_ns"] - j["totals"]["to_elsewhere"]["mean_ns"]) < 1, f"qdisc {q} vs {j['totals']['to_elsewhere']}")
print(f"to elsewhere: {COUNT} (qdisc mean {q['mean_ns']:.0f} ns), from elsewhere: {COUNT} "
      f"(mean {j['totals']['from_elsewhere']['mean_ns']:.0f} ns to the end of recv())")
