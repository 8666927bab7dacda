// SPDX-License-Identifier: MIT
/* bench_render_json: the `nic2app bench --json` object of DESIGN.md. */
#include <math.h>
#include <stdio.h>

#include "nic2app/bench_render.h"
#include "nic2app/json.h"

static void machine_json(struct json *j, const struct bench_machine *m)
{
	json_object_begin(j, "machine");
	json_string(j, "kernel", m->kernel);
	json_int(j, "cpus", m->cpus);
	json_string(j, "cpu_model", m->cpu_model);
	json_bool(j, "virtualized", m->virtualized);
	json_string(j, "hypervisor", m->hypervisor);
	json_string(j, "governor", m->governor);
	json_array_begin(j, "warnings");
	for (size_t i = 0; i < m->nwarnings; i++)
		json_string(j, NULL, m->warnings[i]);
	json_array_end(j);
	json_object_end(j);
}

/* A number that may not apply: left out when NAN. */
static void maybe(struct json *j, const char *key, double v, int decimals)
{
	if (!isnan(v))
		json_double(j, key, v, decimals);
}

static void dist_json(struct json *j, const struct bench_result *r)
{
	int d = r->unit[0] == 'n' ? 1 : 3; /* ns to 0.1; GB/s and msg/s to 0.001 */

	json_uint(j, "samples", r->dist.n);
	if (bench_higher_is_better(r)) { /* the slow tail of a throughput is at the low end */
		json_bool(j, "higher_is_better", true);
		json_double(j, "p1", r->dist.p1, d);
		json_double(j, "p10", r->dist.p10, d);
	}
	json_double(j, "p50", r->dist.p50, d);
	json_double(j, "p90", r->dist.p90, d);
	json_double(j, "p99", r->dist.p99, d);
	json_double(j, "p999", r->dist.p999, d);
	json_double(j, "min", r->dist.min, d);
	json_double(j, "max", r->dist.max, d);
	json_double(j, "mean", r->dist.mean, d);
}

static void hist_json(struct json *j, const struct bench_result *r)
{
	json_array_begin(j, "histogram");
	for (int k = 0; k < BENCH_HIST_BUCKETS; k++) {
		if (!r->hist[k])
			continue;
		json_object_begin(j, NULL);
		json_uint(j, "from_ns", 1ull << k);
		json_uint(j, "to_ns", 1ull << (k + 1));
		json_uint(j, "count", r->hist[k]);
		json_object_end(j);
	}
	json_array_end(j);
}

/* rtt: {"client":{"pinned":..,"cpu" or "rounds_by_cpu","moves"},"server":{...}} */
static void ends_json(struct json *j, const struct bench_ends *e)
{
	json_object_begin(j, "ends");
	json_object_begin(j, "client");
	json_bool(j, "pinned", e->client_cpu >= 0);
	if (e->client_cpu >= 0) {
		json_int(j, "cpu", e->client_cpu);
	} else {
		json_object_begin(j, "rounds_by_cpu");
		for (int c = 0; c < BENCH_MAX_CPUS; c++)
			if (e->client_on[c]) {
				char key[16];

				snprintf(key, sizeof(key), "%d", c);
				json_uint(j, key, e->client_on[c]);
			}
		json_object_end(j);
		json_uint(j, "moves", e->client_moves);
	}
	json_object_end(j);
	json_object_begin(j, "server");
	json_bool(j, "peer", e->server_is_peer);
	if (e->server_is_peer) {
		json_null(j, "pinned"); /* not known here */
		json_bool(j, "on_this_machine", e->peer_on_this_machine);
	} else {
		json_bool(j, "pinned", true);
		json_int(j, "cpu", e->server_cpu);
	}
	json_object_end(j);
	json_object_end(j);
}

static void result_json(struct json *j, const struct bench_result *r)
{
	json_object_begin(j, NULL);
	json_string(j, "name", r->name);
	json_string(j, "unit", r->unit);
	json_double(j, "value", r->value, r->unit[0] == 'n' ? 1 : 3);
	if (r->dist.n)
		dist_json(j, r);
	if (r->module_typical)
		json_string(j, "module_typical", r->module_typical);
	if (r->mode)
		json_string(j, "mode", r->mode);
	if (r->full_round_trip)
		json_bool(j, "full_round_trip", true);
	maybe(j, "syscalls_per_mib", r->syscalls_per_mib, 4);
	maybe(j, "cpu_s_per_gib", r->cpu_s_per_gib, 4);
	maybe(j, "syscalls_per_msg", r->syscalls_per_msg, 3);
	if (!isnan(r->syscalls_per_mib) || !isnan(r->syscalls_per_msg))
		json_bool(j, "syscalls_counted", r->syscalls_counted);
	if (r->copied != BENCH_COPIED_UNKNOWN) {
		json_bool(j, "copied", r->copied == BENCH_COPIED_YES);
		json_bool(j, "copied_by_design", r->copied_by_design); /* else: reported by the kernel */
	}
	if (r->what)
		json_string(j, "what", r->what);
	if (r->note[0])
		json_string(j, "note", r->note);
	if (r->ends.known)
		ends_json(j, &r->ends);
	if (r->has_hist)
		hist_json(j, r);
	json_object_end(j);
}

int bench_json(struct strbuf *sb, const struct bench_machine *m, const struct bench_results *r)
{
	struct json j;

	json_init(&j, sb);
	json_object_begin(&j, NULL);
	machine_json(&j, m);
	json_array_begin(&j, "results");
	for (size_t i = 0; i < r->n; i++)
		result_json(&j, &r->v[i]);
	json_array_end(&j);
	json_object_end(&j);
	return json_finish(&j);
}
