# SPDX-License-Identifier: MIT
"""veth_pair: two network namespaces made by a test, joined by a veth pair (192.0.2.1 in the
first, 192.0.2.2 in the second), and a `nic2app serve` started in one of them; everything is
removed on exit, on SIGINT and on SIGTERM."""
import os
import select
import signal
import subprocess
import sys

from e2e import NIC2APP, fail


class VethPair:
    def __init__(self, tag):
        self.tag = f"{tag}{os.getpid() % 100000}"
        self.ns = (f"{self.tag}a", f"{self.tag}b")
        self.dev = (f"{self.tag}x", f"{self.tag}y")
        self.servers = []

    def ip(self, *args, check_rc=True):
        r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
        if check_rc and r.returncode != 0:
            fail(f"ip {' '.join(args)}: {r.stderr.strip()}")
        return r

    def __enter__(self):
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        a, b = self.ns
        self.ip("netns", "add", a)
        self.ip("netns", "add", b)
        self.ip("-n", a, "link", "add", self.dev[0], "type", "veth", "peer", "name", self.dev[1], "netns", b)
        self.ip("-n", a, "addr", "add", "192.0.2.1/24", "dev", self.dev[0])
        self.ip("-n", b, "addr", "add", "192.0.2.2/24", "dev", self.dev[1])
        for ns, dev in zip(self.ns, self.dev):
            self.ip("-n", ns, "link", "set", dev, "up")
            self.ip("-n", ns, "link", "set", "lo", "up")
        return self

    def _on_signal(self, *_):
        self.__exit__(None, None, None)
        sys.exit(1)

    def __exit__(self, *_):
        for p in self.servers:
            if p.poll() is None:
                p.kill()
                p.wait()
        for ns in self.ns:
            self.ip("netns", "delete", ns, check_rc=False)

    def run(self, side, args, **kw):
        """A command inside namespace side (0 or 1), or here when side is None."""
        cmd = args if side is None else ["ip", "netns", "exec", self.ns[side], *args]
        kw.setdefault("capture_output", True)
        kw.setdefault("timeout", 300)
        return subprocess.run(cmd, **kw)

    def serve(self, side, listen):
        """Start nic2app serve; returns (process, the address it printed)."""
        cmd = [NIC2APP, "serve", "--listen", listen]
        if side is not None:
            cmd = ["ip", "netns", "exec", self.ns[side], *cmd]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.servers.append(p)
        ready, _, _ = select.select([p.stdout], [], [], 10)
        line = p.stdout.readline() if ready else ""
        if "listening on" not in line:
            fail(f"serve did not start: {line!r}")
        return p, line.split()[2]
