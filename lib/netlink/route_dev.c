// SPDX-License-Identifier: MIT
/* route_dev: one RTM_GETROUTE request and its reply's output interface. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "nic2app/route_dev.h"
#include "nl_dump.h"

static int on_route(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;
	int *oif = data;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			*oif = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* Put dst's address in the request; its length, or 0 for an unknown family. */
static size_t put_dst(struct nlmsghdr *nlh, const struct sockaddr *dst)
{
	if (dst->sa_family == AF_INET) {
		mnl_attr_put(nlh, RTA_DST, 4, &((const struct sockaddr_in *)dst)->sin_addr);
		return 32;
	}
	if (dst->sa_family == AF_INET6) {
		mnl_attr_put(nlh, RTA_DST, 16, &((const struct sockaddr_in6 *)dst)->sin6_addr);
		return 128;
	}
	return 0;
}

int route_device(const struct sockaddr *dst, char *ifname)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct mnl_socket *nl;
	struct rtmsg *rtm;
	unsigned int seq = (unsigned int)time(NULL);
	int oif = 0, r;
	ssize_t n;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->sa_family;
	if (!(rtm->rtm_dst_len = (unsigned char)put_dst(nlh, dst)))
		return -EAFNOSUPPORT;
	if (!(nl = mnl_socket_open(NETLINK_ROUTE)))
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
	    (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0) {
		r = -errno;
		goto out_close;
	}
	r = nl_batch_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), on_route, &oif);
	if (r >= 0)
		r = oif > 0 && if_indextoname((unsigned int)oif, ifname) ? 0 : -ENETUNREACH;
out_close:
	mnl_socket_close(nl);
	return r;
}
