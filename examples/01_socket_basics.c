// SPDX-License-Identifier: MIT
/*
 * Example 1: socket and file descriptor basics.
 *
 * A file descriptor (fd) is a small integer naming an entry in this process's table of open
 * files. Sockets are files too: socket() returns an fd, and from then on every operation on
 * the socket is a system call that takes that fd. This program shows, in five parts, what
 * the kernel says about our fds and sockets, and measures what a system call costs here.
 * Nothing it prints is typed in: every value is read back from the kernel or timed now.
 *
 * Build: make        Run: build/examples/01_socket_basics
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/fd_brief.h"
#include "nic2app/lifecycle.h"
#include "nic2app/names.h"
#include "nic2app/render.h"
#include "nic2app/sockinfo.h"
#include "nic2app/syscost.h"
#include "nic2app/sysctl.h"

static bool colour;

static void title(const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	colour_add(&sb, colour, COLOUR_BOLD, text);
	printf("\n%s\n", strbuf_str(&sb));
	strbuf_release(&sb);
}

/* Part 1: fds 0, 1 and 2 exist before main() runs. What do they point to? */
static void standard_fds(void)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	struct fd_brief fd;
	char flags[64];
	int i;

	title("1. The standard file descriptors");
	for (i = 0; i < 3; i++) {
		/* readlink("/proc/self/fd/N") names the file; fcntl(F_GETFL) gives the mode */
		if (fd_brief_read(i, &fd) < 0) {
			printf("  fd %d (%s) is closed\n", i, names[i]);
			continue;
		}
		printf("  fd %d (%-6s) -> %-28s a %s, opened %s\n", i, names[i], fd.target, fd.kind,
		       open_flags_format(fd.flags, flags, sizeof(flags)));
	}
	printf("  Run me as `... < /dev/null | cat` and these lines change: the shell decides.\n");
}

/* Part 2: one socket of each kind, and what the kernel says it is. */
static int socket_kinds(void)
{
	int tcp = socket(AF_INET, SOCK_STREAM, 0);  /* IPv4 + byte stream = TCP */
	int udp = socket(AF_INET, SOCK_DGRAM, 0);   /* IPv4 + datagrams = UDP */
	int unx = socket(AF_UNIX, SOCK_STREAM, 0);  /* a local stream, no network at all */
	int fds[3] = { tcp, udp, unx };
	const char *labels[3] = { "TCP", "UDP", "UNIX" };
	struct sock_identity id;
	int i;

	title("2. Sockets are file descriptors");
	if (tcp < 0 || udp < 0 || unx < 0) {
		perror("socket");
		return -1;
	}
	for (i = 0; i < 3; i++) {
		/* SO_DOMAIN, SO_TYPE and SO_PROTOCOL: the kernel's own record of the socket */
		sock_identity_read(fds[i], &id);
		printf("  %-4s socket() = fd %d: %s, %s, protocol %s; %s, receive timeout %s\n",
		       labels[i], fds[i], family_constant(id.domain), socktype_constant(id.type),
		       ipproto_constant(id.protocol), id.nonblocking ? "non-blocking" : "blocking",
		       id.rcvtimeo_us ? "set" : "none (waits forever)");
	}
	printf("  Each new fd is the lowest number not in use, right after 0, 1 and 2.\n");
	for (i = 0; i < 3; i++)
		close(fds[i]);
	return 0;
}

/* Part 3: set options, then ask the kernel what it actually stored. */
static int socket_options(void)
{
	struct sockopt_change opts[] = {
		{ "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, 0, 1, 0 },
		{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, 0, 1, 0 },
		{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, 0, 1, 0 },
		{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, 0, 65536, 0 },
		{ "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, 0, 65536, 0 },
	};
	struct net_core_limits lim;
	int fd = socket(AF_INET, SOCK_STREAM, 0), big, stored;
	size_t i;

	title("3. Socket options: what you ask for and what you get");
	if (fd < 0 || net_core_limits_read("/proc/sys", &lim) < 0) {
		perror("socket options");
		return -1;
	}
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		/* getsockopt, setsockopt, getsockopt again */
		if (sockopt_change_apply(fd, &opts[i]) < 0) {
			perror(opts[i].name);
			close(fd);
			return -1;
		}
		printf("  %-12s was %7d, asked %7d, kernel stored %7d\n", opts[i].name,
		       opts[i].before, opts[i].requested, opts[i].after);
	}
	if (opts[3].after == 2 * opts[3].requested)
		printf("  SO_RCVBUF came back doubled: the kernel adds room for its own bookkeeping.\n");

	/* ask for more than net.core.rmem_max allows: the kernel quietly caps it */
	big = (int)lim.rmem_max * 4;
	sockopt_set_int(fd, SOL_SOCKET, SO_RCVBUF, big);
	sockopt_get_int(fd, SOL_SOCKET, SO_RCVBUF, &stored);
	printf("  SO_RCVBUF asked %d, stored %d%s (net.core.rmem_max is %ld).\n", big, stored,
	       stored == 2 * lim.rmem_max ? ": capped at twice the limit" : "", lim.rmem_max);
	printf("  /proc/sys/net/core: rmem_default %ld, wmem_default %ld, wmem_max %ld, somaxconn %ld\n",
	       lim.rmem_default, lim.wmem_default, lim.wmem_max, lim.somaxconn);
	close(fd);
	return 0;
}

/* Part 4: the lifecycle. The library makes each call and then asks the kernel for the state
 * of every socket involved; we print as it goes. */
static int print_step(const struct lifecycle *lc, const struct lifecycle_step *st, void *ctx)
{
	const struct lifecycle_sock *k;
	size_t i;

	(void)lc;
	(void)ctx;
	printf("  %-36s %-8s -> %s", st->call, st->role,
	       st->state < 0 ? "gone" : tcp_state_name(st->state));
	if (strcmp(st->source, "TCP_INFO") != 0)
		printf(" (fd closed; as sock_diag sees it)");
	/* sockets no fd holds: the accept queue, TIME_WAIT */
	for (i = 0; i < st->nkernel; i++) {
		k = &st->kernel[i];
		if (k->inode == 0)
			printf("  [kernel, no fd: %s %s]", k->role, tcp_state_name(k->state));
	}
	printf("\n");
	return 0;
}

static int socket_lifecycle(void)
{
	struct lifecycle lc;
	int err;

	title("4. The socket lifecycle, with the state the kernel reports after each call");
	err = lifecycle_run(&lc, print_step, NULL);
	if (err < 0) {
		fprintf(stderr, "lifecycle: %s\n", strerror(-err));
		return -1;
	}
	printf("  Notice: the connection is ESTABLISHED in the kernel before accept() returns;\n"
	       "  accept() only hands out an fd for it. The client, which sent the first FIN,\n"
	       "  is left in TIME_WAIT: the kernel keeps that entry after close(), so stray\n"
	       "  packets of this connection cannot be mistaken for a new one.\n");
	return 0;
}

/* Part 5: what does crossing into the kernel cost? */
static int syscall_cost(void)
{
	struct syscost_result r[SYSCOST_NOPS];
	struct strbuf bar = STRBUF_INIT;
	double max = 0;
	int i;

	title("5. What a system call costs on this machine");
	for (i = 0; i < SYSCOST_NOPS; i++) {
		if (syscost_measure(i, 2000, 0, &r[i]) < 0) {
			perror("syscost");
			return -1;
		}
		if (r[i].ns.p50 > max)
			max = r[i].ns.p50;
	}
	for (i = 0; i < SYSCOST_NOPS; i++) {
		strbuf_reset(&bar);
		bar_add(&bar, r[i].ns.p50, max, 20);
		printf("  %-30s p50 %8.1f ns  p99 %8.1f ns  %5.0fx a call  %s\n", r[i].what,
		       r[i].ns.p50, r[i].ns.p99, r[i].ns.p50 / r[SYSCOST_FUNCTION_CALL].ns.p50, strbuf_str(&bar));
	}
	strbuf_release(&bar);
	printf("  The module says a system call costs ~100-300 ns. Here getppid takes %.0f ns:\n"
	       "  %.0f times a plain function call. Each number is the mean of a batch of\n"
	       "  consecutive calls, so the clock's own cost is spread out.\n",
	       r[SYSCOST_GETPPID].ns.p50, r[SYSCOST_GETPPID].ns.p50 / r[SYSCOST_FUNCTION_CALL].ns.p50);
	return 0;
}

int main(void)
{
	colour = colour_wanted(STDOUT_FILENO);
	setvbuf(stdout, NULL, _IOLBF, 0); /* show each line as soon as it is measured */
	printf("Example 1: socket and file descriptor basics\n");
	standard_fds();
	if (socket_kinds() || socket_options() || socket_lifecycle() || syscall_cost())
		return 1;
	return 0;
}
