// SPDX-License-Identifier: MIT
/*
 * fd_read: what one fd is. Each fd gets one readlink of /proc/PID/fd/N; paths are also stat'ed
 * (a file, a dir, a device or a fifo) and read again (see same_link), and everything but
 * sockets reads its fdinfo
 * (offset, flags, per-kind details). A socket's offset is always 0 and sock_diag describes it
 * better than its file does, so sockets skip fdinfo: one /proc lookup each instead of two,
 * which is most of a big scan's cost (~3 us per lookup here).
 *
 * Races are normal: the fd may close, or be replaced, between the reads. A vanished fd is
 * left out; if the inode fdinfo reports differs from the one the link or stat gave, or a
 * path's link reads differently after its stat, the fd was replaced in between and is read
 * again, so no row mixes two files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd_scan_int.h"
#include "nic2app/proc_pid.h"

#define READ_ATTEMPTS 3
#define READ_REPLACED 2

/* The text of /proc/PID/fdinfo/N: in buf when it fits (almost always), else on the heap
 * (an epoll watching many fds); *text points at whichever holds it. */
static int read_fdinfo_text(int info_dir, const char *name, char *buf, size_t size, char **text,
			    char **heap)
{
	ssize_t n = proc_read_small(info_dir, name, buf, size);

	*heap = NULL;
	*text = buf;
	if (n == -EFBIG) {
		n = proc_read_all(info_dir, name, heap);
		*text = *heap;
	}
	return n < 0 ? (int)n : 0;
}

static void entry_set_error(struct fd_entry *e, int err)
{
	int fd = e->fd;

	fd_entry_release(e);
	e->fd = fd;
	e->type = FD_ERROR;
	e->err = err;
}

/* The kernel's mark on the path of a file with no links left. */
static bool is_deleted_name(const char *name)
{
	static const char deleted_suffix[] = " (deleted)";
	size_t len = strlen(name), slen = sizeof(deleted_suffix) - 1;

	return len >= slen && strcmp(name + len - slen, deleted_suffix) == 0;
}

/* A path: stat through the magic link to tell a file from a dir, a device or a fifo. */
static int stat_path(const struct scan_dirs *d, const char *name, struct fd_entry *e)
{
	struct stat st;

	if (fstatat(d->fd_dir, name, &st, 0) < 0)
		return -errno;
	e->type = fd_type_from_mode(st.st_mode);
	e->inode = st.st_ino;
	e->has_stat = true;
	e->size = st.st_size;
	e->dev = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
	/* A live file may end in " (deleted)" too; no links left is the proof. */
	e->deleted = st.st_nlink == 0 && is_deleted_name(e->name);
	return 0;
}

/* The same through a watcher's handle on the file, opened on first use and kept. */
static int read_fdinfo_cached(const struct scan_dirs *d, int fd, const char *name, char *buf,
			      size_t size, char **text, char **heap)
{
	struct fdinfo_cache *c = d->cache;
	ssize_t n;
	int *h;

	if (!c || (size_t)fd >= c->size)
		return read_fdinfo_text(d->info_dir, name, buf, size, text, heap);
	h = &c->handles[fd];
	if (*h < 0) {
		if (atomic_load(&c->held) >= c->most)
			return read_fdinfo_text(d->info_dir, name, buf, size, text, heap);
		*h = openat(d->info_dir, name, O_RDONLY | O_CLOEXEC);
		if (*h < 0) {
			*h = -1;
			return -errno;
		}
		atomic_fetch_add(&c->held, 1);
	}
	/* the kernel shows whatever file is at that fd number now (-ENOENT when none) */
	n = pread(*h, buf, size - 1, 0);
	if (n < 0)
		return -errno;
	if ((size_t)n == size - 1)
		return read_fdinfo_text(d->info_dir, name, buf, size, text, heap);
	buf[n] = '\0';
	*text = buf;
	*heap = NULL;
	return 0;
}

static int read_info(const struct scan_dirs *d, const char *name, struct fd_entry *e)
{
	char buf[4096], *text = NULL, *heap = NULL;
	int r;

	if (d->info_dir < 0)
		return 0; /* the kernel refused the fdinfo directory: the row goes without */
	r = read_fdinfo_cached(d, e->fd, name, buf, sizeof(buf), &text, &heap);

	if (r < 0)
		return r;
	r = fdinfo_parse(text, e->type, &e->info);
	free(heap);
	if (r < 0)
		return r;
	e->has_fdinfo = true;
	return 0;
}

/* One attempt at reading fd e->fd. Returns a read_result, or -errno for an fd that exists but
 * cannot be read (the caller makes an error row of it), or -ENOMEM. */
/* Undo a partial read, keeping the fd number. */
static void entry_reset(struct fd_entry *e)
{
	int fd = e->fd;

	fd_entry_release(e);
	e->fd = fd;
}

/*
 * A watcher's refresh of a pipe seen at this number last time: its link is "pipe:[INODE]", so
 * when its fdinfo (read through the kept handle) shows the same inode, a readlink would say
 * nothing new. READ_OK or READ_VANISHED when that settled it, 1 when a full read is needed.
 */
static int reread_pipe(const struct scan_dirs *d, const struct fd_entry *prev, const char *name,
		       struct fd_entry *e)
{
	int r;

	e->type = FD_PIPE;
	r = read_info(d, name, e);
	if (r == -ENOENT)
		return READ_VANISHED;
	if (r == 0 && e->info.has_ino && e->info.ino == prev->inode) {
		e->inode = prev->inode;
		e->name = strdup(prev->name);
		return e->name ? READ_OK : -ENOMEM;
	}
	entry_reset(e);
	return 1;
}

/* The same for a path whose link text has not changed: the same inode in fdinfo means the
 * same file, so the stat that found its type last time need not be repeated. */
static int reread_path(const struct scan_dirs *d, const struct fd_entry *prev, const char *name,
		       struct fd_entry *e)
{
	int r;

	e->type = prev->type;
	r = read_info(d, name, e);
	if (r == -ENOENT)
		return READ_VANISHED;
	if (r == 0 && e->info.has_ino && e->info.ino == prev->inode) {
		e->inode = prev->inode;
		e->deleted = prev->deleted;
		return READ_OK;
	}
	fdinfo_release(&e->info);
	memset(&e->info, 0, sizeof(e->info));
	e->has_fdinfo = false;
	return 1;
}

/*
 * A path's type and inode come from a stat made after its readlink: if the fd was replaced in
 * between, stat and fdinfo agree on the new file while the name is the old one's (a fifo
 * named /dev/null). Reading the link again after them closes that gap: the same text means
 * the name, the stat and the fdinfo all describe one file.
 */
static int same_link(const struct scan_dirs *d, const char *name, const char *first)
{
	char link[PATH_MAX + 1];
	ssize_t n = readlinkat(d->fd_dir, name, link, sizeof(link) - 1);

	if (n < 0)
		return errno == ENOENT ? READ_VANISHED : -errno;
	link[n] = '\0';
	return strcmp(link, first) == 0 ? READ_OK : READ_REPLACED;
}

/*
 * same_link cannot see an fd replaced and put back between its two readlinks (a path, then a
 * pipe for the stat and fdinfo, then the path again): the row would be a fifo named after the
 * path. Anonymous pipes are what such swaps bring, and named fifos are rare, so a fifo's name
 * is checked against the file it names, in the process's own root: another inode there means
 * the stat saw something else. A name that cannot be looked up (deleted, another mount) stays.
 */
static int same_fifo(const struct scan_dirs *d, const char *link, const struct fd_entry *e)
{
	char path[PATH_MAX + 8];
	struct stat st;

	if (is_deleted_name(link) || d->pid_dir < 0)
		return READ_OK;
	snprintf(path, sizeof(path), "root%s", link);
	if (fstatat(d->pid_dir, path, &st, 0) < 0)
		return READ_OK;
	return st.st_ino == e->inode && S_ISFIFO(st.st_mode) ? READ_OK : READ_REPLACED;
}

static bool is_path_type(enum fd_type t)
{
	return t == FD_FILE || t == FD_DIR || t == FD_CHR || t == FD_BLK || t == FD_FIFO;
}

static int read_entry_once(const struct scan_dirs *d, struct fd_entry *e)
{
	const struct fd_entry *prev = d->cache && d->previous ? fd_snapshot_find(d->previous, e->fd)
							      : NULL;
	char name[16], link[PATH_MAX + 1];
	ssize_t n;
	int r;

	snprintf(name, sizeof(name), "%d", e->fd);
	if (prev && prev->type == FD_PIPE && (r = reread_pipe(d, prev, name, e)) != 1)
		return r;
	n = readlinkat(d->fd_dir, name, link, sizeof(link) - 1);
	if (n < 0)
		return errno == ENOENT ? READ_VANISHED : -errno;
	link[n] = '\0';
	e->name = strdup(link);
	if (!e->name)
		return -ENOMEM;
	e->type = fd_type_from_link(link, &e->inode);
	/* a memfd's file was never linked: the kernel names it "(deleted)", and so is it */
	if (e->type == FD_MEMFD)
		e->deleted = is_deleted_name(link);
	if (e->type == FD_UNKNOWN && link[0] == '/' && prev && is_path_type(prev->type) &&
	    strcmp(prev->name, link) == 0 && (r = reread_path(d, prev, name, e)) != 1)
		return r;
	if (e->type == FD_UNKNOWN && link[0] == '/') {
		r = stat_path(d, name, e);
		if (r < 0)
			return r == -ENOENT ? READ_VANISHED : r;
	}
	if (e->type == FD_SOCKET)
		return READ_OK;
	if (d->no_fdinfo) /* the type and inode are all the caller wants */
		return link[0] == '/' ? same_link(d, name, link) : READ_OK;
	r = read_info(d, name, e);
	if (r < 0)
		return r == -ENOENT ? READ_VANISHED : r;
	if (e->info.has_ino && e->inode && e->info.ino != e->inode)
		return READ_REPLACED;
	if (!e->inode && e->info.has_ino)
		e->inode = e->info.ino;
	if (link[0] != '/')
		return READ_OK;
	r = same_link(d, name, link);
	return r == READ_OK && e->type == FD_FIFO ? same_fifo(d, link, e) : r;
}

/*
 * An fd whose link the kernel refuses (it may still list the fd): what can be read without
 * the link. The link's own permission bits are the mode the file was opened with (procfs sets
 * r for FMODE_READ, w for FMODE_WRITE), and fdinfo may be allowed where the link is not.
 */
static void read_denied(const struct scan_dirs *d, struct fd_entry *e)
{
	char name[16];
	struct stat st;
	size_t n = 0;

	snprintf(name, sizeof(name), "%d", e->fd);
	if (fstatat(d->fd_dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		if (st.st_mode & S_IRUSR)
			e->access[n++] = 'r';
		if (st.st_mode & S_IWUSR)
			e->access[n++] = 'w';
		e->access[n] = '\0';
	}
	if (read_info(d, name, e) < 0) {
		fdinfo_release(&e->info);
		memset(&e->info, 0, sizeof(e->info));
		e->has_fdinfo = false;
	}
}

/* Fill e for e->fd, reading it again when it was replaced between two reads. */
int fd_entry_read(const struct scan_dirs *d, struct fd_entry *e)
{
	int fd = e->fd;

	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		int r = read_entry_once(d, e);

		if (r == READ_OK || r == READ_VANISHED || r == -ENOMEM)
			return r;
		fd_entry_release(e);
		e->fd = fd;
		if (r != READ_REPLACED) {
			entry_set_error(e, -r);
			if (r == -EACCES || r == -EPERM)
				read_denied(d, e);
			return READ_OK;
		}
	}
	/* Replaced again at every attempt: say so rather than guess. */
	entry_set_error(e, EAGAIN);
	return READ_OK;
}
