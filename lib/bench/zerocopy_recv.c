// SPDX-License-Identifier: MIT
/*
 * zerocopy_recv: the two ways of receiving. recv() copies from the socket's buffers into
 * ours. TCP_ZEROCOPY_RECEIVE (linux/tcp.h) maps them instead: the socket is mmap()ed, which
 * only reserves address space, and each getsockopt(TCP_ZEROCOPY_RECEIVE) puts there the
 * received pages that are whole, page-aligned pages, saying how many bytes it mapped
 * (length). What is not whole pages (the tail of a segment whose payload is not a multiple
 * of the page size, or pages the sender's path filled some other way) is copied: up to a
 * page straight into the copybuf given with the call, the rest by a recv() of the
 * recv_skip_hint bytes it names. Mapped and copied bytes are counted apart: that is the
 * report of whether the mapping happened. The data is not read unless asked to hash it.
 */
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/bench.h"
#include "zerocopy_int.h"

/* valgrind's memcheck cannot know the kernel wrote the copybuf (its address is inside the
 * option's struct): say so, where its header is installed (a no-op outside valgrind) */
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#endif

#define MAP_BYTES (1024 * 1024) /* at most this much is mapped per call */
#define WAIT_MS 10000           /* no byte for this long ends the run */
#define ZC_END 2                /* the peer has finished and nothing is left */

static void take(const void *p, size_t n, bool hash, struct zc_stats *st)
{
	if (hash)
		st->hash = zerocopy_hash(st->hash, p, n);
	st->bytes += n;
}

/* One recv() into buf: ZC_END at the end of the stream, else 0 or -errno. */
static int recv_some(int sock, unsigned char *buf, size_t size, bool hash, size_t *got,
		     struct zc_stats *st)
{
	ssize_t n = recv(sock, buf, size, 0);

	st->calls++;
	*got = n > 0 ? (size_t)n : 0;
	if (n > 0)
		take(buf, (size_t)n, hash, st);
	if (n < 0)
		return errno == EINTR ? 0 : errno == EAGAIN ? -ETIMEDOUT : -errno;
	return n == 0 ? ZC_END : 0;
}

static int recv_copy(int sock, bool hash, struct zc_stats *st)
{
	unsigned char *buf = malloc(ZC_CHUNK_BYTES);
	size_t got;
	int r;

	if (!buf)
		return -ENOMEM;
	st->copied = BENCH_COPIED_YES; /* by construction */
	while ((r = recv_some(sock, buf, ZC_CHUNK_BYTES, hash, &got, st)) == 0)
		;
	free(buf);
	return r == ZC_END ? 0 : r;
}

/* One getsockopt(TCP_ZEROCOPY_RECEIVE): 1 when bytes came, 0 when none were there yet,
 * ZC_END, or -errno. *skip: bytes that must be read by a copy before the next call. */
static int zc_receive_once(int sock, unsigned char *area, unsigned char *copybuf,
			   size_t copybuf_len, bool hash, uint32_t *skip, struct zc_stats *st)
{
	struct tcp_zerocopy_receive zc = {
		.address = (uintptr_t)area,
		.length = MAP_BYTES,
		.copybuf_address = (uintptr_t)copybuf,
		.copybuf_len = (int32_t)copybuf_len,
	};
	socklen_t len = sizeof(zc);

	st->calls++;
	if (getsockopt(sock, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &len) < 0)
		/* EIO: the queue is empty and the peer has shut its side down */
		return errno == EIO ? ZC_END : errno == EINTR ? 0 : -errno;
	if (zc.err)
		return -zc.err;
	if (zc.copybuf_len < 0)
		return zc.copybuf_len;
	(void)VALGRIND_MAKE_MEM_DEFINED(copybuf, (size_t)zc.copybuf_len);
	/* in stream order: the mapped pages, then what was copied after them */
	take(area, zc.length, hash, st);
	st->mapped_bytes += zc.length;
	take(copybuf, (size_t)zc.copybuf_len, hash, st);
	st->copied_bytes += (uint64_t)zc.copybuf_len;
	*skip = zc.recv_skip_hint;
	return zc.length || zc.copybuf_len;
}

/* Nothing was waiting: until something is, or the end. */
static int wait_readable(int sock, struct zc_stats *st)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	int n = poll(&p, 1, WAIT_MS);

	st->calls++;
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

static int zc_receive_loop(int sock, unsigned char *area, unsigned char *buf, bool hash,
			   struct zc_stats *st)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), got;
	int r;

	for (;;) {
		uint32_t skip = 0;

		r = zc_receive_once(sock, area, buf, page, hash, &skip, st);
		if (r < 0 || r == ZC_END)
			return r == ZC_END ? 0 : r;
		if (skip) {
			/* a copy the mapping could not avoid */
			r = recv_some(sock, buf, skip < ZC_CHUNK_BYTES ? skip : ZC_CHUNK_BYTES,
				      hash, &got, st);
			st->copied_bytes += got;
			if (r < 0 || r == ZC_END)
				return r == ZC_END ? 0 : r;
		} else if (r == 0 && (r = wait_readable(sock, st)) < 0) {
			return r;
		}
	}
}

int zc_recv_tcp_zerocopy(int sock, bool hash, struct zc_stats *st)
{
	unsigned char *buf = malloc(ZC_CHUNK_BYTES), *area;
	int r;

	if (!buf)
		return -ENOMEM;
	area = mmap(NULL, MAP_BYTES, PROT_READ, MAP_SHARED, sock, 0);
	st->calls++;
	if (area == MAP_FAILED) {
		/* ENODEV: a kernel whose TCP sockets cannot be mapped */
		r = errno == ENODEV ? -EOPNOTSUPP : -errno;
		free(buf);
		return r;
	}
	r = zc_receive_loop(sock, area, buf, hash, st);
	munmap(area, MAP_BYTES);
	st->calls++;
	free(buf);
	if (st->bytes)
		st->copied = st->mapped_bytes * 2 >= st->bytes ? BENCH_COPIED_NO : BENCH_COPIED_YES;
	return r;
}

int zerocopy_recv_run(enum zc_recv t, int sock, bool hash, struct zc_stats *st)
{
	*st = (struct zc_stats){ .hash = ZC_HASH_INIT, .copied = BENCH_COPIED_UNKNOWN };
	switch (t) {
	case ZC_RECV_COPY:
		return recv_copy(sock, hash, st);
	case ZC_TCP_ZEROCOPY_RECEIVE:
		return zc_recv_tcp_zerocopy(sock, hash, st);
	default:
		return -EINVAL;
	}
}
