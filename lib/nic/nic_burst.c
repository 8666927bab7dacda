// SPDX-License-Identifier: MIT
/*
 * nic_burst: a burst of UDP datagrams through one device, with the kernel's counters read
 * before and after: the device's packets (rtnetlink), the interrupt lines it owns and every
 * device interrupt of the machine (/proc/interrupts), NET_RX/NET_TX softirqs (/proc/softirqs)
 * and softnet_stat per CPU. The sender is pinned to one CPU, so that the receive work it
 * causes (the backlog's NAPI poll, in the NET_RX softirq of the CPU that queued the packet)
 * shows up on that CPU's row. The traffic goes only to 127.0.0.1 or between two private
 * namespaces made for it and removed afterwards.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ethnl.h"
#include "nic2app/netns_pair.h"
#include "nic2app/nic_burst.h"

#define BATCH 16               /* datagrams sent between two drains of the receiver */
#define DRAIN_TIMEOUT_MS 500   /* the last datagrams' grace period */
#define PAYLOAD_MAX 65507

/* The counters read before and after. */
struct snapshot {
	struct nic_link dev_tx, dev_rx, watch;
	struct nic_irqs dev_irqs, watch_irqs;
	uint64_t machine_irqs;
	struct nic_softirqs softirqs;
	struct nic_softnet softnet;
};

/* Where the burst runs: the sockets and, for veth, the namespaces. */
struct burst_run {
	enum nic_burst_path path;
	struct netns_pair ns;
	bool have_ns;
	int tx_fd, rx_fd;
	const char *watch;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Read a link's counters inside a namespace of the pair (veth) or here (lo). */
static int link_in(struct burst_run *run, int side, const char *ifname, struct nic_link *l)
{
	int r, back;

	if (!run->have_ns)
		return nic_link_read(ifname, l);
	if ((r = netns_pair_enter(&run->ns, (enum netns_side)side)) < 0)
		return r;
	r = nic_link_read(ifname, l);
	back = netns_pair_leave(&run->ns);
	return r < 0 ? r : back;
}

static int snapshot_take(struct burst_run *run, struct snapshot *s)
{
	const char *tx = run->have_ns ? run->ns.ifname[NETNS_A] : "lo";
	const char *rx = run->ns.ifname[NETNS_B];
	char *text;
	int r;

	if ((r = link_in(run, NETNS_A, tx, &s->dev_tx)) < 0)
		return r;
	if (!run->have_ns) /* lo counts each packet once out and once in: one reading */
		s->dev_rx = s->dev_tx;
	else if ((r = link_in(run, NETNS_B, rx, &s->dev_rx)) < 0)
		return r;
	/* lo has no device in sysfs, so no line; veth has none either (no parent device),
	 * and this process's sysfs shows the host's interfaces, not the namespace's */
	if (!run->have_ns && (r = nic_irqs_read(tx, &s->dev_irqs)) < 0)
		return r;
	if (run->watch && ((r = nic_link_read(run->watch, &s->watch)) < 0 ||
			   (r = nic_irqs_read(run->watch, &s->watch_irqs)) < 0))
		return r;
	if ((r = nic_read_text("/proc/interrupts", &text)) < 0)
		return r;
	r = nic_irqs_device_total(text, &s->machine_irqs);
	free(text);
	if (r < 0 || (r = nic_softirqs_read(&s->softirqs)) < 0)
		return r;
	return nic_softnet_read(&s->softnet);
}

/* A UDP socket made in side's namespace (or here), bound to addr:port (port 0: any). */
static int udp_socket_in(struct burst_run *run, int side, struct sockaddr_in *addr)
{
	socklen_t alen = sizeof(*addr);
	int fd, r = 0;

	if (run->have_ns && (r = netns_pair_enter(&run->ns, (enum netns_side)side)) < 0)
		return r;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0 ||
	    getsockname(fd, (struct sockaddr *)addr, &alen) < 0)
		r = -errno;
	if (run->have_ns) {
		int back = netns_pair_leave(&run->ns);

		r = r < 0 ? r : back;
	}
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}

static int sockets_open(struct burst_run *run)
{
	struct sockaddr_in rx = { .sin_family = AF_INET }, tx = { .sin_family = AF_INET };
	int r;

	rx.sin_addr.s_addr = tx.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (run->have_ns) {
		rx.sin_addr = run->ns.addr[NETNS_B];
		tx.sin_addr = run->ns.addr[NETNS_A];
	}
	if ((r = run->rx_fd = udp_socket_in(run, NETNS_B, &rx)) < 0)
		return r;
	if ((r = run->tx_fd = udp_socket_in(run, NETNS_A, &tx)) < 0)
		return r;
	return connect(run->tx_fd, (struct sockaddr *)&rx, sizeof(rx)) < 0 ? -errno : 0;
}

/* Read every datagram waiting; wait up to timeout_ms for the first one. */
static void drain(int fd, char *buf, unsigned int *received, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (timeout_ms > 0 && poll(&pfd, 1, timeout_ms) <= 0)
		return;
	while (recv(fd, buf, PAYLOAD_MAX, MSG_DONTWAIT) >= 0)
		(*received)++;
}

static int traffic(struct burst_run *run, unsigned int count, unsigned int size,
		   volatile int *stop, struct nic_burst *b)
{
	char *buf = calloc(1, PAYLOAD_MAX);
	uint64_t start = now_ns();
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (b->sent < count && !(stop && *stop)) {
		for (unsigned int i = 0; i < BATCH && b->sent < count; i++) {
			if (send(run->tx_fd, buf, size, 0) < 0) {
				if (errno == EAGAIN || errno == ENOBUFS)
					break; /* the socket's send buffer is full: drain first */
				r = -errno;
				goto out_free;
			}
			b->sent++;
		}
		drain(run->rx_fd, buf, &b->received, 0);
	}
	while (b->received < b->sent && !(stop && *stop)) {
		unsigned int before = b->received;

		drain(run->rx_fd, buf, &b->received, DRAIN_TIMEOUT_MS);
		if (b->received == before)
			break; /* lost: the counters say where */
	}
	if (stop && *stop)
		r = -EINTR;
out_free:
	b->elapsed_ns = now_ns() - start;
	free(buf);
	return r;
}

static void deltas(const struct snapshot *s0, const struct snapshot *s1, struct nic_burst *b)
{
	unsigned int i, j;

	b->dev_tx_packets = s1->dev_tx.tx_packets - s0->dev_tx.tx_packets;
	b->dev_rx_packets = s1->dev_rx.rx_packets - s0->dev_rx.rx_packets;
	b->machine_irqs = s1->machine_irqs - s0->machine_irqs;
	b->dev_irq_lines = s1->dev_irqs.count;
	for (i = 0; i < s1->dev_irqs.count; i++)
		for (j = 0; j < s0->dev_irqs.count; j++)
			if (s1->dev_irqs.irq[i].irq == s0->dev_irqs.irq[j].irq)
				b->dev_irqs += s1->dev_irqs.irq[i].count - s0->dev_irqs.irq[j].count;
	b->ncpus = s1->softirqs.ncpus < s0->softirqs.ncpus ? s1->softirqs.ncpus :
							      s0->softirqs.ncpus;
	for (i = 0; i < b->ncpus; i++) {
		b->net_rx[i] = s1->softirqs.net_rx[i] - s0->softirqs.net_rx[i];
		b->net_tx[i] = s1->softirqs.net_tx[i] - s0->softirqs.net_tx[i];
	}
	/* softnet rows by CPU number: a CPU may go offline in between */
	for (i = 0; i < s1->softnet.n; i++)
		for (j = 0; j < s0->softnet.n; j++) {
			const struct nic_softnet_cpu *a = &s0->softnet.c[j], *z = &s1->softnet.c[i];

			if (a->cpu != z->cpu)
				continue;
			b->softnet.c[b->softnet.n++] = (struct nic_softnet_cpu){
				.cpu = z->cpu,
				.processed = z->processed - a->processed,
				.dropped = z->dropped - a->dropped,
				.time_squeeze = z->time_squeeze - a->time_squeeze,
			};
		}
	if (!b->watched)
		return;
	b->watch.rx_packets = s1->watch.rx_packets - s0->watch.rx_packets;
	b->watch.tx_packets = s1->watch.tx_packets - s0->watch.tx_packets;
	for (i = 0; i < s1->watch_irqs.count; i++)
		for (j = 0; j < s0->watch_irqs.count; j++) {
			const struct nic_irq *a = &s0->watch_irqs.irq[j], *z = &s1->watch_irqs.irq[i];

			if (a->irq != z->irq)
				continue;
			b->watch.irq[b->watch.nirqs].irq = z->irq;
			memcpy(b->watch.irq[b->watch.nirqs].name, z->name, sizeof(z->name));
			b->watch.irq[b->watch.nirqs++].delta = z->count - a->count;
		}
}

/* Pin the calling thread to the CPU it is on; old keeps the mask to give back. */
static int pin_here(cpu_set_t *old, int *cpu)
{
	cpu_set_t one;

	if (sched_getaffinity(0, sizeof(*old), old) < 0 || (*cpu = sched_getcpu()) < 0)
		return -errno;
	CPU_ZERO(&one);
	CPU_SET(*cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) < 0 ? -errno : 0;
}

static int burst_setup(struct burst_run *run, struct nic_burst *b)
{
	struct nic_drvinfo drv;
	int r;

	if (run->path == NIC_BURST_VETH) {
		if ((r = netns_pair_create(&run->ns)) < 0)
			return r;
		run->have_ns = true;
		memcpy(b->device, run->ns.ifname[NETNS_A], IF_NAMESIZE);
		if ((r = netns_pair_enter(&run->ns, NETNS_A)) < 0)
			return r;
		if (nic_ioctl_drvinfo(b->device, &drv) == 0)
			memcpy(b->driver, drv.driver, sizeof(b->driver));
		if ((r = netns_pair_leave(&run->ns)) < 0)
			return r;
	} else {
		strcpy(b->device, "lo");
	}
	return sockets_open(run);
}

int nic_burst_run(enum nic_burst_path path, unsigned int count, unsigned int size,
		  const char *watch, volatile int *stop, struct nic_burst *b)
{
	struct burst_run run = { .path = path, .tx_fd = -1, .rx_fd = -1, .watch = watch };
	struct snapshot *s = calloc(2, sizeof(*s));
	cpu_set_t old;
	bool pinned = false;
	int r;

	memset(b, 0, sizeof(*b));
	b->path = path;
	b->size = size;
	b->watched = watch != NULL;
	if (watch)
		strncpy(b->watch.ifname, watch, IF_NAMESIZE - 1);
	if (!s)
		return -ENOMEM;
	if (size == 0 || size > PAYLOAD_MAX) {
		r = -EINVAL;
		goto out;
	}
	if ((r = burst_setup(&run, b)) < 0 || (r = pin_here(&old, &b->cpu)) < 0)
		goto out;
	pinned = true;
	if ((r = snapshot_take(&run, &s[0])) < 0 || (r = traffic(&run, count, size, stop, b)) < 0 ||
	    (r = snapshot_take(&run, &s[1])) < 0)
		goto out;
	deltas(&s[0], &s[1], b);
out:
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	if (run.tx_fd >= 0)
		close(run.tx_fd);
	if (run.rx_fd >= 0)
		close(run.rx_fd);
	if (run.have_ns)
		netns_pair_release(&run.ns);
	free(s);
	return r;
}

const char *nic_burst_path_name(enum nic_burst_path path)
{
	return path == NIC_BURST_VETH ? "veth" : "lo";
}
