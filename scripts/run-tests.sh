#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-tests.sh: run every unit test (cmocka, one count per test case), every fuzz target's
# replay of its committed corpus and regressions (one count per target) and every end-to-end
# test (tests/e2e/test_*.py, one count each), each under a timeout. Exit 77 means skipped;
# the test's last line says why. Ends with the kernel version and "N passed, N failed".
#   BUILD=build scripts/run-tests.sh [NAME-FILTER]
# For a checker such as valgrind (scripts/run-valgrind.sh sets these):
#   TEST_WRAPPER  a command the unit-test binaries run under
#   TEST_PROGRAMS a directory with the nic2app and examples/ to test (default: $BUILD)
#   TEST_AFTER    a command run after each test; if it fails, so does the test (output shown)
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
TIMEOUT=${TEST_TIMEOUT:-120}
filter=${1:-}
read -ra wrapper <<<"${TEST_WRAPPER:-}"
programs=${TEST_PROGRAMS:-$PWD/$BUILD}
export NIC2APP="$programs/nic2app" NIC2APP_EXAMPLES="$programs/examples"
export NIC2APP_BUILD="$PWD/$BUILD" PYTHONDONTWRITEBYTECODE=1
# ASan's leak checker is on by default; make its reports fail the test that has them
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0 skipped=0
failures=()
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT

# run_one NAME COMMAND...: runs with a timeout, output to $log; sets rc, and after_ok
# (false when TEST_AFTER failed)
run_one() {
	local name=$1; shift
	timeout --kill-after=5 "$TIMEOUT" "$@" >"$log" 2>&1 </dev/null
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "  (timed out after ${TIMEOUT}s)" >>"$log"
	fi
	after_ok=true
	if [ -n "${TEST_AFTER:-}" ] && ! $TEST_AFTER >>"$log" 2>&1; then
		after_ok=false
	fi
}

for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	name=unit/${t##*/}
	[ -n "$filter" ] && [[ $name != *$filter* ]] && continue
	run_one "$name" "${wrapper[@]}" "$t"
	ok=$(grep -c '^\[       OK \]' "$log")
	run=$(grep -c '^\[ RUN      \]' "$log")
	# cmocka's summary line: "[  SKIPPED ] N test(s), listed below:"
	skip=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s).*/\1/p' "$log")
	skip=${skip:-0}
	bad=$((run - ok - skip))
	skipped=$((skipped + skip))
	# a crash or a sanitizer report ends the binary abnormally: count at least one failure
	if { [ $rc -ne 0 ] || ! $after_ok; } && [ $bad -eq 0 ]; then bad=1; fi
	passed=$((passed + ok)); failed=$((failed + bad))
	if [ $bad -eq 0 ]; then
		if [ $skip -gt 0 ]; then printf 'PASS %s (%d cases, %d skipped: %s)\n' "$name" "$ok" "$skip" "$(grep -m1 -i 'skipped$' "$log" | sed 's/^ *//')"; else printf 'PASS %s (%d cases)\n' "$name" "$ok"; fi
	else
		printf 'FAIL %s (%d of %d cases failed, exit %d)\n' "$name" "$bad" "$run" "$rc"
		sed 's/^/     | /' "$log"
		failures+=("$name")
	fi
done

# tests/fuzz: the inputs of each target, through the same code as the fuzzer (a crash or a
# sanitizer report fails it)
for t in "$BUILD"/tests/fuzz/replay_*; do
	[ -x "$t" ] || continue
	target=${t##*/replay_}
	name=fuzz/$target
	[ -n "$filter" ] && [[ $name != *$filter* ]] && continue
	run_one "$name" "${wrapper[@]}" "$t" "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target"
	if [ $rc -eq 0 ] && $after_ok; then
		passed=$((passed + 1)); printf 'PASS %s (%s)\n' "$name" "$(tail -n 1 "$log")"
	else
		failed=$((failed + 1)); failures+=("$name")
		printf 'FAIL %s (exit %d)\n' "$name" "$rc"
		sed 's/^/     | /' "$log"
	fi
done

for t in tests/e2e/test_*.py; do
	[ -f "$t" ] || continue
	name=e2e/$(basename "$t" .py)
	[ -n "$filter" ] && [[ $name != *$filter* ]] && continue
	run_one "$name" /usr/bin/python3 "$t"
	if ! $after_ok && { [ $rc -eq 0 ] || [ $rc -eq 77 ]; }; then
		rc=1
	fi
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1)); printf 'PASS %s\n' "$name"
		# what a checker's run left out (e2e.reduced), said on the lines after
		sed -n 's/^reduced under valgrind: /     reduced under valgrind: /p' "$log"
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1))
		printf 'SKIP %s: %s\n' "$name" "$(tail -n 1 "$log")"
	else
		failed=$((failed + 1)); failures+=("$name")
		printf 'FAIL %s (exit %d)\n' "$name" "$rc"
		sed 's/^/     | /' "$log"
	fi
done

echo
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "kernel: $(uname -rv)"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ] && [ $passed -gt 0 ]
