// SPDX-License-Identifier: MIT
/*
 * zerocopy_common: what every way of sending or receiving shares: the names, the hash of the
 * delivered bytes, the write loop, the file's mapping and the verdict of the kernel's
 * zero-copy reports. The ways (zerocopy_send, _msg, _send_zc, _uring, _recv) call these.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nic2app/bench.h"
#include "zerocopy_int.h"

#define FNV_PRIME 0x100000001b3ULL

uint64_t zerocopy_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

static const char *const send_names[ZC_SEND_COUNT] = {
	[ZC_READ_WRITE] = "read_write",
	[ZC_MMAP_WRITE] = "mmap_write",
	[ZC_SENDFILE] = "sendfile",
	[ZC_SPLICE] = "splice",
	[ZC_IO_URING] = "io_uring",
	[ZC_MSG_ZEROCOPY] = "msg_zerocopy",
	[ZC_IO_URING_SEND_ZC] = "io_uring_send_zc",
};

const char *zerocopy_send_name(enum zc_send t)
{
	return (unsigned)t < ZC_SEND_COUNT ? send_names[t] : "unknown";
}

const char *zerocopy_recv_name(enum zc_recv t)
{
	switch (t) {
	case ZC_RECV_COPY:
		return "recv_copy";
	case ZC_TCP_ZEROCOPY_RECEIVE:
		return "tcp_zerocopy_receive";
	default:
		return "unknown";
	}
}

bool zerocopy_unsupported(int err)
{
	return err == -ENOSYS || err == -EPERM || err == -EOPNOTSUPP || err == -ENOPROTOOPT;
}

int zc_copied_from_reports(const struct zc_stats *st)
{
	if (!st->reports)
		return BENCH_COPIED_UNKNOWN;
	return st->reports_copied ? BENCH_COPIED_YES : BENCH_COPIED_NO;
}

int zc_write_all(int sock, const unsigned char *buf, size_t len, struct zc_stats *st)
{
	while (len) {
		ssize_t n = write(sock, buf, len);

		st->calls++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
		st->bytes += (uint64_t)n;
	}
	return 0;
}

void *zc_map_file(int fd, size_t bytes, int *err)
{
	void *map = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);

	*err = map == MAP_FAILED ? -errno : 0;
	return map;
}
