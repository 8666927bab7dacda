// SPDX-License-Identifier: MIT
/*
 * fd_scan: a snapshot of one process's fds: list and read them (fd_collect, fd_read), resolve
 * the sockets (fd_sockets), add the limits, and make sure the process we started with is the
 * one still there at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fd_scan_int.h"
#include "nic2app/clock.h"
#include "nic2app/proc_pid.h"

/* A scan this big dumps the sockets while the fds are read. */
#define OVERLAP_FDS 1024

/* Limits, file-nr and comm; missing ones are left at -1 or "". */
static void read_context(const char *proc_root, int pid_dir, struct fd_snapshot *s)
{
	char text[4096], path[PATH_MAX];
	ssize_t n;

	s->limit_soft = s->limit_hard = -1;
	s->system_allocated = s->system_max = -1;
	/* comm is up to 15 bytes and a newline: read it where the newline fits too (into comm
	 * itself, a 15-byte name filled it, was refused as too big and kept its newline) */
	if (proc_read_small(pid_dir, "comm", text, sizeof(text)) > 0) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(s->comm, sizeof(s->comm), "%.16s", text);
	}
	if (proc_read_small(pid_dir, "limits", text, sizeof(text)) > 0)
		proc_limits_parse(text, "Max open files", &s->limit_soft, &s->limit_hard);
	snprintf(path, sizeof(path), "%s/sys/fs/file-nr", proc_root);
	n = proc_read_small(AT_FDCWD, path, text, sizeof(text));
	if (n > 0)
		file_nr_parse(text, &s->system_allocated, &s->system_max);
}

static int open_dirs(int pid_dir, struct scan_dirs *d)
{
	d->fd_dir = openat(pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd_dir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	d->info_dir = openat(pid_dir, "fdinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->info_dir < 0) {
		int err = errno == ENOENT ? -ESRCH : -errno;

		close(d->fd_dir);
		return err;
	}
	return 0;
}

/* A pidfd tells whether the process we started with is the one still there at the end (a
 * recorded tree has none; nor has a kernel before 5.3, or valgrind 3.19: -1 with ENOSYS,
 * and then /proc/PID/stat alone says whether the process is exiting). */
static int pidfd_for(const char *proc_root, pid_t pid)
{
	if (strcmp(proc_root, "/proc") != 0)
		return -1;
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static bool pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return pidfd >= 0 && poll(&p, 1, 0) == 1;
}

/*
 * Whether the process has begun to exit: the kernel closes its fds one by one in do_exit()
 * before the pidfd says it exited, so a scan meanwhile sees fds vanish that the process did
 * not close. PF_EXITING (0x4) in the flags of /proc/PID/stat (the 9th field) is set first.
 */
#define PF_EXITING 0x4
static bool process_exiting(int pid_dir)
{
	char text[1024], *at;
	unsigned long flags = 0;

	if (proc_read_small(pid_dir, "stat", text, sizeof(text)) < 0)
		return true; /* gone */
	at = strrchr(text, ')');
	/* after "pid (comm)": state ppid pgrp session tty_nr tpgid flags */
	if (!at || sscanf(at + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & PF_EXITING;
}

/* The size of the fd table ("FDSize:" in /proc/PID/status): every fd is below it. */
static long fd_table_size(int pid_dir)
{
	char text[2048];
	const char *line;
	ssize_t n = proc_read_small(pid_dir, "status", text, sizeof(text));

	/* FDSize comes early: a status cut at the buffer's end still has it */
	if (n < 0 && n != -EFBIG)
		return -1;
	line = strstr(text, "\nFDSize:");
	return line ? strtol(line + 8, NULL, 10) : -1;
}

static bool has_sockets(const struct fd_snapshot *s)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->fds[i].type == FD_SOCKET)
			return true;
	return false;
}

static int scan(const char *proc_root, int pid_dir, int pidfd, unsigned int flags,
		struct fdinfo_cache *cache, const struct fd_snapshot *previous,
		struct fd_snapshot *s)
{
	struct scan_dirs d = { .pid_dir = pid_dir, .own = { -1, -1, -1, -1 }, .cache = cache,
			       .previous = previous };
	long max_fds = -1;
	struct sock_job job;
	bool dumping = false;
	int r = open_dirs(pid_dir, &d);

	if (r < 0)
		return r;
	d.real_proc = strcmp(proc_root, "/proc") == 0;
	if (d.real_proc) {
		max_fds = fd_table_size(pid_dir);
		if (cache && max_fds > 0 && (r = fdinfo_cache_fit(cache, (size_t)max_fds)) < 0)
			goto out_close;
		if (s->pid == getpid()) {
			int own[OWN_FDS] = { pid_dir, pidfd, d.fd_dir, d.info_dir };

			memcpy(d.own, own, sizeof(own));
		}
	}
	/* A big scan dumps the sockets while the fds are read; a small one only if it found
	 * sockets, so a --watch on a small process does not dump every socket of the host. */
	if (!(flags & FD_SCAN_NO_SOCKETS) && max_fds >= OVERLAP_FDS) {
		sock_job_start(&job, pid_dir, flags, true);
		dumping = true;
	}
	r = fd_entries_collect(&d, flags, max_fds, s);
	if (r == 0)
		fd_snapshot_sort(s);
	if (!dumping && r == 0 && has_sockets(s) && !(flags & FD_SCAN_NO_SOCKETS)) {
		sock_job_start(&job, pid_dir, flags, false);
		dumping = true;
	}
	if (dumping) {
		int resolved = sock_job_resolve(&job, d.fd_dir, s);

		r = r ? r : resolved;
		sock_job_release(&job);
	}
out_close:
	close(d.fd_dir);
	close(d.info_dir);
	if (r == 0)
		read_context(proc_root, pid_dir, s);
	return r;
}

int fd_snapshot_take(const char *proc_root, pid_t pid, unsigned int flags,
		     struct fd_snapshot *out)
{
	return fd_snapshot_take_cached(proc_root, pid, flags, NULL, NULL, out);
}

int fd_snapshot_take_cached(const char *proc_root, pid_t pid, unsigned int flags,
			    struct fdinfo_cache *cache, const struct fd_snapshot *previous,
			    struct fd_snapshot *out)
{
	uint64_t start = monotonic_ns();
	bool live = strcmp(proc_root, "/proc") == 0;
	struct timespec now;
	char path[PATH_MAX];
	int pid_dir, pidfd, r;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	clock_gettime(CLOCK_REALTIME, &now);
	out->time_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	snprintf(path, sizeof(path), "%s/%d", proc_root, (int)pid);
	pidfd = pidfd_for(proc_root, pid);
	if (live && pidfd < 0 && errno != ENOSYS)
		return errno == ESRCH ? -ESRCH : -errno;
	pid_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pid_dir < 0) {
		r = errno == ENOENT ? -ESRCH : -errno;
		goto out_close_pidfd;
	}
	r = scan(proc_root, pid_dir, pidfd, flags, cache, previous, out);
	if (r == 0 && live && (pidfd_exited(pidfd) || process_exiting(pid_dir)))
		r = -ESRCH;
	close(pid_dir);
	out->elapsed_ns = monotonic_ns() - start;
out_close_pidfd:
	if (pidfd >= 0)
		close(pidfd);
	if (r < 0)
		fd_snapshot_release(out);
	return r;
}
