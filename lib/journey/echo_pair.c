// SPDX-License-Identifier: MIT
/*
 * echo_pair: the two ends of a journey. Sockets are made by the calling thread, each inside
 * the namespace it belongs to (a socket stays in the namespace it was created in, whichever
 * thread uses it later), so the server thread itself never changes namespace. The client
 * gives up on an echo after 2 s, so a lost message ends the run instead of hanging it; SIGINT and
 * SIGTERM are blocked in the server thread, so they reach the caller's thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/echo_pair.h"
#include "nic2app/netns_pair.h"
#include "nic2app/peer_proto.h"
#include "nic2app/tstamp.h"

#define ROUND_TIMEOUT_S 2

static int set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = ROUND_TIMEOUT_S };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

/* A socket of the pair's protocol, made inside namespace side (or here, without ns). */
static int make_socket(const struct echo_pair *e, const struct netns_pair *ns,
		       enum netns_side side)
{
	int type = e->proto == JOURNEY_TCP ? SOCK_STREAM : SOCK_DGRAM, fd, r;

	if (ns && (r = netns_pair_enter(ns, side)) < 0)
		return r;
	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	r = fd < 0 ? -errno : 0;
	if (ns)
		netns_pair_leave(ns);
	return fd < 0 ? r : fd;
}

static int sock_addr(int fd, struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);

	return getsockname(fd, (struct sockaddr *)a, &len) < 0 ? -errno : 0;
}

/* Server bound to an ephemeral port, client connected to it (and, for UDP, back). */
static int connect_sockets(struct echo_pair *e, const struct netns_pair *ns)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, r;

	a.sin_addr = ns ? ns->addr[NETNS_B] : (struct in_addr){ htonl(INADDR_LOOPBACK) };
	if ((fd = make_socket(e, ns, NETNS_B)) < 0)
		return fd;
	if ((e->client_fd = make_socket(e, ns, NETNS_A)) < 0) {
		close(fd);
		return e->client_fd;
	}
	if ((r = set_timeout(e->client_fd)) < 0) {
		close(fd);
		return r;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || sock_addr(fd, &a) < 0 ||
	    (e->proto == JOURNEY_TCP && listen(fd, 1) < 0) ||
	    connect(e->client_fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto out_errno;
	if (e->proto == JOURNEY_TCP) {
		/* the handshake is done by connect(): accept only picks it up */
		e->server_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (e->server_fd < 0)
			goto out_errno;
		close(fd);
		return 0;
	}
	e->server_fd = fd;
	if (sock_addr(e->client_fd, &a) < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto out_errno;
	return 0;
out_errno:
	r = -errno;
	if (fd != e->server_fd)
		close(fd);
	return r;
}

/* Read one whole message; its RX stamp (if any) into *stamp. 0 at the end, or -errno. */
static ssize_t recv_message(int fd, bool tcp, unsigned char *buf, size_t size, int64_t *stamp)
{
	char control[256];
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	struct tstamp t;
	ssize_t n;

	do
		n = recvmsg(fd, &msg, tcp ? MSG_WAITALL : 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*stamp = tstamp_from_msg(&msg, &t) == 1 && t.point == TSTAMP_RX ? t.realtime_ns : 0;
	return n;
}

static void *serve(void *arg)
{
	struct echo_pair *e = arg;
	bool tcp = e->proto == JOURNEY_TCP;
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	e->server_tid = gettid();
	pthread_barrier_wait(&e->ready);
	for (;;) {
		int64_t stamp = 0;
		ssize_t n = recv_message(e->server_fd, tcp, e->server_buf, e->size, &stamp);
		uint64_t now = monotonic_ns();

		if (n <= 0 || (size_t)n != e->size) {
			/* 0: the client is done; a short message only when the pair is shut down */
			if (n < 0)
				e->server_err = (int)n;
			break;
		}
		if (e->rounds_seen < e->max_rounds) {
			e->recv_at[e->rounds_seen] = now;
			e->rx_stamp_ns[e->rounds_seen] = stamp;
			e->recv_cpu[e->rounds_seen] = (int16_t)sched_getcpu();
		}
		e->rounds_seen++;
		if (send(e->server_fd, e->server_buf, e->size, MSG_NOSIGNAL) != (ssize_t)e->size) {
			e->server_err = -errno;
			break;
		}
	}
	return NULL;
}

int echo_pair_open(struct echo_pair *e, enum journey_proto proto, size_t size,
		   size_t max_rounds, const struct netns_pair *ns)
{
	int r;

	*e = (struct echo_pair){ .proto = proto, .size = size, .client_fd = -1, .server_fd = -1,
				 .max_rounds = max_rounds };
	e->recv_at = calloc(max_rounds ? max_rounds : 1, sizeof(*e->recv_at));
	e->rx_stamp_ns = calloc(max_rounds ? max_rounds : 1, sizeof(*e->rx_stamp_ns));
	e->recv_cpu = calloc(max_rounds ? max_rounds : 1, sizeof(*e->recv_cpu));
	e->client_buf = malloc(size);
	e->server_buf = malloc(size);
	if (!e->recv_at || !e->rx_stamp_ns || !e->recv_cpu || !e->client_buf || !e->server_buf) {
		r = -ENOMEM;
		goto out_release;
	}
	memset(e->client_buf, 'j', size);
	if ((r = connect_sockets(e, ns)) < 0)
		goto out_release;
	pthread_barrier_init(&e->ready, NULL, 2);
	if ((r = -pthread_create(&e->thread, NULL, serve, e)) < 0) {
		pthread_barrier_destroy(&e->ready);
		goto out_release;
	}
	e->running = true;
	pthread_barrier_wait(&e->ready); /* server_tid is set */
	return 0;
out_release:
	echo_pair_close(e);
	echo_pair_release(e);
	return r;
}

int echo_pair_connect(struct echo_pair *e, enum journey_proto proto, size_t size,
		      const struct sockaddr *peer, socklen_t peer_len)
{
	int type = proto == JOURNEY_TCP ? SOCK_STREAM : SOCK_DGRAM, r;
	unsigned char hello[PEER_HELLO_LEN];

	*e = (struct echo_pair){ .proto = proto, .size = size, .client_fd = -1, .server_fd = -1 };
	if (size < PEER_HELLO_LEN || (proto == JOURNEY_TCP && size > PEER_FRAME_HEADER + PEER_MAX_FRAME))
		return -EMSGSIZE;
	if (!(e->client_buf = malloc(size)))
		return -ENOMEM;
	memset(e->client_buf, 'j', size);
	if (proto == JOURNEY_TCP)
		peer_frame_header((uint32_t)(size - PEER_FRAME_HEADER), e->client_buf);
	else
		memcpy(e->client_buf, PEER_MAGIC, PEER_MAGIC_LEN);
	peer_hello_build(PEER_ECHO, hello);
	if ((e->client_fd = socket(peer->sa_family, type | SOCK_CLOEXEC, 0)) < 0 ||
	    set_timeout(e->client_fd) < 0 || connect(e->client_fd, peer, peer_len) < 0 ||
	    (proto == JOURNEY_TCP &&
	     send(e->client_fd, hello, sizeof(hello), MSG_NOSIGNAL) != (ssize_t)sizeof(hello))) {
		r = errno == EINPROGRESS || errno == EAGAIN ? -ETIMEDOUT : -errno;
		echo_pair_close(e);
		echo_pair_release(e);
		return r;
	}
	return 0;
}

/* The client's read of the echo, with its RX stamp when the socket asked for them. */
static ssize_t recv_echo(struct echo_pair *e)
{
	return recv_message(e->client_fd, e->proto == JOURNEY_TCP, e->client_buf, e->size,
			    &e->echo_rx_stamp_ns);
}

int echo_pair_round(struct echo_pair *e, uint64_t *sent_at, uint64_t *back_at, int *cpu)
{
	ssize_t n;

	*cpu = sched_getcpu();
	*sent_at = monotonic_ns();
	n = send(e->client_fd, e->client_buf, e->size, MSG_NOSIGNAL);
	if (n != (ssize_t)e->size)
		return n < 0 ? -errno : -EIO;
	n = recv_echo(e);
	*back_at = monotonic_ns();
	if (n < 0)
		return n == -EAGAIN ? -ETIMEDOUT : (int)n;
	return (size_t)n == e->size ? 0 : -EIO;
}

int echo_pair_close(struct echo_pair *e)
{
	if (e->running) {
		/* wakes the server's recvmsg with 0, for UDP as for TCP */
		shutdown(e->server_fd, SHUT_RDWR);
		pthread_join(e->thread, NULL);
		pthread_barrier_destroy(&e->ready);
		e->running = false;
	}
	if (e->client_fd >= 0)
		close(e->client_fd);
	if (e->server_fd >= 0)
		close(e->server_fd);
	e->client_fd = e->server_fd = -1;
	return e->server_err;
}

void echo_pair_release(struct echo_pair *e)
{
	free(e->recv_at);
	free(e->rx_stamp_ns);
	free(e->recv_cpu);
	free(e->client_buf);
	free(e->server_buf);
	e->recv_at = NULL;
	e->rx_stamp_ns = NULL;
	e->recv_cpu = NULL;
	e->client_buf = e->server_buf = NULL;
}
