/* SPDX-License-Identifier: MIT */
/*
 * journey_stamps: the SO_TIMESTAMPING method of the journey: TX stamps of the sender's
 * measured sends, matched by OPT_ID, and their conversion to CLOCK_MONOTONIC points.
 */
#ifndef NIC2APP_JOURNEY_STAMPS_H
#define NIC2APP_JOURNEY_STAMPS_H

#include <stddef.h>
#include <stdint.h>

#include "nic2app/journey.h"
#include "nic2app/stats.h"
#include "nic2app/tstamp.h"

struct journey_tx_stamps {
	int64_t sched_ns, snd_ns, ack_ns; /* CLOCK_REALTIME, 0 when not reported */
};

struct journey_stamps {
	enum journey_proto proto;
	size_t size;        /* bytes per send: TCP's OPT_ID counts bytes */
	size_t first_send;  /* sends between switching stamping on and the first measured one */
	size_t count;       /* measured sends */
	struct journey_tx_stamps *tx;
};

/* TX stamps (SCHED, SND, and ACK for TCP) on the sender, RX stamps on the receiver. */
int journey_stamps_enable(int sender_fd, int receiver_fd, enum journey_proto proto);
int journey_stamps_init(struct journey_stamps *s, enum journey_proto proto, size_t size,
			size_t first_send, size_t count);
/* File one TX stamp under the measured send its OPT_ID names; 1 if it was one, else 0. */
int journey_stamps_file(struct journey_stamps *s, const struct tstamp *t);
/* Read the sender's error queue and file each stamp under its send. */
int journey_stamps_drain(struct journey_stamps *s, int sender_fd);
/* Set the qdisc, driver and receive points of the measured packets (rx_realtime_ns: the
 * receiver's RX stamp of each measured message). */
void journey_stamps_apply(const struct journey_stamps *s, const struct clock_offset *o,
			  const int64_t *rx_realtime_ns, struct journey_packet *pk);
/* TCP: from send() to the ACK stamp, over the packets that have one. -ENODATA if none. */
int journey_stamps_ack(const struct journey_stamps *s, const struct clock_offset *o,
		       const struct journey_packet *pk, struct summary *out);
void journey_stamps_release(struct journey_stamps *s);

#endif
