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
	/* a 15-byte name and its newline fill the buffer: -EFBIG, but the name is all there */
	proc_read_small(pid_dir, "comm", s->comm, sizeof(s->comm));
	s->comm[strcspn(s->comm, "\n")] = '\0';
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
	/* refused while the fd list is not: the fds are listed without their fdinfo */
	if (d->info_dir < 0 && (errno == EACCES || errno == EPERM))
		return 0;
	if (d->info_dir < 0) {
		int err = errno == ENOENT ? -ESRCH : -errno;

		close(d->fd_dir);
		return err;
	}
	return 0;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

int fd_pidfd_open(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	/* a thread that is not its group's leader: ENOENT (6.9+) or EINVAL without the flag */
	if (fd < 0 && (errno == ENOENT || errno == EINVAL)) {
		int err = errno;

		fd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
		if (fd < 0 && errno == EINVAL) /* a kernel without PIDFD_THREAD */
			errno = err;
	}
	return fd;
}

/* A pidfd tells whether the process we started with is the one still there at the end (a
 * recorded tree has none; nor has a kernel before 5.3, or valgrind 3.19: -1 with ENOSYS,
 * and then /proc/PID/stat alone says whether the process is exiting). */
static int pidfd_for(const char *proc_root, pid_t pid)
{
	if (strcmp(proc_root, "/proc") != 0)
		return -1;
	return fd_pidfd_open(pid);
}

#ifndef KCMP_FILES
#define KCMP_FILES 2
#endif

/* The process a task id belongs to ("Tgid:" in its status; a recorded tree may have none:
 * then itself), and for a thread whether it shares that process's fd table (kcmp). */
static void read_tgid(int pid_dir, struct fd_snapshot *s)
{
	char text[2048];
	const char *line;
	ssize_t n = proc_read_small(pid_dir, "status", text, sizeof(text));
	long r;

	s->tgid = s->pid;
	s->shares_table = -1;
	if ((n < 0 && n != -EFBIG) || !(line = strstr(text, "\nTgid:")))
		return;
	s->tgid = (pid_t)strtol(line + 6, NULL, 10);
	if (s->tgid <= 0)
		s->tgid = s->pid;
	if (s->tgid == s->pid)
		return;
	r = syscall(SYS_kcmp, s->pid, s->tgid, KCMP_FILES, 0, 0);
	if (r >= 0)
		s->shares_table = r == 0;
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

/* The fds a scan of ourselves holds, left out of what it lists. */
static void mark_own(struct scan_dirs *d, int pidfd)
{
	int own[OWN_FDS] = { d->pid_dir, pidfd, d->fd_dir, d->info_dir, d->list_dir };

	memcpy(d->own, own, sizeof(own));
}

/* Rows whose link the kernel refused (fd_read gives them their access mode). */
static void note_denied(struct fd_snapshot *s)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->fds[i].type == FD_ERROR && (s->fds[i].err == EACCES || s->fds[i].err == EPERM))
			s->denied |= FD_DENIED_LINKS;
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
	struct scan_dirs d = { .pid_dir = pid_dir, .list_dir = -1, .own = { -1, -1, -1, -1, -1 },
			       .cache = cache, .previous = previous };
	bool self;
	long max_fds = -1;
	struct sock_job job;
	bool dumping = false;
	int r = open_dirs(pid_dir, &d);

	if (r < 0)
		return r;
	d.real_proc = strcmp(proc_root, "/proc") == 0;
	d.no_fdinfo = flags & FD_SCAN_NO_FDINFO;
	if (d.real_proc) {
		max_fds = fd_table_size(pid_dir);
		if (cache && max_fds > 0 && (r = fdinfo_cache_fit(cache, (size_t)max_fds)) < 0)
			goto out_close;
	}
	/* A scan of ourselves leaves out every fd it opens: those it holds now, and the one it
	 * lists with (so one thread lists, and the sockets are dumped once the fds are read) */
	self = d.real_proc && (s->pid == getpid() || s->tgid == getpid());
	if (self) {
		d.list_dir = openat(pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d.list_dir < 0) {
			r = errno == ENOENT ? -ESRCH : -errno;
			goto out_close;
		}
		mark_own(&d, pidfd);
	}
	/* A big scan dumps the sockets while the fds are read; a small one only if it found
	 * sockets, so a --watch on a small process does not dump every socket of the host. */
	if (!(flags & FD_SCAN_NO_SOCKETS) && max_fds >= OVERLAP_FDS && !self) {
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
		int resolved = sock_job_resolve(&job, d.fd_dir, pidfd, s);

		r = r ? r : resolved;
		sock_job_release(&job);
	}
out_close:
	if (d.list_dir >= 0)
		close(d.list_dir);
	close(d.fd_dir);
	if (d.info_dir >= 0)
		close(d.info_dir);
	else
		s->denied |= FD_DENIED_FDINFO;
	if (r == 0)
		note_denied(s);
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
	out->engine = FD_ENGINE_PROCFS;
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
	read_tgid(pid_dir, out);
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
