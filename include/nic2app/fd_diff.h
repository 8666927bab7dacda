/* SPDX-License-Identifier: MIT */
/* fd_diff: what changed between two snapshots of one process's fds. */
#ifndef NIC2APP_FD_DIFF_H
#define NIC2APP_FD_DIFF_H

#include <stdbool.h>

#include "nic2app/fd_scan.h"

enum fd_change {
	FD_OPENED,   /* the fd number is new */
	FD_CLOSED,   /* the fd number is gone */
	FD_CHANGED,  /* same number, another object, or a socket in another state */
};

const char *fd_change_name(enum fd_change c); /* "open" "close" "change" */

/* Same object in the same state: type, inode, and for sockets state and peer. */
bool fd_entry_same(const struct fd_entry *a, const struct fd_entry *b);

/* before is NULL for FD_OPENED, after is NULL for FD_CLOSED. A non-zero return stops the walk
 * and is returned. */
typedef int (*fd_change_fn)(enum fd_change c, const struct fd_entry *before,
			    const struct fd_entry *after, void *ctx);

/* Walk both snapshots (sorted by fd) in fd order and report every difference. */
int fd_snapshot_diff(const struct fd_snapshot *before, const struct fd_snapshot *after,
		     fd_change_fn fn, void *ctx);

#endif
