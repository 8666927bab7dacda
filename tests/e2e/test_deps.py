# SPDX-License-Identifier: MIT
"""scripts/deps.sh: with nothing missing it does nothing; as a non-root user with libraries
missing (pkg-config made blind) it names the exact apt-get command and exits non-zero."""
import os
import shutil
import tempfile

from e2e import ROOT, check, run, skip

deps = os.path.join(ROOT, "scripts/deps.sh")
r = run([deps])
check(r.returncode == 0 and r.stderr == b"", f"nothing missing: exit {r.returncode} {r.stderr!r}")

if os.getuid() != 0 or not shutil.which("setpriv"):
    skip("needs root and setpriv to run deps.sh as an unprivileged user")
env = dict(os.environ, PKG_CONFIG_LIBDIR="/nonexistent", PKG_CONFIG_PATH="")
# a copy the unprivileged user can read, wherever the checkout lives
with tempfile.TemporaryDirectory() as d:
    os.chmod(d, 0o755)
    copy = shutil.copy(deps, os.path.join(d, "deps.sh"))
    os.chmod(copy, 0o755)
    r = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", copy], env=env,
            cwd="/")
err = r.stderr.decode()
check(r.returncode == 1, f"non-root with missing packages: exit {r.returncode}")
check("sudo apt-get install -y --no-install-recommends liburing-dev libmnl-dev libcmocka-dev"
      in err, f"deps.sh did not name the command: {err!r}")
print("ok")
