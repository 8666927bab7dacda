// SPDX-License-Identifier: MIT
/*
 * bench_batch_io: the send and receive loops of the three batch techniques. Every loop
 * counts the system calls it makes (the figure "by design"). Receivers wait at most
 * BATCH_RX_TIMEOUT_MS for a datagram (SO_RCVTIMEO, or an io_uring wait timeout) and then
 * end if the sender is done: that is how a run ends when datagrams were dropped.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "nic2app/clock.h"
#include "bench_batch_int.h"

/* Without progress for this long, the receiver is stuck: the run fails. */
#define STUCK_MS 2000
#define WAIT_SLICE_MS 100

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void batch_msg_fill(unsigned char *msg, uint32_t seq)
{
	put_le32(msg, seq);
	put_le32(msg + 4, ~seq);
	memset(msg + 8, BATCH_MSG_FILL, BATCH_MSG_SIZE - 8);
}

static bool stopped(const struct batch_ctx *c)
{
	return c->o->stop && *c->o->stop;
}

/* A datagram the receiver took in: delivered if well-formed and new, else bad. */
static void take(struct batch_ctx *c, const unsigned char *m, size_t len)
{
	uint32_t seq;
	size_t i;

	if (c->o->on_message)
		c->o->on_message(c->o->ctx, m, len);
	seq = len >= 8 ? get_le32(m) : 0;
	if (len != BATCH_MSG_SIZE || get_le32(m + 4) != ~seq || seq >= c->o->messages)
		goto bad;
	for (i = 8; i < BATCH_MSG_SIZE; i++)
		if (m[i] != BATCH_MSG_FILL)
			goto bad;
	if (c->seen[seq / 64] & (1ull << (seq % 64)))
		goto bad;
	c->seen[seq / 64] |= 1ull << (seq % 64);
	c->delivered++;
	if (seq + 1ull > c->max_seq_plus1)
		c->max_seq_plus1 = seq + 1ull;
	return;
bad:
	c->bad++;
}

static uint64_t taken(const struct batch_ctx *c)
{
	return c->delivered + c->bad;
}

/* Sender: before messages up to next_end go out, wait while they would be more than a
 * window ahead of the receiver, until it is half a window behind. */
static int keep_in_step(struct batch_ctx *c, uint64_t next_end)
{
	unsigned int idle_ms = 0;

	if (next_end <= atomic_load(&c->flow.progress) + c->window)
		return 0;
	c->waits++;
	for (;;) {
		uint64_t before = atomic_load(&c->flow.progress);
		int r;

		if (atomic_load(&c->flow.receiver_done))
			return c->rx_err ? c->rx_err : -EIO;
		if (stopped(c))
			return -EINTR;
		r = batch_flow_wait(&c->flow, next_end - c->window / 2, WAIT_SLICE_MS);
		if (r == 0 && !atomic_load(&c->flow.receiver_done))
			return 0;
		if (atomic_load(&c->flow.progress) != before)
			idle_ms = 0;
		else if ((idle_ms += WAIT_SLICE_MS) >= STUCK_MS)
			return -ETIMEDOUT;
	}
}

static int send_each(struct batch_side *s, unsigned int n, uint64_t *sent)
{
	for (unsigned int k = 0; k < n; k++) {
		ssize_t r;

		do {
			s->syscalls++;
			r = send(s->fd, s->buf[k], BATCH_MSG_SIZE, 0);
		} while (r < 0 && errno == EINTR);
		if (r != BATCH_MSG_SIZE)
			return r < 0 ? -errno : -EIO;
		(*sent)++;
	}
	return 0;
}

static int send_mmsg(struct batch_side *s, unsigned int n, uint64_t *sent)
{
	unsigned int done = 0;

	while (done < n) {
		int r;

		s->syscalls++;
		r = sendmmsg(s->fd, s->msgs + done, n - done, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		done += (unsigned int)r;
		*sent += (unsigned int)r;
	}
	return 0;
}

/* n sends in one submission; each completion must be a whole message. */
static int send_uring(struct batch_side *s, unsigned int n, uint64_t *sent)
{
	struct io_uring_cqe *cqe;
	unsigned int got = 0;
	int r, err = 0;

	for (unsigned int k = 0; k < n; k++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

		if (!sqe)
			return -EBUSY;
		io_uring_prep_send(sqe, s->fd, s->buf[k], BATCH_MSG_SIZE, 0);
		sqe->user_data = k;
	}
	s->syscalls++;
	r = io_uring_submit_and_wait(&s->ring, n);
	if (r < 0 && r != -EINTR)
		return r;
	while (got < n) {
		r = io_uring_peek_cqe(&s->ring, &cqe);
		if (r == -EAGAIN) {
			s->syscalls++;
			r = io_uring_wait_cqe(&s->ring, &cqe);
		}
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (cqe->res == BATCH_MSG_SIZE)
			(*sent)++;
		else if (!err)
			err = cqe->res < 0 ? cqe->res : -EIO;
		io_uring_cqe_seen(&s->ring, cqe);
		got++;
	}
	return err;
}

int batch_send_all(struct batch_ctx *c)
{
	uint32_t total = c->o->messages, n;
	int r = 0;

	c->first_ns = monotonic_ns();
	for (uint32_t seq = 0; seq < total; seq += n) {
		n = total - seq < BATCH_SIZE ? total - seq : BATCH_SIZE;
		if (stopped(c)) {
			r = -EINTR;
			break;
		}
		if ((r = keep_in_step(c, (uint64_t)seq + n)) < 0)
			break;
		for (uint32_t k = 0; k < n; k++)
			batch_msg_fill(c->tx.buf[k], seq + k);
		if (c->o->technique == BATCH_SEND_RECV)
			r = send_each(&c->tx, n, &c->sent);
		else if (c->o->technique == BATCH_MMSG)
			r = send_mmsg(&c->tx, n, &c->sent);
		else
			r = send_uring(&c->tx, n, &c->sent);
		if (r < 0)
			break;
	}
	atomic_store(&c->flow.sender_done, true);
	return r;
}

/* After a receive call: 1 to go on, 0 when the run is over, or -errno. */
static int after_receive(struct batch_ctx *c, int got, int err)
{
	if (got > 0) {
		c->last_ns = monotonic_ns();
		batch_flow_publish(&c->flow, c->max_seq_plus1);
		return 1;
	}
	if (err == 0 || err == EINTR)
		return 1;
	if (err == EAGAIN || err == EWOULDBLOCK || err == ETIME)
		return atomic_load(&c->flow.sender_done) ? 0 : 1;
	return -err;
}

static int recv_each(struct batch_ctx *c)
{
	struct batch_side *s = &c->rx;
	int r = 1;

	while (r > 0 && taken(c) < c->o->messages) {
		ssize_t n;

		s->syscalls++;
		n = recv(s->fd, s->buf[0], BATCH_SLOT, 0);
		if (n >= 0)
			take(c, s->buf[0], (size_t)n);
		r = after_receive(c, n >= 0, n < 0 ? errno : 0);
	}
	return r < 0 ? r : 0;
}

static int recv_mmsg(struct batch_ctx *c)
{
	struct batch_side *s = &c->rx;
	int r = 1;

	while (r > 0 && taken(c) < c->o->messages) {
		uint64_t left = c->o->messages - taken(c);
		unsigned int want = left < BATCH_SIZE ? (unsigned int)left : BATCH_SIZE;
		int n;

		s->syscalls++;
		n = recvmmsg(s->fd, s->msgs, want, 0, NULL);
		for (int k = 0; k < n; k++)
			take(c, s->buf[k], s->msgs[k].msg_len);
		r = after_receive(c, n, n < 0 ? errno : 0);
	}
	return r < 0 ? r : 0;
}

/* Collect the completions of want linked receives. 1 to go on, 0 when the run is over
 * (receives may be left in flight: io_uring_queue_exit cancels them), or -errno. */
static int collect_uring(struct batch_ctx *c, unsigned int want)
{
	struct __kernel_timespec ts = { .tv_nsec = BATCH_RX_TIMEOUT_MS * 1000000ll };
	struct batch_side *s = &c->rx;
	unsigned int got = 0;
	int r = 1;

	while (r > 0 && got < want) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		int w, err = 0;

		s->syscalls++;
		w = io_uring_submit_and_wait_timeout(&s->ring, &cqe, want - got, &ts, NULL);
		io_uring_for_each_cqe(&s->ring, head, cqe) {
			if (cqe->res >= 0)
				take(c, s->buf[cqe->user_data], (size_t)cqe->res);
			else if (cqe->res != -ECANCELED && !err)
				err = -cqe->res;
			n++;
		}
		io_uring_cq_advance(&s->ring, n);
		got += n;
		if (err)
			return -err;
		r = after_receive(c, (int)n, w < 0 ? -w : 0);
	}
	return r;
}

static int recv_uring(struct batch_ctx *c)
{
	struct batch_side *s = &c->rx;
	int r = 1;

	while (r > 0 && taken(c) < c->o->messages) {
		uint64_t left = c->o->messages - taken(c);
		unsigned int want = left < BATCH_SIZE ? (unsigned int)left : BATCH_SIZE;

		/* linked: each receive starts when the one before is done, so they take the
		 * datagrams in order instead of all waking for each one */
		for (unsigned int k = 0; k < want; k++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

			if (!sqe)
				return -EBUSY;
			io_uring_prep_recv(sqe, s->fd, s->buf[k], BATCH_SLOT, 0);
			sqe->user_data = k;
			if (k + 1 < want)
				sqe->flags |= IOSQE_IO_LINK;
		}
		r = collect_uring(c, want);
	}
	return r < 0 ? r : 0;
}

int batch_receive_all(struct batch_ctx *c)
{
	switch (c->o->technique) {
	case BATCH_SEND_RECV:
		return recv_each(c);
	case BATCH_MMSG:
		return recv_mmsg(c);
	default:
		return recv_uring(c);
	}
}
