// SPDX-License-Identifier: MIT
/*
 * bench_render_text: results for people: one table (value, p99, the module's figure and the
 * extras that apply), a one-line histogram per round trip on a log scale, and the notes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/bench_render.h"
#include "nic2app/journey_render.h"
#include "nic2app/render.h"

void bench_machine_render(struct strbuf *sb, const struct bench_machine *m, bool colour)
{
	colour_add(sb, colour, COLOUR_BOLD, "Machine");
	strbuf_addf(sb, ": Linux %s, %d CPUs, %s%s%s%s\n", m->kernel, m->cpus,
		    m->cpu_model[0] ? m->cpu_model : "CPU model unknown",
		    m->virtualized ? ", virtual machine" : "",
		    m->hypervisor[0] ? " under " : "", m->hypervisor);
	if (m->governor[0])
		strbuf_addf(sb, "cpufreq governor: %s\n", m->governor);
	for (size_t i = 0; i < m->nwarnings; i++) {
		colour_add(sb, colour, COLOUR_YELLOW, "warning");
		strbuf_addf(sb, ": %s\n", m->warnings[i]);
	}
}

/* "123.4 ns" as a duration, else "4.21 GB/s", "1.23M msg/s". */
static void value_cell(char *buf, size_t size, double v, const char *unit)
{
	struct strbuf sb = STRBUF_INIT;

	if (isnan(v))
		snprintf(buf, size, "-");
	else if (strcmp(unit, "ns") == 0) {
		duration_add(&sb, v);
		snprintf(buf, size, "%s", strbuf_str(&sb));
	} else if (strcmp(unit, "msg/s") == 0 && v >= 1e6)
		snprintf(buf, size, "%.2fM msg/s", v / 1e6);
	else if (strcmp(unit, "msg/s") == 0)
		snprintf(buf, size, "%.0fk msg/s", v / 1e3);
	else
		snprintf(buf, size, "%.2f %s", v, unit);
	strbuf_release(&sb);
}

/* The slow side of the distribution, named: p99 of a time, p1 of a throughput. */
static void tail_cell(char *buf, size_t size, const struct bench_result *r)
{
	bool up = bench_higher_is_better(r);
	char v[32];

	if (!r->dist.n) {
		snprintf(buf, size, "-");
		return;
	}
	value_cell(v, sizeof(v), up ? r->dist.p1 : r->dist.p99, r->unit);
	snprintf(buf, size, "%s (%s)", v, up ? "p1" : "p99");
}

static void extras_cell(char *buf, size_t size, const struct bench_result *r)
{
	size_t len = 0;

	buf[0] = '\0';
	if (!isnan(r->syscalls_per_mib))
		len += (size_t)snprintf(buf + len, size - len, "%.3g syscalls/MiB%s ", r->syscalls_per_mib,
					r->syscalls_counted ? "" : " (by design)");
	if (!isnan(r->cpu_s_per_gib) && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%.3f CPU s/GiB ", r->cpu_s_per_gib);
	if (!isnan(r->syscalls_per_msg) && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%.3f syscalls/msg%s ", r->syscalls_per_msg,
					r->syscalls_counted ? "" : " (by design)");
	if (r->copied != BENCH_COPIED_UNKNOWN && len < size)
		snprintf(buf + len, size - len, "%s", r->copied == BENCH_COPIED_NO ? "no copy" :
			 r->copied_by_design ? "copies by design" : "kernel copied anyway");
}

/* One line: the occupied log2 buckets as vertical bars, from the first to the last. */
static void hist_line(struct strbuf *sb, const struct bench_result *r)
{
	static const char *const levels[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	int first = -1, last = -1;
	uint32_t most = 0;

	for (int k = 0; k < BENCH_HIST_BUCKETS; k++)
		if (r->hist[k]) {
			first = first < 0 ? k : first;
			last = k;
			most = r->hist[k] > most ? r->hist[k] : most;
		}
	if (first < 0)
		return;
	strbuf_addf(sb, "  %-28s ", r->name);
	duration_add(sb, (double)(1ull << first));
	strbuf_adds(sb, " ");
	for (int k = first; k <= last; k++) {
		/* a log scale of counts too, so a tail of a few samples still shows */
		double level = r->hist[k] ? 1 + 7 * log((double)r->hist[k]) / log((double)most + 1) : 0;

		strbuf_adds(sb, levels[level > 8 ? 8 : (int)level]);
	}
	strbuf_adds(sb, " ");
	duration_add(sb, (double)(1ull << (last + 1)));
	strbuf_addc(sb, '\n');
}

/* Where the two ends of a round trip ran, as journey says it: pinned, or where they were. */
static void ends_line(struct strbuf *sb, const struct bench_result *r)
{
	const struct bench_ends *e = &r->ends;
	const char *sep = "";

	strbuf_addf(sb, "  %s: ran on: ", r->name);
	if (e->client_cpu >= 0) {
		strbuf_addf(sb, "this end pinned to CPU %d, ", e->client_cpu);
	} else {
		strbuf_adds(sb, "this end not pinned, on ");
		for (int c = 0; c < BENCH_MAX_CPUS; c++)
			if (e->client_on[c]) {
				strbuf_addf(sb, "%sCPU %d in %u rounds", sep, c, e->client_on[c]);
				sep = ", ";
			}
		strbuf_addf(sb, " (it moved %u times), ", e->client_moves);
	}
	if (!e->server_is_peer)
		strbuf_addf(sb, "the echo thread pinned to CPU %d (%s)\n", e->server_cpu,
			    e->server_cpu == e->client_cpu ? "one CPU: no wake-up of another" :
			    "two CPUs: each message wakes the other end's CPU");
	else
		strbuf_addf(sb, "the peer not pinned by this end, its CPUs not known here%s\n",
			    e->peer_on_this_machine ? " (it is on this machine: it shares these "
			    "CPUs, and a round trip swings by a wake-up as the two ends meet on one "
			    "CPU or not)" : "");
}

void bench_results_render(struct strbuf *sb, const struct bench_results *r, const char *prefix,
			  bool colour)
{
	static const char *const headers[] = { "result", ">value (p50)", ">slow tail",
					       "module's typical", "more" };
	size_t plen = strlen(prefix);
	bool hists = false;
	struct table t;

	if (table_init(&t, 5, headers) < 0)
		return;
	for (size_t i = 0; i < r->n; i++) {
		const struct bench_result *res = &r->v[i];
		char value[32], p99[48], extras[160];
		const char *cells[5];

		if (strncmp(res->name, prefix, plen) != 0)
			continue;
		value_cell(value, sizeof(value), res->value, res->unit);
		tail_cell(p99, sizeof(p99), res);
		extras_cell(extras, sizeof(extras), res);
		cells[0] = res->name;
		cells[1] = value;
		cells[2] = p99;
		cells[3] = res->module_typical ? res->module_typical : "";
		cells[4] = extras;
		table_add_row(&t, cells);
		hists |= res->has_hist;
	}
	table_render(&t, sb, colour, 2);
	table_release(&t);
	if (hists)
		strbuf_adds(sb, "  round trips, log2 buckets (bar height: log of the count):\n");
	for (size_t i = 0; i < r->n; i++)
		if (strncmp(r->v[i].name, prefix, plen) == 0 && r->v[i].has_hist)
			hist_line(sb, &r->v[i]);
	for (size_t i = 0; i < r->n; i++)
		if (strncmp(r->v[i].name, prefix, plen) == 0 && r->v[i].note[0])
			strbuf_addf(sb, "  %s: %s\n", r->v[i].name, r->v[i].note);
	for (size_t i = 0; i < r->n; i++)
		if (strncmp(r->v[i].name, prefix, plen) == 0 && r->v[i].ends.known &&
		    r->v[i].ends.server_is_peer)
			ends_line(sb, &r->v[i]);
}
