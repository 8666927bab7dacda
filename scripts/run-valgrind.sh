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
# System calls valgrind does not know (the program gets ENOSYS) are noted in DIR/unhandled.
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

# --trace-children: nic2app tour starts the examples; a forked child is always followed
cat >"$dir/vg" <<EOF
#!/bin/sh
# made by scripts/run-valgrind.sh: run a program under memcheck, its report in $dir/logs
exec $VALGRIND --tool=memcheck --leak-check=full \\
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \\
	--error-exitcode=99 --track-fds=no --trace-children=yes --num-callers=30 \\
	--log-file=$dir/logs/%p.log "\$@"
EOF
wrap() { # wrap PROGRAM WRAPPER
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$dir/vg" "$1" >"$2"
}
wrap "$real/nic2app" "$dir/bin/nic2app"
for e in "$real"/examples/*; do
	[ -x "$e" ] && [ -f "$e" ] && wrap "$e" "$dir/bin/examples/${e##*/}"
done
chmod 755 "$dir/vg" "$dir"/bin/nic2app "$dir"/bin/examples/*

echo "valgrind: $("$VALGRIND" --version), programs from $real, reports in $dir"
start=$(date +%s)
export TEST_WRAPPER=$dir/vg TEST_PROGRAMS=$dir/bin TEST_AFTER="$PWD/scripts/run-valgrind.sh --check-logs $dir"
export TEST_TIMEOUT=${TEST_TIMEOUT:-1200} NIC2APP_VALGRIND=1
scripts/run-tests.sh "$@"
rc=$?
if [ -s "$dir/unhandled" ]; then
	echo "valgrind: system calls it does not know (ENOSYS to our programs):" \
		"$(sort -nu "$dir/unhandled" | tr '\n' ' ')"
fi
echo "valgrind: $(($(date +%s) - start)) s"
exit $rc
