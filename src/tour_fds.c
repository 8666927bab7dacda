// SPDX-License-Identifier: MIT
/*
 * tour_fds: the tour's first two screens, file descriptors and sockets at the system level,
 * read from this process (/proc/self/fd, fcntl) and from one TCP connection made now
 * (lib/sock/lifecycle.c: TCP_INFO and sock_diag after every call).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/fd_brief.h"
#include "nic2app/lifecycle.h"
#include "nic2app/names.h"
#include "nic2app/render.h"
#include "nic2app/sockinfo.h"
#include "sockets_report.h"
#include "tour.h"

#define MAX_FDS 32

/* Our open fds, lowest first (without the one reading the directory); their count. */
static size_t list_fds(int *fds, size_t max, size_t *total)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t n = 0;

	*total = 0;
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		++*total;
		if (n < max)
			fds[n++] = fd;
	}
	closedir(d);
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful of numbers */
		for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int t = fds[j];

			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	return n;
}

/* "bash (pid 123)": who started us, and so chose our standard and inherited fds. */
static void parent_name(char *buf, size_t len)
{
	char path[64], comm[32] = "?";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(buf, len, "%s (pid %d)", comm, (int)getppid());
}

static void fd_row(struct table *t, int fd, const char *note)
{
	char num[16], flags[64];
	struct fd_brief b;

	snprintf(num, sizeof(num), "%d", fd);
	if (fd_brief_read(fd, &b) < 0)
		return;
	table_add_row(t, (const char *const[]){ num, b.target,
					       open_flags_format(b.flags, flags, sizeof(flags)),
					       note });
}

int tour_fds(struct strbuf *sb, bool colour, struct tour_facts *f)
{
	static const char *const hdr[] = { ">FD", "POINTS TO", "FLAGS", "" };
	int before[MAX_FDS], fds[MAX_FDS], sock, copy, fl;
	size_t nbefore, n, total, i;
	char parent[64], inherited[128] = "";
	struct table t;

	nbefore = list_fds(before, MAX_FDS, &total);
	f->inherited = total > 3 ? total - 3 : 0;
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	copy = fcntl(sock, F_DUPFD_CLOEXEC, 0); /* dup(): a second number for the same file */
	if (copy < 0 || (fl = fcntl(copy, F_GETFL)) < 0 || fcntl(copy, F_SETFL, fl | O_NONBLOCK) < 0) {
		int err = -errno;

		close(sock);
		if (copy >= 0)
			close(copy);
		return err;
	}
	n = list_fds(fds, MAX_FDS, &total);
	f->socket_fd = sock;
	f->fds_open = total;
	if (table_init(&t, 4, hdr) < 0)
		goto out_close;
	for (i = 0; i < n; i++) {
		bool was_there = false;

		for (size_t k = 0; k < nbefore; k++)
			was_there |= before[k] == fds[i];
		fd_row(&t, fds[i], fds[i] == sock ? "socket()" : fds[i] == copy ? "dup() of the socket"
				   : fds[i] > 2 && was_there ? "inherited" : "");
		if (fds[i] > 2 && was_there)
			snprintf(inherited + strlen(inherited), sizeof(inherited) - strlen(inherited),
				 "%s%d", inherited[0] ? ", " : "", fds[i]);
	}
	tour_title(sb, colour, "1. File descriptors");
	table_render(&t, sb, colour, 2);
	table_release(&t);
	parent_name(parent, sizeof(parent));
	strbuf_addf(sb,
		    "POINTS TO: readlink(/proc/self/fd/N). FLAGS: fcntl(F_GETFL). 0, 1, 2 are stdin,\n"
		    "stdout, stderr by convention; %s chose their targets", parent);
	if (inherited[0])
		strbuf_addf(sb, " and passed\nfds %s on (it did not set O_CLOEXEC)", inherited);
	strbuf_addf(sb,
		    ". socket() took the lowest free\nnumber. Fd %d, its dup(), is the same open file: "
		    "O_NONBLOCK, set through fd %d only,\nshows on both (open(2)). No event reports "
		    "changes to this table; tracing the\nopenat and close system calls sees each one.\n"
		    "Standard tools: ls -l /proc/PID/fd; lsof -p PID\n", copy, copy);
out_close:
	close(copy);
	close(sock);
	return 0;
}

/* A cell: the role's fd and state (TCP_INFO), the listener's accept queue, or what
 * sock_diag says when no fd holds the socket. */
static void role_cell(const struct lifecycle_step *st, const char *role, char *buf, size_t len)
{
	const struct lifecycle_sock *fd = NULL, *k = NULL;

	for (size_t i = 0; i < st->nfds; i++)
		if (strcmp(st->fds[i].role, role) == 0)
			fd = &st->fds[i];
	for (size_t i = 0; i < st->nkernel; i++)
		if (strcmp(st->kernel[i].role, role) == 0)
			k = &st->kernel[i];
	if (fd && k && k->state == TCP_LISTEN)
		snprintf(buf, len, "%d LISTEN q%u/%u", fd->fd, k->rqueue, k->wqueue);
	else if (fd && (!k || k->state == fd->state))
		snprintf(buf, len, "%d %s", fd->fd, lifecycle_state_label(fd->state));
	else if (fd)
		snprintf(buf, len, "%d %s", fd->fd, tcp_state_name(k->state));
	else
		snprintf(buf, len, k ? "no fd: %s" : "-", k ? tcp_state_name(k->state) : "");
}

/* The steps worth a row on one screen: from listen() on, without the data transfer. */
static bool shown(const struct lifecycle_step *st)
{
	static const char *const skip[] = { "socket", "bind", "send" };

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(st->step, skip[i]) == 0)
			return false;
	return strcmp(st->step, "recv") != 0;
}

int tour_sockets(struct strbuf *sb, bool colour, struct tour_facts *f)
{
	static const char *const hdr[] = { "CALL", "LISTENER", "CLIENT", "SERVER END" };
	struct socket_basics b;
	struct lifecycle lc;
	struct table t;
	int err;

	(void)f;
	if ((err = lifecycle_run(&lc, NULL, NULL)) < 0 || (err = socket_basics_collect(&b)) < 0 ||
	    (err = table_init(&t, 4, hdr)) < 0)
		return err;
	for (size_t i = 0; i < lc.nsteps; i++) {
		const struct lifecycle_step *st = &lc.steps[i];
		char l[48], c[48], a[48];

		if (!shown(st))
			continue;
		role_cell(st, "listener", l, sizeof(l));
		role_cell(st, "client", c, sizeof(c));
		role_cell(st, "accepted", a, sizeof(a));
		table_add_row(&t, (const char *const[]){ st->call, l, c, a });
	}
	tour_title(sb, colour, "2. Sockets at the system level");
	strbuf_addf(sb, "After %s and bind(),\nthe states the kernel reported:\n",
		    lc.steps[0].call);
	table_render(&t, sb, colour, 2);
	table_release(&t);
	strbuf_adds(sb,
		    "q N/B: the accept queue (ss -ltn: Recv-Q N waiting, Send-Q B backlog). The\n"
		    "kernel made the connection without the server; accept() only dequeued it (it\n"
		    "blocks on an empty queue). Both ends ESTABLISHED before connect() returned: a\n"
		    "loopback effect.\n");
	sockets_render_lifecycle_notes(sb, &lc, "");
	strbuf_addf(sb,
		    "SO_RCVBUF asked %d, stored %d: capped at rmem_max, doubled for bookkeeping;\n"
		    "TCP's own tuning of it stops. Standard tools: ss -tan; ss -ltn; ss -tmi\n",
		    b.opts[3].requested, b.opts[3].after);
	return 0;
}
