// SPDX-License-Identifier: MIT
/*
 * export_metrics: the metric families of `nic2app exporter`, and how a collection's label
 * cardinality is bounded: the processes with the most fds keep their own series, the rest
 * are summed under comm="other" (as process-exporter groups, but by size, not by name).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_int.h"

int export_sockets_add(struct export_process *p, const struct export_sockets *add)
{
	struct export_sockets *s, *grown;

	for (size_t i = 0; i < p->n_sockets; i++) {
		s = &p->sockets[i];
		if (strcmp(s->family, add->family) || strcmp(s->proto, add->proto) ||
		    strcmp(s->state, add->state))
			continue;
		s->count += add->count;
		s->recv_q += add->recv_q;
		s->send_q += add->send_q;
		s->has_queues |= add->has_queues;
		return 0;
	}
	grown = realloc(p->sockets, (p->n_sockets + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->sockets = grown;
	p->sockets[p->n_sockets++] = *add;
	return 0;
}

int export_listener_add(struct export_process *p, const struct export_listener *add, bool fold)
{
	struct export_listener *l, *grown;
	const char *local = !fold && p->n_listeners < EXPORT_LISTENERS_MOST - 1 ? add->local : "other";

	/* one series per address: SO_REUSEPORT listeners on one port are summed */
	for (size_t i = 0; i < p->n_listeners; i++) {
		l = &p->listeners[i];
		if (strcmp(l->local, local) || strcmp(l->family, add->family) ||
		    strcmp(l->proto, add->proto))
			continue;
		l->queued += add->queued;
		l->max += add->max;
		return 0;
	}
	grown = realloc(p->listeners, (p->n_listeners + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->listeners = grown;
	l = &p->listeners[p->n_listeners++];
	*l = *add;
	if (local != add->local)
		snprintf(l->local, sizeof(l->local), "other");
	return 0;
}

void export_process_release(struct export_process *p)
{
	free(p->sockets);
	free(p->listeners);
	p->sockets = NULL;
	p->listeners = NULL;
	p->n_sockets = p->n_listeners = 0;
}

void export_data_release(struct export_data *d)
{
	for (size_t i = 0; i < d->n_procs; i++)
		export_process_release(&d->procs[i]);
	free(d->procs);
	free(d->live);
	d->procs = NULL;
	d->live = NULL;
	d->n_procs = 0;
}

static int by_fds_desc(const void *a, const void *b)
{
	const struct export_process *x = a, *y = b;

	if (x->fds != y->fds)
		return x->fds < y->fds ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int by_pid(const void *a, const void *b)
{
	const struct export_process *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Sum q into other (sockets, listeners and all), then free what q held. */
static int fold_into(struct export_process *other, struct export_process *q)
{
	int r = 0;

	other->fds += q->fds;
	for (int t = 0; t < FD_TYPE_COUNT; t++)
		other->by_type[t] += q->by_type[t];
	for (size_t i = 0; i < q->n_sockets && !r; i++)
		r = export_sockets_add(other, &q->sockets[i]);
	for (size_t i = 0; i < q->n_listeners && !r; i++)
		r = export_listener_add(other, &q->listeners[i], true);
	export_process_release(q);
	return r;
}

int export_fold(struct export_data *d, size_t most)
{
	struct export_process other = { .pid = 0, .limit_soft = -1, .limit_hard = -1 };
	int r = 0;

	if (d->n_procs <= most) {
		if (d->n_procs) /* procs is NULL when nothing matched, and qsort wants an array */
			qsort(d->procs, d->n_procs, sizeof(*d->procs), by_pid);
		return 0;
	}
	qsort(d->procs, d->n_procs, sizeof(*d->procs), by_fds_desc);
	snprintf(other.comm, sizeof(other.comm), "other");
	for (size_t i = most; i < d->n_procs; i++) {
		int fr = fold_into(&other, &d->procs[i]);

		r = r ? r : fr;
	}
	d->n_procs = most;
	qsort(d->procs, d->n_procs, sizeof(*d->procs), by_pid);
	d->procs[d->n_procs++] = other; /* there is room: at least one entry was folded */
	return r;
}

/* ---- the families ---- */

/* The labels every per-process series starts with. */
struct proc_labels {
	char pid[16];
	const char *l[16]; /* name, value pairs */
};

static size_t proc_labels(struct proc_labels *pl, const struct export_process *p)
{
	if (p->pid)
		snprintf(pl->pid, sizeof(pl->pid), "%d", (int)p->pid);
	else
		pl->pid[0] = '\0';
	pl->l[0] = "pid";
	pl->l[1] = pl->pid;
	pl->l[2] = "comm";
	pl->l[3] = p->comm;
	pl->l[4] = "user";
	pl->l[5] = p->user;
	return 3;
}

static void family_fds(struct export_writer *w, const struct export_data *d)
{
	struct proc_labels pl;

	export_family(w, "nic2app_process_fds", EXPORT_GAUGE, NULL,
		      "Open file descriptors of a process by type (types with none are left out).");
	for (size_t i = 0; i < d->n_procs; i++) {
		size_t n = proc_labels(&pl, &d->procs[i]);

		for (int t = 0; t < FD_TYPE_COUNT; t++) {
			if (!d->procs[i].by_type[t])
				continue;
			pl.l[2 * n] = "type";
			pl.l[2 * n + 1] = fd_type_name((enum fd_type)t);
			export_sample(w, pl.l, n + 1, (double)d->procs[i].by_type[t]);
		}
	}
}

static double limit_value(long v)
{
	return v < 0 ? INFINITY : (double)v;
}

static void family_limits(struct export_writer *w, const struct export_data *d)
{
	struct proc_labels pl;

	export_family(w, "nic2app_process_fd_limit", EXPORT_GAUGE, NULL,
		      "RLIMIT_NOFILE of a process: the soft limit open() fails at (EMFILE), and the "
		      "hard limit the soft one may be raised to; +Inf when unlimited.");
	for (size_t i = 0; i < d->n_procs; i++) {
		const struct export_process *p = &d->procs[i];
		size_t n = proc_labels(&pl, p);

		if (!p->pid)
			continue; /* limits of "other" do not add up */
		pl.l[2 * n] = "kind";
		pl.l[2 * n + 1] = "soft";
		export_sample(w, pl.l, n + 1, limit_value(p->limit_soft));
		pl.l[2 * n + 1] = "hard";
		export_sample(w, pl.l, n + 1, limit_value(p->limit_hard));
	}
}

static size_t socket_labels(struct proc_labels *pl, const struct export_process *p,
			    const struct export_sockets *s)
{
	size_t n = proc_labels(pl, p);

	pl->l[2 * n] = "family";
	pl->l[2 * n + 1] = s->family;
	pl->l[2 * n + 2] = "proto";
	pl->l[2 * n + 3] = s->proto;
	pl->l[2 * n + 4] = "state";
	pl->l[2 * n + 5] = s->state;
	return n + 3;
}

static void family_sockets(struct export_writer *w, const struct export_data *d)
{
	struct proc_labels pl;

	export_family(w, "nic2app_process_sockets", EXPORT_GAUGE, NULL,
		      "Sockets a process holds, by family, protocol and state as sock_diag reports "
		      "them (proto \"unknown\": not listed by sock_diag).");
	for (size_t i = 0; i < d->n_procs; i++)
		for (size_t j = 0; j < d->procs[i].n_sockets; j++) {
			const struct export_sockets *s = &d->procs[i].sockets[j];

			export_sample(w, pl.l, socket_labels(&pl, &d->procs[i], s), s->count);
		}
	export_family(w, "nic2app_process_socket_queue_bytes", EXPORT_GAUGE, "bytes",
		      "Bytes waiting in the sockets' queues, summed by family, protocol and state: "
		      "recv not yet read by the process, send not yet sent or acknowledged (LISTEN "
		      "sockets are in nic2app_process_listen_queue_connections).");
	for (size_t i = 0; i < d->n_procs; i++)
		for (size_t j = 0; j < d->procs[i].n_sockets; j++) {
			const struct export_sockets *s = &d->procs[i].sockets[j];
			size_t n;

			if (!s->has_queues)
				continue;
			n = socket_labels(&pl, &d->procs[i], s);
			pl.l[2 * n] = "queue";
			pl.l[2 * n + 1] = "recv";
			export_sample(w, pl.l, n + 1, (double)s->recv_q);
			pl.l[2 * n + 1] = "send";
			export_sample(w, pl.l, n + 1, (double)s->send_q);
		}
}

static void family_listeners(struct export_writer *w, const struct export_data *d)
{
	struct proc_labels pl;

	export_family(w, "nic2app_process_listen_queue_connections", EXPORT_GAUGE, NULL,
		      "A listening socket's accept queue: connections complete but not yet "
		      "accept()ed (queued), and its limit, listen()'s backlog capped by "
		      "net.core.somaxconn (max); the kernel drops new ones once queued exceeds max.");
	for (size_t i = 0; i < d->n_procs; i++)
		for (size_t j = 0; j < d->procs[i].n_listeners; j++) {
			const struct export_listener *l = &d->procs[i].listeners[j];
			size_t n = proc_labels(&pl, &d->procs[i]);

			pl.l[2 * n] = "family";
			pl.l[2 * n + 1] = l->family;
			pl.l[2 * n + 2] = "proto";
			pl.l[2 * n + 3] = l->proto;
			pl.l[2 * n + 4] = "local";
			pl.l[2 * n + 5] = l->local;
			pl.l[2 * n + 6] = "kind";
			pl.l[2 * n + 7] = "queued";
			export_sample(w, pl.l, n + 4, (double)l->queued);
			pl.l[2 * n + 7] = "max";
			export_sample(w, pl.l, n + 4, (double)l->max);
		}
}

static void family_system(struct export_writer *w, const struct export_data *d)
{
	const char *l[2] = { "kind", "allocated" };

	export_family(w, "nic2app_system_file_handles", EXPORT_GAUGE, NULL,
		      "Open file handles of the whole system (/proc/sys/fs/file-nr): allocated, "
		      "and max (fs.file-max), the limit where open() fails with ENFILE.");
	if (d->files_allocated >= 0) {
		export_sample(w, l, 1, (double)d->files_allocated);
		l[1] = "max";
		export_sample(w, l, 1, (double)d->files_max);
	}
	if (d->listen_overflows >= 0) {
		export_family(w, "nic2app_system_tcp_listen_overflows", EXPORT_COUNTER, NULL,
			      "Times a TCP listener of the exporter's network namespace had its accept "
			      "queue full when a connection completed (TcpExt ListenOverflows): the "
			      "connection was dropped.");
		export_sample(w, NULL, 0, (double)d->listen_overflows);
	}
	if (d->listen_drops >= 0) {
		export_family(w, "nic2app_system_tcp_listen_drops", EXPORT_COUNTER, NULL,
			      "Connection attempts a TCP listener dropped for any reason, overflows "
			      "included (TcpExt ListenDrops).");
		export_sample(w, NULL, 0, (double)d->listen_drops);
	}
}

static void family_scrape(struct export_writer *w, const struct export_data *d,
			  const char *version)
{
	const char *l[2] = { "result", "scanned" };
	const char *v[2] = { "version", version };

	export_family(w, "nic2app_scrape_processes", EXPORT_GAUGE, NULL,
		      "Processes this scrape looked at: scanned, denied (no permission to read "
		      "their fds), vanished (exited meanwhile), skipped (past the scrape deadline).");
	export_sample(w, l, 1, (double)d->scanned);
	l[1] = "denied";
	export_sample(w, l, 1, (double)d->denied);
	l[1] = "vanished";
	export_sample(w, l, 1, (double)d->vanished);
	l[1] = "skipped";
	export_sample(w, l, 1, (double)d->skipped);
	export_family(w, "nic2app_scrape_duration_seconds", EXPORT_GAUGE, "seconds",
		      "How long collecting this scrape's data took.");
	export_sample(w, NULL, 0, d->duration_s);
	export_family(w, "nic2app_build", EXPORT_INFO, NULL, "The nic2app that answers.");
	export_sample(w, v, 1, 1);
}

int export_render(struct strbuf *sb, enum export_format f, const struct export_data *d,
		  const char *version)
{
	struct export_writer w = { .sb = sb, .format = f };

	family_fds(&w, d);
	family_limits(&w, d);
	family_sockets(&w, d);
	family_listeners(&w, d);
	family_system(&w, d);
	if (d->live)
		export_live_families(&w, d->live);
	family_scrape(&w, d, version);
	export_end(&w);
	return sb->err;
}
