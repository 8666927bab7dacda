// SPDX-License-Identifier: MIT
/*
 * journey: a run, start to end. Round trips on an echo pair, in phases: warm-up, plain
 * round trips (nothing observing: the baseline of the overhead), observer on, a second
 * warm-up, then the measured messages. With tracefs the measured ones go in chunks: the
 * buffer is read (recording stopped) between chunks, so it never overflows. Whatever was
 * set up (trace instance, sockets, thread, namespaces) is undone on every return path.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nic2app/echo_pair.h"
#include "nic2app/journey.h"
#include "nic2app/journey_stamps.h"
#include "nic2app/journey_trace.h"
#include "nic2app/netns_pair.h"
#include "nic2app/peer_proto.h"
#include "nic2app/route_dev.h"

#define DEFAULT_WARMUP 50
#define PLAIN_ROUNDS 200
#define OBSERVED_WARMUP 20
#define TRACE_CHUNK 256
#define STAMP_WAIT_ROUNDS 2000 /* with a 1 ms pause after the first few: 2 s at most */
#define ETH_IP_UDP_HEADERS 42
#define ETH_IP_TCP_HEADERS 54

size_t journey_max_size(enum journey_via via)
{
	/* the MTU (lo 65536, veth 1500) less IP and TCP headers with the timestamp option */
	return (via == JOURNEY_VIA_LO ? 65536 : 1500) - 20 - 32;
}

size_t journey_min_size(enum journey_via via)
{
	return via == JOURNEY_VIA_PEER ? PEER_HELLO_LEN : 1;
}

static bool is_peer(const struct journey_config *cfg)
{
	return cfg->via == JOURNEY_VIA_PEER;
}

struct run {
	const struct journey_config *cfg;
	struct journey_result *r;
	struct echo_pair echo;
	struct netns_pair ns;
	struct journey_trace trace;
	struct journey_stamps stamps;
	size_t rounds;          /* done so far */
	size_t first_measured;  /* the round the measured messages start at */
	int64_t *echo_rx;       /* with a peer: the RX stamp of each measured message's echo */
	struct samples plain;   /* round trips with nothing observing */
	cpu_set_t saved_mask;   /* the caller's CPUs, given back at the end */
	bool pinned;
};

static bool stopped(const struct run *run)
{
	return run->cfg->stop && *run->cfg->stop;
}

/* What the client saw of measured round i. With a peer, the client is the receiver too: the
 * echo's arrival ends the journey. */
static void note_round(struct run *run, long i, uint64_t sent, uint64_t back, int cpu)
{
	struct journey_packet *p = &run->r->packets[i];

	p->at[JP_APP_SEND] = sent;
	p->rtt_ns = back - sent;
	p->sender_cpu = (int16_t)cpu;
	if (is_peer(run->cfg)) {
		p->at[JP_APP_RECV] = back;
		p->receiver_cpu = (int16_t)sched_getcpu();
		run->echo_rx[i] = run->echo.echo_rx_stamp_ns;
	}
}

/* n round trips; each measured one (slot >= 0) fills packet slot + i. */
static int rounds(struct run *run, size_t n, long slot, struct samples *rtt)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t sent, back;
		int err, cpu;

		if (stopped(run))
			return -EINTR;
		if ((err = echo_pair_round(&run->echo, &sent, &back, &cpu)) < 0)
			return err;
		run->rounds++;
		if (rtt && (err = samples_add(rtt, (double)(back - sent))) < 0)
			return err;
		if (slot >= 0)
			note_round(run, slot + (long)i, sent, back, cpu);
		if (run->r->method == JOURNEY_METHOD_TIMESTAMPING && slot >= 0 &&
		    (err = journey_stamps_drain(&run->stamps, run->echo.client_fd)) < 0)
			return err;
	}
	return 0;
}

static int open_trace(struct run *run)
{
	struct journey_result *r = run->r;
	const char *devices[3] = { r->devices[0], r->devices[1][0] ? r->devices[1] : NULL, NULL };

	return journey_trace_open(&run->trace, r->sender_tid, r->receiver_tid, devices);
}

/* The method: tracefs when asked or when auto and it works, else SO_TIMESTAMPING. */
static int choose_method(struct run *run)
{
	struct journey_result *r = run->r;
	int err;

	if (run->cfg->method == JOURNEY_METHOD_TIMESTAMPING) {
		r->method = JOURNEY_METHOD_TIMESTAMPING;
		snprintf(r->why, sizeof(r->why), "asked for: SO_TIMESTAMPING stamps the qdisc, "
			 "driver and receive points; tracefs would show more");
		return 0;
	}
	err = open_trace(run);
	if (err == 0) {
		r->method = JOURNEY_METHOD_TRACEFS;
		snprintf(r->why, sizeof(r->why), "%s: a private tracefs instance, tracepoints "
			 "at every point of the path", run->cfg->method == JOURNEY_METHOD_AUTO ?
			 "tracefs works here" : "asked for");
		return 0;
	}
	if (run->cfg->method == JOURNEY_METHOD_TRACEFS)
		return err;
	r->method = JOURNEY_METHOD_TIMESTAMPING;
	snprintf(r->why, sizeof(r->why), "tracefs is not usable here (%s%s): SO_TIMESTAMPING "
		 "instead, which needs no privilege and sees fewer points", strerror(-err),
		 err == -EPERM || err == -EACCES ? ", it needs root" : "");
	return 0;
}

static int traced_rounds(struct run *run)
{
	const struct journey_config *cfg = run->cfg;
	int err;

	if ((err = journey_trace_start(&run->trace)) < 0 ||
	    (err = rounds(run, OBSERVED_WARMUP, -1, NULL)) < 0)
		return err;
	run->first_measured = run->rounds;
	for (size_t done = 0; done < cfg->count; done += TRACE_CHUNK) {
		size_t n = cfg->count - done < TRACE_CHUNK ? cfg->count - done : TRACE_CHUNK;

		if ((done && (err = journey_trace_start(&run->trace)) < 0) ||
		    (err = rounds(run, n, (long)done, NULL)) < 0 ||
		    (err = journey_trace_collect(&run->trace)) < 0)
			return err;
	}
	return 0;
}

/* The kernel switches RX stamping on lazily (a deferred static key, for every socket at
 * once): round trips until an echo comes back stamped, so no measured message lacks one. */
static int wait_for_rx_stamps(struct run *run)
{
	for (int i = 0; i < STAMP_WAIT_ROUNDS; i++) {
		int err = rounds(run, 1, -1, NULL);

		if (err < 0 || run->echo.echo_rx_stamp_ns)
			return err;
		if (i >= OBSERVED_WARMUP)
			usleep(1000);
	}
	return -ENODATA;
}

static int stamped_rounds(struct run *run)
{
	struct journey_result *r = run->r;
	struct clock_offset after;
	size_t enabled_at = run->rounds;
	int err;

	/* the client asks for RX stamps too, to see when the kernel has switched them on */
	if ((err = journey_stamps_enable(run->echo.client_fd, is_peer(&r->cfg) ?
					 run->echo.client_fd : run->echo.server_fd, r->cfg.proto)) < 0 ||
	    (!is_peer(&r->cfg) && (err = tstamp_enable(run->echo.client_fd, true,
						       r->cfg.proto == JOURNEY_TCP, true)) < 0) ||
	    (err = journey_stamps_init(&run->stamps, r->cfg.proto, r->cfg.size, OBSERVED_WARMUP,
				       r->cfg.count)) < 0 ||
	    (err = clock_offset_measure(&r->offset, 1000)) < 0)
		return err;
	if ((err = wait_for_rx_stamps(run)) < 0 ||
	    (err = rounds(run, OBSERVED_WARMUP, -1, NULL)) < 0)
		return err;
	/* OPT_ID counts the sends since stamping was switched on */
	run->stamps.first_send = run->rounds - enabled_at;
	run->first_measured = run->rounds;
	if ((err = journey_stamps_drain(&run->stamps, run->echo.client_fd)) < 0 ||
	    (err = rounds(run, r->cfg.count, 0, NULL)) < 0 ||
	    (err = clock_offset_measure(&after, 1000)) < 0)
		return err;
	r->offset_drift_ns = after.realtime_minus_monotonic_ns - r->offset.realtime_minus_monotonic_ns;
	return 0;
}

/* After the pair is closed: the receiver's side of each measured message, then the points
 * the observer saw. */
static int assemble(struct run *run)
{
	size_t first_measured = run->first_measured;
	struct journey_result *r = run->r;
	struct echo_pair *e = &run->echo;

	if (!is_peer(&r->cfg) && first_measured + r->npackets > e->max_rounds)
		return -EOVERFLOW; /* cannot happen: set_up() counts every round */

	for (size_t i = 0; i < r->npackets && !is_peer(&r->cfg); i++) {
		r->packets[i].at[JP_APP_RECV] = e->recv_at[first_measured + i];
		r->packets[i].receiver_cpu = e->recv_cpu[first_measured + i];
	}
	if (r->method == JOURNEY_METHOD_TIMESTAMPING) {
		journey_stamps_apply(&run->stamps, &r->offset, is_peer(&r->cfg) ? run->echo_rx :
				     e->rx_stamp_ns + first_measured, r->packets);
		if (r->cfg.proto == JOURNEY_TCP)
			journey_stamps_ack(&run->stamps, &r->offset, r->packets, &r->tcp_ack_ns);
	} else {
		struct journey_match_ctx ctx = {
			.sender_tid = r->sender_tid, .receiver_tid = r->receiver_tid,
			.ip_proto = r->cfg.proto == JOURNEY_TCP ? IPPROTO_TCP : IPPROTO_UDP,
			.min_len = (uint32_t)r->cfg.size + (r->cfg.proto == JOURNEY_TCP ?
				   ETH_IP_TCP_HEADERS : ETH_IP_UDP_HEADERS),
			.copy_point = r->cfg.proto == JOURNEY_TCP,
			.rx_is_echo = is_peer(&r->cfg),
		};

		ctx.min_rx_len = ctx.min_len - 14; /* netif_rx's length has no Ethernet header */

		jevents_sort(&run->trace.events);
		r->events_read = run->trace.events.n;
		r->events_used = journey_match(run->trace.events.v, run->trace.events.n,
					       r->packets, r->npackets, &ctx);
		r->lost_events = run->trace.lost;
	}
	return journey_summarize(r);
}

/* Pin the two ends as asked; this thread gets its own CPUs back when the run ends. */
static int place(struct run *run)
{
	struct journey_result *r = run->r;
	int err;

	r->sender_cpu = r->receiver_cpu = -1;
	if (run->cfg->cpus == CPUS_ANY)
		return 0;
	if (is_peer(run->cfg) && run->cfg->cpus == CPUS_SPLIT)
		return -EINVAL; /* one thread: nothing to split */
	if ((err = cpu_place_pick(run->cfg->cpus, &r->sender_cpu, &r->receiver_cpu)) < 0)
		return err == -ENODEV ? -EXDEV : err;
	if ((!is_peer(run->cfg) && (err = cpu_place_pin(r->receiver_tid, r->receiver_cpu, NULL)) < 0) ||
	    (err = cpu_place_pin(0, r->sender_cpu, &run->saved_mask)) < 0)
		return err;
	run->pinned = true;
	return 0;
}

/* The client alone, to a `nic2app serve`; its echoes come back to this thread. */
static int connect_peer(struct run *run)
{
	const struct journey_config *cfg = run->cfg;
	struct journey_result *r = run->r;
	const struct sockaddr *peer = (const struct sockaddr *)&cfg->peer;
	int err;

	peer_addr_format(peer, r->peer_name, sizeof(r->peer_name));
	if ((err = route_device(peer, r->devices[0])) < 0)
		return err;
	if (!(run->echo_rx = calloc(cfg->count, sizeof(*run->echo_rx))))
		return -ENOMEM;
	if ((err = echo_pair_connect(&run->echo, cfg->proto, cfg->size, peer, cfg->peer_len)) < 0)
		return err;
	r->sender_tid = r->receiver_tid = gettid();
	return place(run);
}

static int set_up(struct run *run)
{
	const struct journey_config *cfg = run->cfg;
	struct journey_result *r = run->r;
	/* every round the receiver may note: the waits for RX stamps included */
	size_t total = cfg->warmup + PLAIN_ROUNDS + STAMP_WAIT_ROUNDS + OBSERVED_WARMUP + cfg->count;
	int err;

	if (is_peer(cfg))
		return connect_peer(run);
	if (cfg->via == JOURNEY_VIA_NETNS) {
		if ((err = netns_pair_create(&run->ns)) < 0)
			return err;
		memcpy(r->devices, run->ns.ifname, sizeof(r->devices));
	} else {
		snprintf(r->devices[0], sizeof(r->devices[0]), "lo");
	}
	if ((err = echo_pair_open(&run->echo, cfg->proto, cfg->size, total,
				  cfg->via == JOURNEY_VIA_NETNS ? &run->ns : NULL)) < 0)
		return err;
	r->sender_tid = gettid();
	r->receiver_tid = run->echo.server_tid;
	return place(run);
}

static int measure(struct run *run)
{
	struct journey_result *r = run->r;
	int err;

	/* the plain round trips come first: an enabled tracepoint costs even while the
	 * instance is not recording, and syscall tracepoints slow every system call */
	if ((err = set_up(run)) < 0 ||
	    (err = rounds(run, run->cfg->warmup, -1, NULL)) < 0 ||
	    (err = rounds(run, PLAIN_ROUNDS, -1, &run->plain)) < 0 ||
	    (err = samples_summarize(&run->plain, &r->rtt_plain_ns)) < 0 ||
	    (err = choose_method(run)) < 0)
		return err;
	journey_set_stages(r);
	err = r->method == JOURNEY_METHOD_TRACEFS ? traced_rounds(run) : stamped_rounds(run);
	if (err < 0)
		return err;
	journey_trace_close(&run->trace); /* as soon as possible: nothing stays enabled */
	if ((err = echo_pair_close(&run->echo)) < 0)
		return err;
	if (!is_peer(run->cfg) && run->echo.rounds_seen != run->rounds)
		return -EPROTO;
	if ((err = assemble(run)) < 0)
		return err;
	r->overhead_ns = r->rtt_ns.p50 - r->rtt_plain_ns.p50;
	return 0;
}

int journey_run(const struct journey_config *cfg, struct journey_result *r)
{
	struct run run = { .cfg = cfg, .r = r };
	int err;

	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	if (!r->cfg.warmup)
		r->cfg.warmup = DEFAULT_WARMUP;
	run.cfg = &r->cfg;
	run.ns = (struct netns_pair){ .orig_fd = -1, .ns_fd = { -1, -1 } };
	run.echo.client_fd = run.echo.server_fd = -1;
	if (cfg->size < journey_min_size(cfg->via) || cfg->size > journey_max_size(cfg->via) ||
	    cfg->count < 1)
		return -EINVAL;
	if (!(r->packets = calloc(cfg->count, sizeof(*r->packets))))
		return -ENOMEM;
	r->npackets = cfg->count;
	err = measure(&run);
	journey_trace_close(&run.trace);
	jevents_release(&run.trace.events);
	echo_pair_close(&run.echo);
	echo_pair_release(&run.echo);
	journey_stamps_release(&run.stamps);
	netns_pair_release(&run.ns);
	samples_release(&run.plain);
	free(run.echo_rx);
	if (run.pinned)
		cpu_place_restore(0, &run.saved_mask);
	return err;
}

void journey_result_release(struct journey_result *r)
{
	free(r->packets);
	r->packets = NULL;
	r->npackets = 0;
}
