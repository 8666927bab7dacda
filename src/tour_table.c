// SPDX-License-Identifier: MIT
/*
 * tour_table: the tour's last stop: the module's table of typical costs, each row beside what
 * `nic2app bench --quick` measures for it here, in a few seconds.
 */
#include <stdio.h>
#include <string.h>

#include "nic2app/bench.h"
#include "nic2app/journey_render.h"
#include "nic2app/render.h"
#include "tour.h"

static double value_of(const struct bench_results *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return r->v[i].value;
	return -1;
}

/* "name1 X, name2 Y" for the results that exist, each labelled. */
static void measured_cell(char *buf, size_t size, const struct bench_results *r,
			  const char *const *names, const char *const *labels, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	const char *sep = "";

	for (size_t i = 0; i < n; i++) {
		double v = value_of(r, names[i]);

		if (v < 0)
			continue;
		strbuf_addf(&sb, "%s%s ", sep, labels[i]);
		duration_add(&sb, v);
		sep = ", ";
	}
	snprintf(buf, size, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
}

int tour_module_table(struct strbuf *sb, bool colour)
{
	static const char *const headers[] = { "operation", "module's typical", "measured here (p50)" };
	static const char *const sys_names[] = { "syscall.getppid", "syscall.function_call" };
	static const char *const sys_labels[] = { "getppid", "a function call" };
	static const char *const copy_names[] = { "copy.memcpy_1k", "copy.pipe_1k", "copy.socket_1k" };
	static const char *const copy_labels[] = { "memcpy", "through a pipe", "through TCP on lo" };
	static const char *const rtt_names[] = { "rtt.tcp_lo.pinned", "rtt.tcp_lo.blocking",
						 "rtt.tcp_lo.busy_poll" };
	static const char *const rtt_labels[] = { "one CPU", "two CPUs", "busy-polling" };
	struct bench_opts o = { .quick = true };
	struct bench_results r = { 0 };
	char sys[128], copy[160], rtt[160];
	struct table t;
	int err;

	if ((err = bench_syscall(&o, &r)) < 0 || (err = bench_copy(&o, &r)) < 0 ||
	    (err = bench_rtt(&o, &r)) < 0 || (err = table_init(&t, 3, headers)) < 0) {
		bench_results_release(&r);
		return err;
	}
	measured_cell(sys, sizeof(sys), &r, sys_names, sys_labels, 2);
	measured_cell(copy, sizeof(copy), &r, copy_names, copy_labels, 3);
	measured_cell(rtt, sizeof(rtt), &r, rtt_names, rtt_labels, 3);
	table_add_row(&t, (const char *const[]){ "system call overhead", "~100-300 ns", sys });
	table_add_row(&t, (const char *const[]){ "data copy (1 KB)", "~500 ns", copy });
	table_add_row(&t, (const char *const[]){ "network RTT (local, TCP)", "~50 \u00b5s", rtt });
	table_render(&t, sb, colour, 2);
	table_release(&t);
	bench_results_release(&r);
	return 0;
}
