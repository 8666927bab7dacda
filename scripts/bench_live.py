# SPDX-License-Identifier: MIT
"""bench_live: what observing costs a UDP round trip, `journey --live` (BPF) beside the tracefs
method, in the same run, interleaved so the machine's noise falls on both alike. Both figures
come from nic2app's own echo pair (64-byte UDP over lo, the client in one thread, the echo in
another, both pinned to one CPU): the round trip's median with the observer on less with it
off:
  journey --live --overhead   200 warm-up rounds, then 21 blocks of 500, plain and observed in
                              turn (the BPF programs detached and attached, the probe's port
                              watched): the median of each observed block's median less its
                              plain neighbours
  journey --method tracefs    200 plain rounds, then the tracefs instance with its events on
                              and --count observed rounds
and live --no-sched (without the scheduler's tracepoints) for scale.
Goals (issue 16): live <= 1.5 us per round trip, and below tracefs's.
Usage: NIC2APP_BUILD=build python3 scripts/bench_live.py [RUNS]"""
import json
import os
import statistics
import subprocess
import sys

BUILD = os.environ.get("NIC2APP_BUILD", "build")
NIC2APP = os.path.join(BUILD, "nic2app")
GOAL_NS = 1500


def journey(args):
    r = subprocess.run([NIC2APP, "journey", *args, "--json"], capture_output=True, text=True,
                       timeout=300)
    if r.returncode == 3:
        print(f"bench_live: skipped: {r.stderr.strip()}")
        sys.exit(0)
    if r.returncode != 0:
        sys.exit(f"bench_live: journey {' '.join(args)} failed: {r.stderr}")
    j = json.loads(r.stdout)
    return j["overhead_ns"], j["rtt"]["plain"]["p50_ns"]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if os.geteuid() != 0:
        print("bench_live: skipped: BPF programs and tracefs need root")
        return
    live, nosched, tracefs, plain = [], [], [], []
    print(f"  {'run':>3} {'live (bpf)':>12} {'--no-sched':>12} {'tracefs':>12} {'plain rtt':>12}")
    for n in range(1, runs + 1):
        lo, lp = journey(["--live", "--port", "9", "--duration", "0.1", "--overhead"])
        no, _ = journey(["--live", "--port", "9", "--duration", "0.1", "--overhead", "--no-sched"])
        to, tp = journey(["--method", "tracefs", "--proto", "udp", "--count", "3000", "--cpus", "same"])
        live.append(lo)
        nosched.append(no)
        tracefs.append(to)
        plain += [lp, tp]
        print(f"  {n:3} {lo:9.0f} ns {no:9.0f} ns {to:9.0f} ns {lp:9.0f} ns")
        sys.stdout.flush()
    lm, nm, tm = statistics.median(live), statistics.median(nosched), statistics.median(tracefs)
    pm = statistics.median(plain)
    print(f"  median: live {lm:.0f} ns (--no-sched {nm:.0f} ns), tracefs {tm:.0f} ns per round trip "
          f"(ratio {lm / tm:.2f}) on a plain round trip of {pm:.0f} ns")
    print(f"  goals: live <= {GOAL_NS} ns: {'met' if lm <= GOAL_NS else 'NOT met'}; "
          f"below tracefs: {'met' if lm < tm else 'NOT met'}")
    print(json.dumps({"live_overhead_ns": live, "live_no_sched_overhead_ns": nosched,
                      "tracefs_overhead_ns": tracefs, "plain_rtt_ns": plain}))


if __name__ == "__main__":
    main()
