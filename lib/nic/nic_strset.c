// SPDX-License-Identifier: MIT
/*
 * nic_strset: the names of the netdev feature bits, from the kernel's global string set
 * ETH_SS_FEATURES (ETHTOOL_MSG_STRSET_GET). Bit i of every feature bitset is string i, so the
 * names are the kernel's own ("rx-gro", "tx-checksum-ip-generic"), as ethtool prints them.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <string.h>

#include "ethnl.h"

/* One ETHTOOL_A_STRINGS_STRING: its index and value into names. */
static int put_string(const struct nlattr *s, struct ethnl_names *names)
{
	const struct nlattr *tb[ETHTOOL_A_STRING_MAX + 1];
	const char *value;
	uint32_t index;
	size_t len;

	if (ethnl_nest_attrs(s, tb, ETHTOOL_A_STRING_MAX) < 0 || !tb[ETHTOOL_A_STRING_INDEX] ||
	    mnl_attr_validate(tb[ETHTOOL_A_STRING_INDEX], MNL_TYPE_U32) < 0)
		return -EBADMSG;
	index = mnl_attr_get_u32(tb[ETHTOOL_A_STRING_INDEX]);
	if (index >= NIC_FEATURES_MAX)
		return -E2BIG;
	if (!tb[ETHTOOL_A_STRING_VALUE])
		return 0; /* an empty string: the kernel leaves the value out */
	value = mnl_attr_get_payload(tb[ETHTOOL_A_STRING_VALUE]);
	len = strnlen(value, mnl_attr_get_payload_len(tb[ETHTOOL_A_STRING_VALUE]));
	if (len >= NIC_NAME_LEN)
		len = NIC_NAME_LEN - 1;
	memcpy(names->name[index], value, len);
	names->name[index][len] = '\0';
	return 0;
}

/* One ETHTOOL_A_STRINGSETS_STRINGSET: only ETH_SS_FEATURES is used. */
static int put_set(const struct nlattr *set, struct ethnl_names *names)
{
	const struct nlattr *tb[ETHTOOL_A_STRINGSET_MAX + 1];
	const struct nlattr *s;
	uint32_t count;
	int r;

	if (ethnl_nest_attrs(set, tb, ETHTOOL_A_STRINGSET_MAX) < 0 ||
	    !tb[ETHTOOL_A_STRINGSET_ID] || !tb[ETHTOOL_A_STRINGSET_COUNT] ||
	    mnl_attr_validate(tb[ETHTOOL_A_STRINGSET_ID], MNL_TYPE_U32) < 0 ||
	    mnl_attr_validate(tb[ETHTOOL_A_STRINGSET_COUNT], MNL_TYPE_U32) < 0)
		return -EBADMSG;
	if (mnl_attr_get_u32(tb[ETHTOOL_A_STRINGSET_ID]) != ETH_SS_FEATURES)
		return 0;
	count = mnl_attr_get_u32(tb[ETHTOOL_A_STRINGSET_COUNT]);
	if (count > NIC_FEATURES_MAX)
		return -E2BIG;
	names->count = count;
	if (!tb[ETHTOOL_A_STRINGSET_STRINGS])
		return 0;
	mnl_attr_for_each_nested(s, tb[ETHTOOL_A_STRINGSET_STRINGS]) {
		if (mnl_attr_get_type(s) != ETHTOOL_A_STRINGS_STRING)
			continue;
		if ((r = put_string(s, names)) < 0)
			return r;
	}
	return 0;
}

int ethnl_names_parse(const void *buf, size_t len, struct ethnl_names *names)
{
	const struct nlattr *tb[ETHTOOL_A_STRSET_MAX + 1];
	const struct nlattr *set;
	int r;

	memset(names, 0, sizeof(*names));
	r = ethnl_reply_attrs(buf, len, ETHTOOL_MSG_STRSET_GET_REPLY, tb, ETHTOOL_A_STRSET_MAX);
	if (r < 0)
		return r;
	if (!tb[ETHTOOL_A_STRSET_STRINGSETS])
		return -EBADMSG;
	mnl_attr_for_each_nested(set, tb[ETHTOOL_A_STRSET_STRINGSETS]) {
		if (mnl_attr_get_type(set) != ETHTOOL_A_STRINGSETS_STRINGSET)
			continue;
		if ((r = put_set(set, names)) < 0)
			return r;
	}
	return names->count ? 0 : -EBADMSG;
}
