# SPDX-License-Identifier: MIT
"""--svg and --html output paths (issue 13 item 1). A path that is (or leads through symlinks
to) a regular file, or to nothing, is written whole or not at all beside its real target,
keeping the old file's mode and owner; a file with more than one hard link is rewritten in
place so its other names see the new page; a device, a fifo, /dev/stdout or '-' is written to
directly, so a full device is an error (exit 1) and stays a device. The path is checked before
anything is measured. Ground truth: stat(2) of the paths before and after."""
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import threading

from e2e import NIC2APP, check, nic2app, run

JOURNEY = ["journey", "--method", "timestamping", "--count", "20"]
root = os.geteuid() == 0
tmp = tempfile.mkdtemp(prefix="nic2app-out-")
os.chmod(tmp, 0o755)


def svg_ok(data, what):
    check(data.lstrip().startswith(b"<svg") and data.rstrip().endswith(b"</svg>"),
          f"{what}: not one whole SVG: {data[:80]!r} ... {data[-40:]!r}")


def journey_svg(path, **kw):
    return nic2app(*JOURNEY, "--svg", path, **kw)


try:
    # '-' is stdout: the picture alone, nothing else mixed in
    r = run([os.path.abspath(NIC2APP), *JOURNEY, "--svg", "-"], cwd=tmp)
    check(r.returncode == 0, f"--svg -: exit {r.returncode} {r.stderr!r}")
    svg_ok(r.stdout, "--svg -")
    check(not os.path.exists(f"{tmp}/-"), "--svg - made a file named '-'")
    r = nic2app(*JOURNEY, "--json", "--svg", "-")
    check(r.returncode == 2 and b"--svg -" in r.stderr, f"--json --svg -: {r.returncode} {r.stderr!r}")

    # /dev/stdout into a pipe is written through, not replaced
    r = journey_svg("/dev/stdout")
    check(r.returncode == 0, f"--svg /dev/stdout: exit {r.returncode} {r.stderr!r}")
    svg_ok(r.stdout, "--svg /dev/stdout")

    # a symlink is written through; it stays a symlink; the target keeps its mode
    real, link = f"{tmp}/real.svg", f"{tmp}/link.svg"
    with open(real, "w") as f:
        f.write("old")
    os.chmod(real, 0o640)
    os.symlink("real.svg", link)
    r = journey_svg(link)
    check(r.returncode == 0, f"--svg symlink: exit {r.returncode} {r.stderr!r}")
    check(os.path.islink(link) and os.readlink(link) == "real.svg", "the symlink was replaced")
    with open(real, "rb") as f:
        svg_ok(f.read(), "the symlink's target")
    check(stat.S_IMODE(os.stat(real).st_mode) == 0o640,
          f"the target's mode became {oct(os.stat(real).st_mode)}")
    # a dangling symlink: the file is made where it points
    os.symlink("made.svg", f"{tmp}/dangling.svg")
    r = journey_svg(f"{tmp}/dangling.svg")
    check(r.returncode == 0 and os.path.islink(f"{tmp}/dangling.svg"),
          f"--svg dangling symlink: exit {r.returncode}, {r.stderr!r}")
    with open(f"{tmp}/made.svg", "rb") as f:
        svg_ok(f.read(), "a dangling symlink's target")
    # nothing left beside them (no temporary file)
    left = sorted(os.listdir(tmp))
    check(left == ["dangling.svg", "link.svg", "made.svg", "real.svg"], f"left in the directory: {left}")

    # a hard link: both names see the new picture (same inode, rewritten in place)
    a, b = f"{tmp}/a.svg", f"{tmp}/b.svg"
    with open(a, "w") as f:
        f.write("x" * 100000)  # longer than the picture: the rest must go
    os.link(a, b)
    r = journey_svg(a)
    check(r.returncode == 0, f"--svg hard link: exit {r.returncode} {r.stderr!r}")
    check(os.stat(a).st_ino == os.stat(b).st_ino and os.stat(a).st_nlink == 2, "the hard link was broken")
    with open(b, "rb") as f:
        svg_ok(f.read(), "the other name of a hard-linked file")

    # a fifo is written to, and stays a fifo
    fifo = f"{tmp}/fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = journey_svg(fifo)
    reader.join(timeout=60)
    check(r.returncode == 0, f"--svg fifo: exit {r.returncode} {r.stderr!r}")
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the fifo became something else")
    check(got, "the fifo's reader got nothing")
    svg_ok(got[0], "what the fifo's reader got")

    # a directory is refused at once
    r = journey_svg(tmp)
    check(r.returncode == 1 and b"Is a directory" in r.stderr, f"--svg DIR: {r.returncode} {r.stderr!r}")

    if not root:
        print("not root: a full device, another user's file and the early check as nobody are left out")
    else:
        # a full device (a node like /dev/full, made here): an error, and it stays a device
        full = f"{tmp}/full"
        os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        for args in (JOURNEY + ["--svg", full], ["bench", "rtt", "--quick", "--svg", full]):
            r = nic2app(*args)
            check(r.returncode == 1 and b"No space left on device" in r.stderr,
                  f"'{' '.join(args)}': exit {r.returncode}, {r.stderr!r}")
            check(stat.S_ISCHR(os.lstat(full).st_mode), f"'{' '.join(args)}' replaced the device node")

        # another user's 0600 file keeps its mode and owner
        nobody = pwd.getpwnam("nobody")
        theirs = f"{tmp}/theirs.svg"
        with open(theirs, "w") as f:
            f.write("old")
        os.chown(theirs, nobody.pw_uid, nobody.pw_gid)
        os.chmod(theirs, 0o600)
        r = journey_svg(theirs)
        st = os.stat(theirs)
        check(r.returncode == 0, f"--svg another user's file: {r.returncode} {r.stderr!r}")
        check((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (nobody.pw_uid, nobody.pw_gid, 0o600),
              f"another user's 0600 file came back {st.st_uid}:{st.st_gid} {oct(st.st_mode)}")

        # as nobody, an unwritable place fails before anything is measured: report prints a line
        # as it starts measuring; journey and bench are given runs that would take minutes
        def as_nobody():
            os.setgid(nobody.pw_gid)
            os.setgroups([])
            os.setuid(nobody.pw_uid)

        closed = tempfile.mkdtemp(prefix="nic2app-closed-")  # 0700, root's
        for args in (["report", "--quick", "--html", f"{closed}/x.html"],
                     ["report", "--quick", "--html", "/root/x.html"],
                     ["journey", "--method", "timestamping", "--count", "1000000", "--svg", f"{closed}/x.svg"],
                     ["bench", "batch", "rtt", "zerocopy", "--svg", f"{closed}/x.svg"]):
            what = " ".join(args)
            try:
                r = run([NIC2APP, *args], preexec_fn=as_nobody, timeout=30)
            except subprocess.TimeoutExpired:
                check(False, f"as nobody, '{what}' measured before checking its output path")
            check(r.returncode == 1 and b"Permission denied" in r.stderr,
                  f"as nobody, '{what}': exit {r.returncode}, {r.stderr!r}")
            check(b"the UDP journey" not in r.stderr, f"as nobody, '{what}' measured first: {r.stderr!r}")
        os.rmdir(closed)

        # a read-only file of another user is not replaced by a non-root user
        ro = f"{tmp}/readonly.svg"
        with open(ro, "w") as f:
            f.write("old")
        os.chmod(ro, 0o644)
        os.chmod(tmp, 0o777)
        r = run([NIC2APP, *JOURNEY, "--svg", ro], preexec_fn=as_nobody)
        check(r.returncode == 1 and b"Permission denied" in r.stderr, f"nobody over root's file: {r.returncode} {r.stderr!r}")
        with open(ro) as f:
            check(f.read() == "old", "nobody replaced root's read-only file")
    print("ok")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
