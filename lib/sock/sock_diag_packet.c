// SPDX-License-Identifier: MIT
/*
 * sock_diag_packet: AF_PACKET sockets into a sock_table from packet_diag dumps: the socket
 * type, the ethertype it receives and the interface it is bound to, named in the namespace
 * the socket lives in.
 */
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "nic2app/names.h"
#include "../netlink/nl_dump.h"
#include "sock_diag_int.h"

const char *sock_ifname(unsigned int ifindex, int ifname_fd, char *buf, size_t size)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = (int)ifindex;
	if (ifname_fd >= 0 && ioctl(ifname_fd, SIOCGIFNAME, &ifr) == 0) {
		snprintf(buf, size, "%.*s", (int)sizeof(ifr.ifr_name), ifr.ifr_name);
		return buf;
	}
	if (ifname_fd == -1 && size >= IF_NAMESIZE && if_indextoname(ifindex, buf))
		return buf;
	snprintf(buf, size, "if%u", ifindex);
	return buf;
}

void sock_packet_local(unsigned int ifindex, unsigned int ethertype, int ifname_fd,
		       char *buf, size_t size)
{
	char name[IF_NAMESIZE + 8];

	if (ifindex != 0)
		snprintf(buf, size, "%s:0x%04x", sock_ifname(ifindex, ifname_fd, name, sizeof(name)),
			 ethertype);
	else if (ethertype != 0)
		snprintf(buf, size, "*:0x%04x", ethertype);
	else
		buf[0] = '\0';
}

struct packet_ctx {
	struct sock_table *t;
	int ifname_fd;
};

/* One packet_diag reply into the table of the packet_ctx ctx. */
static int packet_add(const void *msg, const struct nlattr *const *tb, void *ctx)
{
	const struct packet_diag_msg *m = msg;
	const struct packet_ctx *c = ctx;
	struct packet_diag_info info;
	struct sock_desc d;

	memset(&d, 0, sizeof(d));
	memset(&info, 0, sizeof(info));
	d.inode = m->pdiag_ino;
	d.family = AF_PACKET;
	snprintf(d.proto, sizeof(d.proto), "%s", socktype_name(m->pdiag_type));
	snprintf(d.state, sizeof(d.state), "UNCONN");
	d.known = SOCK_KNOWN_REMOTE;
	if (tb[PACKET_DIAG_INFO] && mnl_attr_get_payload_len(tb[PACKET_DIAG_INFO]) >= sizeof(info))
		memcpy(&info, mnl_attr_get_payload(tb[PACKET_DIAG_INFO]), sizeof(info));
	sock_packet_local(info.pdi_index, m->pdiag_num, c->ifname_fd, d.local, sizeof(d.local));
	/* packets wait in the receive queue only; ss shows Send-Q 0 */
	if (nl_attr_u32_at(tb[PACKET_DIAG_MEMINFO], SK_MEMINFO_RMEM_ALLOC, &d.recv_q))
		d.known |= SOCK_KNOWN_QUEUES;
	return sock_table_add(c->t, &d);
}

_Static_assert(PACKET_DIAG_MAX <= NL_DIAG_ATTR_MAX,
	       "packet_diag has more attributes than nl_dump takes");
static const struct nl_diag_family packet_family = {
	.hdr_len = sizeof(struct packet_diag_msg),
	.attr_max = PACKET_DIAG_MAX,
	.on_msg = packet_add,
};

int packet_diag_parse_ifnames(const void *buf, size_t len, int ifname_fd, struct sock_table *t)
{
	struct packet_ctx c = { .t = t, .ifname_fd = ifname_fd };

	return nl_diag_parse(buf, len, &packet_family, &c);
}

int packet_diag_parse(const void *buf, size_t len, struct sock_table *t)
{
	return packet_diag_parse_ifnames(buf, len, -1, t);
}

int sock_diag_packet_dump(struct mnl_socket *nl, unsigned int seq, int ifname_fd,
			  struct sock_table *t)
{
	struct packet_ctx c = { .t = t, .ifname_fd = ifname_fd };
	struct packet_diag_req req;

	memset(&req, 0, sizeof(req));
	req.sdiag_family = AF_PACKET;
	req.pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO;
	return nl_diag_dump(nl, seq, &req, sizeof(req), &packet_family, &c);
}
