// SPDX-License-Identifier: MIT
/*
 * sock_diag_unix: AF_UNIX sockets into a sock_table from unix_diag dumps: the bound name (path
 * or abstract), the peer's inode and the queue lengths of every unix socket of the namespace.
 */
#include <errno.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nic2app/names.h"
#include "nl_dump.h"
#include "sock_diag_int.h"

/* A unix name as ss shows it: a path up to its NUL; an abstract name (first byte NUL) as '@'
 * and the rest, where NULs also become '@' and other bytes are kept as they are. */
static void unix_name_format(const char *name, size_t len, char *buf, size_t size)
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

static int unix_on_message(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[UNIX_DIAG_MAX + 1];
	const struct unix_diag_msg *m;
	struct sock_table *t = data;
	struct unix_diag_rqlen q;
	struct sock_desc d;
	int r;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	m = mnl_nlmsg_get_payload(nlh);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m) ||
	    nl_attrs_parse(nlh, sizeof(*m), tb, UNIX_DIAG_MAX) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	memset(&d, 0, sizeof(d));
	d.inode = m->udiag_ino;
	d.family = AF_UNIX;
	snprintf(d.proto, sizeof(d.proto), "%s", socktype_name(m->udiag_type));
	snprintf(d.state, sizeof(d.state), "%s", sock_state_name(m->udiag_state, false));
	if (tb[UNIX_DIAG_NAME])
		unix_name_format(mnl_attr_get_payload(tb[UNIX_DIAG_NAME]),
				 mnl_attr_get_payload_len(tb[UNIX_DIAG_NAME]), d.local,
				 sizeof(d.local));
	if (tb[UNIX_DIAG_PEER])
		nl_attr_u32_at(tb[UNIX_DIAG_PEER], 0, &d.peer_inode);
	if (tb[UNIX_DIAG_RQLEN] && mnl_attr_get_payload_len(tb[UNIX_DIAG_RQLEN]) >= sizeof(q)) {
		memcpy(&q, mnl_attr_get_payload(tb[UNIX_DIAG_RQLEN]), sizeof(q));
		d.has_queues = true;
		d.recv_q = q.udiag_rqueue;
		d.send_q = q.udiag_wqueue;
	}
	r = sock_table_add(t, &d);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int unix_batch(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		      void *t)
{
	return nl_batch_run(buf, len, seq, portid, unix_on_message, t);
}

int unix_diag_parse(const void *buf, size_t len, struct sock_table *t)
{
	return unix_batch(buf, len, 0, 0, t);
}

int sock_diag_unix_dump(struct mnl_socket *nl, unsigned int seq, struct sock_table *t)
{
	struct unix_diag_req req;

	memset(&req, 0, sizeof(req));
	req.sdiag_family = AF_UNIX;
	req.udiag_states = ~0u;
	req.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
	return nl_dump_run(nl, seq, &req, sizeof(req), unix_batch, t);
}
