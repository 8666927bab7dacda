// SPDX-License-Identifier: MIT
/* journey_render_json: a journey as the JSON object of DESIGN.md ("the packet journey"). */
#include "nic2app/journey_render.h"
#include "nic2app/json.h"

static void summary_fields(struct json *j, const struct summary *s)
{
	json_uint(j, "samples", s->n);
	if (!s->n)
		return;
	json_double(j, "p50_ns", s->p50, 0);
	json_double(j, "p90_ns", s->p90, 0);
	json_double(j, "p99_ns", s->p99, 0);
	json_double(j, "min_ns", s->min, 0);
	json_double(j, "max_ns", s->max, 0);
	json_double(j, "mean_ns", s->mean, 1);
}

static void summary_object(struct json *j, const char *key, const struct summary *s)
{
	json_object_begin(j, key);
	summary_fields(j, s);
	json_object_end(j);
}

static void stages_json(struct json *j, const struct journey_result *r)
{
	json_array_begin(j, "stages");
	for (size_t i = 0; i < r->nstages; i++) {
		const struct journey_stage *st = r->stages[i];

		json_object_begin(j, NULL);
		json_string(j, "name", st->name);
		json_string(j, "from", journey_point_name(st->from));
		json_string(j, "to", journey_point_name(st->to));
		json_string(j, "module_stage", module_stage_name(st->module));
		json_array_begin(j, "covers");
		for (int m = st->module; m <= (int)st->covers_last; m++)
			json_string(j, NULL, module_stage_name(m));
		json_array_end(j);
		json_string(j, "layer", journey_layer_name(st->layer));
		json_string(j, "what", st->what);
		summary_fields(j, &r->stage_ns[i]);
		json_object_end(j);
	}
	json_array_end(j);
}

static void observer_json(struct json *j, const struct journey_result *r)
{
	json_uint(j, "packets_measured", r->npackets);
	json_uint(j, "packets_complete", r->complete);
	json_object_begin(j, "incomplete_by_point");
	for (int p = 0; p < JP_POINTS; p++)
		if (r->missing_at[p])
			json_uint(j, journey_point_name(p), r->missing_at[p]);
	json_object_end(j);
	json_object_begin(j, "cpus");
	json_string(j, "placement", cpu_placement_name(r->cfg.cpus));
	if (r->cfg.cpus != CPUS_ANY) {
		json_int(j, "sender_cpu", r->sender_cpu);
		json_int(j, "receiver_cpu", r->receiver_cpu);
	}
	json_uint(j, "same", r->same_cpu);
	json_uint(j, "different", r->complete - r->same_cpu);
	summary_object(j, "total_same", &r->total_same_cpu_ns);
	summary_object(j, "total_different", &r->total_cross_cpu_ns);
	json_object_end(j);
	json_uint(j, "lost_events", r->lost_events);
	if (r->method == JOURNEY_METHOD_TRACEFS) {
		json_object_begin(j, "receiver_when_data_came");
		json_uint(j, "asleep", r->complete - r->receiver_runnable);
		json_uint(j, "runnable", r->receiver_runnable - r->receiver_running);
		json_uint(j, "on_cpu", r->receiver_running);
		json_object_end(j);
		json_object_begin(j, "events");
		json_uint(j, "read", r->events_read);
		json_uint(j, "used", r->events_used);
		json_object_end(j);
		json_uint(j, "unmatched_events", r->events_read - r->events_used);
	} else {
		json_object_begin(j, "clock_conversion");
		json_string(j, "from", "CLOCK_REALTIME");
		json_int(j, "realtime_minus_monotonic_ns", r->offset.realtime_minus_monotonic_ns);
		json_int(j, "uncertainty_ns", r->offset.uncertainty_ns);
		json_int(j, "drift_during_run_ns", r->offset_drift_ns);
		json_object_end(j);
		if (r->cfg.proto == JOURNEY_TCP)
			summary_object(j, "tcp_ack", &r->tcp_ack_ns);
	}
	json_double(j, "overhead_ns", r->overhead_ns, 0);
	/* the difference is a cost only above both runs' spread (p25 to p75 of their round trips) */
	json_bool(j, "overhead_measurable", journey_overhead_measurable(r));
	json_object_begin(j, "rtt");
	json_bool(j, "full_round_trip", true);
	summary_object(j, "observed", &r->rtt_ns);
	summary_object(j, "plain", &r->rtt_plain_ns);
	json_double(j, "plain_spread_ns", r->rtt_plain_ns.p75 - r->rtt_plain_ns.p25, 0);
	json_double(j, "observed_spread_ns", r->rtt_ns.p75 - r->rtt_ns.p25, 0);
	json_object_end(j);
}

static void packets_json(struct json *j, const struct journey_result *r)
{
	json_array_begin(j, "packets");
	for (size_t i = 0; i < r->npackets; i++) {
		const struct journey_packet *p = &r->packets[i];

		json_object_begin(j, NULL);
		json_bool(j, "complete", p->complete);
		if (!p->complete)
			json_string(j, "missing", journey_point_name(p->missing));
		json_uint(j, "wire_len", p->wire_len);
		json_uint(j, "rtt_ns", p->rtt_ns);
		json_int(j, "sender_cpu", p->sender_cpu);
		json_int(j, "receiver_cpu", p->receiver_cpu);
		json_object_begin(j, "at_ns");
		for (size_t k = 0; k < r->npoints; k++)
			if (p->at[r->points[k]])
				json_uint(j, journey_point_name(r->points[k]), p->at[r->points[k]]);
		json_object_end(j);
		json_array_begin(j, "implied");
		for (int k = 0; k < JP_POINTS; k++)
			if (p->implied & 1u << k)
				json_string(j, NULL, journey_point_name(k));
		json_array_end(j);
		if (p->complete) {
			json_uint(j, "total_ns", p->at[r->points[r->npoints - 1]] - p->at[r->points[0]]);
			json_array_begin(j, "stages_ns");
			for (size_t k = 0; k + 1 < r->npoints; k++)
				json_uint(j, NULL, p->at[r->points[k + 1]] - p->at[r->points[k]]);
			json_array_end(j);
		}
		json_object_end(j);
	}
	json_array_end(j);
}

int journey_json(struct strbuf *sb, const struct journey_result *r, bool with_packets)
{
	unsigned int unobserved = journey_unobserved(r->cfg.via);
	struct json j;

	json_init(&j, sb);
	json_object_begin(&j, NULL);
	json_string(&j, "proto", journey_proto_name(r->cfg.proto));
	json_uint(&j, "size", r->cfg.size);
	json_uint(&j, "count", r->cfg.count);
	json_string(&j, "path", r->cfg.via == JOURNEY_VIA_LO ? "lo" :
				r->cfg.via == JOURNEY_VIA_NETNS ? "netns" : "peer");
	if (r->cfg.via == JOURNEY_VIA_PEER)
		json_string(&j, "peer", r->peer_name);
	json_array_begin(&j, "devices");
	for (int d = 0; d < 2; d++)
		if (r->devices[d][0])
			json_string(&j, NULL, r->devices[d]);
	json_array_end(&j);
	json_string(&j, "method", journey_method_name(r->method));
	json_string(&j, "method_reason", r->why);
	json_string(&j, "clock", "CLOCK_MONOTONIC");
	stages_json(&j, r);
	summary_object(&j, "total", &r->total_ns);
	json_object_begin(&j, "layers");
	for (int l = 0; l < LAYER_COUNT; l++)
		summary_object(&j, journey_layer_name(l), &r->layer_ns[l]);
	json_object_end(&j);
	json_array_begin(&j, "unobserved");
	for (int m = 0; m < MS_COUNT; m++)
		if (unobserved & 1u << m)
			json_string(&j, NULL, module_stage_name(m));
	json_array_end(&j);
	observer_json(&j, r);
	if (with_packets)
		packets_json(&j, r);
	json_object_end(&j);
	return json_finish(&j);
}
