// SPDX-License-Identifier: MIT
/* fd_type: the kind of thing an fd points to, from its /proc link text or its stat mode. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nic2app/fd_scan.h"

static const char *const type_names[FD_TYPE_COUNT] = {
	[FD_FILE] = "file", [FD_DIR] = "dir", [FD_CHR] = "chr", [FD_BLK] = "blk",
	[FD_PIPE] = "pipe", [FD_FIFO] = "fifo", [FD_SOCKET] = "socket",
	[FD_EVENTFD] = "eventfd", [FD_EPOLL] = "epoll", [FD_TIMERFD] = "timerfd",
	[FD_SIGNALFD] = "signalfd", [FD_INOTIFY] = "inotify", [FD_FANOTIFY] = "fanotify",
	[FD_PIDFD] = "pidfd", [FD_IO_URING] = "io_uring", [FD_MEMFD] = "memfd",
	[FD_ANON] = "anon", [FD_ERROR] = "error", [FD_UNKNOWN] = "unknown",
};

const char *fd_type_name(enum fd_type type)
{
	if ((unsigned int)type >= FD_TYPE_COUNT)
		return "unknown";
	return type_names[type];
}

int fd_type_from_name(const char *name)
{
	for (int t = 0; t < FD_TYPE_COUNT; t++)
		if (strcmp(type_names[t], name) == 0)
			return t;
	return -1;
}

/* Anonymous inodes name their kind in the link: anon_inode:[eventfd], anon_inode:inotify. */
static const struct {
	const char *name;
	enum fd_type type;
} anon_kinds[] = {
	{ "eventfd", FD_EVENTFD }, { "eventpoll", FD_EPOLL }, { "timerfd", FD_TIMERFD },
	{ "signalfd", FD_SIGNALFD }, { "inotify", FD_INOTIFY }, { "fanotify", FD_FANOTIFY },
	{ "pidfd", FD_PIDFD }, { "io_uring", FD_IO_URING },
};

static enum fd_type anon_kind(const char *kind)
{
	size_t len = strlen(kind);

	if (len >= 2 && kind[0] == '[' && kind[len - 1] == ']') {
		kind++;
		len -= 2;
	}
	for (size_t i = 0; i < sizeof(anon_kinds) / sizeof(anon_kinds[0]); i++)
		if (strlen(anon_kinds[i].name) == len && memcmp(anon_kinds[i].name, kind, len) == 0)
			return anon_kinds[i].type;
	return FD_ANON;
}

/* "socket:[123]" -> 123 when link starts with prefix and the rest is "[digits]". */
static bool bracketed_inode(const char *link, const char *prefix, uint64_t *inode)
{
	size_t plen = strlen(prefix);
	char *end;

	if (strncmp(link, prefix, plen) != 0 || link[plen] != '[')
		return false;
	*inode = strtoull(link + plen + 1, &end, 10);
	return end != link + plen + 1 && end[0] == ']' && end[1] == '\0';
}

enum fd_type fd_type_from_link(const char *link, uint64_t *inode)
{
	*inode = 0;
	if (bracketed_inode(link, "socket:", inode))
		return FD_SOCKET;
	if (bracketed_inode(link, "pipe:", inode))
		return FD_PIPE;
	if (strncmp(link, "anon_inode:", 11) == 0)
		return anon_kind(link + 11);
	/* memfd_create files live on an internal shmem mount and are always "deleted". */
	if (strncmp(link, "/memfd:", 7) == 0)
		return FD_MEMFD;
	return FD_UNKNOWN;
}

enum fd_type fd_type_from_mode(unsigned int mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return FD_FILE;
	case S_IFDIR: return FD_DIR;
	case S_IFCHR: return FD_CHR;
	case S_IFBLK: return FD_BLK;
	case S_IFIFO: return FD_FIFO;
	case S_IFSOCK: return FD_SOCKET;
	default: return FD_UNKNOWN;
	}
}
