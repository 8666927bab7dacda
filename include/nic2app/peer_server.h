/* SPDX-License-Identifier: MIT */
/*
 * peer_server: the far end of `journey --peer` and `bench --peer`, as a library: one thread,
 * one epoll loop, non-blocking sockets, a TCP listener and a UDP socket on one address and
 * port, speaking peer_proto. Memory is bounded: at most max_connections connections, each
 * holding at most one frame (PEER_FRAME_HEADER + PEER_MAX_FRAME bytes), plus one 64 KiB
 * buffer shared by the UDP socket and every sink.
 */
#ifndef NIC2APP_PEER_SERVER_H
#define NIC2APP_PEER_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define PEER_SERVER_MAX_CONNECTIONS 64
#define PEER_SERVER_IDLE_MS 60000

/* What a log line is about: a TCP connection the server closed, or a datagram it dropped. */
enum peer_log_kind { PEER_LOG_CLOSED, PEER_LOG_DROPPED };

struct peer_server_config {
	struct sockaddr_storage addr; /* where to listen; port 0: the kernel picks one */
	socklen_t addr_len;
	unsigned max_connections;     /* 0: PEER_SERVER_MAX_CONNECTIONS */
	unsigned idle_timeout_ms;     /* no byte in or out for this long closes; 0: the default */
	volatile sig_atomic_t *stop;  /* run returns once this is non-zero; NULL: never */
	/* The signal mask while waiting (epoll_pwait), as with pselect: block the signals that
	 * set *stop, pass a mask without them here, and a signal can never slip in between the
	 * check of *stop and the wait. NULL: the mask stays; the wait then lasts 1 s at most. */
	const sigset_t *wait_sigmask;
	/* Called for each connection closed for a reason (what: "bad hello", "idle", ...) and
	 * for the first datagram dropped; never for a client that simply goes away. May be NULL. */
	void (*log)(void *ctx, enum peer_log_kind kind, const char *what,
		    const struct sockaddr *from);
	void *log_ctx;
};

struct peer_server_stats {
	uint64_t accepted;         /* every connection accept() returned, refused ones too */
	uint64_t refused;          /* closed at once: there were max_connections already */
	uint64_t rejected;         /* closed for bad input: a bad hello or frame length */
	uint64_t idle;             /* closed after idle_timeout_ms without a byte */
	uint64_t evicted;          /* closed at the limit, silent longest, to let a new one in */
	uint64_t frames_echoed;
	uint64_t datagrams_echoed;
	uint64_t datagrams_dropped; /* without the magic, or that could not be sent back */
	uint64_t bytes_sunk;
};

struct peer_conn;

struct peer_server {
	struct peer_server_config cfg;
	struct peer_server_stats stats;
	int epfd, tcp_fd, udp_fd;
	unsigned nconns;
	struct peer_conn *oldest, *newest; /* connections by last activity, for the idle check */
	unsigned char *scratch;            /* a datagram, or what a sink reads and forgets */
	uint64_t now_ms;                   /* CLOCK_MONOTONIC, read after each wait */
	uint64_t accept_paused_until_ms;   /* out of fds: accept again after a pause */
	bool dropped_logged;
};

/* Bind the TCP listener and the UDP socket to c->addr (the same port for both) and get ready.
 * 0, or -errno (-EADDRINUSE, -EACCES, ...) with nothing left open. */
int peer_server_open(struct peer_server *s, const struct peer_server_config *c);
/* The port both sockets are bound to (host order). */
int peer_server_port(const struct peer_server *s);
/* Serve until *c->stop is set: 0, or -errno when the loop itself fails. */
int peer_server_run(struct peer_server *s);
/* Close every connection and socket and free what the server holds. */
void peer_server_close(struct peer_server *s);

#endif
