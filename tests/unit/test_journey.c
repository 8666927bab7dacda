// SPDX-License-Identifier: MIT
/*
 * test_journey: the journey's two methods on recorded data, and the stage arithmetic.
 * - tracefs: the raw trace pages recorded by tests/helpers/record_journey (16 messages over
 *   lo, UDP and TCP) are decoded and matched to the messages; the points found must sit
 *   where the kernel's SO_TIMESTAMPING stamps of the same messages, recorded at the same
 *   time, say the packet was (an independent witness), the skb must be the message's
 *   (its length is the message plus the headers), and every point in order.
 * - timestamping: recorded error-queue messages are filed under their send by OPT_ID.
 * - hand-made event lists: a receiver that needed no wake-up, a missing point, foreign
 *   events (an ACK, another thread, another window).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/journey.h"
#include "nic2app/journey_render.h"
#include "nic2app/journey_stamps.h"
#include "nic2app/journey_trace.h"

#define MOST_PACKETS 64
/* a stamp and its tracepoint are a few instructions apart; the clock conversion adds ~25 ns */
#define WITNESS_TOLERANCE_NS 1500

struct recording {
	struct jevent_decoder dec;
	struct jevents events;
	struct journey_match_ctx ctx;
	size_t size, count;
	int64_t offset_ns;
	struct journey_packet packets[MOST_PACKETS];
	int64_t sched[MOST_PACKETS], snd[MOST_PACKETS], rx[MOST_PACKETS];
};

static size_t slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

static int on_record(const struct trace_record *r, void *ctx)
{
	struct recording *rec = ctx;
	struct jevent e;

	if (jevent_decode(&rec->dec, r, &e) == 1)
		assert_int_equal(jevents_add(&rec->events, &e), 0);
	return 0;
}

static void load_pages(struct recording *rec, const char *dir)
{
	static char buf[1 << 20];

	for (int cpu = 0; cpu < 2; cpu++) {
		char path[256];
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "%s/cpu%d.raw", dir, cpu);
		if (!(f = fopen(path, "rb")))
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		assert_int_equal(n % 4096, 0);
		for (size_t off = 0; off < n; off += 4096) {
			bool missed = true;

			assert_int_equal(trace_page_walk(buf + off, 4096, on_record, rec, &missed), 0);
			assert_false(missed);
		}
	}
}

static void load_manifest(struct recording *rec, const char *dir)
{
	static char text[65536];
	char path[256], proto[8];
	int sender, receiver;
	const char *line;

	snprintf(path, sizeof(path), "%s/manifest", dir);
	slurp(path, text, sizeof(text));
	assert_int_equal(sscanf(text, "proto %7s size %zu sender_tid %d receiver_tid %d offset_ns %" SCNd64,
				proto, &rec->size, &sender, &receiver, &rec->offset_ns), 5);
	rec->ctx = (struct journey_match_ctx){
		.sender_tid = sender, .receiver_tid = receiver,
		.ip_proto = strcmp(proto, "tcp") == 0 ? IPPROTO_TCP : IPPROTO_UDP,
		.min_len = (uint32_t)rec->size + (strcmp(proto, "tcp") == 0 ? 54 : 42),
		.copy_point = strcmp(proto, "tcp") == 0,
	};
	for (line = strstr(text, "packet "); line; line = strstr(line + 1, "\npacket ")) {
		size_t i = rec->count++;

		assert_true(i < MOST_PACKETS);
		assert_int_equal(sscanf(strstr(line, "packet "), "packet %" SCNu64 " %" SCNu64 " %" SCNd64
					" %" SCNd64 " %" SCNd64, &rec->packets[i].at[JP_APP_SEND],
					&rec->packets[i].at[JP_APP_RECV], &rec->sched[i], &rec->snd[i],
					&rec->rx[i]), 5);
	}
	assert_int_equal(rec->count, 16);
}

static void load(struct recording *rec, const char *dir)
{
	static char text[16384];

	memset(rec, 0, sizeof(*rec));
	for (int k = 0; k < JE_KINDS; k++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/format_%s", dir, strchr(jevent_tracefs_name(k), '/') + 1);
		slurp(path, text, sizeof(text));
		assert_int_equal(jevent_decoder_add(&rec->dec, k, text), 0);
	}
	load_pages(rec, dir);
	load_manifest(rec, dir);
	jevents_sort(&rec->events);
}

static void assert_near(uint64_t point, int64_t stamp_realtime, int64_t offset)
{
	int64_t stamp = stamp_realtime - offset, d = (int64_t)point - stamp;

	assert_true(stamp_realtime != 0);
	if (d < -WITNESS_TOLERANCE_NS || d > WITNESS_TOLERANCE_NS)
		fail_msg("tracepoint at %" PRIu64 ", stamp at %" PRId64 ": %" PRId64 " ns apart",
			 point, stamp, d);
}

static void check_recording(const char *dir, enum journey_proto proto, uint32_t headers)
{
	static struct recording rec;
	struct journey_result r = { .method = JOURNEY_METHOD_TRACEFS, .cfg.proto = proto };
	size_t used;

	load(&rec, dir);
	used = journey_match(rec.events.v, rec.events.n, rec.packets, rec.count, &rec.ctx);
	journey_set_stages(&r);
	assert_int_equal(r.nstages, proto == JOURNEY_TCP ? 11 : 10);
	r.packets = rec.packets;
	r.npackets = rec.count;
	assert_int_equal(journey_summarize(&r), 0);
	assert_int_equal(r.complete, rec.count);
	/* every point found is an event, and the implied ones are not */
	assert_true(used + r.receiver_runnable + r.receiver_running ==
		    rec.count * (r.npoints - 2));
	for (size_t i = 0; i < rec.count; i++) {
		const struct journey_packet *p = &rec.packets[i];
		uint64_t sum = 0;

		assert_int_equal(p->wire_len, rec.size + headers);
		assert_near(p->at[JP_QDISC], rec.sched[i], rec.offset_ns);
		assert_near(p->at[JP_XMIT], rec.snd[i], rec.offset_ns);
		assert_near(p->at[JP_RX_QUEUE], rec.rx[i], rec.offset_ns);
		for (size_t k = 0; k + 1 < r.npoints; k++) {
			assert_true(p->at[r.points[k + 1]] >= p->at[r.points[k]]);
			sum += p->at[r.points[k + 1]] - p->at[r.points[k]];
		}
		assert_int_equal(sum, p->at[JP_APP_RECV] - p->at[JP_APP_SEND]);
	}
	jevents_release(&rec.events);
}

static void test_recorded_udp(void **state)
{
	(void)state;
	check_recording("tests/data/journey_udp", JOURNEY_UDP, 14 + 20 + 8);
}

static void test_recorded_tcp(void **state)
{
	(void)state;
	/* TCP's header carries the timestamp option on lo: 20 + 12 bytes */
	check_recording("tests/data/journey_tcp", JOURNEY_TCP, 14 + 20 + 32);
}

/* A hand-made window: app_send at 1000, app_recv at 9000, sender 10, receiver 20. */
static const struct journey_match_ctx hand_ctx = {
	.sender_tid = 10, .receiver_tid = 20, .ip_proto = IPPROTO_UDP, .min_len = 106,
};

static struct jevent ev(uint64_t ts, enum jevent_kind k, uint64_t key, int pid, uint32_t len)
{
	return (struct jevent){ .ts_ns = ts, .kind = (uint16_t)k, .key = key, .pid = pid,
				.len = len, .proto = k == JE_SK_DATA_READY ? IPPROTO_UDP : 0 };
}

static void test_hand_made(void **state)
{
	struct jevent e[] = {
		ev(900, JE_SCHED_WAKEUP, 0, 20, 0),            /* before the window */
		ev(1100, JE_SYS_ENTER_SENDTO, 0, 11, 0),       /* another thread */
		ev(1200, JE_SYS_ENTER_SENDTO, 0, 10, 0),
		ev(1300, JE_NET_DEV_QUEUE, 0xa, 10, 66),       /* too short: an ACK */
		ev(1400, JE_NET_DEV_QUEUE, 0xb, 10, 106),
		ev(1450, JE_NET_DEV_START_XMIT, 0xa, 10, 66),  /* the ACK's */
		ev(1500, JE_NET_DEV_START_XMIT, 0xb, 10, 106),
		ev(1600, JE_NETIF_RX, 0xb, 10, 92),
		ev(1700, JE_NETIF_RECEIVE_SKB, 0xb, 10, 92),
		ev(1800, JE_SK_DATA_READY, 0x5, 10, 0),
		/* no wake-up: the receiver was runnable */
		ev(2500, JE_SCHED_SWITCH, 0, 20, 0),
		ev(3000, JE_SYS_EXIT_RECVMSG, 0, 20, 64),
	};
	struct journey_packet p[2] = { 0 };

	(void)state;
	p[0].at[JP_APP_SEND] = 1000;
	p[0].at[JP_APP_RECV] = 3100;
	p[1].at[JP_APP_SEND] = 5000; /* a window with nothing in it */
	p[1].at[JP_APP_RECV] = 9000;
	assert_int_equal(journey_match(e, sizeof(e) / sizeof(e[0]), p, 2, &hand_ctx), 8);
	assert_int_equal(p[0].at[JP_SYS_ENTER], 1200);
	assert_int_equal(p[0].at[JP_QDISC], 1400);
	assert_int_equal(p[0].wire_len, 106);
	assert_int_equal(p[0].at[JP_XMIT], 1500);
	assert_int_equal(p[0].at[JP_WAKEUP], 1800); /* implied: at sk_data_ready */
	assert_int_equal(p[0].implied, 1u << JP_WAKEUP);
	assert_int_equal(p[0].at[JP_ON_CPU], 2500);
	assert_int_equal(p[0].at[JP_SYS_EXIT], 3000);
	assert_int_equal(p[1].at[JP_QDISC], 0);
	assert_int_equal(p[1].implied, 0);

	{
		struct journey_result r = { .method = JOURNEY_METHOD_TRACEFS, .packets = p,
					    .npackets = 2 };

		journey_set_stages(&r);
		assert_int_equal(journey_summarize(&r), 0);
		assert_int_equal(r.complete, 1);
		assert_int_equal(r.missing_at[JP_SYS_ENTER], 1);
		assert_int_equal(r.receiver_runnable, 1);
		assert_true(r.total_ns.p50 == 2100);
		assert_true(r.stage_ns[0].p50 == 200); /* send_syscall: 1000 -> 1200 */
	}
}

static void test_missing_point(void **state)
{
	struct jevent e[] = {
		ev(1200, JE_SYS_ENTER_SENDTO, 0, 10, 0),
		ev(1400, JE_NET_DEV_QUEUE, 0xb, 10, 106),
		ev(1500, JE_NET_DEV_START_XMIT, 0xb, 10, 106),
		ev(1600, JE_NETIF_RX, 0xc, 10, 92),            /* another skb */
		ev(1700, JE_NETIF_RECEIVE_SKB, 0xb, 10, 92),
	};
	struct journey_packet p = { .at[JP_APP_SEND] = 1000, .at[JP_APP_RECV] = 3000 };
	struct journey_result r = { .method = JOURNEY_METHOD_TRACEFS, .packets = &p, .npackets = 1 };

	(void)state;
	journey_match(e, sizeof(e) / sizeof(e[0]), &p, 1, &hand_ctx);
	assert_int_equal(p.at[JP_RX_QUEUE], 0);
	assert_int_equal(p.at[JP_RX_SOFTIRQ], 1700);
	journey_set_stages(&r);
	assert_int_equal(journey_summarize(&r), -ENODATA);
	assert_false(p.complete);
	assert_int_equal(p.missing, JP_RX_QUEUE);
	assert_int_equal(r.missing_at[JP_RX_QUEUE], 1);
}

/* A peer's echo: over lo the departing packet's own netif_rx (in the sender's thread) is not
 * the echo; the echo's is another skb, queued by another thread. */
static void test_peer_echo(void **state)
{
	struct journey_match_ctx ctx = hand_ctx;
	struct jevent e[] = {
		ev(1200, JE_SYS_ENTER_SENDTO, 0, 10, 0),
		ev(1400, JE_NET_DEV_QUEUE, 0xa, 10, 106),
		ev(1500, JE_NET_DEV_START_XMIT, 0xa, 10, 106),
		ev(1600, JE_NETIF_RX, 0xa, 10, 92),            /* the message reaching the peer */
		ev(1700, JE_NETIF_RECEIVE_SKB, 0xa, 10, 92),
		ev(5000, JE_NETIF_RX, 0xc, 30, 40),            /* too short: an ACK */
		ev(5100, JE_NETIF_RX, 0xb, 30, 92),            /* the echo */
		ev(5200, JE_NETIF_RECEIVE_SKB, 0xb, 30, 92),
		ev(5300, JE_SK_DATA_READY, 0x5, 30, 0),
		ev(5400, JE_SCHED_WAKEUP, 0, 10, 0),
		ev(5500, JE_SCHED_SWITCH, 0, 10, 0),
		ev(5600, JE_SYS_EXIT_RECVMSG, 0, 10, 64),
	};
	struct journey_packet p = { .at[JP_APP_SEND] = 1000, .at[JP_APP_RECV] = 5700 };
	struct journey_result r = { .method = JOURNEY_METHOD_TRACEFS, .packets = &p, .npackets = 1,
				    .cfg.via = JOURNEY_VIA_PEER };

	(void)state;
	ctx.receiver_tid = ctx.sender_tid;
	ctx.rx_is_echo = true;
	ctx.min_rx_len = 92;
	assert_int_equal(journey_match(e, sizeof(e) / sizeof(e[0]), &p, 1, &ctx), 9);
	assert_int_equal(p.at[JP_RX_QUEUE], 5100);
	assert_int_equal(p.at[JP_RX_SOFTIRQ], 5200);
	assert_int_equal(p.wire_len, 106);
	journey_set_stages(&r);
	assert_int_equal(journey_summarize(&r), 0);
	assert_string_equal(r.stages[3]->name, "away");
	assert_int_equal(r.stages[3]->layer, LAYER_REMOTE);
	assert_true(r.stage_ns[3].p50 == 5100 - 1500);
	assert_true(r.layer_ns[LAYER_REMOTE].p50 == 3600);
}

/* OPT_ID: a UDP counter of sends, TCP's offset of the send's last byte. */
static void test_stamps_by_id(void **state)
{
	struct journey_stamps s;
	struct tstamp t = { .point = TSTAMP_SCHED, .realtime_ns = 42 };

	(void)state;
	assert_int_equal(journey_stamps_init(&s, JOURNEY_TCP, 100, 2, 3), 0);
	t.id = 99; /* the first send: a warm-up one */
	assert_int_equal(journey_stamps_file(&s, &t), 0);
	t.id = 299; /* the third send: the first measured */
	assert_int_equal(journey_stamps_file(&s, &t), 1);
	assert_int_equal(s.tx[0].sched_ns, 42);
	t.id = 499;
	t.point = TSTAMP_ACK;
	assert_int_equal(journey_stamps_file(&s, &t), 1);
	assert_int_equal(s.tx[2].ack_ns, 42);
	t.id = 599; /* past the measured ones */
	assert_int_equal(journey_stamps_file(&s, &t), 0);
	journey_stamps_release(&s);

	assert_int_equal(journey_stamps_init(&s, JOURNEY_UDP, 64, 0, 2), 0);
	t.id = 1;
	t.point = TSTAMP_SND;
	assert_int_equal(journey_stamps_file(&s, &t), 1);
	assert_int_equal(s.tx[1].snd_ns, 42);
	t.point = TSTAMP_RX; /* not a TX stamp */
	assert_int_equal(journey_stamps_file(&s, &t), 0);
	journey_stamps_release(&s);
}

static void test_stage_table(void **state)
{
	enum journey_point pts[JP_POINTS];

	(void)state;
	for (int m = 0; m <= JOURNEY_METHOD_TIMESTAMPING; m++)
		for (int proto = 0; proto <= JOURNEY_TCP; proto++) {
			size_t n = journey_points_for(m, proto, pts);

			assert_true(n >= 5);
			assert_int_equal(pts[0], JP_APP_SEND);
			assert_int_equal(pts[n - 1], JP_APP_RECV);
			for (size_t i = 0; i + 1 < n; i++)
				assert_non_null(journey_stage_between(pts[i], pts[i + 1], JOURNEY_VIA_LO));
		}
	assert_int_equal(journey_points_for(JOURNEY_METHOD_TIMESTAMPING, JOURNEY_UDP, pts), 5);
	assert_int_equal(MS_COUNT, 13);
	assert_string_equal(module_stage_name(MS_NIC_RECEIVE), "NIC_RECEIVE");
}

/* A stage's layer is what runs in it, whatever the method: timestamping's wide stages hold
 * the kernel's send and receive work (issue 13 item 16). The user/kernel crossings lie
 * inside them, so only the stages that are nothing but a crossing are "boundary". */
static void test_layer_by_what_runs(void **state)
{
	const struct journey_stage *st;

	(void)state;
	st = journey_stage_between(JP_APP_SEND, JP_QDISC, JOURNEY_VIA_LO);
	assert_string_equal(st->name, "send_to_qdisc");
	assert_int_equal(st->layer, LAYER_KERNEL);
	st = journey_stage_between(JP_RX_QUEUE, JP_APP_RECV, JOURNEY_VIA_LO);
	assert_string_equal(st->name, "rx_to_app");
	assert_int_equal(st->layer, LAYER_KERNEL);
	/* the same work cut finer by tracefs: kernel, with the crossings on either side */
	assert_int_equal(journey_stage_between(JP_SYS_ENTER, JP_QDISC, JOURNEY_VIA_LO)->layer, LAYER_KERNEL);
	assert_int_equal(journey_stage_between(JP_APP_SEND, JP_SYS_ENTER, JOURNEY_VIA_LO)->layer,
			 LAYER_BOUNDARY);
	assert_int_equal(journey_stage_between(JP_SYS_EXIT, JP_APP_RECV, JOURNEY_VIA_LO)->layer,
			 LAYER_BOUNDARY);
}

static struct summary spread(double p25, double p50, double p75)
{
	return (struct summary){ .n = 200, .min = p25 / 2, .p25 = p25, .p50 = p50, .p75 = p75,
				 .p90 = p75 * 1.2, .p99 = p75 * 2, .max = p75 * 3 };
}

/* The observer's overhead is the difference of two medians; when it is smaller than either
 * run's own spread (p25 to p75) it is not measurable here, and both spreads are shown, in
 * text and JSON (issue 13 item 15). */
static void test_overhead_within_spread(void **state)
{
	struct journey_result r = { .method = JOURNEY_METHOD_TIMESTAMPING, .npackets = 1 };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	r.cfg.via = JOURNEY_VIA_PEER;
	/* as seen: -72.94 us, round trips swinging between 7 and 150 us */
	r.rtt_plain_ns = spread(40000, 80000, 150000);
	r.rtt_ns = spread(6500, 7060, 90000);
	r.overhead_ns = r.rtt_ns.p50 - r.rtt_plain_ns.p50;
	assert_false(journey_overhead_measurable(&r));
	journey_report_render(&sb, &r, false);
	assert_non_null(strstr(strbuf_str(&sb), "overhead: not measurable here"));
	assert_null(strstr(strbuf_str(&sb), "overhead: -"));
	assert_non_null(strstr(strbuf_str(&sb), "110.00 \u00b5s with nothing observing"));
	assert_non_null(strstr(strbuf_str(&sb), "83.50 \u00b5s observed"));
	strbuf_reset(&sb);
	assert_int_equal(journey_json(&sb, &r, false), 0);
	assert_non_null(strstr(strbuf_str(&sb), "\"overhead_measurable\":false"));
	assert_non_null(strstr(strbuf_str(&sb), "\"plain_spread_ns\":110000"));
	assert_non_null(strstr(strbuf_str(&sb), "\"observed_spread_ns\":83500"));

	/* a real cost, larger than both spreads: shown as a number */
	r.rtt_plain_ns = spread(10000, 11000, 12500);
	r.rtt_ns = spread(20500, 21850, 24000);
	r.overhead_ns = r.rtt_ns.p50 - r.rtt_plain_ns.p50;
	assert_true(journey_overhead_measurable(&r));
	strbuf_reset(&sb);
	journey_report_render(&sb, &r, false);
	assert_non_null(strstr(strbuf_str(&sb), "overhead: 10.85 \u00b5s per round trip"));
	strbuf_reset(&sb);
	assert_int_equal(journey_json(&sb, &r, false), 0);
	assert_non_null(strstr(strbuf_str(&sb), "\"overhead_measurable\":true"));
	/* a difference inside the spread either way, and a faster observed run, are not costs */
	r.rtt_ns = spread(9000, 12000, 16000);
	assert_false(journey_overhead_measurable(&r));
	r.rtt_ns = spread(1000, 1500, 2000);
	assert_false(journey_overhead_measurable(&r));
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_udp),
		cmocka_unit_test(test_recorded_tcp),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_missing_point),
		cmocka_unit_test(test_peer_echo),
		cmocka_unit_test(test_stamps_by_id),
		cmocka_unit_test(test_stage_table),
		cmocka_unit_test(test_layer_by_what_runs),
		cmocka_unit_test(test_overhead_within_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
