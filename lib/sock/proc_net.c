// SPDX-License-Identifier: MIT
/*
 * proc_net: the /proc/PID/net text tables (tcp, udp, raw, icmp and their "6" twins, unix,
 * netlink, packet) into a sock_table: the fallback when netlink sock_diag cannot be used, and
 * the only source for ping sockets. A row that does not parse is skipped, not fatal: the
 * kernel's format is fixed, but a recording may be cut or edited.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/names.h"
#include "nic2app/proc_pid.h"
#include "sock_diag_int.h"

/* Longer than any row the kernel writes (a unix row with a 108-byte name is under 200). */
#define PROC_LINE_MAX 512

int proc_file_read(const char *path, char **buf, size_t *len)
{
	ssize_t n = proc_read_all(AT_FDCWD, path, buf);

	if (n < 0)
		return (int)n;
	if (len)
		*len = (size_t)n;
	return 0;
}

/* Copy the line at *pos into line without its '\n' and move *pos past it. 1 for a line, 0 at
 * the end, -1 for a line too long to be one of the kernel's (skipped). */
static int next_line(const char **pos, char *line, size_t size)
{
	const char *s = *pos, *end;
	size_t n;

	if (*s == '\0')
		return 0;
	end = strchr(s, '\n');
	n = end ? (size_t)(end - s) : strlen(s);
	*pos = end ? end + 1 : s + n;
	if (n >= size)
		return -1;
	memcpy(line, s, n);
	line[n] = '\0';
	return 1;
}

/* The first line is the header: true when its first words are words[0], words[1]... */
static bool header_starts_with(const char **pos, const char *const *words, size_t nwords)
{
	char line[PROC_LINE_MAX], *tok, *save = NULL;
	size_t i;

	if (next_line(pos, line, sizeof(line)) != 1)
		return false;
	tok = strtok_r(line, " \t", &save);
	for (i = 0; i < nwords; i++, tok = strtok_r(NULL, " \t", &save))
		if (!tok || strcmp(tok, words[i]) != 0)
			return false;
	return true;
}

/* Turns one row of a table into d; false for a row that does not parse (it is skipped). */
typedef bool (*proc_row_fn)(const char *line, void *ctx, struct sock_desc *d);

/* The loop every table shares: check that the header starts with header[0..nheader-1], then
 * add each row parse_row accepts to t. Rows added, -EBADMSG for another header, or -errno. */
static int proc_table_parse(const char *buf, const char *const *header, size_t nheader,
			    proc_row_fn parse_row, void *ctx, struct sock_table *t)
{
	char line[PROC_LINE_MAX];
	struct sock_desc d;
	int rows = 0, r;

	if (!header_starts_with(&buf, header, nheader))
		return -EBADMSG;
	while ((r = next_line(&buf, line, sizeof(line))) != 0) {
		if (r < 0 || !parse_row(line, ctx, &d))
			continue;
		r = sock_table_add(t, &d);
		if (r < 0)
			return r;
		rows++;
	}
	return rows;
}

#define PROC_TABLE_PARSE(buf, header, parse_row, ctx, t) \
	proc_table_parse(buf, header, sizeof(header) / sizeof(header[0]), parse_row, ctx, t)

/* /proc/net prints an address as 32-bit words in hex, each in the host's byte order. */
static bool parse_hex_addr(const char *hex, int family, struct in6_addr *a)
{
	size_t words = family == AF_INET6 ? 4 : 1, i;
	char word[9];
	uint32_t w;

	if (strlen(hex) != words * 8)
		return false;
	memset(a, 0, sizeof(*a));
	for (i = 0; i < words; i++) {
		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		w = (uint32_t)strtoul(word, NULL, 16);
		memcpy((char *)a + i * 4, &w, sizeof(w));
	}
	return true;
}

static bool parse_inet_row(const char *line, int family, int protocol, struct inet_sock *s)
{
	char laddr[33], raddr[33];
	unsigned int lport, rport, state, txq, rxq;
	unsigned long inode;

	if (sscanf(line, " %*u: %32[0-9A-Fa-f]:%4x %32[0-9A-Fa-f]:%4x %2x %8x:%8x %*x:%*x %*x %*u %*d %lu",
		   laddr, &lport, raddr, &rport, &state, &txq, &rxq, &inode) != 8)
		return false;
	memset(s, 0, sizeof(*s));
	if (inode > UINT32_MAX || !parse_hex_addr(laddr, family, &s->src) ||
	    !parse_hex_addr(raddr, family, &s->dst))
		return false;
	s->family = family;
	s->protocol = protocol;
	s->state = (int)state;
	s->sport = (uint16_t)lport;
	s->dport = (uint16_t)rport;
	s->inode = (uint32_t)inode;
	s->rqueue = rxq;
	s->wqueue = txq;
	/* a listener's tx_queue is write_seq - snd_una, not the backlog limit sock_diag gives */
	s->wqueue_unknown = protocol == IPPROTO_TCP && state == 10 /* TCP_LISTEN */;
	s->v6only = -1;
	return true;
}

static int inet_protocol_of(const char *proto)
{
	if (strcmp(proto, "tcp") == 0)
		return IPPROTO_TCP;
	if (strcmp(proto, "udp") == 0)
		return IPPROTO_UDP;
	if (strcmp(proto, "icmp") == 0)
		return IPPROTO_ICMP;
	return IPPROTO_RAW;
}

/* What an inet row needs besides its text: the table's family and protocol. */
struct inet_table {
	int family;
	int protocol;
	const char *proto;
};

static bool parse_inet_desc(const char *line, void *ctx, struct sock_desc *d)
{
	const struct inet_table *it = ctx;
	struct inet_sock s;

	if (!parse_inet_row(line, it->family, it->protocol, &s))
		return false;
	sock_desc_from_inet(&s, it->proto, SOCK_IFNAME_NUMERIC, d);
	return true;
}

int proc_net_inet_parse(const char *buf, int family, const char *proto, struct sock_table *t)
{
	static const char *const header[] = { "sl", "local_address" };
	struct inet_table it = { family, inet_protocol_of(proto), proto };

	return PROC_TABLE_PARSE(buf, header, parse_inet_desc, &it, t);
}

/* /proc/net/unix shows SS_* socket states (1 unconnected, 2 connecting, 3 connected,
 * 4 disconnecting; the last two for sockets no fd holds) and a listener in its flags. They
 * are named as unix_diag would name the socket's TCP_* state. */
#define UNIX_FLAG_ACCEPTCON (1u << 16)

static const char *unix_proc_state(unsigned int flags, unsigned int st)
{
	if (flags & UNIX_FLAG_ACCEPTCON)
		return "LISTEN";
	switch (st) {
	case 1:
	case 4:
		return "UNCONN";
	case 2:
	case 3:
		return "ESTABLISHED";
	}
	return "";
}

static bool parse_unix_row(const char *line, void *ctx, struct sock_desc *d)
{
	unsigned int flags, type, st;
	unsigned long inode;
	int end = -1;

	(void)ctx;
	if (sscanf(line, "%*[0-9a-fA-F]: %*x %*x %x %x %x %lu%n", &flags, &type, &st, &inode,
		   &end) != 4 || end < 0 || inode > UINT32_MAX)
		return false;
	memset(d, 0, sizeof(*d));
	d->inode = (uint32_t)inode;
	d->family = AF_UNIX;
	snprintf(d->proto, sizeof(d->proto), "%s", socktype_name((int)type));
	snprintf(d->state, sizeof(d->state), "%s", unix_proc_state(flags, st));
	/* the name follows one space, abstract ones with '@' for NUL bytes already */
	if (line[end] == ' ')
		snprintf(d->local, sizeof(d->local), "%s", line + end + 1);
	else if (line[end] != '\0')
		return false;
	return true;
}

int proc_net_unix_parse(const char *buf, struct sock_table *t)
{
	static const char *const header[] = { "Num", "RefCount", "Protocol", "Flags" };

	return PROC_TABLE_PARSE(buf, header, parse_unix_row, NULL, t);
}

static bool parse_netlink_row(const char *line, void *ctx, struct sock_desc *d)
{
	unsigned int portid;
	unsigned long inode;
	int protocol, rmem, wmem;
	char name[sizeof(((struct sock_desc *)0)->proto)];

	(void)ctx;
	if (sscanf(line, "%*x %d %u %*x %d %d %*d %*d %*u %lu", &protocol, &portid, &rmem, &wmem,
		   &inode) != 5 || inode > UINT32_MAX)
		return false;
	memset(d, 0, sizeof(*d));
	d->inode = (uint32_t)inode;
	d->family = AF_NETLINK;
	snprintf(d->proto, sizeof(d->proto), "%s",
		 netlink_protocol_name(protocol, name, sizeof(name)));
	if (portid != 0)
		snprintf(d->local, sizeof(d->local), "%u", portid);
	/* the table does not say whether the socket is connected: state and remote unknown */
	d->known = SOCK_KNOWN_QUEUES;
	d->recv_q = rmem < 0 ? 0 : (uint32_t)rmem;
	d->send_q = wmem < 0 ? 0 : (uint32_t)wmem;
	return true;
}

int proc_net_netlink_parse(const char *buf, struct sock_table *t)
{
	static const char *const header[] = { "sk", "Eth", "Pid" };

	return PROC_TABLE_PARSE(buf, header, parse_netlink_row, NULL, t);
}

/* ctx: the int ifname_fd, as sock_ifname() */
static bool parse_packet_row(const char *line, void *ctx, struct sock_desc *d)
{
	int ifname_fd = *(const int *)ctx;
	unsigned int ethertype, rmem;
	unsigned long inode;
	int type, ifindex;

	if (sscanf(line, "%*x %*d %d %x %d %*d %u %*u %lu", &type, &ethertype, &ifindex, &rmem,
		   &inode) != 5 || inode > UINT32_MAX || ifindex < 0 || ethertype > 0xffff)
		return false;
	memset(d, 0, sizeof(*d));
	d->inode = (uint32_t)inode;
	d->family = AF_PACKET;
	snprintf(d->proto, sizeof(d->proto), "%s", socktype_name(type));
	snprintf(d->state, sizeof(d->state), "UNCONN");
	sock_packet_local((unsigned int)ifindex, ethertype, ifname_fd, d->local, sizeof(d->local));
	d->known = SOCK_KNOWN_QUEUES | SOCK_KNOWN_REMOTE;
	d->recv_q = rmem;
	return true;
}

int proc_net_packet_parse_ifnames(const char *buf, int ifname_fd, struct sock_table *t)
{
	static const char *const header[] = { "sk", "RefCnt", "Type", "Proto" };

	return PROC_TABLE_PARSE(buf, header, parse_packet_row, &ifname_fd, t);
}

int proc_net_packet_parse(const char *buf, struct sock_table *t)
{
	return proc_net_packet_parse_ifnames(buf, -1, t);
}

static const struct proc_net_file {
	const char *name;
	int family;          /* inet tables only */
	const char *proto;
} proc_net_files[] = {
	{ "tcp", AF_INET, "tcp" },   { "tcp6", AF_INET6, "tcp" },   { "udp", AF_INET, "udp" },
	{ "udp6", AF_INET6, "udp" }, { "raw", AF_INET, "raw" },     { "raw6", AF_INET6, "raw" },
	{ "icmp", AF_INET, "icmp" }, { "icmp6", AF_INET6, "icmp" }, { "unix", AF_UNIX, NULL },
	{ "netlink", AF_NETLINK, NULL }, { "packet", AF_PACKET, NULL },
};

static int proc_net_parse_one(const struct proc_net_file *f, const char *text, int ifname_fd,
			      struct sock_table *t)
{
	switch (f->family) {
	case AF_UNIX:
		return proc_net_unix_parse(text, t);
	case AF_NETLINK:
		return proc_net_netlink_parse(text, t);
	case AF_PACKET:
		return proc_net_packet_parse_ifnames(text, ifname_fd, t);
	}
	return proc_net_inet_parse(text, f->family, f->proto, t);
}

int proc_net_read(const char *dir, const char *name, int ifname_fd, struct sock_table *t)
{
	const struct proc_net_file *f = NULL;
	char path[PATH_MAX], *text;
	size_t i;
	int r;

	for (i = 0; i < sizeof(proc_net_files) / sizeof(proc_net_files[0]); i++)
		if (strcmp(proc_net_files[i].name, name) == 0)
			f = &proc_net_files[i];
	if (!f)
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	r = proc_file_read(path, &text, NULL);
	if (r < 0)
		return r;
	r = proc_net_parse_one(f, text, ifname_fd, t);
	free(text);
	return r;
}
