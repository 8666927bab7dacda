# SPDX-License-Identifier: MIT
"""exporter: run `nic2app exporter` for a test (stderr to a file, so it never blocks on a
pipe), scrape it, parse the text format; always stopped by PID, even on failure."""
import http.client
import os
import re
import select
import signal
import subprocess
import tempfile
import time

from e2e import NIC2APP, check

exporters = []


class Exporter:
    def __init__(self, *args, listen="127.0.0.1:0"):
        self.err = tempfile.TemporaryFile()
        cmd = [NIC2APP, "exporter", *(["--listen", listen] if listen else []), *args]
        # under ASan, freed memory waits in a quarantine (256 MB by default) before reuse:
        # keep it small, so that RSS shows what the exporter holds
        env = dict(os.environ)
        if "ASAN_OPTIONS" in env:
            env["ASAN_OPTIONS"] += ":quarantine_size_mb=16"
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.err,
                                  stdin=subprocess.DEVNULL, env=env)
        exporters.append(self)
        ready, _, _ = select.select([self.p.stdout], [], [], 10)
        line = self.p.stdout.readline().decode() if ready else ""
        m = re.fullmatch(r"listening on http://(\S+):(\d+)/metrics\n", line)
        check(m, f"exporter {args}: first line {line!r}, stderr {self.stderr()!r}")
        self.host, self.port = m.group(1), int(m.group(2))

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))

    def get(self, path="/metrics", headers=None, method="GET", timeout=30):
        """(status, headers dict with lowercase names, body bytes)."""
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            c.request(method, path, headers=headers or {})
            r = c.getresponse()
            body = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, body
        finally:
            c.close()

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            return self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None


def stop_all():
    for e in exporters:
        if e.p.poll() is None:
            e.p.kill()
            e.p.wait()


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def samples(text, name):
    """[(labels dict, float value)] of the samples called name in an exposition."""
    out = []
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m and m.group(1) == name:
            labels = {k: unescape(v) for k, v in LABEL.findall(m.group(2) or "")}
            out.append((labels, float(m.group(3))))
    return out


def wait_until(pred, timeout, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()
