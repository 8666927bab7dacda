# SPDX-License-Identifier: MIT
"""echo_traffic: traffic for the live observers' tests (journey --live, exporter --live): an
echo server in its own process that prints, per round, when its recv() returned and when its
send() began; a client that times its own round trips; other traffic on a port of its own.
Every child started here is killed when the test ends, even when a check failed."""
import atexit
import socket
import subprocess
import sys
import threading
import time

# An echo server in its own process: prints its port, echoes, and at the end prints, per
# round, when its recv() returned and when its send() began (time.monotonic_ns).
SERVER = r"""
import json, socket, sys, time
proto = sys.argv[1]
if proto == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1], flush=True)
    rounds = []
    while True:
        d, a = s.recvfrom(2048); got = time.monotonic_ns()
        if d == b"quit": break
        sent = time.monotonic_ns(); s.sendto(d, a); rounds.append((got, sent))
else:
    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
    print(l.getsockname()[1], flush=True)
    s, _ = l.accept(); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rounds = []
    while True:
        d = s.recv(2048); got = time.monotonic_ns()
        if not d: break
        sent = time.monotonic_ns(); s.sendall(d); rounds.append((got, sent))
print(json.dumps(rounds), flush=True)
"""


CHILDREN = []


@atexit.register
def end_children():
    """Whatever this test started ends with it, even when a check failed."""
    for p in CHILDREN:
        if p.poll() is None:
            p.kill()
            p.wait()


def start_server(proto):
    p = subprocess.Popen([sys.executable, "-c", SERVER, proto], stdout=subprocess.PIPE, text=True)
    CHILDREN.append(p)
    return p, int(p.stdout.readline())


class OtherTraffic:
    """UDP datagrams from one socket to another on a port of their own, until stopped."""

    def __init__(self):
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rx.bind(("127.0.0.1", 0))
        self.port = self.rx.getsockname()[1]
        self.tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.tx.connect(("127.0.0.1", self.port))
        self.sent = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.done.is_set():
            self.tx.send(b"o" * 64)
            self.rx.recv(2048)
            self.sent += 1

    def stop(self):
        self.done.set()
        self.thread.join()
        self.rx.close()
        self.tx.close()
        return self.sent


def client_rounds(proto, port, n):
    """n round trips of 64 bytes; per round the clock before send() and after the echo."""
    if proto == "udp":
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.connect(("127.0.0.1", port))
    else:
        c = socket.create_connection(("127.0.0.1", port))
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    out = []
    for _ in range(n):
        t0 = time.monotonic_ns()
        c.send(b"m" * 64)
        got = 0
        while got < 64:
            got += len(c.recv(2048))
        out.append((t0, time.monotonic_ns()))
    return c, out
