// SPDX-License-Identifier: MIT
/* chart_common: what the charts share: their style sheet, durations, and a linear axis. */
#include <math.h>
#include <stdio.h>

#include "nic2app/charts.h"

/*
 * The palette: the Okabe-Ito colours, told apart with the common colour blindnesses and
 * readable on white. Every rule is scoped to the root's class, so a page can inline several
 * charts, and override a rule with its own (equally specific, later) one.
 */
static const char css[] =
	"svg." SVG_ROOT_CLASS "{background:#fff}"
	"." SVG_ROOT_CLASS " .background{fill:#fff}"
	"." SVG_ROOT_CLASS " text{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,"
	"monospace;font-size:12px;fill:#222}"
	"." SVG_ROOT_CLASS " .title{font-size:14px;font-weight:bold}"
	"." SVG_ROOT_CLASS " .note,." SVG_ROOT_CLASS " .axis,." SVG_ROOT_CLASS " .header"
	"{fill:#555}"
	"." SVG_ROOT_CLASS " .header{font-weight:bold}"
	"." SVG_ROOT_CLASS " .module{fill:#444}"
	"." SVG_ROOT_CLASS " .bar,." SVG_ROOT_CLASS " .swatch{fill:#0072B2}"
	"." SVG_ROOT_CLASS " .kernel .bar,." SVG_ROOT_CLASS " .kernel .swatch{fill:#0072B2}"
	"." SVG_ROOT_CLASS " .boundary .bar,." SVG_ROOT_CLASS " .boundary .swatch{fill:#E69F00}"
	"." SVG_ROOT_CLASS " .user .bar,." SVG_ROOT_CLASS " .user .swatch{fill:#009E73}"
	"." SVG_ROOT_CLASS " .remote .bar,." SVG_ROOT_CLASS " .remote .swatch{fill:#CC79A7}"
	"." SVG_ROOT_CLASS " .unobserved text{fill:#767676;font-style:italic}"
	"." SVG_ROOT_CLASS " .boundary-band{fill:#E69F00;fill-opacity:.15;stroke:#E69F00;"
	"stroke-dasharray:4 3}"
	"." SVG_ROOT_CLASS " .grid{stroke:#e4e4e4}"
	"." SVG_ROOT_CLASS " .axis-line{stroke:#555}"
	"." SVG_ROOT_CLASS " .p50{stroke:#D55E00;stroke-width:2}"
	"." SVG_ROOT_CLASS " .p99{stroke:#882255;stroke-width:2;stroke-dasharray:5 3}"
	"." SVG_ROOT_CLASS " .p50-label{fill:#D55E00}"
	"." SVG_ROOT_CLASS " .p99-label{fill:#882255}"
	"." SVG_ROOT_CLASS " .bandwidth{stroke:#117733;stroke-width:2;stroke-dasharray:6 3}"
	"." SVG_ROOT_CLASS " .bandwidth-label{fill:#117733}"
	"." SVG_ROOT_CLASS " .copied .bar{fill:url(#" SVG_HATCH_ID ") #0072B2;stroke:#D55E00;"
	"stroke-width:2}"
	"." SVG_ROOT_CLASS " .copied-label{fill:#D55E00;font-weight:bold}"
	"." SVG_ROOT_CLASS " .unmeasured text{fill:#767676}"
	"." SVG_ROOT_CLASS " .value{paint-order:stroke;stroke:#fff;stroke-width:3px;"
	"stroke-linejoin:round}";

const char *chart_css(void)
{
	return css;
}

void chart_axis_fit(struct chart_axis *ax, double x0, double width, double top)
{
	if (!isfinite(top) || top <= 0)
		top = 1;
	ax->x0 = x0;
	ax->width = width;
	ax->step = svg_nice_step(top, 5);
	/* the first tick at or past top (a hair of slack for a top that is a tick already) */
	ax->max = ceil(top / ax->step - 1e-9) * ax->step;
}

double chart_axis_x(const struct chart_axis *ax, double v)
{
	if (!(v > 0))
		return ax->x0;
	if (v > ax->max)
		v = ax->max;
	return ax->x0 + v / ax->max * ax->width;
}

static double axis_draw(struct svg *s, const struct chart_axis *ax, double y_top, double y_axis,
			double div, const char *label, bool grid)
{
	size_t ticks = (size_t)lround(ax->max / ax->step);

	svg_group_begin(s, &(struct svg_attrs){ .cls = "axis-group" });
	for (size_t i = 0; i <= ticks; i++) {
		double v = (double)i * ax->step, x = chart_axis_x(ax, v);

		if (i && grid)
			svg_line(s, x, y_top, x, y_axis, &(struct svg_attrs){ .cls = "grid" });
		svg_line(s, x, y_axis, x, y_axis + 4, &(struct svg_attrs){ .cls = "axis-line" });
		svg_textf(s, x, y_axis + 16, SVG_MIDDLE, &(struct svg_attrs){ .cls = "axis" },
			  "%.6g", v / div);
	}
	svg_line(s, ax->x0, y_axis, ax->x0 + ax->width, y_axis,
		 &(struct svg_attrs){ .cls = "axis-line" });
	svg_text(s, ax->x0, y_axis + 34, SVG_START, &(struct svg_attrs){ .cls = "axis" }, label);
	svg_group_end(s);
	return y_axis + 34 + 8;
}

double chart_axis_draw(struct svg *s, const struct chart_axis *ax, double y_top, double y_axis,
		       double div, const char *label)
{
	return axis_draw(s, ax, y_top, y_axis, div, label, true);
}

double chart_axis_draw_ticks(struct svg *s, const struct chart_axis *ax, double y_axis,
			     double div, const char *label)
{
	return axis_draw(s, ax, y_axis, y_axis, div, label, false);
}
