// SPDX-License-Identifier: MIT
/*
 * Example 3: a packet's journey, measured.
 *
 * The module's version of this program simulates the way from the NIC to the application
 * with durations it makes up. This one measures it, in two parts:
 *   1. the loop below: a client sends 64 bytes over loopback TCP, an echo thread sends them
 *      back, and the client times each round trip with CLOCK_MONOTONIC. It runs twice, both
 *      ends pinned to one CPU, then to two, and says where each end ran, because that
 *      changes the answer more than anything in the network stack does;
 *   2. one way of the same trip cut into stages by the library (journey_run): as root, from
 *      tracepoints in a private tracefs instance (net_dev_queue, netif_rx, sk_data_ready,
 *      sched_wakeup, ...); otherwise from SO_TIMESTAMPING, the kernel's own stamps.
 *
 * Build: make        Run: build/examples/03_packet_journey
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/cpu_place.h"
#include "nic2app/journey.h"
#include "nic2app/journey_render.h"
#include "nic2app/loopback.h"
#include "nic2app/render.h"
#include "nic2app/stats.h"

#define MSG 64
#define WARMUP 200
#define ROUND_TRIPS 2000

/* Exactly len bytes, or -1: recv() may return fewer than asked (a stream has no message
 * boundaries), 0 when the peer closed, or fail with EINTR when a signal came first. */
static ssize_t recv_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The same for send(): it may take fewer bytes than asked when the send buffer is full. */
static ssize_t send_all(int fd, const char *buf, size_t len)
{
	size_t sent = 0;

	while (sent < len) {
		ssize_t n = send(fd, buf + sent, len - sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		sent += (size_t)n;
	}
	return (ssize_t)sent;
}

struct echo {
	int fd, cpu;   /* the server's end of the connection, the CPU to run on */
	int ran_on;    /* where it really ran (sched_getcpu) */
};

/* The echo server: every 64 bytes that arrive go straight back, until the client closes. */
static void *echo_thread(void *arg)
{
	struct echo *e = arg;
	char buf[MSG];

	cpu_place_pin(0, e->cpu, NULL);
	while (recv_all(e->fd, buf, MSG) == MSG && send_all(e->fd, buf, MSG) == MSG)
		e->ran_on = sched_getcpu();
	return NULL;
}

/* The loop this example measures: send, wait for the echo, note the time. */
static int round_trips(enum cpu_placement where, struct summary *rtt, int ran_on[2])
{
	struct samples s = SAMPLES_INIT;
	struct echo e = { .ran_on = -1 };
	char msg[MSG] = "ping";
	int fds[2], cpu[2], err = 0;
	cpu_set_t saved;
	pthread_t t;

	if ((err = cpu_place_pick(where, &cpu[0], &cpu[1])) < 0 || (err = loopback_tcp_pair(fds)))
		return err;
	e.fd = fds[1];
	e.cpu = cpu[1];
	cpu_place_pin(0, cpu[0], &saved);
	if ((err = -pthread_create(&t, NULL, echo_thread, &e)) == 0) {
		for (int i = 0; i < WARMUP + ROUND_TRIPS && !err; i++) {
			uint64_t t0 = monotonic_ns();

			if (send_all(fds[0], msg, MSG) != MSG || recv_all(fds[0], msg, MSG) != MSG)
				err = -EIO;
			else if (i >= WARMUP) /* the first ones warm the caches up */
				err = samples_add(&s, (double)(monotonic_ns() - t0));
		}
		ran_on[0] = sched_getcpu();
		shutdown(fds[0], SHUT_WR); /* the echo thread's recv() returns 0: it ends */
		pthread_join(t, NULL);
		ran_on[1] = e.ran_on;
	}
	cpu_place_restore(0, &saved);
	close(fds[0]);
	close(fds[1]);
	if (!err)
		err = samples_summarize(&s, rtt);
	samples_release(&s);
	return err;
}

static void print_rtt(const char *what, const struct summary *r, const int ran_on[2])
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "  %-34s client on CPU %d, echo on CPU %d: p50 ", what, ran_on[0],
		    ran_on[1]);
	duration_add(&sb, r->p50);
	strbuf_adds(&sb, ", p99 ");
	duration_add(&sb, r->p99);
	strbuf_addc(&sb, '\n');
	fputs(strbuf_str(&sb), stdout);
	strbuf_release(&sb);
}

/* One way of the trip, stage by stage, by the library. */
static int journey(bool colour)
{
	struct journey_config cfg = { .proto = JOURNEY_TCP, .via = JOURNEY_VIA_LO,
				      .method = JOURNEY_METHOD_AUTO, .size = MSG,
				      .count = 300, .cpus = CPUS_SAME };
	struct strbuf sb = STRBUF_INIT;
	struct journey_result r;
	int err = journey_run(&cfg, &r);

	if (err < 0) {
		fprintf(stderr, "03_packet_journey: the journey failed: %s\n", strerror(-err));
		journey_result_release(&r);
		return err;
	}
	printf("\n2. One way, client to echo, stage by stage (median of %zu messages, method %s)\n",
	       r.complete, journey_method_name(r.method));
	journey_waterfall_render(&sb, &r, colour, 2);
	strbuf_adds(&sb, "  Observing costs time too: a round trip took ");
	duration_add(&sb, r.overhead_ns);
	strbuf_adds(&sb, " longer with it,\n  and some of that lands inside these stages.\n");
	fputs(strbuf_str(&sb), stdout);
	strbuf_release(&sb);
	journey_result_release(&r);
	return 0;
}

int main(void)
{
	bool colour = colour_wanted(STDOUT_FILENO);
	struct summary one, two;
	int on_one[2], on_two[2];

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("Example 3: the journey of a packet, measured on this machine\n\n"
	       "The path over lo: send() -> TCP -> IP -> qdisc (noqueue) -> loopback_xmit ->\n"
	       "netif_rx -> this CPU's backlog -> NET_RX softirq -> ip_rcv -> tcp_v4_rcv ->\n"
	       "the socket's queue -> wake the reader -> recv() copies to its buffer.\n"
	       "No NIC, DMA or interrupt on lo: those stages are not shown, never invented.\n");
	printf("\n1. %d round trips of %d bytes over loopback TCP (the loop in this file)\n",
	       ROUND_TRIPS, MSG);
	if (round_trips(CPUS_SAME, &one, on_one) < 0)
		return perror("round trips"), 1;
	print_rtt("both ends on one CPU", &one, on_one);
	if (round_trips(CPUS_SPLIT, &two, on_two) == 0)
		print_rtt("the ends on two CPUs", &two, on_two);
	else
		printf("  (one CPU only: the two-CPU case cannot be shown)\n");
	printf("  On two CPUs each message must wake the other CPU (on a VM, a vCPU).\n"
	       "  The module's ~50 \u00b5s is a typical LAN round trip (kernel + wire): not comparable.\n");
	if (journey(colour) < 0)
		return 1;
	printf("\nThe same with standard tools: perf trace -s -p PID; nstat -az TcpOutSegs;\n"
	       "  bpftrace -e 'tracepoint:net:netif_rx { @[comm] = count(); }'\n");
	return 0;
}
