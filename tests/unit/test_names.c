// SPDX-License-Identifier: MIT
/* test_names: the name tables agree with the C library's own constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "nic2app/names.h"

static void test_tcp_states_match_netinet_tcp_h(void **state)
{
	static const struct {
		int value;
		const char *name;
	} want[] = {
		{ TCP_ESTABLISHED, "ESTABLISHED" }, { TCP_SYN_SENT, "SYN_SENT" },
		{ TCP_SYN_RECV, "SYN_RECV" },       { TCP_FIN_WAIT1, "FIN_WAIT1" },
		{ TCP_FIN_WAIT2, "FIN_WAIT2" },     { TCP_TIME_WAIT, "TIME_WAIT" },
		{ TCP_CLOSE, "CLOSE" },             { TCP_CLOSE_WAIT, "CLOSE_WAIT" },
		{ TCP_LAST_ACK, "LAST_ACK" },       { TCP_LISTEN, "LISTEN" },
		{ TCP_CLOSING, "CLOSING" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_string_equal(tcp_state_name(want[i].value), want[i].name);
		assert_int_equal(tcp_state_from_name(want[i].name), want[i].value);
	}
	assert_string_equal(tcp_state_name(0), "UNKNOWN");
	assert_string_equal(tcp_state_name(99), "UNKNOWN");
	assert_string_equal(tcp_state_name(-3), "UNKNOWN");
	assert_int_equal(tcp_state_from_name("NOPE"), -1);
}

static void test_socket_names(void **state)
{
	(void)state;
	assert_string_equal(family_name(AF_INET6), "inet6");
	assert_string_equal(family_constant(AF_UNIX), "AF_UNIX");
	assert_string_equal(family_name(AF_NETLINK), "netlink");
	assert_string_equal(family_name(12345), "other");
	assert_string_equal(socktype_constant(SOCK_SEQPACKET), "SOCK_SEQPACKET");
	assert_string_equal(socktype_name(SOCK_DGRAM), "dgram");
	assert_string_equal(socktype_name(77), "unknown");
	assert_string_equal(ipproto_constant(IPPROTO_UDP), "IPPROTO_UDP");
	assert_string_equal(ipproto_name(IPPROTO_TCP), "tcp");
	assert_string_equal(ipproto_name(0), "default");
	assert_string_equal(ipproto_name(250), "unknown");
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(errno_name(EACCES), "EACCES");
	assert_string_equal(errno_name(ENOENT), "ENOENT");
	assert_string_equal(errno_name(99999), "EUNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_states_match_netinet_tcp_h),
		cmocka_unit_test(test_socket_names),
		cmocka_unit_test(test_errno_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
