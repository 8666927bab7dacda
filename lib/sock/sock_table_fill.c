// SPDX-License-Identifier: MIT
/*
 * sock_table_fill: every socket of a network namespace into a sock_table. sock_diag first (one
 * NETLINK_SOCK_DIAG socket, made inside the target namespace when that is not ours: a socket
 * keeps the namespace it was created in, so only its creation needs setns), /proc/PID/net for
 * the families sock_diag has no module for, and for ping sockets, which it never lists.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../netlink/nl_dump.h"
#include "sock_diag_int.h"

#define SELF_NETNS "/proc/thread-self/ns/net"

/* 1 when the namespace file st names the calling thread's network namespace, 0 when not. */
static int is_own_netns(const struct stat *st)
{
	struct stat self;

	if (stat(SELF_NETNS, &self) < 0)
		return -errno;
	return st->st_ino == self.st_ino && st->st_dev == self.st_dev;
}

int sock_diag_open_in(int netns_fd, struct mnl_socket **out)
{
	struct stat st;
	int self, own = 1, err;

	if (netns_fd >= 0) {
		if (fstat(netns_fd, &st) < 0)
			return -errno;
		own = is_own_netns(&st);
		if (own < 0)
			return own;
	}
	if (own) {
		*out = nl_diag_open();
		return *out ? 0 : 1;
	}
	self = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		err = errno;
		close(self);
		return err == EPERM ? 1 : -err;
	}
	*out = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (setns(self, CLONE_NEWNET) < 0) {
		err = errno; /* this thread now lives in the wrong namespace: nothing may go on */
		if (*out)
			mnl_socket_close(*out);
		close(self);
		return -err;
	}
	close(self);
	if (!*out)
		return 1;
	/* binding only picks a port id; the socket's namespace was fixed at creation */
	if (mnl_socket_bind(*out, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(*out);
		return 1;
	}
	return 0;
}

/* The kernel's ways of saying it has no sock_diag module for a family or protocol. */
static bool no_diag_module(int r)
{
	return r == -ENOENT || r == -EOPNOTSUPP || r == -EINVAL;
}

/* Read one /proc/net table; a missing file means the kernel has no such sockets at all. No
 * dir: none shows the namespace (its sockets are sock_diag's only). */
static int proc_table(const char *dir, const char *name, int ifname_fd, struct sock_table *t)
{
	int r = dir ? proc_net_read(dir, name, ifname_fd, t) : 0;

	return r == -ENOENT ? 0 : (r < 0 ? r : 0);
}

struct diag_family {
	int family, protocol; /* protocol for AF_INET, AF_INET6 only */
	const char *proc_name; /* its /proc/net table */
};

static const struct diag_family diag_families[] = {
	{ AF_INET, IPPROTO_TCP, "tcp" },   { AF_INET6, IPPROTO_TCP, "tcp6" },
	{ AF_INET, IPPROTO_UDP, "udp" },   { AF_INET6, IPPROTO_UDP, "udp6" },
	{ AF_INET, IPPROTO_RAW, "raw" },   { AF_INET6, IPPROTO_RAW, "raw6" },
	{ AF_UNIX, 0, "unix" },            { AF_NETLINK, 0, "netlink" },
	{ AF_PACKET, 0, "packet" },
};
#define N_DIAG_FAMILIES (sizeof(diag_families) / sizeof(diag_families[0]))

static int diag_dump_family(struct mnl_socket *nl, unsigned int seq,
			    const struct diag_family *f, struct sock_table *t)
{
	switch (f->family) {
	case AF_UNIX:
		return sock_diag_unix_dump(nl, seq, t);
	case AF_NETLINK:
		return sock_diag_netlink_dump(nl, seq, t);
	case AF_PACKET:
		return sock_diag_packet_dump(nl, seq, mnl_socket_get_fd(nl), t);
	}
	return sock_diag_inet_dump(nl, seq, f->family, f->protocol, mnl_socket_get_fd(nl), t);
}

/* Every family through nl, those without a diag module and ping sockets from proc_net_dir. */
static int fill_from_diag(struct sock_table *t, struct mnl_socket *nl, const char *proc_net_dir)
{
	unsigned int seq = (unsigned int)time(NULL);
	int ifname_fd = mnl_socket_get_fd(nl), r = 0;
	size_t i;

	for (i = 0; i < N_DIAG_FAMILIES && r >= 0; i++) {
		r = diag_dump_family(nl, seq + (unsigned int)i, &diag_families[i], t);
		if (no_diag_module(r))
			r = proc_table(proc_net_dir, diag_families[i].proc_name, ifname_fd, t);
	}
	if (r >= 0)
		r = proc_table(proc_net_dir, "icmp", ifname_fd, t);
	if (r >= 0)
		r = proc_table(proc_net_dir, "icmp6", ifname_fd, t);
	return r < 0 ? r : 0;
}

/* How fill_proc names interfaces: in our namespace when proc_net_dir ("/proc/PID/net")
 * shows ours (its ../ns/net is our namespace), else by number: we cannot ask the other one. */
static int proc_ifname_fd(const char *proc_net_dir)
{
	char path[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/../ns/net", proc_net_dir) >= sizeof(path) ||
	    stat(path, &st) < 0 || is_own_netns(&st) != 1)
		return SOCK_IFNAME_NUMERIC;
	return -1;
}

static int fill_proc(struct sock_table *t, const char *proc_net_dir, int ifname_fd)
{
	static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6", "raw", "raw6",
					      "icmp", "icmp6", "unix", "netlink", "packet" };
	struct stat st;
	size_t i;
	int r;

	if (stat(proc_net_dir, &st) < 0)
		return -errno;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		r = proc_table(proc_net_dir, tables[i], ifname_fd, t);
		if (r < 0)
			return r;
	}
	return 0;
}

int sock_table_fill_proc(struct sock_table *t, const char *proc_net_dir,
			 enum sock_source *source)
{
	int r = fill_proc(t, proc_net_dir, proc_ifname_fd(proc_net_dir));

	*source = r < 0 ? SOCK_SOURCE_NONE : SOCK_SOURCE_PROC_NET;
	return r;
}

int sock_table_fill(struct sock_table *t, int netns_fd, const char *proc_net_dir,
		    enum sock_source *source)
{
	struct mnl_socket *nl = NULL;
	int r;

	*source = SOCK_SOURCE_NONE;
	r = sock_diag_open_in(netns_fd, &nl);
	if (r < 0)
		return r;
	if (r == 1 && !proc_net_dir)
		return 0; /* *source stays SOCK_SOURCE_NONE */
	if (r == 1)
		return sock_table_fill_proc(t, proc_net_dir, source);
	r = fill_from_diag(t, nl, proc_net_dir);
	mnl_socket_close(nl);
	if (r == 0)
		*source = SOCK_SOURCE_SOCK_DIAG;
	return r;
}
