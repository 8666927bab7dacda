// SPDX-License-Identifier: MIT
/*
 * nic_softirqs: the NET_RX and NET_TX rows of /proc/softirqs, per CPU. NET_RX counts runs of
 * net_rx_action, the softirq that polls NAPI instances and the per-CPU backlog; one run may
 * process many packets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ethnl.h"
#include "nic2app/nic_burst.h"

/* Read the numbers after "NAME:" on its row into v[]; the count read, or -EBADMSG. */
static int parse_row(const char *text, const char *name, uint64_t *v, unsigned int cap)
{
	size_t len = strlen(name);
	const char *line, *eol;
	unsigned int n = 0;

	for (line = text; *line; line = *eol ? eol + 1 : eol) {
		const char *p = line;

		eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line);
		while (p < eol && *p == ' ')
			p++;
		if (strncmp(p, name, len) != 0 || p[len] != ':')
			continue;
		for (p += len + 1;;) {
			char *q;
			unsigned long long x = strtoull(p, &q, 10);

			if (q == p || q > eol)
				break;
			if (n < cap)
				v[n] = x;
			n++;
			p = q;
		}
		return n ? (int)(n < cap ? n : cap) : -EBADMSG;
	}
	return -EBADMSG;
}

int nic_softirqs_parse(const char *text, struct nic_softirqs *s)
{
	int rx, tx;

	memset(s, 0, sizeof(*s));
	rx = parse_row(text, "NET_RX", s->net_rx, NIC_CPUS_MAX);
	tx = parse_row(text, "NET_TX", s->net_tx, NIC_CPUS_MAX);
	if (rx < 0 || tx < 0 || rx != tx)
		return -EBADMSG;
	s->ncpus = (unsigned int)rx;
	return 0;
}

int nic_softirqs_read(struct nic_softirqs *s)
{
	char *text;
	int r;

	if ((r = nic_read_text("/proc/softirqs", &text)) < 0)
		return r;
	r = nic_softirqs_parse(text, s);
	free(text);
	return r;
}
