// SPDX-License-Identifier: MIT
/* fd_render_text: a snapshot of fds as three tables (files, sockets, other) and a summary. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nic2app/fd_brief.h"
#include "nic2app/fd_render.h"
#include "nic2app/names.h"

int fd_type_mask_parse(const char *list, fd_type_mask *mask, const char **bad, size_t *bad_len)
{
	const char *word = list;

	*mask = 0;
	*bad = list;
	*bad_len = 0;
	while (*word) {
		size_t len = strcspn(word, ",");
		char name[32];
		int t = -1;

		if (len < sizeof(name)) {
			memcpy(name, word, len);
			name[len] = '\0';
			t = fd_type_from_name(name);
		}
		if (t < 0) {
			*bad = word;
			*bad_len = len;
			return -EINVAL;
		}
		*mask |= FD_TYPE_BIT(t);
		word += len;
		if (*word == ',')
			word++;
	}
	return *mask ? 0 : -EINVAL;
}

enum fd_group fd_group_of(enum fd_type t)
{
	switch (t) {
	case FD_FILE: case FD_DIR: case FD_CHR: case FD_BLK: case FD_PIPE: case FD_FIFO:
	case FD_MEMFD:
		return FD_GROUP_FILES;
	case FD_SOCKET:
		return FD_GROUP_SOCKETS;
	default:
		return FD_GROUP_OTHER;
	}
}

const char *sock_label(const struct sock_desc *sd, char *buf, size_t size)
{
	if (!sd)
		snprintf(buf, size, "?");
	else if (sd->family == AF_INET)
		snprintf(buf, size, "%s", sd->proto);
	else if (sd->family == AF_INET6 && sd->known & SOCK_KNOWN_V6ONLY && !sd->v6only &&
		 strncmp(sd->local, "[::]", 4) == 0)
		snprintf(buf, size, "%s46", sd->proto); /* on [::] without IPV6_V6ONLY: IPv4 too */
	else if (sd->family == AF_INET6)
		snprintf(buf, size, "%s6", sd->proto);
	else if (sd->proto[0])
		snprintf(buf, size, "%s/%s", family_name(sd->family), sd->proto);
	else
		snprintf(buf, size, "%s", family_name(sd->family));
	return buf;
}

static const char *const group_titles[] = { "files", "sockets", "other" };
static const char *const group_headers[][8] = {
	{ ">FD", "TYPE", "FLAGS", ">POS", "NAME" },
	{ ">FD", "PROTO", "LOCAL", "REMOTE", "STATE", ">RECV-Q", ">SEND-Q", ">INODE" },
	{ ">FD", "TYPE", "DETAIL", "NAME" },
};
static const size_t group_columns[] = { 5, 8, 4 };

/* An fd that could not be read: why, and what could be read all the same (the mode it was
 * opened with, the offset and flags from fdinfo). */
static void error_cells(const struct fd_entry *e, const char **cells, char storage[][160])
{
	char flags[96];

	snprintf(storage[1], 160, "%s", errno_name(e->err));
	cells[2] = storage[1];
	if (e->has_fdinfo)
		snprintf(storage[2], 160, "pos %" PRId64 ", %s", e->info.pos,
			 open_flags_format(e->info.flags, flags, sizeof(flags)));
	else if (e->access[0])
		snprintf(storage[2], 160, "opened %s; target not shown",
			 strcmp(e->access, "rw") == 0 ? "read-write"
			 : e->access[0] == 'r' ? "read-only" : "write-only");
	else
		snprintf(storage[2], 160, "target not shown");
	cells[3] = storage[2];
}

void fd_entry_cells(const struct fd_entry *e, const char **cells, char storage[][160])
{
	const struct sock_desc *sd = e->sock;

	snprintf(storage[0], 160, "%d", e->fd);
	cells[0] = storage[0];
	switch (fd_group_of(e->type)) {
	case FD_GROUP_FILES:
		cells[1] = fd_type_name(e->type);
		cells[2] = e->has_fdinfo ? open_flags_format(e->info.flags, storage[1], 160) : "";
		snprintf(storage[2], 160, "%" PRId64, e->info.pos);
		cells[3] = e->has_fdinfo ? storage[2] : "";
		cells[4] = e->name;
		break;
	case FD_GROUP_SOCKETS:
		cells[1] = sock_label(sd, storage[1], 160);
		cells[2] = sd ? sd->local : "";
		if (sd && !sd->remote[0] && sd->peer_inode)
			snprintf(storage[2], 160, "peer inode %" PRIu32, sd->peer_inode);
		else
			snprintf(storage[2], 160, "%s", sd ? sd->remote : "");
		cells[3] = storage[2];
		cells[4] = sd ? sd->state : "";
		snprintf(storage[3], 160, "%" PRIu32, sd ? sd->recv_q : 0);
		snprintf(storage[4], 160, "%" PRIu32, sd ? sd->send_q : 0);
		cells[5] = sd && sd->known & SOCK_KNOWN_RECV_Q ? storage[3] : "";
		cells[6] = sd && sd->known & SOCK_KNOWN_SEND_Q ? storage[4] : "";
		snprintf(storage[5], 160, "%" PRIu64, e->inode);
		cells[7] = storage[5];
		break;
	default:
		cells[1] = fd_type_name(e->type);
		cells[2] = e->info.detail;
		cells[3] = e->name;
		if (e->type == FD_ERROR)
			error_cells(e, cells, storage);
		break;
	}
}

int fd_entry_note(struct table *t, const struct fd_entry *e)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	if (!e->tcp)
		return 0;
	fd_tcp_info_line(&sb, e->tcp);
	r = sb.err ? sb.err : table_add_note(t, strbuf_str(&sb));
	strbuf_release(&sb);
	return r;
}

static int add_entry_row(struct table *t, const struct fd_entry *e, enum colour c)
{
	char storage[6][160];
	const char *cells[8] = { 0 };
	int r;

	fd_entry_cells(e, cells, storage);
	r = table_add_row_coloured(t, cells, c);
	return r ? r : fd_entry_note(t, e);
}

/* Rows of one group, merged in fd order with the fds closed since marks->previous. */
static int add_group_rows(struct table *t, const struct fd_snapshot *s, fd_type_mask mask,
			  const struct fd_marks *marks, enum fd_group g)
{
	const struct fd_snapshot *prev = marks ? marks->previous : NULL;
	size_t i = 0, k = 0, nprev = prev ? prev->count : 0;
	int r = 0;

	while (r == 0 && (i < s->count || k < nprev)) {
		const struct fd_entry *e = i < s->count ? &s->fds[i] : NULL;
		const struct fd_entry *p = k < nprev ? &prev->fds[k] : NULL;

		if (p && (!e || p->fd < e->fd)) {
			k++; /* closed since the previous snapshot */
			if (fd_group_of(p->type) == g && mask & FD_TYPE_BIT(p->type))
				r = add_entry_row(t, p, COLOUR_RED);
			continue;
		}
		if (p && p->fd == e->fd)
			k++;
		i++;
		if (fd_group_of(e->type) != g || !(mask & FD_TYPE_BIT(e->type)))
			continue;
		if (!prev || (p && p->fd == e->fd && fd_entry_same(p, e)))
			r = add_entry_row(t, e, COLOUR_NONE);
		else
			r = add_entry_row(t, e, p && p->fd == e->fd ? COLOUR_YELLOW : COLOUR_GREEN);
	}
	return r;
}

int fd_tables_render(struct strbuf *sb, const struct fd_snapshot *s, fd_type_mask mask,
		     const struct fd_marks *marks, bool colour, int indent)
{
	int r = 0;

	for (int g = FD_GROUP_FILES; g <= FD_GROUP_OTHER && r == 0; g++) {
		struct table t;

		r = table_init(&t, group_columns[g], group_headers[g]);
		if (r == 0)
			r = add_group_rows(&t, s, mask, marks, (enum fd_group)g);
		if (r == 0 && t.nrows) {
			strbuf_addf(sb, "%*s", indent, "");
			colour_add(sb, colour, COLOUR_BOLD, group_titles[g]);
			strbuf_addc(sb, '\n');
			r = table_render(&t, sb, colour, indent + 2);
		}
		table_release(&t);
	}
	return r ? r : sb->err;
}
