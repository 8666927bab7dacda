// SPDX-License-Identifier: MIT
/*
 * test_inet_diag: parse a recorded sock_diag dump (tests/data/inet_diag_tcp4.bin, made by
 * tests/helpers/record_inet_diag) and find in it every socket its manifest lists, with the
 * state and inode the recorder read independently (fstat), plus malformed and error replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/inet_diag.h"
#include "nic2app/names.h"

struct expected {
	char state[32], local[64], remote[64];
	unsigned long inode;
	int found;
};

struct walk {
	struct expected want[8];
	int nwant;
	int total;
};

static int check_row(const struct inet_sock *s, void *ctx)
{
	struct walk *w = ctx;
	char local[64], remote[64];
	int i;

	w->total++;
	inet_sock_addr(s, 0, local, sizeof(local));
	inet_sock_addr(s, 1, remote, sizeof(remote));
	for (i = 0; i < w->nwant; i++) {
		struct expected *e = &w->want[i];

		if (strcmp(e->local, local) == 0 && strcmp(e->remote, remote) == 0) {
			assert_string_equal(tcp_state_name(s->state), e->state);
			assert_int_equal(s->inode, e->inode);
			assert_int_equal(s->family, AF_INET);
			assert_int_equal(s->protocol, IPPROTO_TCP);
			e->found++;
		}
	}
	return 0;
}

static size_t read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

static void test_recorded_dump(void **state)
{
	static char buf[1 << 16];
	struct walk w = { 0 };
	FILE *m;
	size_t n;
	int i;

	(void)state;
	n = read_file("tests/data/inet_diag_tcp4.bin", buf, sizeof(buf));
	m = fopen("tests/data/inet_diag_tcp4.manifest", "r");
	assert_non_null(m);
	while (w.nwant < 8 && fscanf(m, "%31s %63s %63s %lu", w.want[w.nwant].state,
				     w.want[w.nwant].local, w.want[w.nwant].remote,
				     &w.want[w.nwant].inode) == 4)
		w.nwant++;
	fclose(m);
	assert_int_equal(w.nwant, 3);

	assert_int_equal(inet_diag_parse(buf, n, IPPROTO_TCP, check_row, &w), 1); /* NLMSG_DONE seen */
	for (i = 0; i < w.nwant; i++)
		assert_int_equal(w.want[i].found, 1);
	assert_true(w.total >= 3);
}

static int stop_at_first(const struct inet_sock *s, void *ctx)
{
	(void)s;
	++*(int *)ctx;
	return 7;
}

static void test_callback_stops_the_walk(void **state)
{
	static char buf[1 << 16];
	size_t n = read_file("tests/data/inet_diag_tcp4.bin", buf, sizeof(buf));
	int calls = 0;

	(void)state;
	assert_int_equal(inet_diag_parse(buf, n, IPPROTO_TCP, stop_at_first, &calls), 7);
	assert_int_equal(calls, 1);
}

static void test_error_reply_gives_kernel_errno(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *err;

	(void)state;
	nlh->nlmsg_type = NLMSG_ERROR;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -EPERM;
	assert_int_equal(inet_diag_parse(buf, nlh->nlmsg_len, IPPROTO_TCP, NULL, NULL), -EPERM);
}

static void test_truncated_input_is_an_error(void **state)
{
	static char buf[1 << 16];
	size_t n = read_file("tests/data/inet_diag_tcp4.bin", buf, sizeof(buf));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	(void)state;
	assert_true(n > 40);
	/* cut inside the first message: the header says more bytes than there are */
	assert_int_equal(inet_diag_parse(buf, nlh->nlmsg_len - 4, IPPROTO_TCP, NULL, NULL), -EBADMSG);
	/* whole messages followed by stray bytes */
	assert_int_equal(inet_diag_parse(buf, nlh->nlmsg_len + 6, IPPROTO_TCP, NULL, NULL), -EBADMSG);
	/* a message too short to hold an inet_diag_msg */
	nlh->nlmsg_len = sizeof(*nlh) + 4;
	assert_int_equal(inet_diag_parse(buf, nlh->nlmsg_len, IPPROTO_TCP, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_dump),
		cmocka_unit_test(test_callback_stops_the_walk),
		cmocka_unit_test(test_error_reply_gives_kernel_errno),
		cmocka_unit_test(test_truncated_input_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
