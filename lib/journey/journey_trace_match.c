// SPDX-License-Identifier: MIT
/*
 * journey_trace_match: events to messages. The application sends one message at a time and
 * waits for its echo, so each message owns the window between its sender's clock reading
 * before send() and its receiver's reading after recv(); nothing of the next message can
 * fall inside it. Within the window the chain is followed forward, one point after the
 * other: what identifies each point is in point_matches(). Other traffic in the window (the
 * device's other packets, TCP's ACKs, other threads' wake-ups) matches nothing.
 */
#include "nic2app/journey_trace.h"

struct chain {
	const struct journey_match_ctx *ctx;
	uint64_t skb;  /* the message's skbaddr, once net_dev_queue is found */
};

static bool point_matches(enum journey_point p, const struct jevent *e, const struct chain *c)
{
	const struct journey_match_ctx *ctx = c->ctx;

	switch (p) {
	case JP_SYS_ENTER:
		return e->kind == JE_SYS_ENTER_SENDTO && e->pid == ctx->sender_tid;
	case JP_QDISC:
		/* the sender's own packet carrying the message, not an ACK it sends meanwhile */
		return e->kind == JE_NET_DEV_QUEUE && e->pid == ctx->sender_tid &&
		       e->len >= ctx->min_len;
	case JP_XMIT:
		return e->kind == JE_NET_DEV_START_XMIT && e->key == c->skb;
	case JP_RX_QUEUE:
		if (ctx->rx_is_echo)
			return e->kind == JE_NETIF_RX && e->pid != ctx->sender_tid &&
			       e->len >= ctx->min_rx_len;
		return e->kind == JE_NETIF_RX && e->key == c->skb;
	case JP_RX_SOFTIRQ:
		return e->kind == JE_NETIF_RECEIVE_SKB && e->key == c->skb;
	case JP_SOCK_READY:
		return e->kind == JE_SK_DATA_READY && e->proto == ctx->ip_proto;
	case JP_WAKEUP:
		return e->kind == JE_SCHED_WAKEUP && e->pid == ctx->receiver_tid;
	case JP_ON_CPU:
		return e->kind == JE_SCHED_SWITCH && e->pid == ctx->receiver_tid;
	case JP_COPY:
		return e->kind == JE_SKB_COPY && e->pid == ctx->receiver_tid;
	case JP_SYS_EXIT:
		return e->kind == JE_SYS_EXIT_RECVMSG && e->pid == ctx->receiver_tid;
	default:
		return false;
	}
}

/* First event at or after ts (events sorted by time). */
static size_t first_at(const struct jevent *ev, size_t nev, uint64_t ts)
{
	size_t lo = 0, hi = nev;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ev[mid].ts_ns < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A receiver that was runnable or running when its data came needed no wake-up (and no
 * switch): nothing happened between the data's arrival and its run. */
static void imply_scheduling(struct journey_packet *p)
{
	uint64_t ready = p->at[JP_SOCK_READY];

	if (!ready || !p->at[JP_SYS_EXIT] || p->at[JP_WAKEUP])
		return;
	p->at[JP_WAKEUP] = ready;
	p->implied |= 1u << JP_WAKEUP;
	if (!p->at[JP_ON_CPU]) {
		p->at[JP_ON_CPU] = ready;
		p->implied |= 1u << JP_ON_CPU;
	}
}

/* The points of one packet, from the events [from, to). Returns events used. */
static size_t match_packet(const struct jevent *ev, size_t from, size_t to,
			   struct journey_packet *p, const struct journey_match_ctx *ctx)
{
	struct chain c = { .ctx = ctx };
	size_t used = 0, at = from;

	for (int point = JP_SYS_ENTER; point < JP_APP_RECV; point++) {
		if (point == JP_COPY && !ctx->copy_point)
			continue;
		for (size_t i = at; i < to; i++) {
			if (!point_matches(point, &ev[i], &c))
				continue;
			p->at[point] = ev[i].ts_ns;
			if (point == JP_QDISC || (point == JP_RX_QUEUE && ctx->rx_is_echo)) {
				c.skb = ev[i].key;
				if (point == JP_QDISC)
					p->wire_len = ev[i].len;
			}
			at = i + 1;
			used++;
			break;
		}
		/* not found: the next point is looked for from the same place */
	}
	imply_scheduling(p);
	return used;
}

size_t journey_match(const struct jevent *ev, size_t nev, struct journey_packet *pk,
		     size_t npk, const struct journey_match_ctx *ctx)
{
	size_t used = 0;

	for (size_t i = 0; i < npk; i++) {
		struct journey_packet *p = &pk[i];
		size_t from, to;

		if (!p->at[JP_APP_SEND] || p->at[JP_APP_RECV] < p->at[JP_APP_SEND])
			continue;
		from = first_at(ev, nev, p->at[JP_APP_SEND]);
		to = first_at(ev, nev, p->at[JP_APP_RECV] + 1);
		used += match_packet(ev, from, to, p, ctx);
	}
	return used;
}
