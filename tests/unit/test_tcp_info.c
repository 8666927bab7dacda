// SPDX-License-Identifier: MIT
/*
 * test_tcp_info: replies to an inet_diag dump with INET_DIAG_INFO and INET_DIAG_CONG, built
 * here the way the kernel lays them out (inet_diag_msg, then the attributes), parsed back:
 * every value comes out where it went in, a shorter struct tcp_info (an older kernel) marks
 * what it lacks as unknown, a socket without an inode is skipped, a cut attribute is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>

#include "nic2app/tcp_info.h"

/* One SOCK_DIAG_BY_FAMILY message for socket inode, with info_len bytes of info. */
static size_t put_socket(char *buf, uint32_t inode, const struct tcp_info *info,
			 size_t info_len, const char *cong)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_msg *m;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = AF_INET;
	m->idiag_state = 1; /* ESTABLISHED */
	m->idiag_timer = 2; /* keepalive */
	m->idiag_retrans = 3;
	m->idiag_expires = 7199000;
	m->idiag_inode = inode;
	if (info)
		mnl_attr_put(nlh, INET_DIAG_INFO, info_len, info);
	if (cong)
		mnl_attr_put_strz(nlh, INET_DIAG_CONG, cong);
	return nlh->nlmsg_len;
}

static size_t put_done(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *err = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	nlh->nlmsg_type = NLMSG_DONE;
	*err = 0;
	return nlh->nlmsg_len;
}

static struct tcp_info sample(void)
{
	struct tcp_info i;

	memset(&i, 0, sizeof(i));
	i.tcpi_rtt = 24;
	i.tcpi_rttvar = 9;
	i.tcpi_snd_cwnd = 13;
	i.tcpi_snd_mss = 47616;
	i.tcpi_rto = 204000;
	i.tcpi_retrans = 1;
	i.tcpi_total_retrans = 7;
	i.tcpi_snd_ssthresh = 0x7fffffff;
	i.tcpi_bytes_acked = 100001;
	i.tcpi_bytes_received = 5;
	i.tcpi_delivery_rate = 4328727272;
	i.tcpi_delivery_rate_app_limited = 1;
	i.tcpi_bytes_sent = 100000;
	return i;
}

static void test_values_come_back(void **state)
{
	static char buf[8192];
	struct tcp_info_table t = { 0 };
	struct tcp_info i = sample();
	const struct sock_tcp_info *s;
	size_t n = 0;

	(void)state;
	n += put_socket(buf + n, 4242, &i, sizeof(i), "cubic");
	n += put_socket(buf + n, 0, &i, sizeof(i), "cubic"); /* TIME_WAIT-like: no inode */
	n += put_socket(buf + n, 17, NULL, 0, NULL);          /* the timer only */
	n += put_done(buf + n);
	assert_int_equal(tcp_info_parse(buf, n, &t), 1);
	assert_int_equal(t.count, 2);
	tcp_info_table_sort(&t);
	assert_null(tcp_info_find(&t, 0));
	s = tcp_info_find(&t, 4242);
	assert_non_null(s);
	assert_string_equal(s->cong, "cubic");
	assert_int_equal(s->timer, TCP_TIMER_KEEPALIVE);
	assert_string_equal(tcp_timer_name(s->timer), "keepalive");
	assert_int_equal(s->timer_retrans, 3);
	assert_int_equal(s->timer_expires_ms, 7199000);
	assert_int_equal(s->rtt_us, 24);
	assert_int_equal(s->rttvar_us, 9);
	assert_int_equal(s->snd_cwnd, 13);
	assert_int_equal(s->snd_mss, 47616);
	assert_int_equal(s->rto_us, 204000);
	assert_int_equal(s->retrans, 1);
	assert_int_equal(s->total_retrans, 7);
	assert_int_equal(s->snd_ssthresh, TCP_SSTHRESH_INFINITE);
	assert_int_equal(s->bytes_acked, 100001);
	assert_int_equal(s->bytes_received, 5);
	assert_int_equal(s->delivery_rate, 4328727272ull);
	assert_true(s->app_limited);
	assert_int_equal(s->bytes_sent, 100000);
	assert_int_equal(s->known, TCPI_KNOWN_INFO | TCPI_KNOWN_RATES | TCPI_KNOWN_MIN_RTT |
			 TCPI_KNOWN_DELIVERY | TCPI_KNOWN_BYTES_SENT);
	s = tcp_info_find(&t, 17);
	assert_non_null(s);
	assert_int_equal(s->known, 0);
	assert_string_equal(s->cong, "");
	tcp_info_table_release(&t);
}

static void test_older_kernel_struct(void **state)
{
	static char buf[8192];
	struct tcp_info_table t = { 0 };
	struct tcp_info i = sample();
	size_t n, cut = offsetof(struct tcp_info, tcpi_delivery_rate);

	(void)state;
	/* a 4.6 kernel's struct ends before tcpi_delivery_rate */
	n = put_socket(buf, 9, &i, cut, "reno");
	n += put_done(buf + n);
	assert_int_equal(tcp_info_parse(buf, n, &t), 1);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.list[0].known, TCPI_KNOWN_INFO | TCPI_KNOWN_RATES | TCPI_KNOWN_MIN_RTT);
	assert_int_equal(t.list[0].delivery_rate, 0);
	assert_int_equal(t.list[0].bytes_acked, 100001);
	tcp_info_table_release(&t);
}

static void test_cut_attribute_is_an_error(void **state)
{
	static char buf[8192];
	struct tcp_info_table t = { 0 };
	struct tcp_info i = sample();
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t n = put_socket(buf, 9, &i, sizeof(i), NULL);

	(void)state;
	/* the message says it ends 8 bytes into its attribute */
	nlh->nlmsg_len = (uint32_t)(n - sizeof(i) + 8);
	assert_int_equal(tcp_info_parse(buf, nlh->nlmsg_len, &t), -EBADMSG);
	tcp_info_table_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_come_back),
		cmocka_unit_test(test_older_kernel_struct),
		cmocka_unit_test(test_cut_attribute_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
