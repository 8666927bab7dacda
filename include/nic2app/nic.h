/* SPDX-License-Identifier: MIT */
/*
 * nic: what the kernel says about one network interface: its offload features as `ethtool -k`
 * names them (ethtool netlink, SIOCETHTOOL as the fallback), driver, MTU and GSO/GRO sizes,
 * queues, rings, coalescing, channels, and the interrupt lines it owns in /proc/interrupts.
 */
#ifndef NIC2APP_NIC_H
#define NIC2APP_NIC_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NIC_FEATURES_MAX 128   /* the kernel has 64 feature bits today (netdev_features_t) */
#define NIC_NAME_LEN 32        /* ETH_GSTRING_LEN */
#define NIC_PARAMS_MAX 32
#define NIC_IRQS_MAX 64
#define NIC_CPUS_MAX 64        /* per-CPU columns kept; totals count every CPU */

/* One netdev feature bit, as ETHTOOL_MSG_FEATURES_GET (or ETHTOOL_GFEATURES) reports it. */
struct nic_feature {
	char name[NIC_NAME_LEN];  /* the kernel's name (ETH_SS_FEATURES), "" for an unused bit */
	bool hw;                  /* the driver lets it be changed (hw_features) */
	bool wanted;              /* what was asked for */
	bool active;              /* what is in force */
	bool nochange;            /* never changeable (NETIF_F_NEVER_CHANGE) */
};

struct nic_features {
	unsigned int count;
	struct nic_feature f[NIC_FEATURES_MAX];
};

/*
 * One line of `ethtool -k`: a legacy name standing for one kernel feature (e.g.
 * generic-receive-offload for rx-gro), a legacy group of several (tx-checksumming: active
 * when any member is; fixed and requested are unknown, -1, as ethtool --json says null),
 * a member of such a group (sub), or a kernel feature with no legacy name.
 */
struct nic_feature_row {
	const char *name;  /* points into the nic_features or a constant table */
	bool active;
	int8_t fixed;      /* 1, 0, or -1: a group has none */
	int8_t requested;  /* 1, 0, or -1 */
	bool sub;          /* printed indented under its group */
};

/* The rows in ethtool's order (legacy names first, then the rest); returns how many
 * (at most max; count + 12 is always enough). */
size_t nic_feature_rows(const struct nic_features *f, struct nic_feature_row *rows, size_t max);

/* A named number from a reply (rings, channels, coalescing): "rx", "rx_max", "rx_usecs". */
struct nic_param {
	const char *name;
	uint32_t value;
	bool is_bool;  /* a u8 flag such as use_adaptive_rx */
};

struct nic_params {
	int err;  /* 0, -EOPNOTSUPP (the driver has no such op), or another -errno */
	size_t count;
	struct nic_param p[NIC_PARAMS_MAX];
};

/* The value of name, or false when the reply did not have it. */
bool nic_param_get(const struct nic_params *ps, const char *name, uint32_t *value);

/* ETHTOOL_GDRVINFO. lo has no driver info: err -EOPNOTSUPP. */
struct nic_drvinfo {
	int err;
	char driver[NIC_NAME_LEN];
	char version[NIC_NAME_LEN];
	char fw_version[NIC_NAME_LEN];
	char bus_info[NIC_NAME_LEN];
};

/* RTM_NEWLINK's attributes; has marks the optional ones the kernel sent. */
enum nic_link_has {
	NIC_HAS_GSO_MAX_SIZE = 1u << 0,
	NIC_HAS_GSO_MAX_SEGS = 1u << 1,
	NIC_HAS_GRO_MAX_SIZE = 1u << 2,
	NIC_HAS_TSO_MAX_SIZE = 1u << 3,
	NIC_HAS_TSO_MAX_SEGS = 1u << 4,
	NIC_HAS_QUEUES = 1u << 5,
	NIC_HAS_STATS = 1u << 6,
	NIC_HAS_MIN_MAX_MTU = 1u << 7,
};

struct nic_link {
	int ifindex;
	char ifname[IF_NAMESIZE];
	unsigned int flags;  /* IFF_* */
	uint32_t mtu, min_mtu, max_mtu;
	uint32_t gso_max_size, gso_max_segs, gro_max_size, tso_max_size, tso_max_segs;
	uint32_t num_tx_queues, num_rx_queues;
	char qdisc[NIC_NAME_LEN];
	uint8_t operstate;  /* IF_OPER_* */
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_dropped, tx_dropped;
	unsigned int has;   /* enum nic_link_has */
};

/* One line of /proc/interrupts that belongs to the interface. */
struct nic_irq {
	unsigned int irq;
	char name[64];           /* the last column, e.g. "virtio2-input.0" */
	uint64_t count;          /* over every CPU */
	unsigned int ncpus;      /* columns kept in per_cpu */
	uint64_t per_cpu[NIC_CPUS_MAX];
};

struct nic_irqs {
	int err;                 /* 0, or -errno reading /proc/interrupts */
	char source[24];         /* "msi_irqs", "irq" (sysfs), or "none" (no device: lo, veth) */
	size_t count;
	struct nic_irq irq[NIC_IRQS_MAX];
};

/* Everything `nic2app nic` shows about one interface. */
struct nic_info {
	struct nic_link link;
	struct nic_drvinfo drv;
	struct nic_features features;
	int features_err;
	const char *features_source;  /* "netlink" (ETHTOOL_MSG_FEATURES_GET) or "ioctl" */
	struct nic_params rings, channels, coalesce;
	struct nic_irqs irqs;
};

/*
 * Fill info for ifname in the caller's network namespace. Returns -ENODEV for an unknown
 * interface, another -errno when the link cannot be read; parts the driver does not offer
 * (rings, coalescing, driver info) carry their own err and do not fail the call.
 */
int nic_collect(const char *ifname, struct nic_info *info);

/* The interface of the main table's IPv4 default route (IPv6 when there is none), into
 * ifname[IF_NAMESIZE]; -ENETUNREACH when there is no default route. */
int nic_default_route_dev(char *ifname);

/* RTM_GETLINK for ifname in the caller's network namespace: -ENODEV when it has none. */
int nic_link_read(const char *ifname, struct nic_link *link);
/* Parse one RTM_NEWLINK reply buffer (recorded or live). 0, -EBADMSG, or its NLMSG_ERROR. */
int nic_link_parse(const void *buf, size_t len, struct nic_link *link);

/* The interrupt lines of ifname's device (sysfs msi_irqs, else irq) with their counts. */
int nic_irqs_read(const char *ifname, struct nic_irqs *irqs);
/* The same from a given /proc/interrupts text and irq list (tests): lines whose number is in
 * want[0..nwant), or, when nwant is 0, whose name contains match. */
int nic_irqs_parse(const char *text, const unsigned int *want, size_t nwant, const char *match,
		   struct nic_irqs *irqs);
/* The sum of every numbered line of /proc/interrupts text (device interrupts, not LOC etc.). */
int nic_irqs_device_total(const char *text, uint64_t *total);

/* The kernel replies nic_collect() parses, one kind at a time, so that tests can record them
 * (tests/helpers/record_nic.c) and parse them back without the kernel. */
enum nic_reply {
	NIC_REPLY_FEATURE_NAMES,  /* ETHTOOL_MSG_STRSET_GET of ETH_SS_FEATURES (no device) */
	NIC_REPLY_FEATURES,       /* ETHTOOL_MSG_FEATURES_GET, compact bitsets */
	NIC_REPLY_RINGS,          /* ETHTOOL_MSG_RINGS_GET */
	NIC_REPLY_CHANNELS,       /* ETHTOOL_MSG_CHANNELS_GET */
	NIC_REPLY_COALESCE,       /* ETHTOOL_MSG_COALESCE_GET */
	NIC_REPLY_LINK,           /* RTM_GETLINK with IFLA_EXT_MASK 0 */
};

/* The buffer size a reply fits in. */
#define NIC_REPLY_SIZE 32768

/* Ask the kernel for one reply about ifname into buf[cap]: its length, or -errno (the
 * kernel's: -EOPNOTSUPP when the driver has no such op, -ENODEV, -ENOENT without ethtool
 * netlink). */
int nic_reply_fetch(const char *ifname, enum nic_reply which, void *buf, size_t cap);

/* Feature bits from a FEATURES reply, named by a FEATURE_NAMES reply. 0 or -EBADMSG (or the
 * reply's own -errno). */
int nic_features_parse(const void *names_buf, size_t names_len, const void *buf, size_t len,
		       struct nic_features *f);

/* The numbers of a RINGS, CHANNELS or COALESCE reply, named as the kernel's attributes in
 * lower case without the prefix ("rx_max", "combined_count", "rx_usecs"). */
int nic_params_parse(const void *buf, size_t len, enum nic_reply which, struct nic_params *ps);

/* The features through the older interface, ioctl(SIOCETHTOOL) ETHTOOL_GSSET_INFO,
 * ETHTOOL_GSTRINGS and ETHTOOL_GFEATURES: nic_collect()'s fallback without ethtool netlink. */
int nic_ioctl_features(const char *ifname, struct nic_features *f);

/* The interface's operstate as ip link prints it ("UP", "UNKNOWN", ...). */
const char *nic_operstate_name(uint8_t operstate);

#endif
