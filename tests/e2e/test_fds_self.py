# SPDX-License-Identifier: MIT
"""`nic2app fds self` lists the fds of nic2app and none of those its own scan opens (by either
engine); a thread id
shows that thread's fd table and names its process, whether the thread shares the table or
has one of its own (unshare(CLONE_FILES)). Ground truth: the fds nic2app was started with, and
/proc/TID/fd of the threads of a helper process this test starts."""
import json
import os
import subprocess
import sys
import tempfile

from e2e import VALGRIND, check, nic2app, reduced

# Started with stdin, stdout and stderr only (close_fds): that is all `fds self` may list.
r = nic2app("fds", "self", "--json")
check(r.returncode == 0, f"fds self exited {r.returncode}: {r.stderr.decode()}")
doc = json.loads(r.stdout)
listed = {e["fd"]: e.get("name", e["type"]) for e in doc["fds"]}
if reduced("valgrind's own fds, at the top of the fd limit, are left out of the comparison"):
    listed = {fd: name for fd, name in listed.items() if fd < 1000}
check(sorted(listed) == [0, 1, 2], f"fds self lists more than stdio: {listed}")
r = nic2app("fds", "self")
check("/proc/" not in r.stdout.decode(), f"the text view lists a /proc handle:\n{r.stdout.decode()}")
# by BPF, none of the program's, map's, link's or iterator's fds either
r = nic2app("fds", "self", "--json", "--engine", "bpf")
if r.returncode == 0:
    listed = {e["fd"]: e.get("name", e["type"]) for e in json.loads(r.stdout)["fds"]}
    if VALGRIND:  # valgrind's own fds, at the top of the fd limit (said above)
        listed = {fd: name for fd, name in listed.items() if fd < 1000}
    check(sorted(listed) == [0, 1, 2], f"fds self --engine bpf lists more than stdio: {listed}")

# A helper with two threads besides its main one: one shares the fd table, one has its own
# with a file the process does not hold.
HELPER = r"""
import ctypes, os, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
ready = threading.Barrier(3)
def shared():
    ready.wait(); ready.wait()
def own():
    if libc.unshare(0x400) != 0:  # CLONE_FILES
        sys.exit("unshare(CLONE_FILES): errno %d" % ctypes.get_errno())
    os.open(sys.argv[1], os.O_RDONLY)
    ready.wait(); ready.wait()
threads = [threading.Thread(target=shared), threading.Thread(target=own)]
for t in threads:
    t.start()
ready.wait()
print(" ".join(str(t.native_id) for t in threads), flush=True)
sys.stdin.read()
ready.wait()
"""
with tempfile.NamedTemporaryFile(prefix="nic2app-thread-") as marker:
    helper = subprocess.Popen([sys.executable, "-c", HELPER, marker.name], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        line = helper.stdout.readline().split()
        check(len(line) == 2, "the helper did not start its threads")
        shared_tid, own_tid = (int(x) for x in line)
        # by each engine (the BPF iterator's tid filter reads that thread's table) when BPF works
        engines = ["procfs"] + (["bpf"] if nic2app("fds", "self", "--engine", "bpf").returncode == 0 else [])
        for (tid, own), engine in ((t, e) for t in ((shared_tid, False), (own_tid, True)) for e in engines):
            r = nic2app("fds", str(tid), "--json", "--engine", engine)
            check(r.returncode == 0, f"fds {tid} (a thread) exited {r.returncode}: {r.stderr.decode()}")
            doc = json.loads(r.stdout)
            check(doc["pid"] == tid and doc.get("thread_of") == helper.pid,
                  f"thread {tid}: pid {doc['pid']}, thread_of {doc.get('thread_of')}, want {helper.pid}")
            check(doc.get("own_fd_table") is own, f"thread {tid}: own_fd_table {doc.get('own_fd_table')}")
            want = sorted(int(n) for n in os.listdir(f"/proc/{tid}/fd"))
            got = sorted(e["fd"] for e in doc["fds"])
            check(got == want, f"thread {tid}: fds {got}, /proc/{tid}/fd has {want}")
            names = [e.get("name") for e in doc["fds"]]
            check((marker.name in names) is own, f"thread {tid}: the file only its own table holds: {names}")
            text = nic2app("fds", str(tid), "--engine", engine).stdout.decode()
            check(text.startswith(f"thread {tid} (") and f"of process {helper.pid}" in text.splitlines()[0],
                  f"the title does not name the thread's process: {text.splitlines()[0]!r}")
    finally:
        helper.stdin.close()
        helper.wait(timeout=10)
print("fds self lists stdio only; two threads (shared and own fd table) shown with their process")
