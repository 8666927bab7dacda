/* SPDX-License-Identifier: MIT */
/*
 * journey: one message from the sending application to the receiving application, measured.
 * The path is cut at the points where the kernel lets us see the packet (tracepoints with
 * tracefs, or SO_TIMESTAMPING stamps), plus the application's own clock readings around
 * send() and recv(). A stage lies between two consecutive points, so a packet's stages add
 * up exactly to its total. Points the path has no way to show (a NIC, DMA, an interrupt:
 * loopback and veth have none) are listed as unobserved, never invented.
 */
#ifndef NIC2APP_JOURNEY_H
#define NIC2APP_JOURNEY_H

#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nic2app/cpu_place.h"
#include "nic2app/stats.h"
#include "nic2app/tstamp.h"

enum journey_proto { JOURNEY_UDP, JOURNEY_TCP, JOURNEY_ANY /* --live: both */ };
enum journey_via {
	JOURNEY_VIA_LO,    /* an echo thread over loopback */
	JOURNEY_VIA_NETNS, /* an echo thread in a private namespace, across a veth pair */
	JOURNEY_VIA_PEER,  /* a `nic2app serve` elsewhere: a round trip, on this host's clock */
	JOURNEY_VIA_LIVE,  /* --live: whatever traffic passes, observed (nic2app sends nothing) */
};
enum journey_method { JOURNEY_METHOD_AUTO, JOURNEY_METHOD_TRACEFS, JOURNEY_METHOD_TIMESTAMPING,
		      JOURNEY_METHOD_BPF /* --live: BPF programs on the tracepoints */ };

/* The points where a message is seen, in the order it passes them. */
enum journey_point {
	JP_APP_SEND,   /* the sender's clock, just before send() */
	JP_SYS_ENTER,  /* syscalls:sys_enter_sendto of the sender */
	JP_QDISC,      /* net:net_dev_queue, or the TX_SCHED stamp */
	JP_XMIT,       /* net:net_dev_start_xmit, or the TX_SOFTWARE stamp */
	JP_RX_QUEUE,   /* net:netif_rx (queued for the receive softirq), or the RX_SOFTWARE stamp */
	JP_RX_SOFTIRQ, /* net:netif_receive_skb: the receive stack takes it */
	JP_SOCK_READY, /* sock:sk_data_ready: queued on the receiving socket */
	JP_WAKEUP,     /* sched:sched_wakeup of the receiving thread */
	JP_ON_CPU,     /* sched:sched_switch to the receiving thread */
	JP_COPY,       /* skb:skb_copy_datagram_iovec by the receiver (TCP only) */
	JP_SYS_EXIT,   /* syscalls:sys_exit_recvmsg of the receiver */
	JP_APP_RECV,   /* the receiver's clock, just after recv() returned */
	JP_RECV_END,   /* sock:sock_recv_length: recv() ends in the kernel (--live's last point;
			* in time between JP_COPY and JP_SYS_EXIT, listed last so the other
			* methods' points keep their numbers) */
	JP_POINTS
};

/* The module's thirteen stages of a packet's journey, sender to receiver. */
enum module_stage {
	MS_SYSCALL, MS_TCP_IP_TX, MS_QDISC, MS_DRIVER_TX, MS_WIRE, MS_NIC_RECEIVE,
	MS_DMA_TRANSFER, MS_IRQ_SIGNAL, MS_DRIVER_RX, MS_TCP_IP_RX, MS_SOCKET_BUFFER,
	MS_COPY_TO_USER, MS_APP_RECEIVE, MS_COUNT
};

enum journey_layer { LAYER_USER, LAYER_KERNEL, LAYER_BOUNDARY, LAYER_REMOTE, LAYER_COUNT };

struct journey_stage {
	const char *name;          /* "qdisc" */
	enum journey_point from, to;
	enum module_stage module;  /* the module's stage it corresponds to (the first, when
				    * it spans several: see covers) */
	enum module_stage covers_last;
	enum journey_layer layer;
	const char *what;          /* one line: what happens between the two points */
};

const char *journey_point_name(enum journey_point p);
const char *module_stage_name(enum module_stage s);
const char *journey_layer_name(enum journey_layer l);
const char *journey_method_name(enum journey_method m);
const char *journey_proto_name(enum journey_proto p);
const char *journey_via_name(enum journey_via v); /* the JSON "path": lo netns peer live */

#define JOURNEY_MAX_STAGES (JP_POINTS - 1)

/* The points a method observes for a protocol, in order; returns how many. */
size_t journey_points_for(enum journey_method m, enum journey_proto proto,
			  enum journey_point *out);
/* The stage between two consecutive points, or NULL when no stage is defined for them. With
 * a peer, the way from the driver to the echo's arrival is the remote stage "away". */
const struct journey_stage *journey_stage_between(enum journey_point from, enum journey_point to,
						  enum journey_via via);
/* The module stages a path has no way to show (bitmask of 1 << enum module_stage). */
unsigned int journey_unobserved(enum journey_via via);

/* One message: the time of each point (CLOCK_MONOTONIC ns, 0 = not seen). */
struct journey_packet {
	uint64_t at[JP_POINTS];
	uint32_t wire_len;        /* bytes the device queued (net_dev_queue len), 0 if unknown */
	uint64_t rtt_ns;          /* the round trip it was part of (the echo came back) */
	int16_t sender_cpu, receiver_cpu; /* where each end ran: just before send(), after recv() */
	uint16_t implied;         /* points not seen but known: 1 << point (see journey_trace.h) */
	bool complete;            /* every point of the method was seen, in order */
	enum journey_point missing; /* the first point not seen, when not complete */
};

struct journey_config {
	enum journey_proto proto;
	enum journey_via via;
	enum journey_method method;
	size_t size;              /* message bytes */
	size_t count;             /* messages measured */
	struct sockaddr_storage peer; /* JOURNEY_VIA_PEER: where `nic2app serve` listens */
	socklen_t peer_len;
	enum cpu_placement cpus;  /* where the sender and the receiver run */
	size_t warmup;            /* round trips before measuring (0: a default) */
	volatile sig_atomic_t *stop; /* set (by a signal handler) to end early: -EINTR */
	/* --live (via JOURNEY_VIA_LIVE): what to watch, 0 meaning any */
	uint16_t live_port;       /* either end's port */
	pid_t live_pid;           /* the process that sends or reads */
	int live_ifindex;         /* the device */
	char live_dev[IF_NAMESIZE];
	double live_duration_s;   /* 0: until *stop is set */
	bool live_overhead;       /* measure the observer's cost on an own probe flow first */
	bool live_packets;        /* a record of every journey (ring buffer) */
	bool live_no_sched;       /* leave the scheduler's tracepoints out: cheaper, and the
				   * reader's wake-up is not split from its recv() */
};

/* What the live observer counted. Its percentiles are the upper bounds of log2 buckets
 * (clamped to the exact minimum and maximum); means, minimums and maximums are exact. */
struct journey_live_counts {
	uint64_t seen;            /* packets that passed the filter at their first point */
	uint64_t done_local, done_rx, done_tx; /* journeys ended: sent and read here, arrived
					    * from elsewhere and read, left for elsewhere */
	uint64_t ready_unmatched; /* sk_data_ready of a watched socket without a packet */
	uint64_t recv_unmatched;  /* recv() ends without a packet waiting (already counted) */
	uint64_t behind;          /* packets queued behind unread data: socket side untimed */
	uint64_t reused;          /* packets given up on the way (vanished, or too many at once) */
	uint64_t dropped;         /* tracked packets the kernel dropped */
	uint64_t ringbuf_lost;    /* --packets records that found no room */
	uint64_t map_full;        /* packets not timed at the socket for want of room */
	uint64_t waker_taken;     /* readers whose wake-up was lost to another thread of its
				   * slot: counted as awake */
	uint64_t runnable;        /* recv()s whose reader needed no wake-up */
	struct summary total_local, total_rx, total_tx;
	double duration_s;        /* how long it watched */
	bool sched;               /* the scheduler's tracepoints were watched */
	bool overhead_measured;
};

struct journey_result {
	struct journey_config cfg;
	enum journey_method method;        /* the one used */
	char why[200];                     /* why this method (auto), or what it cannot see */
	enum journey_point points[JP_POINTS];
	size_t npoints;
	const struct journey_stage *stages[JOURNEY_MAX_STAGES];
	size_t nstages;
	struct journey_packet *packets;
	size_t npackets;
	size_t complete;                   /* packets with every point */
	size_t missing_at[JP_POINTS];      /* incomplete packets by their first missing point */
	size_t receiver_runnable;          /* complete packets whose receiver needed no wake-up */
	size_t receiver_running;           /* ... and was even on a CPU already */
	size_t same_cpu;                   /* complete packets whose two ends shared a CPU */
	struct summary total_same_cpu_ns, total_cross_cpu_ns;
	struct summary stage_ns[JOURNEY_MAX_STAGES]; /* over complete packets */
	struct summary total_ns;
	struct summary layer_ns[LAYER_COUNT];
	struct summary rtt_ns;             /* round trips while observing */
	struct summary rtt_plain_ns;       /* round trips with nothing observing */
	struct summary tcp_ack_ns;         /* timestamping, TCP: send() to the ACK stamp */
	double overhead_ns;                /* p50 round trip observed minus plain */
	uint64_t lost_events;              /* events the trace buffer dropped */
	uint64_t events_read, events_used;
	struct clock_offset offset;        /* timestamping: CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t offset_drift_ns;           /* the offset after the run minus before */
	char devices[2][IF_NAMESIZE];      /* the device(s) crossed: "lo", the veth pair, or the
					    * one the route to the peer goes out of */
	char peer_name[64];                /* "192.0.2.2:7701" */
	pid_t sender_tid, receiver_tid;
	int sender_cpu, receiver_cpu;      /* where they were pinned, -1 when not */
	struct journey_live_counts live;   /* --live only */
};

/* Limits of --size: one message must stay one packet on the path (its MTU less headers;
 * with a peer, a 1500-byte MTU is assumed, and a message holds at least the protocol's 8
 * bytes). */
size_t journey_max_size(enum journey_via via);
size_t journey_min_size(enum journey_via via);

/*
 * Run a journey: an echo pair (sender in this thread, receiver in another; over veth each in
 * its own private namespace), warm-up and plain round trips, then cfg->count observed ones.
 * JOURNEY_METHOD_AUTO tries tracefs and falls back to timestamping, saying why in r->why.
 * Returns 0, -EPERM (tracefs or netns without root), -ENODEV (no tracefs), -EXDEV (a split
 * placement with one CPU), -EINTR (*stop was set), or another -errno. Everything set up is undone before it returns.
 */
int journey_run(const struct journey_config *cfg, struct journey_result *r);
/* Whether overhead_ns (the observed median round trip minus the plain one) is a cost: above
 * zero and larger than either run's spread, p25 to p75 of its round trips. */
bool journey_overhead_measurable(const struct journey_result *r);
void journey_result_release(struct journey_result *r);

/* Mark packets complete or not, fill missing_at, and summarize stages, layers and totals
 * over the complete ones. Needs r->points/npoints and r->packets. */
int journey_summarize(struct journey_result *r);
/* Fill r->points/npoints/stages/nstages for r->method and r->cfg.proto. */
void journey_set_stages(struct journey_result *r);

#endif
