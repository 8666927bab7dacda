// SPDX-License-Identifier: MIT
/*
 * bench_batch_run: one batch run. The receiving socket is bound to 127.0.0.1 and connected
 * back to the sender (so no stray datagram reaches it), with a receive buffer as large as
 * the kernel allows: SO_RCVBUFFORCE passes net.core.rmem_max with CAP_NET_ADMIN. The
 * sender may run ahead by as many messages as fill half that buffer at 1 KiB each (a
 * 64-byte datagram takes about 830 bytes of it on loopback: its skb's truesize), 128 to
 * 4096. Sender and receiver are pinned to CPUs of their own when there are two, so runs
 * compare like with like.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nic2app/cpu_place.h"
#include "nic2app/syscount.h"
#include "bench_batch_int.h"

#define RCVBUF_BYTES (4 << 20)
#define TRUESIZE_GUESS 1024
#define MIN_WINDOW (4 * BATCH_SIZE)
#define MAX_WINDOW 4096
#define RING_ENTRIES (2 * BATCH_SIZE)

static const char *const technique_names[BATCH_NTECHNIQUES] = {
	[BATCH_SEND_RECV] = "send_recv",
	[BATCH_MMSG] = "sendmmsg_recvmmsg",
	[BATCH_IO_URING] = "io_uring",
};

const char *batch_technique_name(enum batch_technique t)
{
	return t < BATCH_NTECHNIQUES ? technique_names[t] : "unknown";
}

int batch_io_uring_probe(void)
{
	struct io_uring ring;
	int r = io_uring_queue_init(2, &ring, 0);

	if (r == 0)
		io_uring_queue_exit(&ring);
	return r;
}

static int open_sockets(struct batch_ctx *c, int *rcvbuf)
{
	struct sockaddr_in rx_addr = { .sin_family = AF_INET }, tx_addr;
	struct timeval tv = { .tv_usec = BATCH_RX_TIMEOUT_MS * 1000 };
	socklen_t alen = sizeof(rx_addr), ilen = sizeof(*rcvbuf);
	int want = c->o->rcvbuf_bytes > 0 ? c->o->rcvbuf_bytes : RCVBUF_BYTES;

	rx_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->rx.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->rx.fd < 0)
		return -errno;
	c->tx.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->tx.fd < 0)
		return -errno;
	if (setsockopt(c->rx.fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) < 0 &&
	    setsockopt(c->rx.fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)) < 0)
		return -errno;
	if (getsockopt(c->rx.fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, &ilen) < 0 ||
	    setsockopt(c->rx.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    bind(c->rx.fd, (struct sockaddr *)&rx_addr, sizeof(rx_addr)) < 0 ||
	    getsockname(c->rx.fd, (struct sockaddr *)&rx_addr, &alen) < 0 ||
	    connect(c->tx.fd, (struct sockaddr *)&rx_addr, sizeof(rx_addr)) < 0)
		return -errno;
	alen = sizeof(tx_addr);
	if (getsockname(c->tx.fd, (struct sockaddr *)&tx_addr, &alen) < 0 ||
	    connect(c->rx.fd, (struct sockaddr *)&tx_addr, sizeof(tx_addr)) < 0)
		return -errno;
	return 0;
}

static void side_init(struct batch_side *s, size_t len)
{
	s->fd = -1;
	for (int k = 0; k < BATCH_SIZE; k++) {
		s->iov[k] = (struct iovec){ .iov_base = s->buf[k], .iov_len = len };
		s->msgs[k].msg_hdr = (struct msghdr){ .msg_iov = &s->iov[k], .msg_iovlen = 1 };
	}
}

static void side_release(struct batch_side *s)
{
	/* the ring first: receives still in flight point into the buffers */
	if (s->has_ring)
		io_uring_queue_exit(&s->ring);
	s->has_ring = false;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* Sockets, window and (io_uring) rings. */
static int ctx_open(struct batch_ctx *c, struct batch_run *out)
{
	uint32_t w;
	int r;

	side_init(&c->tx, BATCH_MSG_SIZE);
	side_init(&c->rx, BATCH_SLOT);
	if ((r = open_sockets(c, &out->rcvbuf_bytes)) < 0)
		return r;
	w = (uint32_t)out->rcvbuf_bytes / TRUESIZE_GUESS / 2 / BATCH_SIZE * BATCH_SIZE;
	c->window = w < MIN_WINDOW ? MIN_WINDOW : w > MAX_WINDOW ? MAX_WINDOW : w;
	if (c->o->window)
		c->window = c->o->window;
	out->window = c->window;
	if (c->o->technique != BATCH_IO_URING)
		return 0;
	if ((r = io_uring_queue_init(RING_ENTRIES, &c->tx.ring, 0)) < 0)
		return r;
	c->tx.has_ring = true;
	if ((r = io_uring_queue_init(RING_ENTRIES, &c->rx.ring, 0)) < 0)
		return r;
	c->rx.has_ring = true;
	return 0;
}

static void *receiver_main(void *arg)
{
	struct batch_ctx *c = arg;
	sigset_t block;

	/* signals are for the caller's thread, which checks the stop flag */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	c->rx_tid = gettid();
	if (c->rx_cpu >= 0 && cpu_place_pin(0, c->rx_cpu, NULL) < 0)
		c->rx_cpu = -1;
	pthread_barrier_wait(&c->step); /* ready */
	pthread_barrier_wait(&c->step); /* go */
	c->rx_err = batch_receive_all(c);
	batch_flow_receiver_done(&c->flow);
	return NULL;
}

/* Start counting the two threads' system calls; on failure, say why in out. */
static bool count_start(struct batch_ctx *c, struct syscount *sc, uint64_t *before,
			struct batch_run *out)
{
	pid_t tids[2] = { gettid(), c->rx_tid };

	if (!c->o->count_syscalls)
		return false;
	if ((out->count_err = syscount_open(sc, tids, 2)) == 0 &&
	    (out->count_err = syscount_read(sc, before)) == 0)
		return true;
	syscount_close(sc);
	return false;
}

/* The two threads, from the receiver's start to its end; the sender's error first. */
static int run_threads(struct batch_ctx *c, struct batch_run *out)
{
	struct syscount sc = { 0 };
	uint64_t before = 0, after = 0;
	bool counting;
	pthread_t th;
	int r;

	if ((r = -pthread_create(&th, NULL, receiver_main, c)) < 0)
		return r;
	pthread_barrier_wait(&c->step);
	counting = count_start(c, &sc, &before, out);
	pthread_barrier_wait(&c->step);
	r = batch_send_all(c);
	/* the receiver ends by itself: every message taken, or idle once the sender is done */
	while (batch_flow_wait(&c->flow, UINT64_MAX, 1000) < 0)
		;
	if (counting && (out->count_err = syscount_read(&sc, &after)) < 0)
		counting = false;
	pthread_join(th, NULL);
	syscount_close(&sc);
	out->design_syscalls = c->tx.syscalls + c->rx.syscalls;
	out->syscalls_counted = counting;
	out->syscalls = counting ? syscount_between(&sc, before, after) : out->design_syscalls;
	return r < 0 ? r : c->rx_err;
}

/* Pin, run, unpin. */
static int run_pinned(struct batch_ctx *c, struct batch_run *out)
{
	cpu_set_t saved;
	int r, tx_cpu;
	bool pinned;

	pinned = cpu_place_pick(CPUS_SPLIT, &tx_cpu, &c->rx_cpu) == 0 &&
		 cpu_place_pin(0, tx_cpu, &saved) == 0;
	if (!pinned)
		tx_cpu = c->rx_cpu = -1;
	if ((r = batch_flow_init(&c->flow)) < 0)
		goto out_unpin;
	if ((r = -pthread_barrier_init(&c->step, NULL, 2)) < 0)
		goto out_flow;
	r = run_threads(c, out);
	pthread_barrier_destroy(&c->step);
out_flow:
	batch_flow_destroy(&c->flow);
out_unpin:
	if (pinned)
		cpu_place_restore(0, &saved);
	out->sender_cpu = tx_cpu;
	out->receiver_cpu = c->rx_cpu;
	return r;
}

int batch_run(const struct batch_run_opts *o, struct batch_run *out)
{
	struct batch_ctx *c;
	int r;

	*out = (struct batch_run){ .sender_cpu = -1, .receiver_cpu = -1 };
	if (o->messages == 0 || o->technique >= BATCH_NTECHNIQUES)
		return -EINVAL;
	if (!(c = calloc(1, sizeof(*c))))
		return -ENOMEM;
	c->o = o;
	c->seen = calloc((o->messages + 63) / 64, sizeof(*c->seen));
	if (!c->seen) {
		free(c);
		return -ENOMEM;
	}
	if ((r = ctx_open(c, out)) == 0)
		r = run_pinned(c, out);
	out->sent = c->sent;
	out->delivered = c->delivered;
	out->bad = c->bad;
	out->elapsed_ns = c->last_ns > c->first_ns ? c->last_ns - c->first_ns : 0;
	out->sender_waits = c->waits;
	side_release(&c->rx);
	side_release(&c->tx);
	free(c->seen);
	free(c);
	return r;
}
