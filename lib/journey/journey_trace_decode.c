// SPDX-License-Identifier: MIT
/*
 * journey_trace_decode: trace records of the journey's events into struct jevent. Field
 * offsets come from each event's format file, never from constants: they change between
 * kernel versions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/journey_trace.h"

struct kind_spec {
	const char *tracefs_name;
	const char *key, *pid, *len, *proto; /* field names; NULL: not used; pid NULL: common_pid */
};

static const struct kind_spec specs[JE_KINDS] = {
	[JE_SYS_ENTER_SENDTO] = { "syscalls/sys_enter_sendto", NULL, NULL, NULL, NULL },
	[JE_NET_DEV_QUEUE] = { "net/net_dev_queue", "skbaddr", NULL, "len", NULL },
	[JE_NET_DEV_START_XMIT] = { "net/net_dev_start_xmit", "skbaddr", NULL, "len", NULL },
	[JE_NETIF_RX] = { "net/netif_rx", "skbaddr", NULL, "len", NULL },
	[JE_NETIF_RECEIVE_SKB] = { "net/netif_receive_skb", "skbaddr", NULL, "len", NULL },
	[JE_SK_DATA_READY] = { "sock/sk_data_ready", "skaddr", NULL, NULL, "protocol" },
	[JE_SCHED_WAKEUP] = { "sched/sched_wakeup", NULL, "pid", NULL, NULL },
	[JE_SCHED_SWITCH] = { "sched/sched_switch", NULL, "next_pid", NULL, NULL },
	[JE_SKB_COPY] = { "skb/skb_copy_datagram_iovec", "skbaddr", NULL, "len", NULL },
	[JE_SYS_EXIT_RECVMSG] = { "syscalls/sys_exit_recvmsg", NULL, NULL, "ret", NULL },
};

const char *jevent_tracefs_name(enum jevent_kind k)
{
	return (unsigned int)k < JE_KINDS ? specs[k].tracefs_name : NULL;
}

/* The named field, or NULL when name is NULL; *ok turns false when a named one is absent. */
static const struct trace_field *need(const struct trace_format *f, const char *name, bool *ok)
{
	const struct trace_field *field;

	if (!name)
		return NULL;
	field = trace_format_field(f, name);
	if (!field)
		*ok = false;
	return field;
}

int jevent_decoder_add(struct jevent_decoder *d, enum jevent_kind k, const char *format_text)
{
	const struct kind_spec *s;
	struct trace_format *f;
	bool ok = true;
	int r;

	if ((unsigned int)k >= JE_KINDS)
		return -EINVAL;
	s = &specs[k];
	f = &d->fmt[k];
	if ((r = trace_format_parse(format_text, f)) < 0)
		return r;
	d->key[k] = need(f, s->key, &ok);
	d->pid[k] = need(f, s->pid ? s->pid : "common_pid", &ok);
	d->len[k] = need(f, s->len, &ok);
	d->proto[k] = need(f, s->proto, &ok);
	if (!ok)
		return -EBADMSG;
	d->have[k] = true;
	return 0;
}

int jevent_decode(const struct jevent_decoder *d, const struct trace_record *r,
		  struct jevent *out)
{
	for (int k = 0; k < JE_KINDS; k++) {
		int64_t len;

		if (!d->have[k] || d->fmt[k].id != r->type)
			continue;
		len = (int64_t)trace_field_u64(d->len[k], r);
		*out = (struct jevent){
			.ts_ns = r->ts_ns,
			.key = trace_field_u64(d->key[k], r),
			.pid = (int32_t)trace_field_u64(d->pid[k], r),
			.len = len > 0 && len <= UINT32_MAX ? (uint32_t)len : 0,
			.kind = (uint16_t)k,
			.proto = (uint16_t)trace_field_u64(d->proto[k], r),
		};
		return 1;
	}
	return 0;
}

int jevents_add(struct jevents *e, const struct jevent *ev)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4096;
		struct jevent *v = realloc(e->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n] = *ev;
	e->v[e->n].seq = (uint32_t)e->n;
	e->n++;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct jevent *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns > y->ts_ns ? 1 : -1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

void jevents_sort(struct jevents *e)
{
	if (e->n > 1)
		qsort(e->v, e->n, sizeof(*e->v), by_time);
}

void jevents_release(struct jevents *e)
{
	free(e->v);
	*e = (struct jevents){ 0 };
}
