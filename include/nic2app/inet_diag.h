/* SPDX-License-Identifier: MIT */
/*
 * inet_diag: TCP/UDP sockets as the kernel lists them through NETLINK_SOCK_DIAG (what `ss`
 * reads). Sockets without a file descriptor (in the accept queue, in TIME_WAIT) are seen too.
 */
#ifndef NIC2APP_INET_DIAG_H
#define NIC2APP_INET_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct inet_sock {
	int family;            /* AF_INET or AF_INET6 */
	int protocol;          /* IPPROTO_TCP, IPPROTO_UDP */
	int state;             /* TCP state number (TCP_CLOSE for unconnected UDP) */
	struct in6_addr src, dst; /* AF_INET: first 4 bytes */
	uint16_t sport, dport; /* host order */
	uint32_t inode;        /* 0 when no fd holds it (TIME_WAIT, accept queue...) */
	uint32_t uid;
	uint32_t rqueue, wqueue;
	bool wqueue_unknown;   /* /proc/net/tcp's tx_queue of a listener is not its backlog */
	uint32_t ifindex;      /* the device it is bound to (idiag_if), 0 when none or unknown */
	int v6only;            /* inet6: INET_DIAG_SKV6ONLY, 0 or 1; -1 when not known */
	bool from_diag;        /* sock_diag said it (ifindex and v6only are known) */
};

/* Called per socket. A negative return (-errno) stops the walk and is returned; a positive
 * one stops it as a success. */
typedef int (*inet_sock_fn)(const struct inet_sock *s, void *ctx);

/* Parse one buffer of netlink messages from a dump of protocol's sockets (the replies do not
 * say which protocol was asked for). Returns 1 when the dump's end (NLMSG_DONE) was seen, 0
 * when more is to come, or -errno (NLMSG_ERROR carries the kernel's errno). */
int inet_diag_parse(const void *buf, size_t len, int protocol, inet_sock_fn fn, void *ctx);

/* Dump every socket of family/protocol in the caller's network namespace. */
int inet_diag_dump(int family, int protocol, inet_sock_fn fn, void *ctx);

/* "127.0.0.1:80" or "[::1]:80" for the source (remote=0) or destination (remote=1). */
const char *inet_sock_addr(const struct inet_sock *s, int remote, char *buf, size_t size);

#endif
