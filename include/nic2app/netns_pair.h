/* SPDX-License-Identifier: MIT */
/*
 * netns_pair: two private network namespaces joined by a veth pair, so that a packet between
 * two threads crosses a real device driver (veth_xmit) instead of loopback. The namespaces
 * have no name (no /run/netns entry): they live as long as this process holds their fds,
 * so they vanish with it even when it is killed, and the veth pair with them. Needs
 * CAP_SYS_ADMIN (unshare, setns) and CAP_NET_ADMIN in the new namespaces.
 */
#ifndef NIC2APP_NETNS_PAIR_H
#define NIC2APP_NETNS_PAIR_H

#include <net/if.h>
#include <netinet/in.h>

enum netns_side { NETNS_A = 0, NETNS_B = 1 };

struct netns_pair {
	int orig_fd;                 /* the namespace the creating thread was in */
	int ns_fd[2];                /* side A (the sender's) and side B (the receiver's) */
	char ifname[2][IF_NAMESIZE]; /* "n2a<pid>a" in A, "n2a<pid>b" in B (unique on the host) */
	int ifindex[2];
	struct in_addr addr[2];      /* 192.0.2.1/24 in A, 192.0.2.2/24 in B (TEST-NET-1) */
};

/*
 * Create namespaces A and B, a veth pair with one end in each, the addresses above, and set
 * both ends and each namespace's lo up. The calling thread is back in its own namespace
 * when this returns, whatever happened. -EPERM without the privileges; on failure nothing
 * is left.
 */
int netns_pair_create(struct netns_pair *p);

/* Move the calling thread into side's namespace (sockets it creates then belong there). */
int netns_pair_enter(const struct netns_pair *p, enum netns_side side);
/* Move the calling thread back to the namespace netns_pair_create was called from. */
int netns_pair_leave(const struct netns_pair *p);

/* Close the namespaces' fds: once no thread is inside, the kernel removes them and the veth
 * pair. Safe to call twice and on a pair whose creation failed. */
void netns_pair_release(struct netns_pair *p);

#endif
