// SPDX-License-Identifier: MIT
/*
 * fd_tcp_info: `nic2app fds --tcp-info`: the tcp_info of each TCP socket an fd holds, from one
 * sock_diag dump (with INET_DIAG_INFO) per network namespace the sockets live in. Most live in
 * their process's namespace (/proc/PID/ns/net); one made before a setns() is in another, which
 * a copy of the fd names (pidfd_getfd, then SIOCGSKNS) as fd_sock_netns does for addresses.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nic2app/fd_machine.h"
#include "fd_scan_int.h"

/* The dumps made so far: one table per namespace. */
struct fd_tcp_infos {
	struct tcp_info_table *tables;
	uint64_t *ino;
	size_t count;
};

void fd_tcp_infos_free(struct fd_tcp_infos *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->count; i++)
		tcp_info_table_release(&set->tables[i]);
	free(set->tables);
	free(set->ino);
	free(set);
}

static const struct sock_tcp_info *find_any(const struct fd_tcp_infos *set, uint32_t inode)
{
	const struct sock_tcp_info *found = NULL;

	for (size_t i = 0; !found && i < set->count; i++)
		found = tcp_info_find(&set->tables[i], inode);
	return found;
}

/* Dump namespace ino (netns_fd) unless done already. 0 or -ENOMEM: a namespace that cannot be
 * entered is remembered as an empty table. */
static int dump_ns(struct fd_tcp_infos *set, int netns_fd, uint64_t ino)
{
	struct tcp_info_table *tables;
	uint64_t *inos;

	for (size_t i = 0; i < set->count; i++)
		if (set->ino[i] == ino)
			return 0;
	tables = realloc(set->tables, (set->count + 1) * sizeof(*tables));
	if (tables)
		set->tables = tables;
	inos = realloc(set->ino, (set->count + 1) * sizeof(*inos));
	if (inos)
		set->ino = inos;
	if (!tables || !inos)
		return -ENOMEM;
	set->tables[set->count] = (struct tcp_info_table){ 0 };
	set->ino[set->count] = ino;
	if (tcp_info_table_fill(&set->tables[set->count], netns_fd) == -ENOMEM) {
		tcp_info_table_release(&set->tables[set->count]);
		return -ENOMEM;
	}
	set->count++;
	return 0;
}

/* The namespace process pid is in. */
static int dump_process_ns(struct fd_tcp_infos *set, pid_t pid)
{
	char path[64];
	struct stat st;
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	r = fstat(fd, &st) < 0 ? 0 : dump_ns(set, fd, st.st_ino);
	close(fd);
	return r;
}

static bool is_tcp(const struct fd_entry *e)
{
	return e->type == FD_SOCKET && e->sock &&
	       (e->sock->family == AF_INET || e->sock->family == AF_INET6) &&
	       strcmp(e->sock->proto, "tcp") == 0;
}

/* The namespace the socket of e itself names (it left its process's). 0 or -ENOMEM. */
static int dump_socket_ns(struct fd_tcp_infos *set, int *pidfd, pid_t tgid,
			  const struct fd_entry *e)
{
	uint64_t ino;
	int netns_fd, r;

	if (*pidfd == -1 && (*pidfd = fd_pidfd_open(tgid)) < 0)
		*pidfd = -2; /* cannot be asked: do not try again for this process */
	if (*pidfd < 0 || fd_socket_netns(*pidfd, false, e->fd, e->inode, &netns_fd, &ino) != 0)
		return 0;
	r = dump_ns(set, netns_fd, ino);
	close(netns_fd);
	return r;
}

static int attach(struct fd_tcp_infos *set, pid_t tgid, struct fd_entry *fds, size_t count)
{
	bool own_done = false;
	int pidfd = -1, r = 0;

	for (size_t i = 0; i < count && r == 0; i++) {
		struct fd_entry *e = &fds[i];

		if (!is_tcp(e))
			continue;
		e->tcp_asked = true;
		if ((e->tcp = find_any(set, (uint32_t)e->inode)))
			continue;
		if (!own_done) {
			own_done = true;
			r = dump_process_ns(set, tgid);
			if (r == 0 && (e->tcp = find_any(set, (uint32_t)e->inode)))
				continue;
		}
		if (r == 0)
			r = dump_socket_ns(set, &pidfd, tgid, e);
		if (r == 0)
			e->tcp = find_any(set, (uint32_t)e->inode);
	}
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

int fd_snapshot_add_tcp_info(struct fd_snapshot *s)
{
	if (!s->tcp_infos && !(s->tcp_infos = calloc(1, sizeof(*s->tcp_infos))))
		return -ENOMEM;
	return attach(s->tcp_infos, s->tgid ? s->tgid : s->pid, s->fds, s->count);
}

int fd_machine_add_tcp_info(struct fd_machine *m)
{
	int r = 0;

	if (!m->tcp_infos && !(m->tcp_infos = calloc(1, sizeof(*m->tcp_infos))))
		return -ENOMEM;
	for (size_t i = 0; i < m->count && r == 0; i++) {
		struct fd_proc *p = &m->procs[i];

		if (!p->err)
			r = attach(m->tcp_infos, p->tgid, p->snap.fds, p->snap.count);
	}
	return r;
}
