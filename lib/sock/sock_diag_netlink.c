// SPDX-License-Identifier: MIT
/*
 * sock_diag_netlink: AF_NETLINK sockets into a sock_table from netlink_diag dumps (every
 * netlink protocol at once), and the names of the netlink protocols.
 */
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../netlink/nl_dump.h"
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
	d->known = SOCK_KNOWN_REMOTE;
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

/* One netlink_diag reply into the table ctx. */
static int netlink_add(const void *msg, const struct nlattr *const *tb, void *ctx)
{
	struct sock_desc d;

	netlink_desc(msg, &d);
	/* bytes in the receive and send buffers, as ss shows for Recv-Q and Send-Q */
	if (nl_attr_u32_at(tb[NETLINK_DIAG_MEMINFO], SK_MEMINFO_RMEM_ALLOC, &d.recv_q) &&
	    nl_attr_u32_at(tb[NETLINK_DIAG_MEMINFO], SK_MEMINFO_WMEM_ALLOC, &d.send_q))
		d.known |= SOCK_KNOWN_QUEUES;
	return sock_table_add(ctx, &d);
}

_Static_assert(NETLINK_DIAG_MAX <= NL_DIAG_ATTR_MAX,
	       "netlink_diag has more attributes than nl_dump takes");
static const struct nl_diag_family netlink_family = {
	.hdr_len = sizeof(struct netlink_diag_msg),
	.attr_max = NETLINK_DIAG_MAX,
	.on_msg = netlink_add,
};

int netlink_diag_parse(const void *buf, size_t len, struct sock_table *t)
{
	return nl_diag_parse(buf, len, &netlink_family, t);
}

int sock_diag_netlink_dump(struct mnl_socket *nl, unsigned int seq, struct sock_table *t)
{
	struct netlink_diag_req req;

	memset(&req, 0, sizeof(req));
	req.sdiag_family = AF_NETLINK;
	req.sdiag_protocol = NDIAG_PROTO_ALL;
	req.ndiag_show = NDIAG_SHOW_MEMINFO;
	return nl_diag_dump(nl, seq, &req, sizeof(req), &netlink_family, t);
}
