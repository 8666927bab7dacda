/* SPDX-License-Identifier: MIT */
/*
 * journey_trace: the tracefs method of the journey. Trace records are decoded into small
 * events (what happened, when, to which skb / socket / thread), then matched to the messages
 * the application sent: each message owns the time window between its sender's clock before
 * send() and its receiver's clock after recv(), and inside that window the chain is followed
 * point by point: the sender's sendto entry, its skb through the device (by skbaddr), the
 * socket it was queued on, the receiver's wake-up, run, copy and return.
 */
#ifndef NIC2APP_JOURNEY_TRACE_H
#define NIC2APP_JOURNEY_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nic2app/journey.h"
#include "nic2app/trace_raw.h"

enum jevent_kind {
	JE_SYS_ENTER_SENDTO,
	JE_NET_DEV_QUEUE,
	JE_NET_DEV_START_XMIT,
	JE_NETIF_RX,
	JE_NETIF_RECEIVE_SKB,
	JE_SK_DATA_READY,
	JE_SCHED_WAKEUP,
	JE_SCHED_SWITCH,
	JE_SKB_COPY,
	JE_SYS_EXIT_RECVMSG,
	JE_KINDS
};

/* "net/net_dev_queue": the tracefs name of an event kind */
const char *jevent_tracefs_name(enum jevent_kind k);

struct jevent {
	uint64_t ts_ns;
	uint64_t key;     /* skbaddr (net, skb events), skaddr (sk_data_ready), else 0 */
	int32_t pid;      /* the woken / switched-to thread (sched), else the current thread */
	uint32_t len;     /* skb length (net_dev_queue), 0 otherwise */
	uint16_t kind;    /* enum jevent_kind */
	uint16_t proto;   /* sk_data_ready: IPPROTO_UDP or IPPROTO_TCP */
	uint32_t seq;     /* order of arrival: keeps a CPU's order among equal stamps */
};

struct jevents {
	struct jevent *v;
	size_t n, cap;
};

int jevents_add(struct jevents *e, const struct jevent *ev);
/* Sort by time, then arrival (records come CPU by CPU, each CPU's in order). */
void jevents_sort(struct jevents *e);
void jevents_release(struct jevents *e);

/* Where each kind's fields lie in this kernel's records, from the events' format files. */
struct jevent_decoder {
	struct trace_format fmt[JE_KINDS];
	bool have[JE_KINDS];
	const struct trace_field *key[JE_KINDS], *pid[JE_KINDS], *len[JE_KINDS], *proto[JE_KINDS];
};

/* Learn a kind from its format text. -EBADMSG when a field the matcher needs is missing. */
int jevent_decoder_add(struct jevent_decoder *d, enum jevent_kind k, const char *format_text);
/* Decode a record: 1 with *out filled when it is one of the known kinds, else 0. */
int jevent_decode(const struct jevent_decoder *d, const struct trace_record *r,
		  struct jevent *out);

struct journey_match_ctx {
	pid_t sender_tid, receiver_tid;
	int ip_proto;       /* IPPROTO_UDP or IPPROTO_TCP: which sk_data_ready counts */
	uint32_t min_len;   /* the message's skb is at least this long at net_dev_queue */
	bool copy_point;    /* look for skb_copy_datagram_iovec (TCP) */
	/* a peer's echo: the packet that arrives is not the one that left. It is the first
	 * netif_rx after the departure that the sender's own thread did not cause (over lo or
	 * veth the departing packet's netif_rx runs in the sender) and is long enough. */
	bool rx_is_echo;
	uint32_t min_rx_len;
};

/*
 * Fill at[] of each packet from the sorted events. Packets must be in time order with
 * at[JP_APP_SEND] and at[JP_APP_RECV] set (the window). Points not found stay 0, but for
 * two that need not happen: a receiver still runnable (preempted before it slept) needs no
 * wake-up, and one still on its CPU no switch either. Those points are then set to the
 * sk_data_ready time (their stages last 0 ns) and flagged in implied. Returns how many
 * events were used.
 */
size_t journey_match(const struct jevent *ev, size_t nev, struct journey_packet *pk,
		     size_t npk, const struct journey_match_ctx *ctx);

/* A live tracing session for one journey: a private instance, the events enabled with
 * filters for the journey's threads and devices, and their decoder. */
struct tracefs;
struct journey_trace {
	struct tracefs *tfs;
	struct jevent_decoder dec;
	struct jevents events;
	uint64_t lost;        /* events the ring buffer dropped (per-CPU overrun counts) */
	size_t missed_pages;  /* pages flagged as following lost events */
};

/* Open the instance and enable every event of the journey (-EPERM, -ENODEV, -ENOENT when
 * this kernel lacks one of the events). devices: one or two names; NULL-terminated list. */
int journey_trace_open(struct journey_trace *jt, pid_t sender_tid, pid_t receiver_tid,
		       const char *const *devices);
int journey_trace_start(struct journey_trace *jt);
/* Stop recording, read everything recorded so far into jt->events, update jt->lost. */
int journey_trace_collect(struct journey_trace *jt);
/* Disable everything and remove the instance (also on every error path). Safe twice.
 * The events read stay in jt->events until jevents_release(). */
int journey_trace_close(struct journey_trace *jt);

#endif
