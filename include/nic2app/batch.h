/* SPDX-License-Identifier: MIT */
/*
 * batch: many small UDP messages over 127.0.0.1, three ways: one send() and one recv() per
 * message, sendmmsg()/recvmmsg() of a batch, or a batch of sends (and of receives) in one
 * io_uring submission. The calling thread sends, a thread of its own receives; the sender
 * never runs more than a window of messages ahead of the receiver, whose buffer holds many
 * windows, so UDP drops nothing unless something else fills the buffer.
 *
 * A message is BATCH_MSG_SIZE bytes: bytes 0-3 its sequence number (little-endian, 0 to
 * messages - 1), bytes 4-7 the same number inverted (~seq), the rest BATCH_MSG_FILL. The
 * receiver counts a message as delivered the first time a well-formed one arrives.
 */
#ifndef NIC2APP_BATCH_H
#define NIC2APP_BATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BATCH_MSG_SIZE 64
#define BATCH_MSG_FILL 'b'
#define BATCH_SIZE 32

enum batch_technique {
	BATCH_SEND_RECV, /* send() and recv(): one system call per message on each side */
	BATCH_MMSG,      /* sendmmsg() and recvmmsg() of BATCH_SIZE messages */
	BATCH_IO_URING,  /* BATCH_SIZE sends, or linked receives, per io_uring_enter() */
	BATCH_NTECHNIQUES,
};

struct batch_run_opts {
	enum batch_technique technique;
	uint32_t messages;           /* how many to send, at least 1 */
	bool count_syscalls;         /* count with syscount (root): tracing slows system calls */
	/* for experiments: the receive buffer to ask for (0: as large as allowed), and how
	 * far the sender may run ahead (0: from the buffer; UINT32_MAX: no limit, UDP drops) */
	int rcvbuf_bytes;
	uint32_t window;
	volatile sig_atomic_t *stop; /* checked between batches: -EINTR; may be NULL */
	/* called by the receiving thread with every datagram it takes in; may be NULL */
	void (*on_message)(void *ctx, const unsigned char *msg, size_t len);
	void *ctx;
};

struct batch_run {
	uint64_t sent;            /* messages the kernel took from the sender */
	uint64_t delivered;       /* distinct well-formed messages the receiver got */
	uint64_t bad;             /* datagrams of the wrong size or content, or repeated */
	uint64_t elapsed_ns;      /* from the first send to the last delivery */
	uint64_t design_syscalls; /* the system calls the two loops made */
	uint64_t syscalls;        /* counted by the kernel when syscalls_counted, else design */
	bool syscalls_counted;
	int count_err;            /* why syscount could not count (-errno), or 0 */
	uint64_t sender_waits;    /* times the sender waited for the receiver to catch up */
	uint32_t window;          /* messages the sender may run ahead of the receiver */
	int rcvbuf_bytes;         /* the receiver's buffer as the kernel set it */
	int sender_cpu;           /* the CPUs the two were pinned to, -1: not pinned */
	int receiver_cpu;
};

const char *batch_technique_name(enum batch_technique t);

/* Write message seq into msg[BATCH_MSG_SIZE]. */
void batch_msg_fill(unsigned char *msg, uint32_t seq);

/* Whether io_uring works here: 0, or io_uring_queue_init's -errno (-ENOSYS, -EPERM). */
int batch_io_uring_probe(void);

/* One run: o->messages messages sent with o->technique. 0 or -errno; -EINTR when stopped.
 * out->sent and out->delivered are filled also when the run fails part way. */
int batch_run(const struct batch_run_opts *o, struct batch_run *out);

#endif
