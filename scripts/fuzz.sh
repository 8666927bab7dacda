#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fuzz.sh: run one libFuzzer target (build/fuzz/fuzz_NAME, from `make fuzz`) for SECONDS on a
# working copy of its corpus (build/fuzz/corpus/NAME, seeded from tests/fuzz/corpus/NAME, kept
# between runs; tests/fuzz/regressions/NAME is read too, never written). Prints one line: runs,
# runs per second, coverage. A crash, leak or timeout fails, with the report and the input.
#   scripts/fuzz.sh NAME SECONDS [BINARY]
set -u
cd "$(dirname "$0")/.." || exit 1
name=$1 seconds=$2 bin=${3:-build/fuzz/fuzz_$1}
work=build/fuzz
corpus=$work/corpus/$name crashes=$work/crashes/$name log=$work/log/$name.log
mkdir -p "$corpus" "$crashes" "$work/log" || exit 1
# seeds the working copy lacks (it keeps what earlier runs found)
for f in tests/fuzz/corpus/"$name"/*; do
	[ -e "$corpus/${f##*/}" ] || cp "$f" "$corpus/" || exit 1
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$crashes/" "$corpus" "tests/fuzz/regressions/$name" >"$log" 2>&1
rc=$?

# "#123456 DONE cov: 523 ft: 1822 corp: 301/12Kb lim: 4096 exec/s: 4115 rss: 60Mb"
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
if [ $rc -eq 0 ]; then
	printf '  %-6s %s: %s runs in %ss (%s/s), cov %s, ft %s, corpus %s\n' FUZZ "$name" \
		"${runs:-?}" "$seconds" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
	exit 0
fi
printf 'FAIL fuzz %s (exit %d after %s runs); the input: %s\n' "$name" "$rc" "${runs:-?}" \
	"$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)"
grep -v '^#[0-9]' "$log" | tail -n 60 | sed 's/^/     | /'
exit 1
