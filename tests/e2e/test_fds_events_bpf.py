#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`nic2app fds PID --events` from the system calls (BPF): against tests/helpers/fd_churn,
whose own syscalls are the ground truth. 100 fds opened and closed between two snapshots
are each reported, in order, with their fd and inode; pipe() and socketpair() report both
fds; dup2 over an open fd is a change; close_range (no close() call) is found by a snapshot;
200,000 open+close pairs in 2 s are all reported or counted as lost; and after SIGINT or
SIGTERM none of the BPF programs and links nic2app held is left in the kernel."""
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

from e2e import BUILD, NIC2APP, bpf_ids_loaded, bpf_objects, check, fail, reduced, skip
from fixture import Fixture

CHURN = os.path.join(BUILD, "tests", "helpers", "fd_churn")
TARGET = "/etc/hostname"


class Churn:
    def __init__(self):
        self.proc = subprocess.Popen([CHURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        self.pid = json.loads(self.proc.stdout.readline())["pid"]

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        check("error" not in reply, f"fd_churn '{line}': {reply}")
        return reply

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


class Events:
    """nic2app fds PID --events --json; stdout to a pipe (read with a deadline) or a file."""
    def __init__(self, pid, interval="0.2", out=None):
        self.proc = subprocess.Popen([NIC2APP, "fds", str(pid), "--events", "--json",
                                      "--interval", interval],
                                     stdout=out or subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.buf = ""
        first = self.proc.stderr.readline()
        if "exact events need BPF" in first:
            self.stop()
            # a build without BPF, or a kernel without BTF, is "not here"; a program this
            # build carries that root cannot load (the verifier refused it) is a failure
            if "built without BPF" in first or not os.path.exists("/sys/kernel/btf/vmlinux"):
                skip(f"no exact events here: {first.strip()}")
            fail(f"as root with BTF: {first.strip()}")
        check("exact events from its system calls" in first, f"start line: {first!r}")

    def read(self, until, timeout=10.0):
        """Events until until(events) is true; fails after timeout seconds."""
        got, deadline = [], time.monotonic() + timeout
        while not until(got):
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f"events: gave up after {timeout} s with {len(got)}: {got[-5:]}")
            if "\n" not in self.buf:
                r, _, _ = select.select([self.proc.stdout], [], [], left)
                if r:
                    chunk = os.read(self.proc.stdout.fileno(), 1 << 16).decode()
                    if not chunk:
                        fail(f"nic2app ended: {self.proc.stderr.read()}")
                    self.buf += chunk
                continue
            line, self.buf = self.buf.split("\n", 1)
            got.append(json.loads(line))
        return got

    def quiet(self, seconds):
        """Every event in the next few seconds."""
        end = time.monotonic() + seconds
        return self.read(lambda got: time.monotonic() >= end, timeout=seconds + 5)

    def stop(self, sig=signal.SIGINT):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                fail(f"nic2app did not end on signal {sig}")
        return self.proc.returncode


def of(events, fds):
    return [e for e in events if e.get("fd") in fds]


def exact_open_close(ch):
    ev = Events(ch.pid, interval="0.2")
    try:
        ev.quiet(0.3)
        did = ch.command("openclose 100")
        fds, inodes = did["fds"], did["inodes"]
        got = ev.read(lambda g: len(of(g, set(fds))) >= 200)
        got = of(got + ev.quiet(0.5), set(fds))  # a snapshot or two: nothing more may come
        check(len(got) == 200, f"{len(got)} events for 100 open+close pairs: {got[200:205]}")
        times = [e["time_ns"] for e in got]
        check(times == sorted(times), "events out of order")
        for i, (fd, ino) in enumerate(zip(fds, inodes)):
            o, c = got[2 * i], got[2 * i + 1]
            for e, kind in ((o, "open"), (c, "close")):
                check(e["event"] == kind and e["source"] == "syscall" and e["fd"] == fd
                      and e["inode"] == ino and e["type"] == "file" and e["name"] == TARGET,
                      f"pair {i}: expected {kind} of fd {fd} inode {ino}, got {e}")
            check(o["syscall"] == "openat" and c["syscall"] == "close", f"pair {i}: {o} {c}")
        print(f"100 open+close pairs in {did['elapsed_ns'] / 1e6:.3f} ms (snapshots every 200 ms):"
              f" 100 opens and 100 closes from the syscalls, in order, fds and inodes right")

        for kind, typ in (("pipe", "pipe"), ("socketpair", "socket")):
            did = ch.command(kind)
            got = ev.read(lambda g: len(of(g, set(did["fds"]))) >= 2)
            got = of(got, set(did["fds"]))
            check(sorted((e["fd"], e["inode"]) for e in got) ==
                  sorted(zip(did["fds"], did["inodes"])), f"{kind}: {got} for {did}")
            check(all(e["event"] == "open" and e["type"] == typ and e["syscall"].startswith(kind)
                      for e in got), f"{kind}: {got}")
        print("pipe() and socketpair(): both fds reported, with their inodes")

        did = ch.command("dup2")
        fd = did["fd"]
        got = of(ev.read(lambda g: any(e["event"] == "change" for e in of(g, {fd}))), {fd})
        change = [e for e in got if e["event"] == "change"][0]
        check(change["source"] == "syscall" and change["syscall"] == "dup2"
              and change["inode"] == did["inode_after"] and change["type"] == "pipe"
              and change["before"]["inode"] == did["inode_before"]
              and change["before"]["type"] == "file", f"dup2 over fd {fd}: {change}")
        print("dup2 over an open fd: a change from the syscall, with the old and new inodes")

        # each kind of fd closed at once: described by what its system call saw
        made = ch.command("kinds")
        got = ev.read(lambda g: len(g) >= 2 * len(made))
        check(len(got) == 2 * len(made), f"{len(got)} events for {len(made)} kinds: {got}")
        socks = {"socket tcp": ("inet", "tcp", "CLOSE"), "socket udp6": ("inet6", "udp", "UNCONN"),
                 "socket unix": ("unix", "dgram", "UNCONN"),
                 "socket netlink": ("netlink", "route", "UNCONN")}
        for k, (o, c) in zip(made, zip(got[0::2], got[1::2])):
            check(o["event"] == "open" and c["event"] == "close" and o["fd"] == c["fd"] == k["fd"]
                  and o["type"] == c["type"] == k["type"] and o["inode"] == k["inode"],
                  f"{k['kind']}: {k} reported as {o} then {c}")
            if k["kind"] in socks:
                s = o["socket"]
                check((s["family"], s["proto"], s["state"]) == socks[k["kind"]],
                      f"{k['kind']}: socket {s}")
        print(f"{len(made)} kinds of fds, each closed at once: type and inode right "
              f"({sum(bool(e.get('gone')) for e in got)} of {len(made)} described from the call "
              "alone)")

        did = ch.command("close_range")
        fds = set(did["fds"])
        got = of(ev.read(lambda g: sum(e["event"] == "close" for e in of(g, fds)) >= 3), fds)
        closes = [e for e in got if e["event"] == "close"]
        check(all(e["source"] == "snapshot" and e["type"] == "file" for e in closes)
              and {e["fd"] for e in closes} == fds, f"close_range: {closes}")
        print("close_range: its three closes found by the next snapshot (source snapshot)")
    finally:
        ev.stop()


KINDS = ("file file_append file_deleted memfd dir chr pipe fifo tcp_listen tcp_established "
         "tcp6_established udp udp_connected udp6 unix_listen unix_stream unix_abstract "
         "unix_socketpair unix_dgram unix_seqpacket netlink_route packet raw eventfd epoll "
         "timerfd signalfd inotify fanotify pidfd io_uring").split()


def steady():
    """fds of every kind the fixture makes, left open: each reported once, from its call, and
    no snapshot after them may find anything more (a snapshot resolves more details than an
    event's read, which must not look like a change)."""
    with Fixture("--kinds", "chr") as fx:
        ev = Events(fx.pid, interval="0.1")
        try:
            want = {}
            for kind in KINDS:
                r = fx.command("open " + kind)
                for e in r.get("fds", []):
                    want[e["fd"]] = e
            got = ev.quiet(0.8)  # several snapshots
        finally:
            ev.stop()
    snap = [e for e in got if e["source"] == "snapshot"]
    check(not snap, f"snapshots found what the calls did not show: {snap[:3]}")
    last = {}
    for e in got:
        last[e["fd"]] = e
    for fd, w in want.items():
        e = last.get(fd)
        check(e and e["event"] in ("open", "change") and e["inode"] == w["inode"]
              and e["type"] == w["type"], f"{w['kind']} fd {fd}: {w} last reported as {e}")
    print(f"{len(want)} fds of {len(KINDS)} kinds: each reported by its call, nothing more by "
          f"the snapshots every 100 ms")


def threaded(ch):
    """One thread opens, another closes: a closed number is another thread's new fd at once.
    Per fd, events must alternate open, close (a close recorded after the reuse that follows
    it would break that), and no snapshot may have to correct anything."""
    # the check needs every record: a reader slowed down (ASan, valgrind, a loaded machine)
    # may lose some, which are counted; then the same check runs again with fewer pairs
    sizes = [2000, 500] if reduced("2,000 pairs across threads, not 100,000 (the reader runs slower)") \
        else [100000, 20000, 4000]
    for pairs in sizes:
        with tempfile.TemporaryFile(mode="w+") as out:
            ev = Events(ch.pid, interval="0.2", out=out)
            try:
                time.sleep(0.3)
                ch.command(f"threads {pairs}")
                time.sleep(0.8)  # the last records, and three snapshots
            finally:
                ev.stop()
            out.seek(0)
            got = [json.loads(line) for line in out]
        lost = sum(e["count"] for e in got if e["event"] == "lost")
        if not lost:
            break
        print(f"{pairs} pairs: {lost} records lost (counted); again with fewer")
    check(not lost, f"records lost even with {pairs} pairs: the check needs all")
    mine = [e for e in got if e.get("name") == TARGET]
    other = [e for e in got if e.get("name") != TARGET]
    check(not other, f"events beside the pairs: {other[:3]}")
    state, bad = {}, []
    for e in mine:
        if (e["event"] == "open") == state.get(e["fd"], False) or e["source"] != "syscall":
            bad.append(e)
        state[e["fd"]] = e["event"] == "open"
    opens = sum(e["event"] == "open" for e in mine)
    check(not bad and opens == pairs and len(mine) == 2 * pairs and not any(state.values()),
          f"{pairs} pairs across two threads: {opens} opens, {len(mine) - opens} closes, "
          f"{len(bad)} out of turn: {bad[:3]}")
    tids = {e["tid"] for e in mine}
    print(f"{pairs} open+close pairs across {len(tids)} threads, numbers reused at once: every "
          f"fd's events alternate, none from snapshots")


def pid_namespace():
    """nic2app and the process in a new pid namespace (a container's view): PIDs there are
    not what the kernel's sys_exit sees, and the events must still come."""
    import shutil
    if reduced("no pid namespace case (its timing is for programs that start at once)"):
        return
    if not shutil.which("unshare"):
        print("unshare missing: a pid namespace not tried")
        return
    script = (f'{CHURN} < <(sleep 1.5; echo "openclose 3"; sleep 1.5) > /dev/null & '
              'sleep 0.5; echo "pid $!"; '
              f'timeout 3 {NIC2APP} fds $! --events --json --interval 0.5 2>/dev/null; true')
    r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "bash", "-c", script],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0 or not r.stdout.startswith("pid "):
        print(f"a pid namespace could not be made here: {r.stderr.strip()[:200]}")
        return
    pid = int(r.stdout.split()[1])
    got = [json.loads(l) for l in r.stdout.splitlines()[1:]]
    pairs = [e for e in got if e.get("name") == TARGET]
    check([e["event"] for e in pairs] == ["open", "close"] * 3
          and all(e["tid"] == pid and e["source"] == "syscall" for e in pairs),
          f"in a pid namespace (pid {pid} there): {got}")
    print(f"in a new pid namespace (the process is pid {pid} there): 3 opens and 3 closes")


def nothing_left(ch):
    """After SIGINT and SIGTERM, the programs and links nic2app held are gone."""
    if subprocess.run(["bpftool", "version"], capture_output=True).returncode != 0:
        print("bpftool missing: the kernel's program list not checked")
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        ev = Events(ch.pid)
        ids = bpf_objects(ev.proc.pid)
        check({k for k, _ in ids} == {"prog", "link"}, f"nic2app holds no BPF program or link: {ids}")
        check(bpf_ids_loaded(ids) == ids, "bpftool does not list nic2app's program and link")
        code = ev.stop(sig)
        check(code == 0, f"exit {code} on signal {sig}")
        # the kernel frees a detached program after an RCU grace period
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            left = bpf_ids_loaded(ids)
            if not left:
                break
            time.sleep(0.05)
        check(not left, f"after {signal.Signals(sig).name}: {sorted(left)} still loaded")
        print(f"{signal.Signals(sig).name}: {sorted(ids)} gone")


def load(ch):
    """200,000 open+close pairs in 2 s: every record reported, or counted as lost."""
    with tempfile.TemporaryFile(mode="w+") as out:
        ev = Events(ch.pid, interval="1", out=out)
        try:
            time.sleep(0.3)
            did = ch.command("rate 100000 2")
            time.sleep(1.5)  # the last batch is read within 100 ms
        finally:
            ev.stop()
        out.seek(0)
        opens = closes = lost = 0
        extra = []
        for line in out:
            e = json.loads(line)
            if e["event"] == "lost":
                lost += e["count"]
            elif e.get("source") == "syscall" and e.get("name") == TARGET:
                opens += e["event"] == "open"
                closes += e["event"] == "close"
            else:
                extra.append(e)
    # a snapshot that caught the file open between two records must not report it
    check(not extra, f"events beside the pairs: {extra[:5]}")
    pairs = did["pairs"]
    check(opens + closes + lost == 2 * pairs,
          f"{pairs} pairs: {opens} opens + {closes} closes + {lost} lost != {2 * pairs}")
    print(f"load: {pairs} open+close pairs in {did['elapsed_ns'] / 1e9:.2f} s: {opens} opens, "
          f"{closes} closes, {lost} lost (sum exact)")


def main():
    if os.geteuid() != 0:
        skip("exact fd events need root (CAP_BPF and CAP_PERFMON): not root")
    if not os.access(CHURN, os.X_OK):
        fail(f"{CHURN} is not built")
    ch = Churn()
    try:
        exact_open_close(ch)
        steady()
        threaded(ch)
        pid_namespace()
        nothing_left(ch)
        if not reduced("no load test (200,000 pairs in 2 s)"):
            load(ch)
    finally:
        ch.stop()


if __name__ == "__main__":
    sys.exit(main())
