/* SPDX-License-Identifier: MIT */
/*
 * report: one self-contained HTML page of everything nic2app measures (the journeys as
 * waterfalls, round-trip histograms, the zero-copy ladder, the module's table of costs, a
 * process's fds by type, and the machine), built from the same result structs as the JSON.
 * Inline SVG and CSS only: no script, no external asset, so it works offline.
 */
#ifndef NIC2APP_REPORT_H
#define NIC2APP_REPORT_H

#include <stdbool.h>
#include <time.h>

#include "nic2app/bench.h"
#include "nic2app/fd_scan.h"
#include "nic2app/journey.h"
#include "nic2app/out_file.h"
#include "nic2app/strbuf.h"

struct report {
	const struct journey_result *journeys[2]; /* UDP and TCP; NULL when not measured */
	const struct bench_results *bench;
	const struct bench_machine *machine;
	const struct fd_snapshot *fds;            /* NULL when not taken */
	bool fds_demo;                            /* the snapshot is of the demo process */
	const char *version;
	time_t when;
};

/* The whole page. 0, or -errno from a chart. */
int report_html(struct strbuf *sb, const struct report *r);

#endif
