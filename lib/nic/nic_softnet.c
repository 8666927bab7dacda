// SPDX-License-Identifier: MIT
/*
 * nic_softnet: /proc/net/softnet_stat, one row of hex numbers per online CPU: packets
 * processed by the receive softirq, dropped (backlog full), time_squeeze (net_rx_action ran
 * out of budget or time with work left). Newer kernels add the CPU's number as the 13th
 * column; without it the row's position is the CPU (rows are online CPUs only).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ethnl.h"
#include "nic2app/nic_burst.h"

#define COLUMNS_MAX 32
#define COLUMN_CPU 12

int nic_softnet_parse(const char *text, struct nic_softnet *s)
{
	const char *line = text, *eol;
	unsigned int row = 0;

	memset(s, 0, sizeof(*s));
	for (; *line; line = *eol ? eol + 1 : eol) {
		unsigned long long col[COLUMNS_MAX];
		const char *p = line;
		unsigned int n = 0;

		eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line);
		while (n < COLUMNS_MAX) {
			char *q;
			unsigned long long x = strtoull(p, &q, 16);

			if (q == p || q > eol)
				break;
			col[n++] = x;
			p = q;
		}
		while (p < eol && *p == ' ')
			p++;
		if (p != eol || n < 3)
			return -EBADMSG;
		if (s->n < NIC_CPUS_MAX) {
			struct nic_softnet_cpu *c = &s->c[s->n++];

			c->cpu = n > COLUMN_CPU ? (unsigned int)col[COLUMN_CPU] : row;
			c->processed = (uint32_t)col[0];
			c->dropped = (uint32_t)col[1];
			c->time_squeeze = (uint32_t)col[2];
		}
		row++;
	}
	return s->n ? 0 : -EBADMSG;
}

int nic_softnet_read(struct nic_softnet *s)
{
	char *text;
	int r;

	if ((r = nic_read_text("/proc/net/softnet_stat", &text)) < 0)
		return r;
	r = nic_softnet_parse(text, s);
	free(text);
	return r;
}
