// SPDX-License-Identifier: MIT
/*
 * Example 2: monitoring file descriptors.
 *
 * Every socket a program opens takes a slot in its fd table, and the kernel shows that table
 * to anyone allowed to look: /proc/PID/fd lists the fds (each a link naming what it points
 * to, "socket:[INODE]" for a socket), /proc/PID/fdinfo gives each one's offset and flags,
 * and the sock_diag netlink interface (what `ss` uses) says what each socket inode is
 * connected to and in which state. Linux has no notification API for changes to an fd
 * table, so this monitor compares snapshots (an fd opened and closed between two is never
 * seen); tracing sees every change (the syscalls:sys_exit_openat and sys_enter_close
 * tracepoints). This program watches its own table through a TCP socket's life, prints what
 * it sees at each step and what changed since the step before, then how much room is left
 * under its fd limits.
 *
 * Build: make        Run: build/examples/02_fd_monitor
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/fd_diff.h"
#include "nic2app/fd_render.h"
#include "nic2app/fd_scan.h"
#include "nic2app/inet_diag.h"
#include "nic2app/names.h"

static bool colour;

struct monitor {
	struct fd_snapshot first, last; /* step 1, and the latest step after it */
	int step;
};

static void print_sb(struct strbuf *sb)
{
	fputs(strbuf_str(sb), stdout);
	strbuf_reset(sb);
}

static int print_change(enum fd_change c, const struct fd_entry *before,
			const struct fd_entry *after, void *ctx)
{
	static const char marks[] = { [FD_OPENED] = '+', [FD_CLOSED] = '-', [FD_CHANGED] = '~' };
	struct strbuf *sb = ctx;

	strbuf_addf(sb, "    %c ", marks[c]);
	fd_entry_line(sb, after ? after : before);
	if (c == FD_CHANGED && before->sock && after->sock && before->sock->state[0])
		strbuf_addf(sb, " (was %s)", before->sock->state);
	strbuf_addc(sb, '\n');
	return 0;
}

/* Take a snapshot of our own fds, print it, and what changed since the last one. */
static int observe(struct monitor *m, const char *what)
{
	struct strbuf sb = STRBUF_INIT;
	struct fd_snapshot now;
	char title[128];
	int r = fd_snapshot_take("/proc", getpid(), 0, &now);

	if (r < 0) {
		fprintf(stderr, "02_fd_monitor: cannot read /proc/self/fd: %s\n", strerror(-r));
		return r;
	}
	snprintf(title, sizeof(title), "Step %d: %s", ++m->step, what);
	strbuf_addc(&sb, '\n');
	colour_add(&sb, colour, COLOUR_BOLD, title);
	strbuf_addf(&sb, " (%zu fds, read in %.2f ms)\n", now.count, (double)now.elapsed_ns / 1e6);
	fd_tables_render(&sb, &now, FD_TYPES_ALL, NULL, colour, 2);
	if (m->step == 1) {
		m->first = now;
	} else {
		const struct fd_snapshot *before = m->step == 2 ? &m->first : &m->last;

		strbuf_adds(&sb, "  changes since the step before:\n");
		fd_snapshot_diff(before, &now, print_change, &sb);
		if (m->step > 2)
			fd_snapshot_release(&m->last);
		m->last = now;
	}
	print_sb(&sb);
	strbuf_release(&sb);
	return 0;
}

static int count_change(enum fd_change c, const struct fd_entry *before,
			const struct fd_entry *after, void *ctx)
{
	(void)c, (void)before, (void)after;
	++*(size_t *)ctx;
	return 0;
}

/* The fds above 2 we were started with: inherited from the parent, which did not mark them
 * close-on-exec (O_CLOEXEC) or close them. */
static void inherited_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char comm[64] = "?", path[64];
	FILE *f;
	int n = 0;

	if (!d)
		return;
	printf("  inherited:");
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd > 2 && fd != dirfd(d))
			printf("%s %d", n++ ? "," : " fds", fd);
	}
	closedir(d);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	printf("%s, from our parent (pid %d, %s)\n", n ? "" : " none", (int)getppid(), comm);
}

/* Sockets of this port that no fd holds any more: the ends we closed, still in the kernel. */
static int print_fdless(const struct inet_sock *s, void *ctx)
{
	uint16_t port = *(const uint16_t *)ctx;
	char local[64], remote[64];

	if (s->inode == 0 && (s->sport == port || s->dport == port))
		printf("    no fd: %s -> %s %s\n", inet_sock_addr(s, 0, local, sizeof(local)),
		       inet_sock_addr(s, 1, remote, sizeof(remote)), tcp_state_name(s->state));
	return 0;
}

int main(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	struct monitor m = { 0 };
	struct strbuf sb = STRBUF_INIT;
	int tcp[3], accepted[2];
	size_t differences = 0;

	colour = colour_wanted(STDOUT_FILENO);
	printf("Example 2: monitoring file descriptors (process %d)\n", (int)getpid());
	printf("Each step reads /proc/self/fd, /proc/self/fdinfo and sock_diag, as `nic2app fds` does.\n");
	if (observe(&m, "the initial state: what the shell gave us"))
		return 1;
	inherited_fds();

	/* socket() only allocates: no address, no peer; the kernel calls that state CLOSE. */
	for (int i = 0; i < 3; i++)
		if ((tcp[i] = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return perror("socket"), 1;
	observe(&m, "three TCP sockets created");

	/* The first becomes a server on a port the kernel picks; the others connect to it, and
	 * each accept() returns one more fd for the server's end of a connection. */
	if (bind(tcp[0], (struct sockaddr *)&addr, sizeof(addr)) || listen(tcp[0], 8) ||
	    getsockname(tcp[0], (struct sockaddr *)&addr, &len))
		return perror("bind/listen"), 1;
	for (int i = 0; i < 2; i++) {
		if (connect(tcp[1 + i], (struct sockaddr *)&addr, sizeof(addr)) ||
		    (accepted[i] = accept(tcp[0], NULL, NULL)) < 0)
			return perror("connect/accept"), 1;
	}
	observe(&m, "a server on 127.0.0.1 with two accepted clients");

	/* Close one end of each connection: the end still open learns of it from the FIN and
	 * sits in CLOSE_WAIT until it closes too; the closed ends have no fd any more. */
	close(tcp[1]);
	close(accepted[1]);
	usleep(20000); /* let the FINs cross loopback */
	observe(&m, "one end of each connection closed");
	{
		uint16_t port = ntohs(addr.sin_port);

		printf("  sock_diag, the same port:\n");
		inet_diag_dump(AF_INET, IPPROTO_TCP, print_fdless, &port);
	}
	printf("  The closed ends live on with no fd until their peers close too (or for\n"
	       "  net.ipv4.tcp_fin_timeout in FIN_WAIT2). RECV-Q 1 on\n"
	       "  a CLOSE_WAIT end is the peer's FIN: it takes one sequence number, counted as\n"
	       "  unread until a recv() returns 0.\n");

	close(tcp[0]);
	close(tcp[2]);
	close(accepted[0]);
	observe(&m, "everything closed");
	fd_snapshot_diff(&m.first, &m.last, count_change, &differences);
	printf("  back to the initial state: %s\n",
	       differences ? "no (see the changes above)" : "yes, the same fds as at step 1");

	printf("\n");
	colour_add(&sb, colour, COLOUR_BOLD, "Limits and system-wide usage");
	strbuf_addc(&sb, '\n');
	fd_summary_render(&sb, &m.last, FD_TYPES_ALL, colour);
	print_sb(&sb);
	printf("  Every socket and file costs one fd. The soft limit is what open() and socket()\n"
	       "  hit first (EMFILE); a process may raise it up to the hard limit with setrlimit().\n"
	       "  file-max is the kernel's bound on open files across all processes (ENFILE).\n");
	printf("\nWatch any process the same way:\n"
	       "  nic2app fds PID             its fds now, grouped, with every socket resolved\n"
	       "  nic2app fds PID --watch     refreshed every second, changes highlighted\n"
	       "  nic2app fds PID --events    a line for every fd opened, closed or changed\n"
	       "The same with standard tools: ls -l /proc/PID/fd; lsof -p PID; ss -tanp\n");
	fd_snapshot_release(&m.first);
	fd_snapshot_release(&m.last);
	strbuf_release(&sb);
	return 0;
}
