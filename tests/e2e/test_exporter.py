# SPDX-License-Identifier: MIT
"""nic2app exporter over HTTP, with Python as the client: the fixture's fds and sockets as
`nic2app fds --json` counts them, both formats by Accept, `promtool check metrics`, the routes
and refusals; then abuse: 200 scrapes at once, clients that never read or never finish their
request, garbage and oversized requests; the exporter stays up, in bounded memory, and ends
with exit 0 on SIGTERM. Also: a 15-character process name has no newline in it."""
import collections
import json
import re
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from e2e import built, check, fail, nic2app
from exporter import Exporter, samples, stop_all, wait_until
from fixture import FIXTURE, Fixture

OM = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"


def fds_by_type(pid):
    r = nic2app("fds", str(pid), "--json")
    check(r.returncode == 0, f"fds {pid} exited {r.returncode}: {r.stderr.decode()}")
    doc = json.loads(r.stdout)
    return doc, collections.Counter(e["type"] for e in doc["fds"])


def check_fixture(text, pid):
    """The exporter's series for pid equal what `nic2app fds --json` says."""
    doc, want = fds_by_type(pid)
    got = {l["type"]: v for l, v in samples(text, "nic2app_process_fds") if l["pid"] == str(pid)}
    check(got == {t: float(n) for t, n in want.items()},
          f"nic2app_process_fds of {pid}: {got}, fds --json: {dict(want)}")
    socks = collections.Counter()
    for e in doc["fds"]:
        if e["type"] == "socket":
            s = e["socket"]
            socks[(s["family"], s["proto"], s.get("state", ""))] += 1
    got = {(l["family"], l["proto"], l["state"]): v
           for l, v in samples(text, "nic2app_process_sockets") if l["pid"] == str(pid)}
    check(got == {k: float(n) for k, n in socks.items()},
          f"nic2app_process_sockets of {pid}: {got}, fds --json: {dict(socks)}")
    limits = {l["kind"]: v for l, v in samples(text, "nic2app_process_fd_limit")
              if l["pid"] == str(pid)}
    check(limits.get("soft") == doc["limits"]["soft"], f"soft limit {limits}, {doc['limits']}")


def check_routes(ex):
    st, h, body = ex.get("/metrics")
    check(st == 200 and h["content-type"] == "text/plain; version=0.0.4; charset=utf-8",
          f"/metrics: {st} {h}")
    check(int(h["content-length"]) == len(body), "Content-Length is not the body's length")
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
        check(r.returncode == 0, f"promtool check metrics: {r.stdout!r} {r.stderr!r}")
    st, h, om = ex.get("/metrics", {"Accept": OM})
    check(st == 200 and h["content-type"].startswith("application/openmetrics-text; version=1.0.0"),
          f"OpenMetrics asked for: {st} {h}")
    check(om.endswith(b"\n# EOF\n") and b"# UNIT nic2app_scrape_duration_seconds seconds" in om,
          "the OpenMetrics answer has no # EOF at its end or no UNIT")
    st, h, head = ex.get("/metrics", method="HEAD")
    check(st == 200 and head == b"", f"HEAD: {st}, {len(head)} body bytes")
    st, h, page = ex.get("/")
    check(st == 200 and b'<a href="/metrics">' in page, f"/: {st} {page!r}")
    check(ex.get("/nope")[0] == 404, "/nope is not 404")
    check(ex.get("/metrics", method="POST")[0] == 405, "POST is not 405")
    return body.decode()


def raw(ex, data, read=True, timeout=5):
    """Send bytes on a new connection; what comes back until the server closes."""
    s = socket.create_connection((ex.host, ex.port), timeout=timeout)
    s.sendall(data)
    got = b""
    try:
        while read:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return got


def check_refusals(ex):
    check(raw(ex, b"garbage\r\n\r\n").startswith(b"HTTP/1.1 400 "), "garbage: no 400")
    check(raw(ex, bytes(range(256))).startswith(b"HTTP/1.1 400 "), "binary: no 400")
    big = b"GET /metrics HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    check(raw(ex, big).startswith(b"HTTP/1.1 431 "), "an oversized head: no 431")
    check(wait_until(lambda: "malformed request" in ex.stderr(), 3), "no log line for garbage")


def concurrent_scrapes(ex, n):
    results = [None] * n

    def one(i):
        try:
            st, h, body = ex.get("/metrics", timeout=60)
            results[i] = st == 200 and int(h["content-length"]) == len(body) and \
                b"nic2app_build_info" in body
        except OSError as e:
            results[i] = repr(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = [r for r in results if r is not True]
    check(not bad, f"{len(bad)} of {n} concurrent scrapes failed: {bad[:3]}")


def abuse(ex):
    """Clients that never read, never finish, or send garbage: the exporter stays up and
    answers a normal scrape meanwhile; its memory stays bounded."""
    rss0 = ex.rss_kib()
    held = []
    for _ in range(50):  # a complete request, then never a byte read
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        s.connect((ex.host, ex.port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        held.append(s)
    for _ in range(50):  # half a request, never finished
        s = socket.create_connection((ex.host, ex.port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost:")
        held.append(s)
    rng = random.Random(16)
    for _ in range(300):  # garbage and endless heads
        s = socket.create_connection((ex.host, ex.port))
        try:
            s.sendall(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))))
            s.sendall(b"GET / HTTP/1.1\r\nX: " + b"y" * 70000)
        except OSError:
            pass  # refused and closed already: that is the point
        s.close()
    st, _, body = ex.get("/metrics", timeout=10)
    check(st == 200 and body, f"a scrape during the abuse: {st}")
    # the deadline (--timeout 2) closes the silent ones
    def closed(s):
        s.settimeout(0.1)
        try:
            while True:
                if not s.recv(65536):
                    return True
        except socket.timeout:
            return False
        except OSError:
            return True
    left = wait_until(lambda: all(closed(s) for s in held[50:]), 8)
    check(left, "connections that never finished their request were not closed")
    for s in held:
        s.close()
    rss1 = ex.rss_kib()
    check(rss1 < rss0 + 32 * 1024, f"RSS grew from {rss0} KiB to {rss1} KiB")
    check(ex.p.poll() is None, "the exporter died")
    err = ex.stderr()
    check("timed out sending its request" in err, "no log line for the unfinished requests")
    check("more not shown" in err or err.count("\n") < 400, "the log is not rate-limited")


def long_comm():
    """A 15-character name (the most comm holds) is shown without the newline /proc adds."""
    d = tempfile.mkdtemp()
    try:
        prog = os.path.join(d, "fifteen_chars_x")
        shutil.copy(FIXTURE, prog)
        with Fixture(program=prog) as fx:
            doc, _ = fds_by_type(fx.pid)
            check(doc["comm"] == "fifteen_chars_x", f"fds --json comm {doc['comm']!r}")
            r = nic2app("exporter", "--once", "--pid", str(fx.pid))
            check(r.returncode == 0, f"--once: {r.stderr.decode()}")
            comms = {l["comm"] for l, _ in samples(r.stdout.decode(), "nic2app_process_fds")}
            check(comms == {"fifteen_chars_x"}, f"exporter comm {comms}")
    finally:
        shutil.rmtree(d)


def options():
    for bad in (["--max-processes", "0"], ["--pid", "x"], ["--openmetrics"], ["--timeout", "-1"],
                ["--user", "no-such-user-here"], ["extra"]):
        r = nic2app("exporter", *bad)
        check(r.returncode == 2, f"{bad}: exit {r.returncode}, not 2")
    r = nic2app("exporter", "--once", "--openmetrics", "--max-processes", "1")
    check(r.returncode == 0 and r.stdout.endswith(b"# EOF\n"), "--once --openmetrics")
    procs = {l["pid"] for l, _ in samples(r.stdout.decode(), "nic2app_process_fds")}
    check(len(procs) == 2 and "" in procs, f"--max-processes 1: {procs}")


def listen_counters():
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[0::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            d = dict(zip(names.split()[1:], map(int, values.split()[1:])))
            return d["ListenOverflows"]
    fail("no TcpExt in /proc/net/netstat")


def listen_queue():
    """A listener with backlog 2 that never accepts, and 6 clients: the exporter's queued and
    max are ss's Recv-Q and Send-Q; the overflow counter moves as /proc/net/netstat's does."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(2)
    port = lsock.getsockname()[1]
    before = listen_counters()
    clients = []
    for _ in range(6):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        clients.append(c)
    time.sleep(0.3)
    ss = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True)
    _, recv_q, send_q, *_ = ss.stdout.split()
    r = nic2app("exporter", "--once", "--pid", str(os.getpid()))
    after = listen_counters()
    text = r.stdout.decode()
    q = {l["kind"]: v for l, v in samples(text, "nic2app_process_listen_queue_connections")
         if l["local"] == f"127.0.0.1:{port}"}
    check(q == {"queued": float(recv_q), "max": float(send_q)},
          f"listen queue {q}, ss says Recv-Q {recv_q} Send-Q {send_q}")
    check(q["queued"] > q["max"], f"6 clients did not overflow a backlog of 2: {q}")
    over = samples(text, "nic2app_system_tcp_listen_overflows_total")[0][1]
    check(before < over <= after, f"ListenOverflows {before} -> {after}, exporter {over}")
    for c in clients:
        c.close()
    lsock.close()


def capabilities(pid):
    """The systemd unit's two capabilities let an unprivileged user read another user's
    process (the fixture, root's); without them it cannot."""
    if os.getuid() != 0 or not shutil.which("setpriv"):
        return
    d = tempfile.mkdtemp()
    try:
        os.chmod(d, 0o755)
        prog = shutil.copy(built("nic2app"), os.path.join(d, "nic2app"))
        os.chmod(prog, 0o755)
        caps = "+dac_read_search,+sys_ptrace"
        for extra, seen in (([], False), ([f"--inh-caps={caps}", f"--ambient-caps={caps}"], True)):
            r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                *extra, prog, "exporter", "--once", "--pid", str(pid)],
                               capture_output=True, text=True, cwd="/")
            pids = {l["pid"] for l, _ in samples(r.stdout, "nic2app_process_fds")}
            check(r.returncode == 0 and (str(pid) in pids) == seen,
                  f"as nobody {extra}: exit {r.returncode}, pids {pids}, {r.stderr}")
    finally:
        shutil.rmtree(d)


def main():
    options()
    long_comm()
    listen_queue()
    with Fixture("--kinds", "all") as fx:
        ex = Exporter("--timeout", "2", "--max-processes", "1000")
        text = check_routes(ex)
        check_fixture(text, fx.pid)
        # a process started after that scrape is in the next one, whole: the server's
        # iterator, loaded once, reads the tables afresh each time
        with Fixture("--kinds", "all") as fx2:
            check_fixture(ex.get()[2].decode(), fx2.pid)
        capabilities(fx.pid)
        check_refusals(ex)
        concurrent_scrapes(ex, 200)
        abuse(ex)
        concurrent_scrapes(ex, 20)
        code = ex.stop()
        check(code == 0, f"SIGTERM: exit {code}")
        err = ex.stderr()
        m = re.search(r"(\d+) scrapes served by (\d+) collections", err)
        check(m and int(m.group(2)) < int(m.group(1)), f"no collections shared: {err[-300:]!r}")
    # a non-loopback address warns
    ex = Exporter(listen="0.0.0.0:0")
    ex.stop()
    check("reachable from the network" in ex.stderr(), f"no warning for 0.0.0.0: {ex.stderr()!r}")


try:
    main()
finally:
    stop_all()
