# SPDX-License-Identifier: MIT
"""`nic2app tour` is the module in four minutes: at most 1,000 words; the module's four learning
objectives first, a screen for each in order (each ending with the standard tools), then the
module's four key takeaways, each beside a number the screens gave. The numbers are checked
against the kernel (/proc/self/fd of the tour, /sys/class/net/lo/mtu) and against each other
(one system-call figure, one journey total). `make tour` prints the lesson and no build lines."""
import json
import os
import re
import shutil
import subprocess

from e2e import BUILD, NIC2APP, ROOT, VALGRIND, check, example, run

OBJECTIVES = ["Understand file descriptors and their role in I/O operations",
              "Learn how sockets work at the system level",
              "Explore the journey of network packets from NIC to application",
              "Understand the cost of system calls"]
SCREENS = ["1. File descriptors", "2. Sockets at the system level",
           "3. The journey of a packet to the application", "4. The cost of system calls"]
TAKEAWAYS = ["File descriptors are the interface between user space and kernel\n  resources",
             "Network data travels through multiple layers, each adding processing\n  time",
             "System calls are expensive - batch operations when possible",
             "Modern NICs offload many operations to hardware for efficiency"]
UNIT = {"ns": 1, "us": 1e3, "\u00b5s": 1e3, "ms": 1e6, "s": 1e9}

r = run([NIC2APP, "tour"], timeout=240)
out = r.stdout.decode()
check(r.returncode == 0, f"tour exit {r.returncode}: {r.stderr[-500:]!r}")
check(r.stderr == b"", f"tour wrote to stderr: {r.stderr[:300]!r}")
words = len(out.split())
print(f"tour: {words} words, {out.count(chr(10))} lines")
check(words <= 1000, f"the tour is {words} words, more than 1,000")

# the objectives first, in the module's words and order, then the screens in that order
first = out.index(SCREENS[0])
pos = [out.find(o) for o in OBJECTIVES]
check(all(0 <= p < first for p in pos) and pos == sorted(pos), f"objectives misplaced: {pos}")
spos = [out.find(s) for s in SCREENS]
check(all(p >= 0 for p in spos) and spos == sorted(spos), f"screens missing or out of order: {spos}")
tpos = [out.find(t) for t in TAKEAWAYS]
check(all(p > spos[-1] for p in tpos) and tpos == sorted(tpos), f"takeaways: {tpos}")
screens = [out[spos[i]:spos[i + 1] if i < 3 else tpos[0]] for i in range(4)]
for s in screens:
    check("Standard tools:" in s, f"a screen without its standard tools: {s[:60]!r}")
    check(len(s.split()) <= 260, f"a screen of {len(s.split())} words: {s[:60]!r}")

# screen 1: the socket and its dup are the same open file, as /proc/self/fd of the tour said
rows = re.findall(r"^[ \t]+(\d+)[ \t]+(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$", screens[0], re.M)
by_note = {note: (int(fd), target, flags) for fd, target, flags, note in rows if note}
sock, dup = by_note.get("socket()"), by_note.get("dup() of the socket")
check(sock and dup, f"no socket or dup row: {rows}")
check(sock[1] == dup[1] and sock[1].startswith("socket:["), f"socket {sock} and dup {dup} differ")
check("O_NONBLOCK" in sock[2] and "O_NONBLOCK" in dup[2], "O_NONBLOCK not shared by the dup")
check([int(fd) for fd, *_ in rows][:3] == [0, 1, 2], f"standard fds: {rows}")

# screen 2: the real calls, the accept queue holding one connection after connect()
check("socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) = " in screens[1], "socket() not as made")
check(re.search(r"connect\(\d+, 127\.0\.0\.1:\d+\) = 0\s+\d+ LISTEN q1/8", screens[1]),
      "the accept queue after connect() is not q1/8")
check(re.search(r"accept4\(.*SOCK_CLOEXEC\) = \d+\s+\d+ LISTEN q0/8", screens[1]),
      "accept() did not empty the queue")
check("TIME_WAIT" in screens[1], "no TIME_WAIT")

# screen 3: the stages add up to about the total the takeaway quotes
stages = re.findall(r"^  (\w+)\s+([\d.]+) (ns|us|\u00b5s|ms)\s", screens[2], re.M)
check(len(stages) >= 4, f"journey stages: {stages}")
total = re.search(r"total ([\d.]+) (ns|us|\u00b5s|ms)", screens[2])
check(total, "no journey total")
m = re.search(r"time: (\d+) stages, ([\d.]+) (ns|us|\u00b5s|ms) one way on lo", out)
check(m and int(m.group(1)) == len(stages), f"takeaway stages {m and m.group(1)} vs {len(stages)}")
check(m and m.group(2, 3) == total.group(1, 2), "the takeaway's journey total differs")
flat = " ".join(screens[2].split())
check("0 interrupts (no NIC, DMA or wire)" in flat, "loopback's missing hardware not named")
with open("/sys/class/net/lo/mtu") as f:
    check(f"lo: MTU {f.read().strip()}," in flat, "the NIC lines do not give lo's MTU as sysfs does")

# screen 4: one system-call figure, the same in the table and the takeaway
sysc = re.search(r"a system call \(getppid\)\s+~100-300 ns\s+([\d.]+) ns", screens[3])
check(sysc, "no system call row")
check(re.search(r"when possible: %s ns" % re.escape(sysc.group(1)), out),
      f"the takeaway's system call figure is not the table's {sysc.group(1)} ns")
# under 10 ns a function call keeps its decimal (0.4 ns, not 0 ns); valgrind's is slower
call = re.search(r"a function call\s+-\s+([\d.]+) ns", screens[3])
check(call and ("." in call.group(1) or float(call.group(1)) >= 10), "a function call without a decimal")
for row in ("1 KiB copy, cached", "1 KiB copy, from memory", "TCP round trip on lo"):
    check(row in screens[3], f"no row {row!r}")
check(re.search(r"TCP round trip on lo\s+~50 \u00b5s \(LAN\)\s+[\d.]+ \u00b5s \(CPU \d+\)", screens[3]),
      "the round trip does not say where it ran")

with open("/sys/class/net/lo/mtu") as f:
    mtu = f.read().strip()
# the takeaway names lo's offloads as ethtool -k lo says them (where ethtool is installed)
flat_out = " ".join(out.split())
m = re.search(r"lo, all software, has them on: ([\w ]+) \(MTU (\d+)\)", flat_out)
check(m and m.group(2) == mtu, f"lo's offloads and MTU {mtu} not in the takeaways")
ethtool = shutil.which("ethtool") or ("/usr/sbin/ethtool" if os.path.exists("/usr/sbin/ethtool") else None)
if ethtool:
    feats = json.loads(subprocess.run([ethtool, "--json", "-k", "lo"], capture_output=True,
                                      text=True).stdout)[0]
    names = {"checksum": "tx-checksumming", "sg": "scatter-gather", "TSO": "tcp-segmentation-offload",
             "GSO": "generic-segmentation-offload", "GRO": "generic-receive-offload"}
    on = [k for k, v in names.items() if feats.get(v, {}).get("active")]
    check(m.group(1).split() == on, f"takeaway offloads {m.group(1)!r}, ethtool -k lo: {on}")

# example 1 alone reports the fds it was given
with open(os.devnull) as null:
    r = run([example("01_socket_basics")], stdin=null)
check(r.returncode == 0, f"example 1 exit {r.returncode}")
check("fd 0 -> /dev/null" in r.stdout.decode(), "example 1 misreports stdin")

# `make tour` rebuilds quietly: pretend tour.h changed, so objects are compiled and linked
if os.path.realpath(BUILD) == os.path.realpath(os.path.join(ROOT, "build")) and not VALGRIND:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k not in ("MFLAGS", "V")}
    p = subprocess.run(["make", "-W", "src/tour.h", "tour"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, f"make tour: exit {p.returncode}: {p.stderr[-400:]!r}")
    check(p.stdout.startswith("Module 1: Networking Fundamentals"),
          f"make tour printed more than the lesson: {p.stdout[:200]!r}")
    check(not re.search(r"^\s+(CC|LINK|AR)\s", p.stdout + p.stderr, re.M), "make tour showed build lines")
print("ok")
