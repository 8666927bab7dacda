/* SPDX-License-Identifier: MIT */
/*
 * journey_live: `nic2app journey --live`, the journey of traffic nic2app did not send. BPF
 * programs on the kernel's tracepoints (lib/bpf/journey_live.bpf.c) time each packet's stages
 * and add them up in the kernel, in log2 histograms per stage; this side loads them
 * (lib/bpf/journey_live.c), measures their cost on an own probe flow when asked, watches for
 * a while and turns what they counted into a struct journey_result (lib/journey/journey_live.c).
 */
#ifndef NIC2APP_JOURNEY_LIVE_H
#define NIC2APP_JOURNEY_LIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nic2app/journey.h"
#include "nic2app/json.h"
#include "nic2app/strbuf.h"

/* What the programs keep; 0 means any. */
struct journey_live_filter {
	uint16_t port;   /* either end's port */
	pid_t pid;       /* the process that sent the packet or read it */
	int ifindex;     /* the device it went through */
	int ip_proto;    /* IPPROTO_UDP, IPPROTO_TCP, or 0 for both */
	bool packets;    /* one ring-buffer record per journey (--packets) */
	bool no_sched;   /* leave sched_waking, sched_wakeup and sched_switch out (at open) */
};

struct journey_live;

/* Load the programs (not yet attached). -EPERM without CAP_BPF and CAP_PERFMON, -EOPNOTSUPP
 * when nic2app was built without BPF, -ENOENT when the kernel lacks a tracepoint. */
int journey_live_open(struct journey_live **out, const struct journey_live_filter *f);
/* Attach every program (links in this process only: they go when it exits), or detach. */
int journey_live_attach(struct journey_live *l);
void journey_live_detach(struct journey_live *l);
int journey_live_set_filter(struct journey_live *l, const struct journey_live_filter *f);
/* Forget everything counted and every packet on its way. */
int journey_live_reset(struct journey_live *l);
/* Wait up to timeout_ms for --packets records and keep them; returns how many came, or
 * -EINTR when a signal came, or another -errno. */
int journey_live_poll(struct journey_live *l, int timeout_ms);
/* Fill r (method, points, stages, their summaries, r->live, the kept packets) from what the
 * programs counted so far. r->cfg must be set. */
int journey_live_collect(struct journey_live *l, struct journey_result *r);
/* Detach and unload everything. */
void journey_live_close(struct journey_live *l);

/* ---- what the programs counted since they were loaded (the exporter's histograms) ---- */

#define JOURNEY_LIVE_BUCKETS 48 /* bucket 0: 0 and 1 ns; b: (2^(b-1), 2^b] ns; the last: above */
#define JOURNEY_LIVE_STAGES 7

/* One stage's (or path's) numbers, every CPU's added up. */
struct journey_live_hist {
	uint64_t count, sum_ns, min_ns, max_ns;
	uint64_t bucket[JOURNEY_LIVE_BUCKETS];
};

enum journey_live_path { JLP_LOCAL, JLP_FROM_ELSEWHERE, JLP_TO_ELSEWHERE, JLP_PATHS };

struct journey_live_totals {
	const struct journey_stage *stage[JOURNEY_LIVE_STAGES]; /* the stages watched, in order */
	struct journey_live_hist stage_hist[JOURNEY_LIVE_STAGES];
	size_t nstages;             /* 7; 5 without the scheduler's tracepoints */
	struct journey_live_hist path[JLP_PATHS]; /* whole journeys, by where they began and ended */
	struct journey_live_counts counts; /* its summaries and duration_s are not filled */
};

/* The JSON's name of a path: "local", "from_elsewhere", "to_elsewhere". */
const char *journey_live_path_name(enum journey_live_path p);

/* Every histogram and counter as they stand, without resetting them or consuming --packets
 * records, so that a Prometheus exporter can read them at each scrape while the programs go
 * on counting (safe from another thread than the one that attached them). 0 or -errno. */
int journey_live_read(struct journey_live *l, struct journey_live_totals *out);

/*
 * `journey --live` in two steps. Start: load the programs, measure their overhead on a UDP
 * echo over loopback when cfg->live_overhead (the probe flow alone is watched meanwhile, then
 * forgotten), attach them. Finish: watch until cfg->live_duration_s passed or *cfg->stop was
 * set (a stop is not an error: what was seen so far is the result), collect, unload (on
 * every path). Both return 0 or -errno as journey_live_open; start undoes itself on failure.
 */
int journey_live_start(const struct journey_config *cfg, struct journey_result *r,
		       struct journey_live **out);
int journey_live_finish(const struct journey_config *cfg, struct journey_live *l,
			struct journey_result *r);

/* Why journeys were not timed whole, as the JSON's not_timed names them, in its order. */
#define JOURNEY_NOT_TIMED 8
struct journey_not_timed {
	const char *name;         /* "recv_unmatched" */
	uint64_t n;
	bool packets_only;        /* about --packets records (ring_buffer_lost) */
};
void journey_live_not_timed(const struct journey_live_counts *c,
			    struct journey_not_timed out[JOURNEY_NOT_TIMED]);

/* The live parts of the report: the text after the waterfall, and the JSON fields of the
 * observer (journey_render_text.c and journey_render_json.c call them for method bpf). */
void journey_live_report_render(struct strbuf *sb, const struct journey_result *r, bool colour);
void journey_live_json_fields(struct json *j, const struct journey_result *r);

#endif
