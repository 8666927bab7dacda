// SPDX-License-Identifier: MIT
/* fdinfo_cache: a watcher's fdinfo files kept open between snapshots, by fd number. The scan
 * sizes it (fd_scan), fd_read preads through it, the watcher prunes and releases it. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "fd_scan_int.h"

/* Make room for fds up to the table's current size (handles are kept by fd number). */
int fdinfo_cache_fit(struct fdinfo_cache *c, size_t size)
{
	int *grown;

	if (!c->most || size <= c->size || size > LARGEST_CACHED_TABLE)
		return 0;
	grown = realloc(c->handles, size * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	for (size_t i = c->size; i < size; i++)
		grown[i] = -1;
	c->handles = grown;
	c->size = size;
	return 0;
}

/* Close the handles of fds that are gone, or that no longer read fdinfo (now sockets). */
void fdinfo_cache_prune(struct fdinfo_cache *c, const struct fd_snapshot *s)
{
	for (size_t i = 0; i < c->size; i++) {
		const struct fd_entry *e;

		if (c->handles[i] < 0)
			continue;
		e = fd_snapshot_find(s, (int)i);
		if (e && e->has_fdinfo)
			continue;
		close(c->handles[i]);
		c->handles[i] = -1;
		atomic_fetch_sub(&c->held, 1);
	}
}

void fdinfo_cache_release(struct fdinfo_cache *c)
{
	for (size_t i = 0; i < c->size; i++)
		if (c->handles[i] >= 0)
			close(c->handles[i]);
	free(c->handles);
	c->handles = NULL;
	c->size = 0;
}
