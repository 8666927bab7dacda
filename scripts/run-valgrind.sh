#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-valgrind.sh: the test suite (scripts/run-tests.sh) with our programs under valgrind's
# memcheck: the unit tests and fuzz replays directly, nic2app and the examples through
# wrappers the end-to-end tests run in their place (Python itself is not checked). A test
# fails if any of its processes had a memory error or leaked (definitely or indirectly).
#   BUILD=build scripts/run-valgrind.sh [NAME-FILTER]
# Reports of failed processes are kept in $BUILD/valgrind/failed. After each test,
# run-tests.sh calls `run-valgrind.sh --check-logs DIR` (TEST_AFTER) to read the reports.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}

# check_logs DIR: print and keep the reports with errors, drop the clean ones; fails if any
# had errors. A process still running (a test's last child ending) is given time to finish.
# System calls valgrind does not know (the program gets ENOSYS) are noted in DIR/unhandled,
# reports a process never finished (it was killed) in DIR/unfinished.
check_logs() {
	local dir=$1 bad=0 f pid n
	for f in "$dir"/logs/*.log; do
		[ -f "$f" ] || continue
		pid=${f##*/}; pid=${pid%.log}
		for ((n = 0; n < 60; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 1
		done
		sed -n 's/.*WARNING: unhandled .* syscall: \([0-9]*\).*/\1/p' "$f" >>"$dir/unhandled"
		grep -q 'ERROR SUMMARY' "$f" || sed -n 's/^==[0-9]*== Command: //p' "$f" | head -n 1 \
			>>"$dir/unfinished"
		if grep -q -e 'ERROR SUMMARY: [1-9]' -e 'Valgrind: FATAL' -e "the 'impossible' happened" \
			-e 'out of memory' "$f"; then
			bad=1
			echo "valgrind: $(sed -n 's/^==[0-9]*== Command: //p' "$f" | head -n 1)"
			cat "$f"
			mv "$f" "$dir/failed/"
		else
			rm -f "$f"
		fi
	done
	return $bad
}

if [ "${1:-}" = --check-logs ]; then
	check_logs "$2"
	exit
fi

VALGRIND=$(command -v valgrind) || {
	echo "nic2app: valgrind is not installed (scripts/deps.sh valgrind installs it)" >&2
	exit 1
}
dir=$PWD/$BUILD/valgrind
real=$PWD/$BUILD
[ -x "$real/nic2app" ] || { echo "nic2app: no $real/nic2app: run make first" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/bin/examples" "$dir/logs" "$dir/failed" || exit 1
# the unprivileged tests run the programs as nobody: the reports must be writable by anyone
chmod 1777 "$dir/logs"

# Valgrind 3.19 lets no other thread run while one waits in io_uring_enter, so a ring that
# waits for another thread never completes: a preloaded library makes io_uring unavailable
# (ENOSYS, as on a kernel without it), and the programs take their path for that.
# shellcheck disable=SC2046
${CC:-cc} -shared -fPIC -O2 -Wall -Wextra -Werror $(pkg-config --cflags liburing) \
	-o "$dir/no_io_uring.so" tests/valgrind/no_io_uring.c || exit 1

# --trace-children: nic2app tour starts the examples; a forked child is always followed.
# The report goes to an fd opened here, the last one under the limit, among valgrind's own
# fds: --log-file would leave an fd open in the program (valgrind 3.19), which moves the
# program's fds up by one, and a program's close_range() would close a lower one.
cat >"$dir/vg" <<EOF
#!/bin/bash
# made by scripts/run-valgrind.sh: run a program under memcheck, its report in $dir/logs
fd=\$((\$(ulimit -n) - 1))
eval "exec \$fd>$dir/logs/\$\$.log" || exit 1
export LD_PRELOAD=$dir/no_io_uring.so\${LD_PRELOAD:+:\$LD_PRELOAD}
exec $VALGRIND --tool=memcheck --leak-check=full \\
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \\
	--error-exitcode=99 --track-fds=no --trace-children=yes --num-callers=30 \\
	--suppressions=$PWD/tests/valgrind/libbpf.supp --log-fd=\$fd "\$@"
EOF
wrap() { # wrap PROGRAM WRAPPER
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$dir/vg" "$1" >"$2"
}
wrap "$real/nic2app" "$dir/bin/nic2app"
for e in "$real"/examples/*; do
	[ -x "$e" ] && [ -f "$e" ] && wrap "$e" "$dir/bin/examples/${e##*/}"
done
chmod 755 "$dir/vg" "$dir"/bin/nic2app "$dir"/bin/examples/*

# Tests that signal a program at given moments add the time valgrind takes to start it
# (three times what it takes here, a second at least) to each moment.
t0=$(date +%s%N)
"$dir/bin/nic2app" --version >/dev/null || exit 1
t1=$(date +%s%N)
rm -f "$dir"/logs/*.log
NIC2APP_STARTUP_S=$(awk -v ns=$((t1 - t0)) 'BEGIN { s = 3 * ns / 1e9; printf "%.2f", s < 1 ? 1 : s }')

echo "valgrind: $("$VALGRIND" --version), programs from $real, reports in $dir;" \
	"io_uring made unavailable; a program takes up to ${NIC2APP_STARTUP_S} s to start"
start=$(date +%s)
export TEST_WRAPPER=$dir/vg TEST_PROGRAMS=$dir/bin TEST_AFTER="$PWD/scripts/run-valgrind.sh --check-logs $dir"
export TEST_TIMEOUT=${TEST_TIMEOUT:-600} NIC2APP_VALGRIND=1 NIC2APP_STARTUP_S
scripts/run-tests.sh "$@"
rc=$?
if [ -s "$dir/unhandled" ]; then
	echo "valgrind: system calls it does not know (ENOSYS to our programs):" \
		"$(sort -nu "$dir/unhandled" | tr '\n' ' ')"
fi
if [ -s "$dir/unfinished" ]; then
	echo "valgrind: $(wc -l <"$dir/unfinished") processes killed before their report" \
		"(SIGKILL by a test or a timeout), in $dir/unfinished"
fi
echo "valgrind: $(($(date +%s) - start)) s"
exit $rc
