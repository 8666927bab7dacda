// SPDX-License-Identifier: MIT
/*
 * tcp_info: every TCP socket of a namespace with its struct tcp_info, from one inet_diag dump
 * per family that sets idiag_ext to ask for INET_DIAG_INFO and INET_DIAG_CONG (what `ss -ti`
 * asks for). The timer comes from the inet_diag_msg itself (idiag_timer, idiag_retrans,
 * idiag_expires: what `ss -o` shows).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nic2app/tcp_info.h"
#include "../netlink/nl_dump.h"
#include "sock_diag_int.h"

const char *tcp_timer_name(unsigned int timer)
{
	static const char *const names[] = { "none", "retransmit", "keepalive", "timewait",
					     "persist" };

	return timer < sizeof(names) / sizeof(names[0]) ? names[timer] : "unknown";
}

/* How far into struct tcp_info a field ends: the kernel sends as much of it as it has. */
#define END_OF(field) (offsetof(struct tcp_info, field) + sizeof(((struct tcp_info *)0)->field))

static uint8_t known_of(size_t len)
{
	uint8_t known = TCPI_KNOWN_INFO;

	if (len >= END_OF(tcpi_bytes_received))
		known |= TCPI_KNOWN_RATES;
	if (len >= END_OF(tcpi_min_rtt))
		known |= TCPI_KNOWN_MIN_RTT;
	if (len >= END_OF(tcpi_delivery_rate))
		known |= TCPI_KNOWN_DELIVERY;
	if (len >= END_OF(tcpi_bytes_retrans))
		known |= TCPI_KNOWN_BYTES_SENT;
	return known;
}

static void copy_info(const struct tcp_info *i, struct sock_tcp_info *o)
{
	o->ca_state = i->tcpi_ca_state;
	o->retransmits = i->tcpi_retransmits;
	o->probes = i->tcpi_probes;
	o->backoff = i->tcpi_backoff;
	o->snd_wscale = i->tcpi_snd_wscale;
	o->rcv_wscale = i->tcpi_rcv_wscale;
	o->app_limited = i->tcpi_delivery_rate_app_limited;
	o->rto_us = i->tcpi_rto;
	o->ato_us = i->tcpi_ato;
	o->snd_mss = i->tcpi_snd_mss;
	o->rcv_mss = i->tcpi_rcv_mss;
	o->advmss = i->tcpi_advmss;
	o->pmtu = i->tcpi_pmtu;
	o->unacked = i->tcpi_unacked;
	o->sacked = i->tcpi_sacked;
	o->lost = i->tcpi_lost;
	o->retrans = i->tcpi_retrans;
	o->rtt_us = i->tcpi_rtt;
	o->rttvar_us = i->tcpi_rttvar;
	o->min_rtt_us = i->tcpi_min_rtt;
	o->snd_cwnd = i->tcpi_snd_cwnd;
	o->snd_ssthresh = i->tcpi_snd_ssthresh;
	o->reordering = i->tcpi_reordering;
	o->rcv_space = i->tcpi_rcv_space;
	o->total_retrans = i->tcpi_total_retrans;
	o->last_data_sent_ms = i->tcpi_last_data_sent;
	o->last_data_recv_ms = i->tcpi_last_data_recv;
	o->last_ack_recv_ms = i->tcpi_last_ack_recv;
	o->segs_out = i->tcpi_segs_out;
	o->segs_in = i->tcpi_segs_in;
	o->notsent_bytes = i->tcpi_notsent_bytes;
	o->pacing_rate = i->tcpi_pacing_rate;
	o->delivery_rate = i->tcpi_delivery_rate;
	o->bytes_acked = i->tcpi_bytes_acked;
	o->bytes_received = i->tcpi_bytes_received;
	o->bytes_sent = i->tcpi_bytes_sent;
	o->bytes_retrans = i->tcpi_bytes_retrans;
}

static int table_add(struct tcp_info_table *t, const struct sock_tcp_info *o)
{
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct sock_tcp_info *grown = realloc(t->list, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		t->list = grown;
		t->cap = cap;
	}
	t->list[t->count++] = *o;
	return 0;
}

static int on_msg(const void *msg, const struct nlattr *const *tb, void *ctx)
{
	const struct inet_diag_msg *m = msg;
	struct sock_tcp_info o;

	if (m->idiag_inode == 0) /* no fd names it */
		return 0;
	memset(&o, 0, sizeof(o));
	o.inode = m->idiag_inode;
	o.state = m->idiag_state;
	o.timer = m->idiag_timer;
	o.timer_retrans = m->idiag_retrans;
	o.timer_expires_ms = m->idiag_timer ? m->idiag_expires : 0;
	if (tb[INET_DIAG_INFO]) {
		struct tcp_info info;
		size_t len = mnl_attr_get_payload_len(tb[INET_DIAG_INFO]);

		/* a shorter struct from an older kernel: what it lacks stays 0, and known says so */
		memset(&info, 0, sizeof(info));
		memcpy(&info, mnl_attr_get_payload(tb[INET_DIAG_INFO]),
		       len < sizeof(info) ? len : sizeof(info));
		copy_info(&info, &o);
		o.known = known_of(len);
	}
	if (tb[INET_DIAG_CONG]) {
		size_t len = mnl_attr_get_payload_len(tb[INET_DIAG_CONG]);

		if (len >= sizeof(o.cong))
			len = sizeof(o.cong) - 1;
		memcpy(o.cong, mnl_attr_get_payload(tb[INET_DIAG_CONG]), len);
		o.cong[strnlen(o.cong, len)] = '\0';
	}
	return table_add(ctx, &o);
}

static const struct nl_diag_family tcp_family = {
	.hdr_len = sizeof(struct inet_diag_msg),
	.attr_max = INET_DIAG_CONG,
	.on_msg = on_msg,
};

int tcp_info_parse(const void *buf, size_t len, struct tcp_info_table *t)
{
	return nl_diag_parse(buf, len, &tcp_family, t);
}

static int dump_family(struct mnl_socket *nl, unsigned int seq, int family,
		       struct tcp_info_table *t)
{
	struct inet_diag_req_v2 req;

	memset(&req, 0, sizeof(req));
	req.sdiag_family = (__u8)family;
	req.sdiag_protocol = IPPROTO_TCP;
	req.idiag_states = INET_DIAG_STATES_WITH_INODE;
	req.idiag_ext = (1u << (INET_DIAG_INFO - 1)) | (1u << (INET_DIAG_CONG - 1));
	return nl_diag_dump(nl, seq, &req, sizeof(req), &tcp_family, t);
}

static int inode_cmp(const void *a, const void *b)
{
	const struct sock_tcp_info *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

void tcp_info_table_sort(struct tcp_info_table *t)
{
	if (t->count)
		qsort(t->list, t->count, sizeof(*t->list), inode_cmp);
}

int tcp_info_table_fill(struct tcp_info_table *t, int netns_fd)
{
	unsigned int seq = (unsigned int)time(NULL);
	struct mnl_socket *nl = NULL;
	int r = sock_diag_open_in(netns_fd, &nl);

	if (r)
		return r == 1 ? -EPERM : r;
	r = dump_family(nl, seq, AF_INET, t);
	if (r == 0)
		r = dump_family(nl, seq + 1, AF_INET6, t);
	mnl_socket_close(nl);
	tcp_info_table_sort(t);
	return r;
}

const struct sock_tcp_info *tcp_info_find(const struct tcp_info_table *t, uint32_t inode)
{
	struct sock_tcp_info key = { .inode = inode };

	return t->count ? bsearch(&key, t->list, t->count, sizeof(*t->list), inode_cmp) : NULL;
}

void tcp_info_table_release(struct tcp_info_table *t)
{
	free(t->list);
	memset(t, 0, sizeof(*t));
}
