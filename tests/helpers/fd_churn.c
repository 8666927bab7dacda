// SPDX-License-Identifier: MIT
/*
 * fd_churn: ground truth for exact fd events (`nic2app fds --events` from system calls). It
 * prints {"pid":N}, then runs one command a line from stdin and answers one JSON line with
 * what it did, as its own system calls saw it (fd numbers, inodes from fstat):
 *   openclose N        N open+close pairs of a file, back to back (well under 1 ms for 100)
 *   pipe | socketpair  a pipe or a unix socket pair, left open
 *   dup2               a file at fd A, then dup2(a pipe's read end, A): A is replaced
 *   close_range        three files, then close_range() of them (no close() call)
 *   rate R S           R open+close pairs a second for S seconds, paced every millisecond
 *   bench N            N open+close pairs, timed: wall and CPU ns per pair
 *   kinds              one fd of each kind, each closed at once: [{kind, type, fd, inode}]
 *   threads N          one thread opens N fds, another closes each as it comes: numbers are
 *                      reused across threads at once (a close's number, another's new fd)
 *   exit               (EOF, SIGINT and SIGTERM too)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static const char *target = "/etc/hostname"; /* any file that exists */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned long long ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

static int cmd_openclose(long n)
{
	int *fds = malloc((size_t)n * sizeof(int));
	unsigned long long *inos = malloc((size_t)n * sizeof(*inos));
	uint64_t t0 = now_ns(), t1;

	if (!fds || !inos)
		return -ENOMEM;
	for (long i = 0; i < n; i++) {
		fds[i] = open(target, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return -errno;
		inos[i] = ino_of(fds[i]);
		close(fds[i]);
	}
	t1 = now_ns();
	printf("{\"elapsed_ns\":%llu,\"fds\":[", (unsigned long long)(t1 - t0));
	for (long i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", fds[i]);
	printf("],\"inodes\":[");
	for (long i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", inos[i]);
	printf("]}\n");
	free(fds);
	free(inos);
	return 0;
}

static int cmd_pair(bool sockets)
{
	int fds[2];

	if ((sockets ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds)) < 0)
		return -errno;
	printf("{\"fds\":[%d,%d],\"inodes\":[%llu,%llu]}\n", fds[0], fds[1], ino_of(fds[0]),
	       ino_of(fds[1]));
	return 0;
}

static int cmd_dup2(void)
{
	int a = open(target, O_RDONLY), p[2];
	unsigned long long before;

	if (a < 0 || pipe(p) < 0)
		return -errno;
	before = ino_of(a);
	if (dup2(p[0], a) < 0)
		return -errno;
	printf("{\"fd\":%d,\"from\":%d,\"inode_before\":%llu,\"inode_after\":%llu,\"pipe\":[%d,%d]}\n",
	       a, p[0], before, ino_of(a), p[0], p[1]);
	return 0;
}

static int cmd_close_range(void)
{
	int fds[3];

	for (int i = 0; i < 3; i++)
		if ((fds[i] = open(target, O_RDONLY)) < 0)
			return -errno;
	if (fds[2] != fds[0] + 2)
		return -EBUSY; /* not consecutive: a range would close others */
	/* let the watcher read them first, so the close is of fds it knows */
	usleep(300000);
	if (syscall(SYS_close_range, (unsigned int)fds[0], (unsigned int)fds[2], 0) < 0)
		return -errno;
	printf("{\"fds\":[%d,%d,%d]}\n", fds[0], fds[1], fds[2]);
	return 0;
}

static int cmd_rate(long per_s, double secs)
{
	uint64_t start = now_ns(), end = start + (uint64_t)(secs * 1e9);
	long done = 0;

	for (uint64_t tick = start; tick < end; tick += 1000000) {
		long want = (long)((double)(tick - start + 1000000) * (double)per_s / 1e9);

		while (done < want) {
			int fd = open(target, O_RDONLY | O_CLOEXEC);

			if (fd < 0)
				return -errno;
			close(fd);
			done++;
		}
		while (now_ns() < tick + 1000000)
			;
	}
	printf("{\"pairs\":%ld,\"elapsed_ns\":%llu}\n", done, (unsigned long long)(now_ns() - start));
	return 0;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall time and this thread's CPU time (system calls and the BPF programs they run
 * included; time spent waiting for a CPU the machine's other work took, not) */
static int cmd_bench(long n)
{
	uint64_t t0 = now_ns(), c0 = cpu_ns();

	for (long i = 0; i < n; i++) {
		int fd = open(target, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		close(fd);
	}
	printf("{\"pairs\":%ld,\"ns_per_pair\":%.1f,\"cpu_ns_per_pair\":%.1f}\n", n,
	       (double)(now_ns() - t0) / (double)n, (double)(cpu_ns() - c0) / (double)n);
	return 0;
}

/* One fd of a kind, by the call that makes it; the DESIGN.md type it must be reported as. */
static int make_kind(int i, const char **kind, const char **type)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	switch (i) {
	case 0: *kind = "eventfd"; *type = "eventfd"; return eventfd(0, EFD_CLOEXEC);
	case 1: *kind = "epoll_create1"; *type = "epoll"; return epoll_create1(EPOLL_CLOEXEC);
	case 2: *kind = "timerfd_create"; *type = "timerfd";
		return timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	case 3: *kind = "signalfd"; *type = "signalfd"; return signalfd(-1, &mask, SFD_CLOEXEC);
	case 4: *kind = "inotify_init1"; *type = "inotify"; return inotify_init1(IN_CLOEXEC);
	case 5: *kind = "fanotify_init"; *type = "fanotify";
		return fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY);
	case 6: *kind = "memfd_create"; *type = "memfd"; return memfd_create("churn", MFD_CLOEXEC);
	case 7: *kind = "pidfd_open"; *type = "pidfd";
		return (int)syscall(SYS_pidfd_open, getpid(), 0);
	case 8: *kind = "socket tcp"; *type = "socket"; return socket(AF_INET, SOCK_STREAM, 0);
	case 9: *kind = "socket udp6"; *type = "socket"; return socket(AF_INET6, SOCK_DGRAM, 0);
	case 10: *kind = "socket unix"; *type = "socket"; return socket(AF_UNIX, SOCK_DGRAM, 0);
	case 11: *kind = "socket netlink"; *type = "socket";
		return socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	case 12: *kind = "open /dev/null"; *type = "chr"; return open("/dev/null", O_RDONLY);
	case 13: *kind = "open /"; *type = "dir"; return open("/", O_RDONLY | O_DIRECTORY);
	default: return -ENOENT;
	}
}

static int cmd_kinds(void)
{
	const char *kind, *type;
	bool first = true;

	printf("[");
	for (int i = 0;; i++) {
		int fd = make_kind(i, &kind, &type);

		if (fd == -ENOENT)
			break;
		if (fd < 0) /* not here (a kernel without it, a sandbox): left out */
			continue;
		printf("%s{\"kind\":\"%s\",\"type\":\"%s\",\"fd\":%d,\"inode\":%llu}",
		       first ? "" : ",", kind, type, fd, ino_of(fd));
		first = false;
		close(fd);
	}
	printf("]\n");
	return 0;
}

#define HANDOFF 64 /* fds in flight from the opener to the closer */

struct handoff {
	_Atomic int slots[HANDOFF];   /* -1: empty */
	long n;
};

static void *closer(void *arg)
{
	struct handoff *h = arg;

	for (long i = 0; i < h->n; i++) {
		_Atomic int *slot = &h->slots[i % HANDOFF];
		int fd;

		while ((fd = atomic_exchange(slot, -1)) < 0)
			;
		close(fd);
	}
	return NULL;
}

static int cmd_threads(long n)
{
	struct handoff h = { .n = n };
	pthread_t t;

	for (int i = 0; i < HANDOFF; i++)
		atomic_init(&h.slots[i], -1);
	if (pthread_create(&t, NULL, closer, &h))
		return -EAGAIN;
	for (long i = 0; i < n; i++) {
		_Atomic int *slot = &h.slots[i % HANDOFF];
		int fd = open(target, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			abort(); /* the closer would wait for ever */
		while (atomic_load(slot) >= 0)
			;
		atomic_store(slot, fd);
	}
	pthread_join(t, NULL);
	printf("{\"pairs\":%ld}\n", n);
	return 0;
}

int main(void)
{
	char line[128], word[32];
	long a;
	double b;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("{\"pid\":%d}\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		int n = sscanf(line, "%31s %ld %lf", word, &a, &b), r;

		if (n < 1 || strcmp(word, "exit") == 0)
			break;
		if (strcmp(word, "openclose") == 0 && n >= 2)
			r = cmd_openclose(a);
		else if (strcmp(word, "pipe") == 0 || strcmp(word, "socketpair") == 0)
			r = cmd_pair(word[0] == 's');
		else if (strcmp(word, "dup2") == 0)
			r = cmd_dup2();
		else if (strcmp(word, "close_range") == 0)
			r = cmd_close_range();
		else if (strcmp(word, "rate") == 0 && n == 3)
			r = cmd_rate(a, b);
		else if (strcmp(word, "threads") == 0 && n >= 2)
			r = cmd_threads(a);
		else if (strcmp(word, "kinds") == 0)
			r = cmd_kinds();
		else if (strcmp(word, "bench") == 0 && n >= 2)
			r = cmd_bench(a);
		else
			r = -EINVAL;
		if (r < 0)
			printf("{\"error\":\"%s\"}\n", strerror(-r));
	}
	return 0;
}
