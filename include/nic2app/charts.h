/* SPDX-License-Identifier: MIT */
/*
 * charts: the results as pictures, each a standalone SVG document drawn from the same structs
 * the JSON is written from. Every root has class "nic2app" and data-chart="NAME"; every bar is
 * an element with class="bar" (that class alone) and a data-name; what colours a bar is the
 * class of the row (<g>) around it. The classes, styled by chart_css() (embedded in each
 * document, scoped to svg.nic2app, so a page can restyle them):
 *   groups:  row, with a layer (kernel | boundary | user | remote), unobserved, copied (the
 *            kernel copied anyway: hatched, outlined) or unmeasured; panel (a histogram);
 *            axis-group, bandwidth-group; legend entries are groups with a layer's class
 *   shapes:  bar, swatch (legend), boundary-band, grid, axis-line, p50, p99, bandwidth,
 *            background
 *   text:    title, note, header, label (the first label column), module, value, axis,
 *            legend, p50-label, p99-label, bandwidth-label, copied-label
 * Data attributes: data-chart on the root; data-name on rows, bars, panels and the bandwidth
 * group (a stage, a result's name, "RESULT:K" for a bucket, a module stage when unobserved);
 * data-layer on the waterfall's stage rows.
 * Each function appends one document to sb and returns 0, -ENODATA when there is nothing to
 * draw (nothing is appended then), or -ENOMEM.
 */
#ifndef NIC2APP_CHARTS_H
#define NIC2APP_CHARTS_H

#include "nic2app/bench.h"
#include "nic2app/journey.h"
#include "nic2app/strbuf.h"
#include "nic2app/svg.h"

/* data-chart="waterfall": one row per stage, its bar after the medians of the stages before
 * it, coloured by layer, the user/kernel crossings banded; then the module's stages this path
 * cannot show, as rows without a bar; an axis in µs. -ENODATA when no stage has samples. */
int chart_journey_waterfall(struct strbuf *sb, const struct journey_result *r);
/* data-chart="rtt": a panel per rtt.* result with a histogram: its log2 buckets on a log
 * axis of µs, bar heights a log scale of counts, p50 and p99 marked. Bars are named
 * "RESULT:K" for the bucket [2^K, 2^(K+1)) ns. */
int chart_rtt_histograms(struct strbuf *sb, const struct bench_results *r);
/* data-chart="zerocopy": a row per zerocopy.* result, GB/s to scale, syscalls per MiB, the
 * zero-copy ways the kernel copied anyway marked, and copy.memcpy_large (memory bandwidth)
 * as a line across the rows. */
int chart_zerocopy_ladder(struct strbuf *sb, const struct bench_results *r);
/* n chart documents (as the functions above make them) as one SVG document, stacked
 * vertically. -EINVAL when one is not a chart document, -ENODATA when n is 0. */
int chart_stack(struct strbuf *out, const char *const *docs, size_t n);

/* The charts' style sheet: the palette and the fonts, scoped to svg.nic2app. */
const char *chart_css(void);

/* What the chart_*.c files share: the layout and a linear axis. */
#define CHART_MARGIN 12
#define CHART_GAP 16       /* between columns */
#define CHART_ROW_PX 20    /* one row of text: more than SVG_FONT_PX, so rows never overlap */
#define CHART_LABEL_MAX 32 /* characters of a label; longer ones are cut (whole in a tooltip) */
#define CHART_PLOT_PX 480

struct chart_axis {
	double x0, width; /* where the plot is, px */
	double max, step; /* the value at x0 + width (0 is at x0), and between ticks */
};

/* An axis from 0 to a round value at least top (a tick every 1, 2 or 5 x 10^k). */
void chart_axis_fit(struct chart_axis *ax, double x0, double width, double top);
/* Where v is; values outside [0, max] (and NaN) are put at the nearest end. */
double chart_axis_x(const struct chart_axis *ax, double v);
/* Grid lines from y_top to y_axis, the axis line, the tick values divided by div under it,
 * and label under them. Returns the y below what was drawn. */
double chart_axis_draw(struct svg *s, const struct chart_axis *ax, double y_top, double y_axis,
		       double div, const char *label);
/* The same without the grid lines, for a chart that draws them around what it shows. */
double chart_axis_draw_ticks(struct svg *s, const struct chart_axis *ax, double y_axis,
			     double div, const char *label);

#endif
