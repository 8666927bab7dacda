/* SPDX-License-Identifier: MIT */
/*
 * journey_live.h: what the live observer (journey_live.bpf.c) shares with its loader
 * (journey_live.c): the points it sees, the histograms it keeps per stage, its counters and
 * the per-packet record of --packets. Fixed-size fields, no pointers, the same on both sides.
 */
#ifndef NIC2APP_JOURNEY_LIVE_BPF_H
#define NIC2APP_JOURNEY_LIVE_BPF_H

/* The points, in the order a packet passes them (a packet from another host starts at
 * LP_RX_QUEUE or LP_RX_SOFTIRQ; one leaving for another host ends at LP_XMIT). */
enum lp_point {
	LP_QDISC,      /* net:net_dev_queue */
	LP_XMIT,       /* net:net_dev_start_xmit */
	LP_RX_QUEUE,   /* net:netif_rx (loopback, veth, drivers without NAPI) */
	LP_RX_SOFTIRQ, /* net:netif_receive_skb */
	LP_SOCK_READY, /* sock:sk_data_ready */
	LP_WAKEUP,     /* sched:sched_wakeup of the reader the socket woke */
	LP_ON_CPU,     /* sched:sched_switch to that reader */
	LP_RECV_END,   /* sock:sock_recv_length: the reader's recv() ends in the kernel */
	LP_POINTS
};

/* A stage lies between two consecutive points: LS_x ends at point x + 1. Then the totals. */
enum lp_stat {
	LS_QDISC, LS_DRIVER, LS_BACKLOG, LS_RX_STACK, LS_WAKEUP, LS_RUN_QUEUE, LS_RECV,
	LS_STAGES,
	LS_TOTAL_LOCAL = LS_STAGES, /* sent and received on this host: QDISC to RECV_END */
	LS_TOTAL_RX,                /* came from elsewhere: its first point to RECV_END */
	LS_TOTAL_TX,                /* left for elsewhere: QDISC to XMIT */
	LS_STATS
};

#define LP_BUCKETS 48 /* bucket 0 holds 0 and 1 ns, bucket b (2^(b-1), 2^b] ns; the last: all above */

/* One stage's (or total's) numbers on one CPU; the loader adds the CPUs up. */
struct lp_hist {
	__u64 count, sum_ns, min_ns, max_ns;
	__u64 bucket[LP_BUCKETS];
};

enum lp_counter {
	LC_SEEN,            /* packets that passed the filter at their first point */
	LC_DONE_LOCAL,      /* journeys that ended in a recv() after a send on this host */
	LC_DONE_RX,         /* ... after arriving from another host */
	LC_DONE_TX,         /* packets that left for another host (net_dev_start_xmit) */
	LC_READY_UNMATCHED, /* sk_data_ready of a watched socket with no packet to match */
	LC_RECV_UNMATCHED,  /* a recv() that ended with no packet waiting to be matched */
	LC_BEHIND,          /* queued behind unread data: the socket side not timed */
	LC_REUSED,          /* a flight given up before its last point (it vanished on the
			     * way, or more than LP_SLOTS were on their way through a CPU) */
	LC_DROPPED,         /* tracked packets the kernel dropped (skb:kfree_skb) */
	LC_RB_LOST,         /* --packets records the ring buffer had no room for */
	LC_MAP_FULL,        /* packets not timed at the socket: no room for its storage */
	LC_RUNNABLE,        /* recv()s whose reader needed no wake-up (already running) */
	LC_WAKER_TAKEN,     /* a reader's wake-up lost: another thread took its slot first */
	LC_COUNTERS
};

/* An skb on its way: the points seen so far. */
struct flight {
	__u64 at[LP_SOCK_READY + 1];
	__u64 last_at;             /* at[last], without an index the verifier cannot bound */
	__u32 len, wire_len;
	__u16 sport, dport;
	__u8 proto, flags, first, last;
	__u32 tx_cpu;
};

#define LP_SLOTS 8             /* packets on their way through one CPU at a time */
#define STALE_NS 1000000000ull /* an skb entry older than 1 s belongs to no packet now */

/* Per CPU, in one map value so each program looks it up once: the histograms, the counters,
 * the skb the receive softirq is delivering and the socket just told of data. */
struct lp_cpu {
	struct lp_hist hist[LS_STATS];
	__u64 counter[LC_COUNTERS];
	__u64 skb;                    /* the packet the receive softirq delivers */
	__u64 skb_ctx;                /* ... in the context of this task (pid_tgid) */
	__u64 ready_sk, ready_at;     /* the socket just told of data, when */
	__u64 ready_ctx;              /* ... in the context of this task (pid_tgid) */
	struct flight slot[LP_SLOTS]; /* the packets on their way through this CPU */
	__u64 slot_skb[LP_SLOTS];     /* their skbs' addresses, 0: a free slot */
	__u32 slot_next;
};

/* What to watch (the program's global, in .bss, so the loader may change it while loaded). */
struct lp_filter {
	__u32 port;    /* either end's port, 0: any */
	__u32 tgid;    /* the process that sends or reads, 0: any */
	__s32 ifindex; /* the device, 0: any */
	__u32 proto;   /* IPPROTO_UDP or IPPROTO_TCP, 0: both */
	__u32 packets; /* a ring-buffer record per journey */
};

/* What a journey carries, and the --packets record. */
#define LPF_PID 1       /* sent by the --pid process */
#define LPF_IMPLIED 2   /* LP_WAKEUP and LP_ON_CPU implied: the reader needed no wake-up */
#define LPF_DEFERRED 4  /* --pid: whether it counts is known at the recv(); so are its
			 * skb stages added there */

enum lp_kind { LK_LOCAL, LK_RX, LK_TX };

struct lp_record {
	__u64 at[LP_POINTS];   /* CLOCK_MONOTONIC ns; 0: not seen */
	__u32 len;             /* payload bytes */
	__u32 wire_len;        /* skb->len at the first point (with the link header on send) */
	__u16 sport, dport;    /* host order */
	__u8 proto;            /* IPPROTO_UDP or IPPROTO_TCP */
	__u8 kind;             /* enum lp_kind */
	__u8 flags;            /* LPF_* */
	__u8 first;            /* the first point seen */
	__u32 tx_cpu, rx_cpu;  /* where LP_QDISC and LP_RECV_END ran */
};

#endif
