// SPDX-License-Identifier: MIT
/*
 * fuzz_proc_net: one text given to every /proc/net table parser (each checks its header
 * first, so only the matching ones read the rows): tcp, udp, raw and icmp of IPv4 and IPv6,
 * unix, netlink and packet. Interfaces are named by number: no ioctl per row.
 */
#include <sys/socket.h>

#include "fuzz.h"

static struct sock_table table = SOCK_TABLE_INIT;

/* Parse into a fresh table, check it and let it go. */
static void run(int r)
{
	FUZZ_ASSERT(r < 0 || (size_t)r >= table.count);
	fuzz_check_table(&table);
	sock_table_release(&table);
	table = (struct sock_table)SOCK_TABLE_INIT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const protos[] = { "tcp", "udp", "raw", "icmp" };
	char *text = fuzz_text(data, size);

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		run(proc_net_inet_parse(text, AF_INET, protos[i], &table));
		run(proc_net_inet_parse(text, AF_INET6, protos[i], &table));
	}
	run(proc_net_unix_parse(text, &table));
	run(proc_net_netlink_parse(text, &table));
	run(proc_net_packet_parse_ifnames(text, SOCK_IFNAME_NUMERIC, &table));
	free(text);
	return 0;
}
