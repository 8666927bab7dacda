// SPDX-License-Identifier: MIT
/*
 * fd_event_entry: the fd object of an event, as the system call left it. When an fd is gone
 * before it can be read from /proc, this is all there is to say about it: its type from the
 * inode's mode and file system, its inode, flags and offset, the name its link would show
 * ("pipe:[N]", "anon_inode:[eventfd]"; a file's path as the program passed it), and for a
 * socket what it was bound and connected to when the call returned.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include <sys/un.h>

#include "fd_event_int.h"
#include "nic2app/names.h"
#include "nic2app/sockinfo.h"

/* s_magic of the file systems that tell kinds of fds apart (linux/magic.h) */
#define PIPEFS_MAGIC 0x50495045u
#define ANON_INODE_FS_MAGIC 0x09041934u
#define PID_FS_MAGIC 0x50494446u
#define TMPFS_MAGIC 0x01021994u
#define HUGETLBFS_MAGIC 0x958458f6u

static bool is_memfd(const struct fd_event *ev)
{
	return strcmp(ev->syscall, "memfd_create") == 0 ||
	       ((ev->fs_magic == TMPFS_MAGIC || ev->fs_magic == HUGETLBFS_MAGIC) &&
		strncmp(ev->name, "memfd:", 6) == 0);
}

/* The name /proc/PID/fd/N would show, as far as the call's record tells it. */
static int event_link(const struct fd_event *ev, char *buf, size_t size)
{
	if (ev->fs_magic == PID_FS_MAGIC)
		return snprintf(buf, size, "anon_inode:[pidfd]");
	if (ev->fs_magic == ANON_INODE_FS_MAGIC)
		return snprintf(buf, size, "anon_inode:%.*s", (int)ev->name_len, ev->name);
	switch (ev->mode & S_IFMT) {
	case S_IFSOCK:
		return snprintf(buf, size, "socket:[%llu]", (unsigned long long)ev->inode);
	case S_IFIFO:
		if (ev->fs_magic == PIPEFS_MAGIC)
			return snprintf(buf, size, "pipe:[%llu]", (unsigned long long)ev->inode);
		break;
	case S_IFREG:
		if (is_memfd(ev))
			return snprintf(buf, size, "/%.*s (deleted)", (int)ev->name_len, ev->name);
		break;
	}
	return snprintf(buf, size, "%.*s", (int)ev->name_len, ev->name);
}

static enum fd_type event_type(const struct fd_event *ev, const char *link)
{
	uint64_t ino;
	enum fd_type t;

	if (ev->fs_magic == PID_FS_MAGIC || ev->fs_magic == ANON_INODE_FS_MAGIC ||
	    (ev->mode & S_IFMT) == S_IFSOCK ||
	    ((ev->mode & S_IFMT) == S_IFIFO && ev->fs_magic == PIPEFS_MAGIC))
		return fd_type_from_link(link, &ino);
	if ((ev->mode & S_IFMT) == S_IFREG && is_memfd(ev))
		return FD_MEMFD;
	t = fd_type_from_mode(ev->mode);
	return t == FD_UNKNOWN && ev->mode == 0 ? FD_ANON : t;
}

static const char *inet_proto(const struct fd_event *ev, char *buf, size_t size)
{
	if (ev->sock_type == SOCK_RAW)
		return "raw";
	if (ev->protocol == IPPROTO_ICMP || ev->protocol == IPPROTO_ICMPV6)
		return "icmp";
	if (ev->protocol == IPPROTO_TCP || ev->protocol == IPPROTO_MPTCP)
		return "tcp";
	if (ev->protocol == IPPROTO_UDP || ev->protocol == IPPROTO_UDPLITE)
		return "udp";
	snprintf(buf, size, "%s", ipproto_name(ev->protocol));
	return buf;
}

static void inet_addr(int family, const uint8_t *addr, uint16_t port, char *buf, size_t size)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (family == AF_INET) {
		memcpy(&in.sin_addr, addr, 4);
		sockaddr_format((struct sockaddr *)&in, sizeof(in), buf, size);
	} else {
		memcpy(&in6.sin6_addr, addr, 16);
		sockaddr_format((struct sockaddr *)&in6, sizeof(in6), buf, size);
	}
}

/* A unix name as sock_table shows it: the path, or '@' and the abstract name with its NUL
 * bytes as '@'. */
static void unix_name(const struct fd_event *ev, char *buf, size_t size)
{
	size_t n = ev->name_len < size - 1 ? ev->name_len : size - 1, i;

	if (n && ev->name[0] != '\0') {
		snprintf(buf, size, "%.*s", (int)strnlen(ev->name, n), ev->name);
		return;
	}
	for (i = 0; i < n; i++)
		buf[i] = ev->name[i] ? ev->name[i] : '@';
	buf[i] = '\0';
}

void sock_desc_from_event(const struct fd_event *ev, struct sock_desc *sd)
{
	static const uint8_t zero[16];
	bool tcp;

	memset(sd, 0, sizeof(*sd));
	sd->inode = (uint32_t)ev->inode;
	sd->family = ev->family;
	switch (ev->family) {
	case AF_INET:
	case AF_INET6:
		snprintf(sd->proto, sizeof(sd->proto), "%s",
			 inet_proto(ev, sd->state, sizeof(sd->state)));
		inet_addr(ev->family, ev->src, ev->sport, sd->local, sizeof(sd->local));
		if (ev->dport || memcmp(ev->dst, zero, ev->family == AF_INET ? 4 : 16))
			inet_addr(ev->family, ev->dst, ev->dport, sd->remote, sizeof(sd->remote));
		tcp = strcmp(sd->proto, "tcp") == 0;
		break;
	case AF_UNIX:
		snprintf(sd->proto, sizeof(sd->proto), "%s", socktype_name(ev->sock_type));
		unix_name(ev, sd->local, sizeof(sd->local));
		sd->peer_inode = ev->peer_inode;
		tcp = ev->sock_type == SOCK_STREAM || ev->sock_type == SOCK_SEQPACKET;
		break;
	case AF_NETLINK:
		snprintf(sd->proto, sizeof(sd->proto), "%s",
			 netlink_protocol_name(ev->protocol, sd->state, sizeof(sd->state)));
		tcp = false;
		break;
	default: /* packet: raw or dgram */
		snprintf(sd->proto, sizeof(sd->proto), "%s", socktype_name(ev->sock_type));
		tcp = false;
	}
	snprintf(sd->state, sizeof(sd->state), "%s", sock_state_name(ev->state, tcp));
}

int fd_entry_from_event(const struct fd_event *ev, struct fd_entry *e)
{
	char link[256];

	memset(e, 0, sizeof(*e));
	e->fd = ev->fd;
	event_link(ev, link, sizeof(link));
	e->name = strdup(link);
	if (!e->name)
		return -ENOMEM;
	e->type = event_type(ev, link);
	e->inode = ev->inode;
	e->has_fdinfo = e->type != FD_SOCKET;
	e->info.pos = ev->pos;
	e->info.flags = (int)ev->flags;
	return 0;
}

int fd_entry_copy(struct fd_entry *dst, const struct fd_entry *src)
{
	*dst = *src;
	dst->name = NULL;
	dst->info.targets = NULL;
	if (src->name && !(dst->name = strdup(src->name)))
		goto out_nomem;
	if (src->info.target_count) {
		dst->info.targets = malloc(src->info.target_count * sizeof(int));
		if (!dst->info.targets)
			goto out_nomem;
		memcpy(dst->info.targets, src->info.targets, src->info.target_count * sizeof(int));
	}
	return 0;
out_nomem:
	free(dst->name);
	memset(dst, 0, sizeof(*dst));
	return -ENOMEM;
}
