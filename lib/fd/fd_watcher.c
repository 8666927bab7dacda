// SPDX-License-Identifier: MIT
/* fd_watcher: repeated snapshots of one process: by the BPF iterator, loaded once, when the
 * table is big enough for it to be the cheaper engine (FD_BPF_WORTH_SLOTS) and BPF can be
 * used; else through /proc, keeping the fdinfo files open in between. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nic2app/fd_machine.h"
#include "fd_scan_int.h"


struct fd_watcher {
	const char *proc_root;
	pid_t pid;
	unsigned int flags;
	int pidfd;                 /* the process we started with, even if its PID is reused */
	struct fdinfo_cache cache;
	struct fd_bpf *bpf;        /* the loaded iterator, or NULL: /proc */
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
	/* a big table of another process, whole: BPF when it loads (else quietly /proc) */
	if (w->pidfd >= 0 && flags == 0 && pid != getpid() &&
	    fd_table_slots(pid) >= FD_BPF_WORTH_SLOTS && fd_bpf_open(&w->bpf, NULL) < 0)
		w->bpf = NULL;
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
	if (w->bpf) {
		r = fd_bpf_snapshot(w->bpf, w->pid, out);
		if (r == 0 && exited(w)) { /* it exited during the pass: what was read is partial */
			fd_snapshot_release(out);
			r = -ESRCH;
		}
		if (r == 0 || r == -ESRCH || r == -ENOMEM)
			return r;
		fd_bpf_close(w->bpf); /* the iterator failed: /proc from now on */
		w->bpf = NULL;
	}
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
	fd_bpf_close(w->bpf);
	if (w->pidfd >= 0)
		close(w->pidfd);
	free(w);
}
