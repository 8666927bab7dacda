// SPDX-License-Identifier: MIT
/*
 * nic_rings: the driver's queue settings over ethtool netlink: RINGS_GET (descriptor ring
 * sizes: how many packets the NIC can DMA before the driver refills), CHANNELS_GET (queue
 * pairs, each with its own interrupt) and COALESCE_GET (how long or how many frames the NIC
 * waits before it raises an interrupt). Only the attributes the driver filled in are kept.
 */
#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <string.h>

#include "ethnl.h"

struct param_def {
	uint16_t attr;
	const char *name;
	bool is_bool; /* NLA_U8 */
};

static const struct param_def rings[] = {
	{ ETHTOOL_A_RINGS_RX_MAX, "rx_max", false },
	{ ETHTOOL_A_RINGS_RX_MINI_MAX, "rx_mini_max", false },
	{ ETHTOOL_A_RINGS_RX_JUMBO_MAX, "rx_jumbo_max", false },
	{ ETHTOOL_A_RINGS_TX_MAX, "tx_max", false },
	{ ETHTOOL_A_RINGS_RX, "rx", false },
	{ ETHTOOL_A_RINGS_RX_MINI, "rx_mini", false },
	{ ETHTOOL_A_RINGS_RX_JUMBO, "rx_jumbo", false },
	{ ETHTOOL_A_RINGS_TX, "tx", false },
	{ ETHTOOL_A_RINGS_RX_BUF_LEN, "rx_buf_len", false },
	{ ETHTOOL_A_RINGS_CQE_SIZE, "cqe_size", false },
	{ ETHTOOL_A_RINGS_TX_PUSH, "tx_push", true },
	{ 0, NULL, false },
};

static const struct param_def channels[] = {
	{ ETHTOOL_A_CHANNELS_RX_MAX, "rx_max", false },
	{ ETHTOOL_A_CHANNELS_TX_MAX, "tx_max", false },
	{ ETHTOOL_A_CHANNELS_OTHER_MAX, "other_max", false },
	{ ETHTOOL_A_CHANNELS_COMBINED_MAX, "combined_max", false },
	{ ETHTOOL_A_CHANNELS_RX_COUNT, "rx_count", false },
	{ ETHTOOL_A_CHANNELS_TX_COUNT, "tx_count", false },
	{ ETHTOOL_A_CHANNELS_OTHER_COUNT, "other_count", false },
	{ ETHTOOL_A_CHANNELS_COMBINED_COUNT, "combined_count", false },
	{ 0, NULL, false },
};

static const struct param_def coalesce[] = {
	{ ETHTOOL_A_COALESCE_RX_USECS, "rx_usecs", false },
	{ ETHTOOL_A_COALESCE_RX_MAX_FRAMES, "rx_max_frames", false },
	{ ETHTOOL_A_COALESCE_RX_USECS_IRQ, "rx_usecs_irq", false },
	{ ETHTOOL_A_COALESCE_RX_MAX_FRAMES_IRQ, "rx_max_frames_irq", false },
	{ ETHTOOL_A_COALESCE_TX_USECS, "tx_usecs", false },
	{ ETHTOOL_A_COALESCE_TX_MAX_FRAMES, "tx_max_frames", false },
	{ ETHTOOL_A_COALESCE_TX_USECS_IRQ, "tx_usecs_irq", false },
	{ ETHTOOL_A_COALESCE_TX_MAX_FRAMES_IRQ, "tx_max_frames_irq", false },
	{ ETHTOOL_A_COALESCE_STATS_BLOCK_USECS, "stats_block_usecs", false },
	{ ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, "use_adaptive_rx", true },
	{ ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX, "use_adaptive_tx", true },
	{ ETHTOOL_A_COALESCE_PKT_RATE_LOW, "pkt_rate_low", false },
	{ ETHTOOL_A_COALESCE_RX_USECS_LOW, "rx_usecs_low", false },
	{ ETHTOOL_A_COALESCE_RX_MAX_FRAMES_LOW, "rx_max_frames_low", false },
	{ ETHTOOL_A_COALESCE_TX_USECS_LOW, "tx_usecs_low", false },
	{ ETHTOOL_A_COALESCE_TX_MAX_FRAMES_LOW, "tx_max_frames_low", false },
	{ ETHTOOL_A_COALESCE_PKT_RATE_HIGH, "pkt_rate_high", false },
	{ ETHTOOL_A_COALESCE_RX_USECS_HIGH, "rx_usecs_high", false },
	{ ETHTOOL_A_COALESCE_RX_MAX_FRAMES_HIGH, "rx_max_frames_high", false },
	{ ETHTOOL_A_COALESCE_TX_USECS_HIGH, "tx_usecs_high", false },
	{ ETHTOOL_A_COALESCE_TX_MAX_FRAMES_HIGH, "tx_max_frames_high", false },
	{ ETHTOOL_A_COALESCE_RATE_SAMPLE_INTERVAL, "rate_sample_interval", false },
	{ ETHTOOL_A_COALESCE_USE_CQE_MODE_TX, "use_cqe_mode_tx", true },
	{ ETHTOOL_A_COALESCE_USE_CQE_MODE_RX, "use_cqe_mode_rx", true },
	{ 0, NULL, false },
};

/* The largest attribute number any table names (ETHTOOL_A_COALESCE_MAX in our headers). */
#define PARAM_ATTR_MAX ETHTOOL_A_COALESCE_MAX

int nic_params_parse(const void *buf, size_t len, enum nic_reply which, struct nic_params *ps)
{
	const struct nlattr *tb[PARAM_ATTR_MAX + 1];
	const struct param_def *defs;
	uint8_t cmd;
	int r;

	memset(ps, 0, sizeof(*ps));
	switch (which) {
	case NIC_REPLY_RINGS:
		defs = rings, cmd = ETHTOOL_MSG_RINGS_GET_REPLY;
		break;
	case NIC_REPLY_CHANNELS:
		defs = channels, cmd = ETHTOOL_MSG_CHANNELS_GET_REPLY;
		break;
	case NIC_REPLY_COALESCE:
		defs = coalesce, cmd = ETHTOOL_MSG_COALESCE_GET_REPLY;
		break;
	default:
		return ps->err = -EINVAL;
	}
	if ((r = ethnl_reply_attrs(buf, len, cmd, tb, PARAM_ATTR_MAX)) < 0)
		return ps->err = r;
	for (; defs->name; defs++) {
		const struct nlattr *a = tb[defs->attr];

		if (!a)
			continue;
		if (mnl_attr_validate(a, defs->is_bool ? MNL_TYPE_U8 : MNL_TYPE_U32) < 0)
			return ps->err = -EBADMSG;
		if (ps->count == NIC_PARAMS_MAX)
			return ps->err = -E2BIG;
		ps->p[ps->count++] = (struct nic_param){
			.name = defs->name,
			.value = defs->is_bool ? mnl_attr_get_u8(a) : mnl_attr_get_u32(a),
			.is_bool = defs->is_bool,
		};
	}
	return 0;
}

bool nic_param_get(const struct nic_params *ps, const char *name, uint32_t *value)
{
	for (size_t i = 0; i < ps->count; i++)
		if (strcmp(ps->p[i].name, name) == 0) {
			*value = ps->p[i].value;
			return true;
		}
	return false;
}
