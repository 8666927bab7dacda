/* SPDX-License-Identifier: MIT */
/*
 * tstamp: SO_TIMESTAMPING, the kernel's own clock readings of a packet at points on its path
 * (Documentation/networking/timestamping.rst): when it entered the packet scheduler
 * (SCHED), when the driver took it (SND), when the peer acknowledged it (ACK, TCP), and when
 * it entered the receive stack (RX). No privilege is needed. The kernel stamps with
 * CLOCK_REALTIME; clock_offset converts the stamps to CLOCK_MONOTONIC.
 */
#ifndef NIC2APP_TSTAMP_H
#define NIC2APP_TSTAMP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

enum tstamp_point {
	TSTAMP_SND,    /* SCM_TSTAMP_SND: the driver passed the packet on (TX_SOFTWARE) */
	TSTAMP_SCHED,  /* SCM_TSTAMP_SCHED: the packet entered the qdisc (TX_SCHED) */
	TSTAMP_ACK,    /* SCM_TSTAMP_ACK: TCP, all of it was acknowledged (TX_ACK) */
	TSTAMP_RX,     /* the receive stack took it (RX_SOFTWARE), on a data message */
	TSTAMP_POINTS
};

const char *tstamp_point_name(enum tstamp_point p); /* "SND" "SCHED" "ACK" "RX" */

struct tstamp {
	enum tstamp_point point;
	uint32_t id;          /* OPT_ID: which send (UDP: a counter from 0; TCP: the byte
			       * offset of the send's last byte); 0 for RX */
	int64_t realtime_ns;  /* the kernel's stamp, CLOCK_REALTIME */
};

/* Ask for TX stamps (SCHED, SND, and ACK when ack) and/or RX stamps on one socket: the
 * option holds one set of flags, so a socket that wants both must ask for both at once. */
int tstamp_enable(int fd, bool tx, bool ack, bool rx);
/* Ask for the software stamps of sends on fd: SCHED and SND (and ACK when ack), each
 * reported on the error queue with its send's OPT_ID and without a copy of the data. */
int tstamp_enable_tx(int fd, bool ack);
/* Ask for the software stamp of every message received on fd. When no socket had asked
 * before, the kernel switches RX stamping on a moment later (a deferred static key): the
 * first messages may come unstamped. */
int tstamp_enable_rx(int fd);

/*
 * The stamp in the control messages of one recvmsg(): an error-queue message (MSG_ERRQUEUE)
 * carries a TX stamp and its point and id, a data message an RX stamp. Returns 1 with *out
 * filled, 0 when the message has no stamp, -EBADMSG when a message is cut short.
 */
int tstamp_from_msg(const struct msghdr *msg, struct tstamp *out);

/* Read the TX stamps waiting on fd's error queue, without blocking; fn for each (a non-zero
 * return stops and is returned). Returns the number read, or -errno. */
typedef int (*tstamp_fn)(const struct tstamp *t, void *ctx);
int tstamp_drain_errqueue(int fd, tstamp_fn fn, void *ctx);

/*
 * CLOCK_REALTIME minus CLOCK_MONOTONIC, read as monotonic / realtime / monotonic triples; the
 * triple with the shortest gap wins, and half that gap is the uncertainty of the conversion.
 */
struct clock_offset {
	int64_t realtime_minus_monotonic_ns;
	int64_t uncertainty_ns;
};

int clock_offset_measure(struct clock_offset *out, int triples);
static inline int64_t clock_offset_to_monotonic(const struct clock_offset *o, int64_t realtime_ns)
{
	return realtime_ns - o->realtime_minus_monotonic_ns;
}

#endif
