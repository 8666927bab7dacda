// SPDX-License-Identifier: MIT
/*
 * Example 3: a packet's journey, measured.
 *
 * The module's version of this program simulates the way from the NIC to the application
 * with durations it makes up. This one measures it. An echo server runs in a thread; a
 * client sends it a small, a medium and a large message (12, 340 and 1200 bytes, as in the
 * module) over TCP on loopback, a few hundred times each, and the kernel reports where each
 * message was and when:
 *   - as root, from tracepoints in a private tracefs instance (net_dev_queue, netif_rx,
 *     sk_data_ready, sched_wakeup, ...), up to ten points on the way;
 *   - otherwise from SO_TIMESTAMPING, the kernel's own stamps at three points.
 * The time between two points is a stage. Both ends run on one CPU, so the numbers are the
 * kernel's work and not the wake-up of an idle CPU (`nic2app journey --cpus split` shows
 * that case). Then the real latencies: 1000 plain round trips, and what one getsockopt()
 * system call costs.
 *
 * Build: make        Run: build/examples/03_packet_journey
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nic2app/echo_pair.h"
#include "nic2app/journey.h"
#include "nic2app/journey_render.h"
#include "nic2app/render.h"
#include "nic2app/syscost.h"

#define MESSAGES 300
#define ROUND_TRIPS 1000

/* The module's "typical" figures, quoted only to be compared with what is measured here. */
#define MODULE_LOCAL_RTT_NS 50000.0
#define MODULE_SYSCALL_MIN_NS 100.0
#define MODULE_SYSCALL_MAX_NS 300.0

static bool colour;

static void print_sb(struct strbuf *sb)
{
	fputs(strbuf_str(sb), stdout);
	strbuf_reset(sb);
}

static void heading(const char *title)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addc(&sb, '\n');
	colour_add(&sb, colour, COLOUR_BOLD, title);
	strbuf_addc(&sb, '\n');
	print_sb(&sb);
	strbuf_release(&sb);
}

static void boundary_picture(void)
{
	heading("Where the message goes (loopback: no NIC, no DMA, no interrupt, no wire)");
	puts("  user space    client: send()                              server: recv() returns\n"
	     "  ----------------|------- system call boundary -------------------^----------------\n"
	     "  kernel          v                                                |\n"
	     "                socket -> TCP -> IP -> qdisc -> lo driver          |\n"
	     "                                                   | netif_rx      |\n"
	     "                backlog -> softirq: IP -> TCP -> socket queue -> wake the server\n"
	     "                                                       -> it runs -> copy to user");
}

/* One message size: its journey, as a waterfall and by layer. */
static int journey_of(size_t size)
{
	struct journey_config cfg = { .proto = JOURNEY_TCP, .via = JOURNEY_VIA_LO,
				      .method = JOURNEY_METHOD_AUTO, .size = size,
				      .count = MESSAGES, .cpus = CPUS_SAME };
	struct strbuf sb = STRBUF_INIT;
	struct journey_result r;
	char title[128];
	int err = journey_run(&cfg, &r);

	if (err < 0) {
		fprintf(stderr, "03_packet_journey: the %zu-byte journey failed: %s\n", size,
			strerror(-err));
		journey_result_release(&r);
		return err;
	}
	snprintf(title, sizeof(title), "A %zu-byte message, client to server (median of %zu, method %s)",
		 size, r.complete, journey_method_name(r.method));
	heading(title);
	journey_waterfall_render(&sb, &r, colour, 2);
	strbuf_adds(&sb, "  by layer:\n");
	journey_layers_render(&sb, &r, colour, 4);
	print_sb(&sb);
	if (size == 12)
		printf("  (%s)\n", r.why);
	strbuf_release(&sb);
	journey_result_release(&r);
	return 0;
}

/* 1000 round trips with nothing watching: how long a local round trip really takes. */
static int round_trips(struct summary *out)
{
	struct samples rtt = SAMPLES_INIT;
	struct echo_pair e;
	int err = echo_pair_open(&e, JOURNEY_TCP, 64, 50 + ROUND_TRIPS, NULL);

	for (int i = 0; !err && i < 50 + ROUND_TRIPS; i++) {
		uint64_t sent, back;
		int cpu;

		err = echo_pair_round(&e, &sent, &back, &cpu);
		if (!err && i >= 50) /* the first 50 warm the caches up */
			err = samples_add(&rtt, (double)(back - sent));
	}
	echo_pair_close(&e);
	echo_pair_release(&e);
	if (!err)
		err = samples_summarize(&rtt, out);
	samples_release(&rtt);
	return err;
}

static void compare(const char *what, double measured, double low, double high)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "  %s: the module says ", what);
	duration_add(&sb, low);
	if (high > low) {
		strbuf_adds(&sb, " to ");
		duration_add(&sb, high);
	}
	strbuf_adds(&sb, ", this machine measured ");
	duration_add(&sb, measured);
	if (measured >= low * 0.8 && measured <= high * 1.2)
		strbuf_adds(&sb, ": about the same\n");
	else
		strbuf_addf(&sb, ": %.1f times %s\n", measured > high ? measured / high : low / measured,
			    measured > high ? "more" : "less");
	print_sb(&sb);
	strbuf_release(&sb);
}

int main(void)
{
	static const size_t sizes[] = { 12, 340, 1200 };
	struct syscost_result getsockopt_cost, call_cost;
	struct summary rtt;
	struct strbuf sb = STRBUF_INIT;

	colour = colour_wanted(STDOUT_FILENO);
	printf("Example 3: the journey of a packet, measured on this machine\n");
	boundary_picture();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (journey_of(sizes[i]) < 0)
			return 1;

	heading("Real latencies");
	if (round_trips(&rtt) < 0 ||
	    syscost_measure(SYSCOST_GETSOCKOPT, 2000, 0, &getsockopt_cost) < 0 ||
	    syscost_measure(SYSCOST_FUNCTION_CALL, 2000, 0, &call_cost) < 0) {
		fprintf(stderr, "03_packet_journey: cannot measure the latencies\n");
		return 1;
	}
	strbuf_addf(&sb, "  TCP round trip over loopback, 64 bytes there and back, %d times:\n    ",
		    ROUND_TRIPS);
	strbuf_adds(&sb, "min ");
	duration_add(&sb, rtt.min);
	strbuf_adds(&sb, ", mean ");
	duration_add(&sb, rtt.mean);
	strbuf_adds(&sb, ", p50 ");
	duration_add(&sb, rtt.p50);
	strbuf_adds(&sb, ", p99 ");
	duration_add(&sb, rtt.p99);
	strbuf_adds(&sb, ", max ");
	duration_add(&sb, rtt.max);
	strbuf_adds(&sb, "\n  one getsockopt(SO_TYPE) call: ");
	duration_add(&sb, getsockopt_cost.ns.p50);
	strbuf_adds(&sb, " (a plain function call: ");
	duration_add(&sb, call_cost.ns.p50);
	strbuf_adds(&sb, ")\n\n");
	print_sb(&sb);
	compare("local round trip", rtt.p50, MODULE_LOCAL_RTT_NS, MODULE_LOCAL_RTT_NS);
	compare("system call", getsockopt_cost.ns.p50, MODULE_SYSCALL_MIN_NS, MODULE_SYSCALL_MAX_NS);
	printf("  The module counts \"wire time\" in a local round trip: loopback has no wire, and\n"
	       "  its NIC, DMA and interrupt stages do not happen here at all; what remains is the\n"
	       "  kernel's own work and the scheduler waking the other side.\n");
	printf("\nMeasure any path the same way:\n"
	       "  nic2app journey --proto tcp --size 1200     this, with every stage's p50 and p99\n"
	       "  nic2app journey --via netns                 across a veth pair: a real driver path\n"
	       "  nic2app journey --json --packets            every message's points, for your tools\n");
	strbuf_release(&sb);
	return 0;
}
