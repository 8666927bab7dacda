// SPDX-License-Identifier: MIT
/*
 * test_tstamp: SO_TIMESTAMPING control messages: recorded ones from tests/data (made by
 * tests/helpers/record_tstamp: one UDP datagram and 100 TCP bytes over loopback), hand-built
 * and cut ones, a live UDP datagram over loopback, and the realtime-to-monotonic conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/tstamp.h"

/* The stamp in tests/data/tstamp_NAME.bin. */
static int recorded(const char *name, struct tstamp *t)
{
	char path[256], control[512];
	struct msghdr msg = { .msg_control = control };
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "tests/data/tstamp_%s.bin", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(control, 1, sizeof(control), f);
	fclose(f);
	msg.msg_controllen = n;
	return tstamp_from_msg(&msg, t);
}

static void test_recorded_udp(void **state)
{
	struct tstamp sched, snd, rx;

	(void)state;
	assert_int_equal(recorded("udp_tx0", &sched), 1);
	assert_int_equal(recorded("udp_tx1", &snd), 1);
	assert_int_equal(recorded("udp_rx", &rx), 1);
	assert_int_equal(sched.point, TSTAMP_SCHED);
	assert_int_equal(snd.point, TSTAMP_SND);
	assert_int_equal(rx.point, TSTAMP_RX);
	assert_int_equal(sched.id, 0); /* the socket's first datagram */
	assert_int_equal(snd.id, 0);
	assert_true(sched.realtime_ns <= snd.realtime_ns);
	assert_true(snd.realtime_ns <= rx.realtime_ns);
	assert_true(rx.realtime_ns - sched.realtime_ns < 1000000000);
}

static void test_recorded_tcp(void **state)
{
	struct tstamp sched, snd, ack, rx;

	(void)state;
	assert_int_equal(recorded("tcp_tx0", &sched), 1);
	assert_int_equal(recorded("tcp_tx1", &snd), 1);
	assert_int_equal(recorded("tcp_tx2", &ack), 1);
	assert_int_equal(recorded("tcp_rx", &rx), 1);
	assert_int_equal(sched.point, TSTAMP_SCHED);
	assert_int_equal(snd.point, TSTAMP_SND);
	assert_int_equal(ack.point, TSTAMP_ACK);
	/* TCP's OPT_ID is the offset of the send's last byte: 100 bytes, offset 99 */
	assert_int_equal(sched.id, 99);
	assert_int_equal(ack.id, 99);
	assert_true(sched.realtime_ns <= snd.realtime_ns);
	assert_true(snd.realtime_ns <= rx.realtime_ns);
	assert_true(snd.realtime_ns <= ack.realtime_ns);
}

/* A control buffer built by hand: an SCM_TIMESTAMPING and, when info >= 0, a RECVERR. */
static size_t build(char *control, size_t size, long sec, long nsec, int info, uint32_t id)
{
	struct msghdr msg = { .msg_control = control, .msg_controllen = size };
	struct scm_timestamping ts = { .ts = { { sec, nsec } } };
	struct sock_extended_err ee = { .ee_errno = ENOMSG, .ee_origin = SO_EE_ORIGIN_TIMESTAMPING,
					.ee_info = (uint32_t)info, .ee_data = id };
	struct cmsghdr *c;

	memset(control, 0, size);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SO_TIMESTAMPING;
	c->cmsg_len = CMSG_LEN(sizeof(ts));
	memcpy(CMSG_DATA(c), &ts, sizeof(ts));
	if (info < 0)
		return CMSG_SPACE(sizeof(ts));
	c = (struct cmsghdr *)(control + CMSG_SPACE(sizeof(ts)));
	c->cmsg_level = SOL_IPV6;
	c->cmsg_type = IPV6_RECVERR;
	c->cmsg_len = CMSG_LEN(sizeof(ee));
	memcpy(CMSG_DATA(c), &ee, sizeof(ee));
	return CMSG_SPACE(sizeof(ts)) + CMSG_SPACE(sizeof(ee));
}

static void test_built(void **state)
{
	char control[256];
	struct msghdr msg = { .msg_control = control };
	struct tstamp t;

	(void)state;
	msg.msg_controllen = build(control, sizeof(control), 12, 345, SCM_TSTAMP_ACK, 7);
	assert_int_equal(tstamp_from_msg(&msg, &t), 1);
	assert_int_equal(t.point, TSTAMP_ACK);
	assert_int_equal(t.id, 7);
	assert_int_equal(t.realtime_ns, 12000000345LL);

	msg.msg_controllen = build(control, sizeof(control), 1, 2, -1, 0);
	assert_int_equal(tstamp_from_msg(&msg, &t), 1);
	assert_int_equal(t.point, TSTAMP_RX);

	/* the kernel said the control buffer was too small: nothing in it can be trusted */
	msg.msg_flags = MSG_CTRUNC;
	assert_int_equal(tstamp_from_msg(&msg, &t), -EBADMSG);
	msg.msg_flags = 0;
	/* a timestamping message shorter than its struct */
	((struct cmsghdr *)control)->cmsg_len = CMSG_LEN(8);
	assert_int_equal(tstamp_from_msg(&msg, &t), -EBADMSG);
	/* no control messages: no stamp */
	msg.msg_controllen = 0;
	assert_int_equal(tstamp_from_msg(&msg, &t), 0);
}

static int64_t now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int collect(const struct tstamp *t, void *ctx)
{
	struct tstamp *seen = ctx;

	seen[t->point] = *t;
	return 0;
}

/* One datagram over loopback: SCHED and SND on the error queue, RX with the data, all
 * between the program's own clock readings before the send and after the receive. Returns
 * NULL, or which fact did not hold (in why). */
static const char *udp_exchange(char *why, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct tstamp seen[TSTAMP_POINTS] = { 0 }, rx;
	char control[512], data[16];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	socklen_t len = sizeof(a);
	int rxfd = socket(AF_INET, SOCK_DGRAM, 0), txfd = socket(AF_INET, SOCK_DGRAM, 0);
	int64_t before, after;
	int got = 0;

	assert_int_equal(bind(rxfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(rxfd, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(tstamp_enable_rx(rxfd), 0);
	assert_int_equal(tstamp_enable_tx(txfd, false), 0);
	before = now_ns(CLOCK_REALTIME);
	assert_int_equal(sendto(txfd, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a)), 4);
	assert_int_equal(recvmsg(rxfd, &msg, 0), 4);
	after = now_ns(CLOCK_REALTIME);
	if (tstamp_from_msg(&msg, &rx) != 1) {
		close(rxfd);
		close(txfd);
		snprintf(why, size, "the datagram came without an RX stamp");
		return why;
	}
	for (int tries = 0; tries < 100 && got < 2; tries++) {
		int r = tstamp_drain_errqueue(txfd, collect, seen);

		assert_true(r >= 0);
		got += r;
		if (got < 2)
			usleep(1000);
	}
	close(rxfd);
	close(txfd);
	snprintf(why, size, "got %d TX stamps; before %lld sched %lld snd %lld rx %lld after %lld",
		 got, (long long)before, (long long)seen[TSTAMP_SCHED].realtime_ns,
		 (long long)seen[TSTAMP_SND].realtime_ns, (long long)rx.realtime_ns, (long long)after);
	if (got != 2 || before > seen[TSTAMP_SCHED].realtime_ns ||
	    seen[TSTAMP_SCHED].realtime_ns > seen[TSTAMP_SND].realtime_ns ||
	    seen[TSTAMP_SND].realtime_ns > rx.realtime_ns || rx.realtime_ns > after)
		return why;
	return NULL;
}

static void test_live_udp(void **state)
{
	char why[256];
	const char *failed = NULL;
	/* holds RX stamping on between attempts: closing the last stamping socket switches it
	 * off again, just as lazily */
	int keeper = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_int_equal(tstamp_enable_rx(keeper), 0);
	/* The kernel switches RX stamping on a moment after it is first asked for (a deferred
	 * static key), so a first datagram may come unstamped; and CLOCK_REALTIME may be
	 * stepped between two readings. A retry tells those from a wrong stamp, which would
	 * fail every time. */
	for (int attempt = 0; attempt < 5; attempt++) {
		failed = udp_exchange(why, sizeof(why));
		if (!failed)
			break;
		print_message("attempt %d: %s\n", attempt + 1, failed);
		usleep(50000);
	}
	close(keeper);
	if (failed)
		fail_msg("%s", failed);
}

static void test_clock_offset(void **state)
{
	struct clock_offset o;
	int64_t mono, real;

	(void)state;
	assert_int_equal(clock_offset_measure(&o, 50), 0);
	assert_true(o.uncertainty_ns >= 0 && o.uncertainty_ns < 100000);
	mono = now_ns(CLOCK_MONOTONIC);
	real = now_ns(CLOCK_REALTIME);
	/* a realtime reading converted lands next to the monotonic one taken just before */
	assert_true(llabs(clock_offset_to_monotonic(&o, real) - mono) < 1000000);
	assert_int_equal(clock_offset_measure(&o, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_udp),
		cmocka_unit_test(test_recorded_tcp),
		cmocka_unit_test(test_built),
		cmocka_unit_test(test_live_udp),
		cmocka_unit_test(test_clock_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
