# SPDX-License-Identifier: MIT
"""e2e: shared helpers for the end-to-end tests: where the programs are, running them,
failing with a message, skipping with a reason (exit 77)."""
import json
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("NIC2APP_BUILD", os.path.join(ROOT, "build"))
NIC2APP = os.environ.get("NIC2APP", os.path.join(BUILD, "nic2app"))
EXAMPLES = os.environ.get("NIC2APP_EXAMPLES", os.path.join(BUILD, "examples"))
# Under scripts/run-valgrind.sh, NIC2APP and the examples are wrappers that run the programs
# under WRAPPER (valgrind's memcheck, 20-50 times slower): a test that copies a program
# copies the real one, built(), and runs the copy under WRAPPER. A program takes up to
# STARTUP seconds to start there (0 otherwise): a test that signals it at a given moment
# adds that; run() gives it ten times as long; io_uring is made unavailable (ENOSYS).
WRAPPER = shlex.split(os.environ.get("TEST_WRAPPER", ""))
VALGRIND = os.environ.get("NIC2APP_VALGRIND") == "1"
STARTUP = float(os.environ.get("NIC2APP_STARTUP_S", "0")) if VALGRIND else 0.0
URING_RESULTS = {"batch.io_uring", "zerocopy.io_uring", "zerocopy.io_uring_send_zc"}


def example(name):
    return os.path.join(EXAMPLES, name)


def built(name):
    """The program NAME (nic2app, examples/01_socket_basics) as built, never a wrapper."""
    return os.path.join(BUILD, name)


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def skip(reason):
    print(reason)
    sys.exit(77)


def reduced(reason):
    """Under valgrind: say what part is left out, and why (the runner shows it); True then."""
    if VALGRIND:
        print(f"reduced under valgrind: {reason}")
    return VALGRIND


def check(cond, msg):
    if not cond:
        fail(msg)


def run(args, timeout=60, **kw):
    """Run a command, capturing bytes; returns CompletedProcess."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(args, timeout=timeout * (10 if VALGRIND else 1), **kw)


def nic2app(*args, **kw):
    return run([NIC2APP, *args], **kw)


def stale_instances():
    """nic2app-PID tracefs instances whose PID is gone or a zombie: left behind. An instance of
    a live process belongs to a run still going (another test, another user) and is not ours
    to count."""
    inst = "/sys/kernel/tracing/instances"
    if not os.path.isdir(inst):
        return []
    found = []
    for name in os.listdir(inst):
        m = re.fullmatch(r"nic2app-(\d+)", name)
        if not m:
            continue
        try:
            with open(f"/proc/{m.group(1)}/stat") as f:
                alive = f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
        except (OSError, IndexError):
            alive = False
        if not alive:
            found.append(name)
    return found


def bpf_objects(pid):
    """The ids of the programs and links the process pid holds, from its fds' fdinfo."""
    found = set()
    fds = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fds):
        try:
            with open(os.path.join(fds, fd)) as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in ("prog_id", "link_id"):
                        found.add((key[:-3], int(value)))
        except OSError:
            pass
    return found


def bpf_listed(kind):
    """The (kind, id) of every prog or link bpftool lists; listed again when a listing fails
    (an object went away during it: programs come and go on a shared machine)."""
    for _ in range(20):
        r = subprocess.run(["bpftool", "--json", kind, "show"], capture_output=True, text=True)
        if r.returncode == 0:
            return {(kind, o["id"]) for o in json.loads(r.stdout or "[]")}
        time.sleep(0.05)
    fail(f"bpftool {kind} show: {r.stderr.strip()}")


def bpf_ids_loaded(ids):
    """Which of ids (from bpf_objects) bpftool still lists."""
    return ids & (bpf_listed("prog") | bpf_listed("link"))
