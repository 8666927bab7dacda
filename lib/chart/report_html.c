// SPDX-License-Identifier: MIT
/*
 * report_html: the page of `nic2app report --html`. Sections in the order a learner meets
 * them in the module: the machine, the journey, round trips, zero copy, the module's table,
 * a process's fds. The charts come from lib/chart_*.c; tables and text are written here.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/charts.h"
#include "nic2app/journey_render.h"
#include "nic2app/report.h"

static const char style[] =
	"body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;"
	"line-height:1.45;padding:0 1em}"
	"h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}"
	"figure{margin:1em 0;overflow-x:auto}figcaption{color:#555;font-size:.9em}"
	"table{border-collapse:collapse;margin:1em 0}td,th{padding:.25em .8em;text-align:left;"
	"border-bottom:1px solid #eee}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".bar-cell{width:320px}.hbar{display:inline-block;height:.9em;background:#4a7fb5}"
	".warn{color:#8a5a00}.muted{color:#777}code{background:#f4f4f4;padding:0 .2em}";

/* Text for HTML content and attribute values. */
static void html_add(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_adds(sb, "&amp;"); break;
		case '<': strbuf_adds(sb, "&lt;"); break;
		case '>': strbuf_adds(sb, "&gt;"); break;
		case '"': strbuf_adds(sb, "&quot;"); break;
		case '\'': strbuf_adds(sb, "&#39;"); break;
		default: strbuf_addc(sb, *s);
		}
	}
}

static void html_duration(struct strbuf *sb, double ns)
{
	struct strbuf d = STRBUF_INIT;

	duration_add(&d, ns);
	html_add(sb, strbuf_str(&d));
	strbuf_release(&d);
}

static const struct bench_result *find(const struct bench_results *r, const char *name)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

static void machine_section(struct strbuf *sb, const struct report *r)
{
	const struct bench_machine *m = r->machine;
	char when[64];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime(&r->when));
	strbuf_adds(sb, "<section id=\"machine\"><h2>The machine</h2><p>");
	strbuf_addf(sb, "Measured on %s. Linux ", when);
	html_add(sb, m->kernel);
	strbuf_addf(sb, ", %d CPUs, ", m->cpus);
	html_add(sb, m->cpu_model[0] ? m->cpu_model : "CPU model unknown");
	if (m->virtualized) {
		strbuf_adds(sb, ", a virtual machine");
		if (m->hypervisor[0]) {
			strbuf_adds(sb, " under ");
			html_add(sb, m->hypervisor);
		}
	}
	strbuf_adds(sb, ".</p>");
	for (size_t i = 0; i < m->nwarnings; i++) {
		strbuf_adds(sb, "<p class=\"warn\">Warning: ");
		html_add(sb, m->warnings[i]);
		strbuf_adds(sb, "</p>");
	}
	strbuf_adds(sb, "</section>\n");
}

static int journey_section(struct strbuf *sb, const struct report *r)
{
	int err;

	strbuf_adds(sb, "<section id=\"journey\"><h2>The packet's journey</h2><p>One message from "
		    "the sender's <code>send()</code> to the receiver's <code>recv()</code>, cut at the "
		    "points where the kernel saw it. A bar starts where the medians of the stages "
		    "before it end. Stages loopback cannot show are listed, not invented.</p>\n");
	for (int i = 0; i < 2; i++) {
		const struct journey_result *j = r->journeys[i];

		if (!j)
			continue;
		strbuf_adds(sb, "<figure>");
		if ((err = chart_journey_waterfall(sb, j)) < 0)
			return err;
		strbuf_addf(sb, "<figcaption>%s, %zu bytes, %zu messages, method %s: median total ",
			    j->cfg.proto == JOURNEY_TCP ? "TCP" : "UDP", j->cfg.size, j->complete,
			    journey_method_name(j->method));
		html_duration(sb, j->total_ns.p50);
		if (journey_overhead_measurable(j)) {
			strbuf_adds(sb, "; the observer added ");
			html_duration(sb, j->overhead_ns);
			strbuf_adds(sb, " to a round trip");
		} else {
			strbuf_adds(sb, "; the observer's cost was not measurable here (the medians "
				    "differ by ");
			html_duration(sb, j->overhead_ns);
			strbuf_adds(sb, ", within the runs' own spread)");
		}
		strbuf_adds(sb, " (round trips p25 to p75: ");
		html_duration(sb, j->rtt_plain_ns.p75 - j->rtt_plain_ns.p25);
		strbuf_adds(sb, " with nothing observing, ");
		html_duration(sb, j->rtt_ns.p75 - j->rtt_ns.p25);
		strbuf_adds(sb, " observed).</figcaption></figure>\n");
	}
	strbuf_adds(sb, "</section>\n");
	return 0;
}

/* A chart from the bench results, or a line saying the suite did not run. */
static int bench_chart(struct strbuf *sb, const char *id, const char *title, const char *text,
		       int (*chart)(struct strbuf *, const struct bench_results *),
		       const struct bench_results *b)
{
	int err;

	strbuf_addf(sb, "<section id=\"%s\"><h2>%s</h2><p>%s</p><figure>", id, title, text);
	err = b ? chart(sb, b) : -ENODATA;
	if (err == -ENODATA)
		strbuf_adds(sb, "<p class=\"muted\">Not measured in this run.</p>");
	else if (err < 0)
		return err;
	strbuf_adds(sb, "</figure></section>\n");
	return 0;
}

static void table_row(struct strbuf *sb, const char *op, const char *typical,
		      const struct bench_result *res)
{
	strbuf_adds(sb, "<tr><td>");
	html_add(sb, op);
	strbuf_adds(sb, "</td><td>");
	html_add(sb, typical);
	strbuf_adds(sb, "</td><td class=\"num\">");
	if (!res)
		strbuf_adds(sb, "not measured");
	else if (strcmp(res->unit, "ns") == 0)
		html_duration(sb, res->value);
	else
		strbuf_addf(sb, "%.2f %s", res->value, res->unit);
	strbuf_adds(sb, "</td></tr>\n");
}

static void module_table(struct strbuf *sb, const struct bench_results *b)
{
	strbuf_adds(sb, "<section id=\"table\"><h2>The module's performance table, measured</h2>"
		    "<table><tr><th>operation</th><th>module's typical</th><th>measured here (p50)"
		    "</th></tr>\n");
	table_row(sb, "a function call (baseline)", "-", find(b, "syscall.function_call"));
	table_row(sb, "system call overhead: getppid", "~100-300 ns", find(b, "syscall.getppid"));
	table_row(sb, "data copy (1 KB): memcpy", "~500 ns", find(b, "copy.memcpy_1k"));
	table_row(sb, "data copy (1 KB): through a pipe", "~500 ns", find(b, "copy.pipe_1k"));
	table_row(sb, "data copy (1 KB): over TCP on lo", "~500 ns", find(b, "copy.socket_1k"));
	table_row(sb, "memory bandwidth", "-", find(b, "copy.memcpy_large"));
	table_row(sb, "network RTT (local), TCP, one CPU", "~50 \u00b5s", find(b, "rtt.tcp_lo.pinned"));
	table_row(sb, "network RTT (local), TCP, two CPUs", "~50 \u00b5s", find(b, "rtt.tcp_lo.blocking"));
	table_row(sb, "network RTT (local), TCP, busy-polling", "~50 \u00b5s",
		  find(b, "rtt.tcp_lo.busy_poll"));
	strbuf_adds(sb, "</table></section>\n");
}

static void fds_section(struct strbuf *sb, const struct report *r)
{
	const struct fd_snapshot *s = r->fds;
	size_t by_type[FD_TYPE_COUNT] = { 0 }, most = 1;

	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		if (++by_type[s->fds[i].type] > most)
			most = by_type[s->fds[i].type];
	strbuf_addf(sb, "<section id=\"fds\"><h2>File descriptors of process %d (", (int)s->pid);
	html_add(sb, s->comm);
	strbuf_addf(sb, ")%s</h2><p>%zu fds, read in %.2f ms; soft limit %ld.</p>",
		    r->fds_demo ? ", a demo started for this report" : "", s->count,
		    (double)s->elapsed_ns / 1e6, s->limit_soft);
	strbuf_adds(sb, "<table class=\"fds\"><tr><th>type</th><th>count</th><th></th></tr>\n");
	for (int t = 0; t < FD_TYPE_COUNT; t++)
		if (by_type[t])
			strbuf_addf(sb, "<tr data-type=\"%s\"><td>%s</td><td class=\"num\">%zu</td>"
				    "<td class=\"bar-cell\"><span class=\"hbar\" style=\"width:%.1f%%\">"
				    "</span></td></tr>\n", fd_type_name(t), fd_type_name(t), by_type[t],
				    100.0 * (double)by_type[t] / (double)most);
	strbuf_adds(sb, "</table></section>\n");
}

int report_html(struct strbuf *sb, const struct report *r)
{
	int err;

	strbuf_addf(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<title>nic2app report</title><style>%s</style></head><body>\n", style);
	strbuf_adds(sb, "<header><h1>From the network card to the application, measured on this "
		    "machine</h1><p>Module 1, Networking Fundamentals: every number on this page was "
		    "measured when it was made. The module's typical figures are labelled as such."
		    "</p></header>\n");
	machine_section(sb, r);
	if ((err = journey_section(sb, r)) < 0 ||
	    (err = bench_chart(sb, "rtt", "Round trips", "Full round trips of 64 bytes, never "
			       "halved, on a log scale; p50 and p99 marked.", chart_rtt_histograms,
			       r->bench)) < 0 ||
	    (err = bench_chart(sb, "zerocopy", "Zero copy", "One file sent over loopback TCP by "
			       "each technique; the memory bandwidth is the ceiling. Marked: "
			       "where the kernel reported it copied anyway.", chart_zerocopy_ladder,
			       r->bench)) < 0)
		return err;
	module_table(sb, r->bench);
	fds_section(sb, r);
	strbuf_adds(sb, "<footer class=\"muted\"><p>Made by nic2app ");
	html_add(sb, r->version);
	strbuf_adds(sb, ". One file: inline SVG and CSS, no script, nothing fetched.</p></footer>"
		    "\n</body></html>\n");
	return sb->err;
}
