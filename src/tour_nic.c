// SPDX-License-Identifier: MIT
/*
 * tour_nic: the tour's NIC stop: this machine's interfaces measured in a few lines (lo's
 * offloads and MTU, the default route device's driver and interrupts, one burst over lo),
 * at most about 120 words. `nic2app nic --burst` has the full story.
 */
#include <stdio.h>
#include <string.h>

#include "nic2app/nic.h"
#include "nic2app/nic_burst.h"
#include "nic2app/render.h"
#include "tour.h"

#define TOUR_BURST 1000

static bool feature_on(const struct nic_info *info, const char *legacy)
{
	struct nic_feature_row rows[NIC_FEATURES_MAX + 16];
	size_t n = nic_feature_rows(&info->features, rows, sizeof(rows) / sizeof(rows[0]));

	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].name, legacy) == 0)
			return rows[i].active;
	return false;
}

static void lo_lines(struct strbuf *sb, const struct nic_info *lo, struct tour_facts *f)
{
	static const struct {
		const char *legacy, *label;
	} shown[] = { { "tx-checksumming", "checksum" }, { "scatter-gather", "sg" },
		      { "tcp-segmentation-offload", "TSO" },
		      { "generic-segmentation-offload", "GSO" },
		      { "generic-receive-offload", "GRO" } };

	strbuf_addf(sb, "  lo: MTU %u, GSO up to %u B; on:", lo->link.mtu, lo->link.gso_max_size);
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		size_t used = strlen(f->lo_offloads);

		if (!feature_on(lo, shown[i].legacy))
			continue;
		strbuf_addf(sb, " %s", shown[i].label);
		snprintf(f->lo_offloads + used, sizeof(f->lo_offloads) - used, "%s%s",
			 used ? " " : "", shown[i].label);
	}
	strbuf_adds(sb, ".\n  Checksum \"offload\" on lo: TCP's data is never summed; packets\n"
			"  stay CHECKSUM_PARTIAL, which the receiver accepts as checked.\n");
}

static void dev_lines(struct strbuf *sb, const struct nic_info *dev)
{
	uint64_t irqs = 0;

	for (size_t i = 0; i < dev->irqs.count; i++)
		irqs += dev->irqs.irq[i].count;
	strbuf_addf(sb, "  %s: %s, %zu interrupt lines%s", dev->link.ifname,
		    dev->drv.err ? "no driver info" : dev->drv.driver, dev->irqs.count,
		    strcmp(dev->irqs.source, "msi_irqs") == 0 ? " (MSI-X)" : "");
	if (irqs)
		strbuf_addf(sb, "; %.1f packets per interrupt since boot",
			    (double)(dev->link.rx_packets + dev->link.tx_packets) / (double)irqs);
	strbuf_adds(sb, ".\n");
}

static void burst_line(struct strbuf *sb, const struct nic_burst *b)
{
	uint64_t rx = b->cpu >= 0 && (unsigned int)b->cpu < b->ncpus ? b->net_rx[b->cpu] : 0;

	strbuf_addf(sb, "  %u datagrams over lo now: +%llu packets, %llu interrupts (no NIC, DMA\n"
			"  or wire), %llu NET_RX softirqs on CPU %d.\n",
		    b->sent, (unsigned long long)b->dev_tx_packets, (unsigned long long)b->dev_irqs,
		    (unsigned long long)rx, b->cpu);
}

int tour_nic_stop(struct strbuf *sb, bool colour, struct tour_facts *f)
{
	static struct nic_info lo, dev;
	static struct nic_burst b;
	char ifname[IF_NAMESIZE];
	int r;

	colour_add(sb, colour, COLOUR_BOLD, "The devices (nic2app nic):\n");
	if ((r = nic_collect("lo", &lo)) < 0)
		return r;
	lo_lines(sb, &lo, f);
	if (nic_default_route_dev(ifname) == 0 && strcmp(ifname, "lo") != 0 &&
	    nic_collect(ifname, &dev) == 0)
		dev_lines(sb, &dev);
	if (nic_burst_run(NIC_BURST_LO, TOUR_BURST, 1000, NULL, NULL, &b) == 0)
		burst_line(sb, &b);
	return 0;
}
