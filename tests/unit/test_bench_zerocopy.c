// SPDX-License-Identifier: MIT
/*
 * test_bench_zerocopy: every way of sending delivers the file, byte for byte: a receiver
 * written here (recv() and its own FNV-1a) must get exactly the file's size and the hash
 * this test computed while it wrote the file. Both ways of receiving give back exactly what
 * a sender sent, TCP_ZEROCOPY_RECEIVE with the pages mapped (a MSG_ZEROCOPY sender on lo)
 * and without (a plain one), its mapped and copied bytes adding up to the whole. The
 * zero-copy senders say whether the kernel copied (yes or no, never unknown). The suite
 * gives its nine results; with root, sendfile's kernel-counted system calls per MiB are a
 * small fraction of read+write's; with a peer, the peer's own count of bytes matches what
 * was sent and the receive side is left out; stopping returns -EINTR; no path leaves a
 * file in $TMPDIR or a thread behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nic2app/bench.h"
#include "nic2app/peer_proto.h"
#include "nic2app/peer_server.h"
#include "nic2app/syscount.h"
#include "nic2app/zerocopy.h"
#include "under_valgrind.h"

/* not a multiple of a chunk, a batch or a page: every way has a short last piece */
#define FILE_BYTES (6 * 1024 * 1024 + 4097)
#define QUICK_BYTES (64ull << 20)
#define QUICK_RUNS 3

static char tmpdir[64];

/* 64-bit FNV-1a, this test's own */
static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static int threads_now(void)
{
	return count_entries("/proc/self/task");
}

/* $TMPDIR is a directory of this test's own, so nothing left in it can be missed. */
static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_bench_zerocopy.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return setenv("TMPDIR", tmpdir, 1);
}

static int group_teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir); /* fails when something was left in it */
}

/* A file of pseudo-random bytes (xorshift64), already unlinked; its hash into *hash. */
static int own_file(size_t bytes, uint64_t *hash)
{
	char path[128];
	unsigned char buf[4096];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int fd;

	snprintf(path, sizeof(path), "%s/own.XXXXXX", tmpdir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	*hash = FNV_INIT;
	for (size_t off = 0; off < bytes; off += sizeof(buf)) {
		size_t n = bytes - off < sizeof(buf) ? bytes - off : sizeof(buf);

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (unsigned char)(x >> 32);
		}
		assert_int_equal(write(fd, buf, n), (ssize_t)n);
		*hash = fnv(*hash, buf, n);
	}
	return fd;
}

/* This test's own ends: a receiver (recv() until end of file) and a sender (pread+write). */
struct own_end {
	int sock, file_fd;
	size_t bytes;
	uint64_t got, hash;
	pthread_t thread;
};

static void *own_receive(void *arg)
{
	struct own_end *e = arg;
	static __thread unsigned char buf[65536];
	ssize_t n;

	e->hash = FNV_INIT;
	while ((n = recv(e->sock, buf, sizeof(buf), 0)) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0) {
			e->hash = fnv(e->hash, buf, (size_t)n);
			e->got += (uint64_t)n;
		}
	}
	return NULL;
}

static void *own_send(void *arg)
{
	struct own_end *e = arg;
	static __thread unsigned char buf[65536];

	for (size_t off = 0; off < e->bytes;) {
		ssize_t n = pread(e->file_fd, buf, sizeof(buf), (off_t)off);

		if (n <= 0 || send(e->sock, buf, (size_t)n, MSG_NOSIGNAL) != n)
			break;
		off += (size_t)n;
	}
	shutdown(e->sock, SHUT_WR);
	return NULL;
}

static void test_hash_vectors(void **state)
{
	const char *s = "foobar";

	(void)state;
	/* the published FNV-1a 64 vectors */
	assert_true(zerocopy_hash(ZC_HASH_INIT, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(zerocopy_hash(ZC_HASH_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(zerocopy_hash(ZC_HASH_INIT, s, 6) == 0x85944171f73967e8ULL);
	/* in pieces as whole */
	assert_true(zerocopy_hash(zerocopy_hash(ZC_HASH_INIT, s, 2), s + 2, 4) ==
		    fnv(FNV_INIT, (const unsigned char *)s, 6));
}

static void skip_if_missing(const char *what, int r)
{
	if (zerocopy_unsupported(r)) {
		print_message("%s is not available here (%s): skipped\n", what, strerror(-r));
		skip();
	}
}

/* Its io_uring ways would hang under valgrind with io_uring there (under_valgrind.h). */
static void skip_if_uring_would_hang(void)
{
	if (uring_would_hang()) {
		print_message(URING_UNDER_VALGRIND ": skipped\n");
		skip();
	}
}

static void check_send(enum zc_send way)
{
	struct own_end rx = { 0 };
	struct zc_stats st;
	uint64_t hash;
	int fd, sfd, r;

	if (way == ZC_IO_URING || way == ZC_IO_URING_SEND_ZC)
		skip_if_uring_would_hang();
	fd = own_file(FILE_BYTES, &hash);

	assert_int_equal(zerocopy_pair_open(&sfd, &rx.sock), 0);
	assert_int_equal(pthread_create(&rx.thread, NULL, own_receive, &rx), 0);
	r = zerocopy_send_run(way, fd, FILE_BYTES, sfd, &st);
	shutdown(sfd, r < 0 ? SHUT_RDWR : SHUT_WR);
	pthread_join(rx.thread, NULL);
	close(sfd);
	close(rx.sock);
	close(fd);
	skip_if_missing(zerocopy_send_name(way), r);
	assert_int_equal(r, 0);
	/* what arrived, as counted and hashed by the receiver here */
	assert_int_equal(rx.got, FILE_BYTES);
	assert_true(rx.hash == hash);
	assert_int_equal(st.bytes, FILE_BYTES);
	assert_true(st.calls >= 1);
	if (way == ZC_MSG_ZEROCOPY || way == ZC_IO_URING_SEND_ZC) {
		/* lo copies (the machine's known behaviour); no copy is not a failure */
		assert_true(st.copied == BENCH_COPIED_YES || st.copied == BENCH_COPIED_NO);
		assert_true(st.reports > 0 && st.reports_copied <= st.reports);
		print_message("%s: %llu sends reported, %llu copied\n", zerocopy_send_name(way),
			      (unsigned long long)st.reports,
			      (unsigned long long)st.reports_copied);
	}
}

#define SEND_TEST(name, way) static void name(void **state) { (void)state; check_send(way); }
SEND_TEST(test_read_write, ZC_READ_WRITE)
SEND_TEST(test_mmap_write, ZC_MMAP_WRITE)
SEND_TEST(test_sendfile, ZC_SENDFILE)
SEND_TEST(test_splice, ZC_SPLICE)
SEND_TEST(test_io_uring, ZC_IO_URING)
SEND_TEST(test_msg_zerocopy, ZC_MSG_ZEROCOPY)
SEND_TEST(test_send_zc, ZC_IO_URING_SEND_ZC)

/* Receive in way from a sender: the library's MSG_ZEROCOPY one, or this test's own. */
static void check_receive(enum zc_recv way, bool own_sender)
{
	struct zc_thread tx = { .sending = true, .send = ZC_MSG_ZEROCOPY, .bytes = FILE_BYTES };
	struct own_end own = { .bytes = FILE_BYTES };
	struct zc_stats st;
	uint64_t hash;
	int fd = own_file(FILE_BYTES, &hash), rfd, r;

	tx.file_fd = own.file_fd = fd;
	assert_int_equal(zerocopy_pair_open(&tx.sock, &rfd), 0);
	own.sock = tx.sock;
	if (own_sender)
		assert_int_equal(pthread_create(&own.thread, NULL, own_send, &own), 0);
	else
		assert_int_equal(zerocopy_thread_start(&tx), 0);
	r = zerocopy_recv_run(way, rfd, true, &st);
	if (r < 0)
		shutdown(tx.sock, SHUT_RDWR);
	if (own_sender)
		pthread_join(own.thread, NULL);
	else
		assert_int_equal(zerocopy_thread_join(&tx), 0);
	close(tx.sock);
	close(rfd);
	close(fd);
	skip_if_missing(zerocopy_recv_name(way), r);
	assert_int_equal(r, 0);
	assert_int_equal(st.bytes, FILE_BYTES);
	assert_true(st.hash == hash);
	if (way == ZC_TCP_ZEROCOPY_RECEIVE) {
		assert_int_equal(st.mapped_bytes + st.copied_bytes, FILE_BYTES);
		assert_true(st.copied == BENCH_COPIED_YES || st.copied == BENCH_COPIED_NO);
		print_message("%s sender: %.1f%% of the bytes mapped\n",
			      own_sender ? "plain" : "MSG_ZEROCOPY",
			      100.0 * (double)st.mapped_bytes / FILE_BYTES);
	}
}

static void test_recv_copy(void **state)
{
	(void)state;
	check_receive(ZC_RECV_COPY, true);
	check_receive(ZC_RECV_COPY, false);
}

static void test_tcp_zerocopy_receive(void **state)
{
	(void)state;
	check_receive(ZC_TCP_ZEROCOPY_RECEIVE, false);
	check_receive(ZC_TCP_ZEROCOPY_RECEIVE, true);
}

/* The suite's file: the size asked for, gone from $TMPDIR, no two 8-byte words alike in a
 * row (so bytes out of order change what arrives). */
static void test_file_make(void **state)
{
	size_t bytes = 3 * 1024 * 1024 + 5;
	uint64_t *w = malloc(bytes);
	struct stat sb;
	int fd;

	(void)state;
	assert_non_null(w);
	fd = zerocopy_file_make(bytes);
	assert_true(fd >= 0);
	assert_int_equal(count_entries(tmpdir), 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal(sb.st_size, bytes);
	assert_int_equal(pread(fd, w, bytes, 0), (ssize_t)bytes);
	for (size_t i = 1; i < bytes / 8; i++)
		assert_true(w[i] != w[i - 1]);
	close(fd);
	free(w);
}

static const char *const suite_names[] = {
	"zerocopy.read_write", "zerocopy.mmap_write", "zerocopy.sendfile", "zerocopy.splice",
	"zerocopy.io_uring", "zerocopy.msg_zerocopy", "zerocopy.io_uring_send_zc",
	"zerocopy.recv_copy", "zerocopy.tcp_zerocopy_receive",
};

static bool kernel_counts(void)
{
	struct syscount sc;
	pid_t tid = gettid();
	bool ok = syscount_open(&sc, &tid, 1) == 0;

	syscount_close(&sc);
	return ok;
}

/* What every measured result has. NULL when it was not measured (a missing feature). */
static const struct bench_result *check_result(const struct bench_result *res, bool counted)
{
	if (isnan(res->value)) {
		assert_true(strncmp(res->note, "Not measured", 12) == 0);
		print_message("%s: %s\n", res->name, res->note);
		return NULL;
	}
	assert_string_equal(res->unit, "GB/s");
	assert_non_null(res->what);
	assert_true(strlen(res->what) > 20);
	assert_int_equal(res->dist.n, QUICK_RUNS);
	assert_true(res->value == res->dist.p50); /* the median of the runs */
	assert_true(res->dist.min > 0 && res->dist.min <= res->value &&
		    res->value <= res->dist.max && isfinite(res->dist.max));
	assert_true(res->syscalls_per_mib > 0 && isfinite(res->syscalls_per_mib));
	assert_true(res->cpu_s_per_gib > 0 && isfinite(res->cpu_s_per_gib));
	assert_int_equal(res->syscalls_counted, counted);
	print_message("%-30s %6.2f GB/s  %8.3f calls/MiB  %6.3f CPU s/GiB  copied %d\n",
		      res->name, res->value, res->syscalls_per_mib, res->cpu_s_per_gib,
		      res->copied);
	return res;
}

static void check_copied(const struct bench_result *res, int i)
{
	if (i == 0 || i == 7) /* read_write, recv_copy: plain copies */
		assert_int_equal(res->copied, BENCH_COPIED_YES);
	else if (i == 5 || i == 6) /* the kernel's notifications say */
		assert_true(res->copied == BENCH_COPIED_YES || res->copied == BENCH_COPIED_NO);
	else if (i == 8) /* the mapping says */
		assert_true(strstr(res->note, "mapped") || strstr(res->note, "did not happen"));
	else
		assert_int_equal(res->copied, BENCH_COPIED_UNKNOWN);
	if ((i == 5 || i == 6) && res->copied == BENCH_COPIED_YES)
		assert_non_null(strstr(res->note, "copied anyway"));
}

static void test_suite_quick(void **state)
{
	struct bench_opts o = { .quick = true };
	struct bench_results r = { 0 };
	const struct bench_result *rw, *sf;
	bool counted = kernel_counts();
	int threads = threads_now();
	cpu_set_t before, after;

	(void)state;
	skip_if_uring_would_hang();
	assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
	assert_int_equal(bench_zerocopy(&o, &r), 0);
	/* the ends were pinned for the suite only */
	assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
	assert_true(CPU_EQUAL(&before, &after));
	assert_int_equal(r.n, 9);
	for (size_t i = 0; i < r.n; i++) {
		assert_string_equal(r.v[i].name, suite_names[i]);
		if (check_result(&r.v[i], counted))
			check_copied(&r.v[i], (int)i);
	}
	/* each pread() and write() moves 256 KiB at most: 8 calls a MiB at the least */
	rw = &r.v[0];
	sf = &r.v[2];
	assert_true(rw->syscalls_per_mib >= 8);
	/* sendfile is given the rest of the file: one call, or a few, per run */
	assert_true(sf->syscalls_per_mib * 20 < rw->syscalls_per_mib);
	if (!counted)
		print_message("system calls counted by the loops (the kernel's needs root)\n");
	assert_int_equal(count_entries(tmpdir), 0);
	assert_int_equal(threads_now(), threads);
	bench_results_release(&r);
}

struct server {
	struct peer_server s;
	volatile sig_atomic_t stop;
	pthread_t thread;
	int err;
};

static void *serve(void *arg)
{
	struct server *sv = arg;

	sv->err = peer_server_run(&sv->s);
	return NULL;
}

/* Against a `nic2app serve` of our own: the sink's count is the ground truth. */
static void test_suite_peer(void **state)
{
	struct server sv = { .stop = 0 };
	struct peer_server_config c = { 0 };
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct bench_opts o = { .quick = true, .peer = &peer };
	struct bench_results r = { 0 };
	uint64_t expected = 0;
	char addr[32];

	(void)state;
	skip_if_uring_would_hang();
	assert_int_equal(peer_addr_parse("127.0.0.1:0", "127.0.0.1", &c.addr, &c.addr_len), 0);
	c.stop = &sv.stop;
	assert_int_equal(peer_server_open(&sv.s, &c), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", peer_server_port(&sv.s));
	assert_int_equal(peer_addr_parse(addr, "127.0.0.1", &peer, &peer_len), 0);
	o.peer_len = peer_len;
	assert_int_equal(pthread_create(&sv.thread, NULL, serve, &sv), 0);
	assert_int_equal(bench_zerocopy(&o, &r), 0);
	sv.stop = 1;
	pthread_join(sv.thread, NULL);
	assert_int_equal(sv.err, 0);
	assert_int_equal(r.n, 7); /* no receive side */
	for (size_t i = 0; i < r.n; i++)
		assert_string_equal(r.v[i].name, suite_names[i]);
	/* every run of every way reached the sink whole (a way missing here sends nothing) */
	for (size_t i = 0; i < r.n; i++)
		if (!isnan(r.v[i].value))
			expected += QUICK_RUNS * QUICK_BYTES;
	assert_true(expected >= 5 * QUICK_RUNS * QUICK_BYTES); /* the classic ways at least */
	assert_int_equal(sv.s.stats.bytes_sunk, expected);
	assert_int_equal(sv.s.stats.rejected, 0);
	peer_server_close(&sv.s);
	assert_int_equal(count_entries(tmpdir), 0);
	bench_results_release(&r);
}

struct stop_at {
	volatile sig_atomic_t *stop;
	const char *at;
};

static void stop_when(void *ctx, const char *what)
{
	struct stop_at *s = ctx;

	if (strcmp(what, s->at) == 0)
		*s->stop = 1;
}

static void test_stop(void **state)
{
	volatile sig_atomic_t stop = 1;
	struct stop_at at = { .stop = &stop, .at = "zerocopy: sendfile" };
	struct bench_opts o = { .quick = true, .stop = &stop };
	struct bench_results r = { 0 };
	int threads = threads_now();

	(void)state;
	/* before it starts */
	assert_int_equal(bench_zerocopy(&o, &r), -EINTR);
	assert_int_equal(r.n, 0);
	/* between runs: the ways before sendfile are done, sendfile never starts */
	stop = 0;
	o.progress = stop_when;
	o.progress_ctx = &at;
	assert_int_equal(bench_zerocopy(&o, &r), -EINTR);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[1].name, "zerocopy.mmap_write");
	assert_int_equal(count_entries(tmpdir), 0);
	assert_int_equal(threads_now(), threads);
	bench_results_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_mmap_write),
		cmocka_unit_test(test_sendfile),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_io_uring),
		cmocka_unit_test(test_msg_zerocopy),
		cmocka_unit_test(test_send_zc),
		cmocka_unit_test(test_recv_copy),
		cmocka_unit_test(test_tcp_zerocopy_receive),
		cmocka_unit_test(test_file_make),
		cmocka_unit_test(test_suite_quick),
		cmocka_unit_test(test_suite_peer),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
