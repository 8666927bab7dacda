// SPDX-License-Identifier: MIT
/*
 * ethnl: talk to the kernel's ethtool generic netlink family with libmnl: resolve its id
 * (CTRL_CMD_GETFAMILY), send one GET request with the common request header nest, and read
 * the single reply a GET without NLM_F_DUMP gets (or the NLMSG_ERROR saying why not).
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "../netlink/nl_dump.h"
#include "ethnl.h"

#define REQUEST_SIZE 1024

static int on_family(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;
	uint16_t *id = data;

	if (nlh->nlmsg_type != GENL_ID_CTRL)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			*id = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* Send nlh and run cb over the replies until the ACK (NLM_F_ACK is set here). */
static int genl_talk(struct ethnl *e, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[NIC_REPLY_SIZE];
	ssize_t n;
	int r;

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++e->seq;
	if (mnl_socket_sendto(e->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(e->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		r = nl_batch_run(buf, (size_t)n, e->seq, e->portid, cb, data);
	} while (r == 0);
	return r < 0 ? r : 0;
}

int ethnl_open(struct ethnl *e)
{
	char buf[REQUEST_SIZE] = { 0 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int r;

	memset(e, 0, sizeof(*e));
	e->seq = (unsigned int)time(NULL);
	if (!(e->nl = mnl_socket_open(NETLINK_GENERIC)))
		return -errno;
	if (mnl_socket_bind(e->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out_close;
	}
	e->portid = mnl_socket_get_portid(e->nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	r = genl_talk(e, nlh, on_family, &e->family);
	if (r == 0 && e->family == 0)
		r = -ENOENT;
	if (r == 0)
		return 0;
out_close:
	ethnl_close(e);
	return r;
}

void ethnl_close(struct ethnl *e)
{
	if (e->nl)
		mnl_socket_close(e->nl);
	e->nl = NULL;
}

/* GET command, reply command and request header attribute of each kind. */
static const struct {
	uint8_t cmd, reply;
	uint16_t header;
} kinds[] = {
	[NIC_REPLY_FEATURE_NAMES] = { ETHTOOL_MSG_STRSET_GET, ETHTOOL_MSG_STRSET_GET_REPLY,
				      ETHTOOL_A_STRSET_HEADER },
	[NIC_REPLY_FEATURES] = { ETHTOOL_MSG_FEATURES_GET, ETHTOOL_MSG_FEATURES_GET_REPLY,
				 ETHTOOL_A_FEATURES_HEADER },
	[NIC_REPLY_RINGS] = { ETHTOOL_MSG_RINGS_GET, ETHTOOL_MSG_RINGS_GET_REPLY,
			      ETHTOOL_A_RINGS_HEADER },
	[NIC_REPLY_CHANNELS] = { ETHTOOL_MSG_CHANNELS_GET, ETHTOOL_MSG_CHANNELS_GET_REPLY,
				 ETHTOOL_A_CHANNELS_HEADER },
	[NIC_REPLY_COALESCE] = { ETHTOOL_MSG_COALESCE_GET, ETHTOOL_MSG_COALESCE_GET_REPLY,
				 ETHTOOL_A_COALESCE_HEADER },
};

int ethnl_fetch(struct ethnl *e, const char *ifname, enum nic_reply which, void *buf,
		size_t cap)
{
	char req[REQUEST_SIZE] = { 0 }; /* zeroed: libmnl leaves attribute padding unwritten */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct nlattr *hdr, *sets, *set;
	struct genlmsghdr *g;
	bool global = which == NIC_REPLY_FEATURE_NAMES;
	ssize_t n;
	int r;

	if ((unsigned int)which > NIC_REPLY_COALESCE)
		return -EINVAL;
	nlh->nlmsg_type = e->family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++e->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = kinds[which].cmd;
	g->version = ETHTOOL_GENL_VERSION;
	hdr = mnl_attr_nest_start(nlh, kinds[which].header);
	if (!global)
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, ifname);
	/* compact bitsets: values as u32 words, names fetched once from the string set */
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_FLAGS, ETHTOOL_FLAG_COMPACT_BITSETS);
	mnl_attr_nest_end(nlh, hdr);
	if (global) {
		sets = mnl_attr_nest_start(nlh, ETHTOOL_A_STRSET_STRINGSETS);
		set = mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGSETS_STRINGSET);
		mnl_attr_put_u32(nlh, ETHTOOL_A_STRINGSET_ID, ETH_SS_FEATURES);
		mnl_attr_nest_end(nlh, set);
		mnl_attr_nest_end(nlh, sets);
	}
	if (mnl_socket_sendto(e->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(e->nl, buf, cap);
	if (n < 0)
		return errno == ENOSPC ? -EMSGSIZE : -errno;
	if (n == 0)
		return -ENODATA;
	r = ethnl_reply_attrs(buf, (size_t)n, kinds[which].reply, NULL, 0);
	return r < 0 ? r : (int)n;
}

int ethnl_reply_attrs(const void *buf, size_t len, uint8_t cmd, const struct nlattr **tb,
		      unsigned int max)
{
	const struct nlmsghdr *nlh = buf;
	const struct genlmsghdr *g;
	const struct nlmsgerr *err;

	if (len < sizeof(*nlh) || !nl_messages_whole(buf, len))
		return -EBADMSG;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
			return -EBADMSG;
		err = mnl_nlmsg_get_payload(nlh);
		return err->error < 0 && err->error > -4096 ? err->error : -EBADMSG;
	}
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE || mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != cmd)
		return -EBADMSG;
	if (!tb)
		return 0;
	return nl_attrs_parse(nlh, GENL_HDRLEN, tb, max);
}

int ethnl_nest_attrs(const struct nlattr *nest, const struct nlattr **tb, unsigned int max)
{
	const struct nlattr *a;
	int left;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_get_payload_len(nest) == 0)
		return 0;
	a = mnl_attr_get_payload(nest);
	left = (int)mnl_attr_get_payload_len(nest);
	while (mnl_attr_ok(a, left)) {
		uint16_t type = mnl_attr_get_type(a);

		if (type <= max)
			tb[type] = a;
		left -= (int)MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	return left <= 0 ? 0 : -EBADMSG;
}
