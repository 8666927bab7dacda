# SPDX-License-Identifier: MIT
"""`nic2app fds` for the whole machine, against the tools and files it replaces: /proc's own
process list and fd counts (--all), ss -tlnp / -ulnp (--listen, --port), lsof -i :PORT
(--port), lsof PATH (--file), lsof +L1 (--deleted), lsfd (--pid), a unix socket's peer
process, a thread with its own fd table, --user, --summary's order; bad input (exit 2) and a
filter that matches nothing (exit 1). Run with the /proc engine (--engine procfs) so that it
checks the same thing with or without BPF."""
import ctypes
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading

from e2e import NIC2APP as NIC2APP_BIN, check, fail, nic2app, run, skip
from fixture import Fixture

LSOF, LSFD, SS = shutil.which("lsof"), shutil.which("lsfd"), shutil.which("ss")
if not LSOF or not LSFD or not SS:
    skip("lsof, lsfd (util-linux) or ss (iproute2) is not installed")
ENGINE = os.environ.get("NIC2APP_FDS_ENGINE", "procfs")


def fds_json(*args, code=0):
    r = nic2app("fds", "--engine", ENGINE, *args, "--json")
    check(r.returncode == code, f"fds {' '.join(args)}: exit {r.returncode}, want {code}: "
          f"{r.stderr.decode()!r}")
    return json.loads(r.stdout) if code == 0 else None


def netns_of(pid):
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino
    except OSError:
        return None


def rows(doc):
    """{(pid, fd): fd object} of a whole-machine document."""
    return {(p["pid"], e["fd"]): e for p in doc["processes"] for e in p.get("fds", [])}


def user_pids():
    """The processes /proc lists that have an fd table (kernel threads have none)."""
    pids = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                if "\nKthread:\t1" not in f.read():
                    pids.add(int(name))
        except OSError:
            pass
    return pids


def has_readable_fds(pid):
    """Whether /proc shows pid's fds: a zombie has none, and the kernel may refuse even root
    (the BPF iterator does not see such a table either)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
        return bool(fds) and bool(os.readlink(f"/proc/{pid}/fd/{fds[0]}"))
    except OSError:
        return False


def lsof_pairs(*args):
    """(pid, fd) pairs lsof prints with -F pf for args (exit 1 means none: empty)."""
    out = subprocess.run([LSOF, "-n", "-P", "-F", "pf", *args], capture_output=True, text=True,
                         timeout=60).stdout
    pairs, pid = set(), None
    for line in out.splitlines():
        if line.startswith("p"):
            pid = int(line[1:])
        elif line.startswith("f") and line[1:].isdigit():
            pairs.add((pid, int(line[1:])))
    return pairs


def bad_input():
    tmp_rel = "relative/path"
    for args, what in ((["--port", "0"], "port 0"), (["--port", "70000"], "port 70000"),
                       (["--user", "no-such-user-nic2app"], "an unknown user"),
                       (["--file", tmp_rel], "a relative path"),
                       (["--file", "/no/such/file/nic2app"], "a missing path"),
                       (["--state", "BOGUS"], "an unknown state"),
                       (["--listen", "--state", "ESTABLISHED"], "--listen with ESTABLISHED"),
                       (["--port", "80", "--deleted"], "a socket and a file filter"),
                       (["--all", "--pid", "1"], "--all with --pid"),
                       (["--all", "1"], "--all with a PID"),
                       (["--pid", "1,x"], "a bad --pid list"),
                       (["--summary", "--json"], "--summary with --json")):
        r = nic2app("fds", *args)
        err = r.stderr.decode()
        check(r.returncode == 2, f"{what}: exit {r.returncode}, want 2: {err!r}")
        check(err.startswith("nic2app") and "--help" in err, f"{what}: message {err!r}")


def check_all(fx):
    before = user_pids()
    doc = fds_json("--all")
    after = user_pids()
    ours = {p["pid"] for p in doc["processes"] if "tid" not in p}
    stable = before & after
    missed = {pid for pid in stable - ours if has_readable_fds(pid)}
    check(not missed, f"--all misses processes /proc lists: {sorted(missed)[:10]}")
    # a pid in neither listing came and went meanwhile (nic2app itself, a compiler's children
    # on a busy machine): nothing to compare it with
    scan = doc["scan"]
    check(scan["source"] == ENGINE, f"scan.source {scan['source']}, want {ENGINE}")
    fixture_rows = [p for p in doc["processes"] if p["pid"] == fx.pid]
    check(len(fixture_rows) == 1, "the fixture is not exactly once in --all")
    want = len(os.listdir(f"/proc/{fx.pid}/fd"))
    check(len(fixture_rows[0]["fds"]) == want,
          f"fixture: {len(fixture_rows[0]['fds'])} fds, /proc/{fx.pid}/fd has {want}")
    check(fixture_rows[0]["user"] == "root" and fixture_rows[0]["uid"] == 0, "fixture's user")
    check(scan["fds"] == sum(len(p.get("fds", [])) for p in doc["processes"]), "scan.fds")
    return doc


def check_listen_port(fx, manifest):
    listeners = {e["socket"]["local"] for e in manifest if e["kind"] in ("tcp_listen", "tcp6_listen", "udp", "udp6")}
    doc = fds_json("--listen", "--pid", str(fx.pid))
    # ss writes a dual-stack socket on [::] as *:PORT
    got = {"*:" + e["socket"]["local"][5:]
           if e["socket"].get("v6only") is False and e["socket"]["local"].startswith("[::]:")
           else e["socket"]["local"] for e in rows(doc).values()}
    out = subprocess.run([SS, "-Htulnp"], capture_output=True, text=True, timeout=30).stdout
    theirs = {line.split()[4] for line in out.splitlines() if f"pid={fx.pid}," in line}
    check(got == theirs, f"--listen: {sorted(got)}, ss -tulnp says {sorted(theirs)}")
    check(listeners <= got, f"--listen misses the fixture's listeners {sorted(listeners - got)}")

    port = next(e["socket"]["local"] for e in manifest if e["kind"] == "tcp_established")
    port = port.rsplit(":", 1)[1]
    doc = fds_json("--port", port)
    # lsof reads addresses from its own namespace's /proc/net: a socket with the same port in
    # another network namespace (another run's) is ours to show and not lsof's
    got = {k for k in rows(doc) if netns_of(k[0]) == netns_of("self")}
    theirs = lsof_pairs(f"-i:{port}")
    check(got == theirs, f"--port {port}: {sorted(got)}, lsof -i :{port} says {sorted(theirs)}")
    out = subprocess.run([SS, "-Htanp", f"sport = :{port} or dport = :{port}"], capture_output=True,
                         text=True, timeout=30).stdout
    ss_pairs = {(int(m.group(1)), int(m.group(2))) for m in re.finditer(r"pid=(\d+),fd=(\d+)", out)}
    check(got == ss_pairs, f"--port {port}: {sorted(got)}, ss says {sorted(ss_pairs)}")


def check_files(fx, manifest):
    deleted = {(fx.pid, e["fd"]) for e in manifest if e["kind"] == "file_deleted"}
    doc = fds_json("--deleted", "--pid", str(fx.pid))
    got = set(rows(doc))
    theirs = {p for p in lsof_pairs("+L1", "-p", str(fx.pid), "-a") if p in deleted or p[1] in {
        e["fd"] for e in manifest if e["type"] == "file"}}
    check(got == deleted == theirs, f"--deleted: {sorted(got)}, lsof +L1 {sorted(theirs)}, fixture {sorted(deleted)}")
    for e in rows(doc).values():
        check(e.get("size") is not None and re.fullmatch(r"\d+:\d+", e.get("dev", "")),
              f"--deleted: fd {e['fd']} has no size or dev: {e}")
    path = next(e["name"] for e in manifest if e["kind"] == "file")
    doc = fds_json("--file", path)
    got = set(rows(doc))
    check(got == lsof_pairs(path), f"--file {path}: {sorted(got)}, lsof {sorted(lsof_pairs(path))}")
    st = os.stat(path)
    for e in rows(doc).values():
        check(e["size"] == st.st_size and e["dev"] == f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}",
              f"--file: size/dev {e.get('size')} {e.get('dev')}, stat {st.st_size} {st.st_dev}")
    under = os.path.dirname(path) + "/"
    got = set(rows(fds_json("--file", under)))
    want = {(fx.pid, e["fd"]) for e in manifest if e.get("name", "").startswith(under)}
    check(want <= got, f"--file {under}: {sorted(got)} lacks {sorted(want - got)}")


def check_pid_vs_lsfd(fx):
    doc = fds_json("--pid", str(fx.pid))
    out = subprocess.run([LSFD, "-J", "-p", str(fx.pid), "-o", "ASSOC,INODE"], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    theirs = {int(r["assoc"]): int(r["inode"]) for r in json.loads(out)["lsfd"] if r["assoc"].isdigit()}
    ours = {e["fd"]: e.get("inode", 0) for e in doc["processes"][0]["fds"]}
    check(set(ours) == set(theirs), f"--pid: fd sets differ from lsfd: {sorted(set(ours) ^ set(theirs))}")
    for fd, ino in ours.items():
        check(ino == 0 or ino == theirs[fd], f"--pid: fd {fd} inode {ino}, lsfd {theirs[fd]}")


def check_unix_peer(fx, manifest):
    pair = [e for e in manifest if e["kind"] == "unix_socketpair"]
    doc = fds_json("--pid", str(fx.pid), "--type", "socket")
    by_fd = {e["fd"]: e for e in doc["processes"][0]["fds"]}
    for a, b in ((pair[0], pair[1]), (pair[1], pair[0])):
        peer = by_fd[a["fd"]].get("peer")
        check(peer == {"pid": fx.pid, "comm": "fd_fixture", "fd": b["fd"]},
              f"unix fd {a['fd']}: peer {peer}, want fd {b['fd']} of {fx.pid}")


def check_thread_table():
    """A thread that unshares its fd table (CLONE_FILES) is a row of its own."""
    libc = ctypes.CDLL(None, use_errno=True)
    ready, done = threading.Event(), threading.Event()
    info = {}

    def body():
        if libc.unshare(0x400) != 0:  # CLONE_FILES
            info["err"] = ctypes.get_errno()
        else:
            info["tid"] = threading.get_native_id()
            info["fd"] = os.open("/dev/null", os.O_RDONLY)
        ready.set()
        done.wait(30)

    t = threading.Thread(target=body)
    t.start()
    ready.wait(10)
    try:
        if "tid" not in info:
            fail(f"unshare(CLONE_FILES) failed: {info}")
        doc = fds_json("--pid", str(os.getpid()))
        tables = {p.get("tid", p["pid"]): p for p in doc["processes"]}
        check(info["tid"] in tables, f"the thread {info['tid']} with its own table has no row: {list(tables)}")
        fds = {e["fd"] for e in tables[info["tid"]]["fds"]}
        check(info["fd"] in fds, f"the thread's own fd {info['fd']} is not in its row")
        check(tables[info["tid"]]["pid"] == os.getpid(), "the thread's row names its process")
        check(len(tables) == 2, f"threads that share the table are read again: {list(tables)}")
    finally:
        done.set()
        t.join()


def check_nothing_and_user(fx):
    r = nic2app("fds", "--engine", ENGINE, "--port", "1", "--pid", str(fx.pid))
    check(r.returncode == 1 and r.stderr.decode().startswith("nic2app: no "),
          f"a filter that matches nothing: exit {r.returncode}, {r.stderr!r}")
    doc = fds_json("--user", "root")
    check(doc["processes"] and all(p["uid"] == 0 for p in doc["processes"]), "--user root")
    r = nic2app("fds", "--engine", ENGINE, "--summary")
    check(r.returncode == 0, f"--summary: exit {r.returncode}")
    lines = r.stdout.decode().splitlines()
    check(lines[0].split()[:3] == ["PID", "USER", "COMM"], f"--summary header {lines[0]!r}")
    room = [int(line.split()[-2]) for line in lines[1:] if not line.startswith("scan:") and line.split()[-2].isdigit()]
    check(room == sorted(room), "--summary is not sorted by headroom")


def check_comm_15():
    """A 15-byte command name: /proc/PID/comm is full, with no room to spare for its newline."""
    with tempfile.TemporaryDirectory() as d:
        prog = shutil.copy("/bin/sleep", os.path.join(d, "abcdefghijklmno"))
        p = subprocess.Popen([prog, "30"])
        try:
            r = nic2app("fds", str(p.pid), "--json")
            check(json.loads(r.stdout)["comm"] == "abcdefghijklmno", f"one process: comm {r.stdout[:60]!r}")
            doc = fds_json("--comm", "abcdefghijklmno")
            check([q["pid"] for q in doc["processes"]] == [p.pid], "--comm with 15 bytes")
        finally:
            p.kill()
            p.wait()


def check_unprivileged():
    """As nobody: its own processes, the others counted as unreadable, exit 0."""
    if os.getuid() != 0 or not shutil.which("setpriv"):
        return "not run (needs root and setpriv)"
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        prog = shutil.copy(NIC2APP_BIN, os.path.join(d, "nic2app"))
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        sleeper = subprocess.Popen([*drop, "sleep", "30"])
        try:
            # auto: without privilege that is /proc, whichever engine this run tests
            r = run([*drop, prog, "fds", "--all", "--json"], cwd="/")
            check(r.returncode == 0, f"as nobody, --all: exit {r.returncode}: {r.stderr!r}")
            doc = json.loads(r.stdout)
            readable = [p for p in doc["processes"] if "error" not in p]
            check(readable and all(p["uid"] == 65534 for p in readable),
                  f"as nobody, --all read others' tables: {[(p['pid'], p['uid']) for p in readable]}")
            check(sleeper.pid in {p["pid"] for p in readable}, "as nobody, its own sleep is not listed")
            check(doc["scan"]["unreadable"] > 0 and doc["scan"]["source"] == "procfs",
                  f"as nobody: scan {doc['scan']}")
            r = run([*drop, prog, "fds"], cwd="/")
            check(r.returncode == 0 and b"could not be read" in r.stdout, f"as nobody, text: {r.stdout[-200:]!r}")
        finally:
            sleeper.kill()
            sleeper.wait()
    return "ok"


bad_input()
check_comm_15()
unprivileged = check_unprivileged()
with Fixture("--kinds", "all") as fx:
    manifest = fx.manifest["fds"]
    check_all(fx)
    check_listen_port(fx, manifest)
    check_files(fx, manifest)
    check_pid_vs_lsfd(fx)
    check_unix_peer(fx, manifest)
    check_nothing_and_user(fx)
check_thread_table()
print(f"fds for the whole machine ({ENGINE}) agrees with /proc, ss, lsof and lsfd; "
      f"unprivileged: {unprivileged}")
