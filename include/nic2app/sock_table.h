/* SPDX-License-Identifier: MIT */
/*
 * sock_table: every socket of one network namespace, keyed by inode, so that the
 * "socket:[12345]" links of /proc/PID/fd can be resolved to addresses and states.
 * Filled from netlink sock_diag (inet_diag, unix_diag, netlink_diag, packet_diag) or, where
 * that is unavailable, from the text tables under /proc/PID/net.
 */
#ifndef NIC2APP_SOCK_TABLE_H
#define NIC2APP_SOCK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A unix path is at most 108 bytes; '@' for abstract names and the NUL make 110. Inet
 * addresses "[v6]:port" fit easily. */
#define SOCK_ADDR_MAX 112

struct sock_desc {
	uint32_t inode;
	int family;               /* AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_PACKET */
	char proto[16];           /* DESIGN.md socket.proto: "tcp" "udp" "raw" "icmp" | "stream"
				   * "dgram" "seqpacket" | "route" "sock_diag"... | "raw" "dgram" */
	char state[16];           /* "ESTABLISHED", "LISTEN"... "UNCONN"; "" when not known */
	char local[SOCK_ADDR_MAX];  /* "127.0.0.1:80", "[::1]:80", "/path", "@name", "" */
	char remote[SOCK_ADDR_MAX];
	uint32_t peer_inode;      /* unix: the other end's inode, 0 when none or unknown */
	uint8_t known;            /* SOCK_KNOWN_*: what the source said (unknown: null in JSON) */
	bool v6only;              /* inet6: IPV6_V6ONLY (SOCK_KNOWN_V6ONLY) */
	uint32_t recv_q, send_q;
	char dev[16];             /* inet: the device it is bound to (SO_BINDTODEVICE, or the
				   * scope of a link-local address), "" when none (SOCK_KNOWN_DEV) */
	uint64_t netns;           /* the inode of the network namespace it was found in when that
				   * is not its process's (it was made before a setns), else 0 */
};

/* Which fields of a sock_desc its source knows. recv_q and send_q mean what ss shows: a
 * field not known is blank in text and null in JSON, never 0. */
#define SOCK_KNOWN_RECV_Q  0x01
#define SOCK_KNOWN_SEND_Q  0x02
#define SOCK_KNOWN_QUEUES  (SOCK_KNOWN_RECV_Q | SOCK_KNOWN_SEND_Q)
#define SOCK_KNOWN_REMOTE  0x04  /* remote ("" then means: not connected) */
#define SOCK_KNOWN_DEV     0x08  /* dev */
#define SOCK_KNOWN_V6ONLY  0x10  /* v6only */

/*
 * The entries sit densely in descs, in the order they were added (so a caller may walk
 * descs[0..count)); slots is the index: open addressing on the inode, inode 0 marking a free
 * slot (sockets never have inode 0). An index slot is 8 bytes where an entry is ~280: the
 * index can stay under half full and grow cheaply, and 10,000 sockets touch ~3 MB, not ~9.
 */
struct sock_table_slot {
	uint32_t inode;
	uint32_t index;           /* into descs */
};

struct sock_table {
	struct sock_table_slot *slots;
	size_t size;              /* slots: a power of two */
	size_t count;             /* entries in descs */
	struct sock_desc *descs;
	size_t cap;               /* room in descs */
};

#define SOCK_TABLE_INIT { NULL, 0, 0, NULL, 0 }

/* Insert or replace the entry for d->inode (0 is ignored and returns 0). -ENOMEM. */
int sock_table_add(struct sock_table *t, const struct sock_desc *d);
/* The entry for inode, or NULL. */
const struct sock_desc *sock_table_find(const struct sock_table *t, uint32_t inode);
void sock_table_release(struct sock_table *t);

/* SOCK_ADDR_MAX is enough for "[v6]%IFNAME:port" too. */

/* State names as ss prints them: TCP states by name (tcp_state_name(), "UNKNOWN" for a number
 * it does not know); any socket but a TCP one in TCP_CLOSE is "UNCONN". */
const char *sock_state_name(int state, bool connection_oriented_tcp);

/*
 * Parsers of one buffer of netlink replies to a SOCK_DIAG_BY_FAMILY dump. Each adds what it
 * finds to t and returns 1 when NLMSG_DONE was seen, 0 when more is to come, -errno on a
 * malformed reply (-EBADMSG for a cut buffer or a message too short for its header or with a
 * cut attribute) or the kernel's error (NLMSG_ERROR's, or the one NLMSG_DONE carries: -ENOENT
 * is how inet_diag says it has no module for the protocol). Sockets with inode 0 (TIME_WAIT,
 * not yet accepted) are skipped: no fd can name them.
 */
int unix_diag_parse(const void *buf, size_t len, struct sock_table *t);
int netlink_diag_parse(const void *buf, size_t len, struct sock_table *t);
int packet_diag_parse(const void *buf, size_t len, struct sock_table *t);
/* protocol: IPPROTO_TCP, IPPROTO_UDP, IPPROTO_RAW (raw_diag). */
int inet_diag_table_parse(const void *buf, size_t len, int protocol, struct sock_table *t);

/*
 * What the fields hold for each family (the sock_diag and /proc/net sources agree unless said):
 * - inet, inet6: local "127.0.0.1:80" or "[::1]:80" (IPv4-mapped addresses as the kernel reports
 *   them: "[::ffff:127.0.0.1]:80"), with the device a socket is bound to after a '%' as ss
 *   writes it: "127.0.0.1%lo:80", "[fe80::1]%eth0:80" (sock_diag only: /proc/net does not say);
 *   an unbound socket's local stays "0.0.0.0:0"; remote "" when unconnected (unspecified
 *   address and port 0). Raw (and ping) sockets: the "port" is the IP protocol (raw) or the
 *   ICMP echo id (icmp), as in /proc/net/raw. recv_q/send_q as ss shows them (for a TCP
 *   listener: the accept queue and its limit; /proc/net/tcp has no limit: send_q unknown).
 *   v6only for inet6 from sock_diag (INET_DIAG_SKV6ONLY), which says it for listening and
 *   unconnected sockets only (TCP_LISTEN, TCP_CLOSE: where it decides what is accepted).
 * - unix: local is the path, "@name" for an abstract name (its NUL bytes shown as '@'; other
 *   bytes kept raw), "" when unbound; remote is always ""; peer_inode from sock_diag only.
 *   /proc/net/unix has no queues and no peers (nor remote: unknown); its SS_* states are named
 *   as unix_diag names the TCP_* state behind them (LISTEN, ESTABLISHED, UNCONN).
 * - netlink: local is the socket's port id in decimal ("" while it is 0: unbound, or one of the
 *   kernel's own sockets); remote is the destination port id in decimal once connected ("0" is
 *   the kernel), else "". state ESTABLISHED when connected, UNCONN otherwise; /proc/net/netlink
 *   does not say, so state is "" and remote unknown from there. recv_q/send_q: receive/send buffer
 *   bytes in use. A netlink socket that was never bound is listed by neither source.
 * - packet: proto "raw" (SOCK_RAW) or "dgram" (SOCK_DGRAM); local is "IFNAME:0xPROTO" with the
 *   ethertype in hex ("eth0:0x0800") when bound to an interface, "*:0xPROTO" for every
 *   interface, "" when it receives nothing (protocol 0, no interface); remote "", state
 *   UNCONN, recv_q the receive buffer bytes in use, send_q 0.
 */

/* The interface name for a packet socket's ifindex, resolved by SIOCGIFNAME on ifname_fd, any
 * socket of the network namespace the index belongs to (-1: the caller's own namespace), or
 * never with SOCK_IFNAME_NUMERIC. When it cannot be resolved: "if7". */
#define SOCK_IFNAME_NUMERIC (-2)
const char *sock_ifname(unsigned int ifindex, int ifname_fd, char *buf, size_t size);
/* packet_diag_parse() and proc_net_packet_parse() resolve names in the caller's namespace;
 * these take the socket to resolve them with, as sock_ifname(). */
int packet_diag_parse_ifnames(const void *buf, size_t len, int ifname_fd, struct sock_table *t);
int proc_net_packet_parse_ifnames(const char *buf, int ifname_fd, struct sock_table *t);

/* "route", "sock_diag", "generic"...; "netlink-N" (in buf) for a number without a name. */
const char *netlink_protocol_name(int protocol, char *buf, size_t size);

/*
 * Parsers of /proc/net text tables (the whole file in buf, NUL-terminated). Each adds every
 * row to t and returns the number of rows, or -EBADMSG when the header is not the expected one.
 * family: AF_INET or AF_INET6; proto: "tcp" "udp" "raw" "icmp" (ping sockets).
 */
int proc_net_inet_parse(const char *buf, int family, const char *proto, struct sock_table *t);
int proc_net_unix_parse(const char *buf, struct sock_table *t);
int proc_net_netlink_parse(const char *buf, struct sock_table *t);
int proc_net_packet_parse(const char *buf, struct sock_table *t);

/* Read a whole file into a malloc'd, NUL-terminated *buf (its length in *len, may be NULL).
 * /proc files report a size of 0, so this reads until end of file. 0 or -errno. */
int proc_file_read(const char *path, char **buf, size_t *len);

/* Where the table was filled from. */
enum sock_source {
	SOCK_SOURCE_NONE,
	SOCK_SOURCE_SOCK_DIAG,    /* netlink sock_diag (ping sockets, which it cannot list, come
				   * from /proc/net/icmp and icmp6) */
	SOCK_SOURCE_PROC_NET,     /* /proc/PID/net text tables only */
	SOCK_SOURCE_BPF,          /* read from each socket by the BPF task_file iterator */
};
const char *sock_source_name(enum sock_source s); /* "sock_diag", "proc_net", "bpf", "none" */

/*
 * Fill t with every socket of a network namespace. netns_fd is an open /proc/PID/ns/net, or -1
 * for the caller's own namespace; entering another namespace needs CAP_SYS_ADMIN and happens
 * only on the calling thread, which is moved back before returning (only the NETLINK_SOCK_DIAG
 * socket is made there: it keeps that namespace). proc_net_dir ("/proc/PID/net", of the same
 * namespace) is read for ping sockets, for a family whose sock_diag module the kernel lacks
 * (e.g. raw without CONFIG_INET_RAW_DIAG), and for everything when sock_diag cannot be used
 * (no socket, or setns not permitted: then *source is SOCK_SOURCE_PROC_NET and packet sockets'
 * interfaces of another namespace are named by number, "if3"). *source says which was used.
 * Returns 0 or -errno; a thread that could not be moved back is an error (-errno of setns).
 * proc_net_dir may be NULL when nothing under /proc shows the namespace: then sock_diag is
 * the only source (no ping sockets; *source SOCK_SOURCE_NONE when it cannot be used).
 */
int sock_table_fill(struct sock_table *t, int netns_fd, const char *proc_net_dir,
		    enum sock_source *source);

/* Fill t from the /proc/net text tables of proc_net_dir only ("/proc/PID/net" shows the
 * namespace of PID); *source becomes SOCK_SOURCE_PROC_NET. */
int sock_table_fill_proc(struct sock_table *t, const char *proc_net_dir,
			 enum sock_source *source);

#endif
