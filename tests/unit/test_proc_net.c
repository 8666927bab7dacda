// SPDX-License-Identifier: MIT
/*
 * test_proc_net: every /proc/net parser on the tables recorded by tests/helpers/record_sock_diag
 * (checked against its manifest, minus what the text tables cannot say), sock_table_fill_proc()
 * on the recorded directory, garbled rows, wrong headers, and proc_file_read().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nic2app/sock_table.h"
#include "sock_manifest.h"

static int parse_proc(const char *name, const char *text, struct sock_table *t)
{
	static const struct {
		const char *name, *proto;
		int family;
	} inet[] = {
		{ "tcp", "tcp", AF_INET },   { "tcp6", "tcp", AF_INET6 }, { "udp", "udp", AF_INET },
		{ "udp6", "udp", AF_INET6 }, { "raw", "raw", AF_INET },   { "icmp", "icmp", AF_INET },
	};
	size_t i;

	if (strcmp(name, "unix") == 0)
		return proc_net_unix_parse(text, t);
	if (strcmp(name, "netlink") == 0)
		return proc_net_netlink_parse(text, t);
	if (strcmp(name, "packet") == 0)
		return proc_net_packet_parse(text, t);
	for (i = 0; i < sizeof(inet) / sizeof(inet[0]); i++)
		if (strcmp(name, inet[i].name) == 0)
			return proc_net_inet_parse(text, inet[i].family, inet[i].proto, t);
	fail_msg("no parser for %s", name);
	return -1;
}

static const char *const proc_tables[] = { "tcp", "tcp6", "udp",  "udp6",   "raw",
					   "icmp", "unix", "netlink", "packet" };
#define N_PROC_TABLES (sizeof(proc_tables) / sizeof(proc_tables[0]))

/* What /proc/net cannot say, from the manifest's sock_diag view (see sock_table.h). */
static void proc_view(struct expected *e)
{
	if (strcmp(e->family, "unix") == 0) {
		e->peer = e->recv_q = e->send_q = NONE;
	} else if (strcmp(e->family, "netlink") == 0) {
		e->state[0] = '\0'; /* connected or not, the table does not say */
		e->remote[0] = '\0';
	} else if (strcmp(e->proto, "tcp") == 0 && strcmp(e->state, "LISTEN") == 0) {
		e->send_q = NONE; /* the backlog limit is not in /proc/net/tcp */
	}
}

/* What the tables do not say is marked unknown (null in JSON, blank in text), never 0 or "". */
static void known_only(const struct sock_desc *d, const struct expected *e)
{
	if (strcmp(e->family, "unix") == 0) {
		assert_false(d->known & (SOCK_KNOWN_RECV_Q | SOCK_KNOWN_SEND_Q | SOCK_KNOWN_REMOTE));
	} else if (strcmp(e->family, "netlink") == 0) {
		assert_false(d->known & SOCK_KNOWN_REMOTE);
		assert_true(d->known & SOCK_KNOWN_QUEUES);
	} else if (strcmp(e->family, "inet") == 0 || strcmp(e->family, "inet6") == 0) {
		bool listener = strcmp(e->proto, "tcp") == 0 && strcmp(e->state, "LISTEN") == 0;

		assert_true(d->known & SOCK_KNOWN_RECV_Q);
		assert_true(d->known & SOCK_KNOWN_REMOTE);
		/* a listener's tx_queue column is not its backlog: unknown, not 0 */
		assert_int_equal(!!(d->known & SOCK_KNOWN_SEND_Q), !listener);
		/* the bound device and IPV6_V6ONLY are not in /proc/net */
		assert_false(d->known & (SOCK_KNOWN_DEV | SOCK_KNOWN_V6ONLY));
	}
}

static void check_proc_table(struct sock_table *t, bool numeric_ifnames)
{
	static struct expected e[MAX_EXPECTED];
	int n = load_manifest(e, MAX_EXPECTED), i;

	for (i = 0; i < n; i++) {
		proc_view(&e[i]);
		if (numeric_ifnames && strcmp(e[i].local, "lo:0x0800") == 0)
			snprintf(e[i].local, sizeof(e[i].local), "if1:0x0800");
		check_entry(sock_table_find(t, e[i].inode), &e[i]);
		known_only(sock_table_find(t, e[i].inode), &e[i]);
	}
}

static void test_proc_recordings_match_manifest(void **state)
{
	struct sock_table t = SOCK_TABLE_INIT;
	char path[256], *text;
	size_t k;

	(void)state;
	for (k = 0; k < N_PROC_TABLES; k++) {
		snprintf(path, sizeof(path), DATA "proc_net/%s", proc_tables[k]);
		text = slurp(path, NULL);
		assert_non_null(text);
		assert_true(parse_proc(proc_tables[k], text, &t) >= 1);
		free(text);
	}
	check_proc_table(&t, false);
	sock_table_release(&t);
}

static void test_fill_proc_from_recordings(void **state)
{
	struct sock_table t = SOCK_TABLE_INIT;
	enum sock_source src = SOCK_SOURCE_NONE;

	(void)state;
	assert_int_equal(sock_table_fill_proc(&t, DATA "proc_net", &src), 0);
	assert_int_equal(src, SOCK_SOURCE_PROC_NET);
	/* tests/data/proc_net/../ns/net does not exist: interfaces cannot be named */
	check_proc_table(&t, true);
	sock_table_release(&t);
	assert_int_equal(sock_table_fill_proc(&t, DATA "no-such-dir", &src), -ENOENT);
	assert_int_equal(src, SOCK_SOURCE_NONE);
}

/* Rows that must be skipped, each followed by a good one the parser must still find. */
static void test_proc_garbled_rows(void **state)
{
	static const char *const bad_tcp[] = {
		"  99: nonsense",
		"   7: 0100007G:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 77 1",
		("   8: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 "
		 "99999999999 1"),
		"   9: 0100007F:0050 0000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 78 1",
		"",
	};
	static const char good[] =
		"  10: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 "
		"5555 1";
	char *text = slurp(DATA "proc_net/tcp", NULL), *first_row, *big, longline[700];
	struct sock_table t = SOCK_TABLE_INIT;
	size_t i, cut;
	int rows;

	(void)state;
	assert_non_null(text);
	rows = proc_net_inet_parse(text, AF_INET, "tcp", &t);
	assert_true(rows >= 5);
	first_row = strchr(text, '\n') + 1;
	cut = (size_t)(strchr(first_row, '\n') - first_row) / 2;
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	big = calloc(1, strlen(text) + 4096);
	assert_non_null(big);
	strcpy(big, text);
	for (i = 0; i < sizeof(bad_tcp) / sizeof(bad_tcp[0]); i++)
		sprintf(big + strlen(big), "%s\n", bad_tcp[i]);
	sprintf(big + strlen(big), "%s\n%.*s\n%s", longline, (int)cut, first_row, good);
	sock_table_release(&t);
	assert_int_equal(proc_net_inet_parse(big, AF_INET, "tcp", &t), rows + 1);
	assert_non_null(sock_table_find(&t, 5555)); /* the last row, without a newline */
	assert_string_equal(sock_table_find(&t, 5555)->local, "127.0.0.1:80");
	assert_null(sock_table_find(&t, 77));
	assert_null(sock_table_find(&t, 78));
	free(big);
	free(text);
	sock_table_release(&t);
}

static void test_proc_garbled_other_tables(void **state)
{
	struct sock_table t = SOCK_TABLE_INIT;

	(void)state;
	assert_int_equal(proc_net_unix_parse("Num       RefCount Protocol Flags    Type St Inode Path\n"
					     "garbage\n"
					     "0000000000000000: 00000002 00000000 00000000 0001 01 zz\n"
					     "0000000000000000: 00000002 00000000 00000000 0001 01 901 "
					     "/tmp/a b\n"
					     "0000000000000000: 00000002 00000000 00000000 0002 01 902 "
					     "@x@y\n",
					     &t),
			 2);
	assert_string_equal(sock_table_find(&t, 901)->local, "/tmp/a b");
	assert_string_equal(sock_table_find(&t, 902)->local, "@x@y");
	assert_string_equal(sock_table_find(&t, 902)->proto, "dgram");
	assert_int_equal(proc_net_netlink_parse("sk               Eth Pid        Groups   Rmem     "
						"Wmem     Dump  Locks    Drops    Inode\nzzz\n"
						"0000000000000000 99  5          00000000 0        0"
						"        0     2        0        903\n",
						&t),
			 1);
	assert_string_equal(sock_table_find(&t, 903)->proto, "netlink-99");
	assert_string_equal(sock_table_find(&t, 903)->local, "5");
	assert_int_equal(proc_net_packet_parse("sk       RefCnt Type Proto  Iface R Rmem   User   "
					       "Inode\n0000 1\n",
					       &t),
			 0);
	sock_table_release(&t);
}

static void test_proc_wrong_header(void **state)
{
	struct sock_table t = SOCK_TABLE_INIT;
	char *tcp = slurp(DATA "proc_net/tcp", NULL), *unx = slurp(DATA "proc_net/unix", NULL);

	(void)state;
	assert_int_equal(proc_net_inet_parse(unx, AF_INET, "tcp", &t), -EBADMSG);
	assert_int_equal(proc_net_unix_parse(tcp, &t), -EBADMSG);
	assert_int_equal(proc_net_netlink_parse(tcp, &t), -EBADMSG);
	assert_int_equal(proc_net_packet_parse(unx, &t), -EBADMSG);
	assert_int_equal(proc_net_inet_parse("", AF_INET6, "udp", &t), -EBADMSG);
	assert_int_equal(proc_net_inet_parse("  sl\n", AF_INET, "tcp", &t), -EBADMSG);
	assert_int_equal(t.count, 0);
	free(tcp);
	free(unx);
}

static void test_proc_file_read(void **state)
{
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(proc_file_read("/proc/self/net/netlink", &buf, &len), 0);
	assert_true(len > 0);
	assert_int_equal(strlen(buf), len); /* NUL-terminated, st_size 0 notwithstanding */
	free(buf);
	assert_int_equal(proc_file_read(DATA "no-such-file", &buf, &len), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_recordings_match_manifest),
		cmocka_unit_test(test_fill_proc_from_recordings),
		cmocka_unit_test(test_proc_garbled_rows),
		cmocka_unit_test(test_proc_garbled_other_tables),
		cmocka_unit_test(test_proc_wrong_header),
		cmocka_unit_test(test_proc_file_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
