// SPDX-License-Identifier: MIT
/*
 * test_charts: the SVG writer and the three charts, on results made by hand. Each document
 * must be well-formed as far as a small checker can tell (balanced tags, one root, entities
 * only where '&' is, valid UTF-8, no control bytes), have one class="bar" per thing drawn,
 * escape what it is given, keep its label column free of overlaps, and draw to scale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/charts.h"

#define MAX_ELEMENTS 256

/* One element of a document: where its tag starts, and its content when it has some. */
struct element {
	const char *tag;
	double x, y, width;
	char content[256];
};

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

/* The value of attribute name in the tag at tag, or false. */
static bool attr(const char *tag, const char *name, char *out, size_t size)
{
	const char *end = strchr(tag, '>'), *p;
	char key[64];
	size_t n;

	snprintf(key, sizeof(key), " %s=\"", name);
	p = strstr(tag, key);
	if (!p || p > end)
		return false;
	p += strlen(key);
	n = strcspn(p, "\"");
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p);
	return true;
}

static double attr_num(const char *tag, const char *name)
{
	char v[64];

	assert_true(attr(tag, name, v, sizeof(v)));
	return strtod(v, NULL);
}

/* Elements whose tag starts with open (e.g. "<text") and holds has (e.g. "class=\"label\""). */
static size_t elements(const char *xml, const char *open, const char *has, struct element *out)
{
	size_t n = 0, olen = strlen(open);

	for (const char *p = xml; (p = strstr(p, open)) && n < MAX_ELEMENTS; p += olen) {
		const char *end = strchr(p, '>'), *close;
		struct element *e = &out[n];

		if (p[olen] != ' ' || (has && (!strstr(p, has) || strstr(p, has) > end)))
			continue;
		memset(e, 0, sizeof(*e));
		e->tag = p;
		e->x = attr_num(p, strcmp(open, "<line") == 0 ? "x1" : "x");
		e->y = attr_num(p, strcmp(open, "<line") == 0 ? "y1" : "y");
		if (strcmp(open, "<rect") == 0)
			e->width = attr_num(p, "width");
		if (end[-1] != '/' && (close = strstr(end, "</")))
			snprintf(e->content, sizeof(e->content), "%.*s", (int)(close - end - 1), end + 1);
		n++;
	}
	return n;
}

static void assert_valid_text(const char *xml)
{
	const unsigned char *p = (const unsigned char *)xml;
	size_t len = strlen(xml);

	for (size_t i = 0; i < len;) {
		size_t n = utf8_sequence_len(p + i, len - i);

		assert_int_not_equal(n, 0);
		assert_true(p[i] >= 0x20 || p[i] == '\n');
		assert_int_not_equal(p[i], 0x7f);
		i += n;
	}
	for (const char *a = xml; (a = strchr(a, '&')); a++)
		assert_true(strncmp(a, "&amp;", 5) == 0 || strncmp(a, "&lt;", 4) == 0 ||
			    strncmp(a, "&gt;", 4) == 0 || strncmp(a, "&quot;", 6) == 0 ||
			    strncmp(a, "&apos;", 6) == 0);
}

/* Balanced tags under one <svg> root, nothing after it, no '<' inside a tag. */
static void assert_well_formed(const char *xml)
{
	const char *stack[64], *p = xml;
	size_t lens[64];
	int depth = 0;
	bool root_done = false;

	assert_valid_text(xml);
	assert_memory_equal(xml, "<svg ", 5);
	while ((p = strchr(p, '<'))) {
		const char *end = strchr(p, '>'), *name = p + 1 + (p[1] == '/');
		size_t len = strcspn(name, " \n/>");

		assert_non_null(end);
		assert_null(memchr(p + 1, '<', (size_t)(end - p - 1)));
		assert_false(root_done);
		if (p[1] == '/') {
			assert_true(depth > 0);
			depth--;
			assert_int_equal(len, lens[depth]);
			assert_memory_equal(name, stack[depth], len);
			root_done = depth == 0;
		} else if (end[-1] != '/') {
			assert_true(depth < 64);
			stack[depth] = name;
			lens[depth++] = len;
		}
		p = end + 1;
	}
	assert_int_equal(depth, 0);
	assert_true(root_done);
	assert_string_equal(strstr(xml, "</svg>"), "</svg>\n");
}

/* Characters a text's escaped content shows (an entity is one). */
static size_t shown_chars(const char *content)
{
	size_t n = 0;

	for (const char *c = content; *c; c++) {
		if (*c == '&')
			c = strchr(c, ';');
		if (((unsigned char)*c & 0xc0) != 0x80)
			n++;
	}
	return n;
}

/* The label column: one x, rows at least a font size apart, each label ending before the
 * next column starts. */
static void assert_labels_apart(const char *xml, double next_column)
{
	static struct element e[MAX_ELEMENTS];
	size_t n = elements(xml, "<text", "class=\"label\"", e);

	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++) {
		assert_true(e[i].x == e[0].x);
		assert_true(e[i].x + (double)shown_chars(e[i].content) * SVG_CHAR_PX <= next_column);
		for (size_t k = 0; k < i; k++)
			assert_true(fabs(e[i].y - e[k].y) >= SVG_FONT_PX);
	}
}

static void assert_ratio(double a, double b, double want)
{
	assert_true(b > 0);
	assert_true(fabs(a / b - want) <= 0.01 * want);
}

static struct journey_result *journey_new(enum journey_via via)
{
	struct journey_result *j = calloc(1, sizeof(*j));

	assert_non_null(j);
	j->cfg.proto = JOURNEY_UDP;
	j->cfg.via = via;
	j->cfg.size = 64;
	j->method = JOURNEY_METHOD_TRACEFS;
	journey_set_stages(j);
	for (size_t i = 0; i < j->nstages; i++)
		j->stage_ns[i] = (struct summary){ .n = 100, .p50 = 100.0 * (double)(i + 1),
						   .p99 = 300.0 * (double)(i + 1) };
	j->total_ns = (struct summary){ .n = 100, .p50 = 5000, .p99 = 9000 };
	return j;
}

static void test_waterfall(void **state)
{
	static struct element bars[MAX_ELEMENTS], modules[MAX_ELEMENTS];
	struct journey_result *j = journey_new(JOURNEY_VIA_LO);
	unsigned int unobserved = journey_unobserved(JOURNEY_VIA_LO);
	struct strbuf sb = STRBUF_INIT;
	const char *xml;
	size_t n;

	(void)state;
	assert_int_equal(j->nstages, 10); /* UDP over tracefs: every point but the copy */
	assert_int_equal(chart_journey_waterfall(&sb, j), 0);
	xml = strbuf_str(&sb);
	assert_well_formed(xml);
	assert_non_null(strstr(xml, "data-chart=\"waterfall\""));
	assert_int_equal(count(xml, "class=\"bar\""), j->nstages);
	n = elements(xml, "<rect", "class=\"bar\"", bars);
	assert_int_equal(n, j->nstages);
	/* to scale, and each bar starts where the one before it ends */
	assert_ratio(bars[9].width, bars[1].width, 1000.0 / 200.0);
	for (size_t i = 1; i < n; i++)
		assert_true(fabs(bars[i].x - (bars[i - 1].x + bars[i - 1].width)) < 0.02);
	/* the stages this path cannot show, as rows without a bar */
	assert_int_equal(count(xml, "class=\"row unobserved\""), __builtin_popcount(unobserved));
	assert_int_equal(count(xml, "not observable on this path"), __builtin_popcount(unobserved));
	assert_non_null(strstr(xml, "data-name=\"NIC_RECEIVE\""));
	assert_non_null(strstr(xml, "class=\"boundary-band\""));
	assert_non_null(strstr(xml, "<title>Packet journey: UDP, 64 bytes, lo, tracefs</title>"));
	assert_true(elements(xml, "<text", "class=\"module\"", modules) > 0);
	assert_labels_apart(xml, modules[0].x);
	for (size_t i = 0; i < j->nstages; i++)
		assert_true(modules[i].x + (double)shown_chars(modules[i].content) * SVG_CHAR_PX <=
			    bars[0].x);
	strbuf_release(&sb);
	free(j);
}

static void test_waterfall_escapes_what_it_is_given(void **state)
{
	struct journey_result *j = journey_new(JOURNEY_VIA_PEER);
	struct strbuf sb = STRBUF_INIT;
	const char *xml;

	(void)state;
	snprintf(j->peer_name, sizeof(j->peer_name), "<&\"'>\xff\x01 peer");
	snprintf(j->why, sizeof(j->why), "a </title> in the reason");
	assert_int_equal(chart_journey_waterfall(&sb, j), 0);
	xml = strbuf_str(&sb);
	assert_well_formed(xml);
	/* in the <title>, the aria-label and the heading */
	assert_int_equal(count(xml, "&lt;&amp;&quot;&apos;&gt;\xef\xbf\xbd\\x01 peer"), 3);
	assert_non_null(strstr(xml, "a &lt;/title&gt; in the reason"));
	assert_int_equal(count(xml, "not observed on its own"),
			 __builtin_popcount(journey_unobserved(JOURNEY_VIA_PEER)));
	strbuf_release(&sb);
	free(j);
}

static void test_waterfall_without_data(void **state)
{
	struct journey_result *j = journey_new(JOURNEY_VIA_LO);
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	memset(j->stage_ns, 0, sizeof(j->stage_ns)); /* no complete packet */
	assert_int_equal(chart_journey_waterfall(&sb, j), -ENODATA);
	j->nstages = 0;
	assert_int_equal(chart_journey_waterfall(&sb, j), -ENODATA);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
	free(j);
}

static struct bench_result *rtt_new(struct bench_results *r, const char *name, double ns,
				    size_t tail)
{
	struct bench_result *res = bench_result_new(r, name, "ns");

	assert_non_null(res);
	for (size_t i = 0; i < 1000; i++)
		bench_hist_add(res, ns * (1 + (double)(i % 10) / 10));
	for (size_t i = 0; i < tail; i++)
		bench_hist_add(res, ns * 40);
	res->dist = (struct summary){ .n = 1000 + tail, .p50 = ns * 1.4, .p99 = ns * 1.9 };
	res->value = res->dist.p50;
	res->full_round_trip = true;
	return res;
}

static size_t buckets(const struct bench_result *res)
{
	size_t n = 0;

	for (int k = 0; k < BENCH_HIST_BUCKETS; k++)
		n += res->hist[k] != 0;
	return n;
}

static void test_rtt_histograms(void **state)
{
	struct bench_results r = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct bench_result *a, *b, *other;
	const char *xml;

	(void)state;
	assert_int_equal(chart_rtt_histograms(&sb, &r), -ENODATA);
	other = bench_result_new(&r, "ctxswitch.pipe", "ns");
	bench_hist_add(other, 5000); /* a histogram, but no round trip */
	bench_result_new(&r, "rtt.udp_lo.pinned", "ns"); /* a round trip without one */
	assert_int_equal(chart_rtt_histograms(&sb, &r), -ENODATA);
	assert_int_equal(sb.len, 0);
	a = rtt_new(&r, "rtt.tcp_lo.blocking", 9000, 3);
	a->mode = "blocking";
	b = rtt_new(&r, "rtt.unix_stream.busy_poll", 2000, 0);
	assert_int_equal(chart_rtt_histograms(&sb, &r), 0);
	xml = strbuf_str(&sb);
	assert_well_formed(xml);
	assert_non_null(strstr(xml, "data-chart=\"rtt\""));
	assert_int_equal(count(xml, "class=\"panel\""), 2);
	assert_int_equal(count(xml, "class=\"bar\""), buckets(a) + buckets(b));
	assert_int_equal(count(xml, "data-name=\"rtt.tcp_lo.blocking:"), buckets(a));
	assert_non_null(strstr(xml, "data-name=\"rtt.tcp_lo.blocking:13\"")); /* 9000 ns */
	assert_null(strstr(xml, "ctxswitch"));
	assert_int_equal(count(xml, "class=\"p50\""), 2);
	assert_int_equal(count(xml, "class=\"p99\""), 2);
	assert_non_null(strstr(xml, ">p50 12.60 \u00b5s<"));
	assert_non_null(strstr(xml, "log scale"));
	strbuf_release(&sb);
	bench_results_release(&r);
}

static struct bench_result *zc_new(struct bench_results *r, const char *name, double gbps,
				   int copied)
{
	struct bench_result *res = bench_result_new(r, name, "GB/s");

	assert_non_null(res);
	res->value = gbps;
	res->syscalls_per_mib = 2;
	res->syscalls_counted = true;
	res->copied = copied;
	return res;
}

static void test_zerocopy_ladder(void **state)
{
	static struct element bars[MAX_ELEMENTS], bw[MAX_ELEMENTS];
	struct bench_results r = { 0 };
	struct strbuf sb = STRBUF_INIT;
	const char *xml;

	(void)state;
	bench_result_new(&r, "copy.memcpy_large", "GB/s")->value = 10;
	zc_new(&r, "zerocopy.sendfile", 2, BENCH_COPIED_UNKNOWN);
	zc_new(&r, "zerocopy.splice", 5, BENCH_COPIED_UNKNOWN)->syscalls_counted = false;
	zc_new(&r, "zerocopy.read_write", 1, BENCH_COPIED_YES);     /* copies by design */
	zc_new(&r, "zerocopy.msg_zerocopy", 3, BENCH_COPIED_YES);   /* copied anyway */
	zc_new(&r, "zerocopy.io_uring_send_zc", 3, BENCH_COPIED_NO);
	zc_new(&r, "zerocopy.<&\"x\">\xff", 1, BENCH_COPIED_UNKNOWN);
	zc_new(&r, "zerocopy.a_name_far_longer_than_the_column", 1, BENCH_COPIED_UNKNOWN);
	zc_new(&r, "zerocopy.tcp_zerocopy_receive", NAN, BENCH_COPIED_UNKNOWN);
	assert_int_equal(chart_zerocopy_ladder(&sb, &r), 0);
	xml = strbuf_str(&sb);
	assert_well_formed(xml);
	assert_non_null(strstr(xml, "data-chart=\"zerocopy\""));
	assert_int_equal(elements(xml, "<rect", "class=\"bar\"", bars), 8);
	assert_int_equal(count(xml, "class=\"bar\""), 8);
	assert_ratio(bars[0].width, bars[1].width, 2.0 / 5.0);
	/* memory bandwidth: a line inside the scale, to scale */
	assert_int_equal(elements(xml, "<line", "class=\"bandwidth\"", bw), 1);
	assert_ratio(bw[0].x - bars[0].x, bars[1].width, 10.0 / 5.0);
	assert_non_null(strstr(xml, ">memory bandwidth 10.00 GB/s<"));
	assert_int_equal(count(xml, ">kernel copied anyway<"), 1);
	assert_int_equal(count(xml, "class=\"row copied\""), 1);
	assert_non_null(strstr(xml, "<pattern id=\"" SVG_HATCH_ID "\""));
	assert_int_equal(count(xml, "(by design)"), 1);
	assert_non_null(strstr(xml, ">not measured<"));
	/* escaped everywhere; the long label cut, whole in its tooltip */
	assert_non_null(strstr(xml, "data-name=\"zerocopy.&lt;&amp;&quot;x&quot;&gt;\xef\xbf\xbd\""));
	assert_non_null(strstr(xml, ">&lt;&amp;&quot;x&quot;&gt;\xef\xbf\xbd</text>"));
	assert_non_null(strstr(xml, "<title>a_name_far_longer_than_the_column</title>"));
	assert_non_null(strstr(xml, ">a_name_far_longer_than_the_colu\u2026</text>"));
	assert_labels_apart(xml, bars[0].x);
	strbuf_release(&sb);
	bench_results_release(&r);
}

/* The box a text takes: its width from the characters it shows, a font size tall above its
 * baseline (a little below it too, for descenders), placed by its anchor. */
static void text_box(const struct element *e, double box[4])
{
	double w = (double)shown_chars(e->content) * SVG_CHAR_PX, x = e->x;
	char anchor[16];

	if (attr(e->tag, "text-anchor", anchor, sizeof(anchor)))
		x -= strcmp(anchor, "middle") == 0 ? w / 2 : strcmp(anchor, "end") == 0 ? w : 0;

	box[0] = x;
	box[1] = e->y - SVG_FONT_PX;
	box[2] = x + w;
	box[3] = e->y + 3;
}

/* A vertical line from (x, y1) to (x, y2) through the inside of a box. */
static bool crosses(double x, double y1, double y2, const double box[4])
{
	return x > box[0] && x < box[2] && fmax(y1, y2) > box[1] && fmin(y1, y2) < box[3];
}

/* No grid line of the picture runs through a text or a bar (issue 13 item 19). */
static void assert_grid_clear(const char *xml)
{
	static struct element grid[MAX_ELEMENTS], texts[MAX_ELEMENTS], bars[MAX_ELEMENTS];
	size_t ng = elements(xml, "<line", "class=\"grid\"", grid);
	size_t nt = elements(xml, "<text", NULL, texts), nb = elements(xml, "<rect", "class=\"bar\"", bars);

	assert_true(ng >= 1);
	for (size_t g = 0; g < ng; g++) {
		double x = grid[g].x, y1 = grid[g].y, y2 = attr_num(grid[g].tag, "y2"), box[4];

		assert_true(attr_num(grid[g].tag, "x2") == x);
		for (size_t t = 0; t < nt; t++) {
			text_box(&texts[t], box);
			if (crosses(x, y1, y2, box))
				fail_msg("grid line x=%g y=%g..%g crosses the text '%s'", x, y1, y2,
					 texts[t].content);
		}
		for (size_t b = 0; b < nb; b++) {
			box[0] = bars[b].x;
			box[1] = bars[b].y;
			box[2] = bars[b].x + bars[b].width;
			box[3] = bars[b].y + attr_num(bars[b].tag, "height");
			if (crosses(x, y1, y2, box))
				fail_msg("grid line x=%g y=%g..%g crosses a bar (%g..%g)", x, y1, y2,
					 box[0], box[2]);
		}
	}
}

/* As the report showed it: io_uring's bar and value labels past gridlines. */
static void test_zerocopy_grid_clear(void **state)
{
	struct bench_results r = { 0 };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	bench_result_new(&r, "copy.memcpy_large", "GB/s")->value = 9.3;
	zc_new(&r, "zerocopy.read_write", 3.51, BENCH_COPIED_YES);
	zc_new(&r, "zerocopy.mmap_write", 3.39, BENCH_COPIED_UNKNOWN);
	zc_new(&r, "zerocopy.sendfile", 2.6, BENCH_COPIED_UNKNOWN);
	zc_new(&r, "zerocopy.splice", 2.79, BENCH_COPIED_UNKNOWN);
	zc_new(&r, "zerocopy.io_uring", 4.27, BENCH_COPIED_UNKNOWN);
	zc_new(&r, "zerocopy.msg_zerocopy", 2.72, BENCH_COPIED_YES);
	zc_new(&r, "zerocopy.io_uring_send_zc", 2.7, BENCH_COPIED_YES);
	zc_new(&r, "zerocopy.recv_copy", 3.03, BENCH_COPIED_YES);
	zc_new(&r, "zerocopy.tcp_zerocopy_receive", 2.58, BENCH_COPIED_NO);
	zc_new(&r, "zerocopy.not_here", NAN, BENCH_COPIED_UNKNOWN);
	assert_int_equal(chart_zerocopy_ladder(&sb, &r), 0);
	assert_well_formed(strbuf_str(&sb));
	assert_grid_clear(strbuf_str(&sb));
	strbuf_release(&sb);
	bench_results_release(&r);
}

static void test_zerocopy_without_results(void **state)
{
	struct bench_results r = { 0 };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(chart_zerocopy_ladder(&sb, &r), -ENODATA);
	bench_result_new(&r, "copy.memcpy_large", "GB/s")->value = 10;
	assert_int_equal(chart_zerocopy_ladder(&sb, &r), -ENODATA);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
	bench_results_release(&r);
}

static void test_svg_text(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	svg_escape(&sb, "a\nb\t\x01\x7f<&>\"'\xc3\xa9\xc3\xef\xbf\xbe", 17);
	assert_string_equal(strbuf_str(&sb), "a\\nb\\t\\x01\\x7f&lt;&amp;&gt;&quot;&apos;"
					     "\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
	assert_int_equal(svg_text_chars("a\n\x01\xc3\xa9\xff"), 1 + 2 + 4 + 1 + 1);
	assert_true(svg_text_px("abcdef", 4) == 4 * SVG_CHAR_PX);
	assert_true(svg_text_px("abcdef", 0) == 6 * SVG_CHAR_PX);
	strbuf_reset(&sb);
	svg_num(&sb, 12.5);
	strbuf_addc(&sb, ' ');
	svg_num(&sb, 3.0001);
	strbuf_addc(&sb, ' ');
	svg_num(&sb, -0.001);
	strbuf_addc(&sb, ' ');
	svg_num(&sb, 1.0 / 3);
	strbuf_addc(&sb, ' ');
	svg_num(&sb, NAN);
	assert_string_equal(strbuf_str(&sb), "12.5 3 0 0.33 0");
	assert_true(svg_nice_step(13500, 5) == 5000);
	assert_true(svg_nice_step(7, 5) == 2);
	strbuf_release(&sb);
}

static void test_svg_writer(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct svg s;

	(void)state;
	svg_begin(&s, &sb, 100.5, 20, "t", "x<y", "text{fill:red}");
	svg_group_begin(&s, &(struct svg_attrs){ .cls = "row", .title = "tip",
		.attrs = (const char *const[]){ "data-name", "a\"b", NULL } });
	svg_text_fit(&s, 1, 2, SVG_END, &(struct svg_attrs){ .cls = "label" }, "abcdef", 4);
	svg_group_end(&s);
	assert_int_equal(svg_end(&s), 0);
	assert_well_formed(strbuf_str(&sb));
	assert_non_null(strstr(strbuf_str(&sb), " width=\"100.5\" height=\"20\" "
						"viewBox=\"0 0 100.5 20\" role=\"img\" "
						"aria-label=\"x&lt;y\">\n<title>x&lt;y</title>"));
	assert_non_null(strstr(strbuf_str(&sb), "<g class=\"row\" data-name=\"a&quot;b\">"
						"<title>tip</title>"));
	assert_non_null(strstr(strbuf_str(&sb), "<g><title>abcdef</title><text x=\"1\" y=\"2\" "
						"text-anchor=\"end\" class=\"label\">abc\u2026</text></g>"));
	/* misuse is reported, and the document stays balanced */
	strbuf_reset(&sb);
	svg_begin(&s, &sb, 10, 10, NULL, "t", NULL);
	svg_group_begin(&s, NULL);
	svg_rect(&s, 0, 0, 1, 1, &(struct svg_attrs){
		.attrs = (const char *const[]){ "bad name", "x", NULL } });
	assert_int_equal(svg_end(&s), -EINVAL);
	assert_well_formed(strbuf_str(&sb));
	assert_null(strstr(strbuf_str(&sb), "bad name"));
	strbuf_reset(&sb);
	svg_begin(&s, &sb, 10, 10, NULL, "t", NULL);
	svg_group_end(&s);
	assert_int_equal(svg_end(&s), -EINVAL);
	assert_well_formed(strbuf_str(&sb));
	strbuf_reset(&sb);
	svg_begin(&s, &sb, 10, 10, NULL, "t", "a<b");
	assert_int_equal(svg_end(&s), -EINVAL);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_text),
		cmocka_unit_test(test_svg_writer),
		cmocka_unit_test(test_waterfall),
		cmocka_unit_test(test_waterfall_escapes_what_it_is_given),
		cmocka_unit_test(test_waterfall_without_data),
		cmocka_unit_test(test_rtt_histograms),
		cmocka_unit_test(test_zerocopy_ladder),
		cmocka_unit_test(test_zerocopy_grid_clear),
		cmocka_unit_test(test_zerocopy_without_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
