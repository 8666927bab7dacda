// SPDX-License-Identifier: MIT
/*
 * journey_live.c: the loader of journey_live.bpf.c. Loads and attaches its programs (links
 * held by this process only, never pinned: when the process ends, however it ends, the
 * kernel drops them), sets its filter, reads its per-CPU histograms and counters back and
 * turns them into the stages of a struct journey_result, and keeps the --packets records.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/journey_live.h"

const char *journey_live_path_name(enum journey_live_path p)
{
	static const char *const names[JLP_PATHS] = { "local", "from_elsewhere", "to_elsewhere" };

	return (unsigned int)p < JLP_PATHS ? names[p] : "unknown";
}

#ifdef NIC2APP_NO_BPF

int journey_live_read(struct journey_live *l, struct journey_live_totals *out)
{
	(void)l;
	(void)out;
	return -EOPNOTSUPP;
}

int journey_live_open(struct journey_live **out, const struct journey_live_filter *f)
{
	(void)f;
	*out = NULL;
	return -EOPNOTSUPP;
}
int journey_live_attach(struct journey_live *l) { (void)l; return -EOPNOTSUPP; }
void journey_live_detach(struct journey_live *l) { (void)l; }
int journey_live_set_filter(struct journey_live *l, const struct journey_live_filter *f)
{
	(void)l;
	(void)f;
	return -EOPNOTSUPP;
}
int journey_live_reset(struct journey_live *l) { (void)l; return -EOPNOTSUPP; }
int journey_live_poll(struct journey_live *l, int timeout_ms)
{
	(void)l;
	(void)timeout_ms;
	return -EOPNOTSUPP;
}
int journey_live_collect(struct journey_live *l, struct journey_result *r)
{
	(void)l;
	(void)r;
	return -EOPNOTSUPP;
}
void journey_live_close(struct journey_live *l) { (void)l; }

#else

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "journey_live.h"
#include "journey_live.skel.h"

#define MOST_PACKETS 1000000 /* --packets records kept; more are counted as lost */

struct journey_live {
	struct journey_live_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
	bool sched;           /* the scheduler's programs are attached */
	struct journey_packet *packets;
	size_t npackets, cap;
	uint64_t kept_lost;   /* records that came when MOST_PACKETS were kept */
	int err;              /* from the ring buffer's callback */
};

/* The kernel's points, as the journey model names them. */
static const enum journey_point point_of[LP_POINTS] = {
	[LP_QDISC] = JP_QDISC, [LP_XMIT] = JP_XMIT, [LP_RX_QUEUE] = JP_RX_QUEUE,
	[LP_RX_SOFTIRQ] = JP_RX_SOFTIRQ, [LP_SOCK_READY] = JP_SOCK_READY,
	[LP_WAKEUP] = JP_WAKEUP, [LP_ON_CPU] = JP_ON_CPU, [LP_RECV_END] = JP_RECV_END,
};

/* libbpf would print to stderr: the library never prints */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static void filter_set(struct journey_live_bpf *skel, const struct journey_live_filter *f)
{
	skel->bss->filter.port = f->port;
	skel->bss->filter.tgid = (__u32)f->pid;
	skel->bss->filter.ifindex = f->ifindex;
	skel->bss->filter.proto = (__u32)f->ip_proto;
	skel->bss->filter.packets = f->packets;
}

/* One --packets record as a journey_packet: complete when it saw every point. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct journey_live *l = ctx;
	const struct lp_record *rec = data;
	struct journey_packet *p;

	if (size < sizeof(*rec))
		return 0;
	if (l->npackets == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;

		if (l->cap >= MOST_PACKETS) {
			l->kept_lost++;
			return 0;
		}
		p = realloc(l->packets, cap * sizeof(*p));
		if (!p) {
			l->err = -ENOMEM;
			return -ENOMEM;
		}
		l->packets = p;
		l->cap = cap;
	}
	p = &l->packets[l->npackets++];
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < LP_POINTS; i++)
		p->at[point_of[i]] = rec->at[i];
	p->wire_len = rec->wire_len;
	p->sender_cpu = rec->kind == LK_RX ? -1 : (int16_t)rec->tx_cpu;
	p->receiver_cpu = rec->kind == LK_TX ? -1 : (int16_t)rec->rx_cpu;
	if ((rec->flags & LPF_IMPLIED) && l->sched)
		p->implied = 1u << JP_WAKEUP | 1u << JP_ON_CPU;
	return 0;
}

int journey_live_open(struct journey_live **out, const struct journey_live_filter *f)
{
	struct journey_live *l = calloc(1, sizeof(*l));
	int err;

	*out = NULL;
	if (!l)
		return -ENOMEM;
	libbpf_set_print(quiet);
	l->ncpus = libbpf_num_possible_cpus();
	l->skel = journey_live_bpf__open();
	if (l->ncpus <= 0 || !l->skel) {
		err = l->ncpus <= 0 ? l->ncpus : -errno;
		goto out_free;
	}
	if ((err = journey_live_bpf__load(l->skel)) < 0)
		goto out_free;
	l->sched = !f->no_sched;
	if (f->no_sched) {
		bpf_program__set_autoattach(l->skel->progs.live_waking, false);
		bpf_program__set_autoattach(l->skel->progs.live_wakeup, false);
		bpf_program__set_autoattach(l->skel->progs.live_switch, false);
	}
	filter_set(l->skel, f);
	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.records), on_record, l, NULL);
	if (!l->rb) {
		err = -errno;
		goto out_free;
	}
	*out = l;
	return 0;
out_free:
	journey_live_close(l);
	return err ? err : -EINVAL;
}

int journey_live_attach(struct journey_live *l)
{
	return journey_live_bpf__attach(l->skel);
}

void journey_live_detach(struct journey_live *l)
{
	journey_live_bpf__detach(l->skel);
}

int journey_live_set_filter(struct journey_live *l, const struct journey_live_filter *f)
{
	filter_set(l->skel, f);
	return 0;
}

/* The per-CPU value set to zeros. */
static int percpu_zero(struct journey_live *l)
{
	void *zeros = calloc((size_t)l->ncpus, sizeof(struct lp_cpu));
	__u32 key = 0;
	int err = zeros ? 0 : -ENOMEM;

	if (!err && bpf_map_update_elem(bpf_map__fd(l->skel->maps.percpu), &key, zeros, BPF_ANY) < 0)
		err = -errno;
	free(zeros);
	return err;
}

int journey_live_reset(struct journey_live *l)
{
	ring_buffer__consume(l->rb);
	l->npackets = 0;
	l->kept_lost = 0;
	return percpu_zero(l);
}

int journey_live_poll(struct journey_live *l, int timeout_ms)
{
	int n = ring_buffer__poll(l->rb, timeout_ms);

	if (l->err)
		return l->err;
	return n;
}

/* One histogram added into another. */
static void hist_merge(struct lp_hist *sum, const struct lp_hist *h)
{
	if (!h->count)
		return;
	if (!sum->count || h->min_ns < sum->min_ns)
		sum->min_ns = h->min_ns;
	if (h->max_ns > sum->max_ns)
		sum->max_ns = h->max_ns;
	sum->count += h->count;
	sum->sum_ns += h->sum_ns;
	for (int b = 0; b < LP_BUCKETS; b++)
		sum->bucket[b] += h->bucket[b];
}

/* Every CPU's histograms and counters, added up. */
static int percpu_read(struct journey_live *l, struct lp_cpu *sum)
{
	struct lp_cpu *per = calloc((size_t)l->ncpus, sizeof(*per));
	__u32 key = 0;
	int err = 0;

	memset(sum, 0, sizeof(*sum));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.percpu), &key, per) < 0)
		err = -errno;
	for (int c = 0; c < l->ncpus && !err; c++) {
		for (int s = 0; s < LS_STATS; s++)
			hist_merge(&sum->hist[s], &per[c].hist[s]);
		for (int k = 0; k < LC_COUNTERS; k++)
			sum->counter[k] += per[c].counter[k];
	}
	free(per);
	return err;
}

/* The q-quantile's bucket's upper bound (2^b ns, inclusive), no more than the maximum seen. */
static double hist_quantile(const struct journey_live_hist *h, double q)
{
	uint64_t rank = (uint64_t)(q * (double)h->count + 0.999999), seen = 0;

	if (rank < 1)
		rank = 1;
	for (int b = 0; b < JOURNEY_LIVE_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			double upper = (double)(1ull << b);

			return upper < (double)h->max_ns ? upper : (double)h->max_ns;
		}
	}
	return (double)h->max_ns;
}

static void hist_summary(const struct journey_live_hist *h, struct summary *s)
{
	memset(s, 0, sizeof(*s));
	s->n = h->count;
	if (!h->count)
		return;
	s->min = (double)h->min_ns;
	s->max = (double)h->max_ns;
	s->mean = (double)h->sum_ns / (double)h->count;
	s->p50 = hist_quantile(h, 0.50);
	s->p90 = hist_quantile(h, 0.90);
	s->p99 = hist_quantile(h, 0.99);
	s->p999 = hist_quantile(h, 0.999);
}

static void counts_fill(struct journey_live_counts *c, const __u64 *n, uint64_t kept_lost)
{
	c->seen = n[LC_SEEN];
	c->done_local = n[LC_DONE_LOCAL];
	c->done_rx = n[LC_DONE_RX];
	c->done_tx = n[LC_DONE_TX];
	c->ready_unmatched = n[LC_READY_UNMATCHED];
	c->recv_unmatched = n[LC_RECV_UNMATCHED];
	c->behind = n[LC_BEHIND];
	c->reused = n[LC_REUSED];
	c->dropped = n[LC_DROPPED];
	c->ringbuf_lost = n[LC_RB_LOST] + kept_lost;
	c->map_full = n[LC_MAP_FULL];
	c->waker_taken = n[LC_WAKER_TAKEN];
	c->runnable = n[LC_RUNNABLE];
}

/* The points watched: without the scheduler's, the reader's wake-up and its getting a CPU
 * are not seen, and the socket's stage runs from sk_data_ready to the end of recv(). */
static void points_fill(const struct journey_live *l, struct journey_result *r)
{
	enum journey_point all[JP_POINTS];
	size_t n = journey_points_for(JOURNEY_METHOD_BPF, r->cfg.proto, all);

	r->npoints = 0;
	for (size_t i = 0; i < n; i++)
		if (l->sched || (all[i] != JP_WAKEUP && all[i] != JP_ON_CPU))
			r->points[r->npoints++] = all[i];
}

/* The stages watched: without the scheduler's points, wakeup and run_queue are not timed
 * (their histograms stay at 0) and the socket's stage is one histogram, from sk_data_ready. */
static size_t stages_watched(const struct journey_live *l,
			     const struct journey_stage *stage[LS_STAGES], int from_stat[LS_STAGES])
{
	size_t n = 0;

	for (int s = 0; s < LS_STAGES; s++) {
		enum journey_point from = point_of[s];

		if (!l->sched && (s == LS_WAKEUP || s == LS_RUN_QUEUE))
			continue;
		if (!l->sched && s == LS_RECV)
			from = JP_SOCK_READY;
		stage[n] = journey_stage_between(from, point_of[s + 1], JOURNEY_VIA_LIVE);
		from_stat[n++] = s;
	}
	return n;
}

_Static_assert(JOURNEY_LIVE_BUCKETS == LP_BUCKETS, "the public histogram is the kernel's");
_Static_assert(JOURNEY_LIVE_STAGES == LS_STAGES, "a public histogram per stage");

static void hist_copy(struct journey_live_hist *to, const struct lp_hist *from)
{
	to->count = from->count;
	to->sum_ns = from->sum_ns;
	to->min_ns = from->min_ns;
	to->max_ns = from->max_ns;
	memcpy(to->bucket, from->bucket, sizeof(to->bucket));
}

int journey_live_read(struct journey_live *l, struct journey_live_totals *out)
{
	struct lp_cpu *sum = malloc(sizeof(*sum));
	int stat[LS_STAGES], err;

	memset(out, 0, sizeof(*out));
	if (!sum)
		return -ENOMEM;
	if ((err = percpu_read(l, sum)) < 0) {
		free(sum);
		return err;
	}
	out->nstages = stages_watched(l, out->stage, stat);
	for (size_t i = 0; i < out->nstages; i++)
		hist_copy(&out->stage_hist[i], &sum->hist[stat[i]]);
	hist_copy(&out->path[JLP_LOCAL], &sum->hist[LS_TOTAL_LOCAL]);
	hist_copy(&out->path[JLP_FROM_ELSEWHERE], &sum->hist[LS_TOTAL_RX]);
	hist_copy(&out->path[JLP_TO_ELSEWHERE], &sum->hist[LS_TOTAL_TX]);
	counts_fill(&out->counts, sum->counter, l->kept_lost);
	out->counts.sched = l->sched;
	free(sum);
	return 0;
}

/* The kept --packets records handed over, each checked for every point watched. */
static void packets_fill(struct journey_live *l, struct journey_result *r)
{
	free(r->packets);
	r->packets = l->packets;
	r->npackets = l->npackets;
	l->packets = NULL;
	l->npackets = l->cap = 0;
	for (size_t i = 0; i < r->npackets; i++) {
		struct journey_packet *p = &r->packets[i];

		p->complete = true;
		for (size_t k = 0; k < r->npoints && p->complete; k++)
			if (!p->at[r->points[k]]) {
				p->complete = false;
				p->missing = r->points[k];
			}
		r->complete += p->complete;
	}
}

int journey_live_collect(struct journey_live *l, struct journey_result *r)
{
	struct journey_live_totals *t = malloc(sizeof(*t));
	double watched = r->live.duration_s;
	bool measured = r->live.overhead_measured;
	int err;

	if (!t)
		return -ENOMEM;
	ring_buffer__consume(l->rb);
	if ((err = journey_live_read(l, t)) < 0) {
		free(t);
		return err;
	}
	r->method = JOURNEY_METHOD_BPF;
	r->live = t->counts; /* the counters; what the run itself noted is kept */
	r->live.duration_s = watched;
	r->live.overhead_measured = measured;
	hist_summary(&t->path[JLP_LOCAL], &r->live.total_local);
	hist_summary(&t->path[JLP_FROM_ELSEWHERE], &r->live.total_rx);
	hist_summary(&t->path[JLP_TO_ELSEWHERE], &r->live.total_tx);
	r->total_ns = r->live.total_local.n ? r->live.total_local :
		      r->live.total_rx.n ? r->live.total_rx : r->live.total_tx;
	r->layer_ns[LAYER_KERNEL] = r->total_ns; /* every point is in the kernel */
	r->receiver_runnable = t->counts.runnable;
	r->cfg.count = t->counts.done_local + t->counts.done_rx + t->counts.done_tx;
	points_fill(l, r);
	r->nstages = 0;
	for (size_t i = 0; i < t->nstages; i++) {
		hist_summary(&t->stage_hist[i], &r->stage_ns[r->nstages]);
		if (r->stage_ns[r->nstages].n) /* traffic that only leaves or only arrives has fewer */
			r->stages[r->nstages++] = t->stage[i];
	}
	free(t);
	packets_fill(l, r);
	return 0;
}

void journey_live_close(struct journey_live *l)
{
	if (!l)
		return;
	ring_buffer__free(l->rb);
	journey_live_bpf__destroy(l->skel); /* detaches every link, closes every fd */
	free(l->packets);
	free(l);
}

#endif
