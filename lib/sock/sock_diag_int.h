/* SPDX-License-Identifier: MIT */
/*
 * sock_diag_int: private to lib/. The per-family sock_diag dumps on an already open
 * NETLINK_SOCK_DIAG socket (possibly one made in another network namespace), and the pieces
 * the sock_diag and /proc/net readers share; sock_table_fill() puts them together.
 */
#ifndef NIC2APP_LIB_SOCK_DIAG_INT_H
#define NIC2APP_LIB_SOCK_DIAG_INT_H

#include <stdint.h>

#include "nic2app/inet_diag.h"
#include "nic2app/sock_table.h"

struct mnl_socket;

/* Every TCP state but those of sockets that never have an inode (TIME_WAIT, NEW_SYN_RECV). */
#define INET_DIAG_STATES_WITH_INODE (~((1u << 6) | (1u << 12)))

/*
 * The sock_diag socket of the namespace netns_fd names (or ours: -1). 0 with *out set; 1 when
 * sock_diag cannot be used (entering the namespace is not permitted, or the kernel refuses
 * the socket); -errno when netns_fd is not a namespace or the thread could not get back.
 */
int sock_diag_open_in(int netns_fd, struct mnl_socket **out);

/* inet_diag_dump() on nl, asking for the sockets in states (a mask of 1 << TCP state). For
 * IPPROTO_RAW every raw protocol is listed. */
int inet_diag_dump_on(struct mnl_socket *nl, unsigned int seq, int family, int protocol,
		      uint32_t states, inet_sock_fn fn, void *ctx);

/* Dump one family from nl into t. 0 or -errno; -ENOENT (or -EOPNOTSUPP, -EINVAL from older
 * kernels) when the kernel has no sock_diag module for it. */
/* ifname_fd as sock_ifname(), for the devices sockets are bound to */
int sock_diag_inet_dump(struct mnl_socket *nl, unsigned int seq, int family, int protocol,
			int ifname_fd, struct sock_table *t);
int sock_diag_unix_dump(struct mnl_socket *nl, unsigned int seq, struct sock_table *t);
int sock_diag_netlink_dump(struct mnl_socket *nl, unsigned int seq, struct sock_table *t);
/* ifname_fd as sock_ifname() */
int sock_diag_packet_dump(struct mnl_socket *nl, unsigned int seq, int ifname_fd,
			  struct sock_table *t);

/* An inet socket as a table entry; proto is DESIGN.md's name ("tcp", "udp", "raw", "icmp");
 * a bound device's name is found with ifname_fd, as sock_ifname(). */
void sock_desc_from_inet(const struct inet_sock *s, const char *proto, int ifname_fd,
			 struct sock_desc *d);

/* A unix name as ss shows it: a path up to its NUL; an abstract name (first byte NUL) as '@'
 * and the rest, where NULs also become '@'. */
void unix_name_format(const char *name, size_t len, char *buf, size_t size);

/* The packet socket's local address as documented in sock_table.h. */
void sock_packet_local(unsigned int ifindex, unsigned int ethertype, int ifname_fd,
		       char *buf, size_t size);

/*
 * Read dir/name ("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "icmp", "icmp6", "unix", "netlink",
 * "packet") with its parser into t. Rows added, or -errno (-ENOENT when the file does not exist:
 * the kernel lacks that family). ifname_fd as sock_ifname(), for "packet".
 */
int proc_net_read(const char *dir, const char *name, int ifname_fd, struct sock_table *t);

#endif
