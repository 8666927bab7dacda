// SPDX-License-Identifier: MIT
/*
 * fuzz_nic: lib/nic's parsers. The first byte picks one: 0-2 a RINGS, CHANNELS or COALESCE
 * reply, 3 an RTM_NEWLINK reply, 4 a string set reply and a FEATURES reply (bytes 1-2: the
 * string set's length, little-endian), 5 the text of /proc/interrupts, /proc/softirqs and
 * /proc/net/softnet_stat (all three parsers get it). Each buffer is a copy of its own size.
 */
#include "fuzz.h"
#include "nic2app/nic.h"
#include "nic2app/nic_burst.h"

static struct nic_features features;
static struct nic_irqs irqs;

/* What a parser hands out holds together: names end inside their arrays, counts fit. */
static void check_features(void)
{
	struct nic_feature_row rows[NIC_FEATURES_MAX + 16];
	size_t n = nic_feature_rows(&features, rows, sizeof(rows) / sizeof(rows[0]));

	FUZZ_ASSERT(features.count <= NIC_FEATURES_MAX);
	FUZZ_ASSERT(n <= features.count + 12);
	for (unsigned int i = 0; i < features.count; i++)
		FUZZ_ASSERT(memchr(features.f[i].name, '\0', NIC_NAME_LEN));
}

static void text_parsers(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct nic_softirqs si;
	struct nic_softnet sn;
	uint64_t total;

	if (nic_irqs_parse(text, NULL, 0, "-", &irqs) == 0) {
		FUZZ_ASSERT(irqs.count <= NIC_IRQS_MAX);
		for (size_t i = 0; i < irqs.count; i++)
			FUZZ_ASSERT(memchr(irqs.irq[i].name, '\0', sizeof(irqs.irq[i].name)) &&
				    irqs.irq[i].ncpus <= NIC_CPUS_MAX);
	}
	nic_irqs_device_total(text, &total);
	if (nic_softirqs_parse(text, &si) == 0)
		FUZZ_ASSERT(si.ncpus <= NIC_CPUS_MAX);
	if (nic_softnet_parse(text, &sn) == 0)
		FUZZ_ASSERT(sn.n >= 1 && sn.n <= NIC_CPUS_MAX);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum nic_reply params[] = { NIC_REPLY_RINGS, NIC_REPLY_CHANNELS,
						 NIC_REPLY_COALESCE };
	struct nic_params ps;
	struct nic_link link;
	void *a, *b;
	size_t split;

	if (size < 1)
		return 0;
	switch (data[0] % 6) {
	case 0: case 1: case 2:
		a = fuzz_copy(data + 1, size - 1);
		if (nic_params_parse(a, size - 1, params[data[0] % 6], &ps) == 0)
			FUZZ_ASSERT(ps.count <= NIC_PARAMS_MAX && ps.err == 0);
		free(a);
		break;
	case 3:
		a = fuzz_copy(data + 1, size - 1);
		if (nic_link_parse(a, size - 1, &link) == 0)
			FUZZ_ASSERT(memchr(link.ifname, '\0', sizeof(link.ifname)) &&
				    memchr(link.qdisc, '\0', sizeof(link.qdisc)));
		free(a);
		break;
	case 4:
		if (size < 3)
			return 0;
		split = (size_t)data[1] | (size_t)data[2] << 8;
		if (split > size - 3)
			split = size - 3;
		a = fuzz_copy(data + 3, split);
		b = fuzz_copy(data + 3 + split, size - 3 - split);
		if (nic_features_parse(a, split, b, size - 3 - split, &features) == 0)
			check_features();
		free(a);
		free(b);
		break;
	default:
		text_parsers(data + 1, size - 1);
	}
	return 0;
}
