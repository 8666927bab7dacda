// SPDX-License-Identifier: MIT
/*
 * zerocopy_uring: io_uring (liburing) sending read+send pairs, and the helpers it shares
 * with zerocopy_send_zc. Requests are queued several per io_uring_enter and linked into one
 * chain (IOSQE_IO_LINK) so that they run in order: two sends in flight on one TCP socket
 * could otherwise interleave their bytes. Sends carry MSG_WAITALL, so io_uring itself
 * retries a short send and a chain never breaks on one. Each pair is a read (page cache ->
 * buffer) then a send (buffer -> socket): the same two copies as read+write, with fewer
 * system calls. Every request queued is reaped before a function returns, even after an
 * error, so no request still points at a buffer that has been freed.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "zerocopy_int.h"

#define PAIRS 8 /* read+send pairs per enter */
/* user_data: the length asked for, and which kind of request */
#define UD_SEND 1u

/* The next completion: taken when one is there, else waited for (a system call). */
int zc_uring_next_cqe(struct io_uring *ring, struct io_uring_cqe **cqe, struct zc_stats *st)
{
	int r;

	if (io_uring_peek_cqe(ring, cqe) == 0)
		return 0;
	do {
		st->calls++;
		r = io_uring_wait_cqe(ring, cqe);
	} while (r == -EINTR);
	return r;
}

/* The first real error wins over the -ECANCELED of the requests linked after it. */
void zc_uring_keep_error(int *err, int r)
{
	if (r < 0 && (*err == 0 || (*err == -ECANCELED && r != -ECANCELED)))
		*err = r;
}

/* Submit what is queued and wait for `want` completions (one enter). An error means
 * nothing was submitted, so no completion will come. */
int zc_uring_submit(struct io_uring *ring, unsigned want, struct zc_stats *st)
{
	int r = io_uring_submit_and_wait(ring, want);

	st->calls++;
	return r < 0 && r != -EINTR ? r : 0;
}

/* One chain of up to PAIRS read+send pairs from off; *moved: what the sends took. */
static int read_send_batch(struct io_uring *ring, int file_fd, int sock, unsigned char *bufs,
			   size_t off, size_t bytes, size_t *moved, struct zc_stats *st)
{
	unsigned n, reaped;
	int err = 0;

	*moved = 0;
	for (n = 0; n < PAIRS && off < bytes; n++) {
		size_t len = zc_chunk(bytes - off);
		unsigned char *buf = bufs + (size_t)n * ZC_CHUNK_BYTES;
		struct io_uring_sqe *rd = io_uring_get_sqe(ring), *sd;

		io_uring_prep_read(rd, file_fd, buf, (unsigned)len, off);
		rd->flags |= IOSQE_IO_LINK;
		rd->user_data = (uint64_t)len << 1;
		sd = io_uring_get_sqe(ring);
		io_uring_prep_send(sd, sock, buf, len, ZC_URING_SEND_FLAGS);
		sd->user_data = (uint64_t)len << 1 | UD_SEND;
		off += len;
		if (n + 1 < PAIRS && off < bytes)
			sd->flags |= IOSQE_IO_LINK;
	}
	if ((err = zc_uring_submit(ring, 2 * n, st)) < 0)
		return err;
	for (reaped = 0; reaped < 2 * n; reaped++) {
		struct io_uring_cqe *cqe;
		int r = zc_uring_next_cqe(ring, &cqe, st);

		if (r < 0)
			return r; /* the ring itself failed: nothing more will come */
		/* short: a read of a file that shrank, and the chain broke there */
		if (cqe->res >= 0 && (uint64_t)cqe->res != cqe->user_data >> 1)
			zc_uring_keep_error(&err, -EIO);
		zc_uring_keep_error(&err, cqe->res);
		if (cqe->res > 0 && (cqe->user_data & UD_SEND))
			*moved += (size_t)cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	return err;
}

int zc_send_io_uring(int file_fd, size_t bytes, int sock, struct zc_stats *st)
{
	struct io_uring ring;
	unsigned char *bufs = NULL;
	size_t moved;
	int r;

	if (posix_memalign((void **)&bufs, 4096, (size_t)PAIRS * ZC_CHUNK_BYTES))
		return -ENOMEM;
	st->calls++;
	if ((r = io_uring_queue_init(ZC_RING_ENTRIES, &ring, 0)) < 0) {
		free(bufs);
		return r;
	}
	for (size_t off = 0; off < bytes && r == 0; off += moved) {
		r = read_send_batch(&ring, file_fd, sock, bufs, off, bytes, &moved, st);
		st->bytes += moved;
	}
	io_uring_queue_exit(&ring);
	st->calls++;
	free(bufs);
	return r;
}
