// SPDX-License-Identifier: MIT
/*
 * sock_diag_unix: AF_UNIX sockets into a sock_table from unix_diag dumps: the bound name (path
 * or abstract), the peer's inode and the queue lengths of every unix socket of the namespace.
 */
#include <linux/unix_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nic2app/names.h"
#include "../netlink/nl_dump.h"
#include "sock_diag_int.h"

/* A unix name as ss shows it: a path up to its NUL; an abstract name (first byte NUL) as '@'
 * and the rest, where NULs also become '@' and other bytes are kept as they are. */
void unix_name_format(const char *name, size_t len, char *buf, size_t size)
{
	size_t i, n = 0;

	if (len > 0 && name[0] != '\0') {
		for (i = 0; i < len && name[i] != '\0' && n + 1 < size; i++)
			buf[n++] = name[i];
	} else {
		for (i = 0; i < len && n + 1 < size; i++)
			buf[n++] = name[i] ? name[i] : '@';
	}
	buf[n] = '\0';
}

/* One unix_diag reply into the table ctx. */
static int unix_add(const void *msg, const struct nlattr *const *tb, void *ctx)
{
	const struct unix_diag_msg *m = msg;
	struct unix_diag_rqlen q;
	struct sock_desc d;

	memset(&d, 0, sizeof(d));
	d.inode = m->udiag_ino;
	d.family = AF_UNIX;
	snprintf(d.proto, sizeof(d.proto), "%s", socktype_name(m->udiag_type));
	snprintf(d.state, sizeof(d.state), "%s", sock_state_name(m->udiag_state, false));
	d.known = SOCK_KNOWN_REMOTE; /* from the peer's name (fd_sockets), "" without a peer */
	if (tb[UNIX_DIAG_NAME])
		unix_name_format(mnl_attr_get_payload(tb[UNIX_DIAG_NAME]),
				 mnl_attr_get_payload_len(tb[UNIX_DIAG_NAME]), d.local,
				 sizeof(d.local));
	if (tb[UNIX_DIAG_PEER])
		nl_attr_u32_at(tb[UNIX_DIAG_PEER], 0, &d.peer_inode);
	if (tb[UNIX_DIAG_RQLEN] && mnl_attr_get_payload_len(tb[UNIX_DIAG_RQLEN]) >= sizeof(q)) {
		memcpy(&q, mnl_attr_get_payload(tb[UNIX_DIAG_RQLEN]), sizeof(q));
		d.known |= SOCK_KNOWN_QUEUES;
		d.recv_q = q.udiag_rqueue;
		d.send_q = q.udiag_wqueue;
	}
	return sock_table_add(ctx, &d);
}

_Static_assert(UNIX_DIAG_MAX <= NL_DIAG_ATTR_MAX,
	       "unix_diag has more attributes than nl_dump takes");
static const struct nl_diag_family unix_family = {
	.hdr_len = sizeof(struct unix_diag_msg),
	.attr_max = UNIX_DIAG_MAX,
	.on_msg = unix_add,
};

int unix_diag_parse(const void *buf, size_t len, struct sock_table *t)
{
	return nl_diag_parse(buf, len, &unix_family, t);
}

int sock_diag_unix_dump(struct mnl_socket *nl, unsigned int seq, struct sock_table *t)
{
	struct unix_diag_req req;

	memset(&req, 0, sizeof(req));
	req.sdiag_family = AF_UNIX;
	req.udiag_states = ~0u;
	req.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
	return nl_diag_dump(nl, seq, &req, sizeof(req), &unix_family, t);
}
