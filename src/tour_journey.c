// SPDX-License-Identifier: MIT
/*
 * tour_journey: the tour's third screen, the journey of a packet to the application: one
 * 64-byte TCP message over lo, 300 times, both ends on one CPU, cut into stages by the
 * library (tracefs as root, SO_TIMESTAMPING otherwise). `nic2app journey` has the method.
 */
#include <stdio.h>
#include <string.h>

#include "nic2app/journey.h"
#include "nic2app/render.h"
#include "tour.h"

/* A few words for each stage, for this screen; the stage's own description otherwise. */
static const char *short_what(const struct journey_stage *st)
{
	static const struct { const char *name, *what; } words[] = {
		{ "send_syscall", "send() enters the kernel" },
		{ "tx_stack", "TCP and IP output" },
		{ "qdisc", "the qdisc (noqueue on lo)" },
		{ "driver_xmit", "loopback_xmit, netif_rx" },
		{ "rx_backlog", "CPU backlog, NET_RX softirq" },
		{ "rx_stack", "ip_rcv, tcp_v4_rcv, socket queue" },
		{ "wakeup", "the socket wakes the reader" },
		{ "run_queue", "the reader waits for the CPU *" },
		{ "recv_syscall", "recv() resumes, finds the data" },
		{ "copy_and_finish", "the copy, TCP's cleanup" },
		{ "return_to_app", "back to user space" },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(st->name, words[i].name) == 0)
			return words[i].what;
	return st->what;
}

int tour_journey(struct strbuf *sb, bool colour, struct tour_facts *f)
{
	static const char *const hdr[] = { "STAGE", ">P50", "WHAT HAPPENS" };
	struct journey_config cfg = { .proto = JOURNEY_TCP, .via = JOURNEY_VIA_LO,
				      .method = JOURNEY_METHOD_AUTO, .size = 64, .count = 300,
				      .cpus = CPUS_SAME };
	struct journey_result r;
	struct table t;
	int err = journey_run(&cfg, &r);

	if (err < 0 || (err = table_init(&t, 3, hdr)) < 0) {
		journey_result_release(&r);
		return err;
	}
	for (size_t i = 0; i < r.nstages; i++) {
		struct strbuf d = STRBUF_INIT;

		duration_add(&d, r.stage_ns[i].p50);
		table_add_row(&t, (const char *const[]){ r.stages[i]->name, strbuf_str(&d),
						       short_what(r.stages[i]) });
		strbuf_release(&d);
	}
	f->stages = r.nstages;
	f->journey_ns = r.total_ns.p50;
	f->method = journey_method_name(r.method);

	tour_title(sb, colour, "3. The journey of a packet to the application");
	strbuf_addf(sb, "64 bytes over TCP on lo, %zu times, both ends on CPU %d; medians, from %s:\n",
		    r.complete, r.sender_cpu,
		    r.method == JOURNEY_METHOD_TRACEFS ? "tracepoints" : "SO_TIMESTAMPING");
	table_render(&t, sb, colour, 2);
	table_release(&t);
	strbuf_adds(sb, "  total ");
	duration_add(sb, r.total_ns.p50);
	strbuf_adds(sb, "; watching added ");
	duration_add(sb, r.overhead_ns);
	strbuf_adds(sb, " a round trip, partly inside them.\n");
	if (r.method == JOURNEY_METHOD_TRACEFS)
		strbuf_adds(sb, "* On one CPU, mostly the sender finishing its own send().\n");
	strbuf_adds(sb,
		    "The whole route: lo's driver queues the packet on this CPU's backlog, which the\n"
		    "NET_RX softirq polls like a NIC's NAPI context. Traffic to this machine's own\n"
		    "addresses takes lo too (ip route get ADDR).\n");
	/* the module's NIC section, measured on this machine's own devices */
	if (tour_nic_stop(sb, colour, f) < 0)
		strbuf_adds(sb, "The devices could not be read here; nic2app nic says why.\n");
	strbuf_adds(sb, "Standard tools: perf trace -s; ethtool -k lo; bpftrace -e\n"
		    "'tracepoint:net:netif_rx { @[comm] = count(); }'\n");
	journey_result_release(&r);
	return 0;
}
