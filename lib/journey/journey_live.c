// SPDX-License-Identifier: MIT
/*
 * journey_live: a `journey --live` run, start to end. Load the observer; when asked, measure
 * what it costs on an own probe flow (a UDP echo over loopback, the same echo pair as
 * `journey`, in blocks of round trips with the programs detached and attached in turn, the
 * observer watching the probe's port meanwhile); then forget the probe, watch the traffic
 * asked for until the time is up or a signal comes, and collect. The programs are unloaded
 * on every return path.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nic2app/cpu_place.h"
#include "nic2app/echo_pair.h"
#include "nic2app/journey_live.h"

#define PROBE_SIZE 64
#define PROBE_WARMUP 200
#define PROBE_BLOCKS 21       /* plain, observed, plain, ... plain */
#define PROBE_BLOCK_ROUNDS 500
#define POLL_MS 200

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sort_doubles(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v;
}

static bool stopped(const struct journey_config *cfg)
{
	return cfg->stop && *cfg->stop;
}

/* n round trips; their median, and every one added to all */
static int probe_rounds(struct echo_pair *e, size_t n, struct samples *all, double *median)
{
	struct samples block = SAMPLES_INIT;
	struct summary s;
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		uint64_t sent, back;
		int cpu;

		if ((err = echo_pair_round(e, &sent, &back, &cpu)) < 0)
			break;
		err = samples_add(&block, (double)(back - sent));
		if (!err && all)
			err = samples_add(all, (double)(back - sent));
	}
	if (!err && median && (err = samples_summarize(&block, &s)) == 0)
		*median = s.p50;
	samples_release(&block);
	return err;
}

/*
 * The probe: plain and observed blocks in turn (plain first and last), so drift hits both
 * alike. The overhead is the median, over the observed blocks, of the block's median less the
 * mean of its two plain neighbours' medians: a spike of the machine's spoils one block, not
 * the figure.
 */
static int probe_blocks(const struct journey_config *cfg, struct journey_live *l,
			struct echo_pair *e, struct samples *plain, struct samples *observed,
			double *overhead)
{
	double med[PROBE_BLOCKS], diff[PROBE_BLOCKS / 2];
	int err = probe_rounds(e, PROBE_WARMUP, NULL, NULL);
	size_t n = 0;

	for (int b = 0; b < PROBE_BLOCKS && !err; b++) {
		bool observing = b % 2;

		if (stopped(cfg))
			return -EINTR;
		if (observing && (err = journey_live_attach(l)) < 0)
			return err;
		err = probe_rounds(e, PROBE_BLOCK_ROUNDS, observing ? observed : plain, &med[b]);
		if (observing)
			journey_live_detach(l);
	}
	for (int b = 1; b + 1 < PROBE_BLOCKS && !err; b += 2)
		diff[n++] = med[b] - (med[b - 1] + med[b + 1]) / 2;
	*overhead = n ? percentile_sorted(sort_doubles(diff, n), n, 0.5) : 0;
	return err;
}

static int measure_overhead(const struct journey_config *cfg, struct journey_live *l,
			    const struct journey_live_filter *want, struct journey_result *r)
{
	struct samples plain = SAMPLES_INIT, observed = SAMPLES_INIT;
	struct journey_live_filter probe = { .ip_proto = IPPROTO_UDP };
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct echo_pair e;
	bool pinned = false;
	cpu_set_t saved;
	int err, cpu;

	if ((err = echo_pair_open(&e, JOURNEY_UDP, PROBE_SIZE, 1, NULL)) < 0)
		return err;
	/* both ends on one CPU: left to the scheduler, a round trip sometimes includes waking
	 * the other CPU (on a virtual machine, a whole vCPU) and sometimes not */
	if ((err = cpu_place_pick(CPUS_SAME, &cpu, &cpu)) == 0 &&
	    (err = cpu_place_pin(e.server_tid, cpu, NULL)) == 0 &&
	    (err = cpu_place_pin(0, cpu, &saved)) == 0)
		pinned = true;
	/* watch the probe as the traffic asked for would be watched: every stage timed */
	if (!err && getsockname(e.server_fd, (struct sockaddr *)&a, &alen) < 0)
		err = -errno;
	probe.port = ntohs(a.sin_port);
	probe.packets = want->packets;
	probe.no_sched = want->no_sched;
	if (!err)
		err = journey_live_set_filter(l, &probe);
	if (!err)
		err = probe_blocks(cfg, l, &e, &plain, &observed, &r->overhead_ns);
	echo_pair_close(&e);
	echo_pair_release(&e);
	if (pinned)
		cpu_place_restore(0, &saved);
	if (!err && (err = samples_summarize(&plain, &r->rtt_plain_ns)) == 0 &&
	    (err = samples_summarize(&observed, &r->rtt_ns)) == 0) {
		r->live.overhead_measured = true;
	}
	samples_release(&plain);
	samples_release(&observed);
	if (!err)
		err = journey_live_set_filter(l, want);
	if (!err)
		err = journey_live_reset(l);
	return err;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Watch until the time is up or a signal came; only --packets records cross meanwhile. */
static int watch(const struct journey_config *cfg, struct journey_live *l, double *watched_s)
{
	struct timespec t0;
	int err = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stopped(cfg)) {
		int ms = POLL_MS;

		if (cfg->live_duration_s > 0) {
			double left = cfg->live_duration_s - seconds_since(&t0);

			if (left <= 0)
				break;
			if (left * 1000 < ms)
				ms = (int)(left * 1000) + 1;
		}
		err = journey_live_poll(l, ms);
		if (err == -EINTR)
			err = 0; /* the signal's flag ends the loop */
		if (err < 0)
			break;
	}
	*watched_s = seconds_since(&t0);
	return err < 0 ? err : 0;
}

int journey_live_start(const struct journey_config *cfg, struct journey_result *r,
		       struct journey_live **out)
{
	struct journey_live_filter want = {
		.port = cfg->live_port, .pid = cfg->live_pid, .ifindex = cfg->live_ifindex,
		.ip_proto = cfg->proto == JOURNEY_TCP ? IPPROTO_TCP :
			    cfg->proto == JOURNEY_UDP ? IPPROTO_UDP : 0,
		.packets = cfg->live_packets,
		.no_sched = cfg->live_no_sched,
	};
	struct journey_live *l;
	int err;

	*out = NULL;
	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->cfg.via = JOURNEY_VIA_LIVE;
	r->method = JOURNEY_METHOD_BPF;
	r->sender_cpu = r->receiver_cpu = -1;
	snprintf(r->why, sizeof(r->why), "BPF programs on the tracepoints, stages added up in "
		 "the kernel (log2 histograms)");
	if (cfg->live_dev[0])
		snprintf(r->devices[0], sizeof(r->devices[0]), "%s", cfg->live_dev);
	if ((err = journey_live_open(&l, &want)) < 0)
		return err;
	if (cfg->live_overhead)
		err = measure_overhead(cfg, l, &want, r);
	if (!err)
		err = journey_live_attach(l);
	if (err) {
		journey_live_close(l);
		return err;
	}
	*out = l;
	return 0;
}

int journey_live_finish(const struct journey_config *cfg, struct journey_live *l,
			struct journey_result *r)
{
	int err = watch(cfg, l, &r->live.duration_s);

	if (!err)
		err = journey_live_collect(l, r);
	journey_live_close(l);
	return err;
}
