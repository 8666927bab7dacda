// SPDX-License-Identifier: MIT
/*
 * journey_trace: the live tracefs session of a journey. The events are filtered in the
 * kernel to the journey's own threads and devices, so the ring buffer holds little else;
 * the journey stops recording between chunks of messages and reads what was recorded, so
 * the buffer never fills.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "nic2app/journey_trace.h"
#include "nic2app/tracefs.h"

#define BUFFER_KB "4096" /* per CPU: several times what one chunk of messages records */

/* The filter of each event kind, for these threads and devices. */
static void make_filter(enum jevent_kind k, pid_t sender, pid_t receiver,
			const char *const *devices, char *buf, size_t size)
{
	switch (k) {
	case JE_SYS_ENTER_SENDTO:
		snprintf(buf, size, "common_pid == %d", (int)sender);
		break;
	case JE_NET_DEV_QUEUE:
	case JE_NET_DEV_START_XMIT:
	case JE_NETIF_RX:
	case JE_NETIF_RECEIVE_SKB:
		snprintf(buf, size, "name == \"%s\"%s%s%s", devices[0], devices[1] ? " || name == \"" : "",
			 devices[1] ? devices[1] : "", devices[1] ? "\"" : "");
		break;
	case JE_SK_DATA_READY:
		snprintf(buf, size, "family == %d", AF_INET);
		break;
	case JE_SCHED_WAKEUP:
		snprintf(buf, size, "pid == %d", (int)receiver);
		break;
	case JE_SCHED_SWITCH:
		snprintf(buf, size, "next_pid == %d", (int)receiver);
		break;
	default: /* the receiver's copy and recvmsg exit */
		snprintf(buf, size, "common_pid == %d", (int)receiver);
		break;
	}
}

static int enable_kind(struct journey_trace *jt, enum jevent_kind k, const char *filter)
{
	char file[128], text[16384];
	ssize_t n;
	int r;

	snprintf(file, sizeof(file), "events/%s/format", jevent_tracefs_name(k));
	if ((n = tracefs_read(jt->tfs, file, text, sizeof(text))) < 0)
		return (int)n;
	if ((r = jevent_decoder_add(&jt->dec, k, text)) < 0)
		return r;
	return tracefs_enable_event(jt->tfs, jevent_tracefs_name(k), filter);
}

int journey_trace_open(struct journey_trace *jt, pid_t sender_tid, pid_t receiver_tid,
		       const char *const *devices)
{
	char filter[256];
	int r;

	*jt = (struct journey_trace){ 0 };
	if (!(jt->tfs = calloc(1, sizeof(*jt->tfs))))
		return -ENOMEM;
	if ((r = tracefs_open(jt->tfs)) < 0)
		goto out_close;
	/* the mono clock is CLOCK_MONOTONIC: the same clock as the application's readings */
	if ((r = tracefs_write(jt->tfs, "trace_clock", "mono")) < 0 ||
	    (r = tracefs_write(jt->tfs, "buffer_size_kb", BUFFER_KB)) < 0 ||
	    (r = tracefs_write(jt->tfs, "tracing_on", "0")) < 0)
		goto out_close;
	for (int k = 0; k < JE_KINDS; k++) {
		make_filter(k, sender_tid, receiver_tid, devices, filter, sizeof(filter));
		if ((r = enable_kind(jt, k, filter)) < 0)
			goto out_close;
	}
	return 0;
out_close:
	journey_trace_close(jt);
	return r;
}

int journey_trace_start(struct journey_trace *jt)
{
	return tracefs_write(jt->tfs, "tracing_on", "1");
}

static int on_record(const struct trace_record *rec, void *ctx)
{
	struct journey_trace *jt = ctx;
	struct jevent e;

	if (jevent_decode(&jt->dec, rec, &e) != 1)
		return 0;
	return jevents_add(&jt->events, &e);
}

int journey_trace_collect(struct journey_trace *jt)
{
	int r;

	if ((r = tracefs_write(jt->tfs, "tracing_on", "0")) < 0)
		return r;
	if ((r = tracefs_read_records(jt->tfs, on_record, jt, &jt->missed_pages)) < 0)
		return r;
	return tracefs_lost_events(jt->tfs, &jt->lost);
}

int journey_trace_close(struct journey_trace *jt)
{
	int r = 0;

	if (jt->tfs) {
		r = tracefs_close(jt->tfs);
		free(jt->tfs);
		jt->tfs = NULL;
	}
	return r;
}
