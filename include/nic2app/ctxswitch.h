/* SPDX-License-Identifier: MIT */
/*
 * ctxswitch: what one context switch costs. Two processes pinned to one CPU pass a byte
 * back and forth through a pair of pipes; each read blocks, so every hand-over is a switch,
 * and a round trip is two writes, two reads and two switches. One write plus one read on
 * a pipe of one's own (no switch) is timed in the same run and taken away:
 *   switch = round trip / 2 - (write + read)
 * What remains is the switch with the wake-up that causes it (try_to_wake_up, the
 * scheduler, the change of address space), not the bare register swap.
 */
#ifndef NIC2APP_CTXSWITCH_H
#define NIC2APP_CTXSWITCH_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "nic2app/stats.h"

struct ctxswitch_opts {
	size_t batches;              /* samples, after a tenth as many for warm-up */
	unsigned int batch;          /* round trips per sample */
	volatile sig_atomic_t *stop; /* checked between batches: -EINTR; may be NULL */
};

struct ctxswitch_result {
	struct summary switch_ns; /* per switch: each sample is one batch's mean */
	double pipe_ns;           /* p50 of one write + one read on one's own pipe */
	double round_trip_ns;     /* p50 of a whole round trip */
	int cpu;                  /* where both processes ran */
	pid_t child;              /* the other process, reaped; set also when the run fails */
};

/* Fork the other process, measure, and reap it whatever happens (killed on failure or
 * stop). 0 or -errno; -EINTR when stopped. */
int ctxswitch_measure(const struct ctxswitch_opts *o, struct ctxswitch_result *out);

#endif
