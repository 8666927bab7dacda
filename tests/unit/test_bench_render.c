// SPDX-License-Identifier: MIT
/*
 * test_bench_render: bench results on hand-made figures, rendered three ways (text, JSON,
 * the HTML page), must say the same thing (issue 13 item 17): a function call of 0.4 ns is
 * 0.4 ns in each; a throughput's tail is its slow side, named so; a copy made by design
 * (read + write) is not told like a zero-copy way the kernel copied anyway; a round trip to
 * a peer says where each end ran.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/bench_render.h"
#include "nic2app/report.h"

static struct bench_result *add(struct bench_results *r, const char *name, const char *unit,
				double value)
{
	struct bench_result *res = bench_result_new(r, name, unit);

	assert_non_null(res);
	res->value = value;
	return res;
}

/* A throughput of five runs, 1 to 5 GB/s: the slow tail is the 1 GB/s run. */
static void five_runs(struct bench_result *res)
{
	res->dist = (struct summary){ .n = 5, .min = 1, .p1 = 1, .p10 = 1, .p25 = 2, .p50 = 3,
				      .p75 = 4, .p90 = 5, .p99 = 5, .p999 = 5, .max = 5, .mean = 3 };
	res->value = 3;
}

static void render_all(const struct bench_results *r, struct strbuf *text, struct strbuf *json,
		       struct strbuf *html)
{
	struct bench_machine m = { .kernel = "6.18", .cpus = 2 };
	struct report rep = { .bench = r, .machine = &m, .version = "test", .when = 0 };

	bench_results_render(text, r, "", false);
	assert_int_equal(bench_json(json, &m, r), 0);
	assert_int_equal(report_html(html, &rep), 0);
}

static void test_function_call_everywhere(void **state)
{
	struct bench_results r = { 0 };
	struct strbuf text = STRBUF_INIT, json = STRBUF_INIT, html = STRBUF_INIT;
	struct bench_result *res = add(&r, "syscall.function_call", "ns", 0.4);

	(void)state;
	res->dist = (struct summary){ .n = 100, .min = 0.3, .p50 = 0.4, .p99 = 0.6, .max = 0.9 };
	render_all(&r, &text, &json, &html);
	assert_non_null(strstr(strbuf_str(&text), "0.4 ns"));
	assert_null(strstr(strbuf_str(&text), " 0 ns"));
	assert_non_null(strstr(strbuf_str(&json), "\"value\":0.4,"));
	assert_non_null(strstr(strbuf_str(&html), ">0.4 ns<"));
	assert_null(strstr(strbuf_str(&html), ">1 ns<"));
	strbuf_release(&text);
	strbuf_release(&json);
	strbuf_release(&html);
	bench_results_release(&r);
}

static void test_throughput_tail_is_slow(void **state)
{
	struct bench_results r = { 0 };
	struct strbuf text = STRBUF_INIT, json = STRBUF_INIT, html = STRBUF_INIT;
	const char *t;

	(void)state;
	five_runs(add(&r, "zerocopy.sendfile", "GB/s", 3));
	add(&r, "rtt.tcp_lo.pinned", "ns", 20000)->dist =
		(struct summary){ .n = 100, .p1 = 15000, .p50 = 20000, .p99 = 31000, .max = 40000 };
	render_all(&r, &text, &json, &html);
	t = strbuf_str(&text);
	/* the tail column is the slow side, and says which percentile it is */
	assert_non_null(strstr(t, "slow tail"));
	assert_non_null(strstr(t, "1.00 GB/s (p1)"));
	assert_null(strstr(t, "5.00 GB/s"));
	assert_non_null(strstr(t, "31.00 \u00b5s (p99)"));
	/* JSON keeps p99 as the 99th percentile and adds the slow side of a throughput */
	assert_non_null(strstr(strbuf_str(&json), "\"higher_is_better\":true"));
	assert_non_null(strstr(strbuf_str(&json), "\"p1\":1.000"));
	assert_non_null(strstr(strbuf_str(&json), "\"p10\":1.000"));
	strbuf_release(&text);
	strbuf_release(&json);
	strbuf_release(&html);
	bench_results_release(&r);
}

static void test_copied_by_design_or_anyway(void **state)
{
	struct bench_results r = { 0 };
	struct strbuf text = STRBUF_INIT, json = STRBUF_INIT, html = STRBUF_INIT;
	struct bench_result *rw = add(&r, "zerocopy.read_write", "GB/s", 3);
	struct bench_result *zc = add(&r, "zerocopy.msg_zerocopy", "GB/s", 2);
	struct bench_result *uring = add(&r, "zerocopy.io_uring_send_zc", "GB/s", 4);
	const char *t, *j;

	(void)state;
	five_runs(rw);
	rw->copied = BENCH_COPIED_YES;
	rw->copied_by_design = true;
	five_runs(zc);
	zc->copied = BENCH_COPIED_YES;
	five_runs(uring);
	uring->copied = BENCH_COPIED_NO;
	render_all(&r, &text, &json, &html);
	t = strbuf_str(&text);
	j = strbuf_str(&json);
	assert_non_null(strstr(t, "copies by design"));
	assert_int_equal(strstr(t, "kernel copied anyway") != NULL, 1);
	assert_null(strstr(strstr(t, "zerocopy.read_write"), "kernel copied\n"));
	/* one "copied anyway": msg_zerocopy's */
	assert_null(strstr(strstr(t, "kernel copied anyway") + 1, "kernel copied anyway"));
	assert_non_null(strstr(t, "no copy"));
	assert_non_null(strstr(j, "\"copied\":true,\"copied_by_design\":true"));
	assert_non_null(strstr(j, "\"copied\":true,\"copied_by_design\":false"));
	assert_non_null(strstr(j, "\"copied\":false,\"copied_by_design\":false"));
	strbuf_release(&text);
	strbuf_release(&json);
	strbuf_release(&html);
	bench_results_release(&r);
}

/* bench --peer round trips say where each end ran, as journey does (issue 13 item 18). */
static void test_peer_ends(void **state)
{
	struct bench_results r = { 0 };
	struct strbuf text = STRBUF_INIT, json = STRBUF_INIT, html = STRBUF_INIT;
	struct bench_result *peer = add(&r, "rtt.tcp_peer", "ns", 6560);
	struct bench_result *local = add(&r, "rtt.tcp_lo.blocking", "ns", 20000);

	(void)state;
	peer->dist = (struct summary){ .n = 2000, .p50 = 6560, .p99 = 99000 };
	peer->ends = (struct bench_ends){ .known = true, .client_cpu = -1, .server_cpu = -1,
					  .client_on = { [0] = 1800, [1] = 200 }, .client_moves = 12,
					  .server_is_peer = true, .peer_on_this_machine = true };
	local->dist = (struct summary){ .n = 2000, .p50 = 20000, .p99 = 30000 };
	local->ends = (struct bench_ends){ .known = true, .client_cpu = 0, .server_cpu = 1 };
	render_all(&r, &text, &json, &html);
	assert_non_null(strstr(strbuf_str(&text), "rtt.tcp_peer: ran on: this end not pinned, on "
				"CPU 0 in 1800 rounds, CPU 1 in 200 rounds (it moved 12 times), the peer "
				"not pinned by this end, its CPUs not known here (it is on this machine"));
	assert_non_null(strstr(strbuf_str(&json), "\"ends\":{\"client\":{\"pinned\":false,"
				"\"rounds_by_cpu\":{\"0\":1800,\"1\":200},\"moves\":12},\"server\":"
				"{\"peer\":true,\"pinned\":null,\"on_this_machine\":true}}"));
	assert_non_null(strstr(strbuf_str(&json), "\"ends\":{\"client\":{\"pinned\":true,"
				"\"cpu\":0},\"server\":{\"peer\":false,\"pinned\":true,\"cpu\":1}}"));
	strbuf_release(&text);
	strbuf_release(&json);
	strbuf_release(&html);
	bench_results_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_function_call_everywhere),
		cmocka_unit_test(test_throughput_tail_is_slow),
		cmocka_unit_test(test_copied_by_design_or_anyway),
		cmocka_unit_test(test_peer_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
