// SPDX-License-Identifier: MIT
/*
 * nic_ioctl: the older ethtool interface, ioctl(SIOCETHTOOL) on any socket: ETHTOOL_GDRVINFO
 * (netlink has no driver info message), and the features (ETHTOOL_GSSET_INFO, ETHTOOL_GSTRINGS
 * of ETH_SS_FEATURES, ETHTOOL_GFEATURES) for kernels without ethtool netlink.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ethnl.h"

/* ioctl(SIOCETHTOOL) with data on a throwaway datagram socket; 0 or -errno. */
static int ethtool_ioctl(const char *ifname, void *data)
{
	struct ifreq ifr;
	int fd, r = 0;

	if (strlen(ifname) >= IFNAMSIZ)
		return -ENODEV;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = data;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		r = -errno;
	close(fd);
	return r;
}

static void copy_field(char *dst, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);

	if (n >= NIC_NAME_LEN)
		n = NIC_NAME_LEN - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int nic_ioctl_drvinfo(const char *ifname, struct nic_drvinfo *d)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };

	memset(d, 0, sizeof(*d));
	if ((d->err = ethtool_ioctl(ifname, &info)) < 0)
		return d->err;
	copy_field(d->driver, info.driver, sizeof(info.driver));
	copy_field(d->version, info.version, sizeof(info.version));
	copy_field(d->fw_version, info.fw_version, sizeof(info.fw_version));
	copy_field(d->bus_info, info.bus_info, sizeof(info.bus_info));
	return 0;
}

/* How many feature names the kernel has (ETHTOOL_GSSET_INFO). */
static int features_count(const char *ifname, unsigned int *count)
{
	/* struct ethtool_sset_info ends in a flexible array: one u32 follows for our one set */
	union {
		struct ethtool_sset_info hdr;
		char bytes[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
	} info;
	uint32_t len;
	int r;

	memset(&info, 0, sizeof(info));
	info.hdr.cmd = ETHTOOL_GSSET_INFO;
	info.hdr.sset_mask = 1ULL << ETH_SS_FEATURES;
	if ((r = ethtool_ioctl(ifname, &info)) < 0)
		return r;
	if (!(info.hdr.sset_mask & (1ULL << ETH_SS_FEATURES)))
		return -EOPNOTSUPP;
	memcpy(&len, info.bytes + sizeof(info.hdr), sizeof(len));
	if (len == 0 || len > NIC_FEATURES_MAX)
		return -E2BIG;
	*count = len;
	return 0;
}

static bool word_bit(const struct ethtool_get_features_block *b, unsigned int i, size_t field)
{
	const uint32_t *w = (const uint32_t *)((const char *)&b[i / 32] + field);

	return *w >> (i % 32) & 1;
}

int nic_ioctl_features(const char *ifname, struct nic_features *f)
{
	const unsigned int blocks = NIC_FEATURES_MAX / 32;
	struct ethtool_gstrings *names = NULL;
	struct ethtool_gfeatures *feat = NULL;
	unsigned int count, i;
	int r;

	memset(f, 0, sizeof(*f));
	if ((r = features_count(ifname, &count)) < 0)
		return r;
	names = calloc(1, sizeof(*names) + (size_t)count * ETH_GSTRING_LEN);
	feat = calloc(1, sizeof(*feat) + blocks * sizeof(feat->features[0]));
	if (!names || !feat) {
		r = -ENOMEM;
		goto out_free;
	}
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_FEATURES;
	names->len = count;
	feat->cmd = ETHTOOL_GFEATURES;
	feat->size = blocks;
	if ((r = ethtool_ioctl(ifname, names)) < 0 || (r = ethtool_ioctl(ifname, feat)) < 0)
		goto out_free;
	f->count = count;
	for (i = 0; i < count; i++) {
		copy_field(f->f[i].name, (const char *)names->data + i * ETH_GSTRING_LEN,
			   ETH_GSTRING_LEN);
		f->f[i].hw = word_bit(feat->features, i,
				      offsetof(struct ethtool_get_features_block, available));
		f->f[i].wanted = word_bit(feat->features, i,
					  offsetof(struct ethtool_get_features_block, requested));
		f->f[i].active = word_bit(feat->features, i,
					  offsetof(struct ethtool_get_features_block, active));
		f->f[i].nochange = word_bit(
			feat->features, i,
			offsetof(struct ethtool_get_features_block, never_changed));
	}
out_free:
	free(names);
	free(feat);
	return r;
}
