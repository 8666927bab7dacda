// SPDX-License-Identifier: MIT
/* test_peer_server: opening and closing the server: one port for TCP and UDP, failures that
 * leave nothing open, a stop flag already set. Its traffic is tests/e2e/test_serve.py's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nic2app/peer_proto.h"
#include "nic2app/peer_server.h"

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void config(struct peer_server_config *c, const char *addr)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(peer_addr_parse(addr, "127.0.0.1", &c->addr, &c->addr_len), 0);
}

static int bound_port(int fd, int type)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int t;

	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	len = sizeof(t);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &len), 0);
	assert_int_equal(t, type);
	return ntohs(a.sin_port);
}

static void test_one_port_for_both(void **state)
{
	struct peer_server_config c;
	struct peer_server s;
	int port;

	(void)state;
	config(&c, "127.0.0.1:0");
	assert_int_equal(peer_server_open(&s, &c), 0);
	port = peer_server_port(&s);
	assert_true(port > 0);
	assert_int_equal(bound_port(s.tcp_fd, SOCK_STREAM), port);
	assert_int_equal(bound_port(s.udp_fd, SOCK_DGRAM), port);
	assert_int_equal(s.cfg.max_connections, PEER_SERVER_MAX_CONNECTIONS); /* 0: the default */
	assert_int_equal(s.cfg.idle_timeout_ms, PEER_SERVER_IDLE_MS);
	peer_server_close(&s);
	peer_server_close(&s); /* twice is harmless */
}

static void test_taken_port_leaves_nothing(void **state)
{
	struct peer_server_config c;
	struct peer_server a, b;
	char addr[32];
	int before;

	(void)state;
	config(&c, "127.0.0.1:0");
	assert_int_equal(peer_server_open(&a, &c), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", peer_server_port(&a));
	config(&c, addr);
	before = open_fds();
	assert_int_equal(peer_server_open(&b, &c), -EADDRINUSE);
	assert_int_equal(open_fds(), before);
	peer_server_close(&b); /* after a failed open: harmless too */
	peer_server_close(&a);
}

static void test_bad_family(void **state)
{
	struct peer_server_config c = { .addr_len = sizeof(struct sockaddr) };
	struct peer_server s;
	int before = open_fds();

	(void)state;
	c.addr.ss_family = AF_UNIX;
	assert_int_equal(peer_server_open(&s, &c), -EAFNOSUPPORT);
	assert_int_equal(open_fds(), before);
}

static void test_stop_already_set(void **state)
{
	volatile sig_atomic_t stop = 1;
	struct peer_server_config c;
	struct peer_server s;
	int r;

	(void)state;
	config(&c, "[::1]:0");
	c.stop = &stop;
	c.max_connections = 3;
	c.idle_timeout_ms = 10;
	r = peer_server_open(&s, &c);
	if (r == -EADDRNOTAVAIL || r == -EAFNOSUPPORT)
		skip(); /* no IPv6 here */
	assert_int_equal(r, 0);
	assert_int_equal(s.cfg.max_connections, 3);
	assert_int_equal(peer_server_run(&s), 0);
	peer_server_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_port_for_both),
		cmocka_unit_test(test_taken_port_leaves_nothing),
		cmocka_unit_test(test_bad_family),
		cmocka_unit_test(test_stop_already_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
