// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * journey_live.bpf.c: the journey of packets nic2app did not send, timed in the kernel. BTF
 * tracepoint programs note when each packet (keyed by its skb's address) passes the device
 * queue, the driver, the receive backlog and the receive stack, then when its socket is told
 * (sk_data_ready), the reader woken and put on a CPU, and its recv() ends. Each stage's time
 * goes into a per-CPU log2 histogram; nothing crosses to user space per packet unless
 * want_packets asks for a ring-buffer record of each journey.
 *
 * An skb's address is reused as soon as the skb is freed, so its entry is deleted at the
 * packet's last skb point (sk_data_ready, or the driver when it leaves the host) and when the
 * kernel drops it. The socket side is matched per socket (in its local storage): the first
 * packet queued on a socket with nothing unread is the one its next recv() returns.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "journey_live.h"

/* from the uapi headers, which vmlinux.h does not carry */
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define AF_INET 2
#define AF_INET6 10
#define IFF_LOOPBACK 0x8
#define MSG_PEEK 2
#define TCP_LISTEN 10

char LICENSE[] SEC("license") = "Dual MIT/GPL";

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* What to watch: set by the loader, changed only while it measures its own overhead. */
struct lp_filter filter = {};


/* Per socket (its local storage, which goes with it): the oldest unread packet, from
 * sk_data_ready to the recv() that returns it, and whether the --pid process uses it. */
struct pending {
	struct lp_record rec;
	__u8 waiting;   /* rec holds a packet */
	__u8 pid_sock;  /* the --pid process sent on it or read from it */
};

/* The reader a socket woke, from sched_waking to its recv(), in the slot of its thread id
 * (the task's address says whose it is: another thread of the same slot takes it over, and
 * that reader's wake-up is then not timed). A slot costs a load where the task's local
 * storage cost a helper call, at every wake-up and context switch of the machine. */
struct waker {
	__u64 task;
	__u64 sk;
	__u64 ready, wakeup, on_cpu;
};

#define WAKER_SLOTS 4096 /* a power of two */

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pendings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, WAKER_SLOTS);
	__type(key, __u32);
	__type(value, struct waker);
} wakers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lp_cpu);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} records SEC(".maps");

static __always_inline struct waker *waker_slot(__u32 tid)
{
	__u32 i = tid & (WAKER_SLOTS - 1);

	return bpf_map_lookup_elem(&wakers, &i);
}

static __always_inline struct lp_cpu *this_cpu(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&percpu, &zero);
}


static __always_inline void count(struct lp_cpu *c, __u32 which)
{
	if (which < LC_COUNTERS)
		c->counter[which]++;
}

/*
 * A packet's flight lives in a slot of the CPU it passes: on loopback and veth every point
 * from the device queue to sk_data_ready runs on one CPU (the receive backlog is that CPU's),
 * and a packet from elsewhere starts on the CPU of its receive softirq. A slot is a few
 * compares away, where a hash map costs an insert and a delete per packet. A slot still held
 * when its turn comes again belongs to a packet that vanished on the way (or to one of more
 * than LP_SLOTS in flight on the CPU): it is given up, and counted.
 */
static __always_inline int flight_find(const struct lp_cpu *c, __u64 key)
{
	/* on lo and veth a packet's points follow each other: the slot last taken first */
	__u32 last = (c->slot_next - 1) % LP_SLOTS;

	if (c->slot_skb[last] == key)
		return last;
	for (int i = 0; i < LP_SLOTS; i++)
		if (c->slot_skb[i] == key)
			return i;
	return -1;
}

static __always_inline struct flight *flight_get(struct lp_cpu *c, __u64 key)
{
	int i = flight_find(c, key);

	return i < 0 ? NULL : &c->slot[i & (LP_SLOTS - 1)];
}

static __always_inline struct flight *flight_new(struct lp_cpu *c, __u64 key)
{
	__u32 i = c->slot_next % LP_SLOTS;

	for (int k = 0; k < LP_SLOTS; k++)
		if (c->slot_skb[k] == key) {
			i = k; /* the address came back before its last point */
			break;
		}
	if (i == c->slot_next % LP_SLOTS)
		c->slot_next++;
	if (c->slot_skb[i])
		count(c, LC_REUSED);
	c->slot_skb[i] = key;
	return &c->slot[i];
}

static __always_inline int flight_del(struct lp_cpu *c, __u64 key)
{
	int i = flight_find(c, key);

	if (i < 0)
		return -1;
	c->slot_skb[i & (LP_SLOTS - 1)] = 0;
	return 0;
}

static __always_inline void hist_add(struct lp_cpu *c, __u32 stat, __u64 from, __u64 to)
{
	struct lp_hist *h;
	__u64 ns, b, v, s;

	if (!from || to < from || stat >= LS_STATS)
		return;
	h = &c->hist[stat];
	ns = to - from;
	/* b = floor(log2(ns - 1)) + 1 in six steps without a branch, 0 for 0 and 1 ns: bucket
	 * b holds (2^(b-1), 2^b], so its upper bound is a power of two and inclusive, as a
	 * Prometheus bucket's le is. At each step x < 2^2k, so (x + 2^k - 1) >> k is 1 when
	 * x >> k is not 0. */
	v = ns ? ns - 1 : 0;
	b = ((v >> 32) + 0xffffffffull) >> 32 << 5;
	v >>= b;
	s = ((v >> 16) + 0xffff) >> 16 << 4; v >>= s; b += s;
	s = ((v >> 8) + 0xff) >> 8 << 3; v >>= s; b += s;
	s = ((v >> 4) + 0xf) >> 4 << 2; v >>= s; b += s;
	s = ((v >> 2) + 0x3) >> 2 << 1; v >>= s; b += s;
	s = ((v >> 1) + 0x1) >> 1; v >>= s; b += s;
	b += v; /* v is now 0 or 1 */
	if (b >= LP_BUCKETS)
		b = LP_BUCKETS - 1;
	if (!h->count || ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->count++;
	h->sum_ns += ns;
	h->bucket[b]++;
}

/* The stages between consecutive points that were both seen, from point lo up to point hi
 * (at[] holds hi + 1 points at least). */
static __always_inline void stages_add(struct lp_cpu *c, const __u64 *at, int lo, int hi)
{
	for (int p = 0; p < LP_POINTS - 1; p++)
		if (p >= lo && p < hi)
			hist_add(c, p, at[p], at[p + 1]);
}

static __always_inline bool is_loopback(const struct net_device *dev)
{
	return dev && (dev->flags & IFF_LOOPBACK);
}

/* veth's rtnl_link_ops, learned from the first veth device seen (its kind string read once) */
__u64 veth_ops;

/* A device whose transmit comes straight back in on this host: loopback, veth. */
static __always_inline bool loops_back(const struct net_device *dev)
{
	char kind[8] = {};
	const struct rtnl_link_ops *ops;

	if (is_loopback(dev))
		return true;
	ops = dev->rtnl_link_ops;
	if (!ops)
		return false;
	if ((__u64)ops == veth_ops)
		return true;
	if (bpf_probe_read_kernel_str(kind, sizeof(kind), ops->kind) < 0)
		return false;
	if (kind[0] == 'v' && kind[1] == 'e' && kind[2] == 't' && kind[3] == 'h' && !kind[4]) {
		veth_ops = (__u64)ops;
		return true;
	}
	return false;
}

/*
 * The packet's protocol, ports and payload length from its headers: at nh, the network header.
 * False for anything but UDP and TCP with data (a bare ACK never reaches a reader), and for
 * what the filter leaves out (checked as soon as the ports are known). The headers are read
 * with plain loads (a read-only cast: a fault reads as 0), not a helper call each.
 */
static __always_inline bool parse(const struct sk_buff *skb, const unsigned char *nh,
				  struct flight *f)
{
	const __u8 *b = bpf_rdonly_cast(nh, 0), *th;
	__u16 l3 = bpf_ntohs(skb->protocol), tot, sport, dport;
	__u8 proto, hl;

	if (l3 == ETH_P_IP) {
		proto = b[9];
		hl = (b[0] & 0xf) * 4;
		tot = (__u16)b[2] << 8 | b[3];
		if (hl < 20 || tot < hl)
			return false;
		tot -= hl;
		th = b + hl;
	} else if (l3 == ETH_P_IPV6) {
		proto = b[6];
		tot = (__u16)b[4] << 8 | b[5];
		th = b + 40;
	} else {
		return false;
	}
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return false;
	if (filter.proto && proto != filter.proto)
		return false;
	sport = (__u16)th[0] << 8 | th[1];
	dport = (__u16)th[2] << 8 | th[3];
	if (filter.port && sport != filter.port && dport != filter.port)
		return false;
	f->proto = proto;
	f->sport = sport;
	f->dport = dport;
	if (proto == IPPROTO_UDP) {
		f->len = tot > 8 ? tot - 8 : 0;
	} else {
		__u8 doff = (th[12] >> 4) * 4;

		f->len = tot > doff ? tot - doff : 0;
		if (!f->len)
			return false;
	}
	return true;
}

/* The filter's device (its protocol and port were checked in parse()) */
static __always_inline bool wanted(const struct sk_buff *skb)
{
	if (filter.ifindex && (!skb->dev || skb->dev->ifindex != filter.ifindex))
		return false;
	return true;
}

static __always_inline void pid_sock_note(struct sock *sk)
{
	struct pending *p;

	if (sk && (p = bpf_sk_storage_get(&pendings, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE)))
		p->pid_sock = 1;
}

static __always_inline bool current_is_pid(void)
{
	return filter.tgid && (bpf_get_current_pid_tgid() >> 32) == filter.tgid;
}

/* --pid: sent by the process, from its own thread or later from its socket (TCP sends from
 * softirq context too, when an ACK opens the window) */
static __always_inline void pid_sender(struct flight *f, struct sock *sk)
{
	struct pending *p;

	if (current_is_pid()) {
		f->flags |= LPF_PID;
		pid_sock_note(sk);
	} else if (sk && (p = bpf_sk_storage_get(&pendings, sk, NULL, 0)) && p->pid_sock) {
		f->flags |= LPF_PID;
	}
}

/* A new flight at its first point, written in its slot; NULL when not wanted. */
static __always_inline struct flight *flight_start(struct lp_cpu *c, struct sk_buff *skb,
						   const unsigned char *nh, int point)
{
	struct flight p, *f;
	__u64 now;

	if (!parse(skb, nh, &p) || !wanted(skb))
		return NULL;
	now = bpf_ktime_get_ns(); /* after the filter: the traffic not watched pays no clock */
	f = flight_new(c, (__u64)skb);
	for (int i = 0; i <= LP_SOCK_READY; i++)
		f->at[i] = 0;
	f->at[point] = now;
	f->last_at = now;
	f->len = p.len;
	f->wire_len = skb->len;
	f->sport = p.sport;
	f->dport = p.dport;
	f->proto = p.proto;
	f->flags = 0;
	f->first = f->last = point;
	f->tx_cpu = bpf_get_smp_processor_id();
	if (point == LP_QDISC && filter.tgid)
		pid_sender(f, skb->sk);
	count(c, LC_SEEN);
	return f;
}

static __always_inline void emit(struct lp_cpu *c, const struct lp_record *rec)
{
	struct lp_record *out;

	if (!filter.packets)
		return;
	out = bpf_ringbuf_reserve(&records, sizeof(*out), 0);
	if (!out) {
		count(c, LC_RB_LOST);
		return;
	}
	__builtin_memcpy(out, rec, sizeof(*out));
	bpf_ringbuf_submit(out, 0);
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(live_queue, struct sk_buff *skb)
{
	struct lp_cpu *c = this_cpu();

	if (c)
		flight_start(c, skb, skb->head + skb->network_header, LP_QDISC);
	return 0;
}

/* A packet that leaves the host: its journey here ends at the driver. */
static __always_inline void left(struct lp_cpu *c, const struct flight *f, __u64 now)
{
	struct lp_record rec = {};

	hist_add(c, LS_QDISC, f->at[LP_QDISC], now);
	if (filter.tgid && !(f->flags & LPF_PID))
		return;
	hist_add(c, LS_TOTAL_TX, f->at[LP_QDISC], now);
	count(c, LC_DONE_TX);
	if (!filter.packets)
		return;
	rec.at[LP_QDISC] = f->at[LP_QDISC];
	rec.at[LP_XMIT] = now;
	rec.len = f->len;
	rec.wire_len = f->wire_len;
	rec.sport = f->sport;
	rec.dport = f->dport;
	rec.proto = f->proto;
	rec.kind = LK_TX;
	rec.flags = f->flags;
	rec.tx_cpu = f->tx_cpu;
	rec.rx_cpu = bpf_get_smp_processor_id();
	emit(c, &rec);
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(live_xmit, const struct sk_buff *skb, const struct net_device *dev)
{
	__u64 key = (__u64)skb, now;
	struct lp_cpu *c = this_cpu();
	struct flight *f;

	if (!c || !(f = flight_get(c, key)) || f->last != LP_QDISC)
		return 0;
	now = bpf_ktime_get_ns();
	f->at[LP_XMIT] = now;
	f->last = LP_XMIT;
	f->last_at = now;
	if (loops_back(dev))
		return 0;
	left(c, f, now);
	flight_del(c, key);
	return 0;
}

/* The receive side's first points: continue a flight sent here, or start one. */
static __always_inline struct flight *rx_point(struct lp_cpu *c, struct sk_buff *skb,
					       int point, int after)
{
	struct flight *f = flight_get(c, (__u64)skb);
	__u64 now;

	if (f && f->last <= after && f->last < point) {
		now = bpf_ktime_get_ns();
		if (now - f->last_at < STALE_NS) {
			f->at[point] = now;
			f->last = point;
			f->last_at = now;
			return f;
		}
	}
	/* a loopback packet not tracked at net_dev_queue was filtered out there */
	if (is_loopback(skb->dev))
		return NULL;
	return flight_start(c, skb, skb->data, point);
}

SEC("tp_btf/netif_rx")
int BPF_PROG(live_rx, struct sk_buff *skb)
{
	struct lp_cpu *c = this_cpu();

	if (c)
		rx_point(c, skb, LP_RX_QUEUE, LP_XMIT);
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(live_receive, struct sk_buff *skb)
{
	struct lp_cpu *c = this_cpu();

	/* the protocol delivers it to its socket in this softirq, on this CPU */
	if (c && rx_point(c, skb, LP_RX_SOFTIRQ, LP_RX_QUEUE)) {
		c->skb = (__u64)skb;
		c->skb_ctx = bpf_get_current_pid_tgid();
	}
	return 0;
}

/* Data older than this packet still unread: the next recv() returns that, not this one.
 * The socket as its protocol's own struct (read-only, plain loads where probe reads were). */
static __always_inline bool behind(const struct sock *sk, __u32 len)
{
	if (sk->sk_protocol == IPPROTO_UDP) {
		const struct udp_sock *up =
			bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct udp_sock));

		return sk->sk_receive_queue.qlen + up->reader_queue.qlen > 1;
	}
	if (sk->sk_protocol == IPPROTO_TCP) {
		const struct tcp_sock *tp =
			bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct tcp_sock));

		return tp->rcv_nxt - tp->copied_seq > len;
	}
	return true;
}

static __always_inline bool watched_sock(const struct sock *sk)
{
	__u16 fam = sk->__sk_common.skc_family;

	if ((fam != AF_INET && fam != AF_INET6) ||
	    (sk->sk_protocol != IPPROTO_UDP && sk->sk_protocol != IPPROTO_TCP))
		return false;
	if (filter.proto && sk->sk_protocol != filter.proto)
		return false;
	/* a listener is told of connections, not data */
	if (sk->__sk_common.skc_state == TCP_LISTEN && sk->sk_protocol == IPPROTO_TCP)
		return false;
	return !filter.port || sk->__sk_common.skc_num == filter.port ||
	       bpf_ntohs(sk->__sk_common.skc_dport) == filter.port;
}

/* The packet reached its socket: its skb stages end here; the socket side begins. */
static __always_inline void ready(struct lp_cpu *c, struct sock *sk, struct flight *f, __u64 now)
{
	struct pending *p = bpf_sk_storage_get(&pendings, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);

	/* --pid: a packet neither sent by the process nor queued on a socket it is known to
	 * use counts if the process reads it: decided at the recv() */
	bool known = !filter.tgid || (f->flags & LPF_PID) || (p && p->pid_sock);

	f->at[LP_SOCK_READY] = now;
	if (known)
		stages_add(c, f->at, f->first, LP_SOCK_READY);
	if (!p && !(p = bpf_sk_storage_get(&pendings, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE))) {
		count(c, LC_MAP_FULL);
		return;
	}
	if (p->waiting || behind(sk, f->len)) {
		if (known)
			count(c, LC_BEHIND);
		return;
	}
	for (int i = 0; i <= LP_SOCK_READY; i++)
		p->rec.at[i] = f->at[i];
	for (int i = LP_SOCK_READY + 1; i < LP_POINTS; i++)
		p->rec.at[i] = 0;
	p->rec.len = f->len;
	p->rec.wire_len = f->wire_len;
	p->rec.sport = f->sport;
	p->rec.dport = f->dport;
	p->rec.proto = f->proto;
	p->rec.kind = f->at[LP_QDISC] ? LK_LOCAL : LK_RX;
	p->rec.flags = f->flags | (known ? 0 : LPF_DEFERRED);
	p->rec.first = f->first;
	p->rec.tx_cpu = f->tx_cpu;
	p->waiting = 1;
	c->ready_sk = (__u64)sk;
	c->ready_at = now;
	c->ready_ctx = c->skb_ctx; /* this context's, as live_ready checked */
}

SEC("tp_btf/sk_data_ready")
int BPF_PROG(live_ready, struct sock *sk)
{
	struct lp_cpu *c = this_cpu();
	struct flight *f;
	__u64 key;

	if (!c)
		return 0;
	key = c->skb;
	f = key ? flight_get(c, key) : NULL;
	/* the socket's port is the packet's (an IPv6 socket may take IPv4 packets too), and
	 * the softirq that delivers it is still running: a TCP segment the socket's owner
	 * takes from its backlog later (release_sock) is told in another task's context */
	if (f && f->last == LP_RX_SOFTIRQ && f->dport == sk->__sk_common.skc_num &&
	    c->skb_ctx == bpf_get_current_pid_tgid()) {
		c->skb = 0;
		ready(c, sk, f, bpf_ktime_get_ns());
		flight_del(c, key);
	} else if (watched_sock(sk)) {
		count(c, LC_READY_UNMATCHED);
	}
	return 0;
}

/* The task the socket just told of data wakes: its reader. The wake-up belongs to that
 * sk_data_ready when it comes from the same context with no switch in between (the
 * socket's wake_up calls try_to_wake_up at once): no clock read needed. */
SEC("tp_btf/sched_waking")
int BPF_PROG(live_waking, struct task_struct *p)
{
	struct lp_cpu *c = this_cpu();
	struct waker *w;

	if (!c || !c->ready_sk)
		return 0;
	if (c->ready_ctx == bpf_get_current_pid_tgid() && (w = waker_slot(p->pid))) {
		/* another reader of this slot still waits for its recv() (a second before is
		 * stale: that reader read some other way, or ended): its wake-up is lost, and
		 * said, since it will count as awake */
		if (w->sk && w->task != (__u64)p && c->ready_at - w->ready < STALE_NS)
			count(c, LC_WAKER_TAKEN);
		w->task = (__u64)p;
		w->sk = c->ready_sk;
		w->ready = c->ready_at;
		w->wakeup = w->on_cpu = 0;
	}
	c->ready_sk = 0;
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(live_wakeup, struct task_struct *p)
{
	struct waker *w = waker_slot(p->pid);

	if (w && w->task == (__u64)p && w->sk && !w->wakeup)
		w->wakeup = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(live_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct waker *w = waker_slot(next->pid);
	struct lp_cpu *c;

	if (w && w->task == (__u64)next && w->wakeup && !w->on_cpu)
		w->on_cpu = bpf_ktime_get_ns();
	/* a wake-up after this is not the socket's: its context is gone */
	if ((c = this_cpu()))
		c->ready_sk = 0;
	return 0;
}

/* The reader's own wake-up, or none: it was running or runnable when the data came. */
static __always_inline void reader_points(struct lp_cpu *c, struct lp_record *rec, __u64 skk)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct waker *w = waker_slot(task->pid);
	__u64 ready_at = rec->at[LP_SOCK_READY];

	if (w && w->task != (__u64)task)
		w = NULL;
	if (w && w->sk == skk && w->ready == ready_at && w->wakeup >= ready_at &&
	    w->on_cpu >= w->wakeup) {
		rec->at[LP_WAKEUP] = w->wakeup;
		rec->at[LP_ON_CPU] = w->on_cpu;
	} else {
		rec->at[LP_WAKEUP] = rec->at[LP_ON_CPU] = ready_at;
		rec->flags |= LPF_IMPLIED;
		count(c, LC_RUNNABLE);
	}
	if (w)
		w->sk = 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(live_recv, struct sock *sk, int ret, int flags)
{
	__u64 skk = (__u64)sk, now;
	struct lp_record *rec;
	struct pending *p;
	struct lp_cpu *c;

	/* a peek leaves the data for the next recv(); TCP's 0 is the end of the stream */
	if (ret < 0 || (flags & MSG_PEEK) || (ret == 0 && sk->sk_protocol == IPPROTO_TCP))
		return 0;
	if (current_is_pid())
		pid_sock_note(sk);
	p = bpf_sk_storage_get(&pendings, sk, NULL, 0);
	if (!p || !p->waiting) {
		if (watched_sock(sk) && (c = this_cpu()))
			count(c, LC_RECV_UNMATCHED);
		return 0;
	}
	now = bpf_ktime_get_ns();
	rec = &p->rec;
	c = this_cpu();
	if (c && (!filter.tgid || (rec->flags & LPF_PID) || current_is_pid())) {
		if (rec->flags & LPF_DEFERRED)
			stages_add(c, rec->at, rec->first, LP_SOCK_READY);
		reader_points(c, rec, skk);
		rec->at[LP_RECV_END] = now;
		rec->rx_cpu = bpf_get_smp_processor_id();
		stages_add(c, rec->at, LP_SOCK_READY, LP_RECV_END);
		hist_add(c, rec->kind == LK_LOCAL ? LS_TOTAL_LOCAL : LS_TOTAL_RX,
			 rec->at[rec->first & (LP_POINTS - 1)], now);
		count(c, rec->kind == LK_LOCAL ? LC_DONE_LOCAL : LC_DONE_RX);
		emit(c, rec);
	}
	p->waiting = 0;
	return 0;
}

/* A dropped packet's entry goes with it, before its address is reused. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(live_drop, struct sk_buff *skb)
{
	struct lp_cpu *c = this_cpu();

	if (c && !flight_del(c, (__u64)skb))
		count(c, LC_DROPPED);
	return 0;
}
