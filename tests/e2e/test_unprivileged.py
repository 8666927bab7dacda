# SPDX-License-Identifier: MIT
"""`nic2app sockets` and `tour` need no privileges: run as nobody, the lifecycle still comes
from TCP_INFO and sock_diag (TIME_WAIT included) with no error recorded."""
import json
import os
import shutil
import tempfile

from e2e import NIC2APP, check, example, run, skip

if os.getuid() != 0 or not shutil.which("setpriv"):
    skip("needs root and setpriv to drop to an unprivileged user")
DROP = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

with tempfile.TemporaryDirectory() as d:  # copies nobody can run, wherever the build lives
    os.chmod(d, 0o755)
    os.mkdir(os.path.join(d, "examples"), 0o755)
    prog = shutil.copy(NIC2APP, os.path.join(d, "nic2app"))
    for name in ("01_socket_basics", "02_fd_monitor", "03_packet_journey"):
        shutil.copy(example(name), os.path.join(d, "examples"))
    r = run([*DROP, prog, "sockets", "--json"], cwd="/")
    check(r.returncode == 0, f"as nobody: exit {r.returncode}: {r.stderr[-400:]!r}")
    steps = json.loads(r.stdout)["lifecycle"]
    check(all("kernel_error" not in s for s in steps), "sock_diag failed without privileges")
    check(steps[-2]["state"] == "TIME_WAIT", f"as nobody, close(client): {steps[-2]}")
    r = run([*DROP, prog, "tour"], cwd="/")
    check(r.returncode == 0, f"tour as nobody: exit {r.returncode}: {r.stderr[-400:]!r}")
print("ok")
