// SPDX-License-Identifier: MIT
/*
 * netns_pair: two unnamed network namespaces joined by a veth pair, built with rtnetlink
 * (libmnl) rather than the ip command. A netlink socket talks to the namespace it was created
 * in, so the thread visits each new namespace only to make its fd and its route socket, and
 * configures both from home; every request asks for an ACK and returns the kernel's -errno.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/netns_pair.h"
#include "nl_dump.h"

#define SELF_NETNS "/proc/thread-self/ns/net"
#define PREFIX_LEN 24
/* Replies to one request on one link fit easily; a bigger one fails with ENOSPC. */
#define RTNL_BUFFER_SIZE 8192
#define REQUEST_SIZE 512
/* The kernel reports a link's carrier (IFF_RUNNING) from its linkwatch work, which it may
 * defer by up to a second; the ends are ready to carry packets once both report it. */
#define RUNNING_TIMEOUT_MS 3000
#define RUNNING_POLL_NS 1000000

struct rtnl {
	struct mnl_socket *nl;
	unsigned int seq, portid;
};

struct link_info {
	int ifindex;
	unsigned int flags;
};

static int rtnl_open(struct rtnl *r)
{
	int err;

	r->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(r->nl);
		r->nl = NULL;
		return err;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	return 0;
}

static void rtnl_close(struct rtnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

/* Send one request with NLM_F_ACK, hand any reply to cb, and wait for the ACK or the error. */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[RTNL_BUFFER_SIZE];
	unsigned int seq = ++r->seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		ret = nl_batch_run(buf, (size_t)n, seq, r->portid, cb, data);
	} while (ret == 0);
	return ret < 0 ? ret : 0;
}

/* Requests are built in zeroed buffers: libmnl 1.0.4 does not write an attribute's
 * padding, which would send the kernel bytes of our stack. */
static struct nlmsghdr *link_request(char *buf, int type, const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static int on_link(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct link_info *info = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	info->ifindex = ifi->ifi_index;
	info->flags = ifi->ifi_flags;
	return MNL_CB_OK;
}

static int link_get(struct rtnl *r, const char *name, struct link_info *info)
{
	char buf[REQUEST_SIZE] = { 0 };
	int ret;

	info->ifindex = 0;
	ret = rtnl_talk(r, link_request(buf, RTM_GETLINK, name), on_link, info);
	return ret < 0 ? ret : info->ifindex > 0 ? 0 : -ENODEV;
}

static int link_up(struct rtnl *r, const char *name)
{
	char buf[REQUEST_SIZE] = { 0 };
	struct nlmsghdr *nlh = link_request(buf, RTM_NEWLINK, name);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return rtnl_talk(r, nlh, NULL, NULL);
}

/* Poll until the link reports IFF_RUNNING (operstate up), or -ETIMEDOUT. */
static int link_wait_running(struct rtnl *r, const char *name)
{
	const struct timespec pause = { .tv_nsec = RUNNING_POLL_NS };
	struct link_info info;
	int waited_ms = 0, ret;

	for (;;) {
		ret = link_get(r, name, &info);
		if (ret < 0 || (info.flags & IFF_RUNNING))
			return ret;
		if (waited_ms++ >= RUNNING_TIMEOUT_MS)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

/* In A: a veth named ifname[A] whose peer, ifname[B], is created straight into B. */
static int veth_add(struct rtnl *r, const struct netns_pair *p)
{
	char buf[REQUEST_SIZE] = { 0 };
	struct nlmsghdr *nlh = link_request(buf, RTM_NEWLINK, p->ifname[NETNS_A]);
	struct nlattr *linkinfo, *data, *peer;
	struct ifinfomsg *peer_ifi;

	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* the peer's attributes are a whole link request of their own, ifinfomsg first */
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer_ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifi));
	peer_ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, p->ifname[NETNS_B]);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)p->ns_fd[NETNS_B]);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return rtnl_talk(r, nlh, NULL, NULL);
}

static int addr_add(struct rtnl *r, int ifindex, struct in_addr addr)
{
	char buf[REQUEST_SIZE] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = PREFIX_LEN;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return rtnl_talk(r, nlh, NULL, NULL);
}

/*
 * A new namespace for side, its fd, and a route socket inside it. The thread leaves through
 * unshare and comes back with setns(orig_fd) whatever happened after the unshare.
 */
static int side_make(struct netns_pair *p, enum netns_side side, struct rtnl *r)
{
	int ret = 0;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	p->ns_fd[side] = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	if (p->ns_fd[side] < 0)
		ret = -errno;
	else
		ret = rtnl_open(r);
	if (setns(p->orig_fd, CLONE_NEWNET) < 0)
		ret = -errno;
	return ret;
}

/* The address on side's veth end, then that end and lo up. */
static int side_configure(struct rtnl *r, struct netns_pair *p, enum netns_side side)
{
	struct link_info info;
	int ret;

	ret = link_get(r, p->ifname[side], &info);
	if (ret < 0)
		return ret;
	p->ifindex[side] = info.ifindex;
	ret = addr_add(r, info.ifindex, p->addr[side]);
	if (ret < 0)
		return ret;
	ret = link_up(r, p->ifname[side]);
	return ret < 0 ? ret : link_up(r, "lo");
}

static void pair_init(struct netns_pair *p)
{
	memset(p, 0, sizeof(*p));
	p->orig_fd = p->ns_fd[NETNS_A] = p->ns_fd[NETNS_B] = -1;
	snprintf(p->ifname[NETNS_A], IF_NAMESIZE, "n2a%da", (int)getpid());
	snprintf(p->ifname[NETNS_B], IF_NAMESIZE, "n2a%db", (int)getpid());
	p->addr[NETNS_A].s_addr = htonl(0xc0000201); /* 192.0.2.1 */
	p->addr[NETNS_B].s_addr = htonl(0xc0000202); /* 192.0.2.2 */
}

int netns_pair_create(struct netns_pair *p)
{
	struct rtnl rtnl[2] = { { 0 }, { 0 } };
	int ret;

	pair_init(p);
	p->orig_fd = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	if (p->orig_fd < 0) {
		ret = -errno;
		goto out_release;
	}
	ret = side_make(p, NETNS_A, &rtnl[NETNS_A]);
	if (ret == 0)
		ret = side_make(p, NETNS_B, &rtnl[NETNS_B]);
	if (ret == 0)
		ret = veth_add(&rtnl[NETNS_A], p);
	if (ret == 0)
		ret = side_configure(&rtnl[NETNS_A], p, NETNS_A);
	if (ret == 0)
		ret = side_configure(&rtnl[NETNS_B], p, NETNS_B);
	if (ret == 0)
		ret = link_wait_running(&rtnl[NETNS_A], p->ifname[NETNS_A]);
	if (ret == 0)
		ret = link_wait_running(&rtnl[NETNS_B], p->ifname[NETNS_B]);
	rtnl_close(&rtnl[NETNS_A]);
	rtnl_close(&rtnl[NETNS_B]);
out_release:
	if (ret < 0)
		netns_pair_release(p);
	return ret;
}

int netns_pair_enter(const struct netns_pair *p, enum netns_side side)
{
	if (side != NETNS_A && side != NETNS_B)
		return -EINVAL;
	if (p->ns_fd[side] < 0)
		return -EBADF;
	return setns(p->ns_fd[side], CLONE_NEWNET) < 0 ? -errno : 0;
}

int netns_pair_leave(const struct netns_pair *p)
{
	if (p->orig_fd < 0)
		return -EBADF;
	return setns(p->orig_fd, CLONE_NEWNET) < 0 ? -errno : 0;
}

static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * A pair netns_pair_create has filled has its names set; a zeroed struct (fds of 0, which are
 * not ours) or one released already has none, so there is nothing to close.
 */
void netns_pair_release(struct netns_pair *p)
{
	if (!p->ifname[NETNS_A][0])
		return;
	fd_close(&p->ns_fd[NETNS_A]);
	fd_close(&p->ns_fd[NETNS_B]);
	fd_close(&p->orig_fd);
	memset(p->ifname, 0, sizeof(p->ifname));
	memset(p->ifindex, 0, sizeof(p->ifindex));
}
