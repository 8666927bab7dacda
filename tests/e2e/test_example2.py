# SPDX-License-Identifier: MIT
"""Example 2 watches its own fds through a TCP connection's life: its tables must show what
the program did at each step (three unbound sockets, then a listener with two connections
seen from both ends, then the CLOSE_WAIT ends left after one close each), and the table must
come back to what it was at step 1."""
import os
import re
import subprocess

from e2e import VALGRIND, check, example, reduced, run

keep = os.dup(0)  # an fd we pass on, as a careless parent would

r = run([example("02_fd_monitor")])
out = r.stdout.decode()
check(r.returncode == 0, f"example 2 exit {r.returncode}: {r.stderr!r}")
steps = re.split(r"\nStep \d+: ", out)
check(len(steps) == 6, f"want 5 steps, got {len(steps) - 1}")
# valgrind's own fds sit near the fd limit: the fd table is a big one, whose scan dumps the
# sockets beside the fds and so lists its own sock_diag socket and namespace fd
big_table = reduced("the example's scan of itself also lists its own sock_diag socket (valgrind's fds "
                    "make its fd table big): only TCP rows are compared, and not the last step with the first")


def socket_rows(step):
    """(proto, state) of each socket row of a step's sockets table."""
    rows, inside = [], False
    for line in step.splitlines():
        if line.strip() == "sockets":
            inside = True
        elif inside and re.match(r"\s+\d+\s", line):
            f = line.split()
            if big_table and f[1] != "tcp":
                continue
            state = next((w for w in f if w.isupper() and "_" in w or w in ("LISTEN", "CLOSE", "ESTABLISHED")), None)
            rows.append((f[1], state))
        elif inside and not line.startswith("    "):
            inside = False
    return rows


# the example's own scan handles are not its fds: no step lists one, no diff shows one moving
own = [line for line in out.splitlines() if re.search(r"\sdir\s.*/proc/\d+", line)]
check(not own, f"a step lists the scan's own /proc handle: {own}")
check(socket_rows(steps[1]) == [], "step 1 already has sockets")
check(socket_rows(steps[2]) == [("tcp", "CLOSE")] * 3, f"step 2: {socket_rows(steps[2])}")
s3 = sorted(socket_rows(steps[3]))
check(s3 == [("tcp", "ESTABLISHED")] * 4 + [("tcp", "LISTEN")], f"step 3: {s3}")
s4 = sorted(socket_rows(steps[4]))
check(s4 == [("tcp", "CLOSE_WAIT")] * 2 + [("tcp", "LISTEN")], f"step 4: {s4}")
check(socket_rows(steps[5]) == [], "step 5 still has sockets")
check(big_table or "back to the initial state: yes" in out, "the table did not come back to step 1")
check(re.search(r"headroom: \d+ fds open; soft limit", out), "no headroom line")
# the ends closed at step 4 live on in the kernel with no fd (FIN_WAIT1 until the ACK comes)
fdless = re.findall(r"no fd: \S+ -> \S+ (\w+)", steps[4])
check(len(fdless) == 2 and set(fdless) <= {"FIN_WAIT1", "FIN_WAIT2"}, f"closed ends: {fdless}")
# the fds above 2 we started it with are named as inherited, with the parent that passed them
if not VALGRIND:  # under valgrind the parent is valgrind's wrapper
    r = subprocess.run([example("02_fd_monitor")], pass_fds=(keep,), capture_output=True,
                       text=True, timeout=60)
    line = re.search(r"inherited: (.*)", r.stdout)
    check(line and re.search(rf"\b{keep}\b", line.group(1)) and "python" in line.group(1),
          f"inherited line: {line and line.group(0)!r}")
print("ok")
