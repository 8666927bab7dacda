# SPDX-License-Identifier: MIT
"""`nic2app journey` without privileges (dropped to nobody in the test): auto falls back to
SO_TIMESTAMPING and says why, and its four stages come from the kernel's own stamps, put on
the application's clock: for every message the points must fall in path order between the
sender's clock reading before send() and the receiver's after recv(), which a wrong
realtime-to-monotonic conversion would break. Asking for tracefs or netns is refused with
exit 3 and a reason."""
import json
import os
import shutil
import tempfile

from e2e import NIC2APP, check, run, skip

if os.getuid() != 0 or not shutil.which("setpriv"):
    skip("needs root and setpriv to drop to an unprivileged user")
DROP = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
STAGES = ["send_to_qdisc", "qdisc", "driver_xmit", "rx_to_app"]
POINTS = ["app_send", "net_dev_queue", "net_dev_start_xmit", "netif_rx", "app_recv"]

with tempfile.TemporaryDirectory() as d:
    os.chmod(d, 0o755)
    prog = shutil.copy(NIC2APP, os.path.join(d, "nic2app"))
    for proto in ("udp", "tcp"):
        what = f"journey --proto {proto} as nobody"
        r = run([*DROP, prog, "journey", "--proto", proto, "--count", "300", "--cpus", "same",
                 "--json", "--packets"], cwd="/", timeout=120)
        check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr[-400:]!r}")
        j = json.loads(r.stdout)
        check(j["method"] == "timestamping", f"{what}: method {j['method']}")
        check("root" in j["method_reason"], f"{what}: the reason does not say why: {j['method_reason']!r}")
        check([s["name"] for s in j["stages"]] == STAGES, f"{what}: stages {[s['name'] for s in j['stages']]}")
        check(all(s["samples"] == j["packets_complete"] for s in j["stages"]), f"{what}: stage samples")
        check(j["packets_complete"] >= 285, f"{what}: {j['packets_complete']} of 300 complete: {j['incomplete_by_point']}")
        conv = j["clock_conversion"]
        check(conv["from"] == "CLOCK_REALTIME" and 0 <= conv["uncertainty_ns"] < 5000, f"{what}: {conv}")
        if proto == "tcp":
            check(j["tcp_ack"]["samples"] > 0, f"{what}: no ACK stamps")
        for i, p in enumerate(j["packets"]):
            if not p["complete"]:
                continue
            times = [p["at_ns"][k] for k in POINTS]
            check(times == sorted(times), f"{what}: packet {i}: stamps out of path order: {p['at_ns']}")
            check(sum(p["stages_ns"]) == p["total_ns"] == times[-1] - times[0], f"{what}: packet {i} sums")
    for args, word in ((["--method", "tracefs"], "root"), (["--via", "netns"], "root")):
        r = run([*DROP, prog, "journey", *args], cwd="/")
        err = r.stderr.decode()
        check(r.returncode == 3, f"journey {' '.join(args)} as nobody: exit {r.returncode}: {err!r}")
        check(word in err and "timestamping" in err, f"journey {' '.join(args)}: reason {err!r}")
        check(r.stdout == b"", f"journey {' '.join(args)}: wrote to stdout")
print("ok")
