# SPDX-License-Identifier: MIT
"""`nic2app exporter --live`: the stage histograms of real traffic as Prometheus histograms. A
UDP echo server (python, its own process) driven by a client in this test over loopback, while
other traffic flows on another port:
- before the echo, the port filter keeps the other traffic out: nothing counted;
- after it: exactly two journeys a round (the request and its echo), each stage and the local
  path with that many observations, the other port's still out;
- every histogram is well formed: buckets rising, +Inf equal to _count; the stages' _sum adds
  up to the path's (a journey's stages add up to its total), and that total fits inside the
  round trips the client and the server clocked themselves;
- counters only grow between scrapes; `promtool check metrics` accepts the scrape; OpenMetrics
  by Accept;
- SIGTERM: exit 0, and after SIGTERM or SIGKILL no program or link of the exporter is left
  loaded (bpftool);
- the command line: --live-* without --live, --live with --once; without root: exit 3."""
import json
import os
import shutil
import signal
import subprocess

from e2e import NIC2APP, bpf_ids_loaded, bpf_objects, check, run, skip
from echo_traffic import OtherTraffic, client_rounds, start_server
from exporter import Exporter, samples, stop_all, wait_until

ROUNDS = 300
STAGES = ["qdisc", "driver_xmit", "rx_backlog", "rx_stack", "wakeup", "run_queue", "recv_copy"]

for args, code, word in ((["--live-port", "5"], 2, "--live-port goes with --live"),
                         (["--live", "--once"], 2, "--once would show nothing"),
                         (["--live", "--live-port", "0"], 2, "--live-port must be"),
                         (["--live", "--live-proto", "sctp"], 2, "udp or tcp"),
                         (["--live", "--live-dev", "no-such-dev"], 2, "no network device"),
                         (["--live", "--live-pid", "999999999"], 1, "no process")):
    r = run([NIC2APP, "exporter", *args])
    check(r.returncode == code and word in r.stderr.decode() and not r.stdout,
          f"exporter {' '.join(args)}: exit {r.returncode}, {r.stderr!r}, want {code} and {word!r}")
if shutil.which("setpriv"):
    r = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", NIC2APP, "exporter",
             "--live", "--listen", "127.0.0.1:0"], cwd="/")
    err = r.stderr.decode()
    check(r.returncode == 3 and "root" in err and "without --live" in err,
          f"exporter --live as nobody: exit {r.returncode}: {err!r}")
if os.geteuid() != 0:
    skip("exporter --live loads BPF programs: needs root")
probe = run([NIC2APP, "journey", "--live", "--duration", "0.05", "--port", "1", "--json"])
if probe.returncode == 3:
    skip(f"--live not possible here: {probe.stderr.decode().strip()}")


def scrape(ex, accept=None):
    status, headers, body = ex.get(headers={"Accept": accept} if accept else None)
    check(status == 200, f"scrape: status {status}")
    return body.decode()


def one(text, name, **labels):
    got = [v for lab, v in samples(text, name) if all(lab.get(k) == w for k, w in labels.items())]
    check(len(got) == 1, f"{name}{labels}: {len(got)} samples")
    return got[0]


def histograms(text, family, label):
    """{label value: (buckets [(le, count)], sum, count)} of one histogram family."""
    out = {}
    for lab, v in samples(text, family + "_bucket"):
        out.setdefault(lab[label], ([], 0, 0))[0].append((float(lab["le"]), v))
    for key in out:
        out[key] = (out[key][0], one(text, family + "_sum", **{label: key}),
                    one(text, family + "_count", **{label: key}))
    return out


def well_formed(family, hists):
    for key, (buckets, total, count) in hists.items():
        les = [le for le, _ in buckets]
        counts = [n for _, n in buckets]
        check(les == sorted(les) and les[-1] == float("inf"), f"{family}{{{key}}}: le {les}")
        check(counts == sorted(counts), f"{family}{{{key}}}: buckets fall: {counts}")
        check(counts[-1] == count, f"{family}{{{key}}}: +Inf {counts[-1]} != _count {count}")
        check(total >= 0 and (count > 0 or total == 0), f"{family}{{{key}}}: _sum {total}")


def promtool(text):
    if not shutil.which("promtool"):
        print("note: no promtool: the scrape is not linted")
        return
    r = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
    check(r.returncode == 0, f"promtool check metrics: {r.stdout!r} {r.stderr!r}")


def main():
    server, port = start_server("udp")
    other = OtherTraffic()
    ex = Exporter("--live", "--live-port", str(port), "--live-proto", "udp", "--pid", "1")
    check(f"timing UDP packets with port {port} at either end" in ex.stderr(),
          f"the exporter does not say what it times: {ex.stderr()!r}")
    ids = bpf_objects(ex.p.pid)
    check(any(k == "prog" for k, _ in ids), f"the exporter holds no BPF program: {ids}")
    before = scrape(ex)
    check(one(before, "nic2app_journeys_total", path="local") == 0,
          "the other port's traffic was counted before the echo began")
    c, client = client_rounds("udp", port, ROUNDS)
    after = scrape(ex)
    sent_other = other.stop()
    c.send(b"quit")
    server_rounds = json.loads(server.communicate(timeout=30)[0])
    c.close()
    want = 2 * ROUNDS
    check(sent_other > 100, f"the other traffic sent only {sent_other}")
    check(one(after, "nic2app_journeys_total", path="local") == want,
          f"journeys {one(after, 'nic2app_journeys_total', path='local')}, want {want} "
          f"(the other port's {sent_other} rounds kept out)")
    check(one(after, "nic2app_packets_total") == want, "nic2app_packets_total")
    stages = histograms(after, "nic2app_stage_duration_seconds", "stage")
    paths = histograms(after, "nic2app_journey_duration_seconds", "path")
    well_formed("stage", stages)
    well_formed("path", paths)
    check(list(stages) == STAGES, f"stages {list(stages)}")
    check(all(count == want for _, _, count in stages.values()),
          f"stage counts {[h[2] for h in stages.values()]}, want {want}")
    check(paths["local"][2] == want and paths["to_elsewhere"][2] == 0, f"paths {paths.keys()}")
    stage_sum = sum(total for _, total, _ in stages.values())
    local_sum = paths["local"][1]
    check(abs(stage_sum - local_sum) < 1e-8, f"the stages add up to {stage_sum} s, the journeys "
          f"to {local_sum} s")
    clock_s = (sum(c1 - c0 for c0, c1 in client) - sum(s1 - s0 for s0, s1 in server_rounds)) / 1e9
    check(0 < local_sum <= clock_s, f"the journeys took {local_sum} s in the kernel, the clocks "
          f"leave {clock_s} s for them")
    for name, lab in (("nic2app_packets_total", {}), ("nic2app_journeys_total", {"path": "local"}),
                      ("nic2app_lost_total", {"reason": "given_up_on_the_way"})):
        check(one(after, name, **lab) >= one(before, name, **lab), f"{name} fell")
    promtool(after)
    om = scrape(ex, "application/openmetrics-text; version=1.0.0")
    check("# TYPE nic2app_stage_duration_seconds histogram\n# UNIT nic2app_stage_duration_seconds "
          "seconds\n" in om and om.endswith("# EOF\n"), "OpenMetrics: the histogram's TYPE/UNIT")
    code = ex.stop(signal.SIGTERM)
    check(code == 0, f"SIGTERM: exit {code}: {ex.stderr()[-500:]}")
    if shutil.which("bpftool"):
        # the kernel frees them once the last fd is closed (RCU)
        wait_until(lambda: not bpf_ids_loaded(ids), 5, 0.05)
        check(not bpf_ids_loaded(ids), f"still loaded after SIGTERM: {bpf_ids_loaded(ids)}")
        # SIGKILL leaves nothing either: the links live only in the exporter's fds
        ex = Exporter("--live", "--live-port", "9", "--pid", "1")
        ids = bpf_objects(ex.p.pid)
        ex.stop(signal.SIGKILL)
        wait_until(lambda: not bpf_ids_loaded(ids), 5, 0.05)
        check(ids and not bpf_ids_loaded(ids), f"still loaded after SIGKILL: {bpf_ids_loaded(ids)}")
    else:
        print("note: no bpftool: the unload is not checked")
    return paths["local"][1] / want


try:
    mean = main()
finally:
    stop_all()
print(f"exporter --live: {2 * ROUNDS} journeys counted, mean {mean * 1e9:.0f} ns in the kernel")
