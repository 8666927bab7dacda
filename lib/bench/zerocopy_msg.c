// SPDX-License-Identifier: MIT
/*
 * zerocopy_msg: send(MSG_ZEROCOPY), as Documentation/networking/msg_zerocopy.rst describes
 * it. The socket opts in with SO_ZEROCOPY; each send that queues data gets the next
 * number, and the kernel later says on the socket's error queue, for ranges of numbers,
 * that it is done with the pages, and whether it had to copy them after all
 * (SO_EE_CODE_ZEROCOPY_COPIED): on loopback and veth it always has, since a local receiver
 * cannot keep the sender's pages. The data comes from a read-only mapping of the file that
 * nothing writes to, so nothing waits to reuse a buffer; the run still waits for every
 * report before it returns, to know what the kernel did.
 */
#include <errno.h>
#include <time.h> /* linux/errqueue.h needs struct timespec */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "nic2app/clock.h"
#include "zerocopy_int.h"

/* Read the reports on the error queue so far every this many sends, so it stays short. */
#define READ_EVERY 32

static void note_report(const struct cmsghdr *cm, struct zc_stats *st)
{
	struct sock_extended_err serr;
	uint64_t n;

	if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
	      (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)) ||
	    cm->cmsg_len < CMSG_LEN(sizeof(serr)))
		return;
	memcpy(&serr, CMSG_DATA(cm), sizeof(serr));
	if (serr.ee_origin != SO_EE_ORIGIN_ZEROCOPY || serr.ee_errno != 0)
		return;
	/* sends ee_info to ee_data, both included (numbers wrap at 2^32) */
	n = (uint64_t)(uint32_t)(serr.ee_data - serr.ee_info) + 1;
	st->reports += n;
	if (serr.ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
		st->reports_copied += n;
}

/* Every report waiting on the error queue. 0, -EAGAIN when there was none, or -errno. */
static int read_reports(int sock, struct zc_stats *st)
{
	bool got = false;

	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
					    sizeof(struct sockaddr_in6))];
			struct cmsghdr align;
		} control;
		struct msghdr msg = { .msg_control = control.buf,
				      .msg_controllen = sizeof(control.buf) };

		st->calls++;
		if (recvmsg(sock, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return got ? 0 : -EAGAIN;
			return -errno;
		}
		got = true;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			note_report(cm, st);
	}
}

/* The error queue was empty although poll() said otherwise: a socket error, or the end. */
static int socket_trouble(int sock, short revents)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(sock, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err)
		return -err;
	return revents & POLLHUP ? -EPIPE : 0;
}

/* Until the kernel has reported on `want` sends (poll() wakes on POLLERR). */
static int wait_reports(int sock, uint64_t want, struct zc_stats *st)
{
	uint64_t deadline = monotonic_ns() + (uint64_t)ZC_REPORT_WAIT_MS * 1000000u;

	while (st->reports < want) {
		struct pollfd p = { .fd = sock }; /* POLLERR and POLLHUP need no asking */
		uint64_t now = monotonic_ns();
		int n, r;

		if (now >= deadline)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
		st->calls++;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		r = read_reports(sock, st);
		if (r == -EAGAIN && (r = socket_trouble(sock, p.revents)) == 0)
			continue;
		if (r < 0)
			return r;
	}
	return 0;
}

/* One send; its reports are read now and then. 0 with *sent set, or -errno. */
static int send_one(int sock, const unsigned char *p, size_t len, uint64_t *sends,
		    size_t *sent, struct zc_stats *st)
{
	ssize_t n = send(sock, p, len, MSG_ZEROCOPY | MSG_NOSIGNAL);

	st->calls++;
	*sent = 0;
	if (n > 0) {
		*sent = (size_t)n;
		if (++*sends % READ_EVERY == 0) {
			int r = read_reports(sock, st);

			return r == -EAGAIN ? 0 : r;
		}
		return 0;
	}
	if (n == 0 || errno == EINTR)
		return 0;
	/* ENOBUFS: no room to track more pages in flight (option memory, or RLIMIT_MEMLOCK
	 * without CAP_IPC_LOCK): a report frees some */
	if (errno == ENOBUFS && st->reports < *sends)
		return wait_reports(sock, st->reports + 1, st);
	return -errno;
}

int zc_send_msg_zerocopy(int file_fd, size_t bytes, int sock, struct zc_stats *st)
{
	int one = 1, r;
	uint64_t sends = 0;
	unsigned char *map;

	st->calls++;
	if (setsockopt(sock, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) < 0)
		return -errno;
	map = zc_map_file(file_fd, bytes, &r);
	st->calls++;
	if (map == MAP_FAILED)
		return r;
	for (size_t off = 0, sent; off < bytes && r == 0; off += sent) {
		r = send_one(sock, map + off, zc_chunk(bytes - off), &sends, &sent, st);
		st->bytes += sent;
	}
	if (r == 0)
		r = wait_reports(sock, sends, st);
	munmap(map, bytes);
	st->calls++;
	st->copied = zc_copied_from_reports(st);
	return r;
}
