// SPDX-License-Identifier: MIT
/*
 * journey_stamps: the SO_TIMESTAMPING method of the journey. The sender's socket reports
 * when each send entered the qdisc (SCHED), left through the driver (SND) and, for TCP, was
 * acknowledged (ACK); the receiver's socket stamps each message as the receive stack takes
 * it (RX). OPT_ID says which send a TX stamp belongs to: for UDP a counter of sends, for TCP
 * the offset of the send's last byte, both counted from when stamping was switched on.
 */
#include <errno.h>
#include <stdlib.h>

#include "nic2app/journey_stamps.h"

int journey_stamps_enable(int sender_fd, int receiver_fd, enum journey_proto proto)
{
	bool tcp = proto == JOURNEY_TCP;
	int r;

	if (sender_fd == receiver_fd) /* a peer's echo comes back to the sender's socket */
		return tstamp_enable(sender_fd, true, tcp, true);
	r = tstamp_enable_tx(sender_fd, tcp);
	return r < 0 ? r : tstamp_enable_rx(receiver_fd);
}

int journey_stamps_init(struct journey_stamps *s, enum journey_proto proto, size_t size,
			size_t first_send, size_t count)
{
	*s = (struct journey_stamps){ .proto = proto, .size = size, .first_send = first_send,
				      .count = count };
	s->tx = calloc(count ? count : 1, sizeof(*s->tx));
	return s->tx ? 0 : -ENOMEM;
}

/* Which measured send a stamp's OPT_ID names, or -1 when it is not one of them. */
static long send_index(const struct journey_stamps *s, uint32_t id)
{
	size_t n = s->proto == JOURNEY_TCP ? ((size_t)id + 1) / s->size : (size_t)id + 1;

	/* n: sends up to and including this one, since stamping was switched on */
	if (n == 0 || n - 1 < s->first_send || n - 1 - s->first_send >= s->count)
		return -1;
	return (long)(n - 1 - s->first_send);
}

int journey_stamps_file(struct journey_stamps *s, const struct tstamp *t)
{
	long i = send_index(s, t->id);

	if (i < 0)
		return 0;
	switch (t->point) {
	case TSTAMP_SCHED: s->tx[i].sched_ns = t->realtime_ns; break;
	case TSTAMP_SND: s->tx[i].snd_ns = t->realtime_ns; break;
	case TSTAMP_ACK: s->tx[i].ack_ns = t->realtime_ns; break;
	default: return 0;
	}
	return 1;
}

static int on_stamp(const struct tstamp *t, void *ctx)
{
	journey_stamps_file(ctx, t);
	return 0;
}

int journey_stamps_drain(struct journey_stamps *s, int sender_fd)
{
	int r = tstamp_drain_errqueue(sender_fd, on_stamp, s);

	return r < 0 ? r : 0;
}

static uint64_t to_mono(const struct clock_offset *o, int64_t realtime_ns)
{
	int64_t mono = realtime_ns ? clock_offset_to_monotonic(o, realtime_ns) : 0;

	return mono > 0 ? (uint64_t)mono : 0;
}

void journey_stamps_apply(const struct journey_stamps *s, const struct clock_offset *o,
			  const int64_t *rx_realtime_ns, struct journey_packet *pk)
{
	for (size_t i = 0; i < s->count; i++) {
		pk[i].at[JP_QDISC] = to_mono(o, s->tx[i].sched_ns);
		pk[i].at[JP_XMIT] = to_mono(o, s->tx[i].snd_ns);
		pk[i].at[JP_RX_QUEUE] = to_mono(o, rx_realtime_ns[i]);
	}
}

int journey_stamps_ack(const struct journey_stamps *s, const struct clock_offset *o,
		       const struct journey_packet *pk, struct summary *out)
{
	struct samples acks = SAMPLES_INIT;
	int r = 0;

	for (size_t i = 0; i < s->count && !r; i++) {
		uint64_t ack = to_mono(o, s->tx[i].ack_ns);

		if (ack && ack >= pk[i].at[JP_APP_SEND])
			r = samples_add(&acks, (double)(ack - pk[i].at[JP_APP_SEND]));
	}
	if (!r)
		r = acks.n ? samples_summarize(&acks, out) : -ENODATA;
	samples_release(&acks);
	return r;
}

void journey_stamps_release(struct journey_stamps *s)
{
	free(s->tx);
	s->tx = NULL;
}
