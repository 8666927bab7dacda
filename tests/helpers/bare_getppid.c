// SPDX-License-Identifier: MIT
/*
 * bare_getppid: the floor for `nic2app bench syscall`: nothing but a loop of
 * syscall(SYS_getppid) between two clock readings, repeated, the median printed in ns per
 * call. `make bench` sets nic2app's figure beside it.
 *
 * Usage: bare_getppid [CALLS [REPEATS]]   (defaults 1000000 and 7)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/stats.h"

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 1000000, repeats = argc > 2 ? atol(argv[2]) : 7;
	struct samples s = SAMPLES_INIT;
	struct summary sum;

	if (calls < 1 || repeats < 1) {
		fprintf(stderr, "usage: bare_getppid [CALLS [REPEATS]]\n");
		return 2;
	}
	for (long r = 0; r < repeats + 1; r++) {
		uint64_t t0 = monotonic_ns();

		for (long i = 0; i < calls; i++)
			syscall(SYS_getppid);
		if (r > 0 && samples_add(&s, (double)(monotonic_ns() - t0) / (double)calls) < 0)
			return 1;
	}
	samples_summarize(&s, &sum);
	printf("%.1f\n", sum.p50);
	samples_release(&s);
	return 0;
}
