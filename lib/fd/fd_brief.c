// SPDX-License-Identifier: MIT
/* fd_brief: describe one of the caller's own fds (the standard three, for a start). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nic2app/fd_brief.h"
#include "nic2app/fd_scan.h"

const char *fd_kind_from_mode(mode_t mode, const char *target)
{
	enum fd_type t = fd_type_from_mode(mode);

	/* an anonymous pipe shows as "pipe:[inode]"; a named FIFO shows its path */
	if (t == FD_FIFO && strncmp(target, "pipe:[", 6) == 0)
		t = FD_PIPE;
	/* anon inodes (eventfd, epoll, ...) have no file type bits */
	else if ((mode & S_IFMT) == 0 && strncmp(target, "anon_inode:", 11) == 0)
		t = FD_ANON;
	return fd_type_name(t);
}

int fd_brief_read(int fd, struct fd_brief *out)
{
	char link[64];
	struct stat st;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	out->fd = fd;
	out->kind = "unknown";
	out->flags = fcntl(fd, F_GETFL);
	if (out->flags < 0) {
		out->err = -errno;
		return out->err;
	}
	out->open = true;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out->target, sizeof(out->target) - 1);
	if (n < 0) {
		out->err = -errno;
		return out->err;
	}
	out->target[n] = '\0';
	if (fstat(fd, &st) < 0) {
		out->err = -errno;
		return out->err;
	}
	out->kind = fd_kind_from_mode(st.st_mode, out->target);
	return 0;
}

/* buf[used..] = sep name, cut to fit len with its NUL; the new length. */
static size_t append_name(char *buf, size_t len, size_t used, const char *sep, const char *name)
{
	size_t a = strlen(sep), b = strlen(name);

	if (used + a + b + 1 > len)
		return used;
	memcpy(buf + used, sep, a);
	memcpy(buf + used + a, name, b + 1);
	return used + a + b;
}

const char *open_flags_format(int flags, char *buf, size_t len)
{
	static const struct {
		int bit;
		const char *name;
	} extra[] = {
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" }, { O_SYNC, "O_SYNC" },
		{ O_DIRECT, "O_DIRECT" }, { O_NOATIME, "O_NOATIME" },  { O_PATH, "O_PATH" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_CLOEXEC, "O_CLOEXEC" },
	};
	const char *mode;
	size_t used, i;

	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		mode = "O_RDONLY";
		break;
	case O_WRONLY:
		mode = "O_WRONLY";
		break;
	default:
		mode = "O_RDWR";
	}
	/* appended by hand, not by snprintf: this runs for every fd of a snapshot */
	used = 0;
	if (!len)
		return buf;
	buf[0] = '\0';
	used = append_name(buf, len, used, "", mode);
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if ((flags & extra[i].bit) == extra[i].bit)
			used = append_name(buf, len, used, "|", extra[i].name);
	return buf;
}
