# SPDX-License-Identifier: MIT
"""`nic2app tour` runs examples 1, 2 and 3 and narrates them; without the example program it fails with
a clear message instead of pretending."""
import os
import shutil
import tempfile

from e2e import NIC2APP, WRAPPER, built, check, example, reduced, run

r = run([NIC2APP, "tour"], timeout=240)
out = r.stdout.decode()
check(r.returncode == 0, f"tour exit {r.returncode}: {r.stderr[-500:]!r}")
# valgrind's own fds make example 2's fd table a big one (see test_example2)
back = "back to the initial state: yes"
if reduced("example 2's scan of itself lists its own sock_diag socket: not checked to come back "
           "to its first step"):
    back = "back to the initial state: "
for part in ("Example 1: socket and file descriptor basics", "1. The standard file descriptors",
             "4. The socket lifecycle", "5. What a system call costs", "TIME_WAIT",
             "The module says a system call costs ~100-300 ns",
             "Example 2: monitoring file descriptors", "CLOSE_WAIT",
             back,
             "3. The journey of a packet", "Example 3: the journey of a packet",
             "A 1200-byte message, client to server", "Real latencies",
             "no NIC, DMA, interrupt or wire",
             "4. The module's performance insights, measured", "system call overhead      ~100-300 ns",
             "data copy (1 KB)", "network RTT (local, TCP)"):
    check(part in out, f"tour output lacks {part!r}")
check(r.stderr == b"", f"tour wrote to stderr: {r.stderr[:300]!r}")

# example 1 alone reports the fds it was given
with open(os.devnull) as null:
    r = run([example("01_socket_basics")], stdin=null)
check(r.returncode == 0, f"example 1 exit {r.returncode}")
check("fd 0 (stdin ) -> /dev/null" in r.stdout.decode(), "example 1 misreports stdin")

# a nic2app binary with no example beside it, and none installed: a clear error, exit 1
with tempfile.TemporaryDirectory() as d:
    lone = os.path.join(d, "nic2app")
    shutil.copy(built("nic2app"), lone)
    r = run([*WRAPPER, lone, "tour"])
    check(r.returncode == 1, f"tour without examples: exit {r.returncode}")
    check(b"cannot find the example program '01_socket_basics'" in r.stderr,
          f"tour without examples: {r.stderr!r}")
print("ok")
