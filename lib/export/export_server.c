// SPDX-License-Identifier: MIT
/*
 * export_server: the HTTP side of `nic2app exporter`. One thread waits in epoll on the
 * listener, every connection and an eventfd; a collector thread does the scrapes. A /metrics
 * request waits for the next collection to start (so its data is never older than it), and
 * every request waiting for the same one is answered from the same rendered body: 200 scrapes
 * at once cost one or two collections, not 200. Each connection has a deadline for sending
 * its request and another for reading the answer; every answer ends the connection. Memory
 * is bounded: max_connections, each with one request buffer, and the bodies of one collection.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "export_int.h"
#include "nic2app/clock.h"
#include "nic2app/fd_machine.h"

#define EVENTS_PER_WAIT 64
#define ACCEPT_BUDGET 64
#define ACCEPT_PAUSE_MS 100
#define DRAIN_MS 1000        /* after the answer: read what the client still sends, then close */
#define UNMASKED_WAIT_MS 1000
#define DRAIN_BUF 4096

/* A whole answer (status line, headers, body), shared by the connections sending it. */
struct body {
	unsigned refs;
	size_t head_len, len;
	char data[];
};

enum conn_state { CONN_READ, CONN_WAIT, CONN_WRITE, CONN_DRAIN };

struct conn {
	int fd;
	enum conn_state state;
	uint32_t events;
	char *req;                 /* EXPORT_REQUEST_MOST bytes while reading */
	size_t got;
	uint64_t deadline_ms;
	uint64_t gen;              /* CONN_WAIT: the collection it waits for */
	struct export_request r;
	struct body *body;
	size_t sent;
	struct conn *prev, *next;
	struct sockaddr_storage from;
};

struct export_server {
	struct export_server_config cfg;
	struct export_server_stats stats;
	int epfd, listen_fd, wake_fd;
	struct conn *conns;
	unsigned nconns;
	uint64_t now_ms, accept_paused_until_ms;
	/* collections, as the epoll thread sees them */
	uint64_t gen;              /* the last one started */
	bool running, queued;
	unsigned next_timeout_ms;  /* for the queued one: the least any of its scrapers allows */
	struct body *bodies[2];    /* the finished one's answer, by format, rendered on demand */
	struct export_data result;
	int result_err;
	/* shared with the collector thread, under lock */
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool want, quit, ready;
	unsigned want_timeout_ms;
	struct export_data posted;
	int posted_err;
	volatile sig_atomic_t abort_collection;
	struct body *pages[5];     /* fixed answers: index, 404, 400, 405, 431 */
};

enum page { PAGE_INDEX, PAGE_NOT_FOUND, PAGE_BAD, PAGE_METHOD, PAGE_TOO_LARGE };

static struct body *body_new(const char *status, const char *type, const char *extra,
			     const char *payload, size_t len)
{
	char head[512];
	int hl = snprintf(head, sizeof(head),
			  "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
			  "Connection: close\r\n\r\n", status, type, len, extra);
	struct body *b;

	if (hl < 0 || (size_t)hl >= sizeof(head))
		return NULL;
	b = malloc(sizeof(*b) + (size_t)hl + len);
	if (!b)
		return NULL;
	b->refs = 1;
	b->head_len = (size_t)hl;
	b->len = (size_t)hl + len;
	memcpy(b->data, head, (size_t)hl);
	memcpy(b->data + hl, payload, len);
	return b;
}

static void body_put(struct body *b)
{
	if (b && --b->refs == 0)
		free(b);
}

static int make_pages(struct export_server *s)
{
	static const char index_html[] =
		"<!DOCTYPE html>\n<html><head><title>nic2app exporter</title></head><body>\n"
		"<h1>nic2app exporter</h1>\n<p>File descriptors, sockets and their queues of this "
		"machine's processes, for Prometheus: <a href=\"/metrics\">/metrics</a></p>\n"
		"</body></html>\n";
	static const char *const text[][3] = {
		{ "404 Not Found", "", "not found: the metrics are at /metrics\n" },
		{ "400 Bad Request", "", "bad request\n" },
		{ "405 Method Not Allowed", "Allow: GET, HEAD\r\n", "only GET and HEAD\n" },
		{ "431 Request Header Fields Too Large", "", "request head too large\n" },
	};

	s->pages[PAGE_INDEX] = body_new("200 OK", "text/html; charset=utf-8", "", index_html,
					sizeof(index_html) - 1);
	for (int i = 0; i < 4; i++)
		s->pages[PAGE_NOT_FOUND + i] = body_new(text[i][0], "text/plain; charset=utf-8",
							text[i][1], text[i][2], strlen(text[i][2]));
	for (int i = 0; i < 5; i++)
		if (!s->pages[i])
			return -ENOMEM;
	return 0;
}

static void say(struct export_server *s, const struct conn *c, const char *what)
{
	if (s->cfg.log)
		s->cfg.log(s->cfg.log_ctx, what, (const struct sockaddr *)&c->from);
}

/* ---- the collector thread ---- */

static void *collector(void *arg)
{
	struct export_server *s = arg;
	struct export_data d;
	struct fd_bpf *bpf = NULL;
	uint64_t one = 1, deadline;
	int err;

	/* the iterator loaded once: without the privilege each scrape tries again, and reads
	 * /proc (the load fails at once) */
	if (strcmp(s->cfg.proc_root, "/proc") == 0)
		(void)fd_bpf_open(&bpf, NULL);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->want && !s->quit)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->quit)
			break;
		s->want = false;
		deadline = monotonic_ns() + (uint64_t)s->want_timeout_ms * 1000000u;
		pthread_mutex_unlock(&s->lock);
		err = export_collect_with(bpf, s->cfg.proc_root, &s->cfg.filter, deadline,
					  &s->abort_collection, &d);
		if (!err && (err = export_fold(&d, s->cfg.max_processes)) < 0)
			export_data_release(&d);
		/* without the live families (a failed read) the rest is still worth answering */
		if (!err && s->cfg.live)
			(void)export_collect_live(s->cfg.live, &d);
		pthread_mutex_lock(&s->lock);
		s->posted = d;
		s->posted_err = err;
		s->ready = true;
		/* a full eventfd counter cannot happen: the epoll thread reads it each time */
		if (write(s->wake_fd, &one, sizeof(one)) < 0)
			s->posted_err = s->posted_err ? s->posted_err : -errno;
	}
	pthread_mutex_unlock(&s->lock);
	fd_bpf_close(bpf);
	return NULL;
}

static void start_collection(struct export_server *s, unsigned timeout_ms)
{
	pthread_mutex_lock(&s->lock);
	s->want = true;
	s->want_timeout_ms = timeout_ms;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	s->gen++;
	s->running = true;
	s->stats.collections++;
}

/* ---- connections ---- */

static void conn_close(struct export_server *s, struct conn *c, const char *why)
{
	if (why)
		say(s, c, why);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	body_put(c->body);
	free(c->req);
	free(c);
}

static int conn_wait_for(struct export_server *s, struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (events == c->events)
		return 0;
	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		return -errno;
	c->events = events;
	return 0;
}

/* Send b (taking a reference); the request buffer is no longer needed. */
static void conn_answer(struct export_server *s, struct conn *c, struct body *b)
{
	c->body = b;
	b->refs++;
	c->sent = 0;
	c->state = CONN_WRITE;
	c->deadline_ms = s->now_ms + s->cfg.timeout_ms;
	free(c->req);
	c->req = NULL;
	if (conn_wait_for(s, c, EPOLLOUT) < 0)
		conn_close(s, c, "cannot wait for it");
}

static unsigned scrape_timeout_ms(const struct export_server *s, const struct conn *c)
{
	unsigned ms = s->cfg.scrape_timeout_ms;
	double asked = c->r.scrape_timeout_s * 900; /* 90%: leave the scraper time to read */

	if (asked >= 1 && asked < ms)
		ms = (unsigned)asked;
	return ms;
}

/* A whole request came: answer, or wait for the next collection. */
static void conn_route(struct export_server *s, struct conn *c)
{
	unsigned ms;

	if (c->r.route == EXPORT_ROUTE_INDEX) {
		conn_answer(s, c, s->pages[PAGE_INDEX]);
		return;
	}
	if (c->r.route == EXPORT_ROUTE_NOT_FOUND) {
		conn_answer(s, c, s->pages[PAGE_NOT_FOUND]);
		return;
	}
	s->stats.scrapes++;
	ms = scrape_timeout_ms(s, c);
	c->state = CONN_WAIT;
	c->deadline_ms = s->now_ms + ms + s->cfg.timeout_ms;
	if (!s->running) {
		start_collection(s, ms);
		c->gen = s->gen;
	} else {
		if (!s->queued || ms < s->next_timeout_ms)
			s->next_timeout_ms = ms;
		s->queued = true;
		c->gen = s->gen + 1;
	}
	/* nothing to read meanwhile; a client that closes is found when its answer is sent */
	if (conn_wait_for(s, c, 0) < 0)
		conn_close(s, c, "cannot wait for it");
}

static void conn_refuse(struct export_server *s, struct conn *c, int err)
{
	s->stats.bad_requests++;
	if (err == -EMSGSIZE) {
		say(s, c, "request head too large");
		conn_answer(s, c, s->pages[PAGE_TOO_LARGE]);
	} else if (err == -ENOSYS) {
		say(s, c, "method not allowed");
		conn_answer(s, c, s->pages[PAGE_METHOD]);
	} else {
		say(s, c, "malformed request");
		conn_answer(s, c, s->pages[PAGE_BAD]);
	}
}

static void conn_read(struct export_server *s, struct conn *c)
{
	ssize_t n = recv(c->fd, c->req + c->got, EXPORT_REQUEST_MOST - c->got, 0);
	int r;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(s, c, NULL); /* the client went away */
		return;
	}
	if (n < 0)
		return;
	c->got += (size_t)n;
	r = export_request_parse(c->req, c->got, &c->r);
	if (r < 0)
		conn_refuse(s, c, r);
	else if (r > 0)
		conn_route(s, c);
}

static void conn_write(struct export_server *s, struct conn *c)
{
	size_t want = c->r.head ? c->body->head_len : c->body->len;
	ssize_t n = send(c->fd, c->body->data + c->sent, want - c->sent, MSG_NOSIGNAL);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(s, c, NULL);
		return;
	}
	c->sent += (size_t)n;
	if (c->sent < want)
		return;
	/* all sent: end our side, and read whatever the client still sends until it ends its
	 * own (closing with unread bytes would reset the connection and could lose the answer) */
	shutdown(c->fd, SHUT_WR);
	body_put(c->body);
	c->body = NULL;
	c->state = CONN_DRAIN;
	c->deadline_ms = s->now_ms + DRAIN_MS;
	if (conn_wait_for(s, c, EPOLLIN) < 0)
		conn_close(s, c, NULL);
}

static void conn_drain(struct export_server *s, struct conn *c)
{
	char buf[DRAIN_BUF];
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		conn_close(s, c, NULL);
}

static void conn_serve(struct export_server *s, struct conn *c, uint32_t events)
{
	/* reset, or both sides shut: reported whatever was asked for, so even while waiting */
	if (events & (EPOLLERR | EPOLLHUP)) {
		conn_close(s, c, NULL);
		return;
	}
	switch (c->state) {
	case CONN_READ:
		conn_read(s, c);
		break;
	case CONN_WRITE:
		conn_write(s, c);
		break;
	case CONN_DRAIN:
		conn_drain(s, c);
		break;
	case CONN_WAIT:
		break;
	}
}

static int conn_open(struct export_server *s, int fd, const struct sockaddr_storage *from)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct conn *c = calloc(1, sizeof(*c));

	if (!c || !(c->req = malloc(EXPORT_REQUEST_MOST))) {
		free(c);
		return -ENOMEM;
	}
	c->fd = fd;
	c->events = EPOLLIN;
	c->from = *from;
	c->state = CONN_READ;
	c->deadline_ms = s->now_ms + s->cfg.timeout_ms;
	ev.data.ptr = c;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;

		free(c->req);
		free(c);
		return r;
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	return 0;
}

/* ---- the loop ---- */

/* The finished collection's answer in format f, rendered the first time it is asked for. */
static struct body *metrics_body(struct export_server *s, enum export_format f)
{
	struct strbuf sb = STRBUF_INIT;

	if (s->bodies[f])
		return s->bodies[f];
	if (export_render(&sb, f, &s->result, s->cfg.version) == 0)
		s->bodies[f] = body_new("200 OK", export_content_type(f), "", strbuf_str(&sb), sb.len);
	strbuf_release(&sb);
	return s->bodies[f];
}

/* The collector posted its result: answer the connections waiting for it, start the next. */
static void collection_done(struct export_server *s)
{
	uint64_t count;
	struct conn *c, *next;

	if (read(s->wake_fd, &count, sizeof(count)) < 0)
		return;
	pthread_mutex_lock(&s->lock);
	if (!s->ready) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	s->ready = false;
	export_data_release(&s->result);
	s->result = s->posted;
	s->result_err = s->posted_err;
	memset(&s->posted, 0, sizeof(s->posted));
	pthread_mutex_unlock(&s->lock);
	for (int f = 0; f < 2; f++) {
		body_put(s->bodies[f]);
		s->bodies[f] = NULL;
	}
	s->running = false;
	for (c = s->conns; c; c = next) {
		struct body *b;

		next = c->next;
		if (c->state != CONN_WAIT || c->gen != s->gen)
			continue;
		b = s->result_err ? NULL : metrics_body(s, c->r.format);
		if (b)
			conn_answer(s, c, b);
		else
			conn_close(s, c, "the scrape failed: out of memory");
	}
	if (s->queued) {
		s->queued = false;
		start_collection(s, s->next_timeout_ms);
	}
}

static void accept_some(struct export_server *s)
{
	struct sockaddr_storage from;
	socklen_t len;
	int fd, i;

	for (i = 0; i < ACCEPT_BUDGET; i++) {
		len = sizeof(from);
		fd = accept4(s->listen_fd, (struct sockaddr *)&from, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				struct epoll_event ev = { .events = 0, .data.ptr = &s->listen_fd };

				if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd, &ev) == 0)
					s->accept_paused_until_ms = s->now_ms + ACCEPT_PAUSE_MS;
			}
			if (errno == ECONNABORTED || errno == EINTR || errno == EPERM || errno == EPROTO)
				continue;
			return;
		}
		s->stats.accepted++;
		if (s->nconns >= s->cfg.max_connections) {
			struct conn tmp = { .from = from };

			s->stats.refused++;
			close(fd);
			say(s, &tmp, "too many connections");
			continue;
		}
		if (conn_open(s, fd, &from) < 0)
			close(fd);
	}
}

/* Close the connections past their deadline; the ms until the next deadline, or -1. */
static int sweep(struct export_server *s)
{
	uint64_t next = UINT64_MAX;
	struct conn *c, *after;

	for (c = s->conns; c; c = after) {
		after = c->next;
		if (c->deadline_ms <= s->now_ms) {
			static const char *const why[] = {
				[CONN_READ] = "timed out sending its request",
				[CONN_WAIT] = "timed out waiting for the scrape",
				[CONN_WRITE] = "timed out reading the answer",
				[CONN_DRAIN] = NULL,
			};

			if (c->state != CONN_DRAIN)
				s->stats.timeouts++;
			conn_close(s, c, why[c->state]);
		} else if (c->deadline_ms < next) {
			next = c->deadline_ms;
		}
	}
	if (s->accept_paused_until_ms && s->accept_paused_until_ms < next)
		next = s->accept_paused_until_ms;
	if (next == UINT64_MAX)
		return -1;
	return next <= s->now_ms ? 0 : (int)(next - s->now_ms > INT32_MAX ? INT32_MAX : next - s->now_ms);
}

static void resume_accepting(struct export_server *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->listen_fd };

	if (s->accept_paused_until_ms && s->now_ms >= s->accept_paused_until_ms &&
	    epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd, &ev) == 0)
		s->accept_paused_until_ms = 0;
}

int export_server_run(struct export_server *s)
{
	struct epoll_event ev[EVENTS_PER_WAIT];
	int n, i, ms;

	while (!(s->cfg.stop && *s->cfg.stop)) {
		s->now_ms = monotonic_ns() / 1000000;
		ms = sweep(s);
		if (!s->cfg.wait_sigmask && (ms < 0 || ms > UNMASKED_WAIT_MS))
			ms = UNMASKED_WAIT_MS;
		n = epoll_pwait(s->epfd, ev, EVENTS_PER_WAIT, ms, s->cfg.wait_sigmask);
		if (n < 0 && errno != EINTR)
			return -errno;
		s->now_ms = monotonic_ns() / 1000000;
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == &s->listen_fd)
				accept_some(s);
			else if (ev[i].data.ptr == &s->wake_fd)
				collection_done(s);
			else
				conn_serve(s, ev[i].data.ptr, ev[i].events);
		}
		resume_accepting(s);
	}
	return 0;
}

/* ---- open and close ---- */

static int open_listener(const struct export_server_config *c)
{
	int one = 1, r, fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* a restarted exporter binds again at once, despite connections in TIME_WAIT */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&c->addr, c->addr_len) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int watch(struct export_server *s, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* The collector thread, with every signal blocked: signals are the epoll thread's. */
static int start_thread(struct export_server *s)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&s->thread, NULL, collector, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		return -r;
	s->thread_started = true;
	return 0;
}

int export_server_open(const struct export_server_config *c, struct export_server **out)
{
	struct export_server *s = calloc(1, sizeof(*s));
	int r;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->epfd = s->listen_fd = s->wake_fd = -1;
	s->cfg = *c;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = EXPORT_SERVER_MAX_CONNECTIONS;
	if (!s->cfg.timeout_ms)
		s->cfg.timeout_ms = 10000;
	if (!s->cfg.scrape_timeout_ms)
		s->cfg.scrape_timeout_ms = 10000;
	if (!s->cfg.proc_root)
		s->cfg.proc_root = "/proc";
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if ((r = make_pages(s)) < 0)
		goto out_free;
	if (c->addr.ss_family != AF_INET && c->addr.ss_family != AF_INET6) {
		r = -EAFNOSUPPORT;
		goto out_free;
	}
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->epfd < 0 || s->wake_fd < 0) {
		r = -errno;
		goto out_free;
	}
	if ((s->listen_fd = open_listener(c)) < 0) {
		r = s->listen_fd;
		goto out_free;
	}
	if ((r = watch(s, s->listen_fd, &s->listen_fd)) < 0 ||
	    (r = watch(s, s->wake_fd, &s->wake_fd)) < 0 || (r = start_thread(s)) < 0)
		goto out_free;
	*out = s;
	return 0;
out_free:
	export_server_free(s);
	return r;
}

int export_server_port(const struct export_server *s)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	if (getsockname(s->listen_fd, (struct sockaddr *)&a, &len) < 0)
		return -errno;
	if (a.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
	return ntohs(((struct sockaddr_in *)&a)->sin_port);
}

void export_server_stats(const struct export_server *s, struct export_server_stats *out)
{
	*out = s->stats;
}

void export_server_free(struct export_server *s)
{
	if (!s)
		return;
	if (s->thread_started) {
		pthread_mutex_lock(&s->lock);
		s->quit = true;
		s->abort_collection = 1; /* a scrape in progress stops before its next process */
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	while (s->conns)
		conn_close(s, s->conns, NULL);
	for (int i = 0; i < 2; i++)
		body_put(s->bodies[i]);
	for (int i = 0; i < 5; i++)
		body_put(s->pages[i]);
	export_data_release(&s->result);
	export_data_release(&s->posted);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}
