/* SPDX-License-Identifier: MIT */
/* socket_basics: the facts example 1 teaches, gathered as data (what `nic2app sockets` prints). */
#ifndef NIC2APP_SOCKET_BASICS_H
#define NIC2APP_SOCKET_BASICS_H

#include <stddef.h>
#include <stdint.h>

#include "nic2app/fd_brief.h"
#include "nic2app/sockinfo.h"
#include "nic2app/sysctl.h"

struct demo_socket {
	const char *label;      /* "TCP", "UDP", "UNIX stream", "UNIX datagram" */
	int fd;                 /* the number socket() returned */
	struct sock_identity id; /* read back from the kernel */
};

/* The same socket before and after fcntl(O_NONBLOCK) and SO_RCVTIMEO / SO_SNDTIMEO. */
struct blocking_demo {
	struct sock_identity before, after;
	int64_t timeout_requested_us;
	/* The kernel keeps socket timeouts in jiffies (1/HZ s) and rounds a request up to a
	 * whole one: a 1 us SO_RCVTIMEO reads back as one jiffy, which gives HZ. */
	int64_t jiffy_us;
	long hz;
};

#define SOCKET_BASICS_MAX_OPTS 8

struct socket_basics {
	struct fd_brief std[3];
	struct demo_socket socks[4];
	size_t nsocks;
	struct blocking_demo blocking;
	struct sockopt_change opts[SOCKET_BASICS_MAX_OPTS]; /* on a fresh TCP socket */
	size_t nopts;
	struct net_core_limits limits;
	long tcp_rmem[3], tcp_wmem[3]; /* net.ipv4: min, default, max; 0 when unreadable */
};

/* Every socket it opens is closed again before it returns. */
int socket_basics_collect(struct socket_basics *out);

#endif
