// SPDX-License-Identifier: MIT
/* nic_render_json: an interface and a burst as JSON objects; feature keys are ethtool -k's. */
#include <string.h>

#include "nic2app/nic_render.h"

static void tristate(struct json *j, const char *key, int8_t v)
{
	if (v < 0)
		json_null(j, key);
	else
		json_bool(j, key, v);
}

static void features_json(struct json *j, const struct nic_info *info)
{
	struct nic_feature_row rows[NIC_FEATURES_MAX + 16];
	size_t n = nic_feature_rows(&info->features, rows, sizeof(rows) / sizeof(rows[0]));

	if (info->features_err < 0) {
		json_null(j, "features");
		return;
	}
	json_object_begin(j, "features");
	for (size_t i = 0; i < n; i++) {
		json_object_begin(j, rows[i].name);
		json_bool(j, "active", rows[i].active);
		tristate(j, "fixed", rows[i].fixed);
		tristate(j, "requested", rows[i].requested);
		json_object_end(j);
	}
	json_object_end(j);
}

static void params_json(struct json *j, const char *key, const struct nic_params *ps)
{
	if (ps->err < 0) {
		json_null(j, key);
		return;
	}
	json_object_begin(j, key);
	for (size_t i = 0; i < ps->count; i++)
		if (ps->p[i].is_bool)
			json_bool(j, ps->p[i].name, ps->p[i].value);
		else
			json_uint(j, ps->p[i].name, ps->p[i].value);
	json_object_end(j);
}

static void irqs_json(struct json *j, const struct nic_irqs *irqs)
{
	json_string(j, "irq_source", irqs->source);
	json_array_begin(j, "irqs");
	for (size_t i = 0; i < irqs->count; i++) {
		const struct nic_irq *q = &irqs->irq[i];

		json_object_begin(j, NULL);
		json_uint(j, "irq", q->irq);
		json_string(j, "name", q->name);
		json_uint(j, "count", q->count);
		json_array_begin(j, "per_cpu");
		for (unsigned int c = 0; c < q->ncpus; c++)
			json_uint(j, NULL, q->per_cpu[c]);
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

static void optional_u32(struct json *j, const char *key, const struct nic_link *l,
			 unsigned int bit, uint32_t v)
{
	if (l->has & bit)
		json_uint(j, key, v);
	else
		json_null(j, key);
}

static void link_json(struct json *j, const struct nic_link *l)
{
	json_uint(j, "ifindex", (uint64_t)l->ifindex);
	json_uint(j, "mtu", l->mtu);
	optional_u32(j, "min_mtu", l, NIC_HAS_MIN_MAX_MTU, l->min_mtu);
	optional_u32(j, "max_mtu", l, NIC_HAS_MIN_MAX_MTU, l->max_mtu);
	optional_u32(j, "gso_max_size", l, NIC_HAS_GSO_MAX_SIZE, l->gso_max_size);
	optional_u32(j, "gso_max_segs", l, NIC_HAS_GSO_MAX_SEGS, l->gso_max_segs);
	optional_u32(j, "gro_max_size", l, NIC_HAS_GRO_MAX_SIZE, l->gro_max_size);
	optional_u32(j, "tso_max_size", l, NIC_HAS_TSO_MAX_SIZE, l->tso_max_size);
	optional_u32(j, "tso_max_segs", l, NIC_HAS_TSO_MAX_SEGS, l->tso_max_segs);
	optional_u32(j, "num_tx_queues", l, NIC_HAS_QUEUES, l->num_tx_queues);
	optional_u32(j, "num_rx_queues", l, NIC_HAS_QUEUES, l->num_rx_queues);
	json_string(j, "qdisc", l->qdisc);
	json_string(j, "operstate", nic_operstate_name(l->operstate));
	json_object_begin(j, "stats");
	json_uint(j, "rx_packets", l->rx_packets);
	json_uint(j, "tx_packets", l->tx_packets);
	json_uint(j, "rx_bytes", l->rx_bytes);
	json_uint(j, "tx_bytes", l->tx_bytes);
	json_uint(j, "rx_dropped", l->rx_dropped);
	json_uint(j, "tx_dropped", l->tx_dropped);
	json_object_end(j);
}

void nic_json(struct json *j, const char *key, const struct nic_info *info)
{
	const struct nic_drvinfo *d = &info->drv;

	json_object_begin(j, key);
	json_string(j, "ifname", info->link.ifname);
	if (d->err < 0) {
		json_null(j, "driver");
		json_null(j, "driver_info");
	} else {
		json_string(j, "driver", d->driver);
		json_object_begin(j, "driver_info");
		json_string(j, "version", d->version);
		json_string(j, "firmware_version", d->fw_version);
		json_string(j, "bus_info", d->bus_info);
		json_object_end(j);
	}
	link_json(j, &info->link);
	json_string(j, "features_source", info->features_source ? info->features_source : "");
	features_json(j, info);
	params_json(j, "rings", &info->rings);
	params_json(j, "channels", &info->channels);
	params_json(j, "coalesce", &info->coalesce);
	irqs_json(j, &info->irqs);
	json_object_end(j);
}

static void per_cpu_json(struct json *j, const char *key, const uint64_t *v, unsigned int n)
{
	json_array_begin(j, key);
	for (unsigned int i = 0; i < n; i++)
		json_uint(j, NULL, v[i]);
	json_array_end(j);
}

static void watch_json(struct json *j, const struct nic_burst_watch *w)
{
	json_object_begin(j, "watch");
	json_string(j, "ifname", w->ifname);
	json_uint(j, "rx_packets", w->rx_packets);
	json_uint(j, "tx_packets", w->tx_packets);
	json_array_begin(j, "irqs");
	for (size_t i = 0; i < w->nirqs; i++) {
		json_object_begin(j, NULL);
		json_uint(j, "irq", w->irq[i].irq);
		json_string(j, "name", w->irq[i].name);
		json_uint(j, "count", w->irq[i].delta);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

void nic_burst_json(struct json *j, const char *key, const struct nic_burst *b)
{
	json_object_begin(j, key);
	json_string(j, "path", nic_burst_path_name(b->path));
	json_string(j, "device", b->device);
	if (b->driver[0])
		json_string(j, "driver", b->driver);
	else
		json_null(j, "driver");
	json_string(j, "proto", "udp");
	json_uint(j, "size", b->size);
	json_uint(j, "sent", b->sent);
	json_uint(j, "received", b->received);
	json_int(j, "cpu", b->cpu);
	json_uint(j, "elapsed_ns", b->elapsed_ns);
	json_object_begin(j, "device_packets");
	json_uint(j, "tx", b->dev_tx_packets);
	json_uint(j, "rx", b->dev_rx_packets);
	json_object_end(j);
	json_uint(j, "device_irq_lines", b->dev_irq_lines);
	json_uint(j, "device_irqs", b->dev_irqs);
	json_uint(j, "machine_irqs", b->machine_irqs);
	per_cpu_json(j, "net_rx_softirqs", b->net_rx, b->ncpus);
	per_cpu_json(j, "net_tx_softirqs", b->net_tx, b->ncpus);
	json_array_begin(j, "softnet");
	for (unsigned int i = 0; i < b->softnet.n; i++) {
		const struct nic_softnet_cpu *c = &b->softnet.c[i];

		json_object_begin(j, NULL);
		json_uint(j, "cpu", c->cpu);
		json_uint(j, "processed", c->processed);
		json_uint(j, "time_squeeze", c->time_squeeze);
		json_uint(j, "dropped", c->dropped);
		json_object_end(j);
	}
	json_array_end(j);
	if (b->watched)
		watch_json(j, &b->watch);
	json_object_end(j);
}
