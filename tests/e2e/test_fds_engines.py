# SPDX-License-Identifier: MIT
"""Both engines of `nic2app fds` give the same rows: the fixture's 41 kinds of fds read by the
BPF task_file iterator (--engine bpf) and through /proc (--engine procfs), compared field by
field; then the whole-machine checks of test_fds_machine again with the BPF engine; and
`--engine bpf` without privilege is exit 3 with its reason, while auto falls back to /proc
and says why once."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from e2e import NIC2APP, ROOT, check, nic2app, run, skip
from fixture import Fixture

if os.getuid() != 0:
    skip("the BPF engine needs root")
probe = nic2app("fds", "--engine", "bpf", "--pid", str(os.getpid()), "--json")
if probe.returncode == 3:
    skip(f"no BPF engine here: {probe.stderr.decode().strip()}")
check(probe.returncode == 0, f"--engine bpf: exit {probe.returncode}: {probe.stderr!r}")


def doc(engine, pid):
    r = nic2app("fds", "--engine", engine, "--pid", str(pid), "--json")
    check(r.returncode == 0, f"--engine {engine}: exit {r.returncode}: {r.stderr!r}")
    d = json.loads(r.stdout)
    check(d["scan"]["source"] == engine, f"--engine {engine}: scan.source {d['scan']['source']}")
    check(len(d["processes"]) == 1, f"--engine {engine}: {len(d['processes'])} tables")
    return d["processes"][0]


with Fixture("--kinds", "all") as fx:
    kinds = {e["fd"]: e["kind"] for e in fx.manifest["fds"]}
    skipped = [k["kind"] for k in fx.manifest.get("skipped", [])]  # ping: net.ipv4.ping_group_range
    check(len(set(kinds.values())) + len(skipped) == 41,
          f"the fixture has {len(set(kinds.values()))} kinds and skipped {skipped}, not 41")
    bpf, procfs = doc("bpf", fx.pid), doc("procfs", fx.pid)
    for key in ("pid", "comm", "user", "uid", "limits"):
        check(bpf[key] == procfs[key], f"{key}: bpf {bpf[key]!r}, procfs {procfs[key]!r}")
    ours = {e["fd"]: e for e in bpf["fds"]}
    theirs = {e["fd"]: e for e in procfs["fds"]}
    check(set(ours) == set(theirs), f"fd sets differ: {sorted(set(ours) ^ set(theirs))}")
    # sock_diag does not say a connected socket's IPV6_V6ONLY, nor /proc/net/raw a raw
    # socket's device: /proc's null there is "unknown", and the BPF engine, reading the
    # socket itself, may know it
    for fd in ours:
        a, b = ours[fd].get("socket"), theirs.get(fd, {}).get("socket")
        for k in ("v6only", "dev"):
            if a and b and b.get(k) is None and k in a:
                a[k] = None
    diffs = []
    for fd in sorted(ours):
        if ours[fd] != theirs[fd]:
            keys = sorted(k for k in set(ours[fd]) | set(theirs[fd]) if ours[fd].get(k) != theirs[fd].get(k))
            diffs.append(f"fd {fd} ({kinds.get(fd, '?')}): " + "; ".join(
                f"{k}: bpf {ours[fd].get(k)!r} procfs {theirs[fd].get(k)!r}" for k in keys))
    check(not diffs, "the engines differ:\n  " + "\n  ".join(diffs))
    compared = len(ours)
    # the one-process form (fds PID) honours --engine too, with the same rows
    one = {}
    for engine in ("bpf", "procfs"):
        r = nic2app("fds", str(fx.pid), "--engine", engine, "--json")
        check(r.returncode == 0, f"fds PID --engine {engine}: exit {r.returncode}: {r.stderr!r}")
        one[engine] = json.loads(r.stdout)
        check(one[engine]["scan"]["source"] == engine,
              f"fds PID --engine {engine}: scan.source {one[engine]['scan']['source']}")
    for key in ("pid", "comm", "limits"):
        check(one["bpf"][key] == one["procfs"][key],
              f"fds PID: {key}: bpf {one['bpf'][key]!r}, procfs {one['procfs'][key]!r}")
    a = {e["fd"]: e for e in one["bpf"]["fds"]}
    b = {e["fd"]: e for e in one["procfs"]["fds"]}
    for fd in a:  # as above: what /proc does not know, BPF may
        for k in ("v6only", "dev"):
            if a[fd].get("socket") and b.get(fd, {}).get("socket", {}).get(k, 0) is None:
                a[fd]["socket"][k] = None
    one_diffs = [fd for fd in sorted(set(a) | set(b)) if a.get(fd) != b.get(fd)]
    check(not one_diffs, "fds PID: the engines differ at fds " + ", ".join(
        f"{fd}: bpf {a.get(fd)!r} procfs {b.get(fd)!r}" for fd in one_diffs))
    # auto: the fixture's table is small, so /proc (no program to load)
    auto = json.loads(nic2app("fds", str(fx.pid), "--json").stdout)
    check(auto["scan"]["source"] == "procfs", f"fds PID, auto, small table: {auto['scan']['source']}")

env = dict(os.environ, NIC2APP_FDS_ENGINE="bpf")
r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "e2e", "test_fds_machine.py")],
                   env=env, capture_output=True, text=True, timeout=300)
check(r.returncode == 0, f"test_fds_machine with the BPF engine: {r.stdout}{r.stderr}")

if shutil.which("setpriv"):
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        prog = shutil.copy(NIC2APP, os.path.join(d, "nic2app"))
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        r = run([*drop, prog, "fds", "--engine", "bpf"], cwd="/")
        err = r.stderr.decode()
        check(r.returncode == 3 and "CAP_BPF" in err and "procfs" in err,
              f"as nobody, --engine bpf: exit {r.returncode}, {err!r}")
        r = run([*drop, prog, "fds", str(os.getpid()), "--engine", "bpf"], cwd="/")
        err = r.stderr.decode()
        check(r.returncode == 3 and "CAP_BPF" in err, f"as nobody, fds PID --engine bpf: "
              f"exit {r.returncode}, {err!r}")
        r = run([*drop, prog, "fds", "--json"], cwd="/")
        err = r.stderr.decode()
        check(r.returncode == 0 and err.count("\n") == 1 and "instead of BPF" in err,
              f"as nobody, auto: exit {r.returncode}, stderr {err!r}")
        check(json.loads(r.stdout)["scan"]["source"] == "procfs", "as nobody, auto: source")
print(f"{compared} fds of {41 - len(skipped)} kinds agree field by field between the BPF and /proc engines")
