// SPDX-License-Identifier: MIT
/*
 * out_file: write a picture or a page where the user asked, the way a careful user expects.
 * A regular file is replaced whole or not at all: the text goes to a temporary file beside
 * the real target (symlinks followed), is flushed to disk, given the old file's mode and
 * owner, then renamed over it, so a reader sees the old file or the new one and a full disk
 * leaves the old one. rename() would break a hard link, so a file with other names is
 * rewritten in place instead (its space reserved first), as `>` in a shell would. Devices,
 * fifos and our own fds (/dev/stdout, '-') are never renamed over: they are written to.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/out_file.h"

#define MOST_SYMLINKS 40 /* as the kernel's own limit on a path's symlinks */

/* "/proc/self/fd/N", "/dev/fd/N", "/proc/thread-self/fd/N", "/proc/OURPID/fd/N": our fd N,
 * which is a magic link: reading it gives a name ("pipe:[123]") that cannot be opened. */
static int own_fd(const char *path)
{
	static const char *const dirs[] = { "/proc/self/fd/", "/dev/fd/", "/proc/thread-self/fd/" };
	char mine[64];
	const char *num = NULL;
	char *end;
	long v;

	snprintf(mine, sizeof(mine), "/proc/%d/fd/", (int)getpid());
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !num; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			num = path + strlen(dirs[i]);
	if (!num && strncmp(path, mine, strlen(mine)) == 0)
		num = path + strlen(mine);
	if (!num || *num < '0' || *num > '9')
		return -1;
	v = strtol(num, &end, 10);
	return *end || v > INT_MAX ? -1 : (int)v;
}

/* The directory part of path ("." when there is none) into dir. */
static void dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, size, ".");
	else if (slash == path)
		snprintf(dir, size, "/");
	else
		snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* One step along a symlink: cur becomes what it points to (relative to cur's directory). */
static int follow(char *cur, size_t size)
{
	char target[PATH_MAX], dir[PATH_MAX];
	ssize_t n = readlink(cur, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (target[0] == '/') {
		snprintf(cur, size, "%s", target);
		return 0;
	}
	dir_of(cur, dir, sizeof(dir));
	if ((size_t)snprintf(cur, size, "%s/%s", dir, target) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static bool may(const char *path, int how)
{
	return faccessat(AT_FDCWD, path, how, AT_EACCESS) == 0;
}

static int check_fd(struct out_file *f, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -EBADF;
	if ((fl & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	f->kind = OUT_FILE_FD;
	f->fd = fd;
	return 0;
}

/* What the real target is, once cur names no symlink. */
static int classify(struct out_file *f, const struct stat *st)
{
	char dir[PATH_MAX];

	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (S_ISSOCK(st->st_mode))
		return -ENXIO; /* what open(2) says of a socket's name */
	if (!may(f->path, W_OK))
		return -errno;
	if (!S_ISREG(st->st_mode)) {
		f->kind = OUT_FILE_DEVICE;
		return 0;
	}
	f->old = *st;
	dir_of(f->path, dir, sizeof(dir));
	/* rename() would leave the file's other names with the old text; a directory we may not
	 * write leaves no room for a temporary file: both are written in place, as `>` would */
	f->kind = st->st_nlink > 1 || !may(dir, W_OK | X_OK) ? OUT_FILE_IN_PLACE : OUT_FILE_REPLACE;
	return 0;
}

int out_file_check(struct out_file *f, const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	int fd, r;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (strcmp(path, "-") == 0)
		return check_fd(f, STDOUT_FILENO);
	if (!path[0])
		return -ENOENT;
	if ((size_t)snprintf(f->path, sizeof(f->path), "%s", path) >= sizeof(f->path))
		return -ENAMETOOLONG;
	for (int hops = 0;; hops++) {
		if ((fd = own_fd(f->path)) >= 0)
			return check_fd(f, fd);
		if (lstat(f->path, &st) < 0)
			break;
		if (!S_ISLNK(st.st_mode))
			return classify(f, &st);
		if (hops == MOST_SYMLINKS)
			return -ELOOP;
		if ((r = follow(f->path, sizeof(f->path))) < 0)
			return r;
	}
	if (errno != ENOENT)
		return -errno;
	/* nothing there yet (perhaps at the end of a dangling symlink): a new file */
	dir_of(f->path, dir, sizeof(dir));
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (!may(dir, W_OK | X_OK))
		return -errno;
	f->kind = OUT_FILE_NEW;
	return 0;
}

bool out_file_is_stdout(const struct out_file *f)
{
	return f->kind == OUT_FILE_FD && f->fd == STDOUT_FILENO;
}

static int write_all(int fd, const char *text, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			done += (size_t)n;
	}
	return 0;
}

/* A device or fifo: opened as it is (a block device only while nothing has it mounted). */
static int write_device(const struct out_file *f, const char *text, size_t len)
{
	struct stat st;
	int fd = open(f->path, O_WRONLY | O_NOCTTY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode)) {
		close(fd); /* O_EXCL on a block device: refused (EBUSY) while it is mounted */
		if ((fd = open(f->path, O_WRONLY | O_EXCL | O_CLOEXEC)) < 0)
			return -errno;
	}
	r = write_all(fd, text, len);
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	return r;
}

/* The file's other names must see the new text: reserve the space (so a full disk fails
 * before anything changes), write, cut what is left of the old text, flush. */
static int write_in_place(const struct out_file *f, const char *text, size_t len)
{
	int fd = open(f->path, O_WRONLY | O_NOCTTY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (len && fallocate(fd, 0, 0, (off_t)len) < 0 && errno != EOPNOTSUPP)
		r = -errno;
	for (size_t done = 0; r == 0 && done < len;) {
		ssize_t n = pwrite(fd, text + done, len - done, (off_t)done);

		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (r == 0 && (ftruncate(fd, (off_t)len) < 0 || fsync(fd) < 0))
		r = -errno;
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	return r;
}

/* A new file ".NAME.nic2app-XXXX" beside the target, mode 0666 less the umask (as open(2)
 * makes it), so rename() stays within one filesystem. */
static int create_temp(const char *path, char *tmp, size_t size)
{
	const char *slash = strrchr(path, '/');
	struct timespec ts;

	for (int tries = 0; tries < 100; tries++) {
		unsigned long salt;
		int fd;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		salt = ((unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 12)) + (unsigned long)tries;
		if ((size_t)(slash ? snprintf(tmp, size, "%.*s/.%s.nic2app-%lx", (int)(slash - path),
					      path, slash + 1, salt)
				   : snprintf(tmp, size, ".%s.nic2app-%lx", path, salt)) >= size)
			return -ENAMETOOLONG;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

/* The directory's entry for the rename is on disk too (best effort: some filesystems
 * cannot fsync a directory). */
static void sync_dir(const char *path)
{
	char dir[PATH_MAX];
	int fd;

	dir_of(path, dir, sizeof(dir));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int write_replace(const struct out_file *f, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	int fd = create_temp(f->path, tmp, sizeof(tmp)), r;

	if (fd < 0)
		return fd;
	r = write_all(fd, text, len);
	if (r == 0 && f->kind == OUT_FILE_REPLACE) {
		/* the old owner first (chown clears set-id bits), then the old mode; only root may
		 * give a file away: another user's file becomes ours, as any rename would make it */
		if ((f->old.st_uid != geteuid() || f->old.st_gid != getegid()) &&
		    fchown(fd, f->old.st_uid, f->old.st_gid) < 0 && errno != EPERM)
			r = -errno;
		if (r == 0 && fchmod(fd, f->old.st_mode & 07777) < 0)
			r = -errno;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	if (r == 0 && rename(tmp, f->path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	else
		sync_dir(f->path);
	return r;
}

int out_file_write(const struct out_file *f, const char *text, size_t len)
{
	switch (f->kind) {
	case OUT_FILE_FD:
		return write_all(f->fd, text, len);
	case OUT_FILE_DEVICE:
		return write_device(f, text, len);
	case OUT_FILE_IN_PLACE:
		return write_in_place(f, text, len);
	case OUT_FILE_NEW:
	case OUT_FILE_REPLACE:
		return write_replace(f, text, len);
	}
	return -EINVAL;
}

int out_file_put(const char *path, const char *text, size_t len)
{
	struct out_file f;
	int r = out_file_check(&f, path);

	return r < 0 ? r : out_file_write(&f, text, len);
}
