// SPDX-License-Identifier: MIT
/*
 * fd_event_stream: the events of one process's fd table, from its system calls (fd_events)
 * and, for what no system call shows, from snapshots.
 *
 * The stream keeps a table (the model) of what each fd holds: the first snapshot, then every
 * event applied in order. Records arrive in batches (the ring buffer's wakeups are batched);
 * an fd still open at the end of its batch is read from /proc as a snapshot reads it, and kept
 * when the inode read matches the call's, else (closed or replaced meanwhile) the call's
 * record describes it. At each interval a snapshot is compared with the model: an fd a
 * system call touched after the snapshot began is left alone (the events explain it, and
 * the snapshot may have caught it half-way); any other difference is what the calls could
 * not show (close_range, exec, SCM_RIGHTS, io_uring), reported with source snapshot after a
 * short grace that lets a call still returning on another CPU deliver its record first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fd_event_int.h"

#define GRACE_NS 2000000 /* 2 ms */

struct slot {
	bool open;
	struct fd_entry e;
	struct sock_desc sd;     /* what e.sock points at, when it does */
	uint64_t touched_ns;     /* CLOCK_MONOTONIC of the last call that changed this fd */
};

struct fd_event_stream {
	pid_t pid;
	struct fd_events *ev;
	struct fd_watcher *watcher;
	struct scan_dirs dirs;
	struct slot **slots;     /* by fd number, NULL until used */
	size_t nslots;
	struct fd_snapshot first, last; /* the first snapshot and the last one taken */
	bool have_last;
	uint64_t start_mono_ns;  /* records of calls that returned before this are in first */
	int64_t real_minus_mono;
	uint64_t lost_reported;
	struct fd_event *batch;
	size_t batch_count, batch_cap;
	unsigned char *later;    /* per fd: touched again later in the batch (scratch) */
	size_t later_size;
	int netns_fd;            /* the target's /proc/PID/ns/net */
	struct sock_table socks; /* the sockets of its namespace, for a batch's new sockets */
	bool socks_filled;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct slot *slot_at(struct fd_event_stream *st, int fd)
{
	if (fd < 0)
		return NULL;
	if ((size_t)fd >= st->nslots) {
		size_t n = st->nslots ? st->nslots : 64;
		struct slot **s;

		while (n <= (size_t)fd)
			n *= 2;
		s = realloc(st->slots, n * sizeof(*s));
		if (!s)
			return NULL;
		memset(s + st->nslots, 0, (n - st->nslots) * sizeof(*s));
		st->slots = s;
		st->nslots = n;
	}
	if (!st->slots[fd])
		st->slots[fd] = calloc(1, sizeof(struct slot));
	return st->slots[fd];
}

static void slot_clear(struct slot *s)
{
	if (s->open)
		fd_entry_release(&s->e);
	s->open = false;
}

/* Make e (owned by the caller until now) the slot's content. */
static void slot_take(struct slot *s, struct fd_entry *e, const struct sock_desc *sd)
{
	slot_clear(s);
	s->e = *e;
	s->open = true;
	if (sd) {
		s->sd = *sd;
		s->e.sock = &s->sd;
	} else {
		s->e.sock = NULL;
	}
	memset(e, 0, sizeof(*e));
}

static int slot_copy(struct slot *s, const struct fd_entry *src)
{
	struct fd_entry e;
	int r = fd_entry_copy(&e, src);

	if (r == 0)
		slot_take(s, &e, src->sock);
	return r;
}

static int open_dirs(struct fd_event_stream *st)
{
	char path[64];

	st->dirs = (struct scan_dirs){ .pid_dir = -1, .fd_dir = -1, .info_dir = -1,
				       .real_proc = true, .own = { -1, -1, -1, -1 } };
	snprintf(path, sizeof(path), "/proc/%d", (int)st->pid);
	st->dirs.pid_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirs.pid_dir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	st->dirs.fd_dir = openat(st->dirs.pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	st->dirs.info_dir = openat(st->dirs.pid_dir, "fdinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	st->netns_fd = openat(st->dirs.pid_dir, "ns/net", O_RDONLY | O_CLOEXEC);
	return st->dirs.fd_dir < 0 || st->dirs.info_dir < 0 ? -errno : 0;
}

int fd_event_stream_open(pid_t pid, struct fd_event_stream **out, const char **why)
{
	struct fd_event_stream *st = calloc(1, sizeof(*st));
	int r;

	*out = NULL;
	*why = NULL;
	if (!st)
		return -ENOMEM;
	st->pid = pid;
	st->dirs.pid_dir = st->dirs.fd_dir = st->dirs.info_dir = st->netns_fd = -1;
	/* attach first: no call is missed between the first snapshot and the first record */
	r = fd_events_open(pid, &st->ev, why);
	if (r == 0 && (r = open_dirs(st)) == 0 &&
	    (r = fd_watcher_open("/proc", pid, 0, &st->watcher)) == 0) {
		st->start_mono_ns = clock_ns(CLOCK_MONOTONIC);
		st->real_minus_mono = (int64_t)(clock_ns(CLOCK_REALTIME) - st->start_mono_ns);
		r = fd_watcher_take(st->watcher, NULL, &st->first);
	}
	for (size_t i = 0; r == 0 && i < st->first.count; i++) {
		struct slot *s = slot_at(st, st->first.fds[i].fd);

		r = s ? slot_copy(s, &st->first.fds[i]) : -ENOMEM;
	}
	if (r) {
		fd_event_stream_free(st);
		return r;
	}
	*out = st;
	return 0;
}

int fd_event_stream_fd(const struct fd_event_stream *st)
{
	return fd_events_fd(st->ev);
}

const struct fd_snapshot *fd_event_stream_first(const struct fd_event_stream *st)
{
	return &st->first;
}

/* The fd read from /proc when it still holds the call's inode; else from the record. */
static int entry_for(struct fd_event_stream *st, const struct fd_event *ev, bool last,
		     struct fd_entry *e, bool *gone)
{
	int r;

	*gone = true;
	memset(e, 0, sizeof(*e));
	if (last) {
		e->fd = ev->fd;
		r = fd_entry_read(&st->dirs, e);
		if (r == -ENOMEM)
			return r;
		if (r == READ_OK && e->type != FD_ERROR && (!ev->inode || e->inode == ev->inode)) {
			*gone = false;
			return 0;
		}
		fd_entry_release(e);
	}
	return fd_entry_from_event(ev, e);
}

/* The socket as sock_diag shows it now (as a snapshot would) when the fd was read, else as
 * the call left it; the table is filled once per batch, when the first live socket needs it. */
static const struct sock_desc *socket_of(struct fd_event_stream *st, const struct fd_event *ev,
					 bool gone, struct sock_desc *sd)
{
	const struct sock_desc *found = NULL;

	if (!gone && !st->socks_filled && st->netns_fd >= 0) {
		enum sock_source source;
		char dir[64];

		snprintf(dir, sizeof(dir), "/proc/%d/net", (int)st->pid);
		sock_table_release(&st->socks);
		st->socks = (struct sock_table)SOCK_TABLE_INIT;
		if (sock_table_fill(&st->socks, st->netns_fd, dir, &source) < 0)
			sock_table_release(&st->socks);
		st->socks_filled = true;
	}
	if (!gone)
		found = sock_table_find(&st->socks, (uint32_t)ev->inode);
	if (found) {
		*sd = *found;
		return sd;
	}
	if (!ev->family)
		return NULL;
	sock_desc_from_event(ev, sd);
	return sd;
}

static int report_call(struct fd_event_stream *st, const struct fd_event *ev, enum fd_change c,
		       const struct fd_entry *before, const struct fd_entry *after, bool gone,
		       fd_report_fn fn, void *ctx)
{
	struct fd_report rep = {
		.time_ns = ev->time_ns + (uint64_t)st->real_minus_mono, .change = c,
		.from_syscall = true, .syscall = ev->syscall, .tid = ev->tid,
		.before = before, .after = after, .gone = gone,
	};

	return fn(&rep, ctx);
}

/* What the table held, or (an fd no call or snapshot showed yet: received by SCM_RIGHTS, say)
 * what the close saw as it entered. */
static int apply_close(struct fd_event_stream *st, const struct fd_event *ev, struct slot *s,
		       fd_report_fn fn, void *ctx)
{
	struct fd_entry seen;
	struct sock_desc sd;
	int r;

	if (s->open) {
		r = report_call(st, ev, FD_CLOSED, &s->e, NULL, false, fn, ctx);
		slot_clear(s);
		return r;
	}
	if ((r = fd_entry_from_event(ev, &seen)))
		return r;
	if (seen.type == FD_SOCKET && ev->family) {
		sock_desc_from_event(ev, &sd);
		seen.sock = &sd;
	}
	r = report_call(st, ev, FD_CLOSED, &seen, NULL, false, fn, ctx);
	fd_entry_release(&seen);
	return r;
}

static int apply(struct fd_event_stream *st, const struct fd_event *ev, bool last,
		 fd_report_fn fn, void *ctx)
{
	struct slot *s = slot_at(st, ev->fd);
	struct sock_desc sd;
	struct fd_entry e;
	enum fd_change c;
	bool gone;
	int r;

	if (!s)
		return -ENOMEM;
	s->touched_ns = ev->time_ns;
	if (ev->action == FD_EVENT_CLOSE)
		return apply_close(st, ev, s, fn, ctx);
	if ((r = entry_for(st, ev, last, &e, &gone)))
		return r;
	if (e.type == FD_SOCKET)
		e.sock = socket_of(st, ev, gone, &sd);
	/* an open at a number the table holds: the snapshot already saw this one (same
	 * object), or something no call showed freed the number first */
	c = !s->open || (ev->action == FD_EVENT_OPEN && fd_entry_same(&s->e, &e)) ? FD_OPENED
										  : FD_CHANGED;
	r = report_call(st, ev, c, c == FD_CHANGED ? &s->e : NULL, &e, gone, fn, ctx);
	slot_take(s, &e, e.sock);
	return r;
}

/* later[i]: the fd of record i is touched again later in the batch (so it cannot be read as
 * that record left it). */
static int mark_later(struct fd_event_stream *st, unsigned char *later_rec)
{
	int most = -1;

	if (st->batch_count == 0)
		return 0;
	for (size_t i = 0; i < st->batch_count; i++)
		if (st->batch[i].fd > most)
			most = st->batch[i].fd;
	if ((size_t)(most + 1) > st->later_size) {
		unsigned char *l = realloc(st->later, (size_t)most + 1);

		if (!l)
			return -ENOMEM;
		st->later = l;
		st->later_size = (size_t)most + 1;
	}
	memset(st->later, 0, st->later_size);
	for (size_t i = st->batch_count; i-- > 0;) {
		int fd = st->batch[i].fd;

		if (fd < 0)
			continue;
		later_rec[i] = st->later[fd];
		st->later[fd] = 1;
	}
	return 0;
}

static int report_lost(struct fd_event_stream *st, fd_report_fn fn, void *ctx)
{
	struct fd_report rep = { .lost = true };
	uint64_t lost;
	int r = fd_events_lost(st->ev, &lost);

	if (r || lost <= st->lost_reported)
		return r;
	rep.count = lost - st->lost_reported;
	rep.time_ns = clock_ns(CLOCK_REALTIME);
	st->lost_reported = lost;
	return fn(&rep, ctx);
}

int fd_event_stream_drain(struct fd_event_stream *st, fd_report_fn fn, void *ctx)
{
	unsigned char *later_rec;
	int r = fd_events_drain(st->ev);

	if (r < 0)
		return r;
	st->batch_count = 0;
	for (;;) {
		if (st->batch_count == st->batch_cap) {
			size_t cap = st->batch_cap ? st->batch_cap * 2 : 1024;
			struct fd_event *b = realloc(st->batch, cap * sizeof(*b));

			if (!b)
				return -ENOMEM;
			st->batch = b;
			st->batch_cap = cap;
		}
		if (!fd_events_next(st->ev, &st->batch[st->batch_count]))
			break;
		/* calls that returned before the first snapshot began: it shows them */
		if (st->batch[st->batch_count].time_ns >= st->start_mono_ns)
			st->batch_count++;
	}
	st->socks_filled = false;
	later_rec = calloc(st->batch_count + 1, 1);
	if (!later_rec)
		return -ENOMEM;
	r = mark_later(st, later_rec);
	for (size_t i = 0; r == 0 && i < st->batch_count; i++)
		r = apply(st, &st->batch[i], !later_rec[i], fn, ctx);
	free(later_rec);
	return r ? r : report_lost(st, fn, ctx);
}

/* The same object, for the snapshot's comparison: type, inode, and a socket's state. Other
 * details (a unix socket's peer name, which a snapshot resolves and one socket's sock_diag
 * entry does not) only refresh the model. */
static bool same_object(const struct fd_entry *a, const struct fd_entry *b)
{
	if (a->type != b->type || a->inode != b->inode || a->err != b->err)
		return false;
	if (a->type != FD_SOCKET || !a->sock || !b->sock)
		return true;
	return strcmp(a->sock->state, b->sock->state) == 0;
}

/* Call fn for every fd where the model and s differ and no call touched the fd since
 * since_ns; with update, report it and make the model agree. Returns the count or -errno. */
static int reconcile(struct fd_event_stream *st, const struct fd_snapshot *s, uint64_t since_ns,
		     bool update, fd_report_fn fn, void *ctx)
{
	struct fd_report rep = { .time_ns = s->time_ns };
	size_t j = 0, n = st->nslots;
	int count = 0, r = 0;

	if (s->count && (size_t)s->fds[s->count - 1].fd >= n)
		n = (size_t)s->fds[s->count - 1].fd + 1;
	for (size_t fd = 0; fd < n && r == 0; fd++) {
		struct slot *sl = fd < st->nslots ? st->slots[fd] : NULL;
		const struct fd_entry *m = sl && sl->open ? &sl->e : NULL;
		const struct fd_entry *e = j < s->count && (size_t)s->fds[j].fd == fd ? &s->fds[j++]
										   : NULL;

		if ((!m && !e) || (sl && sl->touched_ns >= since_ns))
			continue;
		if (m && e && same_object(m, e)) {
			if (!fd_entry_same(m, e) && (r = slot_copy(sl, e)))
				return r;
			continue;
		}
		count++;
		if (!update)
			continue;
		rep.change = !m ? FD_OPENED : !e ? FD_CLOSED : FD_CHANGED;
		rep.before = m;
		rep.after = e;
		r = fn(&rep, ctx);
		if (!(sl = slot_at(st, (int)fd)))
			return -ENOMEM;
		if (e && r == 0)
			r = slot_copy(sl, e);
		else if (!e)
			slot_clear(sl);
	}
	return r ? r : count;
}

int fd_event_stream_snapshot(struct fd_event_stream *st, fd_report_fn fn, void *ctx)
{
	uint64_t since = clock_ns(CLOCK_MONOTONIC);
	struct fd_snapshot s;
	int r;

	r = fd_watcher_take(st->watcher, st->have_last ? &st->last : &st->first, &s);
	if (r) {
		fd_event_stream_drain(st, fn, ctx); /* what the calls said before the exit */
		return r;
	}
	r = fd_event_stream_drain(st, fn, ctx);
	if (r == 0)
		r = reconcile(st, &s, since, false, fn, ctx);
	if (r > 0) {
		/* a call that changed an fd before the scan read it may still be returning */
		struct timespec grace = { 0, GRACE_NS };

		nanosleep(&grace, NULL);
		r = fd_event_stream_drain(st, fn, ctx);
		if (r == 0)
			r = reconcile(st, &s, since, true, fn, ctx);
	}
	if (st->have_last)
		fd_snapshot_release(&st->last);
	st->last = s;
	st->have_last = true;
	return r < 0 ? r : 0;
}

void fd_event_stream_free(struct fd_event_stream *st)
{
	if (!st)
		return;
	fd_events_close(st->ev);
	fd_watcher_free(st->watcher);
	for (size_t i = 0; i < st->nslots; i++) {
		if (st->slots[i])
			slot_clear(st->slots[i]);
		free(st->slots[i]);
	}
	free(st->slots);
	fd_snapshot_release(&st->first);
	if (st->have_last)
		fd_snapshot_release(&st->last);
	for (int i = 0; i < 3; i++) {
		int fd = i == 0 ? st->dirs.pid_dir : i == 1 ? st->dirs.fd_dir : st->dirs.info_dir;

		if (fd >= 0)
			close(fd);
	}
	if (st->netns_fd >= 0)
		close(st->netns_fd);
	sock_table_release(&st->socks);
	free(st->batch);
	free(st->later);
	free(st);
}
