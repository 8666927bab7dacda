/* SPDX-License-Identifier: MIT */
/*
 * nic_burst: send a burst of UDP datagrams through one device (lo, or a veth pair between two
 * private network namespaces) and count what the kernel did meanwhile: the device's packets,
 * its interrupts, NET_RX softirqs and softnet_stat per CPU; and, beside it, how an interface
 * that is not driven (eth0) moved in the same window.
 */
#ifndef NIC2APP_NIC_BURST_H
#define NIC2APP_NIC_BURST_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "nic2app/nic.h"

/* NET_RX and NET_TX of /proc/softirqs, per CPU. */
struct nic_softirqs {
	unsigned int ncpus;  /* columns kept (at most NIC_CPUS_MAX) */
	uint64_t net_rx[NIC_CPUS_MAX], net_tx[NIC_CPUS_MAX];
};
int nic_softirqs_read(struct nic_softirqs *s);
int nic_softirqs_parse(const char *text, struct nic_softirqs *s);

/* One row of /proc/net/softnet_stat: packets taken off the CPU's backlog or NAPI polls,
 * packets dropped because the backlog was full, and net_rx_action rounds that ended with
 * work left (budget or time used up). The kernel counts in 32 bits: deltas wrap. */
struct nic_softnet_cpu {
	unsigned int cpu;
	uint32_t processed, dropped, time_squeeze;
};
struct nic_softnet {
	unsigned int n;
	struct nic_softnet_cpu c[NIC_CPUS_MAX];
};
int nic_softnet_read(struct nic_softnet *s);
int nic_softnet_parse(const char *text, struct nic_softnet *s);

enum nic_burst_path {
	NIC_BURST_LO,    /* 127.0.0.1 to itself: loopback_xmit, then the per-CPU backlog */
	NIC_BURST_VETH,  /* namespace A to B over a veth pair: veth_xmit (a software driver) */
};

/* An interface watched, not driven, during the burst. */
struct nic_burst_watch {
	char ifname[IF_NAMESIZE];
	uint64_t rx_packets, tx_packets;  /* deltas */
	size_t nirqs;
	struct {
		unsigned int irq;
		char name[64];
		uint64_t delta;
	} irq[NIC_IRQS_MAX];
};

struct nic_burst {
	enum nic_burst_path path;
	char device[IF_NAMESIZE];        /* "lo", or the sending veth end */
	char driver[NIC_NAME_LEN];       /* "veth" (ETHTOOL_GDRVINFO), "" for lo (it has none) */
	unsigned int size, sent, received;
	int cpu;                         /* the CPU the sender was pinned to */
	uint64_t elapsed_ns;
	uint64_t dev_tx_packets, dev_rx_packets;  /* the device's counters (veth: A's tx, B's rx) */
	size_t dev_irq_lines;            /* interrupt lines the device owns (lo, veth: 0) */
	uint64_t dev_irqs;               /* their interrupts in the window */
	uint64_t machine_irqs;           /* every numbered /proc/interrupts line, the whole machine */
	unsigned int ncpus;
	uint64_t net_rx[NIC_CPUS_MAX], net_tx[NIC_CPUS_MAX];  /* softirq deltas per CPU */
	struct nic_softnet softnet;      /* deltas per CPU */
	bool watched;
	struct nic_burst_watch watch;
};

/*
 * Send count datagrams of size bytes over path, pinned to the current CPU, and fill b with the
 * deltas; watch (NULL: none) is an interface observed meanwhile. The veth path needs
 * CAP_SYS_ADMIN (-EPERM otherwise) and removes its namespaces and veth pair before it returns,
 * whatever happened. A signal (stop set non-zero by the caller's handler) ends the burst early
 * with -EINTR.
 */
int nic_burst_run(enum nic_burst_path path, unsigned int count, unsigned int size,
		  const char *watch, volatile int *stop, struct nic_burst *b);

const char *nic_burst_path_name(enum nic_burst_path path);

#endif
