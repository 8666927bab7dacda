// SPDX-License-Identifier: MIT
/* render_duration: a duration in nanoseconds as people read it, in the unit that fits. */
#include <math.h>

#include "nic2app/render.h"

void duration_add(struct strbuf *sb, double ns)
{
	if (!isfinite(ns))
		strbuf_adds(sb, "-");
	else if (fabs(ns) < 1000)
		strbuf_addf(sb, "%.0f ns", ns);
	else if (fabs(ns) < 1e6)
		strbuf_addf(sb, "%.2f us", ns / 1e3);
	else if (fabs(ns) < 1e9)
		strbuf_addf(sb, "%.2f ms", ns / 1e6);
	else
		strbuf_addf(sb, "%.2f s", ns / 1e9);
}
