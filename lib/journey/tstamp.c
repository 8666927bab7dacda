// SPDX-License-Identifier: MIT
/*
 * tstamp: SO_TIMESTAMPING on a socket, and the stamps read back from control messages. A TX
 * stamp comes on the error queue as two control messages, SCM_TIMESTAMPING (the time, in
 * ts[0] for software stamps) and IP_RECVERR / IPV6_RECVERR (a sock_extended_err whose origin
 * is SO_EE_ORIGIN_TIMESTAMPING, ee_info the point and ee_data the OPT_ID). An RX stamp is a
 * lone SCM_TIMESTAMPING on the data message.
 */
#include <errno.h>
#include <time.h> /* before linux/errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <string.h>

#include "nic2app/tstamp.h"

#ifndef SCM_TIMESTAMPING
#define SCM_TIMESTAMPING SO_TIMESTAMPING
#endif

const char *tstamp_point_name(enum tstamp_point p)
{
	static const char *const names[TSTAMP_POINTS] = {
		[TSTAMP_SND] = "SND", [TSTAMP_SCHED] = "SCHED", [TSTAMP_ACK] = "ACK",
		[TSTAMP_RX] = "RX",
	};

	return (unsigned int)p < TSTAMP_POINTS ? names[p] : "?";
}

static int set_flags(int fd, unsigned int flags)
{
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) < 0)
		return -errno;
	return 0;
}

int tstamp_enable(int fd, bool tx, bool ack, bool rx)
{
	unsigned int flags = SOF_TIMESTAMPING_SOFTWARE;

	if (tx)
		flags |= SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_TX_SOFTWARE |
			 SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY |
			 (ack ? SOF_TIMESTAMPING_TX_ACK : 0);
	if (rx)
		flags |= SOF_TIMESTAMPING_RX_SOFTWARE;
	return set_flags(fd, flags);
}

int tstamp_enable_tx(int fd, bool ack)
{
	return tstamp_enable(fd, true, ack, false);
}

int tstamp_enable_rx(int fd)
{
	return tstamp_enable(fd, false, false, true);
}

static bool is_recverr(const struct cmsghdr *c)
{
	return (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
	       (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR);
}

int tstamp_from_msg(const struct msghdr *msg, struct tstamp *out)
{
	bool have_time = false, have_err = false;
	struct scm_timestamping ts;
	struct sock_extended_err ee;

	if (msg->msg_flags & MSG_CTRUNC)
		return -EBADMSG;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		size_t len = c->cmsg_len - CMSG_LEN(0);
		size_t left = (size_t)((char *)msg->msg_control + msg->msg_controllen - (char *)c);

		/* fuzz regressions/tstamp/cmsg_past_end: a cmsg_len past the buffer was read */
		/* fuzz regressions/tstamp/cmsg_len_short: a cmsg_len under a header's made len wrap */
		if (c->cmsg_len < CMSG_LEN(0) || c->cmsg_len > left)
			return -EBADMSG;
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
			if (len < sizeof(ts))
				return -EBADMSG;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			have_time = true;
		} else if (is_recverr(c)) {
			if (len < sizeof(ee))
				return -EBADMSG;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			have_err = ee.ee_errno == ENOMSG && ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING;
		}
	}
	if (!have_time)
		return 0;
	memset(out, 0, sizeof(*out));
	/* software stamps are in ts[0]; ts[2] would be a hardware one */
	/* fuzz regressions/tstamp/tv_sec_overflow: a forged tv_sec overflowed int64_t (UB) */
	out->realtime_ns = (int64_t)((uint64_t)ts.ts[0].tv_sec * 1000000000 +
				     (uint64_t)ts.ts[0].tv_nsec);
	if (!have_err) {
		out->point = TSTAMP_RX;
		return 1;
	}
	switch (ee.ee_info) {
	case SCM_TSTAMP_SND: out->point = TSTAMP_SND; break;
	case SCM_TSTAMP_SCHED: out->point = TSTAMP_SCHED; break;
	case SCM_TSTAMP_ACK: out->point = TSTAMP_ACK; break;
	default: return 0;
	}
	out->id = ee.ee_data;
	return 1;
}

int tstamp_drain_errqueue(int fd, tstamp_fn fn, void *ctx)
{
	char control[512];
	int count = 0;

	for (;;) {
		char data[64]; /* OPT_TSONLY: no payload, but some kernels queue a header */
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
				      .msg_controllen = sizeof(control) };
		struct tstamp t;
		int r;

		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return errno == EAGAIN ? count : -errno;
		r = tstamp_from_msg(&msg, &t);
		if (r < 0)
			return r;
		if (r == 1) {
			count++;
			if (fn && (r = fn(&t, ctx)))
				return r;
		}
	}
}

static int64_t read_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int clock_offset_measure(struct clock_offset *out, int triples)
{
	int64_t best_gap = INT64_MAX;

	if (triples < 1)
		return -EINVAL;
	for (int i = 0; i < triples; i++) {
		int64_t m1 = read_ns(CLOCK_MONOTONIC);
		int64_t r = read_ns(CLOCK_REALTIME);
		int64_t m2 = read_ns(CLOCK_MONOTONIC);

		if (m2 - m1 < best_gap) {
			best_gap = m2 - m1;
			/* the realtime reading sits between the two monotonic ones */
			out->realtime_minus_monotonic_ns = r - (m1 + (m2 - m1) / 2);
		}
	}
	out->uncertainty_ns = (best_gap + 1) / 2;
	return 0;
}
