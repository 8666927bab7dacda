// SPDX-License-Identifier: MIT
/*
 * peer_conn: one TCP connection of `nic2app serve`, as a state machine driven by epoll:
 * the hello, then frames echoed one at a time (echo) or bytes counted until the client's
 * end of file (sink). Reads take exactly what the current piece still lacks, so a connection
 * never holds more than one frame; while a reply is being written the connection is not
 * read at all, so a client that sends without reading stalls itself (TCP flow control),
 * not the server. Connections are kept in order of their last activity, so the idle check
 * only ever looks at the oldest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "peer_server_int.h"

/* Steps (each about one system call) per wake-up, so one busy client cannot starve the others;
 * epoll is level-triggered and reports the connection again. */
#define CONN_BUDGET 16
#define FRAME_MOST (PEER_FRAME_HEADER + PEER_MAX_FRAME)

static void list_unlink(struct peer_server *s, struct peer_conn *c)
{
	if (c->older)
		c->older->newer = c->newer;
	else
		s->oldest = c->newer;
	if (c->newer)
		c->newer->older = c->older;
	else
		s->newest = c->older;
	c->older = c->newer = NULL;
}

static void list_append(struct peer_server *s, struct peer_conn *c)
{
	c->older = s->newest;
	c->newer = NULL;
	if (s->newest)
		s->newest->newer = c;
	else
		s->oldest = c;
	s->newest = c;
}

/* A byte went in or out: the connection is the newest. */
static void touch(struct peer_server *s, struct peer_conn *c)
{
	c->last_ms = s->now_ms;
	if (s->newest != c) {
		list_unlink(s, c);
		list_append(s, c);
	}
}

static void begin(struct peer_conn *c, enum conn_state state, size_t want)
{
	c->state = state;
	c->done = 0;
	c->want = want;
}

int peer_conn_open(struct peer_server *s, int fd, const struct sockaddr_storage *from)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct peer_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->fd = fd;
	c->events = EPOLLIN;
	c->from = *from;
	begin(c, CONN_HELLO, PEER_HELLO_LEN);
	ev.data.ptr = c;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;

		free(c);
		return r;
	}
	c->last_ms = s->now_ms;
	list_append(s, c);
	s->nconns++;
	return 0;
}

void peer_conn_close(struct peer_server *s, struct peer_conn *c, const char *why)
{
	if (why && s->cfg.log)
		s->cfg.log(s->cfg.log_ctx, PEER_LOG_CLOSED, why, (const struct sockaddr *)&c->from);
	close(c->fd); /* also leaves the epoll set: the fd is not shared */
	list_unlink(s, c);
	s->nconns--;
	free(c->frame);
	free(c);
}

/* Read toward c->want bytes at dst: 1 when they are all here, 0 to wait for more, -1 when
 * the client ended the connection or it failed (reset, ...): a quiet close. */
static int read_some(struct peer_server *s, struct peer_conn *c, unsigned char *dst)
{
	ssize_t n = recv(c->fd, dst + c->done, c->want - c->done, 0);

	if (n > 0) {
		c->done += (size_t)n;
		touch(s, c);
		return c->done == c->want;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;
}

/* Write toward c->want bytes from src; the same answers. MSG_NOSIGNAL: a client that is gone
 * is EPIPE here, not a SIGPIPE that would end the server. */
static int write_some(struct peer_server *s, struct peer_conn *c, const unsigned char *src)
{
	ssize_t n = send(c->fd, src + c->done, c->want - c->done, MSG_NOSIGNAL);

	if (n > 0) {
		c->done += (size_t)n;
		touch(s, c);
		return c->done == c->want;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;
}

/* Room for a frame of size bytes (header included), growing by doubling up to the limit. */
static int frame_fit(struct peer_conn *c, size_t size)
{
	size_t grow = c->frame_size ? c->frame_size : 256;
	unsigned char *p;

	if (size <= c->frame_size)
		return 0;
	while (grow < size)
		grow *= 2;
	if (grow > FRAME_MOST)
		grow = FRAME_MOST;
	p = realloc(c->frame, grow);
	if (!p)
		return -ENOMEM;
	c->frame = p;
	c->frame_size = grow;
	return 0;
}

static void put_be64(unsigned char *out, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)v;
}

/* The steps: 1 go on, 0 wait for epoll, -1 close (with *why set when it is worth a log line). */
static int step_hello(struct peer_server *s, struct peer_conn *c, const char **why)
{
	size_t magic;
	enum peer_mode mode = PEER_ECHO;
	int r = read_some(s, c, c->small);

	/* a wrong first byte is enough: an HTTP request or a port scan is turned away at once */
	magic = c->done < PEER_MAGIC_LEN ? c->done : PEER_MAGIC_LEN;
	if (memcmp(c->small, PEER_MAGIC, magic) != 0 ||
	    (r > 0 && peer_hello_parse(c->small, &mode) < 0)) {
		s->stats.rejected++;
		*why = "bad hello";
		return -1;
	}
	if (r <= 0)
		return r;
	if (mode == PEER_SINK)
		begin(c, CONN_SINK, 0);
	else
		begin(c, CONN_HEADER, PEER_FRAME_HEADER);
	return 1;
}

static int step_header(struct peer_server *s, struct peer_conn *c, const char **why)
{
	uint32_t len;
	int r = read_some(s, c, c->small);

	if (r <= 0)
		return r;
	r = peer_frame_parse(c->small, &len);
	if (r < 0) {
		s->stats.rejected++;
		*why = r == -EMSGSIZE ? "frame too long" : "frame length 0";
		return -1;
	}
	if (frame_fit(c, PEER_FRAME_HEADER + (size_t)len) < 0) {
		*why = "out of memory";
		return -1;
	}
	memcpy(c->frame, c->small, PEER_FRAME_HEADER);
	begin(c, CONN_BODY, PEER_FRAME_HEADER + (size_t)len);
	c->done = PEER_FRAME_HEADER;
	return 1;
}

/* Everything a sink is sent is read and forgotten in the shared buffer; at its end of file,
 * the count is the answer. */
static int step_sink(struct peer_server *s, struct peer_conn *c)
{
	ssize_t n = recv(c->fd, s->scratch, PEER_SCRATCH, 0);

	if (n > 0) {
		c->sunk_bytes += (uint64_t)n;
		s->stats.bytes_sunk += (uint64_t)n;
		touch(s, c);
		return 1;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	put_be64(c->small, c->sunk_bytes);
	begin(c, CONN_COUNT, sizeof(uint64_t));
	return 1;
}

static int step(struct peer_server *s, struct peer_conn *c, const char **why)
{
	int r;

	switch (c->state) {
	case CONN_HELLO:
		return step_hello(s, c, why);
	case CONN_HEADER:
		return step_header(s, c, why);
	case CONN_BODY:
		if ((r = read_some(s, c, c->frame)) > 0)
			begin(c, CONN_ECHO, c->want);
		return r;
	case CONN_ECHO:
		if ((r = write_some(s, c, c->frame)) > 0) {
			s->stats.frames_echoed++;
			begin(c, CONN_HEADER, PEER_FRAME_HEADER);
		}
		return r;
	case CONN_SINK:
		return step_sink(s, c);
	case CONN_COUNT:
		r = write_some(s, c, c->small);
		return r > 0 ? -1 : r; /* all written: the connection is done */
	}
	return -1;
}

void peer_conn_serve(struct peer_server *s, struct peer_conn *c)
{
	struct epoll_event ev = { .data.ptr = c };
	const char *why = NULL;
	int budget, r = 1;

	for (budget = CONN_BUDGET; budget > 0 && r > 0; budget--)
		r = step(s, c, &why);
	if (r < 0) {
		peer_conn_close(s, c, why);
		return;
	}
	/* a reply pending: wait to write it, and read nothing meanwhile */
	ev.events = c->state == CONN_ECHO || c->state == CONN_COUNT ? EPOLLOUT : EPOLLIN;
	if (ev.events != c->events) {
		if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
			peer_conn_close(s, c, "cannot wait for it");
			return;
		}
		c->events = ev.events;
	}
}

int peer_conn_sweep(struct peer_server *s)
{
	uint64_t idle_ms = s->cfg.idle_timeout_ms, left;

	while (s->oldest && s->now_ms - s->oldest->last_ms >= idle_ms) {
		s->stats.idle++;
		peer_conn_close(s, s->oldest, "idle");
	}
	if (!s->oldest)
		return -1;
	left = s->oldest->last_ms + idle_ms - s->now_ms;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}
