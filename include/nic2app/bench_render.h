/* SPDX-License-Identifier: MIT */
/* bench_render: benchmark results as text tables (with round-trip histograms) or as the
 * DESIGN.md JSON. Shared by `nic2app bench` and the tour. */
#ifndef NIC2APP_BENCH_RENDER_H
#define NIC2APP_BENCH_RENDER_H

#include <stdbool.h>

#include "nic2app/bench.h"
#include "nic2app/strbuf.h"

/* The machine and its warnings. */
void bench_machine_render(struct strbuf *sb, const struct bench_machine *m, bool colour);
/* The results whose names start with prefix ("rtt." ; "" for all) as one table, then one
 * line per round-trip histogram and the notes. */
void bench_results_render(struct strbuf *sb, const struct bench_results *r, const char *prefix,
			  bool colour);
/* {"machine":{...},"results":[...]} without a newline. */
int bench_json(struct strbuf *sb, const struct bench_machine *m, const struct bench_results *r);

#endif
