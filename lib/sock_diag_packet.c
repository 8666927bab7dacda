// SPDX-License-Identifier: MIT
/*
 * sock_diag_packet: AF_PACKET sockets into a sock_table from packet_diag dumps: the socket
 * type, the ethertype it receives and the interface it is bound to, named in the namespace
 * the socket lives in.
 */
#include <errno.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "nic2app/names.h"
#include "nl_dump.h"
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

static int packet_on_message(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PACKET_DIAG_MAX + 1];
	const struct packet_diag_msg *m;
	struct packet_ctx *c = data;
	struct packet_diag_info info;
	struct sock_desc d;
	int r;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	m = mnl_nlmsg_get_payload(nlh);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m) ||
	    nl_attrs_parse(nlh, sizeof(*m), tb, PACKET_DIAG_MAX) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	memset(&d, 0, sizeof(d));
	memset(&info, 0, sizeof(info));
	d.inode = m->pdiag_ino;
	d.family = AF_PACKET;
	snprintf(d.proto, sizeof(d.proto), "%s", socktype_name(m->pdiag_type));
	snprintf(d.state, sizeof(d.state), "UNCONN");
	if (tb[PACKET_DIAG_INFO] && mnl_attr_get_payload_len(tb[PACKET_DIAG_INFO]) >= sizeof(info))
		memcpy(&info, mnl_attr_get_payload(tb[PACKET_DIAG_INFO]), sizeof(info));
	sock_packet_local(info.pdi_index, m->pdiag_num, c->ifname_fd, d.local, sizeof(d.local));
	/* packets wait in the receive queue only; ss shows Send-Q 0 */
	if (nl_attr_u32_at(tb[PACKET_DIAG_MEMINFO], SK_MEMINFO_RMEM_ALLOC, &d.recv_q))
		d.has_queues = true;
	r = sock_table_add(c->t, &d);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int packet_batch(const void *buf, size_t len, unsigned int seq, unsigned int portid,
			void *ctx)
{
	return nl_batch_run(buf, len, seq, portid, packet_on_message, ctx);
}

int packet_diag_parse_ifnames(const void *buf, size_t len, int ifname_fd, struct sock_table *t)
{
	struct packet_ctx c = { .t = t, .ifname_fd = ifname_fd };

	return packet_batch(buf, len, 0, 0, &c);
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
	return nl_dump_run(nl, seq, &req, sizeof(req), packet_batch, &c);
}
