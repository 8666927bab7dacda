// SPDX-License-Identifier: MIT
/*
 * sock_diag_inet: TCP, UDP and raw sockets of AF_INET and AF_INET6 into a sock_table, from
 * inet_diag dumps (inet_diag.c does the netlink part). /proc/net/{tcp,udp,raw,icmp}* rows are
 * turned into table entries by the same sock_desc_from_inet().
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/names.h"
#include "sock_diag_int.h"

struct table_ctx {
	struct sock_table *t;
	const char *proto;
	int ifname_fd; /* as sock_ifname() */
};

static bool addr_is_any(const struct in6_addr *a)
{
	static const struct in6_addr any;

	return memcmp(a, &any, sizeof(any)) == 0;
}

/* "127.0.0.1%lo:80", "[fe80::1]%eth0:80": the address, the device after '%' as ss writes it. */
static void local_with_dev(const struct inet_sock *s, const char *dev, char *buf, size_t size)
{
	char addr[SOCK_ADDR_MAX];
	const char *colon;

	if (!dev[0]) { /* the common case, straight into buf */
		inet_sock_addr(s, 0, buf, size);
		return;
	}
	inet_sock_addr(s, 0, addr, sizeof(addr));
	colon = strrchr(addr, ':'); /* before the port: "[::1]:80" has others inside the brackets */
	if (!colon)
		snprintf(buf, size, "%s", addr);
	else
		snprintf(buf, size, "%.*s%%%s%s", (int)(colon - addr), addr, dev, colon);
}

/* src into a field of size bytes, cut to fit (snprintf "%s" without its cost per socket) */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void sock_desc_from_inet(const struct inet_sock *s, const char *proto, int ifname_fd,
			 struct sock_desc *d)
{
	char name[32];

	memset(d, 0, sizeof(*d));
	d->inode = s->inode;
	d->family = s->family;
	copy_name(d->proto, sizeof(d->proto), proto);
	copy_name(d->state, sizeof(d->state), sock_state_name(s->state, s->protocol == IPPROTO_TCP));
	if (s->from_diag) {
		d->known |= SOCK_KNOWN_DEV;
		if (s->ifindex)
			snprintf(d->dev, sizeof(d->dev), "%s",
				 sock_ifname(s->ifindex, ifname_fd, name, sizeof(name)));
	}
	if (s->v6only >= 0 && s->family == AF_INET6) {
		d->known |= SOCK_KNOWN_V6ONLY;
		d->v6only = s->v6only;
	}
	local_with_dev(s, d->dev, d->local, sizeof(d->local));
	/* unconnected: ss shows *:*, we show nothing */
	d->known |= SOCK_KNOWN_REMOTE | SOCK_KNOWN_RECV_Q;
	if (!addr_is_any(&s->dst) || s->dport != 0)
		inet_sock_addr(s, 1, d->remote, sizeof(d->remote));
	d->recv_q = s->rqueue;
	if (!s->wqueue_unknown) {
		d->known |= SOCK_KNOWN_SEND_Q;
		d->send_q = s->wqueue;
	}
}

static const char *inet_proto_name(int protocol)
{
	return protocol == IPPROTO_RAW ? "raw" : ipproto_name(protocol);
}

static int add_inet(const struct inet_sock *s, void *data)
{
	struct table_ctx *c = data;
	struct sock_desc d;

	if (s->inode == 0) /* TIME_WAIT, accept queue: no fd can name it */
		return 0;
	sock_desc_from_inet(s, c->proto, c->ifname_fd, &d);
	return sock_table_add(c->t, &d);
}

int inet_diag_table_parse(const void *buf, size_t len, int protocol, struct sock_table *t)
{
	struct table_ctx c = { .t = t, .proto = inet_proto_name(protocol), .ifname_fd = -1 };

	return inet_diag_parse(buf, len, protocol, add_inet, &c);
}

int sock_diag_inet_dump(struct mnl_socket *nl, unsigned int seq, int family, int protocol,
			int ifname_fd, struct sock_table *t)
{
	struct table_ctx c = { .t = t, .proto = inet_proto_name(protocol), .ifname_fd = ifname_fd };

	return inet_diag_dump_on(nl, seq, family, protocol, INET_DIAG_STATES_WITH_INODE, add_inet,
				 &c);
}
