// SPDX-License-Identifier: MIT
/*
 * nic_collect: everything about one interface in one call: the link (rtnetlink), the driver
 * (SIOCETHTOOL), the features, rings, channels and coalescing (ethtool netlink, with the
 * features from SIOCETHTOOL when the kernel has no ethtool netlink) and its interrupt lines.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ethnl.h"

int nic_reply_fetch(const char *ifname, enum nic_reply which, void *buf, size_t cap)
{
	struct ethnl e;
	int r;

	if (which == NIC_REPLY_LINK)
		return nic_link_fetch(ifname, buf, cap);
	if ((r = ethnl_open(&e)) < 0)
		return r;
	r = ethnl_fetch(&e, ifname, which, buf, cap);
	ethnl_close(&e);
	return r;
}

/* Features over netlink: the names (string set) and the four bitsets. */
static int features_netlink(struct ethnl *e, const char *ifname, char *buf, char *names_buf,
			    struct nic_features *f)
{
	int nn, n;

	if ((nn = ethnl_fetch(e, NULL, NIC_REPLY_FEATURE_NAMES, names_buf, NIC_REPLY_SIZE)) < 0)
		return nn;
	if ((n = ethnl_fetch(e, ifname, NIC_REPLY_FEATURES, buf, NIC_REPLY_SIZE)) < 0)
		return n;
	return nic_features_parse(names_buf, (size_t)nn, buf, (size_t)n, f);
}

static void params_netlink(struct ethnl *e, const char *ifname, enum nic_reply which, char *buf,
			   struct nic_params *ps)
{
	int n = ethnl_fetch(e, ifname, which, buf, NIC_REPLY_SIZE);

	memset(ps, 0, sizeof(*ps));
	if (n < 0)
		ps->err = n;
	else
		nic_params_parse(buf, (size_t)n, which, ps);
}

int nic_collect(const char *ifname, struct nic_info *info)
{
	char *buf = malloc(2 * NIC_REPLY_SIZE);
	struct ethnl e;
	int r, nl;

	memset(info, 0, sizeof(*info));
	if (!buf)
		return -ENOMEM;
	if ((r = nic_link_read(ifname, &info->link)) < 0)
		goto out_free;
	nic_ioctl_drvinfo(ifname, &info->drv);
	nl = ethnl_open(&e);
	if (nl == 0) {
		info->features_source = "netlink";
		info->features_err = features_netlink(&e, ifname, buf, buf + NIC_REPLY_SIZE,
						      &info->features);
		params_netlink(&e, ifname, NIC_REPLY_RINGS, buf, &info->rings);
		params_netlink(&e, ifname, NIC_REPLY_CHANNELS, buf, &info->channels);
		params_netlink(&e, ifname, NIC_REPLY_COALESCE, buf, &info->coalesce);
		ethnl_close(&e);
	}
	if (nl < 0 || info->features_err == -EOPNOTSUPP) {
		info->features_source = "ioctl";
		info->features_err = nic_ioctl_features(ifname, &info->features);
		if (nl < 0) /* rings, channels and coalescing are left out: netlink only */
			info->rings.err = info->channels.err = info->coalesce.err = nl;
	}
	nic_irqs_read(ifname, &info->irqs);
out_free:
	free(buf);
	return r;
}
