// SPDX-License-Identifier: MIT
/*
 * sock_diag_netlink: AF_NETLINK sockets into a sock_table from netlink_diag dumps (every
 * netlink protocol at once), and the names of the netlink protocols.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_dump.h"
#include "sock_diag_int.h"

/* sk_state of a netlink socket (net/netlink/af_netlink.h): 0 unconnected, 1 connected */
#define NETLINK_STATE_CONNECTED 1

/* include/uapi/linux/netlink.h; 17 has never been assigned */
static const char *const netlink_protocols[] = {
	[NETLINK_ROUTE] = "route",
	[NETLINK_UNUSED] = "unused",
	[NETLINK_USERSOCK] = "usersock",
	[NETLINK_FIREWALL] = "firewall",
	[NETLINK_SOCK_DIAG] = "sock_diag",
	[NETLINK_NFLOG] = "nflog",
	[NETLINK_XFRM] = "xfrm",
	[NETLINK_SELINUX] = "selinux",
	[NETLINK_ISCSI] = "iscsi",
	[NETLINK_AUDIT] = "audit",
	[NETLINK_FIB_LOOKUP] = "fib_lookup",
	[NETLINK_CONNECTOR] = "connector",
	[NETLINK_NETFILTER] = "netfilter",
	[NETLINK_IP6_FW] = "ip6_fw",
	[NETLINK_DNRTMSG] = "dnrtmsg",
	[NETLINK_KOBJECT_UEVENT] = "kobject_uevent",
	[NETLINK_GENERIC] = "generic",
	[NETLINK_SCSITRANSPORT] = "scsitransport",
	[NETLINK_ECRYPTFS] = "ecryptfs",
	[NETLINK_RDMA] = "rdma",
	[NETLINK_CRYPTO] = "crypto",
	[NETLINK_SMC] = "smc",
};
#define N_NETLINK_PROTOCOLS (int)(sizeof(netlink_protocols) / sizeof(netlink_protocols[0]))

const char *netlink_protocol_name(int protocol, char *buf, size_t size)
{
	if (protocol >= 0 && protocol < N_NETLINK_PROTOCOLS && netlink_protocols[protocol])
		return netlink_protocols[protocol];
	snprintf(buf, size, "netlink-%d", protocol);
	return buf;
}

static void netlink_desc(const struct netlink_diag_msg *m, struct sock_desc *d)
{
	char name[sizeof(((struct sock_desc *)0)->proto)];

	memset(d, 0, sizeof(*d));
	d->inode = m->ndiag_ino;
	d->family = AF_NETLINK;
	snprintf(d->proto, sizeof(d->proto), "%s",
		 netlink_protocol_name(m->ndiag_protocol, name, sizeof(name)));
	if (m->ndiag_portid != 0)
		snprintf(d->local, sizeof(d->local), "%u", m->ndiag_portid);
	if (m->ndiag_state == NETLINK_STATE_CONNECTED) {
		snprintf(d->state, sizeof(d->state), "ESTABLISHED");
		snprintf(d->remote, sizeof(d->remote), "%u", m->ndiag_dst_portid);
	} else {
		snprintf(d->state, sizeof(d->state), "UNCONN");
	}
}

static int netlink_on_message(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NETLINK_DIAG_MAX + 1];
	const struct netlink_diag_msg *m;
	struct sock_table *t = data;
	struct sock_desc d;
	int r;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	m = mnl_nlmsg_get_payload(nlh);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m) ||
	    nl_attrs_parse(nlh, sizeof(*m), tb, NETLINK_DIAG_MAX) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	netlink_desc(m, &d);
	/* bytes in the receive and send buffers, as ss shows for Recv-Q and Send-Q */
	if (nl_attr_u32_at(tb[NETLINK_DIAG_MEMINFO], SK_MEMINFO_RMEM_ALLOC, &d.recv_q) &&
	    nl_attr_u32_at(tb[NETLINK_DIAG_MEMINFO], SK_MEMINFO_WMEM_ALLOC, &d.send_q))
		d.has_queues = true;
	r = sock_table_add(t, &d);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int netlink_batch(const void *buf, size_t len, unsigned int seq, unsigned int portid,
			 void *t)
{
	return nl_batch_run(buf, len, seq, portid, netlink_on_message, t);
}

int netlink_diag_parse(const void *buf, size_t len, struct sock_table *t)
{
	return netlink_batch(buf, len, 0, 0, t);
}

int sock_diag_netlink_dump(struct mnl_socket *nl, unsigned int seq, struct sock_table *t)
{
	struct netlink_diag_req req;

	memset(&req, 0, sizeof(req));
	req.sdiag_family = AF_NETLINK;
	req.sdiag_protocol = NDIAG_PROTO_ALL;
	req.ndiag_show = NDIAG_SHOW_MEMINFO;
	return nl_dump_run(nl, seq, &req, sizeof(req), netlink_batch, t);
}
