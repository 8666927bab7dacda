// SPDX-License-Identifier: MIT
/*
 * chart_zerocopy: the zero-copy ladder. One row per way of moving a file into a socket (and
 * out of one), its GB/s to scale, the system calls it needs per MiB; the zero-copy ways the
 * kernel reported it copied anyway are hatched and say so; memory bandwidth (one memcpy of a
 * buffer larger than the caches) is a line across the rows: what a copy costs at best. Grid
 * lines run only where a row has neither bar nor value, so they never cross either.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/charts.h"

#define TITLE_Y 24
#define NOTE_Y 44
#define HEADER_Y 68
#define BANDWIDTH_Y 88 /* its label: right above the line, under the headers */
#define ROWS_Y 98
#define BAR_PX 12
#define PREFIX "zerocopy."
#define BANDWIDTH "copy.memcpy_large"

static const char title[] = "Zero-copy ladder: moving data through a socket, GB/s";
static const char note[] = "bars: the median GB/s, to scale; hatched and outlined: a zero-copy "
			   "way the kernel copied anyway";

struct zc_layout {
	double label_x, value_px, calls_x, calls_px, copied_x;
	struct chart_axis ax;
	double bandwidth;   /* GB/s, NAN when not measured */
	size_t rows;
	bool any_copied;
	double width, height;
};

/* What one row shows, besides its bar. */
struct zc_row {
	const char *label;
	char value[32], calls[64];
	bool copied, measured;
};

static bool is_zerocopy(const struct bench_result *res)
{
	return strncmp(res->name, PREFIX, strlen(PREFIX)) == 0;
}

/* The ways that promise no copy, so a copy is news (read_write copies by design). */
static bool promises_no_copy(const char *way)
{
	static const char *const ways[] = { "msg_zerocopy", "io_uring_send_zc",
					    "tcp_zerocopy_receive" };

	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		size_t n = strlen(ways[i]);

		/* the way, or the way with a suffix (".pinned") */
		if (strncmp(way, ways[i], n) == 0 && (way[n] == '\0' || way[n] == '.'))
			return true;
	}
	return false;
}

static void row_fill(struct zc_row *row, const struct bench_result *res)
{
	row->label = res->name + strlen(PREFIX);
	row->measured = isfinite(res->value);
	if (row->measured)
		snprintf(row->value, sizeof(row->value), "%.2f %s", res->value, res->unit);
	else
		snprintf(row->value, sizeof(row->value), "not measured");
	row->calls[0] = '\0';
	if (isfinite(res->syscalls_per_mib))
		snprintf(row->calls, sizeof(row->calls), "%.3g syscalls/MiB%s",
			 res->syscalls_per_mib, res->syscalls_counted ? "" : " (by design)");
	row->copied = res->copied == BENCH_COPIED_YES && promises_no_copy(row->label);
}

static double bandwidth_of(const struct bench_results *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, BANDWIDTH) == 0 && isfinite(r->v[i].value) &&
		    r->v[i].value > 0)
			return r->v[i].value;
	return NAN;
}

static void widest(double *px, const char *text, size_t max_chars)
{
	double w = svg_text_px(text, max_chars);

	*px = w > *px ? w : *px;
}

static void bandwidth_label(char *buf, size_t size, double gbps)
{
	snprintf(buf, size, "memory bandwidth %.2f GB/s", gbps);
}

static void layout_fill(struct zc_layout *l, const struct bench_results *r)
{
	double label_px = svg_text_px("way", 0), top = 0, right;
	char bw[64];

	l->bandwidth = bandwidth_of(r);
	l->calls_px = svg_text_px("syscalls per MiB", 0);
	for (size_t i = 0; i < r->n; i++) {
		struct zc_row row;

		if (!is_zerocopy(&r->v[i]))
			continue;
		row_fill(&row, &r->v[i]);
		l->rows++;
		l->any_copied |= row.copied;
		widest(&label_px, row.label, CHART_LABEL_MAX);
		widest(&l->value_px, row.value, 0);
		widest(&l->calls_px, row.calls, 0);
		if (row.measured && r->v[i].value > top)
			top = r->v[i].value;
	}
	if (isfinite(l->bandwidth) && l->bandwidth > top)
		top = l->bandwidth; /* the scale includes the line */
	l->label_x = CHART_MARGIN;
	chart_axis_fit(&l->ax, l->label_x + label_px + CHART_GAP, CHART_PLOT_PX, top);
	l->calls_x = l->ax.x0 + l->ax.width + 6 + l->value_px + CHART_GAP;
	l->copied_x = l->calls_x + l->calls_px + CHART_GAP;
	right = l->any_copied ? l->copied_x + svg_text_px("kernel copied anyway", 0) :
				l->calls_x + l->calls_px;
	l->width = fmax(right, svg_text_px(note, 0)) + CHART_MARGIN;
	l->width = fmax(l->width, (double)svg_text_chars(title) * SVG_TITLE_CHAR_PX +
				  2 * CHART_MARGIN);
	if (isfinite(l->bandwidth)) {
		bandwidth_label(bw, sizeof(bw), l->bandwidth);
		l->width = fmax(l->width, svg_text_px(bw, 0) + 2 * CHART_MARGIN);
	}
	/* the rows, then the axis (42 px) */
	l->height = ROWS_Y + (double)l->rows * CHART_ROW_PX + 4 + 42 + CHART_MARGIN;
}

static void row_draw(struct svg *s, const struct zc_layout *l, const struct bench_result *res,
		     double top)
{
	double x = l->ax.x0, end;
	struct strbuf cls = STRBUF_INIT, tip = STRBUF_INIT;
	struct zc_row row;

	row_fill(&row, res);
	end = row.measured ? chart_axis_x(&l->ax, res->value) : x;
	strbuf_addf(&cls, "row%s%s", row.copied ? " copied" : "",
		    row.measured ? "" : " unmeasured");
	strbuf_addf(&tip, "%s: %s", res->name, row.value);
	if (res->what)
		strbuf_addf(&tip, ". %s", res->what);
	if (res->note[0])
		strbuf_addf(&tip, ". %s", res->note);
	svg_group_begin(s, &(struct svg_attrs){ .cls = strbuf_str(&cls),
		.attrs = (const char *const[]){ "data-name", res->name, NULL } });
	svg_text_fit(s, l->label_x, top + 14, SVG_START, &(struct svg_attrs){ .cls = "label" },
		     row.label, CHART_LABEL_MAX);
	svg_rect(s, x, top + 4, end - x, BAR_PX, &(struct svg_attrs){ .cls = "bar",
		 .attrs = (const char *const[]){ "data-name", res->name, NULL },
		 .title = strbuf_str(&tip) });
	svg_text(s, end + 6, top + 14, SVG_START, &(struct svg_attrs){ .cls = "value" },
		 row.value);
	svg_text(s, l->calls_x, top + 14, SVG_START, &(struct svg_attrs){ .cls = "note" },
		 row.calls);
	if (row.copied)
		svg_text(s, l->copied_x, top + 14, SVG_START,
			 &(struct svg_attrs){ .cls = "copied-label" }, "kernel copied anyway");
	svg_group_end(s);
	if (cls.err || tip.err)
		s->err = -ENOMEM;
	strbuf_release(&cls);
	strbuf_release(&tip);
}

/* The line across the rows, its label above them, kept inside the picture. */
static void bandwidth_draw(struct svg *s, const struct zc_layout *l, double rows_end)
{
	double x = chart_axis_x(&l->ax, l->bandwidth), w, left;
	char text[64];

	bandwidth_label(text, sizeof(text), l->bandwidth);
	w = svg_text_px(text, 0);
	left = fmax(CHART_MARGIN, fmin(x - w / 2, l->width - CHART_MARGIN - w));
	svg_group_begin(s, &(struct svg_attrs){ .cls = "bandwidth-group",
		.attrs = (const char *const[]){ "data-name", BANDWIDTH, NULL } });
	svg_line(s, x, BANDWIDTH_Y + 4, x, rows_end + 4, &(struct svg_attrs){ .cls = "bandwidth",
		 .title = "memory bandwidth: one memcpy of a buffer far larger than the caches" });
	svg_text(s, left, BANDWIDTH_Y, SVG_START, &(struct svg_attrs){ .cls = "bandwidth-label" },
		 text);
	svg_group_end(s);
}

/* Where row i's bar and value end: a grid line right of it is clear of both. */
static double row_end_x(const struct zc_layout *l, const struct bench_result *res)
{
	struct zc_row row;

	row_fill(&row, res);
	return (row.measured ? chart_axis_x(&l->ax, res->value) : l->ax.x0) + 6 +
	       svg_text_px(row.value, 0);
}

/* The grid lines, in pieces over the rows they would not cross, behind everything. */
static void grid_draw(struct svg *s, const struct zc_layout *l, const struct bench_results *r)
{
	size_t ticks = (size_t)lround(l->ax.max / l->ax.step);
	double rows_end = ROWS_Y + (double)l->rows * CHART_ROW_PX;

	svg_group_begin(s, &(struct svg_attrs){ .cls = "grid-group" });
	for (size_t t = 1; t <= ticks; t++) {
		double x = chart_axis_x(&l->ax, (double)t * l->ax.step), from = ROWS_Y - 4, top = ROWS_Y;
		bool open = true; /* a piece is being drawn from "from" */

		for (size_t i = 0; i < r->n; i++) {
			if (!is_zerocopy(&r->v[i]))
				continue;
			if (row_end_x(l, &r->v[i]) >= x - 1) { /* the row reaches the line */
				if (open && top > from)
					svg_line(s, x, from, x, top, &(struct svg_attrs){ .cls = "grid" });
				open = false;
			} else if (!open) {
				from = top;
				open = true;
			}
			top += CHART_ROW_PX;
		}
		if (open)
			svg_line(s, x, from, x, rows_end + 4, &(struct svg_attrs){ .cls = "grid" });
	}
	svg_group_end(s);
}

static void chart_draw(struct svg *s, const struct zc_layout *l, const struct bench_results *r)
{
	const struct svg_attrs header = { .cls = "header" };
	double top = ROWS_Y, rows_end = ROWS_Y + (double)l->rows * CHART_ROW_PX;

	if (l->any_copied)
		svg_hatch_defs(s);
	svg_text(s, CHART_MARGIN, TITLE_Y, SVG_START, &(struct svg_attrs){ .cls = "title" }, title);
	svg_text(s, CHART_MARGIN, NOTE_Y, SVG_START, &(struct svg_attrs){ .cls = "note" }, note);
	svg_text(s, l->label_x, HEADER_Y, SVG_START, &header, "way");
	svg_text(s, l->ax.x0, HEADER_Y, SVG_START, &header, "GB/s (median of the runs)");
	svg_text(s, l->calls_x, HEADER_Y, SVG_START, &header, "syscalls per MiB");
	grid_draw(s, l, r);
	for (size_t i = 0; i < r->n; i++)
		if (is_zerocopy(&r->v[i])) {
			row_draw(s, l, &r->v[i], top);
			top += CHART_ROW_PX;
		}
	chart_axis_draw_ticks(s, &l->ax, rows_end + 4, 1, "GB/s");
	if (isfinite(l->bandwidth))
		bandwidth_draw(s, l, rows_end);
}

int chart_zerocopy_ladder(struct strbuf *sb, const struct bench_results *r)
{
	struct zc_layout l = { 0 };
	struct svg s;

	layout_fill(&l, r);
	if (!l.rows)
		return -ENODATA;
	svg_begin(&s, sb, l.width, l.height, "zerocopy", title, chart_css());
	chart_draw(&s, &l, r);
	return svg_end(&s);
}
