/* SPDX-License-Identifier: MIT */
/*
 * fd_render: a snapshot of fds as text tables (files / sockets / other, a summary, the
 * headroom) or as the DESIGN.md JSON, shared by `nic2app fds` and example 2.
 */
#ifndef NIC2APP_FD_RENDER_H
#define NIC2APP_FD_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "nic2app/fd_diff.h"
#include "nic2app/fd_scan.h"
#include "nic2app/json.h"
#include "nic2app/render.h"
#include "nic2app/strbuf.h"

/* A set of fd types, one bit per enum fd_type. */
typedef uint32_t fd_type_mask;
#define FD_TYPES_ALL ((fd_type_mask)((1u << FD_TYPE_COUNT) - 1))
#define FD_TYPE_BIT(t) ((fd_type_mask)1u << (t))

/* "socket,pipe" -> mask; -EINVAL naming nothing known (*bad points at the bad word). */
int fd_type_mask_parse(const char *list, fd_type_mask *mask, const char **bad, size_t *bad_len);

/* The groups of the text view. */
enum fd_group { FD_GROUP_FILES, FD_GROUP_SOCKETS, FD_GROUP_OTHER };
enum fd_group fd_group_of(enum fd_type t);

/* "tcp", "tcp6", "udp", "unix/stream", "netlink/route", "packet/raw"...; "tcp46", "udp46" for an
 * inet6 socket on [::] that takes IPv4 too (IPV6_V6ONLY off), as FreeBSD's netstat names it. */
const char *sock_label(const struct sock_desc *sd, char *buf, size_t size);

/* Optional colouring of rows by what happened to them since the previous snapshot. */
struct fd_marks {
	const struct fd_snapshot *previous; /* NULL: nothing marked */
};

/* The three tables of the entries in mask, each with a title line; groups with no entry are
 * left out. Closed fds (in marks->previous only) are shown, dimmed, in their group. */
int fd_tables_render(struct strbuf *sb, const struct fd_snapshot *s, fd_type_mask mask,
		     const struct fd_marks *marks, bool colour, int indent);
/* "summary: 3 chr, 5 socket (3 tcp, 2 unix/stream)..." and the headroom and scan lines. */
void fd_summary_render(struct strbuf *sb, const struct fd_snapshot *s, fd_type_mask mask,
		       bool colour);
/* The cells of e's row in its group's table (fd first), into storage. */
void fd_entry_cells(const struct fd_entry *e, const char **cells, char storage[][160]);
/* Fds whose number is at or above limit (0 for a negative limit: unlimited): a process may
 * hold them (opened before its limit was lowered, or passed in) though it could not open them
 * now. */
size_t fd_snapshot_count_above(const struct fd_snapshot *s, long limit);
/* One line: "+ 7 socket tcp 127.0.0.1:5000 -> 127.0.0.1:41234 ESTABLISHED". */
void fd_entry_line(struct strbuf *sb, const struct fd_entry *e);

/* The fields of one fd, written into the JSON object that is open. */
void fd_entry_json_fields(struct json *j, const struct fd_entry *e);
/* "process 1234 (nginx)", or for a thread "thread 1235 (worker) of process 1234, sharing its
 * fd table" (no newline). */
void fd_snapshot_title(struct strbuf *sb, const struct fd_snapshot *s);

/* A TCP socket's internals (--tcp-info): the "tcp_info" member of the socket object, and the
 * one line of text shown under its row, as `ss -ti` words it (fd_render_tcp.c). */
void fd_tcp_info_json(struct json *j, const struct sock_tcp_info *t);
void fd_tcp_info_line(struct strbuf *sb, const struct sock_tcp_info *t);
/* Add e's row's note to t: its tcp_info line, when it has one. */
int fd_entry_note(struct table *t, const struct fd_entry *e);

/* The whole snapshot as one JSON object (no newline). */
int fd_snapshot_json(struct strbuf *sb, const struct fd_snapshot *s, fd_type_mask mask);

#endif
