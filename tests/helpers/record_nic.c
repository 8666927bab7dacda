// SPDX-License-Identifier: MIT
/*
 * record_nic: record the kernel's replies about interfaces for test_nic, with the ground
 * truth to check their parsing against, taken from other sources. Writes, under OUTDIR:
 *   feature_names.bin             ETHTOOL_MSG_STRSET_GET of ETH_SS_FEATURES, as received
 *   IFACE_features.bin            ETHTOOL_MSG_FEATURES_GET
 *   IFACE_{rings,channels,coalesce}.bin   when the driver has them
 *   IFACE_link.bin                RTM_GETLINK
 *   IFACE_ethtool_k.txt           `ethtool -k IFACE` as printed (the features' ground truth)
 *   IFACE.manifest                the same interface through SIOCETHTOOL (ETHTOOL_GRINGPARAM,
 *                                 GCHANNELS, GCOALESCE) and sysfs (ifindex, mtu): "KIND NAME VALUE"
 *   interrupts, softirqs, softnet_stat   copies of the /proc files
 * usage: record_nic OUTDIR IFACE...
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/nic.h"

static const char *outdir;

static FILE *out_open(const char *name, const char *mode)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	if (!(f = fopen(path, mode))) {
		perror(path);
		exit(1);
	}
	return f;
}

static void record(const char *ifname, enum nic_reply which, const char *name)
{
	char *buf = malloc(NIC_REPLY_SIZE);
	int n = nic_reply_fetch(ifname, which, buf, NIC_REPLY_SIZE);
	FILE *f;

	if (n < 0) {
		fprintf(stderr, "record_nic: %s: %s (not recorded)\n", name, strerror(-n));
		free(buf);
		return;
	}
	f = out_open(name, "wb");
	fwrite(buf, 1, (size_t)n, f);
	fclose(f);
	free(buf);
}

static int ethtool_ioctl(const char *ifname, void *data)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), r;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	r = ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	return r;
}

/* The ioctl view: what the netlink replies must agree with. */
static void manifest(const char *ifname)
{
	struct ethtool_ringparam rp = { .cmd = ETHTOOL_GRINGPARAM };
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ethtool_coalesce co = { .cmd = ETHTOOL_GCOALESCE };
	char name[64];
	unsigned int mtu;
	FILE *f, *sys;

	snprintf(name, sizeof(name), "%s.manifest", ifname);
	f = out_open(name, "w");
	if (ethtool_ioctl(ifname, &rp) == 0)
		fprintf(f, "rings rx_max %u\nrings tx_max %u\nrings rx %u\nrings tx %u\n",
			rp.rx_max_pending, rp.tx_max_pending, rp.rx_pending, rp.tx_pending);
	if (ethtool_ioctl(ifname, &ch) == 0)
		fprintf(f,
			"channels rx_max %u\nchannels tx_max %u\nchannels other_max %u\n"
			"channels combined_max %u\nchannels rx_count %u\nchannels tx_count %u\n"
			"channels other_count %u\nchannels combined_count %u\n",
			ch.max_rx, ch.max_tx, ch.max_other, ch.max_combined, ch.rx_count,
			ch.tx_count, ch.other_count, ch.combined_count);
	if (ethtool_ioctl(ifname, &co) == 0)
		fprintf(f,
			"coalesce rx_usecs %u\ncoalesce rx_max_frames %u\ncoalesce tx_usecs %u\n"
			"coalesce tx_max_frames %u\ncoalesce use_adaptive_rx %u\n"
			"coalesce use_adaptive_tx %u\n",
			co.rx_coalesce_usecs, co.rx_max_coalesced_frames, co.tx_coalesce_usecs,
			co.tx_max_coalesced_frames, co.use_adaptive_rx_coalesce,
			co.use_adaptive_tx_coalesce);
	fprintf(f, "link ifindex %u\n", if_nametoindex(ifname));
	snprintf(name, sizeof(name), "/sys/class/net/%s/mtu", ifname);
	if ((sys = fopen(name, "re"))) {
		if (fscanf(sys, "%u", &mtu) == 1)
			fprintf(f, "link mtu %u\n", mtu);
		fclose(sys);
	}
	fclose(f);
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "re"), *out;
	char buf[4096];
	size_t n;

	if (!in) {
		perror(from);
		exit(1);
	}
	out = out_open(to, "w");
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

int main(int argc, char **argv)
{
	char name[128], cmd[512];

	if (argc < 3) {
		fprintf(stderr, "usage: record_nic OUTDIR IFACE...\n");
		return 2;
	}
	outdir = argv[1];
	record(NULL, NIC_REPLY_FEATURE_NAMES, "feature_names.bin");
	for (int i = 2; i < argc; i++) {
		const char *ifname = argv[i];

		snprintf(name, sizeof(name), "%s_features.bin", ifname);
		record(ifname, NIC_REPLY_FEATURES, name);
		snprintf(name, sizeof(name), "%s_rings.bin", ifname);
		record(ifname, NIC_REPLY_RINGS, name);
		snprintf(name, sizeof(name), "%s_channels.bin", ifname);
		record(ifname, NIC_REPLY_CHANNELS, name);
		snprintf(name, sizeof(name), "%s_coalesce.bin", ifname);
		record(ifname, NIC_REPLY_COALESCE, name);
		snprintf(name, sizeof(name), "%s_link.bin", ifname);
		record(ifname, NIC_REPLY_LINK, name);
		manifest(ifname);
		snprintf(cmd, sizeof(cmd), "ethtool -k %s > %s/%s_ethtool_k.txt", ifname, outdir,
			 ifname);
		if (system(cmd) != 0)
			fprintf(stderr, "record_nic: '%s' failed\n", cmd);
	}
	copy_file("/proc/interrupts", "interrupts");
	copy_file("/proc/softirqs", "softirqs");
	copy_file("/proc/net/softnet_stat", "softnet_stat");
	return 0;
}
