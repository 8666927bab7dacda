// SPDX-License-Identifier: MIT
/*
 * peer_server: the sockets and the loop of `nic2app serve`. One thread waits in epoll
 * (level-triggered) on a TCP listener, a UDP socket and every connection; each wake-up does a
 * bounded amount of work per socket, so no client can hold the others up. Connections are
 * peer_conn's business; here: binding, accepting (or refusing), datagrams, the idle check.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "peer_server_int.h"

#define EVENTS_PER_WAIT 64
#define ACCEPT_BUDGET 64     /* connections taken per wake-up */
#define DATAGRAM_BUDGET 64   /* datagrams echoed per wake-up */
#define PORT_TRIES 16        /* port 0: kernel picks for TCP that UDP may find taken */
#define ACCEPT_PAUSE_MS 100  /* out of fds: let idle closes free some */
#define EVICT_SILENT_MS 1000 /* at the limit, silent this long makes a connection evictable */
#define UNMASKED_WAIT_MS 1000

static uint64_t now_ms(void)
{
	return monotonic_ns() / 1000000;
}

static in_port_t addr_port(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)a)->sin6_port;
	return ((const struct sockaddr_in *)a)->sin_port;
}

/* A bound socket of type (a listening one for TCP), or -errno. */
static int open_socket(int type, const struct sockaddr_storage *a, socklen_t len)
{
	int one = 1, r, fd = socket(a->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* SO_REUSEADDR: a restarted server binds again at once, despite the last one's
	 * connections in TIME_WAIT (a live listener on the port still makes bind fail) */
	if ((type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)a, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* TCP first, then UDP on the port TCP got; with port 0 the kernel's pick for TCP may be
 * taken for UDP, and then a few more picks are tried. */
static int bind_both(struct peer_server *s)
{
	struct sockaddr_storage a = s->cfg.addr;
	bool any_port = addr_port(&a) == 0;
	socklen_t len;
	int tries, r = -EADDRINUSE;

	for (tries = 0; tries < PORT_TRIES; tries++) {
		s->tcp_fd = open_socket(SOCK_STREAM, &s->cfg.addr, s->cfg.addr_len);
		if (s->tcp_fd < 0)
			return s->tcp_fd;
		len = sizeof(a);
		if (getsockname(s->tcp_fd, (struct sockaddr *)&a, &len) < 0)
			return -errno;
		s->udp_fd = open_socket(SOCK_DGRAM, &a, len);
		if (s->udp_fd >= 0)
			return 0;
		r = s->udp_fd;
		close(s->tcp_fd);
		s->tcp_fd = -1;
		if (r != -EADDRINUSE || !any_port)
			return r;
	}
	return r;
}

static int watch(struct peer_server *s, int fd, void *tag, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = tag };

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int peer_server_open(struct peer_server *s, const struct peer_server_config *c)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->epfd = s->tcp_fd = s->udp_fd = -1;
	s->cfg = *c;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = PEER_SERVER_MAX_CONNECTIONS;
	if (!s->cfg.idle_timeout_ms)
		s->cfg.idle_timeout_ms = PEER_SERVER_IDLE_MS;
	if (c->addr.ss_family != AF_INET && c->addr.ss_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (c->addr_len > sizeof(c->addr))
		return -EINVAL;
	s->scratch = malloc(PEER_SCRATCH);
	if (!s->scratch)
		return -ENOMEM;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		r = -errno;
		goto out_close;
	}
	if ((r = bind_both(s)) < 0 || (r = watch(s, s->tcp_fd, &s->tcp_fd, EPOLLIN)) < 0 ||
	    (r = watch(s, s->udp_fd, &s->udp_fd, EPOLLIN)) < 0)
		goto out_close;
	s->now_ms = now_ms();
	return 0;
out_close:
	peer_server_close(s);
	return r;
}

int peer_server_port(const struct peer_server *s)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	if (getsockname(s->tcp_fd, (struct sockaddr *)&a, &len) < 0)
		return -errno;
	return ntohs(addr_port(&a));
}

static void say(struct peer_server *s, enum peer_log_kind kind, const char *what,
		const struct sockaddr_storage *from)
{
	if (s->cfg.log)
		s->cfg.log(s->cfg.log_ctx, kind, what, (const struct sockaddr *)from);
}

/* Out of fds (or memory): stop watching the listener for a moment rather than spin on it. */
static void pause_accepting(struct peer_server *s)
{
	struct epoll_event ev = { .events = 0, .data.ptr = &s->tcp_fd };

	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->tcp_fd, &ev) == 0)
		s->accept_paused_until_ms = s->now_ms + ACCEPT_PAUSE_MS;
}

static void resume_accepting(struct peer_server *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->tcp_fd };

	if (s->accept_paused_until_ms && s->now_ms >= s->accept_paused_until_ms &&
	    epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->tcp_fd, &ev) == 0)
		s->accept_paused_until_ms = 0;
}

/*
 * At the limit, a connection that has been silent for a while makes room for a new one (the
 * one silent longest: the list is kept in order of the last byte). Otherwise a thousand
 * clients that connect and say nothing would lock out every well-behaved one until --idle
 * ends them; a client that talks is never the one evicted.
 */
static bool evict_silent(struct peer_server *s)
{
	if (!s->oldest || s->now_ms - s->oldest->last_ms < EVICT_SILENT_MS)
		return false;
	s->stats.evicted++;
	peer_conn_close(s, s->oldest, "silent longest, closed to make room");
	return true;
}

static void accept_some(struct peer_server *s)
{
	struct sockaddr_storage from;
	socklen_t len;
	int fd, i, one = 1;

	for (i = 0; i < ACCEPT_BUDGET; i++) {
		len = sizeof(from);
		fd = accept4(s->tcp_fd, (struct sockaddr *)&from, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				pause_accepting(s);
			if (errno == ECONNABORTED || errno == EINTR || errno == EPERM || errno == EPROTO)
				continue; /* that one is gone; others may wait */
			return;
		}
		s->stats.accepted++;
		if (s->nconns >= s->cfg.max_connections && !evict_silent(s)) {
			s->stats.refused++;
			close(fd);
			say(s, PEER_LOG_CLOSED, "too many connections", &from);
			continue;
		}
		/* replies go out at once, not held back by Nagle for the client's ACK */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (peer_conn_open(s, fd, &from) < 0) {
			close(fd);
			say(s, PEER_LOG_CLOSED, "out of memory", &from);
		}
	}
}

static void echo_datagrams(struct peer_server *s)
{
	struct sockaddr_storage from;
	socklen_t len;
	ssize_t n;
	int i;

	for (i = 0; i < DATAGRAM_BUDGET; i++) {
		len = sizeof(from);
		/* MSG_TRUNC: n is the datagram's real length, even when it did not fit */
		n = recvfrom(s->udp_fd, s->scratch, PEER_SCRATCH, MSG_TRUNC, (struct sockaddr *)&from,
			     &len);
		if (n < 0)
			return; /* EAGAIN, or an error that is now cleared */
		if (n < PEER_MAGIC_LEN || n > PEER_SCRATCH ||
		    memcmp(s->scratch, PEER_MAGIC, PEER_MAGIC_LEN) != 0) {
			s->stats.datagrams_dropped++;
			if (!s->dropped_logged)
				say(s, PEER_LOG_DROPPED, "no magic (later ones are counted, not logged)",
				    &from);
			s->dropped_logged = true;
			continue;
		}
		if (sendto(s->udp_fd, s->scratch, (size_t)n, 0, (struct sockaddr *)&from, len) == n)
			s->stats.datagrams_echoed++;
		else
			s->stats.datagrams_dropped++; /* the send buffer is full: UDP may lose it */
	}
}

/* How long the wait may last: until the next idle close (in idle_ms, -1 for none) or the end
 * of an accept pause. */
static int wait_ms(const struct peer_server *s, int ms)
{
	uint64_t until = s->accept_paused_until_ms;

	if (until) {
		int pause = s->now_ms >= until ? 0 : (int)(until - s->now_ms);

		if (ms < 0 || pause < ms)
			ms = pause;
	}
	if (!s->cfg.wait_sigmask && (ms < 0 || ms > UNMASKED_WAIT_MS))
		ms = UNMASKED_WAIT_MS;
	return ms;
}

static bool stopped(const struct peer_server *s)
{
	return s->cfg.stop && *s->cfg.stop;
}

int peer_server_run(struct peer_server *s)
{
	struct epoll_event ev[EVENTS_PER_WAIT];
	bool listener_ready;
	int n, i, idle_ms;

	while (!stopped(s)) {
		idle_ms = peer_conn_sweep(s); /* closes the idle ones first */
		n = epoll_pwait(s->epfd, ev, EVENTS_PER_WAIT, wait_ms(s, idle_ms), s->cfg.wait_sigmask);
		if (n < 0 && errno != EINTR)
			return -errno;
		s->now_ms = now_ms();
		listener_ready = false;
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == &s->tcp_fd)
				listener_ready = true;
			else if (ev[i].data.ptr == &s->udp_fd)
				echo_datagrams(s);
			else
				peer_conn_serve(s, ev[i].data.ptr);
		}
		/* accept after the connections: one that just ended makes room for a new one */
		if (listener_ready)
			accept_some(s);
		resume_accepting(s);
	}
	return 0;
}

void peer_server_close(struct peer_server *s)
{
	while (s->oldest)
		peer_conn_close(s, s->oldest, NULL);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->tcp_fd >= 0)
		close(s->tcp_fd);
	if (s->udp_fd >= 0)
		close(s->udp_fd);
	s->epfd = s->tcp_fd = s->udp_fd = -1;
	free(s->scratch);
	s->scratch = NULL;
}
