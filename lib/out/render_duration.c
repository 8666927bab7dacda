// SPDX-License-Identifier: MIT
/* render_duration: a duration in nanoseconds as people read it, in the unit that fits; the
 * one spelling of every duration nic2app shows (text, charts, the HTML page). */
#include <math.h>

#include "nic2app/render.h"

void duration_add(struct strbuf *sb, double ns)
{
	if (!isfinite(ns))
		strbuf_adds(sb, "-");
	else if (ns == 0)
		strbuf_adds(sb, "0 ns");
	else if (fabs(ns) < 9.95) /* a function call is 0.4 ns, not "0 ns" */
		strbuf_addf(sb, "%.1f ns", ns);
	else if (fabs(ns) < 999.5)
		strbuf_addf(sb, "%.0f ns", ns);
	else if (fabs(ns) < 999995)
		strbuf_addf(sb, "%.2f \u00b5s", ns / 1e3);
	else if (fabs(ns) < 1e9)
		strbuf_addf(sb, "%.2f ms", ns / 1e6);
	else
		strbuf_addf(sb, "%.2f s", ns / 1e9);
}
