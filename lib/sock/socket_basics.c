// SPDX-License-Identifier: MIT
/* socket_basics: open one socket of each kind and read back what the kernel made of it. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/socket_basics.h"

static int demo_sockets(struct socket_basics *out)
{
	static const struct {
		const char *label;
		int domain, type;
	} kinds[] = {
		{ "TCP", AF_INET, SOCK_STREAM },
		{ "UDP", AF_INET, SOCK_DGRAM },
		{ "UNIX stream", AF_UNIX, SOCK_STREAM },
		{ "UNIX datagram", AF_UNIX, SOCK_DGRAM },
	};
	int fds[4] = { -1, -1, -1, -1 }, err = 0;
	size_t i;

	/* all open at once, so the fd numbers show how the kernel hands out the lowest free one */
	for (i = 0; i < 4 && !err; i++) {
		fds[i] = socket(kinds[i].domain, kinds[i].type | SOCK_CLOEXEC, 0);
		if (fds[i] < 0) {
			err = -errno;
			break;
		}
		out->socks[i].label = kinds[i].label;
		out->socks[i].fd = fds[i];
		err = sock_identity_read(fds[i], &out->socks[i].id);
		out->nsocks = i + 1;
	}
	for (i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err;
}

static int blocking_demo(struct blocking_demo *b)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err, flags;
	struct sock_identity probe;

	if (fd < 0)
		return -errno;
	b->timeout_requested_us = 250000;
	if ((err = sock_identity_read(fd, &b->before)))
		goto out_close;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		err = -errno;
		goto out_close;
	}
	if ((err = sockopt_set_timeout_us(fd, SO_RCVTIMEO, b->timeout_requested_us)) ||
	    (err = sockopt_set_timeout_us(fd, SO_SNDTIMEO, b->timeout_requested_us)) ||
	    (err = sock_identity_read(fd, &b->after)))
		goto out_close;
	/* one microsecond is rounded up to one jiffy: its length gives the kernel's HZ */
	if ((err = sockopt_set_timeout_us(fd, SO_RCVTIMEO, 1)) ||
	    (err = sock_identity_read(fd, &probe)))
		goto out_close;
	b->jiffy_us = probe.rcvtimeo_us;
	b->hz = probe.rcvtimeo_us > 0 ? (long)(1000000 / probe.rcvtimeo_us) : 0;
out_close:
	close(fd);
	return err;
}

static int option_changes(struct socket_basics *out)
{
	/* two buffer requests: one under net.core's cap (stored doubled; 100000, because the
	 * default 65536 would look unchanged next to tcp_rmem's default of 131072), and one past
	 * the cap (clamped to rmem_max, then doubled) */
	int big_rcv = (int)(out->limits.rmem_max * 2), big_snd = (int)(out->limits.wmem_max * 2);
	const struct sockopt_change plan[] = {
		{ "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, 0, 1, 0 },
		{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, 0, 1, 0 },
		{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, 0, 1, 0 },
		{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, 0, 100000, 0 },
		{ "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, 0, 100000, 0 },
		{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, 0, big_rcv, 0 },
		{ "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, 0, big_snd, 0 },
	};
	size_t i, n = sizeof(plan) / sizeof(plan[0]);
	int err = 0, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < n && !err; i++) {
		out->opts[i] = plan[i];
		err = sockopt_change_apply(fd, &out->opts[i]);
		out->nopts = i + 1;
	}
	close(fd);
	return err;
}

int socket_basics_collect(struct socket_basics *out)
{
	int err, i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < 3; i++) /* a closed standard fd is a fact to show, not an error */
		fd_brief_read(i, &out->std[i]);
	/* tcp_rmem[1] and tcp_wmem[1] are what a new TCP socket starts with (tcp(7)) */
	sysctl_read_longs("/proc/sys", "net/ipv4/tcp_rmem", out->tcp_rmem, 3);
	sysctl_read_longs("/proc/sys", "net/ipv4/tcp_wmem", out->tcp_wmem, 3);
	if ((err = net_core_limits_read("/proc/sys", &out->limits)) ||
	    (err = demo_sockets(out)) || (err = blocking_demo(&out->blocking)) ||
	    (err = option_changes(out)))
		return err;
	return 0;
}
