/* SPDX-License-Identifier: MIT */
/* stats: a set of samples and its summary (percentiles by nearest rank). */
#ifndef NIC2APP_STATS_H
#define NIC2APP_STATS_H

#include <stddef.h>

struct samples {
	double *v;
	size_t n;
	size_t cap;
};

struct summary {
	size_t n;
	double min, max, mean;
	double p1, p10;             /* the slow tail of a throughput (higher is better) */
	double p25, p50, p75, p90, p99, p999; /* p25..p75: the middle half, the spread */
};

#define SAMPLES_INIT { 0 }

int samples_add(struct samples *s, double value);
/* Sorts the samples in place. -EINVAL when there are none. */
int samples_summarize(struct samples *s, struct summary *out);
void samples_release(struct samples *s);
/* Nearest-rank percentile of sorted values, q in [0, 1]. */
double percentile_sorted(const double *sorted, size_t n, double q);

#endif
