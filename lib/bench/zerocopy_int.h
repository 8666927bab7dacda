/* SPDX-License-Identifier: MIT */
/* zerocopy_int: what the files of the zerocopy ways share; not public API. */
#ifndef NIC2APP_ZEROCOPY_INT_H
#define NIC2APP_ZEROCOPY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "nic2app/zerocopy.h"

/* How long to wait for the kernel's last zero-copy reports before giving up. */
#define ZC_REPORT_WAIT_MS 10000

/* What the next call moves: at most ZC_CHUNK_BYTES. */
static inline size_t zc_chunk(size_t left)
{
	return left < ZC_CHUNK_BYTES ? left : ZC_CHUNK_BYTES;
}

/* Write all of buf to sock (write(), so a plain copy), counting the calls. */
int zc_write_all(int sock, const unsigned char *buf, size_t len, struct zc_stats *st);
/* A read-only shared mapping of the first bytes of fd (MAP_FAILED: -errno in *err). */
void *zc_map_file(int fd, size_t bytes, int *err);

int zc_send_msg_zerocopy(int file_fd, size_t bytes, int sock, struct zc_stats *st);
int zc_send_io_uring(int file_fd, size_t bytes, int sock, struct zc_stats *st);
int zc_send_io_uring_zc(int file_fd, size_t bytes, int sock, struct zc_stats *st);

/* io_uring: shared by zerocopy_uring and zerocopy_send_zc */
struct io_uring;
struct io_uring_cqe;
#define ZC_RING_ENTRIES 64
#define ZC_URING_SEND_FLAGS (MSG_WAITALL | MSG_NOSIGNAL)
/* The next completion: peeked when there is one, else waited for (counted as a call). */
int zc_uring_next_cqe(struct io_uring *ring, struct io_uring_cqe **cqe, struct zc_stats *st);
/* Keep the first real error: the -ECANCELED of the requests linked after it is not one. */
void zc_uring_keep_error(int *err, int r);
/* Submit what is queued and wait for want completions; an error: nothing was submitted. */
int zc_uring_submit(struct io_uring *ring, unsigned want, struct zc_stats *st);

int zc_recv_tcp_zerocopy(int sock, bool hash, struct zc_stats *st);

/* What the reports say: YES when any said copied, NO when all said not, else unknown. */
int zc_copied_from_reports(const struct zc_stats *st);

#endif
