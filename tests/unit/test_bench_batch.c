// SPDX-License-Identifier: MIT
/*
 * test_bench_batch: each technique delivers every message it sends. The test counts and
 * checks each datagram on the receiving side itself (sequence number, its inverse, the
 * fill), compares with what the sender says it sent, and with the kernel's own UDP counters
 * (/proc/net/snmp: OutDatagrams, InDatagrams, RcvbufErrors), exactly when it could make a
 * private network namespace (root), at least otherwise. A slow receiver makes the sender
 * wait, not UDP drop; without that window, drops are counted alike by the run and the
 * kernel, and the run still ends. With root, the kernel-counted
 * system calls per message of sendmmsg/recvmmsg and io_uring are a small fraction of
 * send/recv's, and agree with the loops' own count. The suite gives its three results;
 * it is skipped with a peer; stopping returns -EINTR and leaves no thread behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/batch.h"
#include "nic2app/bench.h"
#include "nic2app/clock.h"
#include "under_valgrind.h"

#define MESSAGES 5003 /* not a multiple of a batch: the last one is short */

static bool private_netns;

/* The UDP line of /proc/net/snmp (of this process's namespace). */
struct udp_mib {
	uint64_t in, out, rcvbuf_errors;
};

static void read_udp_mib(struct udp_mib *m)
{
	char names[512], values[512], *ns, *vs, *n, *v;
	FILE *f = fopen("/proc/net/snmp", "r");
	bool found = false;

	assert_non_null(f);
	/* a line of names, then a line of values */
	while (!found && fgets(names, sizeof(names), f))
		found = strncmp(names, "Udp: ", 5) == 0 && fgets(values, sizeof(values), f);
	fclose(f);
	assert_true(found);
	*m = (struct udp_mib){ 0 };
	n = strtok_r(names + 5, " \n", &ns);
	v = strtok_r(values + 5, " \n", &vs);
	for (; n && v; n = strtok_r(NULL, " \n", &ns), v = strtok_r(NULL, " \n", &vs)) {
		uint64_t x = strtoull(v, NULL, 10);

		if (strcmp(n, "InDatagrams") == 0)
			m->in = x;
		else if (strcmp(n, "OutDatagrams") == 0)
			m->out = x;
		else if (strcmp(n, "RcvbufErrors") == 0)
			m->rcvbuf_errors = x;
	}
}

/* A network namespace of our own, so the counters count this test's datagrams only. */
static int group_setup(void **state)
{
	struct ifreq ifr = { 0 };
	int fd;

	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		private_netns = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	}
	close(fd);
	return private_netns ? 0 : -1;
}

/* What the test saw arrive, checked against the layout in batch.h. */
struct seen {
	uint32_t messages;
	uint8_t *got;
	uint64_t count, repeated, malformed;
	uint64_t stop_after;
	volatile sig_atomic_t *stop;
	uint64_t slow_ns; /* time the receiver spends on each message */
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void on_message(void *ctx, const unsigned char *msg, size_t len)
{
	struct seen *s = ctx;
	uint32_t seq;

	if (s->stop && s->count + 1 >= s->stop_after)
		*s->stop = 1;
	if (s->slow_ns) {
		uint64_t until = monotonic_ns() + s->slow_ns;

		while (monotonic_ns() < until)
			;
	}
	if (len != BATCH_MSG_SIZE || (seq = le32(msg)) >= s->messages ||
	    le32(msg + 4) != ~seq) {
		s->malformed++;
		return;
	}
	for (size_t i = 8; i < len; i++)
		if (msg[i] != BATCH_MSG_FILL) {
			s->malformed++;
			return;
		}
	if (s->got[seq]++)
		s->repeated++;
	else
		s->count++;
}

/* io_uring's sender and receiver are threads: not under valgrind (under_valgrind.h) */
static bool io_uring_usable(void)
{
	return !UNDER_VALGRIND && batch_io_uring_probe() == 0;
}

static void io_uring_or_skip(void)
{
	int r = batch_io_uring_probe();

	if (uring_would_hang()) {
		print_message(URING_UNDER_VALGRIND ": skipped\n");
		skip();
	}
	if (r == -ENOSYS || r == -EPERM) {
		print_message("io_uring is not available here (%s): skipped\n", strerror(-r));
		skip();
	}
	assert_int_equal(r, 0);
}

static void check_delivery(enum batch_technique tech)
{
	struct batch_run_opts o = { .technique = tech, .messages = MESSAGES,
				    .on_message = on_message };
	struct seen s = { .messages = MESSAGES, .got = calloc(MESSAGES, 1) };
	uint64_t batches = (MESSAGES + BATCH_SIZE - 1) / BATCH_SIZE;
	struct udp_mib before, after;
	struct batch_run run;

	assert_non_null(s.got);
	o.ctx = &s;
	read_udp_mib(&before);
	assert_int_equal(batch_run(&o, &run), 0);
	read_udp_mib(&after);
	/* the sender's word, the library's count and the test's own count agree */
	assert_int_equal(run.sent, MESSAGES);
	assert_int_equal(s.malformed, 0);
	assert_int_equal(s.repeated, 0);
	assert_int_equal(run.bad, 0);
	assert_int_equal(s.count, run.delivered);
	assert_int_equal(run.delivered, MESSAGES); /* the window keeps UDP from dropping */
	for (uint32_t i = 0; i < MESSAGES; i++)
		assert_int_equal(s.got[i], 1);
	/* and so does the kernel */
	if (private_netns) {
		assert_int_equal(after.out - before.out, run.sent);
		assert_int_equal(after.in - before.in, run.delivered);
		assert_int_equal(after.rcvbuf_errors - before.rcvbuf_errors, 0);
	} else {
		assert_true(after.out - before.out >= run.sent);
		assert_true(after.in - before.in >= run.delivered);
	}
	assert_true(run.elapsed_ns > 0);
	assert_false(run.syscalls_counted);
	assert_int_equal(run.syscalls, run.design_syscalls);
	if (tech == BATCH_SEND_RECV)
		assert_in_range(run.design_syscalls, 2 * MESSAGES, 2 * MESSAGES + 8);
	else
		assert_in_range(run.design_syscalls, 2 * batches, 2 * batches + 8);
	assert_true(run.window >= 4 * BATCH_SIZE);
	free(s.got);
}

static void test_send_recv_delivers(void **state)
{
	(void)state;
	check_delivery(BATCH_SEND_RECV);
}

static void test_mmsg_delivers(void **state)
{
	(void)state;
	check_delivery(BATCH_MMSG);
}

static void test_io_uring_delivers(void **state)
{
	(void)state;
	io_uring_or_skip();
	check_delivery(BATCH_IO_URING);
}

/* Valgrind runs one thread at a time: a receiver slower than its sender, running beside
 * it, cannot be arranged there. */
static void skip_if_serialized(void)
{
	if (UNDER_VALGRIND) {
		print_message("valgrind runs one thread at a time, so the receiver cannot be the "
			      "slower one: skipped\n");
		skip();
	}
}

/* A receiver slower than the sender, with a small buffer: the sender waits for it, and
 * nothing is dropped. */
static void test_slow_receiver_waits(void **state)
{
	struct seen s = { .messages = 20000, .slow_ns = 10000 };
	struct batch_run_opts o = { .technique = BATCH_MMSG, .messages = 20000,
				    .rcvbuf_bytes = 100000, .on_message = on_message, .ctx = &s };
	struct udp_mib before, after;
	struct batch_run run;

	(void)state;
	skip_if_serialized();
	s.got = calloc(s.messages, 1);
	assert_non_null(s.got);
	read_udp_mib(&before);
	assert_int_equal(batch_run(&o, &run), 0);
	read_udp_mib(&after);
	assert_true(run.rcvbuf_bytes < 400000);
	assert_int_equal(run.window, 4 * BATCH_SIZE);
	assert_true(run.sender_waits > 0);
	assert_int_equal(run.delivered, run.sent);
	assert_int_equal(s.count, run.sent);
	if (private_netns)
		assert_int_equal(after.rcvbuf_errors - before.rcvbuf_errors, 0);
	free(s.got);
}

/* The same without the window: UDP drops, the receiver counts only what came (so does the
 * kernel), and the run still ends. */
static void check_drops(enum batch_technique tech)
{
	struct seen s = { .messages = 20000, .slow_ns = 10000 };
	struct batch_run_opts o = { .technique = tech, .messages = 20000, .rcvbuf_bytes = 100000,
				    .window = UINT32_MAX, .on_message = on_message, .ctx = &s };
	struct udp_mib before, after;
	struct batch_run run;

	s.got = calloc(s.messages, 1);
	assert_non_null(s.got);
	read_udp_mib(&before);
	assert_int_equal(batch_run(&o, &run), 0);
	read_udp_mib(&after);
	assert_int_equal(run.sent, o.messages);
	assert_int_equal(run.sender_waits, 0);
	assert_true(run.delivered > 0 && run.delivered < run.sent);
	assert_int_equal(s.count, run.delivered);
	assert_int_equal(s.malformed + s.repeated + run.bad, 0);
	if (private_netns) {
		assert_int_equal(after.in - before.in, run.delivered);
		assert_int_equal(after.rcvbuf_errors - before.rcvbuf_errors,
				 run.sent - run.delivered);
	}
	print_message("%s without a window: %llu of %llu delivered\n", batch_technique_name(tech),
		      (unsigned long long)run.delivered, (unsigned long long)run.sent);
	free(s.got);
}

static void test_drops_counted(void **state)
{
	(void)state;
	skip_if_serialized();
	check_drops(BATCH_MMSG);
	if (io_uring_usable())
		check_drops(BATCH_IO_URING);
	check_drops(BATCH_SEND_RECV);
}

static double counted_per_msg(enum batch_technique tech)
{
	struct batch_run_opts o = { .technique = tech, .messages = 20000, .count_syscalls = true };
	struct batch_run run;

	assert_int_equal(batch_run(&o, &run), 0);
	assert_int_equal(run.count_err, 0);
	assert_true(run.syscalls_counted);
	assert_int_equal(run.delivered, run.sent);
	print_message("%s: %llu system calls counted, %llu by design, for %llu messages\n",
		      batch_technique_name(tech), (unsigned long long)run.syscalls,
		      (unsigned long long)run.design_syscalls, (unsigned long long)run.sent);
	/* the kernel sees every call the loops make, and a handful more: starting and ending
	 * the run, and a sleep and a wake-up each time the sender waited */
	assert_true(run.syscalls >= run.design_syscalls);
	assert_true(run.syscalls <= run.design_syscalls + 32 + 4 * run.sender_waits);
	return (double)run.syscalls / (double)run.sent;
}

static void test_batching_saves_syscalls(void **state)
{
	double each, mmsg;

	(void)state;
	if (geteuid() != 0) {
		print_message("counting system calls needs root (tracefs): skipped\n");
		skip();
	}
	if (UNDER_VALGRIND) {
		print_message("valgrind makes system calls of its own, which the kernel counts: "
			      "skipped\n");
		skip();
	}
	each = counted_per_msg(BATCH_SEND_RECV);
	mmsg = counted_per_msg(BATCH_MMSG);
	assert_true(each >= 2.0);
	assert_true(mmsg <= each / 8);
	if (io_uring_usable())
		assert_true(counted_per_msg(BATCH_IO_URING) <= each / 8);
}

static void record_progress(void *ctx, const char *what)
{
	int *sendmmsg_seen = ctx;

	if (strcmp(what, "batch: sendmmsg") == 0)
		(*sendmmsg_seen)++;
}

static void test_suite_results(void **state)
{
	static const char *const names[] = { "batch.send_recv", "batch.sendmmsg_recvmmsg",
					     "batch.io_uring" };
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	int sendmmsg_seen = 0;
	struct bench_opts o = { .quick = true, .progress = record_progress,
				.progress_ctx = &sendmmsg_seen };
	struct bench_results r = { 0 };

	(void)state;
	if (uring_would_hang()) { /* the suite always runs its io_uring technique */
		print_message(URING_UNDER_VALGRIND ": skipped\n");
		skip();
	}
	assert_int_equal(bench_batch(&o, &r), 0);
	assert_int_equal(sendmmsg_seen, 1);
	assert_int_equal(r.n, 3);
	for (size_t i = 0; i < r.n; i++) {
		const struct bench_result *res = &r.v[i];

		assert_string_equal(res->name, names[i]);
		assert_string_equal(res->unit, "msg/s");
		assert_null(res->module_typical);
		assert_non_null(strstr(res->what, "32"));
		assert_true(res->note[0] != '\0');
		if (i == 2 && batch_io_uring_probe() != 0) {
			assert_true(isnan(res->value));
			continue;
		}
		assert_true(isfinite(res->value) && res->value > 0);
		assert_int_equal(res->dist.n, 3);
		assert_true(res->value == res->dist.p50);
		assert_true(res->dist.min <= res->value && res->value <= res->dist.max);
		assert_true(isfinite(res->syscalls_per_msg) && res->syscalls_per_msg > 0);
		assert_int_equal(res->syscalls_counted, geteuid() == 0);
		if (!res->syscalls_counted)
			assert_non_null(strstr(res->note, "by design"));
	}
	assert_true(r.v[1].syscalls_per_msg < r.v[0].syscalls_per_msg / 8);
	bench_results_release(&r);
	/* a peer echoes datagrams instead of counting them: no results */
	o.peer = &peer;
	o.peer_len = sizeof(peer);
	assert_int_equal(bench_batch(&o, &r), 0);
	assert_int_equal(r.n, 0);
	bench_results_release(&r);
}

static int threads_now(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int n = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* The receiver raises the stop flag after 1000 messages: the sender stops between two
 * batches, the receiver ends, and no thread is left. */
static void test_stop(void **state)
{
	volatile sig_atomic_t stop = 0;
	struct seen s = { .messages = 10000000, .stop_after = 1000, .stop = &stop };
	struct batch_run_opts o = { .technique = BATCH_MMSG, .messages = 10000000, .stop = &stop,
				    .on_message = on_message, .ctx = &s };
	struct bench_opts bo = { .quick = true, .stop = &stop };
	struct bench_results r = { 0 };
	struct batch_run run;
	int threads = threads_now();

	(void)state;
	s.got = calloc(s.messages, 1);
	assert_non_null(s.got);
	assert_int_equal(batch_run(&o, &run), -EINTR);
	assert_true(run.sent >= 1000 && run.sent < o.messages);
	assert_int_equal(s.count, run.delivered);
	assert_int_equal(threads_now(), threads);
	free(s.got);
	/* the suite, stopped before it starts */
	assert_int_equal(bench_batch(&bo, &r), -EINTR);
	assert_int_equal(r.n, 0);
	assert_int_equal(threads_now(), threads);
	bench_results_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_recv_delivers),
		cmocka_unit_test(test_mmsg_delivers),
		cmocka_unit_test(test_io_uring_delivers),
		cmocka_unit_test(test_slow_receiver_waits),
		cmocka_unit_test(test_drops_counted),
		cmocka_unit_test(test_batching_saves_syscalls),
		cmocka_unit_test(test_suite_results),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
