// SPDX-License-Identifier: MIT
/* render_bar: horizontal bars with eighth-of-a-column resolution. */
#include <math.h>

#include "nic2app/render.h"

/* U+258F..U+2588: one to eight eighths of a full block */
static const char *const eighths[9] = {
	"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589", "\u2588",
};

void bar_add(struct strbuf *sb, double value, double max, int width)
{
	long units, i;

	if (!(max > 0) || !(value > 0) || width <= 0)
		return;
	if (value > max)
		value = max;
	units = lround(value / max * width * 8);
	if (units == 0)
		units = 1; /* a non-zero value always shows */
	for (i = 0; i < units / 8; i++)
		strbuf_adds(sb, eighths[8]);
	strbuf_adds(sb, eighths[units % 8]);
}
