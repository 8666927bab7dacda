// SPDX-License-Identifier: MIT
/* bench_results: the growing list of benchmark results, and round-trip histograms. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/bench.h"

struct bench_result *bench_result_new(struct bench_results *r, const char *name,
				      const char *unit)
{
	struct bench_result *res;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct bench_result *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	res = &r->v[r->n++];
	memset(res, 0, sizeof(*res));
	snprintf(res->name, sizeof(res->name), "%s", name);
	snprintf(res->unit, sizeof(res->unit), "%s", unit);
	res->value = NAN;
	res->syscalls_per_mib = res->cpu_s_per_gib = res->syscalls_per_msg = NAN;
	res->copied = BENCH_COPIED_UNKNOWN;
	return res;
}

void bench_results_release(struct bench_results *r)
{
	free(r->v);
	*r = (struct bench_results){ 0 };
}

void bench_hist_add(struct bench_result *res, double ns)
{
	int k = 0;

	res->has_hist = true;
	if (ns >= 1)
		k = (int)floor(log2(ns));
	if (k >= BENCH_HIST_BUCKETS)
		k = BENCH_HIST_BUCKETS - 1;
	res->hist[k]++;
}

bool bench_higher_is_better(const struct bench_result *res)
{
	return strcmp(res->unit, "GB/s") == 0 || strcmp(res->unit, "msg/s") == 0;
}
