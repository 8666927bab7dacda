/* SPDX-License-Identifier: MIT */
/*
 * bench_batch_int: what the files of one batch run share. bench_batch_run.c sets up the
 * sockets, rings and receiving thread and keeps the two sides in step (struct batch_flow);
 * bench_batch_io.c holds the send and receive loops of each technique.
 */
#ifndef NIC2APP_BENCH_BATCH_INT_H
#define NIC2APP_BENCH_BATCH_INT_H

#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "nic2app/batch.h"

/* a receive buffer one byte longer than a message shows a datagram that is too long */
#define BATCH_SLOT (BATCH_MSG_SIZE + 1)
/* how long a receiver waits for a datagram before it looks whether the sender is done */
#define BATCH_RX_TIMEOUT_MS 200

/* The receiver tells the sender how far it got; the sender sleeps on the condition only
 * when it is a whole window ahead, and the receiver signals only when the progress the
 * sender sleeps for is reached: one wake-up per wait, not one per message. */
struct batch_flow {
	pthread_mutex_t lock;
	pthread_cond_t cond;        /* on CLOCK_MONOTONIC */
	atomic_uint_fast64_t progress; /* the highest sequence number received, plus one */
	atomic_uint_fast64_t wait_for; /* the progress the sender sleeps for, 0: awake */
	atomic_bool sender_done;    /* sent everything, or gave up: the receiver ends when idle */
	atomic_bool receiver_done;
};

/* One end of the pair. */
struct batch_side {
	int fd;
	bool has_ring;
	struct io_uring ring;
	uint64_t syscalls;          /* the system calls its loop made */
	struct mmsghdr msgs[BATCH_SIZE];
	struct iovec iov[BATCH_SIZE];
	unsigned char buf[BATCH_SIZE][BATCH_SLOT];
};

struct batch_ctx {
	const struct batch_run_opts *o;
	struct batch_flow flow;
	struct batch_side tx, rx;
	uint32_t window;
	/* the receiver's, read by the sender once it is done */
	pid_t rx_tid;
	int rx_cpu;
	int rx_err;
	uint64_t *seen;             /* a bit per sequence number */
	uint64_t delivered, bad, last_ns;
	uint64_t max_seq_plus1;
	/* the sender's */
	uint64_t sent, first_ns, waits;
	pthread_barrier_t step;     /* receiver ready; then go */
};

int batch_flow_init(struct batch_flow *f);
void batch_flow_destroy(struct batch_flow *f);
/* Receiver: publish progress; wake the sender if it waits. */
void batch_flow_publish(struct batch_flow *f, uint64_t progress);
void batch_flow_receiver_done(struct batch_flow *f);
/* Sender: wait until progress reaches target (UINT64_MAX: until the receiver is done) or
 * the receiver is done, for at most timeout_ms. 0, or -ETIMEDOUT. */
int batch_flow_wait(struct batch_flow *f, uint64_t target, unsigned int timeout_ms);

/* The sender's loop: every message, in batches, in step with the receiver. */
int batch_send_all(struct batch_ctx *c);
/* The receiver's loop: until every message came, or the sender is done and nothing comes. */
int batch_receive_all(struct batch_ctx *c);

#endif
