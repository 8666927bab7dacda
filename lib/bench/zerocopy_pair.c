// SPDX-License-Identifier: MIT
/*
 * zerocopy_pair: what a zerocopy run stands on: the file (unlinked as soon as it is made,
 * so no path of any run, failed or interrupted, leaves it behind), a loopback TCP
 * connection, and a thread for the far end. The thread blocks SIGINT and SIGTERM, so they
 * reach the caller's thread, and SIGPIPE, so a connection that goes away is an error
 * (EPIPE) rather than the end of the process.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/cpu_place.h"
#include "zerocopy_int.h"

#define FILL_BYTES (1024 * 1024)

/* splitmix64's finaliser: every 8-byte word of the file differs from its neighbours, so
 * bytes out of order or repeated change the hash. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int fill(int fd, size_t bytes)
{
	uint64_t *words = malloc(FILL_BYTES);
	int r = 0;

	if (!words)
		return -ENOMEM;
	for (size_t off = 0; off < bytes && r == 0;) {
		size_t n = bytes - off < FILL_BYTES ? bytes - off : FILL_BYTES;
		ssize_t w;

		for (size_t i = 0; i < (n + 7) / 8; i++)
			words[i] = mix(off / 8 + i);
		w = pwrite(fd, words, n, (off_t)off);
		if (w > 0)
			off += (size_t)w;
		else if (w == 0 || errno != EINTR)
			r = w == 0 ? -EIO : -errno;
	}
	free(words);
	return r;
}

int zerocopy_file_make(size_t bytes)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd, r;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/nic2app-zerocopy-XXXXXX", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* gone from the directory at once; the data lives while fd is open */
	r = unlink(path) < 0 ? -errno : fill(fd, bytes);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int zerocopy_pair_open(int *send_fd, int *recv_fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int lfd, cfd, afd = -1, r = 0;

	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if ((cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &len) < 0 || listen(lfd, 1) < 0 ||
	    connect(cfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		r = -errno;
		if (cfd >= 0)
			close(cfd);
	}
	close(lfd);
	if (r < 0)
		return r;
	*send_fd = cfd;
	*recv_fd = afd;
	return 0;
}

static void *thread_main(void *arg)
{
	struct zc_thread *t = arg;
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	if (t->pin && (t->err = cpu_place_pin(0, t->cpu, NULL)) < 0)
		goto out;
	if (t->sending) {
		t->err = zerocopy_send_run(t->send, t->file_fd, t->bytes, t->sock, &t->st);
		/* the receiver's end of file, after a failure as after success */
		shutdown(t->sock, SHUT_WR);
	} else {
		t->err = zerocopy_recv_run(t->recv, t->sock, t->hash, &t->st);
	}
out:
	t->done_ns = monotonic_ns();
	return NULL;
}

int zerocopy_thread_start(struct zc_thread *t)
{
	t->err = 0;
	t->done_ns = 0;
	return -pthread_create(&t->thread, NULL, thread_main, t);
}

int zerocopy_thread_join(struct zc_thread *t)
{
	pthread_join(t->thread, NULL);
	return t->err;
}
