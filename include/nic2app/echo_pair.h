/* SPDX-License-Identifier: MIT */
/*
 * echo_pair: a client socket in the calling thread and an echo server in a thread of its
 * own, over loopback or across a netns_pair's veth. The client sends one message and waits
 * for it to come back (one round), so exactly one message is in flight at a time. The
 * server notes when each message arrived (CLOCK_MONOTONIC, read just after recvmsg()
 * returned) and, when RX stamping is on, the kernel's RX stamp.
 */
#ifndef NIC2APP_ECHO_PAIR_H
#define NIC2APP_ECHO_PAIR_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nic2app/journey.h"

struct netns_pair;

struct echo_pair {
	enum journey_proto proto;
	size_t size;
	int client_fd;            /* the sender's socket (in namespace A over veth) */
	int server_fd;            /* the receiver's: UDP bound, TCP accepted (namespace B) */
	pid_t server_tid;         /* the receiving thread, for trace filters */
	/* written by the receiving thread; read them only after echo_pair_close() */
	uint64_t *recv_at;        /* per round: after recvmsg() returned the whole message */
	int64_t *rx_stamp_ns;     /* per round: RX_SOFTWARE stamp (CLOCK_REALTIME), 0 if none */
	int16_t *recv_cpu;        /* per round: the CPU the receiver ran on after recvmsg() */
	size_t max_rounds, rounds_seen;
	int server_err;           /* why the receiving thread stopped early, -errno */
	int64_t echo_rx_stamp_ns; /* the RX stamp of the last echo the client got, 0 if none */
	/* private */
	pthread_t thread;
	bool running;
	unsigned char *client_buf, *server_buf;
	pthread_barrier_t ready;
};

/*
 * Open the sockets (ns NULL: 127.0.0.1; else the server in side B at 192.0.2.2, the client
 * in side A) and start the server thread. max_rounds bounds the per-round records.
 */
int echo_pair_open(struct echo_pair *e, enum journey_proto proto, size_t size,
		   size_t max_rounds, const struct netns_pair *ns);
/*
 * The client alone, connected to a `nic2app serve` at peer in echo mode: each round's echo
 * is the peer's. Every message begins with what the peer protocol asks (TCP: the frame
 * header; UDP: the magic), counted in size. No server thread: server_tid is 0.
 */
int echo_pair_connect(struct echo_pair *e, enum journey_proto proto, size_t size,
		      const struct sockaddr *peer, socklen_t peer_len);
/* One round: the time before send() and after the echo came back, and the CPU the sender
 * was on when it sent. -ETIMEDOUT after 2 s without the echo. */
int echo_pair_round(struct echo_pair *e, uint64_t *sent_at, uint64_t *back_at, int *cpu);
/* Stop the server thread, close the sockets; the per-round records stay until release. */
int echo_pair_close(struct echo_pair *e);
void echo_pair_release(struct echo_pair *e);

#endif
