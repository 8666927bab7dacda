// SPDX-License-Identifier: MIT
/*
 * lifecycle: walk one TCP connection through its life and ask the kernel its state each time.
 *
 * Two views are recorded because they differ: when the peer's FIN arrives after our shutdown,
 * the kernel moves the connection to a small TIME_WAIT object and marks the socket our fd
 * still holds as CLOSE. TCP_INFO on the fd then says CLOSE, sock_diag (what ss reads) says
 * TIME_WAIT. Both are true, and the difference is part of the lesson.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/inet_diag.h"
#include "nic2app/lifecycle.h"
#include "nic2app/sockinfo.h"

enum role { LISTENER, CLIENT, ACCEPTED, NROLES };

static const char *const role_names[NROLES] = { "listener", "client", "accepted" };

struct run {
	struct lifecycle *lc;
	int fd[NROLES];            /* -1 once closed */
	int closed_fd[NROLES];     /* the number an fd had, for the record of its close() */
	char local[NROLES][64];    /* addresses remembered while the fds were open */
	char remote[NROLES][64];
	lifecycle_step_fn on_step;
	void *ctx;
};

/* Which end of this run a sock_diag row is: the listener's address, or either end of the
 * connection once it is known; -1 for someone else's socket. */
static int role_of(const struct run *r, const char *local, const char *remote)
{
	int i;

	if (strcmp(local, r->local[LISTENER]) == 0 && strncmp(remote, "0.0.0.0:", 8) == 0)
		return LISTENER;
	for (i = CLIENT; i < NROLES; i++)
		if (r->local[i][0] && strcmp(local, r->local[i]) == 0 &&
		    strcmp(remote, r->remote[i]) == 0)
			return i;
	return -1;
}

struct diag_ctx {
	const struct run *run;
	struct lifecycle_step *st;
};

static int collect_kernel_row(const struct inet_sock *s, void *arg)
{
	struct diag_ctx *dc = arg;
	struct lifecycle_step *st = dc->st;
	struct lifecycle_sock *k;
	char local[64], remote[64];
	int role;

	inet_sock_addr(s, 0, local, sizeof(local));
	inet_sock_addr(s, 1, remote, sizeof(remote));
	role = role_of(dc->run, local, remote);
	if (role < 0 || st->nkernel == LIFECYCLE_MAX_SOCKS)
		return 0;
	k = &st->kernel[st->nkernel++];
	memset(k, 0, sizeof(*k));
	k->role = role_names[role];
	k->fd = -1;
	k->state = s->state;
	k->inode = s->inode;
	k->rqueue = s->rqueue;
	k->wqueue = s->wqueue;
	memcpy(k->local, local, sizeof(k->local));
	memcpy(k->remote, remote, sizeof(k->remote));
	return 0;
}

static int kernel_state_of(const struct lifecycle_step *st, const char *local, const char *remote)
{
	size_t i;

	for (i = 0; i < st->nkernel; i++)
		if (strcmp(st->kernel[i].local, local) == 0 &&
		    strcmp(st->kernel[i].remote, remote) == 0)
			return st->kernel[i].state;
	return LIFECYCLE_GONE;
}

/* Record the step that just happened to role's socket, then let the caller look at it. */
static int record(struct run *r, const char *step, enum role who, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int record(struct run *r, const char *step, enum role who, const char *fmt, ...)
{
	struct lifecycle *lc = r->lc;
	struct lifecycle_step *st;
	struct diag_ctx dc;
	va_list ap;
	int i;

	if (lc->nsteps == LIFECYCLE_MAX_STEPS)
		return -ENOSPC;
	st = &lc->steps[lc->nsteps];
	memset(st, 0, sizeof(*st));
	st->step = step;
	st->role = role_names[who];
	va_start(ap, fmt);
	vsnprintf(st->call, sizeof(st->call), fmt, ap);
	va_end(ap);

	/* refresh the addresses of open fds (bind and connect give them theirs), but keep what
	 * was learnt: once the connection moved to TIME_WAIT the fd has no peer any more */
	for (i = 0; i < NROLES; i++) {
		char addr[64];

		if (r->fd[i] < 0)
			continue;
		if (sock_local_name(r->fd[i], addr, sizeof(addr)) == 0 && addr[0])
			memcpy(r->local[i], addr, sizeof(addr));
		if (sock_peer_name(r->fd[i], addr, sizeof(addr)) == 0 && addr[0])
			memcpy(r->remote[i], addr, sizeof(addr));
	}
	dc.run = r;
	dc.st = st;
	st->diag_err = inet_diag_dump(AF_INET, IPPROTO_TCP, collect_kernel_row, &dc);

	for (i = 0; i < NROLES; i++) {
		struct lifecycle_sock *s;

		if (r->fd[i] < 0)
			continue;
		s = &st->fds[st->nfds++];
		s->role = role_names[i];
		s->fd = r->fd[i];
		s->state = tcp_state_of_fd(r->fd[i]);
		memcpy(s->local, r->local[i], sizeof(s->local));
		memcpy(s->remote, r->remote[i], sizeof(s->remote));
	}

	st->fd = r->fd[who] >= 0 ? r->fd[who] : r->closed_fd[who];
	if (r->fd[who] >= 0) {
		st->state = tcp_state_of_fd(r->fd[who]);
		st->source = "TCP_INFO";
	} else {
		/* closed: what is left of it, if anything, is only visible to sock_diag */
		st->state = kernel_state_of(st, r->local[who], r->remote[who]);
		st->source = "sock_diag";
	}
	lc->nsteps++;
	return r->on_step ? r->on_step(lc, st, r->ctx) : 0;
}

/* close() a role's fd, keeping its number for the step record. */
static int close_role(struct run *r, enum role who)
{
	int fd = r->fd[who], err;

	err = close(fd) < 0 ? -errno : 0;
	r->fd[who] = -1;
	r->closed_fd[who] = fd;
	if (err)
		return err;
	return record(r, "close", who, "close(%d) = 0", fd);
}

static int run_steps(struct run *r)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	char buf[16];
	ssize_t n;
	int err;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	/* the server side: socket, bind to an ephemeral port, listen */
	if ((r->fd[LISTENER] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if ((err = record(r, "socket", LISTENER,
			  "socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) = %d", r->fd[LISTENER])))
		return err;
	if (bind(r->fd[LISTENER], (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockname(r->fd[LISTENER], (struct sockaddr *)&addr, &len) < 0)
		return -errno;
	r->lc->port = ntohs(addr.sin_port);
	if ((err = record(r, "bind", LISTENER, "bind(%d, 127.0.0.1:0) = 0, port %u",
			  r->fd[LISTENER], r->lc->port)))
		return err;
	if (listen(r->fd[LISTENER], 8) < 0)
		return -errno;
	if ((err = record(r, "listen", LISTENER, "listen(%d, 8) = 0", r->fd[LISTENER])))
		return err;

	/* the client side: the kernel completes the handshake without the server process; on
	 * loopback the server's last ACK is processed before connect() returns, so both ends
	 * are ESTABLISHED and the server end waits in the listener's accept queue */
	if ((r->fd[CLIENT] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if ((err = record(r, "socket", CLIENT,
			  "socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) = %d", r->fd[CLIENT])))
		return err;
	if (connect(r->fd[CLIENT], (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -errno;
	/* learn the server end's address now: it sits in the accept queue without an fd */
	sock_local_name(r->fd[CLIENT], r->remote[ACCEPTED], sizeof(r->remote[ACCEPTED]));
	snprintf(r->local[ACCEPTED], sizeof(r->local[ACCEPTED]), "127.0.0.1:%u", r->lc->port);
	if ((err = record(r, "connect", CLIENT, "connect(%d, 127.0.0.1:%u) = 0", r->fd[CLIENT],
			  r->lc->port)))
		return err;

	/* accept() takes the established connection off the queue and gives it a new fd (it
	 * blocks only when the queue is empty); the listener keeps listening */
	if ((r->fd[ACCEPTED] = accept4(r->fd[LISTENER], NULL, NULL, SOCK_CLOEXEC)) < 0)
		return -errno;
	if ((err = record(r, "accept", ACCEPTED, "accept4(%d, NULL, NULL, SOCK_CLOEXEC) = %d",
			  r->fd[LISTENER], r->fd[ACCEPTED])))
		return err;

	if ((n = send(r->fd[CLIENT], "hello", 5, MSG_NOSIGNAL)) < 0)
		return -errno;
	if ((err = record(r, "send", CLIENT, "send(%d, \"hello\", 5, MSG_NOSIGNAL) = %zd",
			  r->fd[CLIENT], n)))
		return err;
	if ((n = recv(r->fd[ACCEPTED], buf, sizeof(buf), 0)) < 0)
		return -errno;
	if ((err = record(r, "recv", ACCEPTED, "recv(%d, buf, %zu, 0) = %zd", r->fd[ACCEPTED],
			  sizeof(buf), n)))
		return err;

	/* the client half-closes: its FIN goes out, the server reads end-of-file */
	if (shutdown(r->fd[CLIENT], SHUT_WR) < 0)
		return -errno;
	if ((err = record(r, "shutdown", CLIENT, "shutdown(%d, SHUT_WR) = 0", r->fd[CLIENT])))
		return err;
	if ((n = recv(r->fd[ACCEPTED], buf, sizeof(buf), 0)) < 0)
		return -errno;
	if ((err = record(r, "recv", ACCEPTED, "recv(%d, buf, %zu, 0) = %zd (end of file)",
			  r->fd[ACCEPTED], sizeof(buf), n)))
		return err;

	/* closing: the side that sent the first FIN is the one left in TIME_WAIT */
	if ((err = close_role(r, ACCEPTED)) || (err = close_role(r, CLIENT)) ||
	    (err = close_role(r, LISTENER)))
		return err;
	return 0;
}

int lifecycle_run(struct lifecycle *lc, lifecycle_step_fn on_step, void *ctx)
{
	struct run r = { .lc = lc, .fd = { -1, -1, -1 }, .on_step = on_step, .ctx = ctx };
	int err, i;

	memset(lc, 0, sizeof(*lc));
	err = run_steps(&r);
	for (i = 0; i < NROLES; i++)
		if (r.fd[i] >= 0)
			close(r.fd[i]);
	return err;
}
