// SPDX-License-Identifier: MIT
/*
 * chart_rtt: the round-trip histograms, one panel per rtt.* result. The log2 buckets sit on a
 * log axis of µs shared by every panel, so the panels compare; bar heights are a log scale of
 * the counts, so a tail of a few round trips still shows beside the thousands of the median.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/charts.h"
#include "nic2app/render.h"

#define TITLE_Y 24
#define NOTE_Y 44
#define PANELS_Y 60
#define HEAD_PX 20   /* the panel's name */
#define MARK_PX 18   /* a line of p50 / p99 labels */
#define PLOT_H 80
#define TICKS_PX 30  /* the x tick values under a plot, and a gap */
#define AXIS_LABEL "round trip, \u00b5s (log scale); each bar a log2 bucket [2^k, 2^(k+1)) ns"

struct rtt_layout {
	double x0, width;   /* the plots */
	int lo, hi;         /* the x axis: 10^lo to 10^hi ns */
	double total_width, total_height;
};

/* Where the two labels go: each left of / right of its line, on one line when they fit. */
struct marks {
	bool has50, has99;
	double x50, x99, left50, left99;
	bool second_line;
	char text50[48], text99[48];
};

static bool drawn(const struct bench_result *res)
{
	if (strncmp(res->name, "rtt.", 4) != 0 || !res->has_hist)
		return false;
	for (int k = 0; k < BENCH_HIST_BUCKETS; k++)
		if (res->hist[k])
			return true;
	return false;
}

static double axis_x(const struct rtt_layout *l, double ns)
{
	double d = ns > 0 ? log10(ns) : l->lo;

	d = d < l->lo ? l->lo : d > l->hi ? l->hi : d;
	return l->x0 + (d - l->lo) / (l->hi - l->lo) * l->width;
}

static uint32_t most(const struct bench_result *res)
{
	uint32_t m = 0;

	for (int k = 0; k < BENCH_HIST_BUCKETS; k++)
		m = res->hist[k] > m ? res->hist[k] : m;
	return m;
}

static uint64_t total(const struct bench_result *res)
{
	uint64_t n = 0;

	for (int k = 0; k < BENCH_HIST_BUCKETS; k++)
		n += res->hist[k];
	return n;
}

/* One marker's text and where its line is; false when the figure is not there. */
static bool mark_text(const struct rtt_layout *l, const char *what, double ns, char *text,
		      size_t size, double *x)
{
	struct strbuf d = STRBUF_INIT;

	if (!isfinite(ns))
		return false;
	duration_add(&d, ns);
	snprintf(text, size, "%s %s", what, strbuf_str(&d));
	strbuf_release(&d);
	*x = axis_x(l, ns);
	return true;
}

static void marks_place(const struct rtt_layout *l, const struct bench_result *res,
			struct marks *m)
{
	double right = l->x0 + l->width, w50, w99;

	memset(m, 0, sizeof(*m));
	if (!res->dist.n)
		return;
	m->has50 = mark_text(l, "p50", res->dist.p50, m->text50, sizeof(m->text50), &m->x50);
	m->has99 = mark_text(l, "p99", res->dist.p99, m->text99, sizeof(m->text99), &m->x99);
	w50 = svg_text_px(m->text50, 0);
	w99 = svg_text_px(m->text99, 0);
	m->left50 = fmax(CHART_MARGIN, fmin(m->x50 - 4 - w50, right - w50));
	m->left99 = fmax(CHART_MARGIN, fmin(m->x99 + 4, right - w99));
	m->second_line = m->has50 && m->has99 && m->left50 < m->left99 + w99 + 6 &&
			 m->left99 < m->left50 + w50 + 6;
}

static double panel_height(const struct rtt_layout *l, const struct bench_result *res)
{
	struct marks m;

	marks_place(l, res, &m);
	return HEAD_PX + (m.second_line ? 2 : 1) * MARK_PX + PLOT_H + TICKS_PX;
}

static void count_ticks(struct svg *s, const struct rtt_layout *l, double bottom, uint32_t max)
{
	double last = -1e9;

	/* from the top down, each power of ten that does not crowd the one above it */
	for (int e = (int)floor(log10(max)); e >= 0; e--) {
		double c = pow(10, e), y = bottom - PLOT_H * log10(1 + c) / log10(1 + (double)max);

		if (y - last < SVG_FONT_PX)
			continue;
		svg_line(s, l->x0 - 3, y, l->x0, y, &(struct svg_attrs){ .cls = "axis-line" });
		svg_textf(s, l->x0 - 5, y + 4, SVG_END, &(struct svg_attrs){ .cls = "axis" },
			  "%.0f", c);
		last = y;
	}
}

/* 10^d ns in µs: "0.01", "1", "1000" */
static const char *decade_label(char *buf, size_t size, int d)
{
	snprintf(buf, size, d >= 3 ? "%.0f" : "%g", pow(10, d - 3));
	return buf;
}

static double decade_label_px(const struct rtt_layout *l)
{
	char lo[32], hi[32];

	return fmax(svg_text_px(decade_label(lo, sizeof(lo), l->lo), 0),
		    svg_text_px(decade_label(hi, sizeof(hi), l->hi), 0));
}

static void decade_ticks(struct svg *s, const struct rtt_layout *l, double top, double bottom)
{
	double decade_px = l->width / (l->hi - l->lo);
	int stride = (int)ceil((decade_label_px(l) + 8) / decade_px);
	char text[32];

	svg_line(s, l->x0, bottom, l->x0 + l->width, bottom,
		 &(struct svg_attrs){ .cls = "axis-line" });
	for (int d = l->lo; d <= l->hi; d++) {
		double x = axis_x(l, pow(10, d));

		svg_line(s, x, top, x, bottom, &(struct svg_attrs){ .cls = "grid" });
		if ((d - l->lo) % stride == 0)
			svg_text(s, x, bottom + 16, SVG_MIDDLE, &(struct svg_attrs){ .cls = "axis" },
				 decade_label(text, sizeof(text), d));
	}
}

static void bucket_bars(struct svg *s, const struct rtt_layout *l,
			const struct bench_result *res, double bottom)
{
	double scale = log10(1 + (double)most(res));

	for (int k = 0; k < BENCH_HIST_BUCKETS; k++) {
		double x1 = axis_x(l, ldexp(1, k)), x2 = axis_x(l, ldexp(1, k + 1));
		double h = PLOT_H * log10(1 + (double)res->hist[k]) / scale;
		struct strbuf name = STRBUF_INIT, tip = STRBUF_INIT;

		if (!res->hist[k])
			continue;
		strbuf_addf(&name, "%s:%d", res->name, k);
		duration_add(&tip, ldexp(1, k));
		strbuf_adds(&tip, " to ");
		duration_add(&tip, ldexp(1, k + 1));
		strbuf_addf(&tip, ": %u round trips", res->hist[k]);
		if (name.err || tip.err)
			s->err = -ENOMEM;
		svg_rect(s, x1 + 0.5, bottom - h, x2 - x1 - 1, h, &(struct svg_attrs){
			 .cls = "bar", .title = strbuf_str(&tip),
			 .attrs = (const char *const[]){ "data-name", strbuf_str(&name), NULL } });
		strbuf_release(&name);
		strbuf_release(&tip);
	}
}

static void marks_draw(struct svg *s, const struct marks *m, double y, double top,
		       double bottom)
{
	double y99 = y + (m->second_line ? MARK_PX : 0);

	if (m->has50) {
		svg_line(s, m->x50, top, m->x50, bottom, &(struct svg_attrs){ .cls = "p50" });
		svg_text(s, m->left50, y, SVG_START, &(struct svg_attrs){ .cls = "p50-label" },
			 m->text50);
	}
	if (m->has99) {
		svg_line(s, m->x99, top, m->x99, bottom, &(struct svg_attrs){ .cls = "p99" });
		svg_text(s, m->left99, y99, SVG_START, &(struct svg_attrs){ .cls = "p99-label" },
			 m->text99);
	}
}

/* "rtt.tcp_lo.pinned (pinned): 1000 round trips, each a full round trip" (those drawn) */
static const char *panel_title(char *buf, size_t size, const struct bench_result *res)
{
	uint64_t n = total(res);

	snprintf(buf, size, "%s%s%s%s: %llu round trip%s%s", res->name, res->mode ? " (" : "",
		 res->mode ? res->mode : "", res->mode ? ")" : "", (unsigned long long)n,
		 n == 1 ? "" : "s", res->full_round_trip ? ", each a full round trip" : "");
	return buf;
}

/* One result's panel from top; returns the top of the next. */
static double panel_draw(struct svg *s, const struct rtt_layout *l,
			 const struct bench_result *res, double top)
{
	double plot_top, bottom;
	struct marks m;
	char head[160];

	marks_place(l, res, &m);
	plot_top = top + HEAD_PX + (m.second_line ? 2 : 1) * MARK_PX;
	bottom = plot_top + PLOT_H;
	svg_group_begin(s, &(struct svg_attrs){ .cls = "panel", .title = res->what,
		.attrs = (const char *const[]){ "data-name", res->name, NULL } });
	svg_text(s, CHART_MARGIN, top + 14, SVG_START, &(struct svg_attrs){ .cls = "header" },
		 panel_title(head, sizeof(head), res));
	decade_ticks(s, l, plot_top, bottom);
	count_ticks(s, l, bottom, most(res));
	bucket_bars(s, l, res, bottom);
	marks_draw(s, &m, top + HEAD_PX + 12, plot_top, bottom);
	svg_group_end(s);
	return top + panel_height(l, res);
}

static void layout_fill(struct rtt_layout *l, const struct bench_results *r)
{
	int kmin = BENCH_HIST_BUCKETS, kmax = 0;
	uint32_t top_count = 1;
	char digits[16], head[160];

	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; drawn(&r->v[i]) && k < BENCH_HIST_BUCKETS; k++)
			if (r->v[i].hist[k]) {
				kmin = k < kmin ? k : kmin;
				kmax = k > kmax ? k : kmax;
				top_count = r->v[i].hist[k] > top_count ? r->v[i].hist[k] : top_count;
			}
	l->lo = (int)floor(kmin * log10(2));
	l->hi = (int)ceil((kmax + 1) * log10(2));
	if (l->hi <= l->lo)
		l->hi = l->lo + 1;
	snprintf(digits, sizeof(digits), "%u", top_count);
	l->x0 = CHART_MARGIN + svg_text_px(digits, 0) + 8;
	l->width = CHART_PLOT_PX;
	l->total_width = l->x0 + l->width + CHART_MARGIN;
	l->total_height = PANELS_Y;
	for (size_t i = 0; i < r->n; i++)
		if (drawn(&r->v[i])) {
			double w = svg_text_px(panel_title(head, sizeof(head), &r->v[i]), 0) +
				   2 * CHART_MARGIN;

			l->total_height += panel_height(l, &r->v[i]);
			l->total_width = fmax(l->total_width, w);
		}
	l->total_height += 12 + CHART_MARGIN; /* the axis label */
	l->total_width = fmax(l->total_width, l->x0 + svg_text_px(AXIS_LABEL, 0) + CHART_MARGIN);
	/* the last tick's value is centred on the plot's end */
	l->total_width = fmax(l->total_width, l->x0 + l->width + decade_label_px(l) / 2 +
					      CHART_MARGIN);
}

int chart_rtt_histograms(struct strbuf *sb, const struct bench_results *r)
{
	static const char title[] = "Round trips: log2 histograms of each rtt result";
	static const char note[] = "x: the round trip in \u00b5s, log scale; bar height: the count, "
				   "log scale; lines: p50 and p99";
	struct rtt_layout l = { 0 };
	double y = PANELS_Y;
	bool any = false;
	struct svg s;

	for (size_t i = 0; i < r->n; i++)
		any |= drawn(&r->v[i]);
	if (!any)
		return -ENODATA;
	layout_fill(&l, r);
	l.total_width = fmax(l.total_width, svg_text_px(note, 0) + 2 * CHART_MARGIN);
	l.total_width = fmax(l.total_width, (double)svg_text_chars(title) * SVG_TITLE_CHAR_PX +
					   2 * CHART_MARGIN);
	svg_begin(&s, sb, l.total_width, l.total_height, "rtt", title, chart_css());
	svg_text(&s, CHART_MARGIN, TITLE_Y, SVG_START, &(struct svg_attrs){ .cls = "title" }, title);
	svg_text(&s, CHART_MARGIN, NOTE_Y, SVG_START, &(struct svg_attrs){ .cls = "note" }, note);
	for (size_t i = 0; i < r->n; i++)
		if (drawn(&r->v[i]))
			y = panel_draw(&s, &l, &r->v[i], y);
	svg_text(&s, l.x0, y + 4, SVG_START, &(struct svg_attrs){ .cls = "axis" }, AXIS_LABEL);
	return svg_end(&s);
}
