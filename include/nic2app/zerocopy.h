/* SPDX-License-Identifier: MIT */
/*
 * zerocopy: one file sent over one TCP connection in seven ways, and received in two, as
 * the pieces of `nic2app bench zerocopy` (bench.h), usable on their own: the tests send a
 * few MiB with them and check what arrived. Each way reports what the kernel says about
 * copying: MSG_ZEROCOPY and io_uring's send_zc through their notifications, and
 * TCP_ZEROCOPY_RECEIVE by how much it mapped rather than copied.
 */
#ifndef NIC2APP_ZEROCOPY_H
#define NIC2APP_ZEROCOPY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most one call moves (sendfile excepted: it is given the rest of the file). */
#define ZC_CHUNK_BYTES (256 * 1024)

enum zc_send {
	ZC_READ_WRITE,       /* read() into a buffer, write() it to the socket */
	ZC_MMAP_WRITE,       /* write() from a mapping of the file */
	ZC_SENDFILE,         /* sendfile(): file to socket inside the kernel */
	ZC_SPLICE,           /* splice() file -> pipe -> socket */
	ZC_IO_URING,         /* io_uring: linked read and send, several pairs per enter */
	ZC_MSG_ZEROCOPY,     /* send(MSG_ZEROCOPY) from a mapping, errqueue notifications */
	ZC_IO_URING_SEND_ZC, /* io_uring send_zc from a mapping, notification CQEs */
	ZC_SEND_COUNT
};

enum zc_recv {
	ZC_RECV_COPY,            /* recv() into a buffer */
	ZC_TCP_ZEROCOPY_RECEIVE, /* mmap() of the socket, getsockopt(TCP_ZEROCOPY_RECEIVE) */
	ZC_RECV_COUNT
};

struct zc_stats {
	uint64_t bytes;          /* moved */
	uint64_t calls;          /* the system calls the loop made, by its own count */
	uint64_t reports;        /* sends the kernel has reported on (zero-copy senders) */
	uint64_t reports_copied; /* of which it says it copied anyway */
	uint64_t mapped_bytes;   /* TCP_ZEROCOPY_RECEIVE: bytes that arrived as mapped pages */
	uint64_t copied_bytes;   /* TCP_ZEROCOPY_RECEIVE: bytes copied (recv_skip_hint, copybuf) */
	uint64_t hash;           /* zerocopy_hash() of what arrived, when asked */
	/* enum bench_copied (bench.h): read_write and recv_copy YES by construction; the
	 * zero-copy senders YES when any report said copied, NO when none did; the mapping
	 * receiver NO when at least half the bytes came mapped; otherwise UNKNOWN */
	int copied;
};

#define ZC_HASH_INIT 0xcbf29ce484222325ULL

/* 64-bit FNV-1a, continued from h: pieces in order give the hash of the whole. */
uint64_t zerocopy_hash(uint64_t h, const void *p, size_t n);
/* "read_write", "sendfile", ...; "recv_copy", "tcp_zerocopy_receive" (the result names). */
const char *zerocopy_send_name(enum zc_send t);
const char *zerocopy_recv_name(enum zc_recv t);

/*
 * Send the first bytes of file_fd on the connected stream socket sock, in way t, then wait
 * for the kernel's last zero-copy report. The socket is not shut down. 0 or -errno:
 * -ENOSYS, -EPERM, -EOPNOTSUPP or -ENOPROTOOPT when this kernel (or its settings) lacks
 * the way. st is zeroed first.
 */
int zerocopy_send_run(enum zc_send t, int file_fd, size_t bytes, int sock,
		      struct zc_stats *st);
/* Receive on sock in way t until the peer's end of file; hash: fill st->hash. */
int zerocopy_recv_run(enum zc_recv t, int sock, bool hash, struct zc_stats *st);

/* Whether err (from a run) means the way is missing here, not that it failed. */
bool zerocopy_unsupported(int err);

/* A file of bytes in $TMPDIR (or /tmp), already unlinked, filled with a pattern that
 * differs at every 8 bytes. The fd, or -errno. */
int zerocopy_file_make(size_t bytes);
/* Both ends of a new TCP connection on 127.0.0.1 (an ephemeral port). */
int zerocopy_pair_open(int *send_fd, int *recv_fd);

/* One end in a thread of its own: sending (the file in way send, then shutdown(SHUT_WR))
 * or receiving (in way recv until end of file), pinned to a CPU if asked. SIGINT, SIGTERM
 * and SIGPIPE are blocked in it. Fill the inputs, start, join; the outputs are valid after
 * the join. */
struct zc_thread {
	bool sending;
	enum zc_send send;
	enum zc_recv recv;
	int sock;
	int file_fd;              /* sending: the file */
	size_t bytes;             /* sending: how much of it */
	bool hash;                /* receiving: hash what arrives */
	bool pin;                 /* run on cpu only */
	int cpu;
	/* out */
	struct zc_stats st;
	int err;                  /* -errno the run ended with */
	uint64_t done_ns;         /* CLOCK_MONOTONIC when the run ended */
	/* private */
	pthread_t thread;
};

int zerocopy_thread_start(struct zc_thread *t);
/* Wait for the thread; its err. */
int zerocopy_thread_join(struct zc_thread *t);

#endif
