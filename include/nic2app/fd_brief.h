/* SPDX-License-Identifier: MIT */
/* fd_brief: what one of our own file descriptors points to, from /proc/self/fd and fstat. */
#ifndef NIC2APP_FD_BRIEF_H
#define NIC2APP_FD_BRIEF_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct fd_brief {
	int fd;
	bool open;            /* false: the fd number is not in use (then err is -EBADF) */
	int err;              /* 0, or -errno of the first read that failed */
	char target[PATH_MAX]; /* readlink of /proc/self/fd/N: "/dev/pts/0", "pipe:[123]" */
	const char *kind;     /* file dir chr blk pipe fifo socket anon unknown */
	int flags;            /* fcntl(F_GETFL) */
};

/* Kind of a file from its fstat mode and its /proc link text (pipes are FIFOs named pipe:[N]). */
const char *fd_kind_from_mode(mode_t mode, const char *target);
int fd_brief_read(int fd, struct fd_brief *out);
/* "O_RDONLY", "O_WRONLY|O_APPEND", "O_RDWR|O_NONBLOCK"... into buf. */
const char *open_flags_format(int flags, char *buf, size_t len);

#endif
