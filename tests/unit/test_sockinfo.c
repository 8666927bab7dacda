// SPDX-License-Identifier: MIT
/* test_sockinfo: fd and socket readers against fds this test creates, and address formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "nic2app/fd_brief.h"
#include "nic2app/sockinfo.h"

static void test_fd_brief_kinds(void **state)
{
	char path[] = "/tmp/nic2app-test-XXXXXX", flags[64];
	int p[2], file, sock;
	struct fd_brief b;

	(void)state;
	assert_int_equal(pipe(p), 0);
	file = mkstemp(path);
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(file >= 0 && sock >= 0);

	assert_int_equal(fd_brief_read(p[0], &b), 0);
	assert_string_equal(b.kind, "pipe");
	assert_memory_equal(b.target, "pipe:[", 6);
	assert_string_equal(open_flags_format(b.flags, flags, sizeof(flags)), "O_RDONLY");
	assert_int_equal(fd_brief_read(p[1], &b), 0);
	assert_string_equal(open_flags_format(b.flags, flags, sizeof(flags)), "O_WRONLY");

	assert_int_equal(fd_brief_read(file, &b), 0);
	assert_string_equal(b.kind, "file");
	assert_string_equal(b.target, path);
	assert_string_equal(open_flags_format(b.flags, flags, sizeof(flags)), "O_RDWR");

	assert_int_equal(fd_brief_read(sock, &b), 0);
	assert_string_equal(b.kind, "socket");
	assert_string_equal(open_flags_format(b.flags, flags, sizeof(flags)), "O_RDWR|O_NONBLOCK");

	unlink(path);
	close(file);
	assert_int_equal(fd_brief_read(file, &b), -EBADF); /* now closed */
	assert_false(b.open);
	close(p[0]);
	close(p[1]);
	close(sock);
}

static void test_kind_from_mode(void **state)
{
	(void)state;
	assert_string_equal(fd_kind_from_mode(S_IFCHR, "/dev/null"), "chr");
	assert_string_equal(fd_kind_from_mode(S_IFIFO, "/tmp/fifo"), "fifo");
	assert_string_equal(fd_kind_from_mode(S_IFIFO, "pipe:[123]"), "pipe");
	assert_string_equal(fd_kind_from_mode(S_IFDIR, "/"), "dir");
	assert_string_equal(fd_kind_from_mode(S_IFBLK, "/dev/vda"), "blk");
	assert_string_equal(fd_kind_from_mode(0, "anon_inode:[eventfd]"), "anon");
	assert_string_equal(fd_kind_from_mode(0, "weird"), "unknown");
}

static void test_identity_and_timeouts(void **state)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sock_identity id;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(sock_identity_read(fd, &id), 0);
	assert_int_equal(id.domain, AF_INET6);
	assert_int_equal(id.type, SOCK_DGRAM);
	assert_int_equal(id.protocol, IPPROTO_UDP);
	assert_false(id.nonblocking);
	assert_int_equal(id.rcvtimeo_us, 0);
	assert_int_equal(sockopt_set_timeout_us(fd, SO_RCVTIMEO, 2000000), 0); /* whole ticks */
	assert_int_equal(sock_identity_read(fd, &id), 0);
	assert_int_equal(id.rcvtimeo_us, 2000000);
	close(fd);
	assert_int_equal(sock_identity_read(fd, &id), -EBADF);
}

static void test_sockopt_change_and_tcp_state(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockopt_change c = { "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, 0, 1, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0), udp = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_int_equal(sockopt_change_apply(fd, &c), 0);
	assert_int_equal(c.before, 0);
	assert_int_equal(c.after, 1);
	assert_int_equal(tcp_state_of_fd(fd), TCP_CLOSE);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(tcp_state_of_fd(fd), TCP_LISTEN);
	assert_int_equal(tcp_state_of_fd(udp), -EOPNOTSUPP); /* TCP_INFO is TCP's */
	close(fd);
	close(udp);
}

static void test_address_formats(void **state)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	socklen_t base = offsetof(struct sockaddr_un, sun_path);
	char buf[128];

	(void)state;
	inet_pton(AF_INET, "10.1.2.3", &in.sin_addr);
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	assert_string_equal(sockaddr_format((struct sockaddr *)&in, sizeof(in), buf, sizeof(buf)),
			    "10.1.2.3:80");
	assert_string_equal(sockaddr_format((struct sockaddr *)&in6, sizeof(in6), buf, sizeof(buf)),
			    "[::1]:443");
	strcpy(un.sun_path, "/run/x.sock");
	assert_string_equal(sockaddr_format((struct sockaddr *)&un, base + 12, buf, sizeof(buf)),
			    "/run/x.sock");
	memcpy(un.sun_path, "\0abstract", 9); /* abstract: a NUL, then the name's exact bytes */
	assert_string_equal(sockaddr_format((struct sockaddr *)&un, base + 9, buf, sizeof(buf)),
			    "@abstract");
	assert_string_equal(sockaddr_format((struct sockaddr *)&un, base, buf, sizeof(buf)), "");
	assert_string_equal(sockaddr_format((struct sockaddr *)&un, 1, buf, sizeof(buf)), "");
}

static void test_local_and_peer_names(void **state)
{
	int sv[2];
	char local[64], peer[64];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(sock_local_name(sv[0], local, sizeof(local)), 0);
	assert_int_equal(sock_peer_name(sv[0], peer, sizeof(peer)), 0);
	assert_string_equal(local, ""); /* socketpair ends are unnamed */
	assert_string_equal(peer, "");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_brief_kinds),
		cmocka_unit_test(test_kind_from_mode),
		cmocka_unit_test(test_identity_and_timeouts),
		cmocka_unit_test(test_sockopt_change_and_tcp_state),
		cmocka_unit_test(test_address_formats),
		cmocka_unit_test(test_local_and_peer_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
