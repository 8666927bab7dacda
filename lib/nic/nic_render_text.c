// SPDX-License-Identifier: MIT
/*
 * nic_render_text: an interface as a short report (driver, sizes, queues, offloads as
 * `ethtool -k` names them, rings and coalescing, interrupt lines) and a burst as the counts
 * that moved, with the sentence each count supports.
 */
#include <stdio.h>
#include <string.h>

#include "nic2app/nic_render.h"
#include "nic2app/render.h"

static void heading(struct strbuf *sb, bool colour, const char *text)
{
	colour_add(sb, colour, COLOUR_BOLD, text);
	strbuf_addc(sb, '\n');
}

static void driver_line(struct strbuf *sb, const struct nic_info *info)
{
	const struct nic_drvinfo *d = &info->drv;

	if (d->err < 0) {
		strbuf_addf(sb, "  driver: none reported (ETHTOOL_GDRVINFO: %s)%s\n",
			    strerror(-d->err),
			    info->link.flags & 0x8 /* IFF_LOOPBACK */ ?
				    "; lo is the kernel's own code, drivers/net/loopback.c" : "");
		return;
	}
	strbuf_addf(sb, "  driver: %s", d->driver);
	if (d->version[0])
		strbuf_addf(sb, " %s", d->version);
	if (d->bus_info[0])
		strbuf_addf(sb, ", bus %s", d->bus_info);
	if (d->fw_version[0])
		strbuf_addf(sb, ", firmware %s", d->fw_version);
	strbuf_addc(sb, '\n');
}

static void link_lines(struct strbuf *sb, const struct nic_link *l)
{
	strbuf_addf(sb, "  MTU %u", l->mtu);
	if (l->has & NIC_HAS_GSO_MAX_SIZE)
		strbuf_addf(sb, "   GSO max %u B", l->gso_max_size);
	if (l->has & NIC_HAS_GRO_MAX_SIZE)
		strbuf_addf(sb, "   GRO max %u B", l->gro_max_size);
	if (l->has & NIC_HAS_TSO_MAX_SIZE)
		strbuf_addf(sb, "   TSO max %u B", l->tso_max_size);
	strbuf_addc(sb, '\n');
	strbuf_adds(sb, " ");
	if (l->has & NIC_HAS_QUEUES)
		strbuf_addf(sb, " queues: %u tx, %u rx;", l->num_tx_queues, l->num_rx_queues);
	strbuf_addf(sb, " qdisc %s; state %s; packets since boot: %llu in, %llu out\n",
		    l->qdisc[0] ? l->qdisc : "none", nic_operstate_name(l->operstate),
		    (unsigned long long)l->rx_packets, (unsigned long long)l->tx_packets);
}

/* The feature rows, wrapped: on, then off-but-changeable; off-and-fixed only counted. */
static void features_lines(struct strbuf *sb, const struct nic_info *info)
{
	struct nic_feature_row rows[NIC_FEATURES_MAX + 16];
	size_t n = nic_feature_rows(&info->features, rows, sizeof(rows) / sizeof(rows[0]));
	size_t fixed_off = 0, col;

	if (info->features_err < 0) {
		strbuf_addf(sb, "  offloads: cannot read (%s)\n", strerror(-info->features_err));
		return;
	}
	strbuf_addf(sb, "  offloads (ethtool -k names, from %s):\n",
		    strcmp(info->features_source, "ioctl") == 0 ? "SIOCETHTOOL ETHTOOL_GFEATURES" :
								   "ETHTOOL_MSG_FEATURES_GET");
	for (int pass = 0; pass < 2; pass++) {
		strbuf_adds(sb, pass == 0 ? "    on:" : "    off, changeable:");
		col = pass == 0 ? 8 : 20;
		for (size_t i = 0; i < n; i++) {
			const struct nic_feature_row *r = &rows[i];
			size_t len = strlen(r->name) + (r->fixed == 1 ? 8 : 0) + 2;

			if (r->sub || r->active != (pass == 0))
				continue;
			if (pass == 1 && r->fixed != 0) {
				fixed_off += r->fixed == 1;
				continue;
			}
			if (col + len > 96) {
				strbuf_adds(sb, "\n       ");
				col = 8;
			}
			strbuf_addf(sb, "  %s%s", r->name, r->fixed == 1 ? " [fixed]" : "");
			col += len;
		}
		strbuf_addc(sb, '\n');
	}
	strbuf_addf(sb, "    off and fixed: %zu more (the driver cannot do them; --json lists all)\n",
		    fixed_off);
}

static void params_line(struct strbuf *sb, const char *label, const struct nic_params *ps)
{
	strbuf_addf(sb, "  %s: ", label);
	if (ps->err < 0) {
		strbuf_addf(sb, "not offered by the driver (%s)\n", strerror(-ps->err));
		return;
	}
	for (size_t i = 0; i < ps->count; i++)
		strbuf_addf(sb, "%s%s %u", i ? ", " : "", ps->p[i].name, ps->p[i].value);
	strbuf_adds(sb, ps->count ? "\n" : "none reported\n");
}

static void irqs_lines(struct strbuf *sb, const struct nic_info *info, bool colour)
{
	const struct nic_irqs *q = &info->irqs;
	const char *headers[] = { ">IRQ", "NAME", ">TOTAL", "PER CPU" };
	uint64_t total = 0;
	struct table t;

	if (q->count == 0) {
		strbuf_addf(sb, "  interrupts: none: %s\n",
			    strcmp(q->source, "none") == 0 ?
				    "no device behind it in sysfs, so no line in /proc/interrupts" :
				    "its device lists no interrupt line");
		return;
	}
	strbuf_addf(sb, "  interrupts (/proc/interrupts; lines from sysfs %s):\n", q->source);
	if (table_init(&t, 4, headers) < 0)
		return;
	for (size_t i = 0; i < q->count; i++) {
		char irq[16], count[24], cpus[256];
		const char *cells[4] = { irq, q->irq[i].name, count, cpus };
		size_t off = 0;

		snprintf(irq, sizeof(irq), "%u", q->irq[i].irq);
		snprintf(count, sizeof(count), "%llu", (unsigned long long)q->irq[i].count);
		cpus[0] = '\0';
		for (unsigned int c = 0; c < q->irq[i].ncpus && off < sizeof(cpus) - 24; c++)
			off += (size_t)snprintf(cpus + off, sizeof(cpus) - off, "%s%llu", c ? " " : "",
						(unsigned long long)q->irq[i].per_cpu[c]);
		table_add_row(&t, cells);
		total += q->irq[i].count;
	}
	table_render(&t, sb, colour, 4);
	table_release(&t);
	if (total)
		strbuf_addf(sb, "    since boot: %llu packets in and out, %llu interrupts on these lines "
				"(%.1f packets per interrupt)\n",
			    (unsigned long long)(info->link.rx_packets + info->link.tx_packets),
			    (unsigned long long)total,
			    (double)(info->link.rx_packets + info->link.tx_packets) / (double)total);
}

void nic_lo_checksum_note(struct strbuf *sb, int indent)
{
	strbuf_addf(sb,
		    "%*s\"checksum on\" on lo: lo offers NETIF_F_HW_CSUM (tx-checksum-ip-generic), so\n"
		    "%*sTCP and UDP leave their checksum to the device (CHECKSUM_PARTIAL: only the\n"
		    "%*spseudo-header sum is written); loopback_xmit passes the packet to the receive\n"
		    "%*sside unchanged, which counts CHECKSUM_PARTIAL as verified (include/linux/\n"
		    "%*sskbuff.h). So the TCP checksum over the data is never computed on lo, nor\n"
		    "%*sUDP's for a datagram sent in one piece (not corked with MSG_MORE, not\n"
		    "%*sfragmented); the IP header's own checksum always is, in software\n"
		    "%*s(Documentation/networking/checksum-offloads.rst).\n",
		    indent, "", indent, "", indent, "", indent, "", indent, "", indent, "", indent, "",
		    indent, "");
}

void nic_render_text(struct strbuf *sb, const struct nic_info *info, bool colour)
{
	char title[64];

	snprintf(title, sizeof(title), "%s (ifindex %d)", info->link.ifname, info->link.ifindex);
	heading(sb, colour, title);
	driver_line(sb, info);
	link_lines(sb, &info->link);
	features_lines(sb, info);
	params_line(sb, "rings", &info->rings);
	params_line(sb, "channels", &info->channels);
	params_line(sb, "coalescing", &info->coalesce);
	irqs_lines(sb, info, colour);
	if (strcmp(info->link.ifname, "lo") == 0)
		nic_lo_checksum_note(sb, 2);
	strbuf_adds(sb, "  the same with standard tools: ethtool -k/-i/-g/-l/-c IFACE; ip -d -s link\n\n");
}

static void softirq_table(struct strbuf *sb, const struct nic_burst *b, bool colour)
{
	const char *headers[] = { ">CPU", ">NET_RX", ">NET_TX", ">PROCESSED", ">SQUEEZED",
				  ">DROPPED" };
	struct table t;

	if (table_init(&t, 6, headers) < 0)
		return;
	for (unsigned int i = 0; i < b->softnet.n; i++) {
		const struct nic_softnet_cpu *c = &b->softnet.c[i];
		char v[6][24];
		const char *cells[6] = { v[0], v[1], v[2], v[3], v[4], v[5] };

		snprintf(v[0], sizeof(v[0]), "%u%s", c->cpu, (int)c->cpu == b->cpu ? "*" : "");
		snprintf(v[1], sizeof(v[1]), "%llu",
			 (unsigned long long)(c->cpu < b->ncpus ? b->net_rx[c->cpu] : 0));
		snprintf(v[2], sizeof(v[2]), "%llu",
			 (unsigned long long)(c->cpu < b->ncpus ? b->net_tx[c->cpu] : 0));
		snprintf(v[3], sizeof(v[3]), "%u", c->processed);
		snprintf(v[4], sizeof(v[4]), "%u", c->time_squeeze);
		snprintf(v[5], sizeof(v[5]), "%u", c->dropped);
		table_add_row(&t, cells);
	}
	table_render(&t, sb, colour, 4);
	table_release(&t);
}

void nic_burst_render_text(struct strbuf *sb, const struct nic_burst *b, bool colour)
{
	char title[128];
	double ms = (double)b->elapsed_ns / 1e6;

	snprintf(title, sizeof(title), "burst over %s (%s)", b->device,
		 b->path == NIC_BURST_VETH ? "veth, a software driver, between two private namespaces" :
					     "loopback");
	heading(sb, colour, title);
	strbuf_addf(sb, "  %u UDP datagrams of %u bytes sent from CPU %d, %u received, in %.1f ms\n",
		    b->sent, b->size, b->cpu, b->received, ms);
	strbuf_addf(sb, "  %s counted %llu packets out, %s%llu in (any other traffic on it included)\n",
		    b->device, (unsigned long long)b->dev_tx_packets,
		    b->path == NIC_BURST_VETH ? "its peer " : "", (unsigned long long)b->dev_rx_packets);
	if (b->dev_irq_lines == 0)
		strbuf_addf(sb, "  interrupts raised by %s: none: it owns no interrupt line; the whole machine\n"
				"  took %llu device interrupts meanwhile\n",
			    b->device, (unsigned long long)b->machine_irqs);
	else
		strbuf_addf(sb, "  interrupts on %s's %zu lines: %llu\n", b->device, b->dev_irq_lines,
			    (unsigned long long)b->dev_irqs);
	strbuf_addf(sb, "  receive work per CPU (* the sender's): NET_RX softirqs run the backlog's NAPI\n"
			"  poll; PROCESSED counts packets it handled (softnet_stat, whole machine):\n");
	softirq_table(sb, b, colour);
	for (unsigned int i = 0; i < b->softnet.n; i++) {
		const struct nic_softnet_cpu *c = &b->softnet.c[i];
		uint64_t runs = c->cpu < b->ncpus ? b->net_rx[c->cpu] : 0;

		if ((int)c->cpu == b->cpu && runs)
			strbuf_addf(sb, "  on CPU %u: %u packets in %llu NET_RX runs, %.1f per run (a NIC's\n"
					"  interrupt schedules one NAPI poll, which may take many packets)\n",
				    c->cpu, c->processed, (unsigned long long)runs,
				    (double)c->processed / (double)runs);
	}
	if (b->watched) {
		uint64_t irqs = 0;

		for (size_t i = 0; i < b->watch.nirqs; i++)
			irqs += b->watch.irq[i].delta;
		strbuf_addf(sb, "  %s meanwhile (watched, not driven: no traffic was sent to it): "
				"%llu packets in, %llu out, %llu interrupts on its %zu lines\n",
			    b->watch.ifname, (unsigned long long)b->watch.rx_packets,
			    (unsigned long long)b->watch.tx_packets, (unsigned long long)irqs,
			    b->watch.nirqs);
	}
	strbuf_addc(sb, '\n');
}
