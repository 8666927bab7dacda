// SPDX-License-Identifier: MIT
/*
 * fd_sockets: what each socket fd is connected to. The table of every socket in the target's
 * network namespace comes from sock_diag (or /proc/PID/net); a big scan fills it on its own
 * thread while the fds are being read. Sockets the table lacks are named by protocol.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fd_scan_int.h"

/*
 * A socket neither sock_diag nor /proc/net lists (AF_ALG, AF_VSOCK...; or one closed since its
 * link was read) still names its protocol in an xattr of sockfs: "TCP", "UNIX-STREAM", "ALG".
 * checked: the socket's own namespace was asked, and lacks it too (else its state is left
 * unknown). Returns 1 with d filled, 0 when the fd no longer holds that socket, -errno.
 */
static int describe_by_protoname(int fd_dir, const struct fd_entry *e, bool checked,
				 struct sock_desc *d)
{
	static const struct {
		const char *protoname;
		int family;
		const char *proto;
	} known[] = {
		{ "TCP", AF_INET, "tcp" }, { "TCPv6", AF_INET6, "tcp" },
		{ "UDP", AF_INET, "udp" }, { "UDPv6", AF_INET6, "udp" },
		{ "UDP-Lite", AF_INET, "udplite" }, { "UDPLITEv6", AF_INET6, "udplite" },
		{ "RAW", AF_INET, "raw" }, { "RAWv6", AF_INET6, "raw" },
		{ "PING", AF_INET, "icmp" }, { "PINGv6", AF_INET6, "icmp" },
		{ "UNIX-STREAM", AF_UNIX, "stream" }, { "UNIX", AF_UNIX, "" },
		{ "NETLINK", AF_NETLINK, "" }, { "PACKET", AF_PACKET, "" },
	};
	char name[16], link[64], path[64], protoname[32];
	ssize_t n;

	snprintf(name, sizeof(name), "%d", e->fd);
	n = readlinkat(fd_dir, name, link, sizeof(link) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	link[n] = '\0';
	if (strcmp(link, e->name) != 0)
		return 0;
	/* getxattr follows the magic link to the socket's inode */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%d", fd_dir, e->fd);
	n = getxattr(path, "system.sockprotoname", protoname, sizeof(protoname) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	protoname[n] = '\0';
	memset(d, 0, sizeof(*d));
	d->inode = (uint32_t)e->inode;
	d->family = AF_UNSPEC;
	snprintf(d->proto, sizeof(d->proto), "%.15s", protoname);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(known[i].protoname, protoname) == 0) {
			d->family = known[i].family;
			snprintf(d->proto, sizeof(d->proto), "%s", known[i].proto);
		}
	}
	/* inet_diag lists every TCP socket that listens or is connected (or on its way), and every
	 * bound UDP socket, of its namespace: one its own namespace left out is a TCP socket in
	 * TCP_CLOSE (never bound, only bound, or its connection over) or an unbound UDP one. */
	if (checked && strcmp(d->proto, "tcp") == 0)
		snprintf(d->state, sizeof(d->state), "CLOSE");
	else if (checked && strcmp(d->proto, "udp") == 0)
		snprintf(d->state, sizeof(d->state), "UNCONN");
	return 1;
}

/* Where the sockets the table of the process's namespace lacks are looked for. */
struct missing_ctx {
	int fd_dir, pidfd;
	bool self;          /* the scan of our own process: its fds are ours to dup */
	uint64_t own_ino;
	struct netns_tables others;
};

/* A socket the table lacks: found in its own namespace, or given an entry named by its
 * protocol; returns 1 when the fd has closed since it was read (drop it), 0, -errno. */
static int add_missing(struct missing_ctx *m, struct sock_table *table, const struct fd_entry *e,
		       struct fd_snapshot *s)
{
	struct sock_desc d;
	bool checked = false;
	int r, err = 0;

	if (sock_table_find(table, (uint32_t)e->inode))
		return 0;
	r = sock_find_elsewhere(&m->others, m->pidfd, m->self, m->own_ino, e, &d, &checked, &err);
	if (r < 0)
		return r;
	if (r == 1) {
		s->sockets_other_netns++;
		return sock_table_add(table, &d);
	}
	r = describe_by_protoname(m->fd_dir, e, checked, &d);
	if (r <= 0)
		return r == 0 ? 1 : r;
	s->sockets_unresolved++;
	if (!checked) {
		s->sockets_netns_unchecked++;
		if (!s->netns_err)
			s->netns_err = -err;
	}
	return sock_table_add(table, &d);
}

/* unix_diag names a socket's peer by inode only; its address is the peer's own name (what
 * getpeername() returns: a client's peer is the listener's path). */
static void name_unix_peers(struct sock_table *table)
{
	for (size_t i = 0; i < table->count; i++) {
		struct sock_desc *sd = &table->descs[i];
		const struct sock_desc *peer;

		if (sd->family != AF_UNIX || !sd->peer_inode || sd->remote[0])
			continue;
		peer = sock_table_find(table, sd->peer_inode);
		if (peer)
			memcpy(sd->remote, peer->local, sizeof(peer->local));
	}
}

static void *sock_job_run(void *arg)
{
	struct sock_job *job = arg;
	char net_dir[64];
	struct stat st;
	int netns_fd = -1;

	/* Without the target's namespace sock_diag would answer about ours: then only its
	 * /proc/PID/net tables are right. */
	if (!(job->flags & FD_SCAN_PROC_NET_ONLY))
		netns_fd = openat(job->pid_dir, "ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(net_dir, sizeof(net_dir), "/proc/self/fd/%d/net", job->pid_dir);
	if (netns_fd < 0) {
		job->err = sock_table_fill_proc(&job->table, net_dir, &job->source);
	} else {
		if (fstat(netns_fd, &st) == 0)
			job->netns_ino = st.st_ino;
		job->err = sock_table_fill(&job->table, netns_fd, net_dir, &job->source);
		close(netns_fd);
	}
	/* only sock_diag can be asked about another namespace's sockets */
	if (job->source != SOCK_SOURCE_SOCK_DIAG)
		job->netns_ino = 0;
	return NULL;
}

void sock_job_start(struct sock_job *job, int pid_dir, unsigned int flags, bool threaded)
{
	*job = (struct sock_job){ .pid_dir = pid_dir, .flags = flags, .table = SOCK_TABLE_INIT };
	if (threaded && pthread_create(&job->thread, NULL, sock_job_run, job) == 0)
		job->threaded = true;
	else
		sock_job_run(job);
}

static int sock_job_finish(struct sock_job *job)
{
	if (job->threaded)
		pthread_join(job->thread, NULL);
	job->threaded = false;
	return job->err;
}

int sock_job_resolve(struct sock_job *job, int fd_dir, int pidfd, struct fd_snapshot *s)
{
	struct missing_ctx m = { .fd_dir = fd_dir, .pidfd = pidfd, .self = s->pid == getpid(),
				 .own_ino = job->netns_ino };
	size_t kept = 0;
	int r = sock_job_finish(job);

	s->socket_source = job->source;
	/* first complete the table (its entries may move while it grows), then point at it */
	for (size_t i = 0; i < s->count; i++) {
		struct fd_entry *e = &s->fds[i];
		int gone = 0;

		if (r == 0 && e->type == FD_SOCKET)
			gone = add_missing(&m, &job->table, e, s);
		if (gone < 0)
			r = gone;
		if (gone == 1)
			fd_entry_release(e);
		else
			s->fds[kept++] = *e;
	}
	s->count = kept;
	netns_tables_release(&m.others);
	if (r)
		return r;
	name_unix_peers(&job->table);
	for (size_t i = 0; i < s->count; i++)
		if (s->fds[i].type == FD_SOCKET)
			s->fds[i].sock = sock_table_find(&job->table, (uint32_t)s->fds[i].inode);
	/* the snapshot keeps the table its entries point into */
	s->sockets = job->table;
	job->table = (struct sock_table)SOCK_TABLE_INIT;
	return 0;
}

void sock_job_release(struct sock_job *job)
{
	sock_job_finish(job);
	sock_table_release(&job->table);
}
