// SPDX-License-Identifier: MIT
/*
 * record_tstamp: record the control messages that carry SO_TIMESTAMPING stamps, for the
 * unit tests: one UDP datagram and one TCP send over loopback, their error-queue messages
 * (SCHED, SND, and ACK for TCP) and the receiver's RX message. Each message's control bytes
 * go to DIR/tstamp_NAME.bin; DIR/tstamp.manifest lists what was sent for each file. The
 * manifest's parsed values are a record for people; the unit test checks the files against
 * what the recording did: ids 0 (first UDP datagram) and 99 (last byte of 100 TCP bytes), the
 * points asked for, and SCHED <= SND <= RX in time.
 *
 * Usage: record_tstamp DIR
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/tstamp.h"

static FILE *manifest;
static const char *dir;

static void save(const char *name, const struct msghdr *msg)
{
	char path[512];
	struct tstamp t;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tstamp_%s.bin", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(msg->msg_control, 1, msg->msg_controllen, f) != msg->msg_controllen) {
		perror(path);
		_exit(1);
	}
	fclose(f);
	if (tstamp_from_msg(msg, &t) == 1)
		fprintf(manifest, "%s %s %u %lld\n", name, tstamp_point_name(t.point), t.id,
			(long long)t.realtime_ns);
}

/* Save every error-queue message of fd, waiting a little for the last ones. */
static void save_errqueue(int fd, const char *proto, int expected)
{
	for (int got = 0; got < expected;) {
		char control[512], data[64], name[32];
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
				      .msg_controllen = sizeof(control) };
		struct pollfd p = { .fd = fd, .events = 0 };

		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno != EAGAIN || poll(&p, 1, 1000) <= 0) {
				fprintf(stderr, "record_tstamp: %s: %d of %d stamps\n", proto, got, expected);
				_exit(1);
			}
			continue;
		}
		snprintf(name, sizeof(name), "%s_tx%d", proto, got++);
		save(name, &msg);
	}
}

static void save_rx(int fd, const char *name)
{
	char control[512], data[2048];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };

	if (recvmsg(fd, &msg, 0) < 0) {
		perror("recvmsg");
		_exit(1);
	}
	save(name, &msg);
}

static void udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);

	if (bind(rx, (struct sockaddr *)&a, sizeof(a)) || getsockname(rx, (struct sockaddr *)&a, &len) ||
	    tstamp_enable_rx(rx) || tstamp_enable_tx(tx, false) ||
	    sendto(tx, "hello", 5, 0, (struct sockaddr *)&a, sizeof(a)) != 5) {
		perror("udp");
		_exit(1);
	}
	save_rx(rx, "udp_rx");
	save_errqueue(tx, "udp", 2);
	close(rx);
	close(tx);
}

static void tcp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s;
	char buf[100];

	memset(buf, 'x', sizeof(buf));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) || (s = accept(l, NULL, NULL)) < 0 ||
	    tstamp_enable_rx(s) || tstamp_enable_tx(c, true) ||
	    send(c, buf, sizeof(buf), 0) != sizeof(buf)) {
		perror("tcp");
		_exit(1);
	}
	save_rx(s, "tcp_rx");
	save_errqueue(c, "tcp", 3);
	close(c);
	close(s);
	close(l);
}

int main(int argc, char **argv)
{
	char path[512];

	if (argc != 2) {
		fprintf(stderr, "usage: record_tstamp DIR\n");
		return 2;
	}
	dir = argv[1];
	snprintf(path, sizeof(path), "%s/tstamp.manifest", dir);
	manifest = fopen(path, "w");
	if (!manifest) {
		perror(path);
		return 1;
	}
	udp();
	tcp();
	fclose(manifest);
	return 0;
}
