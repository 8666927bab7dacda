// SPDX-License-Identifier: MIT
/*
 * fd_sock_netns: the network namespace a socket belongs to. A socket stays in the namespace it
 * was created in: a process that made a listener and then moved with setns() holds sockets
 * its current namespace's sock_diag does not list. For each such socket a copy of its fd
 * (pidfd_getfd, which needs the right to ptrace the process) answers ioctl(SIOCGSKNS) with
 * its namespace; that namespace's sock_diag then describes it. One table per namespace, so
 * a process with many sockets left in one namespace costs one dump.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "fd_scan_int.h"

void netns_tables_release(struct netns_tables *n)
{
	for (size_t i = 0; i < n->count; i++)
		sock_table_release(&n->list[i].table);
	free(n->list);
	n->list = NULL;
	n->count = 0;
}

/* The table of the namespace netns_fd names (inode ino), dumped on first use. */
static struct ns_table *table_of(struct netns_tables *n, int netns_fd, uint64_t ino)
{
	struct ns_table *grown, *t;
	enum sock_source source;

	for (size_t i = 0; i < n->count; i++)
		if (n->list[i].ino == ino)
			return &n->list[i];
	grown = realloc(n->list, (n->count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	n->list = grown;
	t = &n->list[n->count++];
	*t = (struct ns_table){ .ino = ino, .table = SOCK_TABLE_INIT };
	/* no /proc/PID/net shows that namespace: sock_diag alone (no ping sockets) */
	t->err = sock_table_fill(&t->table, netns_fd, NULL, &source);
	if (t->err == 0 && source != SOCK_SOURCE_SOCK_DIAG)
		t->err = -EPERM; /* entering it was not allowed */
	return t;
}

int fd_socket_netns(int pidfd, bool self, int fd, uint64_t inode, int *netns_fd, uint64_t *ino)
{
	struct stat st;
	int copy = -1, err;

	errno = ENOSYS;
	if (pidfd >= 0)
		copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	/* our own fds need no pidfd_getfd (missing before 5.6, and under valgrind) */
	if (copy < 0 && errno == ENOSYS && self)
		copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (copy < 0)
		return errno == EBADF ? 1 : -errno;
	if (fstat(copy, &st) < 0 || st.st_ino != inode) {
		close(copy);
		return 1;
	}
	*netns_fd = ioctl(copy, SIOCGSKNS);
	err = errno;
	close(copy); /* the process keeps its own reference: this closes nothing of its */
	if (*netns_fd < 0)
		return -err;
	if (fstat(*netns_fd, &st) < 0) {
		err = errno;
		close(*netns_fd);
		return -err;
	}
	*ino = st.st_ino;
	return 0;
}

int sock_find_elsewhere(struct netns_tables *n, int pidfd, bool self, uint64_t own_ino,
		       const struct fd_entry *e, struct sock_desc *d, bool *checked, int *err)
{
	const struct sock_desc *found;
	struct ns_table *t;
	uint64_t ino = 0;
	int netns_fd = -1, r;

	*checked = false;
	/* without sock_diag in its process's namespace (own_ino 0), none other can be asked */
	if ((pidfd < 0 && !self) || !own_ino)
		r = own_ino ? -ENOSYS : -EOPNOTSUPP;
	else
		r = fd_socket_netns(pidfd, self, e->fd, e->inode, &netns_fd, &ino);
	if (r == 1)
		return 0; /* replaced since it was read: the caller finds out */
	if (r < 0) {
		*err = r;
		return 0;
	}
	if (ino == own_ino) {
		close(netns_fd);
		*checked = true; /* in its process's namespace, whose table lacks it */
		return 0;
	}
	t = table_of(n, netns_fd, ino);
	close(netns_fd);
	if (!t)
		return -ENOMEM;
	if (t->err) {
		*err = t->err;
		return 0;
	}
	*checked = true;
	found = sock_table_find(&t->table, (uint32_t)e->inode);
	if (!found)
		return 0;
	*d = *found;
	d->netns = ino;
	return 1;
}
