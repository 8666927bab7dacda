# SPDX-License-Identifier: MIT
"""`make install` with DESTDIR and PREFIX puts the command, the man page and the examples
where they belong, and the man page is well-formed roff."""
import os
import shutil
import subprocess
import tempfile

from e2e import BUILD, ROOT, check, run

with tempfile.TemporaryDirectory() as dest:
    r = run(["make", "-s", "-C", ROOT, f"BUILD={os.path.relpath(BUILD, ROOT)}", "install",
             f"DESTDIR={dest}", "PREFIX=/opt/n2a"], timeout=300)
    check(r.returncode == 0, f"make install: {r.stderr.decode()[-800:]}")
    for path in ("opt/n2a/bin/nic2app", "opt/n2a/share/man/man1/nic2app.1",
                 "opt/n2a/libexec/nic2app/01_socket_basics"):
        check(os.path.isfile(os.path.join(dest, path)), f"not installed: {path}")
    r = run([os.path.join(dest, "opt/n2a/bin/nic2app"), "--version"])
    check(r.returncode == 0 and r.stdout.startswith(b"nic2app "), f"installed --version: {r}")

man = os.path.join(ROOT, "docs/nic2app.1")
if shutil.which("groff"):
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", man], capture_output=True)
    check(r.returncode == 0 and r.stderr == b"", f"groff warnings: {r.stderr.decode()}")
text = open(man).read()
for c in ("tour", "sockets"):
    check(f".B nic2app {c}" in text or f"nic2app {c}" in text, f"man page lacks {c}")
print("ok")
