// SPDX-License-Identifier: MIT
/*
 * export_live: `exporter --live`, the in-kernel log2 histograms of `journey --live` as
 * Prometheus histograms (as ebpf_exporter exposes a BPF map's), with the observer's counters.
 * The programs stay attached for the exporter's life and are never reset, so every series only
 * grows, as a histogram's buckets and a counter must; rate() over them gives the recent ones.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export_int.h"
#include "nic2app/journey_live.h"

/* The buckets written: le = 2^b ns from 32 ns to about 17 s, and +Inf. The kernel's bucket b
 * holds (2^(b-1), 2^b] ns, so each le is exact; the finer and coarser ones are summed into
 * the first and into +Inf. */
#define LE_FIRST 5
#define LE_LAST 34

int export_collect_live(struct journey_live *l, struct export_data *d)
{
	struct journey_live_totals *t = malloc(sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	if ((err = journey_live_read(l, t)) < 0) {
		free(t);
		return err;
	}
	free(d->live);
	d->live = t;
	return 0;
}

/* The cumulative buckets of a histogram. The count is the buckets' sum rather than the
 * histogram's own count: the programs go on counting while the CPUs' values are read, and a
 * scrape must keep +Inf equal to _count. */
static void buckets_of(const struct journey_live_hist *h, struct export_buckets *b)
{
	uint64_t below = 0;

	memset(b, 0, sizeof(*b));
	for (int k = 0; k < JOURNEY_LIVE_BUCKETS; k++) {
		below += h->bucket[k];
		if (k >= LE_FIRST && k <= LE_LAST) {
			b->le[b->n] = ldexp(1.0, k) / 1e9;
			b->cumulative[b->n++] = below;
		}
	}
	b->count = below;
	b->sum = (double)h->sum_ns / 1e9;
}

static void family_stages(struct export_writer *w, const struct journey_live_totals *t)
{
	struct export_buckets b;
	const char *l[2] = { "stage", NULL };

	export_family(w, "nic2app_stage_duration_seconds", EXPORT_HISTOGRAM, "seconds",
		      "Time packets spent in each stage of their way through this host's kernel, "
		      "timed by BPF programs on its tracepoints (exporter --live, the stages of "
		      "journey --live): qdisc, driver_xmit, rx_backlog, rx_stack, wakeup, run_queue "
		      "and recv_copy (socket_to_recv in place of the last three with "
		      "--live-no-sched).");
	for (size_t i = 0; i < t->nstages; i++) {
		l[1] = t->stage[i] ? t->stage[i]->name : "unknown";
		buckets_of(&t->stage_hist[i], &b);
		export_histogram(w, l, 1, &b);
	}
	export_family(w, "nic2app_journey_duration_seconds", EXPORT_HISTOGRAM, "seconds",
		      "A packet's whole time in this host's kernel: sent and read here (local: the "
		      "device queue to the end of recv()), arrived from elsewhere (from_elsewhere: "
		      "netif_receive_skb to the end of recv()), or left for elsewhere "
		      "(to_elsewhere: the device queue to the driver).");
	l[0] = "path";
	for (int p = 0; p < JLP_PATHS; p++) {
		l[1] = journey_live_path_name((enum journey_live_path)p);
		buckets_of(&t->path[p], &b);
		export_histogram(w, l, 1, &b);
	}
}

static void family_counts(struct export_writer *w, const struct journey_live_counts *c)
{
	const uint64_t done[JLP_PATHS] = { c->done_local, c->done_rx, c->done_tx };
	struct journey_not_timed why[JOURNEY_NOT_TIMED];
	const char *l[2] = { "path", NULL };

	export_family(w, "nic2app_packets", EXPORT_COUNTER, NULL,
		      "Packets the --live filter kept at their first point (the device queue, or "
		      "netif_rx/netif_receive_skb for one from elsewhere).");
	export_sample(w, NULL, 0, (double)c->seen);
	export_family(w, "nic2app_journeys", EXPORT_COUNTER, NULL,
		      "Journeys timed to their end, by path (as nic2app_journey_duration_seconds).");
	for (int p = 0; p < JLP_PATHS; p++) {
		l[1] = journey_live_path_name((enum journey_live_path)p);
		export_sample(w, l, 1, (double)done[p]);
	}
	export_family(w, "nic2app_lost", EXPORT_COUNTER, NULL,
		      "Packets (or socket events) the live observer could not time whole, by "
		      "reason, as journey --live's not_timed: a wake-up or recv() with no packet to "
		      "match, data queued behind unread data, a packet that vanished on the way or "
		      "that the kernel dropped, no room for a socket's storage, a reader's wake-up "
		      "lost to another thread of its slot.");
	l[0] = "reason";
	journey_live_not_timed(c, why);
	for (int i = 0; i < JOURNEY_NOT_TIMED; i++) {
		if (why[i].packets_only)
			continue; /* the exporter keeps no --packets records */
		l[1] = why[i].name;
		export_sample(w, l, 1, (double)why[i].n);
	}
}

void export_live_families(struct export_writer *w, const struct journey_live_totals *t)
{
	family_stages(w, t);
	family_counts(w, &t->counts);
}
