/* SPDX-License-Identifier: MIT */
/*
 * ethnl: private to lib/nic (what its files share). The ethtool generic netlink family (kernel 5.6+): a socket with
 * the family's id resolved, one GET request and its single reply, and the reply's attributes.
 * Replies are kept as received so that tests can parse recorded ones (tests/data/nic/).
 */
#ifndef NIC2APP_LIB_ETHNL_H
#define NIC2APP_LIB_ETHNL_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "nic2app/nic.h"

struct ethnl {
	struct mnl_socket *nl;
	uint16_t family;  /* the id CTRL_CMD_GETFAMILY gave for "ethtool" */
	unsigned int seq, portid;
};

/* Open a NETLINK_GENERIC socket and resolve the ethtool family: -ENOENT when the kernel has
 * none (before 5.6, or built without CONFIG_ETHTOOL_NETLINK). */
int ethnl_open(struct ethnl *e);
void ethnl_close(struct ethnl *e);

/* Send one GET of kind which about ifname and receive the reply into buf[cap]: its length,
 * or -errno (the kernel's, e.g. -EOPNOTSUPP when the driver has no such op). */
int ethnl_fetch(struct ethnl *e, const char *ifname, enum nic_reply which, void *buf,
		size_t cap);

/* The attributes of a reply buffer holding one message of genl command cmd: tb[0..max]
 * (NULL when absent). -errno from an NLMSG_ERROR, -EBADMSG otherwise. */
int ethnl_reply_attrs(const void *buf, size_t len, uint8_t cmd, const struct nlattr **tb,
		      unsigned int max);

/* A nest's attributes by type (types above max are ignored). 0 or -EBADMSG. */
int ethnl_nest_attrs(const struct nlattr *nest, const struct nlattr **tb, unsigned int max);

/* The feature names of an ETH_SS_FEATURES string set reply. */
struct ethnl_names {
	unsigned int count;
	char name[NIC_FEATURES_MAX][NIC_NAME_LEN];
};
int ethnl_names_parse(const void *buf, size_t len, struct ethnl_names *names);
int ethnl_features_bits(const void *buf, size_t len, const struct ethnl_names *names,
			struct nic_features *f);

/* RTM_GETLINK's reply for ifname into buf[cap] (nic_link.c): its length or -errno. */
int nic_link_fetch(const char *ifname, void *buf, size_t cap);

/* A whole /proc text file, NUL-terminated, in a heap buffer the caller frees (nic_irqs.c). */
int nic_read_text(const char *path, char **text);

/* SIOCETHTOOL ETHTOOL_GDRVINFO (nic_ioctl.c). */
int nic_ioctl_drvinfo(const char *ifname, struct nic_drvinfo *d);

#endif
