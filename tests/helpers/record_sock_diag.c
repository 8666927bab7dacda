// SPDX-License-Identifier: MIT
/*
 * record_sock_diag: record the kernel's sock_diag dumps and /proc/net tables for test_sock_table,
 * from a private network namespace (so they hold our sockets and little else) in which known
 * TCP, UDP, unix, netlink, packet, raw and ping sockets are open. Writes, under OUTDIR:
 *   sock_diag_<tcp4|tcp6|udp4|udp6|raw4|unix|netlink|packet>.bin  the replies as received
 *   proc_net/<tcp|tcp6|udp|udp6|raw|icmp|unix|netlink|packet>      the text tables
 *   sock_table.manifest   one line per socket, from the sockets themselves (fstat, getsockname,
 *                         ioctl, SO_MEMINFO), never from sock_diag or /proc/net:
 *     where inode family proto state local remote peer_inode recv_q send_q
 *   where: "both" (dump and /proc/net), "proc" (no sock_diag module: raw_diag, ping); "-" is an
 *   empty string or an unchecked number; bytes outside '!'..'~' and '%' are written as %XX.
 * Needs root (a new namespace, packet sockets). usage: record_sock_diag OUTDIR
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/unix_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "nic2app/names.h"
#include "nic2app/sock_table.h"
#include "nic2app/sockinfo.h"

#define NONE (-1L)

static const char *outdir;
static FILE *manifest;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void put_field(const char *s)
{
	fputc(' ', manifest);
	if (!*s)
		fputc('-', manifest);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c > '~' || c == '%')
			fprintf(manifest, "%%%02X", c);
		else
			fputc(c, manifest);
	}
}

static void put_number(long v)
{
	if (v == NONE)
		fputs(" -", manifest);
	else
		fprintf(manifest, " %ld", v);
}

static unsigned long inode_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat");
	return (unsigned long)st.st_ino;
}

/* The socket's own name (or its peer's), a unix name as sock_table.h describes it. */
static void name_of(int fd, bool peer, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *un = (struct sockaddr_un *)&ss;
	socklen_t len = sizeof(ss);
	size_t i, n;

	buf[0] = '\0';
	if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		  : getsockname(fd, (struct sockaddr *)&ss, &len)) < 0)
		return;
	if (ss.ss_family != AF_UNIX || len <= offsetof(struct sockaddr_un, sun_path) ||
	    un->sun_path[0] != '\0') {
		sockaddr_format((struct sockaddr *)&ss, len, buf, size);
		return;
	}
	n = len - offsetof(struct sockaddr_un, sun_path);
	for (i = 0; i < n && i + 1 < size; i++)
		buf[i] = un->sun_path[i] ? un->sun_path[i] : '@';
	buf[i] = '\0';
}

static long meminfo(int fd, int index)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0)
		die("SO_MEMINFO");
	return mem[index];
}

static long ioctl_queue(int fd, unsigned long request)
{
	int n;

	if (ioctl(fd, request, &n) < 0)
		die("SIOCINQ/SIOCOUTQ");
	return n;
}

static void add(const char *where, int fd, const char *proto, const char *state,
		const char *local, const char *remote, long peer, long rq, long sq)
{
	int family;
	socklen_t len = sizeof(family);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) < 0)
		die("SO_DOMAIN");
	fprintf(manifest, "%s %lu %s", where, inode_of(fd), family_name(family));
	put_field(proto);
	put_field(state);
	put_field(local);
	put_field(remote);
	put_number(peer);
	put_number(rq);
	put_number(sq);
	fputc('\n', manifest);
}

/* An inet socket whose names come from getsockname/getpeername. */
static void add_inet(const char *where, int fd, const char *proto, const char *state, long rq,
		     long sq)
{
	char local[SOCK_ADDR_MAX], remote[SOCK_ADDR_MAX];

	name_of(fd, false, local, sizeof(local));
	name_of(fd, true, remote, sizeof(remote));
	add(where, fd, proto, state, local, remote, NONE, rq, sq);
}

static void private_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd;
	FILE *f;

	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET)");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die("SIOCSIFFLAGS lo");
	close(fd);
	/* ping sockets for gid 0, in this namespace only */
	f = fopen("/proc/sys/net/ipv4/ping_group_range", "w");
	if (!f || fputs("0 0\n", f) < 0 || fclose(f) != 0)
		die("ping_group_range");
}

static int tcp_connect(const struct sockaddr *to, socklen_t len, int family)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, to, len) < 0)
		die("tcp connect");
	return fd;
}

/* TCP over IPv4: a listener (backlog 7) with one connection accepted, one waiting in its
 * queue, 3 unread bytes on the accepted one; an IPv6 socket talking to it over a v4-mapped
 * address; and over IPv6 a listener and a connection. */
static void open_tcp(void)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in6 m6 = { .sin6_family = AF_INET6 };
	socklen_t len = sizeof(a4), len6 = sizeof(a6);
	int l4, l6, c, a, w, m, am, c6, a6s;

	l4 = socket(AF_INET, SOCK_STREAM, 0);
	l6 = socket(AF_INET6, SOCK_STREAM, 0);
	if (l4 < 0 || l6 < 0 || bind(l4, (struct sockaddr *)&a4, sizeof(a4)) ||
	    listen(l4, 7) || getsockname(l4, (struct sockaddr *)&a4, &len) ||
	    bind(l6, (struct sockaddr *)&a6, sizeof(a6)) || listen(l6, 5) ||
	    getsockname(l6, (struct sockaddr *)&a6, &len6))
		die("tcp listen");
	c = tcp_connect((struct sockaddr *)&a4, sizeof(a4), AF_INET);
	a = accept(l4, NULL, NULL);
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &m6.sin6_addr);
	m6.sin6_port = a4.sin_port;
	m = tcp_connect((struct sockaddr *)&m6, sizeof(m6), AF_INET6);
	am = accept(l4, NULL, NULL);
	w = tcp_connect((struct sockaddr *)&a4, sizeof(a4), AF_INET); /* left in the queue */
	c6 = tcp_connect((struct sockaddr *)&a6, sizeof(a6), AF_INET6);
	a6s = accept(l6, NULL, NULL);
	if (a < 0 || am < 0 || a6s < 0 || write(c, "abc", 3) != 3)
		die("tcp accept/write");
	usleep(100 * 1000); /* the bytes arrive and are acknowledged */
	add_inet("both", l4, "tcp", "LISTEN", 1, 7);
	add_inet("both", c, "tcp", "ESTABLISHED", ioctl_queue(c, SIOCINQ), ioctl_queue(c, SIOCOUTQ));
	add_inet("both", a, "tcp", "ESTABLISHED", ioctl_queue(a, SIOCINQ), ioctl_queue(a, SIOCOUTQ));
	add_inet("both", w, "tcp", "ESTABLISHED", 0, 0);
	add_inet("both", am, "tcp", "ESTABLISHED", 0, 0);
	add_inet("both", m, "tcp", "ESTABLISHED", 0, 0);
	add_inet("both", l6, "tcp", "LISTEN", 0, 5);
	add_inet("both", c6, "tcp", "ESTABLISHED", 0, 0);
	add_inet("both", a6s, "tcp", "ESTABLISHED", 0, 0);
}

/* UDP: an unconnected IPv4 socket holding one datagram, a connected one, an IPv6 one. */
static void open_udp(void)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(a4);
	int u, c, u6;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	c = socket(AF_INET, SOCK_DGRAM, 0);
	u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	if (u < 0 || c < 0 || u6 < 0 || bind(u, (struct sockaddr *)&a4, sizeof(a4)) ||
	    getsockname(u, (struct sockaddr *)&a4, &len) ||
	    connect(c, (struct sockaddr *)&a4, sizeof(a4)) || send(c, "hello", 5, 0) != 5 ||
	    bind(u6, (struct sockaddr *)&a6, sizeof(a6)))
		die("udp");
	usleep(20 * 1000);
	add_inet("both", u, "udp", "UNCONN", meminfo(u, SK_MEMINFO_RMEM_ALLOC),
		 meminfo(u, SK_MEMINFO_WMEM_ALLOC));
	add_inet("both", c, "udp", "ESTABLISHED", meminfo(c, SK_MEMINFO_RMEM_ALLOC),
		 meminfo(c, SK_MEMINFO_WMEM_ALLOC));
	add_inet("both", u6, "udp", "UNCONN", 0, 0);
}

/* Raw and ping sockets: /proc/net only, unless the kernel has raw_diag. */
static void open_raw_ping(int *raw, int *ping)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	*raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	*ping = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (*raw < 0 || *ping < 0 || bind(*ping, (struct sockaddr *)&a4, sizeof(a4)))
		die("raw/ping");
}

/* unix: a listener (backlog 4) with one connection waiting, a stream pair with 5 unread bytes,
 * an abstract datagram socket whose name holds a NUL, a control byte and a space, a seqpacket
 * pair, and an unbound socket. */
static void open_unix(void)
{
	static const char abstract[] = "\0nic2app\0rec\x01 x";
	struct sockaddr_un path = { .sun_family = AF_UNIX }, abs = { .sun_family = AF_UNIX };
	char local[SOCK_ADDR_MAX], remote[SOCK_ADDR_MAX];
	int l, w, sp[2], seq[2], d, u;

	snprintf(path.sun_path, sizeof(path.sun_path), "/tmp/nic2app-record-%d.sock", getpid());
	memcpy(abs.sun_path, abstract, sizeof(abstract) - 1);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	w = socket(AF_UNIX, SOCK_STREAM, 0);
	d = socket(AF_UNIX, SOCK_DGRAM, 0);
	u = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(path.sun_path);
	if (l < 0 || w < 0 || d < 0 || u < 0 || bind(l, (struct sockaddr *)&path, sizeof(path)) ||
	    listen(l, 4) || connect(w, (struct sockaddr *)&path, sizeof(path)) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sp) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, seq) || write(sp[0], "12345", 5) != 5 ||
	    bind(d, (struct sockaddr *)&abs,
		 offsetof(struct sockaddr_un, sun_path) + sizeof(abstract) - 1))
		die("unix");
	unlink(path.sun_path); /* the socket lives on, as does its name */
	name_of(l, false, local, sizeof(local));
	add("both", l, "stream", "LISTEN", local, "", 0, 1, 4);
	name_of(w, true, remote, sizeof(remote)); /* unix_diag does not report it: remote "" */
	add("both", w, "stream", "ESTABLISHED", "", "", NONE, NONE, NONE);
	add("both", sp[0], "stream", "ESTABLISHED", "", "", (long)inode_of(sp[1]),
	    ioctl_queue(sp[0], SIOCINQ), ioctl_queue(sp[0], SIOCOUTQ));
	add("both", sp[1], "stream", "ESTABLISHED", "", "", (long)inode_of(sp[0]),
	    ioctl_queue(sp[1], SIOCINQ), ioctl_queue(sp[1], SIOCOUTQ));
	add("both", seq[0], "seqpacket", "ESTABLISHED", "", "", (long)inode_of(seq[1]), 0, NONE);
	name_of(d, false, local, sizeof(local));
	add("both", d, "dgram", "UNCONN", local, "", 0, 0, NONE);
	add("both", u, "stream", "UNCONN", "", "", 0, 0, NONE);
}

static int netlink_open(int protocol, bool connect_kernel)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW, protocol);

	if (fd < 0 || (connect_kernel ? connect(fd, (struct sockaddr *)&a, sizeof(a))
				      : bind(fd, (struct sockaddr *)&a, sizeof(a))))
		die("netlink");
	return fd;
}

static void add_netlink(int fd, const char *proto, bool connected)
{
	struct sockaddr_nl a;
	socklen_t len = sizeof(a);
	char local[16];

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		die("getsockname netlink");
	snprintf(local, sizeof(local), "%u", a.nl_pid);
	add("both", fd, proto, connected ? "ESTABLISHED" : "UNCONN", local, connected ? "0" : "",
	    NONE, meminfo(fd, SK_MEMINFO_RMEM_ALLOC), meminfo(fd, SK_MEMINFO_WMEM_ALLOC));
}

/* packet: every protocol on every interface, IPv4 on lo, and one that receives nothing. */
static void open_packet(int fds[3])
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };

	fds[0] = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	fds[1] = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	fds[2] = socket(AF_PACKET, SOCK_RAW, 0);
	ll.sll_ifindex = (int)if_nametoindex("lo");
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0 || ll.sll_ifindex == 0 ||
	    bind(fds[1], (struct sockaddr *)&ll, sizeof(ll)))
		die("packet");
}

static void add_packet(const int fds[3])
{
	add("both", fds[0], "raw", "UNCONN", "*:0x0003", "", NONE,
	    meminfo(fds[0], SK_MEMINFO_RMEM_ALLOC), 0);
	add("both", fds[1], "dgram", "UNCONN", "lo:0x0800", "", NONE,
	    meminfo(fds[1], SK_MEMINFO_RMEM_ALLOC), 0);
	add("both", fds[2], "raw", "UNCONN", "", "", NONE, 0, 0);
}

/* Record one dump into OUTDIR/sock_diag_NAME.bin. 0, or -errno when the kernel refused it
 * (then no file is left behind). */
static int record_dump(const char *name, const void *req, size_t req_len)
{
	char buf[32768], path[4096];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int done = 0, err = 0;
	FILE *f;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/sock_diag_%s.bin", outdir, name);
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	f = fopen(path, "wb");
	if (!nl || !f || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die(path);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	memcpy(mnl_nlmsg_put_extra_header(nlh, req_len), req, req_len);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("sendto");
	while (!done && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)buf;
		int left = (int)n;

		fwrite(buf, 1, (size_t)n, f);
		for (; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				/* both carry an int first: 0 or the -errno that ended the dump */
				memcpy(&err, mnl_nlmsg_get_payload(m), sizeof(err));
			}
		}
	}
	fclose(f);
	mnl_socket_close(nl);
	if (!done || err < 0)
		unlink(path);
	if (!done)
		die("recv");
	return err < 0 ? err : 0;
}

static int record_inet(const char *name, int family, int protocol)
{
	struct inet_diag_req_v2 req = { .sdiag_family = (__u8)family,
					.sdiag_protocol = (__u8)protocol,
					.idiag_states = ~0u };

	return record_dump(name, &req, sizeof(req));
}

static void record_dumps(bool *raw_on_diag)
{
	struct unix_diag_req u = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
				   .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER |
						 UDIAG_SHOW_RQLEN };
	struct netlink_diag_req nl = { .sdiag_family = AF_NETLINK,
				       .sdiag_protocol = NDIAG_PROTO_ALL,
				       .ndiag_show = NDIAG_SHOW_MEMINFO };
	struct packet_diag_req p = { .sdiag_family = AF_PACKET,
				     .pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO };

	if (record_dump("packet", &p, sizeof(p)) || record_inet("tcp4", AF_INET, IPPROTO_TCP) ||
	    record_inet("tcp6", AF_INET6, IPPROTO_TCP) ||
	    record_inet("udp4", AF_INET, IPPROTO_UDP) ||
	    record_inet("udp6", AF_INET6, IPPROTO_UDP) || record_dump("unix", &u, sizeof(u)) ||
	    record_dump("netlink", &nl, sizeof(nl)))
		die("dump");
	*raw_on_diag = record_inet("raw4", AF_INET, IPPROTO_RAW) == 0;
}

static void copy_proc_net(void)
{
	static const char *const files[] = { "packet", "tcp", "tcp6", "udp", "udp6", "raw",
					     "icmp", "unix", "netlink" };
	char from[256], to[4096], *text;
	size_t i, len;
	FILE *f;

	snprintf(to, sizeof(to), "%s/proc_net", outdir);
	mkdir(to, 0755);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(from, sizeof(from), "/proc/self/net/%s", files[i]);
		snprintf(to, sizeof(to), "%s/proc_net/%s", outdir, files[i]);
		if (proc_file_read(from, &text, &len) < 0)
			die(from);
		f = fopen(to, "w");
		if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
			die(to);
		free(text);
	}
}

int main(int argc, char **argv)
{
	int raw, ping, nl_route, nl_generic, packet[3];
	char path[4096];
	bool raw_on_diag;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	snprintf(path, sizeof(path), "%s/sock_table.manifest", outdir);
	private_netns();
	manifest = fopen(path, "w");
	if (!manifest)
		die(path);
	open_tcp();
	open_udp();
	open_unix();
	open_raw_ping(&raw, &ping);
	nl_route = netlink_open(NETLINK_ROUTE, false);
	nl_generic = netlink_open(NETLINK_GENERIC, true);
	add_netlink(nl_route, "route", false);
	add_netlink(nl_generic, "generic", true);
	open_packet(packet); /* last: every packet on lo from now on would be queued to it */
	add_packet(packet);
	record_dumps(&raw_on_diag);
	copy_proc_net();
	add_inet(raw_on_diag ? "both" : "proc", raw, "raw", "UNCONN", 0, 0);
	add_inet("proc", ping, "icmp", "UNCONN", 0, 0);
	if (fclose(manifest) != 0)
		die(path);
	return 0;
}
