// SPDX-License-Identifier: MIT
/* fd_diff: compare two snapshots fd by fd, the way a monitor reports opens and closes. */
#include <string.h>

#include "nic2app/fd_diff.h"

const char *fd_change_name(enum fd_change c)
{
	switch (c) {
	case FD_OPENED: return "open";
	case FD_CLOSED: return "close";
	default: return "change";
	}
}

static bool same_socket(const struct sock_desc *a, const struct sock_desc *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a->state, b->state) == 0 && strcmp(a->remote, b->remote) == 0 &&
	       strcmp(a->local, b->local) == 0;
}

bool fd_entry_same(const struct fd_entry *a, const struct fd_entry *b)
{
	if (a->type != b->type || a->inode != b->inode || a->err != b->err)
		return false;
	if (a->type == FD_SOCKET)
		return same_socket(a->sock, b->sock);
	/* Anonymous inodes share one inode number: the link text tells them apart no better,
	 * so an eventfd replaced by another eventfd counts as the same. */
	return true;
}

int fd_snapshot_diff(const struct fd_snapshot *before, const struct fd_snapshot *after,
		     fd_change_fn fn, void *ctx)
{
	size_t i = 0, j = 0;
	int r = 0;

	while (r == 0 && (i < before->count || j < after->count)) {
		const struct fd_entry *a = i < before->count ? &before->fds[i] : NULL;
		const struct fd_entry *b = j < after->count ? &after->fds[j] : NULL;

		if (a && (!b || a->fd < b->fd)) {
			r = fn(FD_CLOSED, a, NULL, ctx);
			i++;
		} else if (b && (!a || b->fd < a->fd)) {
			r = fn(FD_OPENED, NULL, b, ctx);
			j++;
		} else {
			if (!fd_entry_same(a, b))
				r = fn(FD_CHANGED, a, b, ctx);
			i++;
			j++;
		}
	}
	return r;
}
