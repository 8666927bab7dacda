// SPDX-License-Identifier: MIT
/*
 * bench_zerocopy_run: one run of the zerocopy suite. Each run has a new connection, so
 * each starts from the same state (MSG_ZEROCOPY's numbering, buffer autotuning), and the
 * far end in a thread of its own (or the peer). Around the way: the wall time, the
 * process's CPU time (getrusage: every thread, both ends when local) and the system calls
 * the kernel counted for this thread while it did the way. Every byte is accounted for:
 * a run whose receiver did not get exactly the file's size fails with -EIO.
 */
#include <errno.h>
#include <math.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/peer_proto.h"
#include "bench_zerocopy_int.h"

#define PEER_TIMEOUT_S 10

struct meter {
	uint64_t t0;
	double cpu0;
	uint64_t k0;
};

static double process_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return NAN;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void meter_start(struct meter *m)
{
	m->cpu0 = process_cpu_s();
	m->t0 = monotonic_ns();
}

/* The kernel's count from here on (the span is timed already: the read takes time). */
static void calls_start(struct zc_bench *b, struct meter *m)
{
	m->k0 = 0;
	if (b->counted)
		syscount_read(&b->sc, &m->k0);
}

/* The calls since calls_start, less `extra` made on the way out that are not the way's. */
static void calls_end(struct zc_bench *b, const struct meter *m, uint64_t extra,
		      struct zc_run *run)
{
	uint64_t k1, n;

	run->kernel_calls = 0;
	if (b->counted && syscount_read(&b->sc, &k1) == 0) {
		n = syscount_between(&b->sc, m->k0, k1);
		run->kernel_calls = n > extra ? n - extra : 0;
	}
}

static void meter_end(const struct meter *m, uint64_t end_ns, struct zc_run *run)
{
	run->ns = end_ns > m->t0 ? end_ns - m->t0 : 1;
	run->cpu_s = process_cpu_s() - m->cpu0;
}

int zc_bench_send_run(struct zc_bench *b, enum zc_send way, struct zc_run *run)
{
	struct zc_thread rx = { .sending = false, .recv = ZC_RECV_COPY, .pin = b->pinned,
				.cpu = b->cpu[1] };
	struct meter m;
	int sfd, r, rr;

	if ((r = zerocopy_pair_open(&sfd, &rx.sock)) < 0)
		return r;
	if ((r = zerocopy_thread_start(&rx)) < 0)
		goto out_close;
	meter_start(&m);
	calls_start(b, &m);
	r = zerocopy_send_run(way, b->file_fd, b->bytes, sfd, &run->st);
	/* the receiver's end of file; after a failure, its wake-up */
	shutdown(sfd, r < 0 ? SHUT_RDWR : SHUT_WR);
	calls_end(b, &m, 1, run); /* less the shutdown() */
	rr = zerocopy_thread_join(&rx);
	meter_end(&m, rx.done_ns, run);
	if (r == 0)
		r = rr;
	if (r == 0 && (run->st.bytes != b->bytes || rx.st.bytes != b->bytes))
		r = -EIO;
out_close:
	close(sfd);
	close(rx.sock);
	return r;
}

/* A connection to the peer, in sink mode; sends and receives time out. */
static int peer_connect(const struct bench_opts *o, int *fd)
{
	struct timeval tv = { .tv_sec = PEER_TIMEOUT_S };
	unsigned char hello[PEER_HELLO_LEN];
	int s, r;

	if ((s = socket(o->peer->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	peer_hello_build(PEER_SINK, hello);
	if (setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(s, (const struct sockaddr *)o->peer, o->peer_len) < 0 ||
	    send(s, hello, sizeof(hello), MSG_NOSIGNAL) != (ssize_t)sizeof(hello)) {
		r = errno == EINPROGRESS || errno == EAGAIN ? -ETIMEDOUT : -errno;
		close(s);
		return r;
	}
	*fd = s;
	return 0;
}

/* The sink's answer: the 8-byte big-endian count of what it received. */
static int peer_count(int fd, uint64_t *count)
{
	unsigned char be[8];
	ssize_t n;

	do
		n = recv(fd, be, sizeof(be), MSG_WAITALL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (n != (ssize_t)sizeof(be))
		return -EPROTO;
	*count = 0;
	for (size_t i = 0; i < sizeof(be); i++)
		*count = *count << 8 | be[i];
	return 0;
}

int zc_bench_peer_run(struct zc_bench *b, enum zc_send way, struct zc_run *run)
{
	struct meter m;
	uint64_t count = 0;
	int fd = -1, r;

	if ((r = peer_connect(b->o, &fd)) < 0)
		return r;
	meter_start(&m);
	calls_start(b, &m);
	r = zerocopy_send_run(way, b->file_fd, b->bytes, fd, &run->st);
	shutdown(fd, SHUT_WR);
	calls_end(b, &m, 1, run);
	if (r == 0)
		r = peer_count(fd, &count);
	meter_end(&m, monotonic_ns(), run);
	close(fd);
	if (r == -EAGAIN)
		r = -ETIMEDOUT; /* SO_SNDTIMEO: the peer stopped reading */
	if (r == 0 && (run->st.bytes != b->bytes || count != b->bytes))
		r = -EIO;
	return r;
}

int zc_bench_recv_run(struct zc_bench *b, enum zc_recv way, struct zc_run *run)
{
	struct zc_thread tx = { .sending = true, .send = ZC_MSG_ZEROCOPY, .file_fd = b->file_fd,
				.bytes = b->bytes, .pin = b->pinned, .cpu = b->cpu[1] };
	struct meter m;
	int rfd, r, rr;

	if ((r = zerocopy_pair_open(&tx.sock, &rfd)) < 0)
		return r;
	meter_start(&m);
	if ((r = zerocopy_thread_start(&tx)) < 0)
		goto out_close;
	calls_start(b, &m);
	r = zerocopy_recv_run(way, rfd, false, &run->st);
	meter_end(&m, monotonic_ns(), run);
	calls_end(b, &m, 0, run);
	if (r < 0) {
		/* wakes a sender blocked on a full socket */
		shutdown(tx.sock, SHUT_RDWR);
		shutdown(rfd, SHUT_RDWR);
	}
	rr = zerocopy_thread_join(&tx);
	/* the sender's CPU until its end: it waited for its last report before shutting down */
	run->cpu_s = process_cpu_s() - m.cpu0;
	if (r == 0)
		r = rr;
	if (r == 0 && (run->st.bytes != b->bytes || tx.st.bytes != b->bytes))
		r = -EIO;
out_close:
	close(tx.sock);
	close(rfd);
	return r;
}
