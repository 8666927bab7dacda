// SPDX-License-Identifier: MIT
/* fd_render_json: a snapshot of fds in the DESIGN.md `nic2app fds --json` shape. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <string.h>

#include "nic2app/fd_brief.h"
#include "nic2app/fd_render.h"
#include "nic2app/names.h"

/* A number the source may not know: null then, never 0. */
static void uint_if_known(struct json *j, const char *key, bool known, uint64_t value)
{
	if (known)
		json_uint(j, key, value);
	else
		json_null(j, key);
}

static void socket_json(struct json *j, const struct fd_entry *e)
{
	const struct sock_desc *sd = e->sock;
	bool inet = sd->family == AF_INET || sd->family == AF_INET6;

	json_object_begin(j, "socket");
	json_string(j, "family", family_name(sd->family));
	json_string(j, "proto", sd->proto);
	json_string(j, "local", sd->local);
	if (sd->known & SOCK_KNOWN_REMOTE)
		json_string(j, "remote", sd->remote);
	else
		json_null(j, "remote");
	if (sd->peer_inode)
		json_uint(j, "peer_inode", sd->peer_inode);
	if (sd->state[0])
		json_string(j, "state", sd->state);
	else
		json_null(j, "state");
	uint_if_known(j, "recv_q", sd->known & SOCK_KNOWN_RECV_Q, sd->recv_q);
	uint_if_known(j, "send_q", sd->known & SOCK_KNOWN_SEND_Q, sd->send_q);
	if (inet && sd->known & SOCK_KNOWN_DEV)
		json_string(j, "dev", sd->dev);
	else if (inet)
		json_null(j, "dev");
	if (sd->family == AF_INET6 && sd->known & SOCK_KNOWN_V6ONLY)
		json_bool(j, "v6only", sd->v6only);
	else if (sd->family == AF_INET6)
		json_null(j, "v6only");
	if (sd->netns)
		json_uint(j, "netns", sd->netns);
	if (e->tcp)
		fd_tcp_info_json(j, e->tcp);
	else if (e->tcp_asked) /* gone between the two reads */
		json_null(j, "tcp_info");
	json_object_end(j);
}

void fd_entry_json_fields(struct json *j, const struct fd_entry *e)
{
	char flags[160];

	json_int(j, "fd", e->fd);
	json_string(j, "type", fd_type_name(e->type));
	if (e->type == FD_ERROR) {
		json_string(j, "error", errno_name(e->err));
		if (e->access[0]) /* refused: the mode it was opened with is still known */
			json_string(j, "access", e->access);
		if (e->has_fdinfo) {
			json_int(j, "pos", e->info.pos);
			json_string(j, "flags", open_flags_format(e->info.flags, flags, sizeof(flags)));
		}
		return;
	}
	if (e->type != FD_SOCKET)
		json_string(j, "name", e->name);
	if (e->inode)
		json_uint(j, "inode", e->inode);
	if (e->has_fdinfo) {
		json_int(j, "pos", e->info.pos);
		json_string(j, "flags", open_flags_format(e->info.flags, flags, sizeof(flags)));
	}
	if (e->deleted)
		json_bool(j, "deleted", true);
	if (e->info.detail[0])
		json_string(j, "detail", e->info.detail);
	if (e->type == FD_EPOLL) {
		json_array_begin(j, "targets");
		for (size_t i = 0; i < e->info.target_count; i++)
			json_int(j, NULL, e->info.targets[i]);
		json_array_end(j);
	}
	if (e->sock)
		socket_json(j, e);
}

/* -1 stands for "unlimited" or "could not be read": null either way. */
static void int_or_null(struct json *j, const char *key, long value)
{
	if (value < 0)
		json_null(j, key);
	else
		json_int(j, key, value);
}

int fd_snapshot_json(struct strbuf *sb, const struct fd_snapshot *s, fd_type_mask mask)
{
	struct json j;

	/* 160 bytes an fd on average (the 15,000-fd bench fixture: 161), more for sockets: one
	 * allocation instead of a doubling series and a copy of megabytes */
	strbuf_reserve(sb, 256 + s->count * 200);
	json_init(&j, sb);
	json_object_begin(&j, NULL);
	json_int(&j, "pid", s->pid);
	if (s->tgid && s->tgid != s->pid) { /* a thread: its process, and whose fd table */
		json_int(&j, "thread_of", s->tgid);
		if (s->shares_table >= 0)
			json_bool(&j, "own_fd_table", !s->shares_table);
		else
			json_null(&j, "own_fd_table");
	}
	json_string(&j, "comm", s->comm);
	json_uint(&j, "time_ns", s->time_ns);
	json_object_begin(&j, "limits");
	int_or_null(&j, "soft", s->limit_soft);
	int_or_null(&j, "hard", s->limit_hard);
	int_or_null(&j, "highest_fd", s->count ? s->fds[s->count - 1].fd : -1);
	int_or_null(&j, "above_soft", s->limit_soft < 0 ? -1 : (long)fd_snapshot_count_above(s, s->limit_soft));
	json_object_end(&j);
	json_object_begin(&j, "system");
	int_or_null(&j, "allocated", s->system_allocated);
	int_or_null(&j, "max", s->system_max);
	json_object_end(&j);
	json_object_begin(&j, "scan");
	json_uint(&j, "fds", s->count);
	json_uint(&j, "elapsed_us", s->elapsed_ns / 1000);
	json_string(&j, "socket_source", sock_source_name(s->socket_source));
	json_string(&j, "source", s->engine == FD_ENGINE_BPF ? "bpf" : "procfs");
	json_uint(&j, "sockets_unresolved", s->sockets_unresolved);
	json_uint(&j, "sockets_other_netns", s->sockets_other_netns);
	json_uint(&j, "sockets_netns_unchecked", s->sockets_netns_unchecked);
	if (s->sockets_netns_unchecked)
		json_string(&j, "netns_error", s->netns_err ? errno_name(s->netns_err) : "ENOSYS");
	json_array_begin(&j, "denied"); /* what the kernel refused to show */
	if (s->denied & FD_DENIED_LINKS)
		json_string(&j, NULL, "links");
	if (s->denied & FD_DENIED_FDINFO)
		json_string(&j, NULL, "fdinfo");
	json_array_end(&j);
	json_object_end(&j);
	json_array_begin(&j, "fds");
	for (size_t i = 0; i < s->count; i++) {
		if (!(mask & FD_TYPE_BIT(s->fds[i].type)))
			continue;
		json_object_begin(&j, NULL);
		fd_entry_json_fields(&j, &s->fds[i]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	return json_finish(&j);
}
