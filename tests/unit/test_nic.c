// SPDX-License-Identifier: MIT
/*
 * test_nic: lib/nic's parsers on replies recorded by tests/helpers/record_nic (tests/data/nic,
 * a Debian 12 VM, kernel 6.18: lo and eth0, virtio_net), checked against what the recorder
 * took from other sources at the same moment: `ethtool -k` as printed, SIOCETHTOOL's rings,
 * channels and coalescing, sysfs; and the /proc text files against a plain sscanf reading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/nic.h"
#include "nic2app/nic_burst.h"
#include "nic2app/strbuf.h"

#define DATA "tests/data/nic/"

/* A whole file, NUL-terminated; *len its size. */
static char *slurp(const char *name, size_t *len)
{
	char path[256], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), DATA "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void parse_features(const char *ifname, struct nic_features *f)
{
	char name[64], *names, *feat;
	size_t nlen, flen;

	snprintf(name, sizeof(name), "%s_features.bin", ifname);
	names = slurp("feature_names.bin", &nlen);
	feat = slurp(name, &flen);
	assert_int_equal(nic_features_parse(names, nlen, feat, flen, f), 0);
	free(names);
	free(feat);
}

/* Our rows printed the way `ethtool -k` prints them, after its "Features for X:" line. */
static void print_like_ethtool(const struct nic_features *f, struct strbuf *sb)
{
	struct nic_feature_row rows[NIC_FEATURES_MAX + 16];
	size_t n = nic_feature_rows(f, rows, sizeof(rows) / sizeof(rows[0]));

	for (size_t i = 0; i < n; i++) {
		const struct nic_feature_row *r = &rows[i];
		const char *suffix = "";

		if (r->fixed == 1)
			suffix = " [fixed]";
		else if (r->fixed == 0 && r->active != r->requested)
			suffix = r->requested ? " [requested on]" : " [requested off]";
		strbuf_addf(sb, "%s%s: %s%s\n", r->sub ? "\t" : "", r->name, r->active ? "on" : "off",
			    suffix);
	}
}

static void features_match_ethtool(const char *ifname)
{
	struct strbuf sb = STRBUF_INIT;
	static struct nic_features f;
	char name[64], *text, *body;

	parse_features(ifname, &f);
	assert_true(f.count >= 60); /* 6.18 has 64 feature bits */
	print_like_ethtool(&f, &sb);
	snprintf(name, sizeof(name), "%s_ethtool_k.txt", ifname);
	text = slurp(name, NULL);
	body = strchr(text, '\n'); /* after "Features for IFACE:" */
	assert_non_null(body);
	assert_string_equal(strbuf_str(&sb), body + 1);
	free(text);
	strbuf_release(&sb);
}

static void test_features_lo(void **state)
{
	static struct nic_features f;

	(void)state;
	features_match_ethtool("lo");
	parse_features("lo", &f);
	/* lo's checksum offload is NETIF_F_HW_CSUM, named tx-checksum-ip-generic, on and fixed */
	for (unsigned int i = 0; i < f.count; i++)
		if (strcmp(f.f[i].name, "tx-checksum-ip-generic") == 0) {
			assert_true(f.f[i].active);
			assert_false(f.f[i].hw);
			return;
		}
	fail_msg("no tx-checksum-ip-generic feature");
}

static void test_features_eth0(void **state)
{
	(void)state;
	features_match_ethtool("eth0");
}

/* Each "KIND NAME VALUE" line of IFACE.manifest for kind, checked against ps where the
 * netlink reply has the value; returns how many matched. */
static int check_manifest(const char *ifname, const char *kind, const struct nic_params *ps)
{
	char name[64], k[32], n[64], *text, *line;
	unsigned int v, got;
	int matched = 0;

	snprintf(name, sizeof(name), "%s.manifest", ifname);
	text = slurp(name, NULL);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		assert_int_equal(sscanf(line, "%31s %63s %u", k, n, &v), 3);
		if (strcmp(k, kind) != 0 || !nic_param_get(ps, n, &got))
			continue;
		if (got != v)
			fail_msg("%s %s %s: netlink says %u, the ioctl %u", ifname, kind, n, got, v);
		matched++;
	}
	free(text);
	return matched;
}

static void parse_params(const char *file, enum nic_reply which, struct nic_params *ps)
{
	size_t len;
	char *buf = slurp(file, &len);

	assert_int_equal(nic_params_parse(buf, len, which, ps), 0);
	free(buf);
}

static void test_rings_channels_coalesce(void **state)
{
	struct nic_params ps;
	uint32_t v;

	(void)state;
	parse_params("eth0_rings.bin", NIC_REPLY_RINGS, &ps);
	assert_int_equal(check_manifest("eth0", "rings", &ps), 4); /* rx tx and their maxima */
	assert_true(nic_param_get(&ps, "rx", &v) && v > 0);
	parse_params("eth0_channels.bin", NIC_REPLY_CHANNELS, &ps);
	assert_true(check_manifest("eth0", "channels", &ps) >= 2);
	assert_true(nic_param_get(&ps, "combined_count", &v));
	parse_params("eth0_coalesce.bin", NIC_REPLY_COALESCE, &ps);
	assert_true(check_manifest("eth0", "coalesce", &ps) >= 4);
}

static void test_link(void **state)
{
	struct nic_params none = { 0 };
	struct nic_link l;
	const char *ifs[] = { "lo", "eth0" };

	(void)state;
	for (int i = 0; i < 2; i++) {
		char file[64], *text, *p;
		size_t len;
		char *buf;

		snprintf(file, sizeof(file), "%s_link.bin", ifs[i]);
		buf = slurp(file, &len);
		assert_int_equal(nic_link_parse(buf, len, &l), 0);
		free(buf);
		assert_string_equal(l.ifname, ifs[i]);
		snprintf(file, sizeof(file), "%s.manifest", ifs[i]);
		text = slurp(file, NULL);
		p = strstr(text, "link ifindex ");
		assert_non_null(p);
		assert_int_equal(l.ifindex, atoi(p + 13));
		p = strstr(text, "link mtu ");
		assert_non_null(p);
		assert_int_equal(l.mtu, atoi(p + 9));
		free(text);
		assert_true(l.has & NIC_HAS_GSO_MAX_SIZE);
		assert_true(l.has & NIC_HAS_QUEUES);
		assert_true(l.num_tx_queues >= 1);
	}
	(void)none;
}

/* A reply that is an NLMSG_ERROR carries the kernel's errno; cut and foreign ones are bad. */
static void test_errors(void **state)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} err = { .h = { .nlmsg_len = sizeof(err), .nlmsg_type = NLMSG_ERROR },
		  .e = { .error = -EOPNOTSUPP } };
	struct nic_params ps;
	struct nic_link l;
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(nic_params_parse(&err, sizeof(err), NIC_REPLY_RINGS, &ps), -EOPNOTSUPP);
	assert_int_equal(ps.err, -EOPNOTSUPP);
	err.e.error = -ENODEV;
	assert_int_equal(nic_link_parse(&err, sizeof(err), &l), -ENODEV);
	buf = slurp("eth0_rings.bin", &len);
	assert_int_equal(nic_params_parse(buf, len - 4, NIC_REPLY_RINGS, &ps), -EBADMSG);
	/* a rings reply is not a channels reply */
	assert_int_equal(nic_params_parse(buf, len, NIC_REPLY_CHANNELS, &ps), -EBADMSG);
	free(buf);
	buf = slurp("feature_names.bin", &len);
	assert_int_equal(nic_features_parse(buf, len, buf, len, &(struct nic_features){ 0 }),
			 -EBADMSG);
	free(buf);
}

/* ethtool's legacy grouping on made-up feature sets. */
static void test_rows(void **state)
{
	static struct nic_features f;
	struct nic_feature_row rows[32];
	const char *names[] = { "rx-gro", "tx-tcp-segmentation", "tx-tcp6-segmentation", "rx-lro",
				"loopback", "" };
	size_t n;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.count = 6;
	for (int i = 0; i < 6; i++)
		strcpy(f.f[i].name, names[i]);
	f.f[0].active = f.f[0].wanted = f.f[0].hw = true;  /* rx-gro: on, changeable */
	f.f[2].active = true;                              /* tx-tcp6-segmentation: on, fixed */
	n = nic_feature_rows(&f, rows, 32);
	/* 11 legacy names (rx-gro and rx-lro standing alone), 2 group members, loopback */
	assert_int_equal(n, 11 + 2 + 1);
	assert_string_equal(rows[3].name, "tcp-segmentation-offload");
	assert_true(rows[3].active);
	assert_int_equal(rows[3].fixed, -1);
	assert_true(rows[4].sub);
	assert_string_equal(rows[4].name, "tx-tcp-segmentation");
	assert_int_equal(rows[4].fixed, 1);
	assert_string_equal(rows[7].name, "generic-receive-offload");
	assert_true(rows[7].active);
	assert_int_equal(rows[7].fixed, 0);
	assert_string_equal(rows[n - 1].name, "loopback");
	/* a group with no member (here tx-checksumming) shows off, with no fixed state */
	assert_string_equal(rows[1].name, "tx-checksumming");
	assert_false(rows[1].active);
	assert_int_equal(rows[1].fixed, -1);
}

/* The recorded /proc/interrupts: virtio2's lines (eth0's PCI function) against sscanf. */
static void test_interrupts(void **state)
{
	char *text = slurp("interrupts", NULL), *line;
	struct nic_irqs irqs;
	uint64_t total = 0, want;
	unsigned int irq, c0, c1;

	(void)state;
	assert_int_equal(nic_irqs_parse(text, NULL, 0, "virtio2-", &irqs), 0);
	assert_int_equal(irqs.count, 3);
	for (size_t i = 0; i < irqs.count; i++) {
		char pattern[16];

		snprintf(pattern, sizeof(pattern), "\n %u:", irqs.irq[i].irq);
		line = strstr(text, pattern);
		assert_non_null(line);
		assert_int_equal(sscanf(line, " %u: %u %u", &irq, &c0, &c1), 3);
		assert_int_equal(irqs.irq[i].count, (uint64_t)c0 + c1);
		assert_int_equal(irqs.irq[i].ncpus, 2);
		assert_int_equal(irqs.irq[i].per_cpu[1], c1);
		assert_non_null(strstr(line, irqs.irq[i].name));
		assert_int_equal(strncmp(irqs.irq[i].name, "virtio2-", 8), 0);
	}
	/* by number, as sysfs msi_irqs lists them */
	assert_int_equal(nic_irqs_parse(text, (unsigned int[]){ irqs.irq[1].irq }, 1, NULL, &irqs), 0);
	assert_int_equal(irqs.count, 1);
	assert_int_equal(nic_irqs_device_total(text, &total), 0);
	/* every numbered line, by sscanf: LOC, NMI and the like are not device interrupts */
	want = 0;
	for (line = strchr(text, '\n'); line; line = strchr(line + 1, '\n'))
		if (sscanf(line, " %u: %u %u", &irq, &c0, &c1) == 3)
			want += (uint64_t)c0 + c1;
	assert_int_equal(total, want);
	assert_int_equal(nic_irqs_parse("no header\n", NULL, 0, "x", &irqs), -EBADMSG);
	assert_int_equal(nic_irqs_parse("   CPU0 CPU1\n 5: 1\n", NULL, 0, "x", &irqs), -EBADMSG);
	free(text);
}

static void test_softirqs_softnet(void **state)
{
	char *text = slurp("softirqs", NULL), *line;
	struct nic_softirqs si;
	struct nic_softnet sn;
	unsigned long long rx0, rx1;
	unsigned int processed;

	(void)state;
	assert_int_equal(nic_softirqs_parse(text, &si), 0);
	line = strstr(text, "NET_RX:");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "NET_RX: %llu %llu", &rx0, &rx1), 2);
	assert_int_equal(si.ncpus, 2);
	assert_int_equal(si.net_rx[0], rx0);
	assert_int_equal(si.net_rx[1], rx1);
	free(text);
	assert_int_equal(nic_softirqs_parse("HI: 1 2\n", &si), -EBADMSG);

	text = slurp("softnet_stat", NULL);
	assert_int_equal(nic_softnet_parse(text, &sn), 0);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sscanf(text, "%x", &processed), 1);
	assert_int_equal(sn.c[0].processed, processed);
	assert_int_equal(sn.c[0].cpu, 0);
	assert_int_equal(sn.c[1].cpu, 1); /* the 13th column */
	free(text);
	/* an old kernel's 11 columns: the row is the CPU */
	assert_int_equal(nic_softnet_parse("0000000a 00000001 00000002 0 0 0 0 0 0 0 0\n"
					   "0000000b 0 0 0 0 0 0 0 0 0 0\n", &sn), 0);
	assert_int_equal(sn.c[1].cpu, 1);
	assert_int_equal(sn.c[0].processed, 10);
	assert_int_equal(sn.c[0].time_squeeze, 2);
	assert_int_equal(nic_softnet_parse("12 zz\n", &sn), -EBADMSG);
}

/* Live, no privilege needed: the SIOCETHTOOL fallback reads the same bits as netlink. */
static void test_ioctl_fallback(void **state)
{
	static struct nic_features nl, io;
	char *names = malloc(NIC_REPLY_SIZE), *feat = malloc(NIC_REPLY_SIZE);
	int nn, nf;

	(void)state;
	nn = nic_reply_fetch(NULL, NIC_REPLY_FEATURE_NAMES, names, NIC_REPLY_SIZE);
	nf = nic_reply_fetch("lo", NIC_REPLY_FEATURES, feat, NIC_REPLY_SIZE);
	if (nn < 0 || nf < 0) {
		free(names);
		free(feat);
		skip(); /* no ethtool netlink here (before 5.6): nothing to compare with */
	}
	assert_int_equal(nic_features_parse(names, (size_t)nn, feat, (size_t)nf, &nl), 0);
	assert_int_equal(nic_ioctl_features("lo", &io), 0);
	assert_int_equal(io.count, nl.count);
	for (unsigned int i = 0; i < nl.count; i++) {
		assert_string_equal(io.f[i].name, nl.f[i].name);
		assert_int_equal(io.f[i].hw, nl.f[i].hw);
		assert_int_equal(io.f[i].wanted, nl.f[i].wanted);
		assert_int_equal(io.f[i].active, nl.f[i].active);
		assert_int_equal(io.f[i].nochange, nl.f[i].nochange);
	}
	assert_int_equal(nic_ioctl_features("nosuchif0", &io), -ENODEV);
	free(names);
	free(feat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_lo),
		cmocka_unit_test(test_features_eth0),
		cmocka_unit_test(test_rings_channels_coalesce),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_interrupts),
		cmocka_unit_test(test_softirqs_softnet),
		cmocka_unit_test(test_ioctl_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
