// SPDX-License-Identifier: MIT
/*
 * journey_render_text: a journey for people. The waterfall puts each stage's bar after the
 * medians of the stages before it, so the bars read left to right as the packet's way; the
 * median of the totals is printed beside the sum of the stage medians (they differ a little:
 * medians do not add up, a packet's stages do).
 */
#include <math.h>
#include <stdio.h>

#include "nic2app/journey_render.h"
#include "nic2app/render.h"

#define BAR_WIDTH 32

static char *duration_cell(char *buf, size_t size, double ns)
{
	struct strbuf sb = STRBUF_INIT;

	duration_add(&sb, ns);
	snprintf(buf, size, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	return buf;
}

/* A bar that starts start/max of the width in (whole columns) and lasts value/max. */
static void waterfall_bar(struct strbuf *sb, double start, double value, double max)
{
	long skip = max > 0 ? lround(start / max * BAR_WIDTH) : 0;

	for (long i = 0; i < skip && i < BAR_WIDTH; i++)
		strbuf_addc(sb, ' ');
	bar_add(sb, value, max, BAR_WIDTH);
}

static double stage_sum(const struct journey_result *r)
{
	double sum = 0;

	for (size_t i = 0; i < r->nstages; i++)
		sum += r->stage_ns[i].p50;
	return sum;
}

void journey_waterfall_render(struct strbuf *sb, const struct journey_result *r, bool colour,
			      int indent)
{
	static const char *const headers[] = { "stage", "module stage", "layer", ">p50", ">p99",
					       "waterfall of the medians" };
	double sum = stage_sum(r), start = 0;
	struct table t;

	if (table_init(&t, 6, headers) < 0)
		return;
	for (size_t i = 0; i < r->nstages; i++) {
		const struct journey_stage *st = r->stages[i];
		char p50[32], p99[32], module[64];
		struct strbuf bar = STRBUF_INIT;
		const char *cells[6];

		waterfall_bar(&bar, start, r->stage_ns[i].p50, sum);
		start += r->stage_ns[i].p50;
		cells[0] = st->name;
		snprintf(module, sizeof(module), "%s%s%s", module_stage_name(st->module),
			 st->covers_last != st->module ? ".." : "",
			 st->covers_last != st->module ? module_stage_name(st->covers_last) : "");
		cells[1] = module;
		cells[2] = journey_layer_name(st->layer);
		cells[3] = duration_cell(p50, sizeof(p50), r->stage_ns[i].p50);
		cells[4] = duration_cell(p99, sizeof(p99), r->stage_ns[i].p99);
		cells[5] = strbuf_str(&bar);
		table_add_row_coloured(&t, cells, st->layer == LAYER_BOUNDARY ? COLOUR_YELLOW :
							       COLOUR_NONE);
		strbuf_release(&bar);
	}
	table_render(&t, sb, colour, indent);
	table_release(&t);
	strbuf_addf(sb, "%*stotal: median ", indent, "");
	duration_add(sb, r->total_ns.p50);
	strbuf_adds(sb, ", p99 ");
	duration_add(sb, r->total_ns.p99);
	strbuf_adds(sb, " (the stage medians add up to ");
	duration_add(sb, sum);
	strbuf_adds(sb, ")\n");
}

static bool has_layer(const struct journey_result *r, enum journey_layer l)
{
	for (size_t i = 0; i < r->nstages; i++)
		if (r->stages[i]->layer == l)
			return true;
	return false;
}

void journey_layers_render(struct strbuf *sb, const struct journey_result *r, bool colour,
			   int indent)
{
	double max = 0;

	(void)colour;
	for (int l = 0; l < LAYER_COUNT; l++)
		if (r->layer_ns[l].p50 > max)
			max = r->layer_ns[l].p50;
	for (int l = 0; l < LAYER_COUNT; l++) {
		struct strbuf d = STRBUF_INIT;

		duration_add(&d, r->layer_ns[l].p50);
		/* right-aligned in 10 columns: counted in characters, as "µ" is two bytes */
		strbuf_addf(sb, "%*s%-9s %*s%s  ", indent, "", journey_layer_name(l),
			    (int)(10 - (utf8_width(strbuf_str(&d)) < 10 ? utf8_width(strbuf_str(&d)) : 10)),
			    "", strbuf_str(&d));
		strbuf_release(&d);
		if (l == LAYER_USER && r->layer_ns[l].p50 == 0)
			strbuf_adds(sb, "(none: the journey starts at send() and ends when recv() returns)");
		else if (l == LAYER_BOUNDARY && !has_layer(r, LAYER_BOUNDARY) && r->nstages)
			strbuf_adds(sb, "(no stage of its own with this method: the user/kernel "
				    "crossings lie inside the kernel stages)");
		else
			bar_add(sb, r->layer_ns[l].p50, max, BAR_WIDTH);
		strbuf_addc(sb, '\n');
	}
}

static void heading_render(struct strbuf *sb, const struct journey_result *r, bool colour)
{
	char line[256];

	const char *proto = r->cfg.proto == JOURNEY_TCP ? "TCP" : "UDP";

	if (r->cfg.via == JOURNEY_VIA_PEER)
		snprintf(line, sizeof(line), "The round trip of a %zu-byte %s message to the peer %s "
			 "and back, via %s, on this host's clock", r->cfg.size, proto, r->peer_name,
			 r->devices[0]);
	else
		snprintf(line, sizeof(line), "The journey of a %zu-byte %s message, sender to receiver, over %s",
			 r->cfg.size, proto, r->cfg.via == JOURNEY_VIA_LO ? "loopback (lo)" :
			 "a veth pair between two namespaces");
	colour_add(sb, colour, COLOUR_BOLD, line);
	strbuf_addf(sb, "\nmethod: %s (%s)\n", journey_method_name(r->method), r->why);
	strbuf_addf(sb, "%zu messages, %zu with every point seen; times are CLOCK_MONOTONIC",
		    r->npackets, r->complete);
	if (r->method == JOURNEY_METHOD_TIMESTAMPING)
		strbuf_addf(sb, " (kernel stamps converted from CLOCK_REALTIME, +-%lld ns; the offset "
			    "moved %lld ns during the run)", (long long)r->offset.uncertainty_ns,
			    (long long)r->offset_drift_ns);
	strbuf_adds(sb, "\n\n");
}

/* Where the two ends ran: across CPUs the receiver's CPU may have to be woken first. */
static void cpus_render(struct strbuf *sb, const struct journey_result *r)
{
	size_t cross = r->complete - r->same_cpu;

	if (r->cfg.cpus != CPUS_ANY)
		strbuf_addf(sb, "Pinned (--cpus %s): the sender to CPU %d, the receiver to CPU %d. ",
			    cpu_placement_name(r->cfg.cpus), r->sender_cpu, r->receiver_cpu);
	strbuf_addf(sb, "Sender and receiver shared a CPU in %zu of %zu messages", r->same_cpu,
		    r->complete);
	if (r->same_cpu) {
		strbuf_adds(sb, " (median total ");
		duration_add(sb, r->total_same_cpu_ns.p50);
		strbuf_addc(sb, ')');
	}
	if (cross) {
		strbuf_addf(sb, "; %zu ran on different CPUs (median total ", cross);
		duration_add(sb, r->total_cross_cpu_ns.p50);
		strbuf_adds(sb, ": the receiver's idle CPU had to be woken first, on a virtual "
			    "machine a whole vCPU");
		strbuf_addc(sb, ')');
	}
	strbuf_adds(sb, "\n");
}

/* The observer's cost, or why there is none to show: a difference of two medians means
 * something only when it is larger than the spread of the runs it comes from. */
static void overhead_render(struct strbuf *sb, const struct journey_result *r)
{
	bool measurable = journey_overhead_measurable(r);

	if (measurable) {
		duration_add(sb, r->overhead_ns);
		strbuf_adds(sb, " per round trip, more than either run's spread (p25 to p75: ");
	} else {
		strbuf_adds(sb, "not measurable here (the medians differ by ");
		duration_add(sb, r->overhead_ns);
		strbuf_adds(sb, ", within the runs' own spread, p25 to p75: ");
	}
	duration_add(sb, r->rtt_plain_ns.p75 - r->rtt_plain_ns.p25);
	strbuf_adds(sb, " with nothing observing, ");
	duration_add(sb, r->rtt_ns.p75 - r->rtt_ns.p25);
	strbuf_adds(sb, " observed)");
}

static void footer_render(struct strbuf *sb, const struct journey_result *r)
{
	unsigned int unobserved = journey_unobserved(r->cfg.via);
	const char *sep = "";

	strbuf_adds(sb, r->cfg.via == JOURNEY_VIA_PEER ? "\nNot observed on their own: " :
				  "\nNot observable on this path: ");
	for (int m = 0; m < MS_COUNT; m++)
		if (unobserved & 1u << m) {
			strbuf_addf(sb, "%s%s", sep, module_stage_name(m));
			sep = ", ";
		}
	if (r->cfg.via == JOURNEY_VIA_PEER)
		strbuf_adds(sb, " (they lie inside \"away\", with the peer's whole journey)\n");
	else
		strbuf_addf(sb, " (%s has no wire, NIC, DMA or interrupt)\n",
			    r->cfg.via == JOURNEY_VIA_LO ? "loopback" : "veth");
	if (r->method == JOURNEY_METHOD_TIMESTAMPING && r->cfg.proto == JOURNEY_TCP &&
	    r->tcp_ack_ns.n) {
		strbuf_adds(sb, "TCP: from send() to the ACK stamp (all of it acknowledged): median ");
		duration_add(sb, r->tcp_ack_ns.p50);
		strbuf_addc(sb, '\n');
	}
	strbuf_adds(sb, "Round trip (full, the echo back included), median: ");
	duration_add(sb, r->rtt_ns.p50);
	strbuf_adds(sb, " observed, ");
	duration_add(sb, r->rtt_plain_ns.p50);
	strbuf_adds(sb, " with nothing observing; the observer's overhead: ");
	overhead_render(sb, r);
	strbuf_addc(sb, '\n');
	if (r->cfg.via != JOURNEY_VIA_PEER)
		cpus_render(sb, r);
	if (r->receiver_runnable)
		strbuf_addf(sb, "In %zu of %zu messages the receiver needed no wake-up: it was still "
			    "runnable (%zu) or on a CPU (%zu) when the data came, so their wakeup "
			    "stage is 0 ns\n", r->receiver_runnable, r->complete,
			    r->receiver_runnable - r->receiver_running, r->receiver_running);
	if (r->method == JOURNEY_METHOD_TRACEFS)
		strbuf_addf(sb, "Trace events: %llu read, %llu used, %llu lost\n",
			    (unsigned long long)r->events_read, (unsigned long long)r->events_used,
			    (unsigned long long)r->lost_events);
	for (int p = 0; p < JP_POINTS; p++)
		if (r->missing_at[p])
			strbuf_addf(sb, "%zu messages left out: no %s seen%s\n", r->missing_at[p],
				    journey_point_name(p), p == JP_ON_CPU ?
				    " (the kernel did not trace the receiver's switch onto its CPU; seen "
				    "when that CPU was idle)" : "");
}

void journey_report_render(struct strbuf *sb, const struct journey_result *r, bool colour)
{
	heading_render(sb, r, colour);
	journey_waterfall_render(sb, r, colour, 2);
	strbuf_adds(sb, "\nBy layer (each message's time in the layer, then the median):\n");
	journey_layers_render(sb, r, colour, 2);
	footer_render(sb, r);
}
