// SPDX-License-Identifier: MIT
/*
 * fd_render_machine: the fds of many processes (fd_machine) as JSON, as the one-process tables
 * with PID, USER and COMM in front, or as one summary row per process sorted by headroom.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

#include "nic2app/fd_machine.h"
#include "nic2app/names.h"

static bool shows_unreadable(const struct fd_filter *f, const struct fd_proc *p)
{
	return p->err && !fd_filter_has_fd_filters(f) && fd_filter_wants_proc(f, p);
}

size_t fd_machine_count_shown(const struct fd_machine *m, const struct fd_filter *f,
			      size_t *procs)
{
	size_t fds = 0;

	*procs = 0;
	for (size_t i = 0; i < m->count; i++) {
		const struct fd_proc *p = &m->procs[i];

		if (!fd_filter_shows_proc(f, p) || p->err)
			continue;
		(*procs)++;
		for (size_t k = 0; k < p->snap.count; k++)
			fds += fd_filter_wants_fd(f, &p->snap.fds[k]);
	}
	return fds;
}

/* "1234", or "1234/1240" for a thread with an fd table of its own */
static const char *proc_label(const struct fd_proc *p, char *buf, size_t size)
{
	if (p->snap.pid != p->tgid)
		snprintf(buf, size, "%d/%d", (int)p->tgid, (int)p->snap.pid);
	else
		snprintf(buf, size, "%d", (int)p->tgid);
	return buf;
}

static void int_or_null(struct json *j, const char *key, long value)
{
	if (value < 0)
		json_null(j, key);
	else
		json_int(j, key, value);
}

static void entry_extra_json(struct json *j, const struct fd_machine *m,
			     const struct fd_entry *e)
{
	char dev[32];

	if (e->has_stat && e->type != FD_SOCKET) {
		if (e->type == FD_FILE)
			json_int(j, "size", e->size);
		snprintf(dev, sizeof(dev), "%u:%u", major(e->dev), minor(e->dev));
		json_string(j, "dev", dev);
	}
	if (e->sock && e->sock->family == AF_UNIX && e->sock->peer_inode) {
		const struct fd_holder *h = fd_machine_holder(m, e->sock->peer_inode, SIZE_MAX, -1);

		if (h) {
			const struct fd_proc *peer = &m->procs[h->proc];

			json_object_begin(j, "peer");
			json_int(j, "pid", peer->tgid);
			json_string(j, "comm", peer->snap.comm);
			json_int(j, "fd", h->fd);
			json_object_end(j);
		}
	}
}

/* One process, in the one-process object's shape, with pid/comm/user/uid first. */
static void proc_json(struct json *j, const struct fd_machine *m, size_t i,
		      const struct fd_filter *f)
{
	const struct fd_proc *p = &m->procs[i];
	const struct fd_snapshot *s = &p->snap;

	json_object_begin(j, NULL);
	json_int(j, "pid", p->tgid);
	if (s->pid != p->tgid)
		json_int(j, "tid", s->pid);
	json_string(j, "comm", s->comm);
	json_string(j, "user", p->user);
	json_uint(j, "uid", p->uid);
	if (p->err) {
		json_string(j, "error", errno_name(-p->err));
		json_object_end(j);
		return;
	}
	json_uint(j, "time_ns", s->time_ns);
	json_object_begin(j, "limits");
	int_or_null(j, "soft", s->limit_soft);
	int_or_null(j, "hard", s->limit_hard);
	json_object_end(j);
	json_object_begin(j, "scan");
	json_uint(j, "fds", s->count);
	json_uint(j, "elapsed_us", s->elapsed_ns / 1000);
	json_string(j, "socket_source", sock_source_name(s->socket_source));
	json_uint(j, "sockets_unresolved", s->sockets_unresolved);
	json_object_end(j);
	json_array_begin(j, "fds");
	for (size_t k = 0; k < s->count; k++) {
		if (!fd_filter_wants_fd(f, &s->fds[k]))
			continue;
		json_object_begin(j, NULL);
		fd_entry_json_fields(j, &s->fds[k]);
		entry_extra_json(j, m, &s->fds[k]);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

int fd_machine_json(struct strbuf *sb, const struct fd_machine *m, const struct fd_filter *f)
{
	size_t procs, fds = fd_machine_count_shown(m, f, &procs);
	struct json j;

	strbuf_reserve(sb, 256 + m->count * 300 + fds * 200); /* as fd_snapshot_json */
	json_init(&j, sb);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "processes");
	for (size_t i = 0; i < m->count; i++)
		if (shows_unreadable(f, &m->procs[i]) ||
		    (!m->procs[i].err && fd_filter_shows_proc(f, &m->procs[i])))
			proc_json(&j, m, i, f);
	json_array_end(&j);
	json_object_begin(&j, "scan");
	json_uint(&j, "processes", procs);
	json_uint(&j, "fds", fds);
	json_uint(&j, "tables_read", m->count - m->unreadable);
	json_uint(&j, "fds_read", m->fds);
	json_uint(&j, "unreadable", m->unreadable);
	json_uint(&j, "elapsed_us", m->elapsed_ns / 1000);
	json_string(&j, "source", fd_engine_name(m->source));
	json_object_end(&j);
	json_object_end(&j);
	strbuf_addc(sb, '\n');
	return json_finish(&j);
}

/* The group tables of fd_render_text, with PID USER COMM in front (and PEER for sockets). */
static const char *const machine_headers[][12] = {
	{ ">PID", "USER", "COMM", ">FD", "TYPE", "FLAGS", ">POS", "NAME" },
	{ ">PID", "USER", "COMM", ">FD", "PROTO", "LOCAL", "REMOTE", "STATE", ">RECV-Q", ">SEND-Q",
	  ">INODE", "PEER" },
	{ ">PID", "USER", "COMM", ">FD", "TYPE", "DETAIL", "NAME" },
};
static const size_t machine_columns[] = { 8, 12, 7 };
static const char *const group_titles[] = { "files", "sockets", "other" };
#define LEAD 3

static int add_row(struct table *t, const struct fd_machine *m, size_t i,
		   const struct fd_entry *e, enum fd_group g)
{
	const struct fd_proc *p = &m->procs[i];
	char storage[6][160], pid[32], peer[64] = "";
	const char *cells[12] = { 0 };

	cells[0] = proc_label(p, pid, sizeof(pid));
	cells[1] = p->user;
	cells[2] = p->snap.comm;
	fd_entry_cells(e, cells + LEAD, storage);
	if (g == FD_GROUP_SOCKETS) {
		const struct fd_holder *h = e->sock && e->sock->family == AF_UNIX && e->sock->peer_inode ?
			fd_machine_holder(m, e->sock->peer_inode, SIZE_MAX, -1) : NULL;

		if (h)
			snprintf(peer, sizeof(peer), "%d/%.16s:%d", (int)m->procs[h->proc].tgid,
				 m->procs[h->proc].snap.comm, h->fd);
		cells[LEAD + 8] = peer;
	}
	if (table_add_row(t, cells))
		return t->err;
	return fd_entry_note(t, e);
}

int fd_machine_tables_render(struct strbuf *sb, const struct fd_machine *m,
			     const struct fd_filter *f, bool colour)
{
	int r = 0;

	for (int g = FD_GROUP_FILES; g <= FD_GROUP_OTHER && r == 0; g++) {
		struct table t;

		r = table_init(&t, machine_columns[g], machine_headers[g]);
		for (size_t i = 0; i < m->count && r == 0; i++) {
			const struct fd_proc *p = &m->procs[i];

			if (p->err || !fd_filter_wants_proc(f, p))
				continue;
			for (size_t k = 0; k < p->snap.count && r == 0; k++) {
				const struct fd_entry *e = &p->snap.fds[k];

				if ((int)fd_group_of(e->type) == g && fd_filter_wants_fd(f, e))
					r = add_row(&t, m, i, e, (enum fd_group)g);
			}
		}
		if (r == 0 && t.nrows) {
			colour_add(sb, colour, COLOUR_BOLD, group_titles[g]);
			strbuf_addc(sb, '\n');
			r = table_render(&t, sb, colour, 2);
		}
		table_release(&t);
	}
	return r ? r : sb->err;
}

/* Headroom: what is left under the soft limit; unlimited sorts last. */
static long headroom(const struct fd_proc *p)
{
	return p->snap.limit_soft < 0 ? -1 : p->snap.limit_soft - (long)p->snap.count;
}

static int headroom_cmp(const void *a, const void *b)
{
	const struct fd_proc *x = *(const struct fd_proc *const *)a;
	const struct fd_proc *y = *(const struct fd_proc *const *)b;
	long hx = headroom(x), hy = headroom(y);

	if ((hx < 0) != (hy < 0))
		return hx < 0 ? 1 : -1;
	if (hx != hy)
		return hx < hy ? -1 : 1;
	return x->snap.pid - y->snap.pid;
}

static void summary_cells(const struct fd_proc *p, char storage[][48], const char **cells)
{
	size_t files = 0, sockets = 0, pipes = 0;
	const struct fd_snapshot *s = &p->snap;
	long room = headroom(p);

	for (size_t k = 0; k < s->count; k++) {
		files += s->fds[k].type == FD_FILE || s->fds[k].type == FD_DIR;
		sockets += s->fds[k].type == FD_SOCKET;
		pipes += s->fds[k].type == FD_PIPE || s->fds[k].type == FD_FIFO;
	}
	snprintf(storage[0], 24, "%zu", s->count);
	snprintf(storage[1], 24, "%zu", files);
	snprintf(storage[2], 24, "%zu", sockets);
	snprintf(storage[3], 24, "%zu", pipes);
	snprintf(storage[4], 24, "%zu", s->count - files - sockets - pipes);
	snprintf(storage[5], 24, s->limit_soft < 0 ? "unlimited" : "%ld", s->limit_soft);
	snprintf(storage[6], 24, s->limit_hard < 0 ? "unlimited" : "%ld", s->limit_hard);
	if (room < 0)
		snprintf(storage[7], 24, "-");
	else
		snprintf(storage[7], 48, "%ld (%.0f%%)", room,
			 s->limit_soft ? 100.0 * (double)room / (double)s->limit_soft : 0.0);
	for (int c = 0; c < 8; c++)
		cells[LEAD + c] = storage[c];
}

int fd_machine_summary_render(struct strbuf *sb, const struct fd_machine *m,
			      const struct fd_filter *f, bool colour)
{
	static const char *const headers[] = { ">PID", "USER", "COMM", ">FDS", ">FILES", ">SOCKETS",
					       ">PIPES", ">OTHER", ">SOFT", ">HARD", ">HEADROOM" };
	const struct fd_proc **order = malloc((m->count ? m->count : 1) * sizeof(*order));
	size_t n = 0;
	struct table t;
	int r;

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < m->count; i++)
		if (!m->procs[i].err && fd_filter_shows_proc(f, &m->procs[i]))
			order[n++] = &m->procs[i];
	qsort(order, n, sizeof(*order), headroom_cmp);
	r = table_init(&t, 11, headers);
	for (size_t i = 0; i < n && r == 0; i++) {
		char storage[8][48], pid[32];
		const char *cells[11];

		cells[0] = proc_label(order[i], pid, sizeof(pid));
		cells[1] = order[i]->user;
		cells[2] = order[i]->snap.comm;
		summary_cells(order[i], storage, cells);
		r = table_add_row(&t, cells);
	}
	if (r == 0 && t.nrows)
		r = table_render(&t, sb, colour, 0);
	table_release(&t);
	free(order);
	return r ? r : sb->err;
}
