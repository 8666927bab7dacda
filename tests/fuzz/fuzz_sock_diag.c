// SPDX-License-Identifier: MIT
/*
 * fuzz_sock_diag: one buffer of netlink replies to a SOCK_DIAG_BY_FAMILY dump, given to every
 * family's parser: inet_diag (TCP, UDP, raw; into a table and through the callback API),
 * unix_diag, netlink_diag and packet_diag (interfaces named by number: no ioctl per socket).
 * The input is copied to a buffer of its own size, so a read past the last message is seen.
 */
#include <netinet/in.h>

#include "fuzz.h"
#include "nic2app/inet_diag.h"

static struct sock_table table = SOCK_TABLE_INIT;

/* A parser's answer is one of those sock_table.h lists; the table holds together. */
static void run(int r)
{
	FUZZ_ASSERT(r <= 1);
	fuzz_check_table(&table);
	sock_table_release(&table);
	table = (struct sock_table)SOCK_TABLE_INIT;
}

/* Every socket the callback API hands out can be printed. */
static int on_sock(const struct inet_sock *s, void *ctx)
{
	char buf[SOCK_ADDR_MAX];

	(*(size_t *)ctx)++;
	inet_sock_addr(s, 0, buf, sizeof(buf));
	FUZZ_ASSERT(memchr(buf, '\0', sizeof(buf)));
	inet_sock_addr(s, 1, buf, sizeof(buf));
	FUZZ_ASSERT(memchr(buf, '\0', sizeof(buf)));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int protocols[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_RAW };
	void *buf = fuzz_copy(data, size);
	size_t seen = 0;

	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		run(inet_diag_table_parse(buf, size, protocols[i], &table));
	FUZZ_ASSERT(inet_diag_parse(buf, size, IPPROTO_TCP, on_sock, &seen) <= 1);
	run(unix_diag_parse(buf, size, &table));
	run(netlink_diag_parse(buf, size, &table));
	run(packet_diag_parse_ifnames(buf, size, SOCK_IFNAME_NUMERIC, &table));
	free(buf);
	return 0;
}
