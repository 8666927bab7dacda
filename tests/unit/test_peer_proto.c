// SPDX-License-Identifier: MIT
/* test_peer_proto: the hello, frame headers and HOST:PORT addresses of `nic2app serve`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "nic2app/peer_proto.h"

static void test_hello_round_trip(void **state)
{
	unsigned char h[PEER_HELLO_LEN];
	enum peer_mode mode = PEER_SINK;

	(void)state;
	peer_hello_build(PEER_ECHO, h);
	assert_memory_equal(h, "N2A1E\0\0\0", PEER_HELLO_LEN);
	assert_int_equal(peer_hello_parse(h, &mode), 0);
	assert_int_equal(mode, PEER_ECHO);
	peer_hello_build(PEER_SINK, h);
	assert_memory_equal(h, "N2A1S\0\0\0", PEER_HELLO_LEN);
	assert_int_equal(peer_hello_parse(h, &mode), 0);
	assert_int_equal(mode, PEER_SINK);
}

static void test_hello_rejections(void **state)
{
	static const char *const bad[] = {
		"N2A2E\0\0\0",  /* another version */
		"n2a1E\0\0\0",  /* the magic is case-sensitive */
		"N2A1X\0\0\0",  /* unknown mode */
		"N2A1e\0\0\0",
		"N2A1\0\0\0\0", /* no mode */
		"N2A1E\0\0\1",  /* the padding must be zero */
		"N2A1E\1\0\0",
		"GET / HT",     /* what a browser would send */
		"\0\0\0\0\0\0\0\0",
	};
	enum peer_mode mode = PEER_SINK;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(peer_hello_parse((const unsigned char *)bad[i], &mode), -EPROTO);
		assert_int_equal(mode, PEER_SINK); /* untouched */
	}
}

static void test_frame_header(void **state)
{
	static const struct {
		uint32_t len;
		int want;
	} cases[] = {
		{ 0, -EPROTO },
		{ 1, 0 },
		{ 1000, 0 },
		{ PEER_MAX_FRAME, 0 },
		{ PEER_MAX_FRAME + 1, -EMSGSIZE },
		{ 0x01000000, -EMSGSIZE },
		{ 0xffffffff, -EMSGSIZE },
	};
	unsigned char h[PEER_FRAME_HEADER];
	uint32_t len;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		peer_frame_header(cases[i].len, h);
		len = 12345;
		assert_int_equal(peer_frame_parse(h, &len), cases[i].want);
		assert_int_equal(len, cases[i].want ? 12345 : cases[i].len);
	}
	peer_frame_header(0x01020304, h); /* big-endian on the wire */
	assert_memory_equal(h, "\x01\x02\x03\x04", 4);
	peer_frame_header(PEER_MAX_FRAME, h);
	assert_memory_equal(h, "\x00\x01\x00\x00", 4);
}

/* Parse text and format it back; "" when it is refused. */
static void parse_format(const char *text, char *out, size_t size)
{
	struct sockaddr_storage a;
	socklen_t len = 0;

	memset(&a, 0xa5, sizeof(a));
	if (peer_addr_parse(text, "127.0.0.1", &a, &len) < 0) {
		unsigned char untouched[sizeof(a)];

		memset(untouched, 0xa5, sizeof(untouched));
		assert_memory_equal(&a, untouched, sizeof(a)); /* nothing set */
		assert_int_equal(len, 0);
		out[0] = 0;
		return;
	}
	assert_int_equal(len, a.ss_family == AF_INET ? sizeof(struct sockaddr_in)
						     : sizeof(struct sockaddr_in6));
	peer_addr_format((struct sockaddr *)&a, out, size);
}

static void test_addr_good(void **state)
{
	static const char *const cases[][2] = {
		{ "127.0.0.1:7701", "127.0.0.1:7701" },
		{ "0.0.0.0:0", "0.0.0.0:0" },
		{ "10.1.2.3:65535", "10.1.2.3:65535" },
		{ "7701", "127.0.0.1:7701" }, /* a port alone: the default host */
		{ "0", "127.0.0.1:0" },
		{ "[::1]:7701", "[::1]:7701" },
		{ "[::]:80", "[::]:80" },
		{ "[fe80::1:2]:1", "[fe80::1:2]:1" },
		{ "[::ffff:1.2.3.4]:9", "[::ffff:1.2.3.4]:9" },
		{ "1.2.3.4:080", "1.2.3.4:80" },
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_format(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
}

static void test_addr_bad(void **state)
{
	static const char *const cases[] = {
		"", ":", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:+80", "1.2.3.4: 80",
		" 80", "host:80", "localhost:7701", "[::1", "[::1]", "[::1]:", "::1", "1:2:3:80",
		"::1:80", "[]:80", "[1.2.3.4]:80", "1.2.3.4", "1.2.3:80", "1.2.3.4:80:", "1.2.3.4:8o",
		"1.2.3.4:99999999999999999999", "[::1]x:80", "x[::1]:80",
		"[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]:80",
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_format(cases[i], out, sizeof(out));
		if (out[0])
			fail_msg("'%s' was taken as %s", cases[i], out);
	}
}

static void test_addr_default_host(void **state)
{
	struct sockaddr_storage a;
	socklen_t len;
	char out[64];

	(void)state;
	assert_int_equal(peer_addr_parse("5", "::1", &a, &len), 0);
	peer_addr_format((struct sockaddr *)&a, out, sizeof(out));
	assert_string_equal(out, "[::1]:5");
	assert_int_equal(peer_addr_parse("5", "nowhere", &a, &len), -EINVAL);
}

static void test_addr_format(void **state)
{
	struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons(45678) };
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons(1) };
	char out[64], small[8];

	(void)state;
	v4.sin_addr.s_addr = htonl(0x7f000001);
	peer_addr_format((struct sockaddr *)&v4, out, sizeof(out));
	assert_string_equal(out, "127.0.0.1:45678");
	inet_pton(AF_INET6, "2001:db8::42", &v6.sin6_addr);
	peer_addr_format((struct sockaddr *)&v6, out, sizeof(out));
	assert_string_equal(out, "[2001:db8::42]:1");
	peer_addr_format((struct sockaddr *)&v4, small, sizeof(small)); /* cut, still a string */
	assert_string_equal(small, "127.0.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_round_trip),
		cmocka_unit_test(test_hello_rejections),
		cmocka_unit_test(test_frame_header),
		cmocka_unit_test(test_addr_good),
		cmocka_unit_test(test_addr_bad),
		cmocka_unit_test(test_addr_default_host),
		cmocka_unit_test(test_addr_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
