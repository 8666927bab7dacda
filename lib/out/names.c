// SPDX-License-Identifier: MIT
/* names: tables from kernel numbers to names. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "nic2app/names.h"

struct name_entry {
	int value;
	const char *name;
	const char *constant;
};

#define ENTRY(v, n) { v, n, #v }

static const struct name_entry *lookup(const struct name_entry *t, size_t n, int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == value)
			return &t[i];
	return NULL;
}

#define NAME_OF(table, value, field, fallback)                                         \
	({                                                                             \
		const struct name_entry *e_ =                                          \
			lookup(table, sizeof(table) / sizeof(table[0]), value);        \
		e_ ? e_->field : fallback;                                             \
	})

/* include/net/tcp_states.h */
static const char *const tcp_states[] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT",  [3] = "SYN_RECV",     [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2",   [6] = "TIME_WAIT", [7] = "CLOSE",        [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK",    [10] = "LISTEN",   [11] = "CLOSING",     [12] = "NEW_SYN_RECV",
	[13] = "BOUND_INACTIVE",
};
#define N_TCP_STATES (int)(sizeof(tcp_states) / sizeof(tcp_states[0]))

const char *tcp_state_name(int state)
{
	if (state > 0 && state < N_TCP_STATES && tcp_states[state])
		return tcp_states[state];
	return "UNKNOWN";
}

int tcp_state_from_name(const char *name)
{
	int i;

	for (i = 1; i < N_TCP_STATES; i++)
		if (tcp_states[i] && strcmp(tcp_states[i], name) == 0)
			return i;
	return -1;
}

static const struct name_entry families[] = {
	ENTRY(AF_UNIX, "unix"),       ENTRY(AF_INET, "inet"),     ENTRY(AF_INET6, "inet6"),
	ENTRY(AF_NETLINK, "netlink"), ENTRY(AF_PACKET, "packet"), ENTRY(AF_UNSPEC, "unspec"),
};

const char *family_name(int family) { return NAME_OF(families, family, name, "other"); }
const char *family_constant(int family) { return NAME_OF(families, family, constant, "AF_?"); }

static const struct name_entry socktypes[] = {
	ENTRY(SOCK_STREAM, "stream"),       ENTRY(SOCK_DGRAM, "dgram"), ENTRY(SOCK_RAW, "raw"),
	ENTRY(SOCK_SEQPACKET, "seqpacket"), ENTRY(SOCK_RDM, "rdm"),     ENTRY(SOCK_PACKET, "packet"),
};

const char *socktype_name(int type) { return NAME_OF(socktypes, type, name, "unknown"); }
const char *socktype_constant(int type) { return NAME_OF(socktypes, type, constant, "SOCK_?"); }

static const struct name_entry ipprotos[] = {
	{ 0, "default", "0" },          ENTRY(IPPROTO_TCP, "tcp"),   ENTRY(IPPROTO_UDP, "udp"),
	ENTRY(IPPROTO_ICMP, "icmp"),    ENTRY(IPPROTO_ICMPV6, "icmp6"),
	ENTRY(IPPROTO_RAW, "raw"),      ENTRY(IPPROTO_UDPLITE, "udplite"),
	ENTRY(IPPROTO_SCTP, "sctp"),    ENTRY(IPPROTO_MPTCP, "mptcp"),
};

const char *ipproto_name(int proto) { return NAME_OF(ipprotos, proto, name, "unknown"); }
const char *ipproto_constant(int proto) { return NAME_OF(ipprotos, proto, constant, "IPPROTO_?"); }

const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "EUNKNOWN";
}
