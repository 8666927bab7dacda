// SPDX-License-Identifier: MIT
/*
 * fd_filter: which processes and fds `nic2app fds` without a PID shows. Every filter set must
 * match (AND); process filters choose processes, fd filters choose fds, and a process is shown
 * only when one of its fds passes the fd filters.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "nic2app/fd_machine.h"

void fd_filter_init(struct fd_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->mask = FD_TYPES_ALL;
}

bool fd_filter_has_fd_filters(const struct fd_filter *f)
{
	return f->port || f->listen || f->state || f->file || f->deleted || f->mask != FD_TYPES_ALL;
}

bool fd_filter_wants_proc(const struct fd_filter *f, const struct fd_proc *p)
{
	bool found = !f->pids;

	for (size_t i = 0; f->pids && i < f->npids && !found; i++)
		found = f->pids[i] == p->tgid || f->pids[i] == p->snap.pid;
	if (!found)
		return false;
	if (f->comm && strcmp(f->comm, p->snap.comm) != 0)
		return false;
	return !f->has_uid || f->uid == p->uid;
}

unsigned int sock_addr_port(const char *addr)
{
	const char *colon = strrchr(addr, ':');
	char *end;
	long port;

	if (!colon || colon[1] < '0' || colon[1] > '9')
		return 0;
	port = strtol(colon + 1, &end, 10);
	return *end || port <= 0 || port > 65535 ? 0 : (unsigned int)port;
}

const char *sock_state_canonical(const char *name)
{
	static const char *const states[] = {
		"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
		"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "UNCONN",
	};

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcasecmp(name, states[i]) == 0)
			return states[i];
	return NULL;
}

static bool is_inet(const struct sock_desc *sd)
{
	return sd && (sd->family == AF_INET || sd->family == AF_INET6);
}

/* ports are TCP's and UDP's: a raw socket's "port" is its protocol, a ping socket's its id */
static bool has_ports(const struct sock_desc *sd)
{
	return is_inet(sd) && (strcmp(sd->proto, "tcp") == 0 || strcmp(sd->proto, "udp") == 0 ||
			       strcmp(sd->proto, "udplite") == 0);
}

static bool wants_socket(const struct fd_filter *f, const struct sock_desc *sd)
{
	if ((f->port || f->listen) && !has_ports(sd))
		return false;
	if (f->port && sock_addr_port(sd->local) != f->port && sock_addr_port(sd->remote) != f->port)
		return false;
	if (f->listen) {
		bool tcp = strcmp(sd->proto, "tcp") == 0;
		bool bound_udp = strcmp(sd->proto, "udp") == 0 && strcmp(sd->state, "UNCONN") == 0 &&
				 sock_addr_port(sd->local) != 0;

		if (!(tcp && strcmp(sd->state, "LISTEN") == 0) && !bound_udp)
			return false;
	}
	return !f->state || (sd && strcmp(sd->state, f->state) == 0);
}

/* The name without a " (deleted)" suffix equals path, or (under) starts with it. */
static bool name_matches(const struct fd_filter *f, const char *name)
{
	static const char suffix[] = " (deleted)";
	size_t len = strlen(name), plen = strlen(f->file);

	if (len >= sizeof(suffix) - 1 && strcmp(name + len - (sizeof(suffix) - 1), suffix) == 0)
		len -= sizeof(suffix) - 1;
	if (f->file_under)
		return len > plen && strncmp(name, f->file, plen) == 0;
	return len == plen && strncmp(name, f->file, plen) == 0;
}

static bool wants_file(const struct fd_filter *f, const struct fd_entry *e)
{
	if (!e->name || e->name[0] != '/')
		return false;
	/* the same inode on the same device is the same file under any name (a hard link) */
	if (!f->file_under && f->file_has_id && e->has_stat)
		return e->inode == f->file_ino && e->dev == f->file_dev;
	return name_matches(f, e->name);
}

bool fd_filter_wants_fd(const struct fd_filter *f, const struct fd_entry *e)
{
	if (!(f->mask & FD_TYPE_BIT(e->type)))
		return false;
	if ((f->port || f->listen || f->state) &&
	    (e->type != FD_SOCKET || !wants_socket(f, e->sock)))
		return false;
	if (f->deleted && !(e->deleted && e->type == FD_FILE))
		return false;
	return !f->file || wants_file(f, e);
}

bool fd_filter_shows_proc(const struct fd_filter *f, const struct fd_proc *p)
{
	if (!fd_filter_wants_proc(f, p))
		return false;
	if (!fd_filter_has_fd_filters(f))
		return true;
	for (size_t i = 0; i < p->snap.count; i++)
		if (fd_filter_wants_fd(f, &p->snap.fds[i]))
			return true;
	return false;
}
