// SPDX-License-Identifier: MIT
/*
 * journey_stages: the stage model. Which points each method sees, the stage between each
 * pair of consecutive points (and the module stage it stands for), and the per-packet
 * arithmetic that turns points into stage durations: stage = next point - this point, so
 * the stages of a packet always add up to its total.
 */
#include <errno.h>
#include <string.h>

#include "nic2app/journey.h"

static const char *const point_names[JP_POINTS] = {
	[JP_APP_SEND] = "app_send",     [JP_SYS_ENTER] = "sys_enter_sendto",
	[JP_QDISC] = "net_dev_queue",   [JP_XMIT] = "net_dev_start_xmit",
	[JP_RX_QUEUE] = "netif_rx",     [JP_RX_SOFTIRQ] = "netif_receive_skb",
	[JP_SOCK_READY] = "sk_data_ready", [JP_WAKEUP] = "sched_wakeup",
	[JP_ON_CPU] = "sched_switch",   [JP_COPY] = "skb_copy_datagram_iovec",
	[JP_SYS_EXIT] = "sys_exit_recvmsg", [JP_APP_RECV] = "app_recv",
};

static const char *const module_names[MS_COUNT] = {
	[MS_SYSCALL] = "SYSCALL",         [MS_TCP_IP_TX] = "TCP_IP_TX",
	[MS_QDISC] = "QDISC",             [MS_DRIVER_TX] = "DRIVER_TX",
	[MS_WIRE] = "WIRE",               [MS_NIC_RECEIVE] = "NIC_RECEIVE",
	[MS_DMA_TRANSFER] = "DMA_TRANSFER", [MS_IRQ_SIGNAL] = "IRQ_SIGNAL",
	[MS_DRIVER_RX] = "DRIVER_RX",     [MS_TCP_IP_RX] = "TCP_IP_RX",
	[MS_SOCKET_BUFFER] = "SOCKET_BUFFER", [MS_COPY_TO_USER] = "COPY_TO_USER",
	[MS_APP_RECEIVE] = "APP_RECEIVE",
};

const char *journey_point_name(enum journey_point p)
{
	return (unsigned int)p < JP_POINTS ? point_names[p] : "unknown";
}

const char *module_stage_name(enum module_stage s)
{
	return (unsigned int)s < MS_COUNT ? module_names[s] : "unknown";
}

const char *journey_layer_name(enum journey_layer l)
{
	static const char *const names[LAYER_COUNT] = { "user", "kernel", "boundary", "remote" };

	return (unsigned int)l < LAYER_COUNT ? names[l] : "unknown";
}

const char *journey_method_name(enum journey_method m)
{
	switch (m) {
	case JOURNEY_METHOD_AUTO: return "auto";
	case JOURNEY_METHOD_TRACEFS: return "tracefs";
	case JOURNEY_METHOD_TIMESTAMPING: return "timestamping";
	}
	return "unknown";
}

const char *journey_proto_name(enum journey_proto p)
{
	return p == JOURNEY_TCP ? "tcp" : "udp";
}

#define STAGE(n, f, t, m, last, l, w) { n, f, t, m, last, l, w }

static const struct journey_stage stage_table[] = {
	/* tracefs: every point */
	STAGE("send_syscall", JP_APP_SEND, JP_SYS_ENTER, MS_SYSCALL, MS_SYSCALL, LAYER_BOUNDARY,
	      "send() enters the kernel"),
	STAGE("tx_stack", JP_SYS_ENTER, JP_QDISC, MS_TCP_IP_TX, MS_TCP_IP_TX, LAYER_KERNEL,
	      "socket, UDP/TCP and IP output, until dev_queue_xmit"),
	STAGE("qdisc", JP_QDISC, JP_XMIT, MS_QDISC, MS_QDISC, LAYER_KERNEL,
	      "queueing discipline, until the driver is called"),
	STAGE("driver_xmit", JP_XMIT, JP_RX_QUEUE, MS_DRIVER_TX, MS_DRIVER_TX, LAYER_KERNEL,
	      "the driver hands the packet to the receive side (netif_rx)"),
	STAGE("rx_backlog", JP_RX_QUEUE, JP_RX_SOFTIRQ, MS_DRIVER_RX, MS_DRIVER_RX, LAYER_KERNEL,
	      "waits in the CPU's backlog until the receive softirq runs"),
	STAGE("rx_stack", JP_RX_SOFTIRQ, JP_SOCK_READY, MS_TCP_IP_RX, MS_TCP_IP_RX, LAYER_KERNEL,
	      "IP and UDP/TCP receive, queued on the socket"),
	STAGE("wakeup", JP_SOCK_READY, JP_WAKEUP, MS_SOCKET_BUFFER, MS_SOCKET_BUFFER, LAYER_KERNEL,
	      "the socket wakes its sleeping reader"),
	STAGE("run_queue", JP_WAKEUP, JP_ON_CPU, MS_SOCKET_BUFFER, MS_SOCKET_BUFFER, LAYER_KERNEL,
	      "the woken reader waits for a CPU"),
	STAGE("recv_syscall", JP_ON_CPU, JP_COPY, MS_COPY_TO_USER, MS_COPY_TO_USER, LAYER_KERNEL,
	      "recv() runs again: lock the socket, find the data"),
	STAGE("copy_to_user", JP_COPY, JP_SYS_EXIT, MS_COPY_TO_USER, MS_COPY_TO_USER, LAYER_KERNEL,
	      "the data is copied to the application's buffer"),
	STAGE("recv_copy", JP_ON_CPU, JP_SYS_EXIT, MS_COPY_TO_USER, MS_COPY_TO_USER, LAYER_KERNEL,
	      "recv() runs again, takes the datagram and copies it to the application"),
	STAGE("return_to_app", JP_SYS_EXIT, JP_APP_RECV, MS_APP_RECEIVE, MS_APP_RECEIVE,
	      LAYER_BOUNDARY, "recv() returns to user space"),
	/* timestamping: fewer points, so wider stages. A stage's layer is what runs in it: the
	 * kernel's send and receive work, with the user/kernel crossing at one end */
	STAGE("send_to_qdisc", JP_APP_SEND, JP_QDISC, MS_SYSCALL, MS_TCP_IP_TX, LAYER_KERNEL,
	      "send() enters the kernel; socket, UDP/TCP and IP output"),
	STAGE("rx_to_app", JP_RX_QUEUE, JP_APP_RECV, MS_DRIVER_RX, MS_APP_RECEIVE, LAYER_KERNEL,
	      "receive stack, wake-up, recv() and the copy, back to user space"),
};

/* With a peer, what leaves through the driver comes back as the echo. */
static const struct journey_stage away =
	STAGE("away", JP_XMIT, JP_RX_QUEUE, MS_WIRE, MS_WIRE, LAYER_REMOTE,
	      "the wire, the peer's kernel and echo, the wire back: the peer's clock is not used");

const struct journey_stage *journey_stage_between(enum journey_point from, enum journey_point to,
						  enum journey_via via)
{
	if (via == JOURNEY_VIA_PEER && from == away.from && to == away.to)
		return &away;
	for (size_t i = 0; i < sizeof(stage_table) / sizeof(stage_table[0]); i++)
		if (stage_table[i].from == from && stage_table[i].to == to)
			return &stage_table[i];
	return NULL;
}

size_t journey_points_for(enum journey_method m, enum journey_proto proto,
			  enum journey_point *out)
{
	static const enum journey_point stamps[] = { JP_APP_SEND, JP_QDISC, JP_XMIT, JP_RX_QUEUE,
						     JP_APP_RECV };
	size_t n = 0;

	if (m == JOURNEY_METHOD_TIMESTAMPING) {
		memcpy(out, stamps, sizeof(stamps));
		return sizeof(stamps) / sizeof(stamps[0]);
	}
	for (int p = 0; p < JP_POINTS; p++)
		if (p != JP_COPY || proto == JOURNEY_TCP) /* UDP's recv has no copy tracepoint */
			out[n++] = (enum journey_point)p;
	return n;
}

unsigned int journey_unobserved(enum journey_via via)
{
	/* neither loopback nor veth has a wire, a NIC, DMA or an interrupt */
	(void)via;
	return 1u << MS_WIRE | 1u << MS_NIC_RECEIVE | 1u << MS_DMA_TRANSFER | 1u << MS_IRQ_SIGNAL;
}

void journey_set_stages(struct journey_result *r)
{
	r->npoints = journey_points_for(r->method, r->cfg.proto, r->points);
	r->nstages = 0;
	for (size_t i = 0; i + 1 < r->npoints; i++)
		r->stages[r->nstages++] = journey_stage_between(r->points[i], r->points[i + 1],
								 r->cfg.via);
}

/* Every point seen and in time order; else the first point missing or out of order. */
static bool packet_check(const struct journey_result *r, struct journey_packet *p)
{
	for (size_t i = 0; i < r->npoints; i++) {
		uint64_t t = p->at[r->points[i]];

		if (!t || (i && t < p->at[r->points[i - 1]])) {
			p->missing = r->points[i];
			return false;
		}
	}
	return true;
}

static void release_all(struct samples *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		samples_release(&s[i]);
}

/* Totals of complete packets whose ends shared a CPU, and of those whose ends did not. */
static int placement_summaries(struct journey_result *r)
{
	struct samples same = SAMPLES_INIT, cross = SAMPLES_INIT;
	int err = 0;

	r->same_cpu = 0;
	for (size_t i = 0; i < r->npackets && !err; i++) {
		const struct journey_packet *p = &r->packets[i];
		double total = (double)(p->at[r->points[r->npoints - 1]] - p->at[r->points[0]]);
		bool shared = p->sender_cpu == p->receiver_cpu;

		if (!p->complete)
			continue;
		r->same_cpu += shared;
		err = samples_add(shared ? &same : &cross, total);
	}
	if (!err && same.n)
		err = samples_summarize(&same, &r->total_same_cpu_ns);
	if (!err && cross.n)
		err = samples_summarize(&cross, &r->total_cross_cpu_ns);
	samples_release(&same);
	samples_release(&cross);
	return err;
}

int journey_summarize(struct journey_result *r)
{
	struct samples stage[JOURNEY_MAX_STAGES] = { 0 }, layer[LAYER_COUNT] = { 0 };
	struct samples total = SAMPLES_INIT, rtt = SAMPLES_INIT;
	int err = 0;

	r->complete = r->receiver_runnable = r->receiver_running = 0;
	memset(r->missing_at, 0, sizeof(r->missing_at));
	for (size_t i = 0; i < r->npackets && !err; i++) {
		struct journey_packet *p = &r->packets[i];
		double by_layer[LAYER_COUNT] = { 0 };

		if (p->rtt_ns)
			err = samples_add(&rtt, (double)p->rtt_ns);
		p->complete = packet_check(r, p);
		if (!p->complete) {
			r->missing_at[p->missing]++;
			continue;
		}
		r->complete++;
		r->receiver_runnable += !!(p->implied & 1u << JP_WAKEUP);
		r->receiver_running += !!(p->implied & 1u << JP_ON_CPU);
		for (size_t s = 0; s < r->nstages && !err; s++) {
			double d = (double)(p->at[r->points[s + 1]] - p->at[r->points[s]]);

			err = samples_add(&stage[s], d);
			by_layer[r->stages[s]->layer] += d;
		}
		for (int l = 0; l < LAYER_COUNT && !err; l++)
			err = samples_add(&layer[l], by_layer[l]);
		if (!err)
			err = samples_add(&total, (double)(p->at[r->points[r->npoints - 1]] -
							   p->at[r->points[0]]));
	}
	if (!err && rtt.n)
		err = samples_summarize(&rtt, &r->rtt_ns);
	if (!err && r->complete) {
		for (size_t s = 0; s < r->nstages; s++)
			samples_summarize(&stage[s], &r->stage_ns[s]);
		for (int l = 0; l < LAYER_COUNT; l++)
			samples_summarize(&layer[l], &r->layer_ns[l]);
		samples_summarize(&total, &r->total_ns);
	}
	release_all(stage, JOURNEY_MAX_STAGES);
	release_all(layer, LAYER_COUNT);
	samples_release(&total);
	samples_release(&rtt);
	if (!err)
		err = placement_summaries(r);
	return err ? err : r->complete ? 0 : -ENODATA;
}

bool journey_overhead_measurable(const struct journey_result *r)
{
	double plain = r->rtt_plain_ns.p75 - r->rtt_plain_ns.p25;
	double observed = r->rtt_ns.p75 - r->rtt_ns.p25;
	double diff = r->rtt_ns.p50 - r->rtt_plain_ns.p50;

	/* an observer only adds work: a faster observed run, or a difference the runs' own
	 * spread (the middle half of their round trips) would hide, is noise, not a cost */
	return r->rtt_ns.n && r->rtt_plain_ns.n && diff > 0 && diff > plain && diff > observed;
}
