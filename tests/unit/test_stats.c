// SPDX-License-Identifier: MIT
/* test_stats: nearest-rank percentiles and summaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "nic2app/stats.h"

static void test_nearest_rank(void **state)
{
	double v[100];
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		v[i] = i + 1; /* 1..100: the q-th percentile is exactly 100*q */
	assert_true(percentile_sorted(v, 100, 0.50) == 50);
	assert_true(percentile_sorted(v, 100, 0.99) == 99);
	assert_true(percentile_sorted(v, 100, 1.0) == 100);
	assert_true(percentile_sorted(v, 100, 0.0) == 1);
	assert_true(percentile_sorted(v, 1, 0.5) == 1);
	assert_true(isnan(percentile_sorted(v, 0, 0.5)));
}

static void test_summary_sorts_and_summarizes(void **state)
{
	struct samples s = SAMPLES_INIT;
	struct summary sum;
	int i;

	(void)state;
	assert_int_equal(samples_summarize(&s, &sum), -22); /* no samples */
	for (i = 2000; i >= 1; i--) /* added in reverse order, more than one allocation */
		assert_int_equal(samples_add(&s, i), 0);
	assert_int_equal(samples_summarize(&s, &sum), 0);
	assert_int_equal(sum.n, 2000);
	assert_true(sum.min == 1 && sum.max == 2000);
	assert_true(sum.p50 == 1000 && sum.p90 == 1800 && sum.p99 == 1980 && sum.p999 == 1998);
	assert_true(fabs(sum.mean - 1000.5) < 1e-9);
	samples_release(&s);
	assert_null(s.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nearest_rank),
		cmocka_unit_test(test_summary_sorts_and_summarizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
