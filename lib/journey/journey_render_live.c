// SPDX-License-Identifier: MIT
/*
 * journey_render_live: what `journey --live` adds to the journey's report and JSON: what it
 * watched, the totals by where the packets came from and went, what it could not match or
 * lost, and the observer's overhead on its probe flow. Its percentiles are upper bounds of
 * log2 buckets (the kernel keeps no single samples), and the text says so.
 */
#include <stdio.h>
#include <string.h>

#include "nic2app/journey_live.h"
#include "nic2app/journey_render.h"
#include "nic2app/render.h"

static void summary_json(struct json *j, const char *key, const struct summary *s)
{
	json_object_begin(j, key);
	json_uint(j, "samples", s->n);
	if (s->n) {
		json_double(j, "p50_ns", s->p50, 0);
		json_double(j, "p90_ns", s->p90, 0);
		json_double(j, "p99_ns", s->p99, 0);
		json_double(j, "min_ns", s->min, 0);
		json_double(j, "max_ns", s->max, 0);
		json_double(j, "mean_ns", s->mean, 1);
	}
	json_object_end(j);
}

static uint64_t unmatched(const struct journey_live_counts *c)
{
	return c->ready_unmatched + c->recv_unmatched;
}

static uint64_t lost(const struct journey_live_counts *c)
{
	return c->ringbuf_lost + c->map_full;
}

static void filter_json(struct json *j, const struct journey_config *cfg)
{
	json_object_begin(j, "filter");
	if (cfg->live_port)
		json_uint(j, "port", cfg->live_port);
	else
		json_null(j, "port");
	if (cfg->live_pid)
		json_int(j, "pid", cfg->live_pid);
	else
		json_null(j, "pid");
	if (cfg->live_dev[0])
		json_string(j, "dev", cfg->live_dev);
	else
		json_null(j, "dev");
	json_string(j, "proto", journey_proto_name(cfg->proto));
	json_object_end(j);
}

void journey_live_not_timed(const struct journey_live_counts *c,
			    struct journey_not_timed out[JOURNEY_NOT_TIMED])
{
	const struct journey_not_timed why[JOURNEY_NOT_TIMED] = {
		{ "sk_data_ready_unmatched", c->ready_unmatched, false },
		{ "recv_unmatched", c->recv_unmatched, false },
		{ "queued_behind_unread_data", c->behind, false },
		{ "given_up_on_the_way", c->reused, false },
		{ "dropped_by_kernel", c->dropped, false },
		{ "ring_buffer_lost", c->ringbuf_lost, true },
		{ "map_full", c->map_full, false },
		{ "wakeup_slot_taken", c->waker_taken, false },
	};

	memcpy(out, why, sizeof(why));
}

void journey_live_json_fields(struct json *j, const struct journey_result *r)
{
	const struct journey_live_counts *c = &r->live;
	struct journey_not_timed why[JOURNEY_NOT_TIMED];

	json_string(j, "percentiles", "upper bounds of log2 buckets (clamped to the exact "
		    "min and max); min, max and mean are exact");
	filter_json(j, &r->cfg);
	json_double(j, "duration_s", c->duration_s, 3);
	json_uint(j, "packets_seen", c->seen);
	json_object_begin(j, "journeys");
	json_uint(j, "local", c->done_local);
	json_uint(j, "from_elsewhere", c->done_rx);
	json_uint(j, "to_elsewhere", c->done_tx);
	json_object_end(j);
	json_object_begin(j, "totals");
	summary_json(j, "local", &c->total_local);
	summary_json(j, "from_elsewhere", &c->total_rx);
	summary_json(j, "to_elsewhere", &c->total_tx);
	json_object_end(j);
	json_uint(j, "lost", lost(c));
	json_uint(j, "lost_events", lost(c));
	json_uint(j, "unmatched", unmatched(c));
	journey_live_not_timed(c, why);
	json_object_begin(j, "not_timed");
	for (int i = 0; i < JOURNEY_NOT_TIMED; i++)
		json_uint(j, why[i].name, why[i].n);
	json_object_end(j);
	json_bool(j, "sched", c->sched);
	if (c->sched) {
		json_object_begin(j, "receiver_when_data_came");
		json_uint(j, "asleep", c->done_local + c->done_rx - c->runnable);
		json_uint(j, "awake", c->runnable);
		json_object_end(j);
	} else {
		json_null(j, "receiver_when_data_came");
	}
	if (r->npackets) {
		json_uint(j, "packets_measured", r->npackets);
		json_uint(j, "packets_complete", r->complete);
	}
	if (!c->overhead_measured) {
		json_null(j, "overhead_ns");
		return;
	}
	json_double(j, "overhead_ns", r->overhead_ns, 0);
	json_object_begin(j, "rtt");
	json_bool(j, "full_round_trip", true);
	json_string(j, "flow", "the observer's own probe: a 64-byte UDP echo over lo");
	summary_json(j, "observed", &r->rtt_ns);
	summary_json(j, "plain", &r->rtt_plain_ns);
	json_object_end(j);
}

static void heading_render(struct strbuf *sb, const struct journey_result *r, bool colour)
{
	const struct journey_config *cfg = &r->cfg;
	char line[256];
	struct strbuf what = STRBUF_INIT;

	strbuf_adds(&what, cfg->proto == JOURNEY_ANY ? "UDP and TCP" :
			   cfg->proto == JOURNEY_TCP ? "TCP" : "UDP");
	if (cfg->live_port)
		strbuf_addf(&what, ", port %u", cfg->live_port);
	if (cfg->live_pid)
		strbuf_addf(&what, ", process %d", (int)cfg->live_pid);
	if (cfg->live_dev[0])
		strbuf_addf(&what, ", device %s", cfg->live_dev);
	snprintf(line, sizeof(line), "The journey of live traffic (%s), watched for %.1f s",
		 strbuf_str(&what), r->live.duration_s);
	strbuf_release(&what);
	colour_add(sb, colour, COLOUR_BOLD, line);
	strbuf_addf(sb, "\nmethod: %s (%s)\n", journey_method_name(r->method), r->why);
	strbuf_addf(sb, "%llu packets seen; times are CLOCK_MONOTONIC; percentiles are upper "
		    "bounds of log2 buckets, means exact\n\n", (unsigned long long)r->live.seen);
}

static void total_line(struct strbuf *sb, const char *what, uint64_t n, const struct summary *s)
{
	if (!n)
		return;
	strbuf_addf(sb, "  %s: %llu, median <= ", what, (unsigned long long)n);
	duration_add(sb, s->p50);
	strbuf_adds(sb, ", p99 <= ");
	duration_add(sb, s->p99);
	strbuf_adds(sb, ", mean ");
	duration_add(sb, s->mean);
	strbuf_addc(sb, '\n');
}

static void counts_render(struct strbuf *sb, const struct journey_result *r)
{
	const struct journey_live_counts *c = &r->live;
	unsigned int unobserved = journey_unobserved(r->cfg.via);
	const char *sep = "";

	strbuf_adds(sb, "\nJourneys (first point to last):\n");
	total_line(sb, "sent and read on this host", c->done_local, &c->total_local);
	total_line(sb, "arrived from elsewhere and read", c->done_rx, &c->total_rx);
	total_line(sb, "left for elsewhere (queue to driver)", c->done_tx, &c->total_tx);
	if (!c->done_local && !c->done_rx && !c->done_tx)
		strbuf_adds(sb, "  none: no packet passed the filter and finished its way here\n");
	strbuf_adds(sb, "Not observable live: ");
	for (int m = 0; m < MS_COUNT; m++)
		if (unobserved & 1u << m) {
			strbuf_addf(sb, "%s%s", sep, module_stage_name(m));
			sep = ", ";
		}
	strbuf_adds(sb, " (no clock of the application's, no tracepoint before the qdisc, "
		    "no NIC interrupt traced)\n");
	if (c->sched && c->done_local + c->done_rx)
		strbuf_addf(sb, "In %llu of %llu recv()s the reader needed no wake-up (it was "
			    "running or runnable): their wakeup and run_queue stages are 0 ns\n",
			    (unsigned long long)c->runnable,
			    (unsigned long long)(c->done_local + c->done_rx));
	strbuf_addf(sb, "Not timed: %llu sk_data_ready and %llu recv() without a packet to "
		    "match, %llu packets queued behind unread data, %llu dropped by the kernel, "
		    "%llu given up on the way; lost: %llu\n",
		    (unsigned long long)c->ready_unmatched, (unsigned long long)c->recv_unmatched,
		    (unsigned long long)c->behind, (unsigned long long)c->dropped,
		    (unsigned long long)c->reused, (unsigned long long)lost(c));
}

/* The exact means, beside the waterfall's bucket bounds. */
static void means_render(struct strbuf *sb, const struct journey_result *r)
{
	double sum = 0;

	strbuf_adds(sb, "  means (exact):");
	for (size_t i = 0; i < r->nstages; i++) {
		strbuf_addf(sb, "%s %s ", i ? "," : "", r->stages[i]->name);
		duration_add(sb, r->stage_ns[i].mean);
		sum += r->stage_ns[i].mean;
	}
	strbuf_adds(sb, "; their sum ");
	duration_add(sb, sum);
	strbuf_addc(sb, '\n');
}

void journey_live_report_render(struct strbuf *sb, const struct journey_result *r, bool colour)
{
	heading_render(sb, r, colour);
	if (r->nstages) {
		journey_waterfall_render(sb, r, colour, 2);
		means_render(sb, r);
	} else {
		strbuf_adds(sb, "  no stage was timed\n");
	}
	counts_render(sb, r);
	if (!r->live.overhead_measured) {
		strbuf_adds(sb, "The observer's overhead: not measured (--overhead measures it)\n");
		return;
	}
	strbuf_adds(sb, "The observer's overhead on its own probe (a 64-byte UDP echo over lo, "
		    "full round trip), median: ");
	duration_add(sb, r->rtt_ns.p50);
	strbuf_adds(sb, " observed, ");
	duration_add(sb, r->rtt_plain_ns.p50);
	strbuf_adds(sb, " with nothing observing: ");
	duration_add(sb, r->overhead_ns);
	strbuf_adds(sb, " per round trip\n");
}
