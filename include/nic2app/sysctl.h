/* SPDX-License-Identifier: MIT */
/* sysctl: read the kernel's tunables from /proc/sys (or from a recorded tree, for tests). */
#ifndef NIC2APP_SYSCTL_H
#define NIC2APP_SYSCTL_H

/* Parse the first integer of a /proc/sys file's text. -EINVAL when there is none. */
int sysctl_parse_long(const char *text, long *out);
/* Read root/name, e.g. root "/proc/sys", name "net/core/rmem_max". */
int sysctl_read_long(const char *root, const char *name, long *out);

/* The socket-buffer limits of net.core (bytes), and the listen backlog cap. */
struct net_core_limits {
	long rmem_default, rmem_max;
	long wmem_default, wmem_max;
	long somaxconn;
};

int net_core_limits_read(const char *root, struct net_core_limits *out);

/* Up to n integers of a /proc/sys file that holds several (net/ipv4/tcp_rmem: min default
 * max). Returns how many were read, or -errno. */
int sysctl_read_longs(const char *root, const char *name, long *out, int n);

#endif
