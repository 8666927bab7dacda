// SPDX-License-Identifier: MIT
/*
 * bench_syscall: the cost of entering the kernel, beside a plain function call. The timing
 * is syscost's: batches of consecutive calls between two CLOCK_MONOTONIC readings, so the
 * clock's own ~20 ns is spread over the batch; each sample is one batch's mean per call.
 */
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/bench.h"
#include "nic2app/syscost.h"

struct syscall_case {
	enum syscost_op op;
	const char *name;
	const char *typical;
};

static const struct syscall_case cases[] = {
	{ SYSCOST_FUNCTION_CALL, "syscall.function_call", NULL },
	{ SYSCOST_GETPPID, "syscall.getppid", "~100-300 ns" },
	{ SYSCOST_GETSOCKOPT, "syscall.getsockopt", "~100-300 ns" },
	{ SYSCOST_SOCKET_CLOSE, "syscall.socket_close", NULL },
};

int bench_syscall(const struct bench_opts *o, struct bench_results *out)
{
	size_t batches = o->quick ? 3000 : 20000;
	double baseline = NAN;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct syscost_result sr;
		struct bench_result *res;
		int err;

		if (o->stop && *o->stop)
			return -EINTR;
		if (o->progress)
			o->progress(o->progress_ctx, cases[i].name);
		if ((err = syscost_measure(cases[i].op, batches, 0, &sr)) < 0)
			return err;
		if (!(res = bench_result_new(out, cases[i].name, "ns")))
			return -ENOMEM;
		res->value = sr.ns.p50;
		res->dist = sr.ns;
		res->what = sr.what;
		res->module_typical = cases[i].typical;
		if (cases[i].op == SYSCOST_FUNCTION_CALL)
			baseline = sr.ns.p50;
		snprintf(res->note, sizeof(res->note), "per call: the mean of each batch of %u calls "
			 "(%zu batches)", sr.batch, batches);
		if (cases[i].op != SYSCOST_FUNCTION_CALL && baseline > 0)
			snprintf(res->note + strlen(res->note), sizeof(res->note) - strlen(res->note),
				 "; %.0f times a function call", sr.ns.p50 / baseline);
	}
	return 0;
}
