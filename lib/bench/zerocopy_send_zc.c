// SPDX-License-Identifier: MIT
/*
 * zerocopy_send_zc: io_uring's send_zc (IORING_OP_SEND_ZC, liburing), from a mapping of
 * the file, ZC_SENDS linked requests per io_uring_enter (see zerocopy_uring for why
 * linked). Each request completes twice: its result, flagged IORING_CQE_F_MORE, then a
 * notification (IORING_CQE_F_NOTIF) once the kernel is done with the pages; with
 * IORING_SEND_ZC_REPORT_USAGE the notification's res says whether it copied after all
 * (IORING_NOTIF_USAGE_ZC_COPIED).
 *
 * Without CAP_IPC_LOCK, io_uring charges each request's pages (its length in pages, plus
 * two) to RLIMIT_MEMLOCK until its notification, and a chain that would pass the limit
 * fails with ENOMEM. On this kernel (6.18) chains that failed so left part of their charge
 * behind, until every later chain failed too; so the requests whose notification is still
 * due are kept within half the limit, and a chain never fails that way.
 */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <liburing.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zerocopy_int.h"

/* liburing 2.3's headers predate these (kernel 6.2) */
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

#define ZC_SENDS 8 /* send_zc requests per enter */

struct flight {
	struct io_uring ring;
	const unsigned char *map;
	int sock;
	uint64_t due;  /* notifications owed: results flagged IORING_CQE_F_MORE */
	unsigned most; /* requests whose notification may be due at once */
};

/* How many requests of ZC_CHUNK_BYTES may wait for their notification at once. */
static unsigned most_in_flight(struct zc_stats *st)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct rlimit rl;

	st->calls += 2;
	if (syscall(SYS_capget, &h, caps) == 0 &&
	    caps[CAP_TO_INDEX(CAP_IPC_LOCK)].effective & CAP_TO_MASK(CAP_IPC_LOCK))
		return UINT_MAX; /* nothing is charged */
	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return UINT_MAX;
	return (unsigned)(rl.rlim_cur / page / 2 / (ZC_CHUNK_BYTES / page + 2));
}

static void note_notif(const struct io_uring_cqe *cqe, struct zc_stats *st)
{
	st->reports++;
	if ((uint32_t)cqe->res & IORING_NOTIF_USAGE_ZC_COPIED)
		st->reports_copied++;
}

/* Until the kernel has sent `want` notifications (each within ZC_REPORT_WAIT_MS). */
static int wait_notifs(struct flight *f, uint64_t want, struct zc_stats *st)
{
	while (st->reports < want) {
		struct __kernel_timespec ts = { .tv_sec = ZC_REPORT_WAIT_MS / 1000 };
		struct io_uring_cqe *cqe;
		int r = io_uring_peek_cqe(&f->ring, &cqe);

		if (r < 0) {
			st->calls++;
			r = io_uring_wait_cqe_timeout(&f->ring, &cqe, &ts);
		}
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r == -ETIME ? -ETIMEDOUT : r;
		if (cqe->flags & IORING_CQE_F_NOTIF)
			note_notif(cqe, st);
		io_uring_cqe_seen(&f->ring, cqe);
	}
	return 0;
}

/* A result: what it sent, and whether a notification will follow. */
static int note_result(struct flight *f, const struct io_uring_cqe *cqe, size_t *moved)
{
	int err = 0;

	if (cqe->flags & IORING_CQE_F_MORE)
		f->due++;
	/* -EINVAL: a kernel without IORING_SEND_ZC_REPORT_USAGE (before 6.2) */
	zc_uring_keep_error(&err, cqe->res == -EINVAL ? -EOPNOTSUPP : cqe->res);
	if (cqe->res >= 0 && (uint64_t)cqe->res != cqe->user_data)
		zc_uring_keep_error(&err, -EIO);
	if (cqe->res > 0)
		*moved += (size_t)cqe->res;
	return err;
}

/* One chain of up to n requests from off; *moved: what they sent. */
static int send_batch(struct flight *f, unsigned n, size_t off, size_t bytes, size_t *moved,
		      struct zc_stats *st)
{
	unsigned queued, results = 0;
	int err = 0;

	*moved = 0;
	for (queued = 0; queued < n && off < bytes; queued++) {
		size_t len = zc_chunk(bytes - off);
		struct io_uring_sqe *sqe = io_uring_get_sqe(&f->ring);

		io_uring_prep_send_zc(sqe, f->sock, f->map + off, len, ZC_URING_SEND_FLAGS,
				      IORING_SEND_ZC_REPORT_USAGE);
		sqe->user_data = len;
		off += len;
		if (queued + 1 < n && off < bytes)
			sqe->flags |= IOSQE_IO_LINK;
	}
	if ((err = zc_uring_submit(&f->ring, queued, st)) < 0)
		return err;
	while (results < queued) {
		struct io_uring_cqe *cqe;
		int r = zc_uring_next_cqe(&f->ring, &cqe, st);

		if (r < 0)
			return r;
		if (cqe->flags & IORING_CQE_F_NOTIF) {
			note_notif(cqe, st);
		} else {
			results++;
			zc_uring_keep_error(&err, note_result(f, cqe, moved));
		}
		io_uring_cqe_seen(&f->ring, cqe);
	}
	return err;
}

static int send_all(struct flight *f, size_t bytes, struct zc_stats *st)
{
	unsigned n = f->most < ZC_SENDS ? f->most : ZC_SENDS;
	size_t moved = 0;
	int r = 0;

	if (n == 0)
		return -ENOMEM; /* RLIMIT_MEMLOCK is below one request's pages */
	for (size_t off = 0; off < bytes && r == 0; off += moved) {
		/* room for n more requests within the bound */
		if (f->due + n > st->reports + f->most &&
		    (r = wait_notifs(f, f->due + n - f->most, st)) < 0)
			break;
		r = send_batch(f, n, off, bytes, &moved, st);
		st->bytes += moved;
	}
	return r ? r : wait_notifs(f, f->due, st);
}

static bool send_zc_supported(struct io_uring *ring, struct zc_stats *st)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(ring);
	bool ok = p && io_uring_opcode_supported(p, IORING_OP_SEND_ZC);

	st->calls++;
	io_uring_free_probe(p);
	return ok;
}

int zc_send_io_uring_zc(int file_fd, size_t bytes, int sock, struct zc_stats *st)
{
	struct flight f = { .sock = sock, .most = most_in_flight(st) };
	int r;

	st->calls++;
	if ((r = io_uring_queue_init(ZC_RING_ENTRIES, &f.ring, 0)) < 0)
		return r;
	f.map = zc_map_file(file_fd, bytes, &r);
	st->calls++;
	if (f.map == MAP_FAILED)
		goto out_exit;
	if (!send_zc_supported(&f.ring, st))
		r = -EOPNOTSUPP;
	else
		r = send_all(&f, bytes, st);
	st->copied = zc_copied_from_reports(st);
	munmap((void *)f.map, bytes);
	st->calls++;
out_exit:
	io_uring_queue_exit(&f.ring);
	st->calls++;
	return r;
}
