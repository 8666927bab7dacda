/* SPDX-License-Identifier: MIT */
/* bench_zerocopy_int: what the zerocopy suite (bench_zerocopy) and its runs
 * (bench_zerocopy_run) share; not public API. */
#ifndef NIC2APP_BENCH_ZEROCOPY_INT_H
#define NIC2APP_BENCH_ZEROCOPY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nic2app/bench.h"
#include "nic2app/syscount.h"
#include "nic2app/zerocopy.h"

struct zc_bench {
	const struct bench_opts *o;
	int file_fd;
	size_t bytes;         /* of the file, sent whole by every run */
	int runs;
	struct syscount sc;   /* the calling thread's system calls, when counted */
	bool counted;
	bool pinned;          /* this thread on cpu[0], the far end's on cpu[1] */
	int cpu[2];
};

/* One run of one way. */
struct zc_run {
	struct zc_stats st;    /* the way's own (the sender's, or the receiver's) */
	uint64_t ns;           /* the timed span */
	double cpu_s;          /* the process's user + system time over the run */
	uint64_t kernel_calls; /* counted by the kernel: the calling thread, in the way */
};

/* The file to a local receiving thread (recv()), sent here in way. */
int zc_bench_send_run(struct zc_bench *b, enum zc_send way, struct zc_run *run);
/* The file to the --peer sink, sent here in way; the sink's count must match. */
int zc_bench_peer_run(struct zc_bench *b, enum zc_send way, struct zc_run *run);
/* The file from a local sending thread (MSG_ZEROCOPY), received here in way. */
int zc_bench_recv_run(struct zc_bench *b, enum zc_recv way, struct zc_run *run);

#endif
