/* SPDX-License-Identifier: MIT */
/* route_dev: which device the kernel would send a packet for an address through, as
 * `ip route get ADDR` says (RTM_GETROUTE, RTA_OIF), in the caller's network namespace. */
#ifndef NIC2APP_ROUTE_DEV_H
#define NIC2APP_ROUTE_DEV_H

#include <net/if.h>
#include <sys/socket.h>

/* The output device for dst (AF_INET or AF_INET6) into ifname[IF_NAMESIZE]. -ENETUNREACH
 * when there is no route, or another -errno. */
int route_device(const struct sockaddr *dst, char *ifname);

#endif
