// SPDX-License-Identifier: MIT
/*
 * test_sock_table: the inode hash; every sock_diag parser on the dumps recorded by
 * tests/helpers/record_sock_diag (checked against its manifest, which the recorder wrote from
 * the sockets themselves); cut and malformed replies; unix names; state names; and
 * sock_table_fill() on live sockets of this process (and of another network namespace when we
 * may make one). The /proc/net parsers: test_proc_net.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nic2app/names.h"
#include "nic2app/sock_table.h"
#include "sock_manifest.h"

/* ---- the hash ---- */

static void test_hash_add_find_replace_grow(void **state)
{
	struct sock_table t = SOCK_TABLE_INIT;
	struct sock_desc d;
	const struct sock_desc *found;
	uint32_t i;

	(void)state;
	assert_null(sock_table_find(&t, 1));
	memset(&d, 0, sizeof(d));
	assert_int_equal(sock_table_add(&t, &d), 0); /* inode 0: ignored */
	assert_int_equal(t.count, 0);
	for (i = 0; i < 10000; i++) {
		d.inode = 100000 + i * 3;
		snprintf(d.local, sizeof(d.local), "n%u", i);
		assert_int_equal(sock_table_add(&t, &d), 0);
		assert_true(t.count * 2 <= t.size);
	}
	assert_int_equal(t.count, 10000);
	assert_int_equal(t.size & (t.size - 1), 0);
	assert_int_equal(t.descs[0].inode, 100000); /* entries in the order they came */
	assert_int_equal(t.descs[9999].inode, 100000 + 9999 * 3);
	for (i = 0; i < 10000; i++) {
		char want[16];

		found = sock_table_find(&t, 100000 + i * 3);
		assert_non_null(found);
		snprintf(want, sizeof(want), "n%u", i);
		assert_string_equal(found->local, want);
		assert_null(sock_table_find(&t, 100001 + i * 3));
	}
	assert_null(sock_table_find(&t, 0));
	d.inode = 100000 + 42 * 3;
	snprintf(d.local, sizeof(d.local), "replaced");
	assert_int_equal(sock_table_add(&t, &d), 0);
	assert_int_equal(t.count, 10000);
	assert_string_equal(sock_table_find(&t, d.inode)->local, "replaced");
	sock_table_release(&t);
	assert_null(t.slots);
	assert_null(sock_table_find(&t, d.inode));
}

static void test_state_and_source_names(void **state)
{
	(void)state;
	assert_string_equal(sock_state_name(TCP_CLOSE, false), "UNCONN");
	assert_string_equal(sock_state_name(TCP_CLOSE, true), "CLOSE");
	assert_string_equal(sock_state_name(TCP_LISTEN, false), "LISTEN");
	assert_string_equal(sock_state_name(TCP_ESTABLISHED, true), "ESTABLISHED");
	assert_string_equal(sock_state_name(TCP_TIME_WAIT, true), "TIME_WAIT");
	assert_string_equal(sock_state_name(99, false), "UNKNOWN");
	assert_string_equal(sock_source_name(SOCK_SOURCE_SOCK_DIAG), "sock_diag");
	assert_string_equal(sock_source_name(SOCK_SOURCE_PROC_NET), "proc_net");
	assert_string_equal(sock_source_name(SOCK_SOURCE_NONE), "none");
}

static void test_netlink_protocol_names(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(netlink_protocol_name(NETLINK_ROUTE, buf, sizeof(buf)), "route");
	assert_string_equal(netlink_protocol_name(NETLINK_SOCK_DIAG, buf, sizeof(buf)), "sock_diag");
	assert_string_equal(netlink_protocol_name(NETLINK_SMC, buf, sizeof(buf)), "smc");
	assert_string_equal(netlink_protocol_name(17, buf, sizeof(buf)), "netlink-17");
	assert_string_equal(netlink_protocol_name(200, buf, sizeof(buf)), "netlink-200");
}

/* ---- recorded sock_diag dumps ---- */

struct recording {
	const char *file;
	int family, protocol; /* protocol: for AF_INET, AF_INET6 */
};

static const struct recording recordings[] = {
	{ "sock_diag_tcp4.bin", AF_INET, IPPROTO_TCP },
	{ "sock_diag_tcp6.bin", AF_INET6, IPPROTO_TCP },
	{ "sock_diag_udp4.bin", AF_INET, IPPROTO_UDP },
	{ "sock_diag_udp6.bin", AF_INET6, IPPROTO_UDP },
	{ "sock_diag_raw4.bin", AF_INET, IPPROTO_RAW }, /* where the recorder had raw_diag */
	{ "sock_diag_unix.bin", AF_UNIX, 0 },
	{ "sock_diag_netlink.bin", AF_NETLINK, 0 },
	{ "sock_diag_packet.bin", AF_PACKET, 0 },
};
#define N_RECORDINGS (sizeof(recordings) / sizeof(recordings[0]))

static int parse_recording(const struct recording *r, const void *buf, size_t len,
			   struct sock_table *t)
{
	switch (r->family) {
	case AF_UNIX:
		return unix_diag_parse(buf, len, t);
	case AF_NETLINK:
		return netlink_diag_parse(buf, len, t);
	case AF_PACKET:
		return packet_diag_parse(buf, len, t);
	}
	return inet_diag_table_parse(buf, len, r->protocol, t);
}

static void test_diag_recordings_match_manifest(void **state)
{
	static struct expected e[MAX_EXPECTED];
	struct sock_table t = SOCK_TABLE_INIT;
	char path[256], *buf;
	int n = load_manifest(e, MAX_EXPECTED), i, checked = 0;
	size_t k, len;

	(void)state;
	for (k = 0; k < N_RECORDINGS; k++) {
		snprintf(path, sizeof(path), DATA "%s", recordings[k].file);
		buf = slurp(path, &len);
		if (!buf) {
			assert_int_equal(recordings[k].protocol, IPPROTO_RAW);
			continue;
		}
		if (parse_recording(&recordings[k], buf, len, &t) != 1)
			fail_msg("%s does not parse", path);
		free(buf);
	}
	for (i = 0; i < n; i++) {
		if (strcmp(e[i].where, "both") != 0)
			continue;
		check_entry(sock_table_find(&t, e[i].inode), &e[i]);
		checked++;
	}
	assert_true(checked >= 20);
	sock_table_release(&t);
}

static void test_diag_cut_buffers(void **state)
{
	struct sock_table t = SOCK_TABLE_INIT;
	char path[256], *buf;
	struct nlmsghdr *nlh;
	size_t k, len;

	(void)state;
	for (k = 0; k < N_RECORDINGS; k++) {
		snprintf(path, sizeof(path), DATA "%s", recordings[k].file);
		buf = slurp(path, &len);
		if (!buf)
			continue;
		nlh = (struct nlmsghdr *)buf;
		assert_true(len > nlh->nlmsg_len);
		/* the header promises more than there is */
		assert_int_equal(parse_recording(&recordings[k], buf, nlh->nlmsg_len - 4, &t),
				 -EBADMSG);
		/* a whole message, then a stray piece of the next */
		assert_int_equal(parse_recording(&recordings[k], buf, nlh->nlmsg_len + 6, &t),
				 -EBADMSG);
		/* everything but the end: fine, more is to come */
		sock_table_release(&t);
		assert_int_equal(parse_recording(&recordings[k], buf, nlh->nlmsg_len, &t), 0);
		free(buf);
	}
	sock_table_release(&t);
}

/* ---- hand-made replies: raw sockets, unix names, errors ---- */

static struct nlmsghdr *put_msg(char *at, const void *hdr, size_t hdr_len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hdr_len), hdr, hdr_len);
	return nlh;
}

/* NLMSG_DONE carrying err after the messages in buf[0..len); the new length. */
static size_t put_done(char *buf, size_t len, int err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + len);

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(err)), &err, sizeof(err));
	return len + nlh->nlmsg_len;
}

static void test_raw_sockets_from_raw_diag(void **state)
{
	char buf[1024] __attribute__((aligned(4)));
	struct inet_diag_msg m4, m6;
	struct sock_table t = SOCK_TABLE_INIT;
	const struct sock_desc *d;
	size_t len;

	(void)state;
	memset(&m4, 0, sizeof(m4));
	m4.idiag_family = AF_INET;
	m4.idiag_state = TCP_CLOSE;
	m4.id.idiag_sport = htons(IPPROTO_ICMP); /* a raw socket's "port" is its protocol */
	m4.idiag_inode = 4242;
	m4.idiag_rqueue = 768;
	m6 = m4;
	m6.idiag_family = AF_INET6;
	m6.idiag_state = TCP_ESTABLISHED;
	m6.id.idiag_sport = htons(IPPROTO_ICMPV6);
	inet_pton(AF_INET6, "2001:db8::1", m6.id.idiag_dst);
	m6.idiag_inode = 4243;
	len = put_msg(buf, &m4, sizeof(m4))->nlmsg_len;
	len += put_msg(buf + len, &m6, sizeof(m6))->nlmsg_len;
	len = put_done(buf, len, 0);
	assert_int_equal(inet_diag_table_parse(buf, len, IPPROTO_RAW, &t), 1);
	d = sock_table_find(&t, 4242);
	assert_non_null(d);
	assert_string_equal(d->proto, "raw");
	assert_string_equal(d->state, "UNCONN");
	assert_string_equal(d->local, "0.0.0.0:1");
	assert_string_equal(d->remote, "");
	assert_int_equal(d->recv_q, 768);
	d = sock_table_find(&t, 4243);
	assert_non_null(d);
	assert_int_equal(d->family, AF_INET6);
	assert_string_equal(d->state, "ESTABLISHED");
	assert_string_equal(d->local, "[::]:58");
	assert_string_equal(d->remote, "[2001:db8::1]:0");
	sock_table_release(&t);
}

static void test_done_carrying_an_error(void **state)
{
	char buf[64] __attribute__((aligned(4)));
	struct sock_table t = SOCK_TABLE_INIT;
	size_t len = put_done(buf, 0, -ENOENT); /* how inet_diag says "no raw_diag module" */

	(void)state;
	assert_int_equal(inet_diag_table_parse(buf, len, IPPROTO_RAW, &t), -ENOENT);
	assert_int_equal(unix_diag_parse(buf, len, &t), -ENOENT);
	assert_int_equal(netlink_diag_parse(buf, len, &t), -ENOENT);
	assert_int_equal(packet_diag_parse(buf, len, &t), -ENOENT);
	len = put_done(buf, 0, 0);
	assert_int_equal(unix_diag_parse(buf, len, &t), 1);
	assert_int_equal(t.count, 0);
}

/* One unix_diag message for inode with the name (name_len bytes; none when NULL). */
static size_t put_unix(char *buf, uint32_t inode, const char *name, size_t name_len)
{
	struct unix_diag_msg m;
	struct nlmsghdr *nlh;

	memset(&m, 0, sizeof(m));
	m.udiag_family = AF_UNIX;
	m.udiag_type = SOCK_DGRAM;
	m.udiag_state = TCP_CLOSE;
	m.udiag_ino = inode;
	nlh = put_msg(buf, &m, sizeof(m));
	if (name)
		mnl_attr_put(nlh, UNIX_DIAG_NAME, name_len, name);
	return nlh->nlmsg_len;
}

static void test_unix_names(void **state)
{
	static const char path[] = "/tmp/a b";           /* with its NUL, as the kernel sends */
	static const char abstract[] = "\0x\0y\n\x7f\xc3"; /* NULs, a newline, DEL, a cut UTF-8 */
	char buf[2048] __attribute__((aligned(4))), longest[108];
	struct sock_table t = SOCK_TABLE_INIT;
	size_t len = 0;

	(void)state;
	memset(longest, 'p', sizeof(longest)); /* a 108-byte path has no room for a NUL */
	longest[0] = '/';
	len += put_unix(buf + len, 1, path, sizeof(path));
	len += put_unix(buf + len, 2, abstract, sizeof(abstract) - 1);
	len += put_unix(buf + len, 3, NULL, 0);
	len += put_unix(buf + len, 4, longest, sizeof(longest));
	len = put_done(buf, len, 0);
	assert_int_equal(unix_diag_parse(buf, len, &t), 1);
	assert_string_equal(sock_table_find(&t, 1)->local, "/tmp/a b");
	assert_string_equal(sock_table_find(&t, 2)->local, "@x@y\n\x7f\xc3");
	assert_string_equal(sock_table_find(&t, 3)->local, "");
	assert_int_equal(strlen(sock_table_find(&t, 4)->local), 108);
	assert_string_equal(sock_table_find(&t, 3)->proto, "dgram");
	assert_string_equal(sock_table_find(&t, 3)->state, "UNCONN");
	assert_false(sock_table_find(&t, 3)->known & SOCK_KNOWN_QUEUES);
	sock_table_release(&t);
}

static void test_malformed_messages(void **state)
{
	char buf[256] __attribute__((aligned(4)));
	struct sock_table t = SOCK_TABLE_INIT;
	struct unix_diag_msg m;
	struct nlmsghdr *nlh;
	struct nlattr *a;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.udiag_ino = 7;
	/* too short for the family's header */
	nlh = put_msg(buf, &m, 4);
	assert_int_equal(unix_diag_parse(buf, nlh->nlmsg_len, &t), -EBADMSG);
	assert_int_equal(netlink_diag_parse(buf, nlh->nlmsg_len, &t), -EBADMSG);
	assert_int_equal(packet_diag_parse(buf, nlh->nlmsg_len, &t), -EBADMSG);
	/* an attribute claiming more bytes than its message has */
	nlh = put_msg(buf, &m, sizeof(m));
	mnl_attr_put(nlh, UNIX_DIAG_NAME, 8, "/tmp/abc");
	a = (struct nlattr *)((char *)nlh + nlh->nlmsg_len - 12);
	a->nla_len = 40;
	assert_int_equal(unix_diag_parse(buf, nlh->nlmsg_len, &t), -EBADMSG);
	assert_int_equal(t.count, 0);
}

/* ---- live: sock_table_fill() on our own sockets ---- */

static uint32_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return (uint32_t)st.st_ino;
}

static const struct sock_desc *find_live(const struct sock_table *t, int fd)
{
	const struct sock_desc *d = sock_table_find(t, inode_of(fd));

	if (!d)
		fail_msg("fd %d (inode %u) not in the table", fd, inode_of(fd));
	return d;
}

struct live {
	int tcp, udp, pair[2], nl;
	char tcp_local[64], udp_local[64], nl_local[16];
};

static void live_open(struct live *l)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_nl n = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(a), nlen = sizeof(n);

	l->tcp = socket(AF_INET, SOCK_STREAM, 0);
	l->udp = socket(AF_INET, SOCK_DGRAM, 0);
	l->nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	assert_true(l->tcp >= 0 && l->udp >= 0 && l->nl >= 0);
	assert_int_equal(bind(l->tcp, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l->tcp, 3), 0);
	assert_int_equal(getsockname(l->tcp, (struct sockaddr *)&a, &len), 0);
	snprintf(l->tcp_local, sizeof(l->tcp_local), "127.0.0.1:%u", ntohs(a.sin_port));
	a.sin_port = 0;
	assert_int_equal(bind(l->udp, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(l->udp, (struct sockaddr *)&a, &len), 0);
	snprintf(l->udp_local, sizeof(l->udp_local), "127.0.0.1:%u", ntohs(a.sin_port));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, l->pair), 0);
	assert_int_equal(bind(l->nl, (struct sockaddr *)&n, sizeof(n)), 0);
	assert_int_equal(getsockname(l->nl, (struct sockaddr *)&n, &nlen), 0);
	snprintf(l->nl_local, sizeof(l->nl_local), "%u", n.nl_pid);
}

static void live_close(struct live *l)
{
	close(l->tcp);
	close(l->udp);
	close(l->pair[0]);
	close(l->pair[1]);
	close(l->nl);
}

static void test_live_fill(void **state)
{
	struct sock_table t = SOCK_TABLE_INIT;
	enum sock_source src;
	const struct sock_desc *d;
	struct live l;

	(void)state;
	live_open(&l);
	assert_int_equal(sock_table_fill(&t, -1, "/proc/self/net", &src), 0);
	if (src != SOCK_SOURCE_SOCK_DIAG) {
		sock_table_release(&t);
		live_close(&l);
		skip(); /* no NETLINK_SOCK_DIAG here */
	}
	d = find_live(&t, l.tcp);
	assert_int_equal(d->family, AF_INET);
	assert_string_equal(d->proto, "tcp");
	assert_string_equal(d->state, "LISTEN");
	assert_string_equal(d->local, l.tcp_local);
	assert_string_equal(d->remote, "");
	assert_true((d->known & SOCK_KNOWN_QUEUES) == SOCK_KNOWN_QUEUES);
	assert_int_equal(d->send_q, 3); /* the backlog */
	d = find_live(&t, l.udp);
	assert_string_equal(d->proto, "udp");
	assert_string_equal(d->state, "UNCONN");
	assert_string_equal(d->local, l.udp_local);
	d = find_live(&t, l.pair[0]);
	assert_int_equal(d->family, AF_UNIX);
	assert_string_equal(d->proto, "stream");
	assert_string_equal(d->state, "ESTABLISHED");
	assert_int_equal(d->peer_inode, inode_of(l.pair[1]));
	assert_int_equal(find_live(&t, l.pair[1])->peer_inode, inode_of(l.pair[0]));
	d = find_live(&t, l.nl);
	assert_int_equal(d->family, AF_NETLINK);
	assert_string_equal(d->proto, "route");
	assert_string_equal(d->state, "UNCONN");
	assert_string_equal(d->local, l.nl_local);
	sock_table_release(&t);
	live_close(&l);
}

/* The same through a namespace file that names our own namespace, and from /proc alone. */
static void test_live_fill_own_netns_fd_and_proc(void **state)
{
	struct sock_table t = SOCK_TABLE_INIT;
	enum sock_source src;
	struct live l;
	int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(ns >= 0);
	live_open(&l);
	assert_int_equal(sock_table_fill(&t, ns, "/proc/self/net", &src), 0);
	assert_string_equal(find_live(&t, l.tcp)->local, l.tcp_local);
	sock_table_release(&t);
	assert_int_equal(sock_table_fill_proc(&t, "/proc/self/net", &src), 0);
	assert_int_equal(src, SOCK_SOURCE_PROC_NET);
	assert_string_equal(find_live(&t, l.tcp)->state, "LISTEN");
	assert_string_equal(find_live(&t, l.udp)->local, l.udp_local);
	assert_string_equal(find_live(&t, l.pair[0])->state, "ESTABLISHED");
	assert_string_equal(find_live(&t, l.nl)->local, l.nl_local);
	sock_table_release(&t);
	live_close(&l);
	close(ns);
}

/* A child in a namespace of its own holds one unix socket; it reports the inode on `up` and
 * waits for `down` to close. Exits 3 when it may not make a namespace. */
static void netns_child(int up, int down)
{
	static const char name[] = "\0nic2app-test-netns";
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	uint32_t inode = 0;
	char c;
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		_exit(3);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	memcpy(a.sun_path, name, sizeof(name) - 1);
	if (fd < 0 ||
	    bind(fd, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + sizeof(name) - 1))
		_exit(1);
	inode = inode_of(fd);
	if (write(up, &inode, sizeof(inode)) != sizeof(inode))
		_exit(1);
	while (read(down, &c, 1) > 0)
		;
	_exit(0);
}

static void test_live_fill_other_netns(void **state)
{
	struct sock_table t = SOCK_TABLE_INIT;
	struct stat before, after;
	enum sock_source src;
	int up[2], down[2], ns, status, mine;
	uint32_t theirs = 0;
	char path[64];
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		netns_child(up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &theirs, sizeof(theirs)) != sizeof(theirs)) {
		waitpid(pid, &status, 0);
		close(up[0]);
		close(down[1]);
		skip(); /* not allowed to make a network namespace */
	}
	mine = socket(AF_UNIX, SOCK_DGRAM, 0);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(ns >= 0 && mine >= 0);
	assert_int_equal(stat("/proc/thread-self/ns/net", &before), 0);
	snprintf(path, sizeof(path), "/proc/%d/net", (int)pid);
	assert_int_equal(sock_table_fill(&t, ns, path, &src), 0);
	assert_int_equal(stat("/proc/thread-self/ns/net", &after), 0);
	assert_int_equal(before.st_ino, after.st_ino); /* we are back home */
	assert_int_equal(src, SOCK_SOURCE_SOCK_DIAG);
	assert_non_null(sock_table_find(&t, theirs));
	assert_string_equal(sock_table_find(&t, theirs)->local, "@nic2app-test-netns");
	assert_null(sock_table_find(&t, inode_of(mine))); /* ours live elsewhere */
	sock_table_release(&t);
	close(ns);
	close(mine);
	close(down[1]);
	close(up[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_add_find_replace_grow),
		cmocka_unit_test(test_state_and_source_names),
		cmocka_unit_test(test_netlink_protocol_names),
		cmocka_unit_test(test_diag_recordings_match_manifest),
		cmocka_unit_test(test_diag_cut_buffers),
		cmocka_unit_test(test_raw_sockets_from_raw_diag),
		cmocka_unit_test(test_done_carrying_an_error),
		cmocka_unit_test(test_unix_names),
		cmocka_unit_test(test_malformed_messages),
		cmocka_unit_test(test_live_fill),
		cmocka_unit_test(test_live_fill_own_netns_fd_and_proc),
		cmocka_unit_test(test_live_fill_other_netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
