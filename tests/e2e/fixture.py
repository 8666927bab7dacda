# SPDX-License-Identifier: MIT
"""fixture: run tests/helpers/fd_fixture (a process that opens named kinds of fds and
prints a manifest of them) and talk to it; always stopped and reaped, even on failure."""
import json
import os
import subprocess

from e2e import BUILD, fail

FIXTURE = os.path.join(BUILD, "tests", "helpers", "fd_fixture")


class Fixture:
    def __init__(self, *args, prefix=(), program=FIXTURE):
        if not os.access(program, os.X_OK):
            fail(f"{program} is not built")
        self.proc = subprocess.Popen([*prefix, program, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            fail(f"fd_fixture printed no manifest: {self.proc.stderr.read()}")
        self.manifest = json.loads(line)
        self.pid = self.manifest["pid"]

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
