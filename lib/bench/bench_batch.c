// SPDX-License-Identifier: MIT
/*
 * bench_batch: the batch suite. Each technique is run a few times; a run's figure is the
 * messages the receiver got (not those sent) per second, from the first send to the last
 * delivery, and the headline is the median run. System calls per message are counted by
 * the kernel (syscount, root) in one more run of its own, because tracing every system
 * call slows them down; without root they are the count the loops make by design.
 *
 * With --peer the suite is skipped: `nic2app serve` echoes datagrams instead of counting
 * them, so the far side's deliveries could only be guessed from the echoes that came back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nic2app/batch.h"
#include "nic2app/bench.h"

#define RUNS 5
#define QUICK_RUNS 3
#define MESSAGES 100000
#define QUICK_MESSAGES 50000

struct technique_info {
	const char *progress;
	const char *what;
};

static const struct technique_info infos[BATCH_NTECHNIQUES] = {
	[BATCH_SEND_RECV] = { "batch: send/recv",
		"64-byte UDP messages over 127.0.0.1, batches of 32: one send() and one recv() "
		"per message" },
	[BATCH_MMSG] = { "batch: sendmmsg",
		"64-byte UDP messages over 127.0.0.1: sendmmsg() and recvmmsg() of 32 messages "
		"each" },
	[BATCH_IO_URING] = { "batch: io_uring",
		"64-byte UDP messages over 127.0.0.1: 32 sends, and 32 linked receives, per "
		"io_uring_enter() on each side" },
};

/* What the runs of one technique add up to. */
struct batch_totals {
	uint64_t sent, delivered, bad, design_syscalls;
	struct batch_run last;  /* for the CPUs */
	bool counted;
	double counted_per_msg; /* from the counted run */
	int count_err;
};

static bool stopped(const struct bench_opts *o)
{
	return o->stop && *o->stop;
}

static void add_run(struct batch_totals *t, const struct batch_run *run)
{
	t->sent += run->sent;
	t->delivered += run->delivered;
	t->bad += run->bad;
	t->design_syscalls += run->design_syscalls;
	t->last = *run;
}

/* The timed runs: msg/s of each into s. */
static int timed_runs(const struct bench_opts *o, const struct batch_run_opts *ro,
		      struct samples *s, struct batch_totals *t)
{
	int runs = o->quick ? QUICK_RUNS : RUNS, r;
	struct batch_run run;

	for (int i = 0; i < runs; i++) {
		if (stopped(o))
			return -EINTR;
		if ((r = batch_run(ro, &run)) < 0)
			return r;
		if (run.elapsed_ns == 0 || run.delivered == 0)
			return -EIO;
		add_run(t, &run);
		if ((r = samples_add(s, (double)run.delivered * 1e9 / (double)run.elapsed_ns)) < 0)
			return r;
	}
	return 0;
}

/* One more run, with the kernel counting the two threads' system calls. */
static int counted_run(const struct bench_opts *o, struct batch_run_opts ro,
		       struct batch_totals *t)
{
	struct batch_run run;
	int r;

	t->count_err = -EPERM;
	if (geteuid() != 0)
		return 0;
	if (stopped(o))
		return -EINTR;
	ro.count_syscalls = true;
	if ((r = batch_run(&ro, &run)) < 0)
		return r;
	add_run(t, &run);
	t->count_err = run.count_err;
	t->counted = run.syscalls_counted && run.sent > 0;
	if (t->counted)
		t->counted_per_msg = (double)run.syscalls / (double)run.sent;
	return 0;
}

static void write_note(struct bench_result *res, const struct bench_opts *o, uint32_t messages,
		       const struct batch_totals *t)
{
	size_t len, size = sizeof(res->note);
	int runs = o->quick ? QUICK_RUNS : RUNS;

	len = (size_t)snprintf(res->note, size, "median of %d runs of %u msgs; ", runs, messages);
	if (t->counted)
		len += (size_t)snprintf(res->note + len, size - len,
					"syscalls of both threads counted by the kernel in one more run");
	else
		len += (size_t)snprintf(res->note + len, size - len,
					"syscalls by design, not counted (%s)",
					t->count_err == -EPERM ? "needs root" : strerror(-t->count_err));
	if (len < size && t->last.sender_cpu >= 0)
		len += (size_t)snprintf(res->note + len, size - len, "; sender CPU %d, receiver CPU %d",
					t->last.sender_cpu, t->last.receiver_cpu);
	if (len < size && t->delivered + t->bad < t->sent)
		len += (size_t)snprintf(res->note + len, size - len, "; %llu of %llu dropped",
					(unsigned long long)(t->sent - t->delivered - t->bad),
					(unsigned long long)t->sent);
	if (len < size && t->bad)
		snprintf(res->note + len, size - len, "; %llu malformed",
			 (unsigned long long)t->bad);
}

static int fill_result(struct bench_results *out, enum batch_technique tech,
		       const struct bench_opts *o, uint32_t messages, struct samples *s,
		       const struct batch_totals *t)
{
	char name[48];
	struct bench_result *res;
	int r;

	snprintf(name, sizeof(name), "batch.%s", batch_technique_name(tech));
	if (!(res = bench_result_new(out, name, "msg/s")))
		return -ENOMEM;
	res->what = infos[tech].what;
	if ((r = samples_summarize(s, &res->dist)) < 0)
		return r;
	res->value = res->dist.p50;
	res->syscalls_counted = t->counted;
	res->syscalls_per_msg = t->counted ? t->counted_per_msg :
					     (double)t->design_syscalls / (double)t->sent;
	write_note(res, o, messages, t);
	return 0;
}

static int unavailable(struct bench_results *out, enum batch_technique tech, int err)
{
	char name[48];
	struct bench_result *res;

	snprintf(name, sizeof(name), "batch.%s", batch_technique_name(tech));
	if (!(res = bench_result_new(out, name, "msg/s")))
		return -ENOMEM;
	res->what = infos[tech].what;
	snprintf(res->note, sizeof(res->note), "not measured: io_uring_queue_init: %s",
		 strerror(-err));
	return 0;
}

static int bench_technique(const struct bench_opts *o, enum batch_technique tech,
			   struct bench_results *out)
{
	struct batch_run_opts ro = { .technique = tech, .stop = o->stop };
	struct batch_totals t = { 0 };
	struct samples s = SAMPLES_INIT;
	int r;

	ro.messages = o->quick ? QUICK_MESSAGES : MESSAGES;
	if (o->progress)
		o->progress(o->progress_ctx, infos[tech].progress);
	if (tech == BATCH_IO_URING && (r = batch_io_uring_probe()) < 0)
		return r == -ENOSYS || r == -EPERM ? unavailable(out, tech, r) : r;
	r = timed_runs(o, &ro, &s, &t);
	if (r == 0)
		r = counted_run(o, ro, &t);
	if (r == 0)
		r = fill_result(out, tech, o, ro.messages, &s, &t);
	samples_release(&s);
	return r;
}

int bench_batch(const struct bench_opts *o, struct bench_results *out)
{
	int r;

	if (o->peer)
		return 0;
	for (int t = 0; t < BATCH_NTECHNIQUES; t++)
		if ((r = bench_technique(o, (enum batch_technique)t, out)) < 0)
			return r;
	return 0;
}
