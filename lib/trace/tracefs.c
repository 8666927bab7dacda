// SPDX-License-Identifier: MIT
/*
 * tracefs: create, configure and remove a private tracing instance. The instance is a
 * directory: mkdir under instances/ creates it with its own buffer and event switches, rmdir
 * removes it (the kernel refuses while a reader holds one of its files open).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nic2app/proc_pid.h"
#include "nic2app/trace_raw.h"
#include "nic2app/tracefs.h"

#define DEFAULT_MOUNT "/sys/kernel/tracing"

/* The mount point of tracefs from /proc/self/mounts, if it is mounted. */
static bool find_mount(char *root, size_t size)
{
	FILE *f = setmntent("/proc/self/mounts", "r");
	struct mntent *m;
	bool found = false;

	if (!f)
		return false;
	while (!found && (m = getmntent(f)))
		if (strcmp(m->mnt_type, "tracefs") == 0) {
			snprintf(root, size, "%s", m->mnt_dir);
			found = true;
		}
	endmntent(f);
	return found;
}

static int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : (size_t)n == len ? 0 : -EIO;
}

/* Turn off and remove one instance directory. */
static int remove_instance(const char *path)
{
	char file[PATH_MAX + 32];
	int r;

	snprintf(file, sizeof(file), "%s/tracing_on", path);
	write_file(file, "0");
	snprintf(file, sizeof(file), "%s/events/enable", path);
	write_file(file, "0");
	r = rmdir(path) < 0 ? -errno : 0;
	return r == -ENOENT ? 0 : r;
}

/* Whether the run that named an instance can still remove it. A process killed with SIGKILL
 * stays a zombie (state Z, or X while it is being reaped) until its parent waits for it:
 * kill(pid, 0) still succeeds then, but the run will never clean up, so it counts as dead. */
static bool owner_alive(pid_t pid)
{
	char path[64], text[1024];
	ssize_t n;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((n = proc_read_small(AT_FDCWD, path, text, sizeof(text))) < 0)
		return n != -ENOENT && n != -ESRCH; /* gone in between; unreadable: leave it */
	switch (proc_stat_state(text)) {
	case 'Z':
	case 'X':
		return false;
	default:
		return true;
	}
}

int tracefs_sweep_stale(const char *root)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	size_t plen = strlen(TRACEFS_PREFIX);
	struct dirent *d;
	int removed = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/instances", root);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		char *end;
		long pid;

		if (strncmp(d->d_name, TRACEFS_PREFIX, plen) != 0)
			continue;
		pid = strtol(d->d_name + plen, &end, 10);
		/* only ours, and only when that process is gone or a zombie */
		if (*end || pid <= 0 || pid > INT_MAX || owner_alive((pid_t)pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (remove_instance(path) == 0)
			removed++;
	}
	closedir(dp);
	return removed;
}

static int mount_tracefs(struct tracefs *t)
{
	struct stat st;

	if (stat(DEFAULT_MOUNT, &st) < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	if (mount("nodev", DEFAULT_MOUNT, "tracefs", 0, NULL) < 0)
		return errno == ENODEV ? -ENODEV : -errno;
	snprintf(t->root, sizeof(t->root), "%s", DEFAULT_MOUNT);
	t->mounted_here = true;
	return 0;
}

int tracefs_open(struct tracefs *t)
{
	int r;

	memset(t, 0, sizeof(*t));
	if (!find_mount(t->root, sizeof(t->root)) && (r = mount_tracefs(t)) < 0)
		return r;
	tracefs_sweep_stale(t->root);
	snprintf(t->instance, sizeof(t->instance), "%s/instances/%s%d", t->root, TRACEFS_PREFIX,
		 (int)getpid());
	if (mkdir(t->instance, 0700) < 0) {
		r = -errno;
		tracefs_close(t);
		return r;
	}
	t->created = true;
	return 0;
}

int tracefs_write(const struct tracefs *t, const char *file, const char *text)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", t->instance, file);
	return write_file(path, text);
}

ssize_t tracefs_read(const struct tracefs *t, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", t->instance, file);
	return proc_read_small(AT_FDCWD, path, buf, size);
}

int tracefs_enable_event(const struct tracefs *t, const char *event, const char *filter)
{
	char file[PATH_MAX];
	int r;

	if (filter) {
		snprintf(file, sizeof(file), "events/%s/filter", event);
		if ((r = tracefs_write(t, file, filter)) < 0)
			return r;
	}
	snprintf(file, sizeof(file), "events/%s/enable", event);
	return tracefs_write(t, file, "1");
}

int tracefs_event_format(const struct tracefs *t, const char *event, struct trace_format *out)
{
	char file[PATH_MAX], text[16384];
	ssize_t n;

	snprintf(file, sizeof(file), "events/%s/format", event);
	n = tracefs_read(t, file, text, sizeof(text));
	if (n < 0)
		return (int)n;
	return trace_format_parse(text, out);
}

/* The pages of one CPU's buffer, until it is empty. */
static int read_cpu(const char *path, int (*fn)(const struct trace_record *r, void *ctx),
		    void *ctx, size_t *missed)
{
	unsigned char page[4096];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), r = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (r == 0 && (n = read(fd, page, sizeof(page))) > 0) {
		bool lost = false;

		r = trace_page_walk(page, (size_t)n, fn, ctx, &lost);
		if (lost && missed)
			(*missed)++;
	}
	if (r == 0 && n < 0 && errno != EAGAIN)
		r = -errno;
	close(fd);
	return r;
}

int tracefs_read_records(const struct tracefs *t,
			 int (*fn)(const struct trace_record *r, void *ctx), void *ctx,
			 size_t *missed)
{
	char dir[PATH_MAX + 16], path[PATH_MAX * 2];
	struct dirent *d;
	int r = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/per_cpu", t->instance);
	if (!(dp = opendir(dir)))
		return -errno;
	while (r == 0 && (d = readdir(dp))) {
		if (strncmp(d->d_name, "cpu", 3) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/trace_pipe_raw", dir, d->d_name);
		r = read_cpu(path, fn, ctx, missed);
	}
	closedir(dp);
	return r;
}

/* The sum of the numbers after keys[] in one CPU's stats text. */
static uint64_t stats_sum(const char *text, const char *const *keys)
{
	uint64_t sum = 0;

	for (; *keys; keys++) {
		const char *at = strstr(text, *keys);

		if (at)
			sum += strtoull(at + strlen(*keys), NULL, 10);
	}
	return sum;
}

/* The sum over CPUs of the numbers after keys[] in per_cpu/cpuN/stats. */
static int stats_total(const struct tracefs *t, const char *const *keys, uint64_t *total)
{
	char dir[PATH_MAX + 16], file[PATH_MAX * 2], text[1024];
	struct dirent *d;
	DIR *dp;

	*total = 0;
	snprintf(dir, sizeof(dir), "%s/per_cpu", t->instance);
	if (!(dp = opendir(dir)))
		return -errno;
	while ((d = readdir(dp))) {
		if (strncmp(d->d_name, "cpu", 3) != 0)
			continue;
		/* a leading newline, so every key is matched at the start of a line */
		snprintf(file, sizeof(file), "%s/%s/stats", dir, d->d_name);
		text[0] = '\n';
		if (proc_read_small(AT_FDCWD, file, text + 1, sizeof(text) - 1) > 0)
			*total += stats_sum(text, keys);
	}
	closedir(dp);
	return 0;
}

int tracefs_lost_events(const struct tracefs *t, uint64_t *lost)
{
	static const char *const keys[] = { "\noverrun:", "\ndropped events:", NULL };

	return stats_total(t, keys, lost);
}

int tracefs_count_events(const struct tracefs *t, uint64_t *count)
{
	static const char *const keys[] = { "\nentries:", "\noverrun:", NULL };

	return stats_total(t, keys, count);
}

int tracefs_close(struct tracefs *t)
{
	int r = 0;

	if (t->created) {
		r = remove_instance(t->instance);
		t->created = false;
	}
	if (t->mounted_here) {
		if (umount(t->root) < 0 && !r)
			r = -errno;
		t->mounted_here = false;
	}
	return r;
}
