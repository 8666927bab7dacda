/* SPDX-License-Identifier: MIT */
/*
 * journey_render: a journey as text (a waterfall of the stage medians, the breakdown by
 * layer, the totals) or as the DESIGN.md JSON. Shared by `nic2app journey` and example 3.
 */
#ifndef NIC2APP_JOURNEY_RENDER_H
#define NIC2APP_JOURNEY_RENDER_H

#include <stdbool.h>

#include "nic2app/journey.h"
#include "nic2app/render.h"
#include "nic2app/strbuf.h"

/* The waterfall: one row per stage (name, module stage, layer, p50, p99, a bar placed
 * after the previous stages' medians), then the total. */
void journey_waterfall_render(struct strbuf *sb, const struct journey_result *r, bool colour,
			      int indent);
/* Per message, the time in each layer (user / kernel / boundary), then the median, as bars. */
void journey_layers_render(struct strbuf *sb, const struct journey_result *r, bool colour,
			   int indent);
/* The whole report of `nic2app journey`: heading, waterfall, layers, what was not
 * observed, round trips and overhead, event counts. */
void journey_report_render(struct strbuf *sb, const struct journey_result *r, bool colour);

/* The JSON object (no newline); with_packets adds every measured packet's stages. */
int journey_json(struct strbuf *sb, const struct journey_result *r, bool with_packets);

#endif
