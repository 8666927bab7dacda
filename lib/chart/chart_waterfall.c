// SPDX-License-Identifier: MIT
/*
 * chart_waterfall: a journey as a picture, the text waterfall's twin. Each stage's bar starts
 * where the medians of the stages before it end, so the bars read left to right as the
 * packet's way; the stages that cross between user space and the kernel are banded across
 * every row; the module's stages this path cannot show follow as rows without a bar.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "nic2app/charts.h"
#include "nic2app/render.h"

#define TITLE_Y 24
#define NOTE_Y 44
#define LEGEND_Y 66
#define HEADER_Y 92
#define ROWS_Y 100
#define BAR_PX 12
#define SWATCH_PX 10

struct layout {
	double name_x, module_x, value_px;
	struct chart_axis ax;
	double rows_end;          /* the bottom of the last stage row */
	double width, height;
	struct strbuf title, note;
};

static const char *via_name(const struct journey_result *r)
{
	return r->cfg.via == JOURNEY_VIA_LO ? "lo" : r->cfg.via == JOURNEY_VIA_NETNS ? "netns" :
									     "peer";
}

/* "SYSCALL", or "DRIVER_RX..APP_RECEIVE" for a stage that spans several. */
static const char *module_label(char *buf, size_t size, const struct journey_stage *st)
{
	if (st->covers_last == st->module)
		return module_stage_name(st->module);
	snprintf(buf, size, "%s..%s", module_stage_name(st->module),
		 module_stage_name(st->covers_last));
	return buf;
}

static void text_max(double *px, const char *text)
{
	double w = svg_text_px(text, CHART_LABEL_MAX);

	*px = w > *px ? w : *px;
}

static void title_max(double *width, const struct strbuf *text, double char_px)
{
	double w = (double)svg_text_chars(strbuf_str(text)) * char_px + 2 * CHART_MARGIN;

	*width = w > *width ? w : *width;
}

static double stage_sum(const struct journey_result *r)
{
	double sum = 0;

	for (size_t i = 0; i < r->nstages; i++)
		if (isfinite(r->stage_ns[i].p50))
			sum += r->stage_ns[i].p50;
	return sum;
}

static void texts_fill(struct layout *l, const struct journey_result *r)
{
	strbuf_addf(&l->title, "Packet journey: %s, %zu bytes, ",
		    r->cfg.proto == JOURNEY_TCP ? "TCP" : "UDP", r->cfg.size);
	if (r->cfg.via == JOURNEY_VIA_PEER)
		strbuf_addf(&l->title, "to the peer %s and back", r->peer_name);
	else
		strbuf_adds(&l->title, via_name(r));
	strbuf_addf(&l->title, ", %s", journey_method_name(r->method));
	strbuf_adds(&l->note, "stage medians end to end; total median ");
	duration_add(&l->note, r->total_ns.p50);
	strbuf_adds(&l->note, ", p99 ");
	duration_add(&l->note, r->total_ns.p99);
	strbuf_adds(&l->note, " (the medians add up to ");
	duration_add(&l->note, stage_sum(r));
	strbuf_adds(&l->note, ")");
}

/* One swatch and its name (with s NULL, only measured); returns where the next one goes. */
static double legend_item(struct svg *s, double x, const char *cls, const char *shape,
			  const char *text)
{
	if (!s)
		return x + SWATCH_PX + 4 + svg_text_px(text, 0) + CHART_GAP;
	svg_group_begin(s, &(struct svg_attrs){ .cls = cls });
	svg_rect(s, x, LEGEND_Y - SWATCH_PX + 1, SWATCH_PX, SWATCH_PX,
		 &(struct svg_attrs){ .cls = shape });
	svg_text(s, x + SWATCH_PX + 4, LEGEND_Y, SVG_START, &(struct svg_attrs){ .cls = "legend" },
		 text);
	svg_group_end(s);
	return x + SWATCH_PX + 4 + svg_text_px(text, 0) + CHART_GAP;
}

/* The layers the stages are in; returns the width it takes. With s NULL, only measures. */
static double legend_draw(struct svg *s, const struct journey_result *r)
{
	static const char *const what[LAYER_COUNT] = {
		[LAYER_USER] = "user", [LAYER_KERNEL] = "kernel",
		[LAYER_BOUNDARY] = "boundary: crossing user/kernel (banded)",
		[LAYER_REMOTE] = "remote: the wire and the peer",
	};
	double x = CHART_MARGIN;

	for (int layer = 0; layer < LAYER_COUNT; layer++) {
		bool used = false;

		for (size_t i = 0; i < r->nstages; i++)
			used |= r->stages[i]->layer == (enum journey_layer)layer;
		if (used)
			x = legend_item(s, x, journey_layer_name(layer),
					layer == LAYER_BOUNDARY ? "boundary-band" : "swatch",
					what[layer]);
	}
	return x - CHART_GAP + CHART_MARGIN;
}

static void layout_fill(struct layout *l, const struct journey_result *r, unsigned int unobserved)
{
	double name_px = svg_text_px("stage", CHART_LABEL_MAX), module_px = 0, right;
	size_t rows = 0;
	char buf[64];

	text_max(&module_px, "module stage");
	for (size_t i = 0; i < r->nstages; i++) {
		struct strbuf v = STRBUF_INIT;

		text_max(&name_px, r->stages[i]->name);
		text_max(&module_px, module_label(buf, sizeof(buf), r->stages[i]));
		duration_add(&v, r->stage_ns[i].p50);
		text_max(&l->value_px, strbuf_str(&v));
		strbuf_release(&v);
	}
	for (int m = 0; m < MS_COUNT; m++)
		if (unobserved & 1u << m) {
			text_max(&module_px, module_stage_name(m));
			rows++;
		}
	l->name_x = CHART_MARGIN;
	l->module_x = l->name_x + name_px + CHART_GAP;
	chart_axis_fit(&l->ax, l->module_x + module_px + CHART_GAP, CHART_PLOT_PX, stage_sum(r));
	right = l->ax.x0 + l->ax.width + 6 + l->value_px + CHART_MARGIN;
	l->width = right;
	texts_fill(l, r);
	title_max(&l->width, &l->title, SVG_TITLE_CHAR_PX);
	title_max(&l->width, &l->note, SVG_CHAR_PX);
	if (legend_draw(NULL, r) > l->width)
		l->width = legend_draw(NULL, r);
	l->rows_end = ROWS_Y + (double)r->nstages * CHART_ROW_PX;
	/* the axis (42 px), then the unobserved rows */
	l->height = l->rows_end + 4 + 42 + (double)rows * CHART_ROW_PX + CHART_MARGIN;
}

/* The crossings between user space and the kernel, as bands across every stage row. */
static void bands_draw(struct svg *s, const struct layout *l, const struct journey_result *r)
{
	double start = 0;

	for (size_t i = 0; i < r->nstages; i++) {
		double p50 = isfinite(r->stage_ns[i].p50) ? r->stage_ns[i].p50 : 0;
		double x = chart_axis_x(&l->ax, start);

		if (r->stages[i]->layer == LAYER_BOUNDARY)
			svg_rect(s, x, ROWS_Y - 2, chart_axis_x(&l->ax, start + p50) - x,
				 l->rows_end - ROWS_Y + 4, &(struct svg_attrs){
					 .cls = "boundary-band",
					 .title = "user/kernel crossing" });
		start += p50;
	}
}

static void stage_row(struct svg *s, const struct layout *l, const struct journey_result *r,
		      size_t i, double start)
{
	const struct journey_stage *st = r->stages[i];
	const struct summary *d = &r->stage_ns[i];
	double top = ROWS_Y + (double)i * CHART_ROW_PX, x = chart_axis_x(&l->ax, start);
	double end = chart_axis_x(&l->ax, start + (isfinite(d->p50) ? d->p50 : 0));
	struct strbuf cls = STRBUF_INIT, tip = STRBUF_INIT, value = STRBUF_INIT;
	char buf[64];

	strbuf_addf(&cls, "row %s", journey_layer_name(st->layer));
	duration_add(&value, d->p50);
	strbuf_addf(&tip, "%s (%s, %s): median %s, p99 ", st->name,
		    module_label(buf, sizeof(buf), st), journey_layer_name(st->layer),
		    strbuf_str(&value));
	duration_add(&tip, d->p99);
	strbuf_addf(&tip, ", %zu samples. %s", d->n, st->what ? st->what : "");
	svg_group_begin(s, &(struct svg_attrs){ .cls = strbuf_str(&cls), .attrs =
		(const char *const[]){ "data-name", st->name, "data-layer",
				       journey_layer_name(st->layer), NULL } });
	svg_text_fit(s, l->name_x, top + 14, SVG_START, &(struct svg_attrs){ .cls = "label" },
		     st->name, CHART_LABEL_MAX);
	svg_text_fit(s, l->module_x, top + 14, SVG_START, &(struct svg_attrs){ .cls = "module" },
		     module_label(buf, sizeof(buf), st), CHART_LABEL_MAX);
	svg_rect(s, x, top + 4, end - x, BAR_PX, &(struct svg_attrs){ .cls = "bar",
		 .attrs = (const char *const[]){ "data-name", st->name, NULL },
		 .title = strbuf_str(&tip) });
	svg_text(s, end + 6, top + 14, SVG_START, &(struct svg_attrs){ .cls = "value" },
		 strbuf_str(&value));
	svg_group_end(s);
	if (cls.err || tip.err || value.err)
		s->err = -ENOMEM;
	strbuf_release(&cls);
	strbuf_release(&tip);
	strbuf_release(&value);
}

static void unobserved_rows(struct svg *s, const struct layout *l,
			    const struct journey_result *r, unsigned int unobserved, double top)
{
	bool peer = r->cfg.via == JOURNEY_VIA_PEER;
	const char *why = peer ? "inside \"away\", with the peer's whole journey" :
				 r->cfg.via == JOURNEY_VIA_LO ?
				 "loopback has no wire, NIC, DMA or interrupt" :
				 "veth has no wire, NIC, DMA or interrupt";

	for (int m = 0; m < MS_COUNT; m++) {
		if (!(unobserved & 1u << m))
			continue;
		svg_group_begin(s, &(struct svg_attrs){ .cls = "row unobserved", .attrs =
			(const char *const[]){ "data-name", module_stage_name(m), NULL } });
		svg_text(s, l->module_x, top + 14, SVG_START,
			 &(struct svg_attrs){ .cls = "module" }, module_stage_name(m));
		svg_text(s, l->ax.x0, top + 14, SVG_START, &(struct svg_attrs){ .cls = "note",
			 .title = why }, peer ? "not observed on its own" :
						"not observable on this path");
		svg_group_end(s);
		top += CHART_ROW_PX;
	}
}

static void chart_draw(struct svg *s, const struct layout *l, const struct journey_result *r,
		       unsigned int unobserved)
{
	const struct svg_attrs header = { .cls = "header" };
	double start = 0, y;

	svg_text(s, CHART_MARGIN, TITLE_Y, SVG_START, &(struct svg_attrs){ .cls = "title" },
		 strbuf_str(&l->title));
	svg_text(s, CHART_MARGIN, NOTE_Y, SVG_START, &(struct svg_attrs){ .cls = "note",
		 .title = r->why[0] ? r->why : NULL }, strbuf_str(&l->note));
	legend_draw(s, r);
	svg_text(s, l->name_x, HEADER_Y, SVG_START, &header, "stage");
	svg_text(s, l->module_x, HEADER_Y, SVG_START, &header, "module stage");
	svg_text(s, l->ax.x0, HEADER_Y, SVG_START, &header, "median, after the stages before");
	bands_draw(s, l, r);
	for (size_t i = 0; i < r->nstages; i++) {
		stage_row(s, l, r, i, start);
		if (isfinite(r->stage_ns[i].p50))
			start += r->stage_ns[i].p50;
	}
	y = chart_axis_draw(s, &l->ax, ROWS_Y - 4, l->rows_end + 4, 1000,
			    "\u00b5s from send(): the stage medians, end to end");
	unobserved_rows(s, l, r, unobserved, y);
}

int chart_journey_waterfall(struct strbuf *sb, const struct journey_result *r)
{
	unsigned int unobserved = journey_unobserved(r->cfg.via);
	struct layout l = { .title = STRBUF_INIT, .note = STRBUF_INIT };
	size_t samples = 0;
	struct svg s;
	int err;

	for (size_t i = 0; i < r->nstages; i++)
		samples += r->stage_ns[i].n;
	if (!samples)
		return -ENODATA;
	layout_fill(&l, r, unobserved);
	svg_begin(&s, sb, l.width, l.height, "waterfall", strbuf_str(&l.title), chart_css());
	chart_draw(&s, &l, r, unobserved);
	err = svg_end(&s);
	if (!err && (l.title.err || l.note.err))
		err = -ENOMEM;
	strbuf_release(&l.title);
	strbuf_release(&l.note);
	return err;
}
