// SPDX-License-Identifier: MIT
/* inet_diag: sock_diag dumps of TCP/UDP/raw sockets through libmnl (the dump loop is
 * nl_dump.c's); the parser is separate from the socket so tests can feed it recorded replies
 * from tests/data/. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/inet_diag.h"
#include "../netlink/nl_dump.h"
#include "sock_diag_int.h"

struct parse_ctx {
	inet_sock_fn fn;
	void *ctx;
	int protocol;
	int stop;
};

/* INET_DIAG_SKV6ONLY, which the kernel adds to every AF_INET6 socket's reply unasked. */
static int find_v6only(const struct nlattr *attr, void *data)
{
	int *v6only = data;

	if (mnl_attr_get_type(attr) == INET_DIAG_SKV6ONLY && mnl_attr_get_payload_len(attr) >= 1)
		*v6only = *(const uint8_t *)mnl_attr_get_payload(attr) != 0;
	return MNL_CB_OK;
}

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	struct parse_ctx *pc = data;
	const struct inet_diag_msg *m;
	struct inet_sock s;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_ERROR; /* errno EINVAL set below by the caller */
	m = mnl_nlmsg_get_payload(nlh);

	memset(&s, 0, sizeof(s));
	s.family = m->idiag_family;
	s.protocol = pc->protocol;
	s.state = m->idiag_state;
	memcpy(&s.src, m->id.idiag_src, sizeof(s.src));
	memcpy(&s.dst, m->id.idiag_dst, sizeof(s.dst));
	s.sport = ntohs(m->id.idiag_sport);
	s.dport = ntohs(m->id.idiag_dport);
	s.inode = m->idiag_inode;
	s.uid = m->idiag_uid;
	s.rqueue = m->idiag_rqueue;
	s.wqueue = m->idiag_wqueue;
	s.ifindex = m->id.idiag_if;
	s.v6only = -1;
	s.from_diag = true;
	if (s.family == AF_INET6 &&
	    mnl_attr_parse(nlh, sizeof(*m), find_v6only, &s.v6only) == MNL_CB_ERROR)
		return MNL_CB_ERROR;
	if (pc->fn) {
		pc->stop = pc->fn(&s, pc->ctx);
		if (pc->stop)
			return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

/* Run the callback over one buffer of replies: 1 at NLMSG_DONE, 0 when more is to come,
 * -errno on a malformed or error reply, or the callback's own non-zero return. seq and portid
 * of 0 accept any (recorded replies). */
static int parse_batch(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		       int protocol, inet_sock_fn fn, void *ctx)
{
	struct parse_ctx pc = { .fn = fn, .ctx = ctx, .protocol = protocol };
	int r;

	r = nl_batch_run(buf, len, seq, portid, on_message, &pc);
	return pc.stop ? pc.stop : r;
}

int inet_diag_parse(const void *buf, size_t len, int protocol, inet_sock_fn fn, void *ctx)
{
	return parse_batch(buf, len, 0, 0, protocol, fn, ctx);
}

struct dump_ctx {
	int protocol;
	inet_sock_fn fn;
	void *ctx;
};

static int dump_batch(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		      void *data)
{
	struct dump_ctx *dc = data;

	return parse_batch(buf, len, seq, portid, dc->protocol, dc->fn, dc->ctx);
}

int inet_diag_dump_on(struct mnl_socket *nl, unsigned int seq, int family, int protocol,
		      uint32_t states, inet_sock_fn fn, void *ctx)
{
	/* raw_diag reads its request as inet_diag_req_raw, whose sdiag_raw_protocol sits where
	 * inet_diag_req_v2 has pad; dumps list every raw protocol (0 also matches any where the
	 * kernel filters on it). */
	union {
		struct inet_diag_req_v2 v2;
		struct inet_diag_req_raw raw;
	} req;
	struct dump_ctx dc = { .protocol = protocol, .fn = fn, .ctx = ctx };

	memset(&req, 0, sizeof(req));
	req.v2.sdiag_family = (__u8)family;
	req.v2.sdiag_protocol = (__u8)protocol;
	req.v2.idiag_states = states;
	if (protocol == IPPROTO_RAW)
		req.raw.sdiag_raw_protocol = 0;
	return nl_dump_run(nl, seq, &req, sizeof(req), dump_batch, &dc);
}

int inet_diag_dump(int family, int protocol, inet_sock_fn fn, void *ctx)
{
	struct mnl_socket *nl = nl_diag_open();
	int r;

	if (!nl)
		return -errno;
	/* every state, TIME_WAIT and NEW_SYN_RECV included */
	r = inet_diag_dump_on(nl, (unsigned int)time(NULL), family, protocol, ~0u, fn, ctx);
	mnl_socket_close(nl);
	return r;
}

const char *inet_sock_addr(const struct inet_sock *s, int remote, char *buf, size_t size)
{
	const struct in6_addr *a = remote ? &s->dst : &s->src;
	unsigned int port = remote ? s->dport : s->sport;
	char ip[INET6_ADDRSTRLEN];

	char text[INET6_ADDRSTRLEN + 10], digits[8], *at = text;
	size_t n = sizeof(digits), len;

	/* a family other than AF_INET/AF_INET6 (a malformed message) has no address to show */
	if (!inet_ntop(s->family, a, ip, sizeof(ip)))
		memcpy(ip, "?", 2);
	/* by hand, not snprintf: every socket of a big table comes here */
	if (s->family == AF_INET6)
		*at++ = '[';
	len = strlen(ip);
	memcpy(at, ip, len);
	at += len;
	if (s->family == AF_INET6)
		*at++ = ']';
	*at++ = ':';
	do {
		digits[--n] = (char)('0' + port % 10);
		port /= 10;
	} while (port);
	memcpy(at, digits + n, sizeof(digits) - n);
	at += sizeof(digits) - n;
	*at = '\0';
	if (size) {
		len = (size_t)(at - text) < size ? (size_t)(at - text) : size - 1;
		memcpy(buf, text, len);
		buf[len] = '\0';
	}
	return buf;
}
