// SPDX-License-Identifier: MIT
/* inet_diag: sock_diag dumps of TCP/UDP sockets through libmnl; the parser is separate from
 * the socket so tests can feed it recorded replies from tests/data/. */
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

struct parse_ctx {
	inet_sock_fn fn;
	void *ctx;
	int protocol;
	int stop;
};

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
	if (pc->fn) {
		pc->stop = pc->fn(&s, pc->ctx);
		if (pc->stop)
			return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

/* Netlink delivers whole messages only, so bytes left over after the last complete message
 * mean the buffer was cut or forged; libmnl would skip them silently. */
static bool messages_fill_buffer(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	while (mnl_nlmsg_ok(nlh, left))
		nlh = mnl_nlmsg_next(nlh, &left);
	return left <= 0;
}

/* Run the callback over one buffer of replies: 1 at NLMSG_DONE, 0 when more is to come,
 * -errno on a malformed or error reply, or the callback's own non-zero return. seq and portid
 * of 0 accept any (recorded replies). */
static int parse_batch(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		       int protocol, inet_sock_fn fn, void *ctx)
{
	struct parse_ctx pc = { .fn = fn, .ctx = ctx, .protocol = protocol };
	int r;

	if (len > INT32_MAX || !messages_fill_buffer(buf, len))
		return -EBADMSG;
	errno = EINVAL;
	r = mnl_cb_run(buf, len, seq, portid, on_message, &pc);
	if (pc.stop)
		return pc.stop;
	if (r == MNL_CB_ERROR)
		return errno ? -errno : -EINVAL;
	return r == MNL_CB_STOP ? 1 : 0; /* libmnl stops at NLMSG_DONE */
}

int inet_diag_parse(const void *buf, size_t len, int protocol, inet_sock_fn fn, void *ctx)
{
	return parse_batch(buf, len, 0, 0, protocol, fn, ctx);
}

int inet_diag_dump(int family, int protocol, inet_sock_fn fn, void *ctx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct inet_diag_req_v2 *req;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int seq = (unsigned int)time(NULL), portid;
	ssize_t n;
	int r;

	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out_close;
	}
	portid = mnl_socket_get_portid(nl);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (__u8)family;
	req->sdiag_protocol = (__u8)protocol;
	req->idiag_states = ~0u; /* every state, TIME_WAIT and NEW_SYN_RECV included */

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out_close;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		r = n < 0 ? -errno : parse_batch(buf, (size_t)n, seq, portid, protocol, fn, ctx);
	} while (r == 0);
	if (r == 1)
		r = 0;
out_close:
	mnl_socket_close(nl);
	return r;
}

const char *inet_sock_addr(const struct inet_sock *s, int remote, char *buf, size_t size)
{
	const struct in6_addr *a = remote ? &s->dst : &s->src;
	uint16_t port = remote ? s->dport : s->sport;
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(s->family, a, ip, sizeof(ip));
	if (s->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", ip, port);
	else
		snprintf(buf, size, "%s:%u", ip, port);
	return buf;
}
