// SPDX-License-Identifier: MIT
/*
 * bench_zerocopy: the zerocopy suite of `nic2app bench`. One file (256 MiB, --quick 64 MiB;
 * in $TMPDIR or /tmp, unlinked as soon as it is made, in the page cache from then on) is
 * sent over a new loopback TCP connection per run, in each of the seven ways of
 * zerocopy.h, to a thread that receives with recv(); then the receive side: the same file
 * received in two ways from a sender thread. The two ends are pinned to CPUs of their own
 * when there are two, so the scheduler does not choose between two different cases. Each way runs RUNS times (--quick 3); a result
 * holds the median GB/s with the runs' distribution, system calls per MiB (counted by the
 * kernel with syscount for the thread doing the way when it can, else by the loop itself),
 * CPU seconds per GiB (getrusage of the whole process: both ends, and io_uring's workers),
 * and what the kernel reported about copying. With --peer the file goes to a `nic2app
 * serve` sink, whose count of bytes must match, and the receive side is left out.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nic2app/bench.h"
#include "nic2app/cpu_place.h"
#include "bench_zerocopy_int.h"

#define FILE_BYTES (256u << 20)
#define QUICK_FILE_BYTES (64u << 20)
#define RUNS 5
#define QUICK_RUNS 3
#define MIB (1024.0 * 1024.0)

/* What exactly was timed, per way; the system calls are the calling thread's. */
#define TIMED "; timed: first call to last byte received (--peer: to the sink's count); " \
	"calls: the sender's; CPU: getrusage(RUSAGE_SELF), both ends (--peer: this one)"
#define TIMED_RX "; timed until end of file; calls: the receiver's; CPU: " \
	"getrusage(RUSAGE_SELF), both ends"
static const char *const send_what[ZC_SEND_COUNT] = {
	[ZC_READ_WRITE] = "pread() 256 KiB of the file into a buffer, write() it to the socket"
		TIMED,
	[ZC_MMAP_WRITE] = "mmap() the file, write() 256 KiB at a time from the mapping" TIMED,
	[ZC_SENDFILE] = "sendfile() from the file to the socket, each call given the rest of "
		"the file" TIMED,
	[ZC_SPLICE] = "splice() file -> 256 KiB pipe -> socket" TIMED,
	[ZC_IO_URING] = "io_uring: 8 linked pairs of read (256 KiB) and send per "
		"io_uring_enter" TIMED,
	[ZC_MSG_ZEROCOPY] = "send(MSG_ZEROCOPY) 256 KiB at a time from a mapping of the file, "
		"then every errqueue notification" TIMED,
	[ZC_IO_URING_SEND_ZC] = "io_uring send_zc, 8 linked 256 KiB sends per io_uring_enter "
		"from a mapping of the file, then every notification" TIMED,
};
static const char *const recv_what[ZC_RECV_COUNT] = {
	[ZC_RECV_COPY] = "recv() into a 256 KiB buffer, from a sender thread using "
		"MSG_ZEROCOPY" TIMED_RX,
	[ZC_TCP_ZEROCOPY_RECEIVE] = "mmap() of the socket, getsockopt(TCP_ZEROCOPY_RECEIVE) "
		"for up to 1 MiB, the rest by copybuf or recv(), from a sender thread using "
		"MSG_ZEROCOPY (on lo, only then does data arrive as whole pages)" TIMED_RX,
};

/* What one way's runs add up to. */
struct zc_tally {
	struct samples gbps;
	double cpu_s;
	uint64_t bytes, calls, kernel_calls;
	uint64_t reports, reports_copied, mapped_bytes;
};

static bool stopped(const struct zc_bench *b)
{
	return b->o->stop && *b->o->stop;
}

static void tally_add(struct zc_tally *t, const struct zc_run *run)
{
	t->cpu_s += run->cpu_s;
	t->bytes += run->st.bytes;
	t->calls += run->st.calls;
	t->kernel_calls += run->kernel_calls;
	t->reports += run->st.reports;
	t->reports_copied += run->st.reports_copied;
	t->mapped_bytes += run->st.mapped_bytes;
}

/* Another sentence for the note, if it fits whole. */
static void note_add(struct bench_result *res, const char *fmt, ...)
{
	size_t used = strlen(res->note);
	char s[sizeof(res->note)];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	if (n <= 0 || used + (used > 0) + (size_t)n >= sizeof(res->note))
		return;
	if (used)
		res->note[used++] = ' ';
	memcpy(res->note + used, s, (size_t)n + 1);
}

/* What the receiver's mapping did, as the result's copied (mapped at least half: no) and a
 * sentence. */
static void note_mapped(struct bench_result *res, const struct zc_tally *t)
{
	double mapped = t->bytes ? 100.0 * (double)t->mapped_bytes / (double)t->bytes : 0;

	res->copied = mapped >= 50 ? BENCH_COPIED_NO : BENCH_COPIED_YES;
	if (t->mapped_bytes == 0)
		note_add(res, "The mapping did not happen: every byte was copied "
			 "(recv_skip_hint/copybuf), none came as whole pages.");
	else
		note_add(res, "%.1f%% of the bytes were mapped, %.1f%% copied "
			 "(recv_skip_hint/copybuf): parts of segments that are not whole pages.",
			 mapped, 100 - mapped);
}

/* What the sender's notifications said, as the result's copied and a sentence. */
static void note_reports(struct bench_result *res, const struct zc_bench *b,
			 const struct zc_tally *t, const char *flag)
{
	unsigned long long n = t->reports, copied = t->reports_copied;

	if (!n)
		return;
	res->copied = copied ? BENCH_COPIED_YES : BENCH_COPIED_NO;
	if (copied == n)
		note_add(res, "The kernel copied anyway: all %llu sends reported %s%s.", n, flag,
			 b->o->peer ? "" : " (lo delivers to a local socket, which must not pin "
			 "the sender's pages)");
	else if (copied)
		note_add(res, "The kernel copied anyway for %llu of %llu sends (%s).", copied, n,
			 flag);
	else
		note_add(res, "No copy: none of the %llu sends reported %s.", n, flag);
}

static int copied_by_design(bool sender, int way)
{
	if (sender)
		return way == ZC_READ_WRITE ? BENCH_COPIED_YES : BENCH_COPIED_UNKNOWN;
	return way == ZC_RECV_COPY ? BENCH_COPIED_YES : BENCH_COPIED_UNKNOWN;
}

static int add_result(struct zc_bench *b, bool sender, int way, struct zc_tally *t, int err,
		      struct bench_results *out)
{
	const char *name = sender ? zerocopy_send_name(way) : zerocopy_recv_name(way);
	struct bench_result *res;
	char full[48];

	snprintf(full, sizeof(full), "zerocopy.%s", name);
	if (!(res = bench_result_new(out, full, "GB/s")))
		return -ENOMEM;
	res->what = sender ? send_what[way] : recv_what[way];
	if (err) {
		note_add(res, "Not measured: %s is not available here (%s).", name, strerror(-err));
		return 0;
	}
	samples_summarize(&t->gbps, &res->dist);
	res->value = res->dist.p50;
	res->syscalls_counted = b->counted;
	res->syscalls_per_mib = (double)(b->counted ? t->kernel_calls : t->calls) /
				((double)t->bytes / MIB);
	res->cpu_s_per_gib = t->cpu_s / ((double)t->bytes / (MIB * 1024));
	res->copied = copied_by_design(sender, way);
	res->copied_by_design = res->copied == BENCH_COPIED_YES;
	if (sender && way == ZC_MSG_ZEROCOPY)
		note_reports(res, b, t, "SO_EE_CODE_ZEROCOPY_COPIED");
	else if (sender && way == ZC_IO_URING_SEND_ZC)
		note_reports(res, b, t, "IORING_NOTIF_USAGE_ZC_COPIED");
	else if (!sender && way == ZC_TCP_ZEROCOPY_RECEIVE)
		note_mapped(res, t);
	if (!b->counted)
		note_add(res, "Calls counted by this loop, not the kernel (needs root).");
	if (b->o->peer)
		note_add(res, "%zu MiB file, %d runs, to the peer.", b->bytes >> 20, b->runs);
	else if (b->pinned)
		note_add(res, "%zu MiB file, %d runs, the ends on CPUs %d and %d.", b->bytes >> 20,
			 b->runs, b->cpu[0], b->cpu[1]);
	else
		note_add(res, "%zu MiB file, %d runs.", b->bytes >> 20, b->runs);
	return 0;
}

/* RUNS runs of one way, and its result. */
static int measure_way(struct zc_bench *b, bool sender, int way, struct bench_results *out)
{
	const char *name = sender ? zerocopy_send_name(way) : zerocopy_recv_name(way);
	struct zc_tally t = { .gbps = SAMPLES_INIT };
	char what[64];
	int r = 0;

	snprintf(what, sizeof(what), "zerocopy: %s", name);
	if (b->o->progress)
		b->o->progress(b->o->progress_ctx, what);
	for (int i = 0; i < b->runs && r == 0; i++) {
		struct zc_run run;

		if (stopped(b)) {
			r = -EINTR;
			break;
		}
		if (!sender)
			r = zc_bench_recv_run(b, way, &run);
		else if (b->o->peer)
			r = zc_bench_peer_run(b, way, &run);
		else
			r = zc_bench_send_run(b, way, &run);
		if (r == 0) {
			tally_add(&t, &run);
			r = samples_add(&t.gbps, (double)run.st.bytes / (double)run.ns);
		}
	}
	if (r == 0 || zerocopy_unsupported(r))
		r = add_result(b, sender, way, &t, r, out);
	samples_release(&t.gbps);
	return r;
}

static int run_suite(struct zc_bench *b, struct bench_results *out)
{
	int r = 0;

	for (int way = 0; way < ZC_SEND_COUNT && r == 0; way++)
		r = measure_way(b, true, way, out);
	/* the receive side needs both ends here */
	for (int way = 0; way < ZC_RECV_COUNT && r == 0 && !b->o->peer; way++)
		r = measure_way(b, false, way, out);
	return r;
}

int bench_zerocopy(const struct bench_opts *o, struct bench_results *out)
{
	struct zc_bench b = { .o = o, .bytes = o->quick ? QUICK_FILE_BYTES : FILE_BYTES,
			      .runs = o->quick ? QUICK_RUNS : RUNS };
	pid_t tid = gettid();
	sigset_t pipe_set, old;
	cpu_set_t mask;
	int r;

	if (o->stop && *o->stop)
		return -EINTR;
	if ((b.file_fd = zerocopy_file_make(b.bytes)) < 0)
		return b.file_fd;
	b.counted = syscount_open(&b.sc, &tid, 1) == 0;
	/* each end on a CPU of its own, when there are two */
	b.pinned = cpu_place_pick(CPUS_SPLIT, &b.cpu[0], &b.cpu[1]) == 0 &&
		   cpu_place_pin(0, b.cpu[0], &mask) == 0;
	/* a peer that goes away makes write(), sendfile() and splice() raise SIGPIPE in this
	 * thread: held while the suite runs, and taken here rather than delivered */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	r = run_suite(&b, out);
	if (!sigismember(&old, SIGPIPE)) {
		while (sigtimedwait(&pipe_set, NULL, &(struct timespec){ 0 }) == SIGPIPE)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (b.pinned)
		cpu_place_restore(0, &mask);
	syscount_close(&b.sc);
	close(b.file_fd);
	return r;
}
