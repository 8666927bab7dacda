# SPDX-License-Identifier: MIT
"""e2e: shared helpers for the end-to-end tests: where the programs are, running them,
failing with a message, skipping with a reason (exit 77)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("NIC2APP_BUILD", os.path.join(ROOT, "build"))
NIC2APP = os.environ.get("NIC2APP", os.path.join(BUILD, "nic2app"))


def example(name):
    return os.path.join(BUILD, "examples", name)


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def skip(reason):
    print(reason)
    sys.exit(77)


def check(cond, msg):
    if not cond:
        fail(msg)


def run(args, timeout=60, **kw):
    """Run a command, capturing bytes; returns CompletedProcess."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(args, timeout=timeout, **kw)


def nic2app(*args, **kw):
    return run([NIC2APP, *args], **kw)
