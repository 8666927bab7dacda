/* SPDX-License-Identifier: MIT */
/* peer_server_int: what peer_server (sockets, the loop) and peer_conn (one TCP connection's
 * state machine) share; not public API. */
#ifndef NIC2APP_PEER_SERVER_INT_H
#define NIC2APP_PEER_SERVER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "nic2app/peer_proto.h"
#include "nic2app/peer_server.h"

/* The shared buffer: one whole datagram, or one read of a sink. */
#define PEER_SCRATCH 65536

enum conn_state {
	CONN_HELLO,   /* reading the 8-byte hello */
	CONN_HEADER,  /* echo: reading a frame's 4-byte length */
	CONN_BODY,    /* echo: reading the frame */
	CONN_ECHO,    /* echo: writing the frame back; nothing is read meanwhile */
	CONN_SINK,    /* sink: reading and counting until the client shuts its side */
	CONN_COUNT,   /* sink: writing the 8-byte count, then closing */
};

struct peer_conn {
	int fd;
	enum conn_state state;
	uint32_t events;                    /* what epoll waits for now: EPOLLIN or EPOLLOUT */
	size_t done, want;                  /* bytes read or written of the current piece */
	unsigned char small[PEER_HELLO_LEN]; /* the hello, a frame header, or the sink's count */
	unsigned char *frame;               /* header + body, PEER_FRAME_HEADER + PEER_MAX_FRAME at most */
	size_t frame_size;
	uint64_t sunk_bytes;
	uint64_t last_ms;                   /* the last byte in or out */
	struct peer_conn *older, *newer;
	struct sockaddr_storage from;
};

/* Take on an accepted, non-blocking fd: 0, or -errno (the fd is then still the caller's). */
int peer_conn_open(struct peer_server *s, int fd, const struct sockaddr_storage *from);
/* Do what epoll said the connection is ready for; closes it when it ends. */
void peer_conn_serve(struct peer_server *s, struct peer_conn *c);
/* Close and free; why (may be NULL) is logged. */
void peer_conn_close(struct peer_server *s, struct peer_conn *c, const char *why);
/* Close connections idle for idle_timeout_ms; the ms until the next one would be, or -1. */
int peer_conn_sweep(struct peer_server *s);

#endif
