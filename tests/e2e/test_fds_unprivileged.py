# SPDX-License-Identifier: MIT
"""`nic2app fds` without privileges: another user's process is a clear exit 3 that says what
is missing; one's own process works; and a process of one's own in another network namespace
(where sock_diag cannot follow without CAP_SYS_ADMIN) is resolved from /proc/PID/net, and the
output says so."""
import json
import os
import shutil
import subprocess
import tempfile

from e2e import BUILD, NIC2APP, check, run, skip
import fixture
from fixture import Fixture

IP = shutil.which("ip")
if os.getuid() != 0 or not shutil.which("setpriv"):
    skip("needs root and setpriv to drop to an unprivileged user")
DROP = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

with tempfile.TemporaryDirectory() as d:  # copies nobody can run, wherever the build lives
    os.chmod(d, 0o755)
    prog = shutil.copy(NIC2APP, os.path.join(d, "nic2app"))
    os.makedirs(os.path.join(d, "tests", "helpers"), 0o755)
    shutil.copy(os.path.join(BUILD, "tests", "helpers", "fd_fixture"),
                os.path.join(d, "tests", "helpers"))

    r = run([*DROP, prog, "fds", "1"], cwd="/")
    err = r.stderr.decode()
    check(r.returncode == 3, f"as nobody, fds 1: exit {r.returncode}, want 3: {err!r}")
    check("needs root" in err and "process 1" in err, f"the message does not say what is missing: {err!r}")
    r = run([*DROP, prog, "fds", "self", "--json"], cwd="/")
    check(r.returncode == 0, f"as nobody, fds self: exit {r.returncode}: {r.stderr!r}")
    json.loads(r.stdout)

    ns = f"nic2app-unpriv-{os.getpid()}"
    if not IP or subprocess.run([IP, "netns", "add", ns]).returncode != 0:
        print("ok (no network namespace here: the /proc/net fallback was not exercised)")
        raise SystemExit(0)
    try:
        subprocess.run([IP, "-n", ns, "link", "set", "lo", "up"], check=True)
        fixture.FIXTURE = os.path.join(d, "tests", "helpers", "fd_fixture")  # nobody can run it
        scratch = os.path.join(d, "scratch")
        os.mkdir(scratch)
        os.chmod(scratch, 0o1777)
        with Fixture("--kinds", "tcp_listen,tcp_established,udp,unix_socketpair",
                     "--tmpdir", scratch, prefix=(IP, "netns", "exec", ns, *DROP)) as fx:
            r = run([*DROP, prog, "fds", str(fx.pid), "--json"], cwd="/")
            check(r.returncode == 0, f"as nobody, own process in a netns: exit {r.returncode}: {r.stderr!r}")
            doc = json.loads(r.stdout)
            check(doc["scan"]["socket_source"] == "proc_net",
                  f"socket_source {doc['scan']['socket_source']!r}, want proc_net")
            by_fd = {e["fd"]: e for e in doc["fds"]}
            for want in fx.manifest["fds"]:
                got = by_fd[want["fd"]].get("socket", {})
                for key in ("local", "state"):
                    check(got.get(key) == want["socket"][key],
                          f"fd {want['fd']} ({want['kind']}): {key} {got.get(key)!r}, want {want['socket'][key]!r}")
    finally:
        subprocess.run([IP, "netns", "delete", ns])
print("ok")
