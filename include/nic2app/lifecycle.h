/* SPDX-License-Identifier: MIT */
/*
 * lifecycle: one TCP connection on loopback taken through socket -> bind -> listen -> connect
 * -> accept -> send/recv -> shutdown -> close, recording after every call the state of each
 * socket as the kernel reports it: TCP_INFO for sockets we hold an fd to, sock_diag for every
 * kernel socket of the connection (including those no fd holds: accept queue, TIME_WAIT).
 */
#ifndef NIC2APP_LIFECYCLE_H
#define NIC2APP_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>

#define LIFECYCLE_MAX_STEPS 16
#define LIFECYCLE_MAX_SOCKS 8
#define LIFECYCLE_GONE (-1) /* state: the socket no longer exists in the kernel */

struct lifecycle_sock {
	const char *role;   /* "listener", "client", "accepted" (the server end, before and
			     * after accept() returns an fd for it) */
	int fd;             /* -1 when no fd of ours holds it */
	int state;          /* TCP state number, or LIFECYCLE_GONE */
	char local[64], remote[64];
	uint32_t inode;     /* sock_diag rows: 0 when no fd anywhere holds the socket */
	uint32_t rqueue, wqueue; /* sock_diag rows: what ss shows as Recv-Q and Send-Q; for a
				  * LISTEN socket, the accept queue's length and its backlog */
};

struct lifecycle_step {
	const char *step;   /* "socket", "bind", "listen", "connect", "accept", ... */
	char call[96];      /* the call as C, as made, with its result:
			     * "accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5" */
	const char *role;   /* whose socket the call acted on */
	int fd;             /* that socket's fd (the new one, for socket() and accept()) */
	int state;          /* its state right after the call */
	const char *source; /* where state came from: "TCP_INFO", or "sock_diag" once closed */
	struct lifecycle_sock fds[3];   /* our open fds, by TCP_INFO */
	size_t nfds;
	struct lifecycle_sock kernel[LIFECYCLE_MAX_SOCKS]; /* the run's sockets, by sock_diag */
	size_t nkernel;
	int diag_err;       /* -errno when sock_diag could not be read (kernel[] is then empty) */
};

struct lifecycle {
	uint16_t port;      /* the listener's port on 127.0.0.1 */
	struct lifecycle_step steps[LIFECYCLE_MAX_STEPS];
	size_t nsteps;
};

/* Called after each step; a non-zero return stops the run and is returned. */
typedef int (*lifecycle_step_fn)(const struct lifecycle *lc, const struct lifecycle_step *st,
				 void *ctx);

/* Run the lifecycle once. All its fds are closed when it returns, whatever happened. */
int lifecycle_run(struct lifecycle *lc, lifecycle_step_fn on_step, void *ctx);

#endif
