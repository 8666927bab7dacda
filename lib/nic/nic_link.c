// SPDX-License-Identifier: MIT
/*
 * nic_link: the link as rtnetlink reports it (RTM_GETLINK), as `ip -d -s link` shows it: MTU,
 * the largest GSO packet the stack may hand the device and the largest GRO packet it may
 * build, queue counts, qdisc, operstate and packet counters; and the default route's device
 * (a dump of the main table's routes, nothing sent on any wire).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../netlink/nl_dump.h"
#include "ethnl.h"

#define REQUEST_SIZE 512

static void put_u32(const struct nlattr *a, uint32_t *dst, unsigned int *has, unsigned int bit)
{
	if (a && mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
		*dst = mnl_attr_get_u32(a);
		*has |= bit;
	}
}

static void put_stats(const struct nlattr *a, struct nic_link *l)
{
	struct rtnl_link_stats64 st;

	if (!a || mnl_attr_get_payload_len(a) < sizeof(st))
		return;
	memcpy(&st, mnl_attr_get_payload(a), sizeof(st));
	l->rx_packets = st.rx_packets;
	l->tx_packets = st.tx_packets;
	l->rx_bytes = st.rx_bytes;
	l->tx_bytes = st.tx_bytes;
	l->rx_dropped = st.rx_dropped;
	l->tx_dropped = st.tx_dropped;
	l->has |= NIC_HAS_STATS;
}

static void put_string(const struct nlattr *a, char *dst, size_t cap)
{
	size_t n;

	if (!a)
		return;
	n = strnlen(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, mnl_attr_get_payload(a), n);
	dst[n] = '\0';
}

int nic_link_parse(const void *buf, size_t len, struct nic_link *l)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;
	const struct nlmsgerr *err;
	unsigned int has = 0;

	memset(l, 0, sizeof(*l));
	if (len < sizeof(*nlh) || !nl_messages_whole(buf, len))
		return -EBADMSG;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
			return -EBADMSG;
		err = mnl_nlmsg_get_payload(nlh);
		return err->error < 0 && err->error > -4096 ? err->error : -EBADMSG;
	}
	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) ||
	    nl_attrs_parse(nlh, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	put_string(tb[IFLA_IFNAME], l->ifname, sizeof(l->ifname));
	put_string(tb[IFLA_QDISC], l->qdisc, sizeof(l->qdisc));
	put_u32(tb[IFLA_MTU], &l->mtu, &has, 0);
	put_u32(tb[IFLA_MIN_MTU], &l->min_mtu, &has, NIC_HAS_MIN_MAX_MTU);
	put_u32(tb[IFLA_MAX_MTU], &l->max_mtu, &has, NIC_HAS_MIN_MAX_MTU);
	put_u32(tb[IFLA_GSO_MAX_SIZE], &l->gso_max_size, &has, NIC_HAS_GSO_MAX_SIZE);
	put_u32(tb[IFLA_GSO_MAX_SEGS], &l->gso_max_segs, &has, NIC_HAS_GSO_MAX_SEGS);
	put_u32(tb[IFLA_GRO_MAX_SIZE], &l->gro_max_size, &has, NIC_HAS_GRO_MAX_SIZE);
	put_u32(tb[IFLA_TSO_MAX_SIZE], &l->tso_max_size, &has, NIC_HAS_TSO_MAX_SIZE);
	put_u32(tb[IFLA_TSO_MAX_SEGS], &l->tso_max_segs, &has, NIC_HAS_TSO_MAX_SEGS);
	put_u32(tb[IFLA_NUM_TX_QUEUES], &l->num_tx_queues, &has, NIC_HAS_QUEUES);
	put_u32(tb[IFLA_NUM_RX_QUEUES], &l->num_rx_queues, &has, NIC_HAS_QUEUES);
	if (tb[IFLA_OPERSTATE] && mnl_attr_validate(tb[IFLA_OPERSTATE], MNL_TYPE_U8) == 0)
		l->operstate = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
	l->has = has;
	put_stats(tb[IFLA_STATS64], l);
	return l->ifname[0] ? 0 : -EBADMSG;
}

/* One request, one reply datagram (no NLM_F_ACK) into buf[cap]: its length or -errno. */
static int rtnl_once(struct nlmsghdr *nlh, void *buf, size_t cap)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	ssize_t n = -1;
	int r = 0;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
	    (n = mnl_socket_recvfrom(nl, buf, cap)) < 0)
		r = -errno;
	mnl_socket_close(nl);
	return r < 0 ? r : n == 0 ? -ENODATA : (int)n;
}

int nic_link_fetch(const char *ifname, void *buf, size_t cap)
{
	char req[REQUEST_SIZE] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct ifinfomsg *ifi;

	if (strlen(ifname) >= IF_NAMESIZE)
		return -ENODEV;
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return rtnl_once(nlh, buf, cap);
}

int nic_link_read(const char *ifname, struct nic_link *link)
{
	char *buf = malloc(NIC_REPLY_SIZE);
	int n;

	if (!buf)
		return -ENOMEM;
	n = nic_link_fetch(ifname, buf, NIC_REPLY_SIZE);
	if (n >= 0)
		n = nic_link_parse(buf, (size_t)n, link);
	free(buf);
	return n;
}

struct default_route {
	int oif;
	int family;
};

static int on_route(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1];
	struct default_route *d = data;
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	if (nl_attrs_parse(nlh, sizeof(*rtm), tb, RTA_MAX) < 0)
		return MNL_CB_OK;
	table = rtm->rtm_table;
	if (tb[RTA_TABLE] && mnl_attr_validate(tb[RTA_TABLE], MNL_TYPE_U32) == 0)
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (rtm->rtm_dst_len != 0 || table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST ||
	    d->oif)
		return MNL_CB_OK;
	if (tb[RTA_OIF] && mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32) == 0)
		d->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	return MNL_CB_OK;
}

/* The first default route of family's main table: its output interface index, or 0. */
static int default_oif(int family, int *oif)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	char req[REQUEST_SIZE] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct default_route d = { .family = family };
	struct rtmsg *rtm;
	char *buf = NULL;
	ssize_t n;
	int r;

	if (!nl)
		return -errno;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	if (!(buf = malloc(NL_DUMP_BUFFER_SIZE)) || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = buf ? -errno : -ENOMEM;
		goto out;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, NL_DUMP_BUFFER_SIZE);
		r = n < 0 ? -errno : n == 0 ? -ENODATA :
			nl_batch_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl),
				     on_route, &d);
	} while (r == 0);
	if (r > 0)
		r = 0;
	*oif = d.oif;
out:
	free(buf);
	mnl_socket_close(nl);
	return r;
}

int nic_default_route_dev(char *ifname)
{
	static const int families[] = { AF_INET, AF_INET6 };
	int oif = 0, r;

	for (size_t i = 0; i < 2; i++) {
		if ((r = default_oif(families[i], &oif)) < 0)
			return r;
		if (oif > 0)
			return if_indextoname((unsigned int)oif, ifname) ? 0 : -errno;
	}
	return -ENETUNREACH;
}

const char *nic_operstate_name(uint8_t operstate)
{
	/* IF_OPER_* (RFC 2863), as ip link prints them */
	static const char *const names[] = { "UNKNOWN", "NOTPRESENT", "DOWN",
					     "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP" };

	return operstate < sizeof(names) / sizeof(names[0]) ? names[operstate] : "UNKNOWN";
}
