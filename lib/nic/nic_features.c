// SPDX-License-Identifier: MIT
/*
 * nic_features: the netdev feature bits of ETHTOOL_MSG_FEATURES_GET (four compact bitsets:
 * hw, wanted, active, nochange) and the lines `ethtool -k` makes of them. ethtool shows twelve
 * legacy names first, each standing for the kernel features its pattern matches, then every
 * other feature under the kernel's own name; this file follows the same rules so that our
 * keys are ethtool's, one for one.
 */
#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <string.h>

#include "ethnl.h"

/* Copy a compact bitset's value into words[] (size bits); -EBADMSG when malformed. */
static int bitset_words(const struct nlattr *set, uint32_t *words, unsigned int nwords,
			unsigned int *size)
{
	const struct nlattr *tb[ETHTOOL_A_BITSET_MAX + 1];
	size_t need, have;

	if (!set || ethnl_nest_attrs(set, tb, ETHTOOL_A_BITSET_MAX) < 0 ||
	    !tb[ETHTOOL_A_BITSET_SIZE] || !tb[ETHTOOL_A_BITSET_VALUE] ||
	    mnl_attr_validate(tb[ETHTOOL_A_BITSET_SIZE], MNL_TYPE_U32) < 0)
		return -EBADMSG; /* a verbose (bit-by-bit) set: we asked for compact ones */
	*size = mnl_attr_get_u32(tb[ETHTOOL_A_BITSET_SIZE]);
	if (*size > nwords * 32)
		return -E2BIG;
	need = (*size + 31) / 32 * sizeof(uint32_t);
	have = mnl_attr_get_payload_len(tb[ETHTOOL_A_BITSET_VALUE]);
	if (have < need)
		return -EBADMSG;
	memset(words, 0, nwords * sizeof(*words));
	memcpy(words, mnl_attr_get_payload(tb[ETHTOOL_A_BITSET_VALUE]), need);
	return 0;
}

static bool bit(const uint32_t *w, unsigned int i)
{
	return w[i / 32] >> (i % 32) & 1;
}

int ethnl_features_bits(const void *buf, size_t len, const struct ethnl_names *names,
			struct nic_features *f)
{
	enum { HW, WANTED, ACTIVE, NOCHANGE, NSETS };
	static const uint16_t attr[NSETS] = { ETHTOOL_A_FEATURES_HW, ETHTOOL_A_FEATURES_WANTED,
					      ETHTOOL_A_FEATURES_ACTIVE,
					      ETHTOOL_A_FEATURES_NOCHANGE };
	const struct nlattr *tb[ETHTOOL_A_FEATURES_MAX + 1];
	uint32_t w[NSETS][NIC_FEATURES_MAX / 32];
	unsigned int size[NSETS], i;
	int r;

	memset(f, 0, sizeof(*f));
	r = ethnl_reply_attrs(buf, len, ETHTOOL_MSG_FEATURES_GET_REPLY, tb,
			      ETHTOOL_A_FEATURES_MAX);
	if (r < 0)
		return r;
	for (i = 0; i < NSETS; i++)
		if ((r = bitset_words(tb[attr[i]], w[i], NIC_FEATURES_MAX / 32, &size[i])) < 0)
			return r;
	if (size[WANTED] != size[HW] || size[ACTIVE] != size[HW] || size[NOCHANGE] != size[HW])
		return -EBADMSG;
	/* the string set and the bitsets come from the same kernel: same length */
	if (size[HW] != names->count)
		return -EBADMSG;
	f->count = size[HW];
	for (i = 0; i < f->count; i++) {
		memcpy(f->f[i].name, names->name[i], NIC_NAME_LEN);
		f->f[i].hw = bit(w[HW], i);
		f->f[i].wanted = bit(w[WANTED], i);
		f->f[i].active = bit(w[ACTIVE], i);
		f->f[i].nochange = bit(w[NOCHANGE], i);
	}
	return 0;
}

int nic_features_parse(const void *names_buf, size_t names_len, const void *buf, size_t len,
		       struct nic_features *f)
{
	struct ethnl_names names; /* 4 KiB */
	int r;

	if ((r = ethnl_names_parse(names_buf, names_len, &names)) < 0)
		return r;
	return ethnl_features_bits(buf, len, &names, f);
}

/*
 * The legacy names ethtool shows (its off_flag_def table), each with the pattern of kernel
 * feature names it stands for; one '*' matches any middle part. udp-fragmentation-offload
 * (tx-udp-fragmentation) is left out: ethtool skips it, as no kernel with netlink has UFO.
 */
static const struct {
	const char *legacy;
	const char *pattern;
} legacy[] = {
	{ "rx-checksumming", "rx-checksum" },
	{ "tx-checksumming", "tx-checksum-*" },
	{ "scatter-gather", "tx-scatter-gather*" },
	{ "tcp-segmentation-offload", "tx-tcp*-segmentation" },
	{ "generic-segmentation-offload", "tx-generic-segmentation" },
	{ "generic-receive-offload", "rx-gro" },
	{ "large-receive-offload", "rx-lro" },
	{ "rx-vlan-offload", "rx-vlan-hw-parse" },
	{ "tx-vlan-offload", "tx-vlan-hw-insert" },
	{ "ntuple-filters", "rx-ntuple-filter" },
	{ "receive-hashing", "rx-hashing" },
};
#define NLEGACY (sizeof(legacy) / sizeof(legacy[0]))

static bool pattern_match(const char *name, const char *pattern)
{
	const char *star = strchr(pattern, '*');
	size_t head, tail, len = strlen(name);

	if (!star)
		return strcmp(name, pattern) == 0;
	head = (size_t)(star - pattern);
	tail = strlen(star + 1);
	return len >= head + tail && strncmp(name, pattern, head) == 0 &&
	       strcmp(name + len - tail, star + 1) == 0;
}

/* The legacy entry a feature belongs to, or -1. */
static int legacy_of(const char *name)
{
	for (size_t j = 0; j < NLEGACY; j++)
		if (pattern_match(name, legacy[j].pattern))
			return (int)j;
	return -1;
}

static void row_of(struct nic_feature_row *row, const struct nic_feature *f, const char *name,
		   bool sub)
{
	row->name = name;
	row->active = f->active;
	row->fixed = !f->hw || f->nochange;
	row->requested = f->wanted;
	row->sub = sub;
}

size_t nic_feature_rows(const struct nic_features *f, struct nic_feature_row *rows, size_t max)
{
	size_t n = 0;
	unsigned int i;

	for (size_t j = 0; j < NLEGACY; j++) {
		unsigned int matches = 0, only = 0;
		bool any = false;

		for (i = 0; i < f->count; i++)
			if (f->f[i].name[0] && legacy_of(f->f[i].name) == (int)j) {
				matches++;
				only = i;
				any = any || f->f[i].active;
			}
		if (matches == 1) { /* the legacy name stands for this one feature */
			if (n < max)
				row_of(&rows[n++], &f->f[only], legacy[j].legacy, false);
			continue;
		}
		if (n < max) /* a group (or nothing matched): on when any member is */
			rows[n++] = (struct nic_feature_row){ .name = legacy[j].legacy,
							      .active = any, .fixed = -1,
							      .requested = -1 };
		for (i = 0; i < f->count && matches; i++)
			if (f->f[i].name[0] && legacy_of(f->f[i].name) == (int)j && n < max)
				row_of(&rows[n++], &f->f[i], f->f[i].name, true);
	}
	for (i = 0; i < f->count; i++)
		if (f->f[i].name[0] && legacy_of(f->f[i].name) < 0 && n < max)
			row_of(&rows[n++], &f->f[i], f->f[i].name, false);
	return n;
}
