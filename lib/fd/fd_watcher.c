// SPDX-License-Identifier: MIT
/* fd_watcher: repeated snapshots of one process, keeping its fdinfo files open in between. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd_scan_int.h"


struct fd_watcher {
	const char *proc_root;
	pid_t pid;
	unsigned int flags;
	int pidfd;                 /* the process we started with, even if its PID is reused */
	struct fdinfo_cache cache;
};

/* A quarter of our soft fd limit: room for the handles, and for everything else. */
static size_t handle_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1024;
	return rl.rlim_cur / 4;
}

int fd_watcher_open(const char *proc_root, pid_t pid, unsigned int flags,
		    struct fd_watcher **out)
{
	struct fd_watcher *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->proc_root = proc_root;
	w->pid = pid;
	w->flags = flags;
	w->pidfd = -1;
	if (strcmp(proc_root, "/proc") == 0) {
		w->pidfd = fd_pidfd_open(pid); /* a thread id too */
		/* without pidfd_open (ENOSYS), a snapshot still finds an exited process gone,
		 * but not a new one given its PID */
		if (w->pidfd < 0 && errno != ENOSYS) {
			int err = errno == ESRCH ? -ESRCH : -errno;

			free(w);
			return err;
		}
	}
	/* Watching ourselves, the handles would show up in our own table. */
	if (pid != getpid())
		w->cache.most = handle_budget();
	*out = w;
	return 0;
}

static bool exited(const struct fd_watcher *w)
{
	struct pollfd p = { .fd = w->pidfd, .events = POLLIN };

	return w->pidfd >= 0 && poll(&p, 1, 0) == 1;
}

int fd_watcher_take(struct fd_watcher *w, const struct fd_snapshot *previous,
		    struct fd_snapshot *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (exited(w))
		return -ESRCH;
	/* the scan sizes the cache to the fd table it reads */
	r = fd_snapshot_take_cached(w->proc_root, w->pid, w->flags,
				    w->cache.most ? &w->cache : NULL, previous, out);
	if (r == 0)
		fdinfo_cache_prune(&w->cache, out);
	return r;
}

void fd_watcher_free(struct fd_watcher *w)
{
	if (!w)
		return;
	fdinfo_cache_release(&w->cache);
	if (w->pidfd >= 0)
		close(w->pidfd);
	free(w);
}
