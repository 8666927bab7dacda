// SPDX-License-Identifier: MIT
/* test_export: the exporter's text (escaping, both formats, the families of a made-up
 * collection), Accept negotiation, HTTP request parsing and the top-N fold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/export.h"
#include "nic2app/journey_live.h"

static char *label(const char *v)
{
	struct strbuf sb = STRBUF_INIT;

	export_label_value(&sb, v);
	return sb.buf ? sb.buf : strdup("");
}

static void test_label_escapes(void **state)
{
	char *s;

	(void)state;
	s = label("a\"b\\c\nd");
	assert_string_equal(s, "a\\\"b\\\\c\\nd");
	free(s);
	s = label("caf\xc3\xa9 \xff!"); /* valid UTF-8 kept, a stray byte replaced */
	assert_string_equal(s, "caf\xc3\xa9 \xef\xbf\xbd!");
	free(s);
	s = label("tab\tok");
	assert_string_equal(s, "tab\tok");
	free(s);
}

static void test_help_escapes(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	(void)state;
	export_help_text(&a, EXPORT_TEXT, "a \"q\" \\ \n");
	export_help_text(&b, EXPORT_OPENMETRICS, "a \"q\" \\ \n");
	assert_string_equal(a.buf, "a \"q\" \\\\ \\n");
	assert_string_equal(b.buf, "a \\\"q\\\" \\\\ \\n");
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_accept(void **state)
{
	(void)state;
	assert_int_equal(export_format_for_accept(NULL), EXPORT_TEXT);
	assert_int_equal(export_format_for_accept(""), EXPORT_TEXT);
	assert_int_equal(export_format_for_accept("*/*"), EXPORT_TEXT);
	/* what Prometheus 2.42 sends */
	assert_int_equal(export_format_for_accept(
		"application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
		"version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"), EXPORT_OPENMETRICS);
	assert_int_equal(export_format_for_accept(
		"application/openmetrics-text; version=1.0.0; q=0.2, text/plain; version=0.0.4"),
		EXPORT_TEXT);
	/* a version we do not speak, or q=0, is not chosen */
	assert_int_equal(export_format_for_accept("application/openmetrics-text;version=0.0.1"),
			 EXPORT_TEXT);
	assert_int_equal(export_format_for_accept("application/openmetrics-text;q=0"), EXPORT_TEXT);
	assert_int_equal(export_format_for_accept("Application/OpenMetrics-Text"), EXPORT_OPENMETRICS);
	assert_int_equal(export_format_for_accept("application/json"), EXPORT_TEXT);
}

static int parse(const char *text, struct export_request *r)
{
	return export_request_parse(text, strlen(text), r);
}

static void test_request_parse(void **state)
{
	struct export_request r;
	char big[EXPORT_REQUEST_MOST + 100];

	(void)state;
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &r), 0);
	assert_int_equal(parse("GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\nAccept: "
			       "application/openmetrics-text\r\nX-Prometheus-Scrape-Timeout-Seconds: "
			       "2.5\r\n\r\nbody", &r), 1);
	assert_int_equal(r.route, EXPORT_ROUTE_METRICS);
	assert_int_equal(r.format, EXPORT_OPENMETRICS);
	assert_true(r.scrape_timeout_s == 2.5);
	assert_false(r.head);
	assert_int_equal(r.length, strlen("GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\nAccept: "
					  "application/openmetrics-text\r\nX-Prometheus-Scrape-Timeout-Seconds: "
					  "2.5\r\n\r\n"));
	/* bare LF, HEAD, HTTP/1.0, other paths */
	assert_int_equal(parse("HEAD / HTTP/1.0\n\n", &r), 1);
	assert_true(r.head);
	assert_int_equal(r.route, EXPORT_ROUTE_INDEX);
	assert_int_equal(parse("GET /metricsx HTTP/1.1\r\n\r\n", &r), 1);
	assert_int_equal(r.route, EXPORT_ROUTE_NOT_FOUND);
	/* Accept headers that repeat are joined */
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nAccept: text/plain;q=0.1\r\n"
			       "Accept: application/openmetrics-text;version=1.0.0\r\n\r\n", &r), 1);
	assert_int_equal(r.format, EXPORT_OPENMETRICS);
	/* refusals */
	assert_int_equal(parse("POST /metrics HTTP/1.1\r\n\r\n", &r), -ENOSYS);
	assert_int_equal(parse("GET /metrics HTTP/2.0\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse("GET metrics HTTP/1.1\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nno colon\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse("\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse("\x16\x03\x01\x02", &r), -EBADMSG); /* a TLS hello, at once */
	assert_int_equal(export_request_parse("GET /\0 HTTP/1.1\r\n\r\n", 20, &r), -EBADMSG);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	assert_int_equal(export_request_parse(big, EXPORT_REQUEST_MOST - 1, &r), 0);
	assert_int_equal(export_request_parse(big, EXPORT_REQUEST_MOST, &r), -EMSGSIZE);
	memcpy(big + EXPORT_REQUEST_MOST + 10, "\r\n\r\n", 4);
	assert_int_equal(export_request_parse(big, EXPORT_REQUEST_MOST + 14, &r), -EMSGSIZE);
}

/* A made-up collection: three processes, one of them with sockets and a listener. */
static void make_data(struct export_data *d)
{
	static const struct export_sockets tcp = { "inet", "tcp", "ESTABLISHED", 2, true, 10, 20 };
	static const struct export_listener l = { "inet", "tcp", "127.0.0.1:80", 3, 128 };

	memset(d, 0, sizeof(*d));
	d->n_procs = 3;
	d->procs = calloc(3, sizeof(*d->procs));
	assert_non_null(d->procs);
	for (int i = 0; i < 3; i++) {
		struct export_process *p = &d->procs[i];

		p->pid = 100 + i;
		strcpy(p->comm, i == 2 ? "we\"ird\n" : "srv");
		strcpy(p->user, "root");
		p->by_type[FD_FILE] = (uint64_t)(i + 1);
		p->by_type[FD_SOCKET] = 2;
		p->fds = p->by_type[FD_FILE] + 2;
		p->limit_soft = 1024;
		p->limit_hard = -1;
		p->sockets = malloc(sizeof(tcp));
		p->listeners = malloc(sizeof(l));
		memcpy(p->sockets, &tcp, sizeof(tcp));
		memcpy(p->listeners, &l, sizeof(l));
		p->n_sockets = p->n_listeners = 1;
	}
	d->files_allocated = 500;
	d->files_max = 1000;
	d->listen_overflows = 7;
	d->listen_drops = 9;
	d->scanned = 3;
	d->duration_s = 0.25;
}

static void test_fold(void **state)
{
	struct export_data d;

	(void)state;
	make_data(&d);
	assert_int_equal(export_fold(&d, 1), 0);
	assert_int_equal(d.n_procs, 2);
	assert_int_equal(d.procs[0].pid, 102); /* the most fds */
	assert_int_equal(d.procs[1].pid, 0);
	assert_string_equal(d.procs[1].comm, "other");
	assert_int_equal(d.procs[1].fds, 3 + 4);
	assert_int_equal(d.procs[1].by_type[FD_FILE], 1 + 2);
	assert_int_equal(d.procs[1].n_sockets, 1);
	assert_int_equal(d.procs[1].sockets[0].count, 4);
	assert_int_equal(d.procs[1].sockets[0].recv_q, 20);
	assert_int_equal(d.procs[1].n_listeners, 1);
	assert_string_equal(d.procs[1].listeners[0].local, "other");
	assert_int_equal(d.procs[1].listeners[0].max, 256);
	export_data_release(&d);
}

static void test_render_both(void **state)
{
	struct strbuf t = STRBUF_INIT, o = STRBUF_INIT;
	struct export_data d;

	(void)state;
	make_data(&d);
	assert_int_equal(export_fold(&d, 2), 0);
	assert_int_equal(export_render(&t, EXPORT_TEXT, &d, "1.2\"3"), 0);
	assert_int_equal(export_render(&o, EXPORT_OPENMETRICS, &d, "1.2\"3"), 0);
	assert_non_null(strstr(t.buf, "# TYPE nic2app_process_fds gauge\n"));
	assert_non_null(strstr(t.buf, "nic2app_process_fds{pid=\"102\",comm=\"we\\\"ird\\n\","
				      "user=\"root\",type=\"file\"} 3\n"));
	assert_non_null(strstr(t.buf, "nic2app_process_fds{pid=\"\",comm=\"other\",user=\"\","
				      "type=\"socket\"} 2\n"));
	assert_non_null(strstr(t.buf, "nic2app_process_fd_limit{pid=\"101\",comm=\"srv\",user=\"root\","
				      "kind=\"hard\"} +Inf\n"));
	assert_null(strstr(t.buf, "nic2app_process_fd_limit{pid=\"\""));
	assert_non_null(strstr(t.buf, "nic2app_process_socket_queue_bytes{pid=\"101\",comm=\"srv\","
				      "user=\"root\",family=\"inet\",proto=\"tcp\",state=\"ESTABLISHED\","
				      "queue=\"send\"} 20\n"));
	assert_non_null(strstr(t.buf, "kind=\"max\"} 128\n"));
	assert_non_null(strstr(t.buf, "# TYPE nic2app_system_tcp_listen_overflows_total counter\n"
				      "nic2app_system_tcp_listen_overflows_total 7\n"));
	assert_non_null(strstr(t.buf, "nic2app_scrape_duration_seconds 0.25\n"));
	assert_non_null(strstr(t.buf, "# TYPE nic2app_build_info gauge\n"
				      "nic2app_build_info{version=\"1.2\\\"3\"} 1\n"));
	assert_null(strstr(t.buf, "# EOF"));
	assert_null(strstr(t.buf, "# UNIT"));
	/* OpenMetrics: bare family names, UNIT, info, EOF last */
	assert_non_null(strstr(o.buf, "# TYPE nic2app_system_tcp_listen_overflows counter\n"
				      "nic2app_system_tcp_listen_overflows_total 7\n"));
	assert_non_null(strstr(o.buf, "# TYPE nic2app_scrape_duration_seconds gauge\n"
				      "# UNIT nic2app_scrape_duration_seconds seconds\n"));
	assert_non_null(strstr(o.buf, "# TYPE nic2app_build info\nnic2app_build_info{"));
	assert_true(o.len > 6 && strcmp(o.buf + o.len - 6, "# EOF\n") == 0);
	strbuf_release(&t);
	strbuf_release(&o);
	export_data_release(&d);
}

/* A made-up live observer's counts: stage 0 saw 0 ns, 32 ns, 33 ns and 2 s; the path
 * histogram one journey of 1 ns past the last bucket written (2^34 ns). */
static struct journey_live_totals *make_live(void)
{
	struct journey_live_totals *t = calloc(1, sizeof(*t));
	struct journey_live_hist *h;

	assert_non_null(t);
	t->nstages = 2;
	t->stage[0] = journey_stage_between(JP_QDISC, JP_XMIT, JOURNEY_VIA_LIVE);
	t->stage[1] = journey_stage_between(JP_ON_CPU, JP_RECV_END, JOURNEY_VIA_LIVE);
	h = &t->stage_hist[0];
	h->bucket[0] = 1;  /* 0 ns */
	h->bucket[5] = 1;  /* 32 ns: (16, 32] */
	h->bucket[6] = 1;  /* 33 ns: (32, 64] */
	h->bucket[31] = 1; /* 2 s: (2^30, 2^31] ns */
	h->count = 5;      /* one more than the buckets: counted, not yet bucketed */
	h->sum_ns = 2000000065;
	t->path[JLP_LOCAL].bucket[35] = 1;
	t->path[JLP_LOCAL].count = 1;
	t->path[JLP_LOCAL].sum_ns = (1ull << 34) + 1;
	t->counts.seen = 9;
	t->counts.done_local = 4;
	t->counts.behind = 2;
	return t;
}

static void test_render_live(void **state)
{
	struct strbuf t = STRBUF_INIT, o = STRBUF_INIT;
	struct export_data d;

	(void)state;
	make_data(&d);
	d.live = make_live();
	assert_int_equal(export_render(&t, EXPORT_TEXT, &d, "1"), 0);
	assert_int_equal(export_render(&o, EXPORT_OPENMETRICS, &d, "1"), 0);
	/* cumulative, each le an exact power of two in seconds, +Inf equal to _count, and the
	 * count the buckets' sum (4), not the histogram's own (5) */
	assert_non_null(strstr(t.buf, "# TYPE nic2app_stage_duration_seconds histogram\n"
		"nic2app_stage_duration_seconds_bucket{stage=\"qdisc\",le=\"3.2e-08\"} 2\n"
		"nic2app_stage_duration_seconds_bucket{stage=\"qdisc\",le=\"6.4e-08\"} 3\n"));
	assert_non_null(strstr(t.buf, "{stage=\"qdisc\",le=\"1.073741824\"} 3\n"
		"nic2app_stage_duration_seconds_bucket{stage=\"qdisc\",le=\"2.147483648\"} 4\n"));
	assert_non_null(strstr(t.buf, "{stage=\"qdisc\",le=\"17.179869184\"} 4\n"
		"nic2app_stage_duration_seconds_bucket{stage=\"qdisc\",le=\"+Inf\"} 4\n"
		"nic2app_stage_duration_seconds_sum{stage=\"qdisc\"} 2.000000065\n"
		"nic2app_stage_duration_seconds_count{stage=\"qdisc\"} 4\n"));
	assert_non_null(strstr(t.buf, "nic2app_stage_duration_seconds_count{stage=\"recv_copy\"} 0\n"));
	/* past the last le: only in +Inf */
	assert_non_null(strstr(t.buf, "{path=\"local\",le=\"17.179869184\"} 0\n"
		"nic2app_journey_duration_seconds_bucket{path=\"local\",le=\"+Inf\"} 1\n"));
	assert_non_null(strstr(t.buf, "nic2app_journey_duration_seconds_count{path=\"to_elsewhere\"} 0\n"));
	assert_non_null(strstr(t.buf, "# TYPE nic2app_packets_total counter\nnic2app_packets_total 9\n"));
	assert_non_null(strstr(t.buf, "nic2app_journeys_total{path=\"local\"} 4\n"));
	assert_non_null(strstr(t.buf, "nic2app_lost_total{reason=\"queued_behind_unread_data\"} 2\n"));
	/* 30 finite buckets and +Inf per histogram: 2 stages and 3 paths */
	{
		size_t n = 0;

		for (const char *c = t.buf; (c = strstr(c, "_bucket{")); c++)
			n++;
		assert_int_equal(n, 5 * 31);
	}
	assert_non_null(strstr(o.buf, "# TYPE nic2app_stage_duration_seconds histogram\n"
				      "# UNIT nic2app_stage_duration_seconds seconds\n"));
	assert_non_null(strstr(o.buf, "# TYPE nic2app_packets counter\nnic2app_packets_total 9\n"));
	strbuf_release(&t);
	strbuf_release(&o);
	export_data_release(&d); /* frees d.live too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escapes),
		cmocka_unit_test(test_help_escapes),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_request_parse),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_render_both),
		cmocka_unit_test(test_render_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
