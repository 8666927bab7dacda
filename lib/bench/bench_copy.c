// SPDX-License-Identifier: MIT
/*
 * bench_copy: what copying data costs. memcpy of 1 KiB that stays in the cache; 1 KiB from
 * a place not in any cache (the source picked at random in a buffer eight times the size of
 * a large last-level cache); memcpy of a buffer far larger than the caches (memory
 * bandwidth: what bounds copies too big for the caches); and 1 KiB from user space into the
 * kernel and back out, through a pipe and through a loopback TCP socket, each in one thread
 * so no wake-up is timed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/bench.h"
#include "nic2app/clock.h"
#include "nic2app/loopback.h"

#define KIB 1024
#define SMALL_BATCH 100      /* 1 KiB operations per sample */
#define COLD_BATCH 32        /* cold copies per sample */
#define COLD_BUFFER (256u << 20) /* 8x a 32 MiB L3: a random 1 KiB of it is rarely cached */
#define MODULE_1K "~500 ns"

static bool stopped(const struct bench_opts *o)
{
	return o->stop && *o->stop;
}

/* A result whose samples are ns per operation. */
static int add_ns(struct bench_results *out, const char *name, const char *what,
		  struct samples *s, const char *note)
{
	struct bench_result *res = bench_result_new(out, name, "ns");
	int err;

	if (!res)
		return -ENOMEM;
	if ((err = samples_summarize(s, &res->dist)) < 0)
		return err;
	res->value = res->dist.p50;
	res->what = what;
	res->module_typical = MODULE_1K;
	snprintf(res->note, sizeof(res->note), "%s", note);
	return 0;
}

static int memcpy_1k(const struct bench_opts *o, size_t batches, struct bench_results *out)
{
	static unsigned char a[KIB], b[KIB];
	struct samples s = SAMPLES_INIT;
	int err = 0;

	memset(a, 1, sizeof(a));
	for (size_t i = 0; i < batches + batches / 10 && !err; i++) {
		uint64_t t0 = monotonic_ns();

		for (int k = 0; k < SMALL_BATCH; k++) {
			memcpy(k & 1 ? a : b, k & 1 ? b : a, KIB);
			__asm__ volatile("" : : "r"(a), "r"(b) : "memory"); /* keep every copy */
		}
		if (i >= batches / 10) /* the first tenth warms up */
			err = samples_add(&s, (double)(monotonic_ns() - t0) / SMALL_BATCH);
		if (stopped(o))
			err = -EINTR;
	}
	if (!err)
		err = add_ns(out, "copy.memcpy_1k", "memcpy of 1 KiB between two buffers in the cache",
			     &s, "per copy: the mean of batches of 100");
	samples_release(&s);
	return err;
}

/* 1 KiB copied from a random place in a buffer far larger than the caches, into a small
 * buffer that stays cached: what a copy costs when its source comes from memory. */
static int memcpy_1k_cold(const struct bench_opts *o, size_t batches, struct bench_results *out)
{
	static unsigned char dst[KIB];
	unsigned char *src = malloc(COLD_BUFFER);
	struct samples s = SAMPLES_INIT;
	uint64_t x = 88172645463325252ull; /* xorshift: cheap, and no pattern a prefetcher sees */
	int err = 0;

	if (!src)
		return -ENOMEM;
	memset(src, 3, COLD_BUFFER); /* fault every page in first: no page fault is timed */
	for (size_t i = 0; i < batches + batches / 10 && !err; i++) {
		size_t off[COLD_BATCH];
		uint64_t t0;

		for (int k = 0; k < COLD_BATCH; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			off[k] = (size_t)(x % (COLD_BUFFER / KIB)) * KIB;
		}
		t0 = monotonic_ns();
		for (int k = 0; k < COLD_BATCH; k++) {
			memcpy(dst, src + off[k], KIB);
			__asm__ volatile("" : : "r"(dst) : "memory");
		}
		if (i >= batches / 10)
			err = samples_add(&s, (double)(monotonic_ns() - t0) / COLD_BATCH);
		if (stopped(o))
			err = -EINTR;
	}
	if (!err)
		err = add_ns(out, "copy.memcpy_1k_cold",
			     "memcpy of 1 KiB from a random place in 256 MiB (not in a cache)", &s,
			     "per copy: the mean of batches of 32; the source is read from memory");
	samples_release(&s);
	free(src);
	return err;
}

/* Memory bandwidth: whole copies of a large buffer, in GB/s (10^9 bytes a second). */
static int memcpy_large(const struct bench_opts *o, struct bench_results *out)
{
	size_t size = (o->quick ? 64 : 256) << 20, runs = o->quick ? 3 : 7;
	unsigned char *a = malloc(size), *b = malloc(size);
	struct samples s = SAMPLES_INIT;
	struct bench_result *res;
	int err = 0;

	if (!a || !b) {
		err = -ENOMEM;
		goto out_free;
	}
	memset(a, 1, size); /* touch every page first: no page faults are timed */
	memset(b, 2, size);
	for (size_t i = 0; i < runs + 1 && !err; i++) {
		uint64_t t0 = monotonic_ns();

		memcpy(b, a, size);
		__asm__ volatile("" : : "r"(b) : "memory");
		if (i > 0) /* the first run warms up */
			err = samples_add(&s, (double)size / (double)(monotonic_ns() - t0));
		if (stopped(o))
			err = -EINTR;
	}
	if (!err && !(res = bench_result_new(out, "copy.memcpy_large", "GB/s")))
		err = -ENOMEM;
	if (!err && (err = samples_summarize(&s, &res->dist)) == 0) {
		res->value = res->dist.p50;
		res->what = "memcpy of a buffer far larger than the caches: memory bandwidth";
		snprintf(res->note, sizeof(res->note), "%zu MiB per copy, %zu copies; what bounds "
			 "copies larger than the caches", size >> 20, runs);
	}
out_free:
	samples_release(&s);
	free(a);
	free(b);
	return err;
}

/* 1 KiB written into fds[1] and read back from fds[0] by the same thread, per sample. */
static int through_kernel(const struct bench_opts *o, const int fds[2], bool socket,
			  size_t batches, struct samples *s)
{
	static unsigned char buf[KIB];
	int err = 0;

	for (size_t i = 0; i < batches + batches / 10 && !err; i++) {
		uint64_t t0 = monotonic_ns();

		for (int k = 0; k < SMALL_BATCH && !err; k++) {
			if (write(fds[1], buf, KIB) != KIB)
				err = -EIO;
			else if ((socket ? recv(fds[0], buf, KIB, MSG_WAITALL) :
					   read(fds[0], buf, KIB)) != KIB)
				err = -EIO;
		}
		if (!err && i >= batches / 10)
			err = samples_add(s, (double)(monotonic_ns() - t0) / SMALL_BATCH);
		if (stopped(o))
			err = -EINTR;
	}
	return err;
}

static int pipe_1k(const struct bench_opts *o, size_t batches, struct bench_results *out)
{
	struct samples s = SAMPLES_INIT;
	int fds[2], err;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	err = through_kernel(o, fds, false, batches, &s);
	if (!err)
		err = add_ns(out, "copy.pipe_1k", "write() of 1 KiB into a pipe and read() back, one thread",
			     &s, "two system calls and two copies (user to kernel, kernel to user)");
	samples_release(&s);
	close(fds[0]);
	close(fds[1]);
	return err;
}

static int socket_1k(const struct bench_opts *o, size_t batches, struct bench_results *out)
{
	struct samples s = SAMPLES_INIT;
	int fds[2], err = loopback_tcp_pair(fds); /* fds[1] sends, fds[0] receives */

	if (!err)
		err = through_kernel(o, fds, true, batches, &s);
	if (!err)
		err = add_ns(out, "copy.socket_1k",
			     "send() of 1 KiB on loopback TCP and recv() of it, one thread", &s,
			     "two system calls, two copies, and TCP/IP both ways on lo in between");
	samples_release(&s);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err;
}

int bench_copy(const struct bench_opts *o, struct bench_results *out)
{
	size_t batches = o->quick ? 2000 : 10000;
	int err;

	if (o->progress)
		o->progress(o->progress_ctx, "copy: memcpy");
	if ((err = memcpy_1k(o, batches, out)) < 0 ||
	    (err = memcpy_1k_cold(o, batches, out)) < 0 || (err = memcpy_large(o, out)) < 0)
		return err;
	if (o->progress)
		o->progress(o->progress_ctx, "copy: through the kernel");
	if ((err = pipe_1k(o, batches, out)) < 0)
		return err;
	return socket_1k(o, batches, out);
}
