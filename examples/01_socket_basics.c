// SPDX-License-Identifier: MIT
/*
 * Example 1: socket and file descriptor basics.
 *
 * A file descriptor (fd) is a small integer naming an entry in this process's table of open
 * files. Sockets are files too: socket() returns an fd, and every later operation on the
 * socket is a system call that takes that fd. Part 4 is the lesson: one TCP connection made
 * call by call, as a server and a client in one program, each call checked the way real code
 * checks it. After each call the library reads back what the kernel made of it (TCP_INFO on
 * the fd; sock_diag, what `ss` reads, for sockets no fd holds). Nothing printed is typed in.
 *
 * Build: make        Run: build/examples/01_socket_basics        See also: ss -tan, ss -ltn
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/fd_brief.h"
#include "nic2app/inet_diag.h"
#include "nic2app/names.h"
#include "nic2app/sockinfo.h"
#include "nic2app/syscost.h"
#include "nic2app/sysctl.h"

static uint16_t port; /* the server's port, once bind() has chosen it */

/* Part 1: fds 0, 1 and 2 exist before main() runs. What do they point to? */
static void standard_fds(void)
{
	struct fd_brief fd;
	char flags[64];

	printf("\n1. The standard file descriptors (0, 1, 2 by convention)\n");
	for (int i = 0; i < 3; i++) {
		/* readlink("/proc/self/fd/N") names the file; fcntl(F_GETFL) gives the mode */
		if (fd_brief_read(i, &fd) < 0) {
			printf("  fd %d is closed\n", i);
			continue;
		}
		printf("  fd %d -> %-28s a %s, opened %s\n", i, fd.target, fd.kind,
		       open_flags_format(fd.flags, flags, sizeof(flags)));
	}
	printf("  Whoever started us chose these: run me with `< /dev/null | cat` and they change.\n");
}

/* Part 2: a socket is an fd; the kernel says what kind of socket it is. */
static int socket_kinds(void)
{
	static const struct { const char *label; int domain, type; } kinds[] = {
		{ "TCP", AF_INET, SOCK_STREAM }, { "UDP", AF_INET, SOCK_DGRAM },
		{ "UNIX", AF_UNIX, SOCK_STREAM },
	};
	struct sock_identity id;
	int fds[3];

	printf("\n2. Sockets are file descriptors\n");
	for (int i = 0; i < 3; i++) {
		fds[i] = socket(kinds[i].domain, kinds[i].type | SOCK_CLOEXEC, 0);
		if (fds[i] < 0) {
			perror("socket");
			return -1;
		}
		sock_identity_read(fds[i], &id); /* SO_DOMAIN, SO_TYPE, SO_PROTOCOL */
		printf("  %-4s socket() = fd %d: %s, %s, protocol %s\n", kinds[i].label, fds[i],
		       family_constant(id.domain), socktype_constant(id.type),
		       ipproto_constant(id.protocol));
	}
	printf("  Each socket() returned the lowest fd number not in use.\n");
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	return 0;
}

/* Part 3: ask for a receive buffer, then read back what the kernel stored. */
static int buffer_sizes(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), before, after;
	long rmem_max, tcp_rmem[3];

	printf("\n3. Socket options: what you ask for and what you get\n");
	if (fd < 0 || sockopt_get_int(fd, SOL_SOCKET, SO_RCVBUF, &before) ||
	    sockopt_set_int(fd, SOL_SOCKET, SO_RCVBUF, 100000) ||
	    sockopt_get_int(fd, SOL_SOCKET, SO_RCVBUF, &after) ||
	    sysctl_read_long("/proc/sys", "net/core/rmem_max", &rmem_max) ||
	    sysctl_read_longs("/proc/sys", "net/ipv4/tcp_rmem", tcp_rmem, 3) != 3) {
		perror("SO_RCVBUF");
		return -1;
	}
	close(fd);
	printf("  SO_RCVBUF was %d (net.ipv4.tcp_rmem[1] = %ld), asked 100000, stored %d.\n",
	       before, tcp_rmem[1], after);
	printf("  The kernel caps the request at net.core.rmem_max (%ld), then doubles it for\n"
	       "  its bookkeeping (socket(7)); TCP's automatic tuning of this buffer is now off.\n",
	       rmem_max);
	return 0;
}

/* What the kernel says about fd (TCP_INFO), and about this connection's sockets no fd holds
 * (sock_diag: the accept queue, TIME_WAIT). */
static int fdless(const struct inet_sock *s, void *ctx)
{
	(void)ctx;
	if (s->state == TCP_LISTEN && s->sport == port && s->rqueue > 0)
		printf("  [accept queue: %u of %u]", s->rqueue, s->wqueue); /* ss -ltn */
	if (s->inode == 0 && (s->sport == port || s->dport == port))
		printf("  [no fd: %s]", tcp_state_name(s->state));
	return 0;
}

static void show(const char *call, int fd)
{
	if (fd >= 0)
		printf("  %-24s fd %d %-11s", call, fd, tcp_state_name(tcp_state_of_fd(fd)));
	else
		printf("  %-24s %-16s", call, "no fds left");
	inet_diag_dump(AF_INET, IPPROTO_TCP, fdless, NULL);
	printf("\n");
}

/* send() may take fewer bytes than asked (a full send buffer) or be interrupted by a
 * signal before it takes any (EINTR): loop until all are sent. */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL); /* EPIPE, not SIGPIPE */

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Part 4: the lifecycle, every call made here, in order. */
static int lifecycle(void)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
	struct sockaddr_in addr, server = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int one = 1, lfd, cfd, afd, err;
	char buf[64];
	ssize_t n;

	printf("\n4. The socket lifecycle, made call by call; after each: the kernel's state\n");
	/* the address to listen on, in network byte order; service "0": any free port */
	if ((err = getaddrinfo("127.0.0.1", "0", &hints, &ai)) != 0) {
		fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(err));
		return -1;
	}
	lfd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (lfd < 0)
		return perror("socket"), freeaddrinfo(ai), -1;
	show("socket()", lfd);
	/* a restarted server can bind its port while old connections sit in TIME_WAIT */
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&addr, &len) < 0)
		return perror("bind"), freeaddrinfo(ai), -1;
	freeaddrinfo(ai);
	port = ntohs(addr.sin_port); /* the kernel chose it; network to host byte order */
	show("bind(127.0.0.1:0)", lfd);
	if (listen(lfd, 8) < 0) /* passive: the kernel now completes handshakes for us */
		return perror("listen"), -1;
	show("listen(backlog 8)", lfd);

	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		return perror("socket"), -1;
	show("socket() [client]", cfd);
	/* addresses and ports travel in network byte order (big-endian): htons, htonl */
	server.sin_port = htons(port);
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(cfd, (struct sockaddr *)&server, sizeof(server)) < 0)
		return perror("connect"), -1;
	show("connect()", cfd); /* the kernel did the handshake; nobody has accepted yet */
	while ((afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0 && errno == EINTR)
		; /* a signal interrupted the wait: wait again */
	if (afd < 0)
		return perror("accept"), -1;
	show("accept() [new fd]", afd);

	if (send_all(cfd, "hello", 5) < 0)
		return perror("send"), -1;
	show("send(\"hello\")", cfd);
	while ((n = recv(afd, buf, sizeof(buf), 0)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return perror("recv"), -1;
	printf("  recv() = %zd bytes, copied into buf\n", n);
	if (shutdown(cfd, SHUT_WR) < 0) /* the client's FIN: "I will send no more" */
		return perror("shutdown"), -1;
	show("shutdown(SHUT_WR)", cfd);
	show("  ... the server end", afd);
	if (recv(afd, buf, sizeof(buf), 0) != 0) /* 0 bytes: end of file, the FIN */
		return perror("recv"), -1;
	close(afd);
	show("close() [server end]", cfd);
	close(cfd);
	close(lfd);
	show("close() [client, listener]", -1);
	printf("  accept() only took a connection the kernel had completed off the queue (it\n"
	       "  blocks when the queue is empty). The client, which sent the first FIN, keeps\n"
	       "  a TIME_WAIT entry for 60 s with no fd, to resend its last ACK if needed.\n");
	return 0;
}

/* Part 5: what crossing into the kernel costs: one figure, getppid's. */
static int syscall_cost(void)
{
	struct syscost_result call, sys, vdso;

	printf("\n5. What a system call costs on this machine (p50 of batches)\n");
	if (syscost_measure(SYSCOST_FUNCTION_CALL, 2000, 0, &call) < 0 ||
	    syscost_measure(SYSCOST_GETPPID, 2000, 0, &sys) < 0 ||
	    syscost_measure(SYSCOST_CLOCK_VDSO, 2000, 0, &vdso) < 0) {
		perror("syscost");
		return -1;
	}
	printf("  a function call %.1f ns; a system call (getppid) %.0f ns, %.0f times more;\n"
	       "  clock_gettime() %.0f ns: the vDSO answers it in user space, no system call.\n"
	       "  A system call switches the CPU to kernel mode and back in the same task: it is\n"
	       "  not a context switch. The module's typical figure: ~100-300 ns.\n",
	       call.ns.p50, sys.ns.p50, sys.ns.p50 / call.ns.p50, vdso.ns.p50);
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* show each line as soon as it is measured */
	printf("Example 1: socket and file descriptor basics\n");
	standard_fds();
	if (socket_kinds() || buffer_sizes() || lifecycle() || syscall_cost())
		return 1;
	printf("\nThe same with standard tools: ls -l /proc/PID/fd; ss -tan; ss -ltn; strace -c\n");
	return 0;
}
