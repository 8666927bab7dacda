// SPDX-License-Identifier: MIT
/* fd_snapshot: a snapshot as data: find an fd in it, release an entry or the whole of it.
 * The readers (fd_read, fd_collect, fd_scan, fd_watcher) call these; these call none of them. */
#include <stdlib.h>
#include <string.h>

#include "fd_scan_int.h"

static int compare_fd(const void *a, const void *b)
{
	const struct fd_entry *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

void fd_snapshot_sort(struct fd_snapshot *s)
{
	qsort(s->fds, s->count, sizeof(*s->fds), compare_fd);
}

const struct fd_entry *fd_snapshot_find(const struct fd_snapshot *s, int fd)
{
	struct fd_entry key = { .fd = fd };

	return bsearch(&key, s->fds, s->count, sizeof(key), compare_fd);
}

void fd_entry_release(struct fd_entry *e)
{
	free(e->name);
	fdinfo_release(&e->info);
	memset(e, 0, sizeof(*e));
}

void fd_snapshot_release(struct fd_snapshot *s)
{
	for (size_t i = 0; i < s->count; i++)
		fd_entry_release(&s->fds[i]);
	free(s->fds);
	s->fds = NULL;
	s->count = 0;
	sock_table_release(&s->sockets);
	fd_tcp_infos_free(s->tcp_infos);
	s->tcp_infos = NULL;
}
