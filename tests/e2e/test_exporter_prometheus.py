# SPDX-License-Identifier: MIT
"""nic2app exporter scraped by a real Prometheus (Debian's, installed by scripts/deps.sh
check): started on 127.0.0.1 with its own storage, a 1 s scrape of the exporter; through its
HTTP API, `up` is 1 and nic2app_process_fds of a fixture process equals what `nic2app fds
--json` says, type by type. As root, a second exporter with --live watches a UDP echo's port:
Prometheus has its journeys, exactly two a round, and histogram_quantile() on its stage
histogram falls inside the bucket the exporter's own counts put the 99th percentile in. Then
`promtool test rules` on contrib/prometheus. Prometheus is killed by its PID at the end, even
on failure."""
import collections
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

from e2e import NIC2APP, ROOT, check, nic2app, run, skip
from echo_traffic import client_rounds, start_server
from exporter import Exporter, samples, stop_all, wait_until
from fixture import Fixture

PROMETHEUS, PROMTOOL = shutil.which("prometheus"), shutil.which("promtool")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    def __init__(self, targets):
        self.dir = tempfile.mkdtemp(prefix="nic2app-prom-")
        self.port = free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: nic2app\n    static_configs:\n"
                    f"      - targets: {json.dumps(targets)}\n")
        self.log = open(os.path.join(self.dir, "log"), "w+")
        self.p = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={self.dir}/data",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def query(self, q):
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": q})
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                doc = json.load(r)
        except OSError:
            return None
        return doc["data"]["result"] if doc.get("status") == "success" else None

    def targets(self):
        url = f"http://127.0.0.1:{self.port}/api/v1/targets"
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.load(r)["data"]["activeTargets"]

    def output(self):
        self.log.seek(0)
        return self.log.read()[-2000:]

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def by_type(results):
    return {r["metric"]["type"]: float(r["value"][1]) for r in results}


def all_up(prom, n):
    up = prom.query('up{job="nic2app"}') or []
    return len(up) == n and all(r["value"][1] == "1" for r in up)


def main(prom, fx, ex, n_targets):
    up = wait_until(lambda: prom.query('up{job="nic2app"}'), 30, 0.5)
    check(up, f"Prometheus never answered or never scraped: {prom.output()}")
    up = wait_until(lambda: all_up(prom, n_targets), 20, 0.5)
    check(up, f"up is not 1: targets {prom.targets()}, exporter {ex.stderr()[-500:]}")
    r = nic2app("fds", str(fx.pid), "--json")
    check(r.returncode == 0, f"fds --json: {r.stderr.decode()}")
    want = {t: float(n) for t, n in collections.Counter(e["type"] for e in json.loads(r.stdout)["fds"]).items()}
    # the fixture holds still, so a scrape after `fds --json` sees the same table
    time.sleep(2.5)
    got = by_type(prom.query(f'nic2app_process_fds{{pid="{fx.pid}"}}') or [])
    check(got == want, f"Prometheus has {got}, fds --json says {want}")
    for target in prom.targets():
        check(target["health"] == "up" and not target["lastError"], f"target {target}")
    dur = prom.query("nic2app_scrape_duration_seconds")
    check(dur and all(0 < float(d["value"][1]) < 1 for d in dur),
          f"nic2app_scrape_duration_seconds {dur}")


def live_exporter():
    """An exporter --live on a UDP echo's port, or None when --live is not possible here."""
    if os.geteuid() != 0:
        print("note: not root: exporter --live is not scraped")
        return None, None
    probe = run([NIC2APP, "journey", "--live", "--duration", "0.05", "--port", "1", "--json"])
    if probe.returncode == 3:
        print(f"note: exporter --live is not scraped: {probe.stderr.decode().strip()}")
        return None, None
    server, port = start_server("udp")
    return Exporter("--live", "--live-port", str(port), "--pid", "1"), (server, port)


def p99_bucket(ex, stage):
    """The bucket (lower, upper le) the 99th percentile of a stage falls in, by the exporter."""
    _, _, body = ex.get()
    buckets = sorted((float(lab["le"]), v) for lab, v in
                     samples(body.decode(), "nic2app_stage_duration_seconds_bucket")
                     if lab["stage"] == stage)
    total, lower = buckets[-1][1], 0.0
    for le, n in buckets:
        if n >= 0.99 * total:
            return lower, le
        lower = le
    return lower, float("inf")


def live(prom, ex, echo, rounds=200):
    server, port = echo
    c, _ = client_rounds("udp", port, rounds)
    c.send(b"quit")
    server.communicate(timeout=30)
    c.close()
    target = f'nic2app_journeys_total{{path="local",instance="{ex.host}:{ex.port}"}}'
    seen = wait_until(lambda: [r for r in prom.query(target) or []
                               if float(r["value"][1]) == 2 * rounds + 1], 20, 0.5)
    check(seen, f"Prometheus has {prom.query(target)}, want {2 * rounds + 1} journeys (each "
          "round's two and the quit)")
    lower, upper = p99_bucket(ex, "recv_copy")
    q = prom.query('histogram_quantile(0.99, nic2app_stage_duration_seconds_bucket'
                   f'{{stage="recv_copy",instance="{ex.host}:{ex.port}"}})')
    got = float(q[0]["value"][1]) if q else None
    check(got is not None and lower <= got <= upper, f"histogram_quantile(0.99) of recv_copy is "
          f"{got}, the exporter's buckets put it in ({lower}, {upper}]")
    print(f"exporter --live through Prometheus: {2 * rounds + 1} journeys, p99 of recv_copy "
          f"{got * 1e6:.1f} us (bucket up to {upper * 1e6:.1f} us)")


def rules():
    d = os.path.join(ROOT, "contrib", "prometheus")
    r = subprocess.run([PROMTOOL, "check", "rules", "nic2app.rules.yml"], cwd=d,
                       capture_output=True, text=True)
    check(r.returncode == 0, f"promtool check rules: {r.stdout}{r.stderr}")
    r = subprocess.run([PROMTOOL, "test", "rules", "nic2app.rules.test.yml"], cwd=d,
                       capture_output=True, text=True)
    check(r.returncode == 0, f"promtool test rules: {r.stdout}{r.stderr}")


if not PROMETHEUS or not PROMTOOL:
    skip("prometheus is not installed (scripts/deps.sh check installs Debian's as root)")
prom = None
try:
    rules()
    with Fixture("--kinds", "all") as fx:
        ex = Exporter("--max-processes", "1000")
        lx, echo = live_exporter()
        targets = [f"{e.host}:{e.port}" for e in (ex, lx) if e]
        prom = Prometheus(targets)
        main(prom, fx, ex, len(targets))
        if lx:
            live(prom, lx, echo)
finally:
    if prom:
        prom.stop()
    stop_all()
