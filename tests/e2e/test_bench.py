# SPDX-License-Identifier: MIT
"""`nic2app bench --quick --json`: the DESIGN.md contract (every result a name, a unit and a
value; distributions ordered; the names the contract lists), the machine section against
uname, os.cpu_count and /proc/cpuinfo, and facts the kernel guarantees rather than numbers
we print back: a system call costs more than a function call, sendfile makes far fewer system
calls per MiB than read+write, sendmmsg far fewer per message than send, every round trip's
histogram holds exactly its samples, MSG_ZEROCOPY says whether the kernel copied. Also
suites by name, bad input, and SIGINT mid-run (exit 130, no process left behind)."""
import json
import math
import os
import signal
import subprocess
import time

from e2e import NIC2APP, STARTUP, URING_RESULTS, check, nic2app, reduced

WANT = {
    "syscall.function_call", "syscall.getppid", "syscall.getsockopt", "syscall.socket_close",
    "copy.memcpy_1k", "copy.memcpy_large", "copy.pipe_1k", "copy.socket_1k",
    "ctxswitch.pipe", "batch.send_recv", "batch.sendmmsg_recvmmsg", "batch.io_uring",
    "zerocopy.read_write", "zerocopy.mmap_write", "zerocopy.sendfile", "zerocopy.splice",
    "zerocopy.io_uring", "zerocopy.msg_zerocopy", "zerocopy.io_uring_send_zc",
    "zerocopy.recv_copy", "zerocopy.tcp_zerocopy_receive",
} | {f"rtt.{k}.{m}" for k in ("tcp_lo", "udp_lo", "unix_stream")
     for m in ("blocking", "pinned", "busy_poll")}

start = time.monotonic()
r = nic2app("bench", "--quick", "--json", timeout=300)
elapsed = time.monotonic() - start
check(r.returncode == 0, f"bench --quick: exit {r.returncode}: {r.stderr[-400:]!r}")
d = json.loads(r.stdout)
print(f"bench --quick took {elapsed:.1f} s")

m = d["machine"]
check(m["kernel"] == os.uname().release, f"kernel {m['kernel']}")
check(m["cpus"] == os.cpu_count(), f"cpus {m['cpus']} vs {os.cpu_count()}")
with open("/proc/cpuinfo") as f:
    cpuinfo = f.read()
check(m["virtualized"] == (" hypervisor" in cpuinfo), "virtualized disagrees with /proc/cpuinfo")
check(m["cpu_model"] in cpuinfo, f"cpu_model {m['cpu_model']!r} not in /proc/cpuinfo")
if m["virtualized"]:
    check(any("vCPU" in w for w in m["warnings"]), f"no vCPU warning on a VM: {m['warnings']}")

res = {x["name"]: x for x in d["results"]}
names = set(res)
if os.cpu_count() < 2:
    WANT = {n for n in WANT if not n.endswith((".blocking", ".busy_poll"))}
check(names == WANT, f"missing {sorted(WANT - names)}, unexpected {sorted(names - WANT)}")
no_uring = reduced("io_uring is made unavailable: its results must say they were not measured")
for name, x in res.items():
    check(x["unit"] in ("ns", "GB/s", "msg/s"), f"{name}: unit {x['unit']}")
    if no_uring and name in URING_RESULTS:
        check(x["value"] is None and x["note"].lower().startswith("not measured"), f"{name}: {x}")
        continue
    check(isinstance(x["value"], (int, float)) and math.isfinite(x["value"]) and x["value"] > 0,
          f"{name}: value {x['value']}")
    if "samples" in x:
        check(x["min"] <= x["p50"] <= x["p90"] <= x["p99"] <= x["p999"] <= x["max"],
              f"{name}: percentiles out of order: {x}")
        check(x["min"] <= x["value"] <= x["max"], f"{name}: value outside the distribution")
    if name.startswith("rtt."):
        check(x["full_round_trip"] is True and x["mode"] == name.rsplit(".", 1)[1], f"{name}: {x}")
        check(sum(b["count"] for b in x["histogram"]) == x["samples"], f"{name}: histogram != samples")
        check(x["module_typical"] == "~50 \u00b5s", f"{name}: module figure {x.get('module_typical')}")

# what the kernel guarantees, whatever the machine's speed
check(res["syscall.getppid"]["value"] > 10 * res["syscall.function_call"]["value"],
      "a system call is not dearer than a function call?")
check(res["syscall.getppid"]["module_typical"] == "~100-300 ns", "getppid without the module's figure")
check(res["zerocopy.sendfile"]["syscalls_per_mib"] < res["zerocopy.read_write"]["syscalls_per_mib"] / 10,
      "sendfile does not save system calls?")
check(res["batch.sendmmsg_recvmmsg"]["syscalls_per_msg"] < res["batch.send_recv"]["syscalls_per_msg"] / 8,
      "sendmmsg/recvmmsg do not save system calls?")
for name in ("zerocopy.msg_zerocopy", "zerocopy.io_uring_send_zc", "zerocopy.tcp_zerocopy_receive"):
    if no_uring and name in URING_RESULTS:
        continue
    check(isinstance(res[name].get("copied"), bool), f"{name}: copied not reported")
root = os.geteuid() == 0
for name in ("zerocopy.sendfile", "batch.send_recv"):
    check(res[name]["syscalls_counted"] == root, f"{name}: syscalls_counted {res[name]['syscalls_counted']}")
check(res["copy.memcpy_large"]["unit"] == "GB/s" and res["zerocopy.sendfile"]["unit"] == "GB/s", "units")

# suites by name, and bad input
r = nic2app("bench", "syscall", "--quick", "--json")
check(r.returncode == 0, f"bench syscall: exit {r.returncode}")
check({x["name"].split(".")[0] for x in json.loads(r.stdout)["results"]} == {"syscall"},
      "bench syscall ran other suites")
for args, word in ((["frob"], "'frob'"), (["--peer", "nowhere"], "'nowhere'"), (["--bogus"], "--bogus")):
    r = nic2app("bench", *args)
    check(r.returncode == 2 and word in r.stderr.decode(), f"bench {args}: {r.returncode} {r.stderr!r}")

# SIGINT during ctxswitch (which forks): exit 130, said so, no child left
p = subprocess.Popen([NIC2APP, "bench", "ctxswitch", "rtt"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(STARTUP + 0.5)
p.send_signal(signal.SIGINT)
rc = p.wait(timeout=60)
err = p.stderr.read().decode()
check(rc == 130 and "stopped by signal" in err, f"SIGINT: exit {rc}: {err!r}")
children = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout
check(children.strip() == "", f"processes left by bench: {children!r}")
print("ok")
