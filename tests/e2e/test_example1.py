# SPDX-License-Identifier: MIT
"""Example 1 makes the lifecycle's calls itself and prints the kernel's state after each: the
states must be the ones TCP goes through (checked call by call), the accept queue must hold the
connection between connect() and accept(), the closed client must be left in TIME_WAIT with no
fd, and SO_RCVBUF must read back what the kernel gives Python for the same request."""
import re
import socket

from e2e import check, example, run

r = run([example("01_socket_basics")])
out = r.stdout.decode()
check(r.returncode == 0, f"example 1 exit {r.returncode}: {r.stderr[-300:]!r}")
check(r.stderr == b"", f"example 1 wrote to stderr: {r.stderr[:300]!r}")

want = [("socket()", "CLOSE"), ("bind(127.0.0.1:0)", "CLOSE"), ("listen(backlog 8)", "LISTEN"),
        ("socket() [client]", "CLOSE"), ("connect()", "ESTABLISHED"),
        ("accept() [new fd]", "ESTABLISHED"), ('send("hello")', "ESTABLISHED"),
        ("shutdown(SHUT_WR)", {"FIN_WAIT1", "FIN_WAIT2"}), ("... the server end", "CLOSE_WAIT")]
part4 = out[out.index("4. The socket lifecycle"):out.index("5. What a system call")]
for call, state in want:
    m = re.search(r"^\s+%s\s+fd \d+ (\w+)" % re.escape(call), part4, re.M)
    ok = m and (m.group(1) in state if isinstance(state, set) else m.group(1) == state)
    check(ok, f"{call}: {m and m.group(1)}, want {state}")
check(re.search(r"connect\(\)\s+fd \d+ ESTABLISHED\s+\[accept queue: 1 of 8\]\s+\[no fd: ESTABLISHED\]",
                part4), "the accept queue is not shown holding the connection")
check(re.search(r"close\(\) \[client, listener\]\s+no fds left\s+\[no fd: TIME_WAIT\]", part4),
      "the client's TIME_WAIT is not shown")

m = re.search(r"SO_RCVBUF was (\d+) .*, asked (\d+), stored (\d+)", out)
check(m, "no SO_RCVBUF line")
sk = socket.socket()
before = sk.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(m.group(2)))
after = sk.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
sk.close()
check((int(m.group(1)), int(m.group(3))) == (before, after), f"SO_RCVBUF {m.groups()} vs {before}, {after}")
check(re.search(r"a function call \d+\.\d ns; a system call \(getppid\) \d+ ns", out), "no system call cost")
print("ok")
