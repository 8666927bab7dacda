// SPDX-License-Identifier: MIT
/* stats: sample sets and their percentiles. Nearest rank, so every percentile is a real sample. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "nic2app/stats.h"

int samples_add(struct samples *s, double value)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		double *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = value;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double percentile_sorted(const double *sorted, size_t n, double q)
{
	size_t rank;

	if (n == 0)
		return NAN;
	rank = (size_t)ceil(q * (double)n); /* nearest rank: smallest value with >= q of samples at or below */
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

int samples_summarize(struct samples *s, struct summary *out)
{
	double sum = 0;
	size_t i;

	if (s->n == 0)
		return -EINVAL;
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	for (i = 0; i < s->n; i++)
		sum += s->v[i];
	out->n = s->n;
	out->min = s->v[0];
	out->max = s->v[s->n - 1];
	out->mean = sum / (double)s->n;
	out->p1 = percentile_sorted(s->v, s->n, 0.01);
	out->p10 = percentile_sorted(s->v, s->n, 0.10);
	out->p25 = percentile_sorted(s->v, s->n, 0.25);
	out->p50 = percentile_sorted(s->v, s->n, 0.50);
	out->p75 = percentile_sorted(s->v, s->n, 0.75);
	out->p90 = percentile_sorted(s->v, s->n, 0.90);
	out->p99 = percentile_sorted(s->v, s->n, 0.99);
	out->p999 = percentile_sorted(s->v, s->n, 0.999);
	return 0;
}

void samples_release(struct samples *s)
{
	free(s->v);
	*s = (struct samples)SAMPLES_INIT;
}
