// SPDX-License-Identifier: MIT
/*
 * zerocopy_send: the four ways of sending a file that need nothing but classic system
 * calls (read+write, mmap+write, sendfile, splice), and the table that picks a way. Every
 * loop counts its own system calls, so a run without root can still say how many there
 * were by design. Each call moves at most ZC_CHUNK_BYTES, except sendfile, which is given
 * the rest of the file and loops inside the kernel: that is the point of it. What every
 * way shares (names, hashing, the write loop, the file mapping) is in zerocopy_common.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "nic2app/bench.h"
#include "zerocopy_int.h"

/* Two copies: page cache -> buffer (read), buffer -> socket buffer (write). */
static int send_read_write(int file_fd, size_t bytes, int sock, struct zc_stats *st)
{
	unsigned char *buf = malloc(ZC_CHUNK_BYTES);
	size_t off = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (off < bytes && r == 0) {
		ssize_t n = pread(file_fd, buf, zc_chunk(bytes - off), (off_t)off);

		st->calls++;
		if (n <= 0) {
			r = n == 0 ? -EIO : errno == EINTR ? 0 : -errno;
			continue;
		}
		r = zc_write_all(sock, buf, (size_t)n, st);
		off += (size_t)n;
	}
	free(buf);
	return r;
}

/* One copy: the mapped page cache -> socket buffer; the pages come in by page faults. */
static int send_mmap_write(int file_fd, size_t bytes, int sock, struct zc_stats *st)
{
	int r;
	unsigned char *map = zc_map_file(file_fd, bytes, &r);

	st->calls++;
	if (map == MAP_FAILED)
		return r;
	for (size_t off = 0; off < bytes && r == 0; off += zc_chunk(bytes - off))
		r = zc_write_all(sock, map + off, zc_chunk(bytes - off), st);
	munmap(map, bytes);
	st->calls++;
	return r;
}

static int send_sendfile(int file_fd, size_t bytes, int sock, struct zc_stats *st)
{
	off_t off = 0;

	while ((size_t)off < bytes) {
		ssize_t n = sendfile(sock, file_fd, &off, bytes - (size_t)off);

		st->calls++;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -EIO; /* the file is shorter than it was */
		if (n > 0)
			st->bytes += (uint64_t)n;
	}
	return 0;
}

/* What sits in the pipe goes on to the socket: page references move, not bytes. */
static int drain_pipe(int pipe_rd, size_t len, int sock, struct zc_stats *st)
{
	while (len) {
		ssize_t n = splice(pipe_rd, NULL, sock, NULL, len, SPLICE_F_MOVE | SPLICE_F_MORE);

		st->calls++;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -EIO;
		if (n > 0) {
			len -= (size_t)n;
			st->bytes += (uint64_t)n;
		}
	}
	return 0;
}

static int send_splice(int file_fd, size_t bytes, int sock, struct zc_stats *st)
{
	int p[2], r = 0, size;
	loff_t off = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	/* a pipe as big as the others' chunk (the default is 64 KiB) */
	size = fcntl(p[1], F_SETPIPE_SZ, ZC_CHUNK_BYTES);
	st->calls += 2;
	if (size < 0) {
		size = fcntl(p[1], F_GETPIPE_SZ);
		st->calls++;
	}
	if (size <= 0)
		r = size < 0 ? -errno : -EIO;
	while (r == 0 && (size_t)off < bytes) {
		size_t left = bytes - (size_t)off, want = left < (size_t)size ? left : (size_t)size;
		ssize_t n = splice(file_fd, &off, p[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_MORE);

		st->calls++;
		if (n <= 0)
			r = n == 0 ? -EIO : errno == EINTR ? 0 : -errno;
		else
			r = drain_pipe(p[0], (size_t)n, sock, st);
	}
	close(p[0]);
	close(p[1]);
	st->calls += 2;
	return r;
}

int zerocopy_send_run(enum zc_send t, int file_fd, size_t bytes, int sock,
		      struct zc_stats *st)
{
	*st = (struct zc_stats){ .hash = ZC_HASH_INIT, .copied = BENCH_COPIED_UNKNOWN };
	if (bytes == 0)
		return 0;
	switch (t) {
	case ZC_READ_WRITE:
		st->copied = BENCH_COPIED_YES; /* by construction, twice */
		return send_read_write(file_fd, bytes, sock, st);
	case ZC_MMAP_WRITE:
		return send_mmap_write(file_fd, bytes, sock, st);
	case ZC_SENDFILE:
		return send_sendfile(file_fd, bytes, sock, st);
	case ZC_SPLICE:
		return send_splice(file_fd, bytes, sock, st);
	case ZC_IO_URING:
		return zc_send_io_uring(file_fd, bytes, sock, st);
	case ZC_MSG_ZEROCOPY:
		return zc_send_msg_zerocopy(file_fd, bytes, sock, st);
	case ZC_IO_URING_SEND_ZC:
		return zc_send_io_uring_zc(file_fd, bytes, sock, st);
	default:
		return -EINVAL;
	}
}
