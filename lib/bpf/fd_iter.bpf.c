// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fd_iter.bpf.c: a task_file iterator that writes one struct fd_rec per open file of every task
 * it visits (the kernel skips threads that share their leader's fd table), read by fd_iter.c.
 * What /proc shows through readlink, stat and fdinfo comes from the file itself here: the path
 * as d_path writes it (what readlink of /proc/PID/fd/N returns), the inode, offset and flags,
 * and for a socket what sock_diag would say, read from the socket (bpf_sock_from_file), in
 * whatever network namespace it lives.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fd_iter.h"

/* from the uapi headers, which vmlinux.h does not carry */
#define AF_UNIX 1
#define AF_INET 2
#define AF_NETLINK 16
#define AF_PACKET 17
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TCP_LISTEN 10
#define SOCK_STREAM 1
#define SOCK_SEQPACKET 5
#define O_CLOEXEC 02000000
#define NETLINK_CONNECTED 0x1
#define UNIX_SKBS_MAX 64
#define PIPEFS_MAGIC 0x50495045
#define RLIMIT_NOFILE 7

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* the record and the path are too big for the 512-byte stack */
struct scratch {
	struct fd_rec rec;
	char path[FD_REC_PATH_MAX];
	char addr[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* a kernel pointer made a typed pointer of another type (a sock as the tcp_sock it is): its
 * fields are then read by plain loads, which the verifier makes fault-safe, instead of a
 * bpf_probe_read_kernel() call each (that cost ~20% of a 15,000-fd pass) */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define AS(type, ptr) ((struct type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(struct type)))

static __always_inline bool close_on_exec(struct task_struct *task, __u32 fd)
{
	unsigned long *bits = task->files->fdt->close_on_exec;
	unsigned long word = 0;

	if (!bits || bpf_probe_read_kernel(&word, sizeof(word), bits + fd / 64))
		return false;
	return (word >> (fd % 64)) & 1;
}

/* sock_i_ino(): the inode of a sock's socket, 0 when it has none (not yet accepted) */
static __always_inline __u32 sock_ino(struct sock *sk)
{
	struct socket *so = sk ? sk->sk_socket : NULL;

	return so ? (__u32)AS(socket_alloc, so)->vfs_inode.i_ino : 0;
}

static __always_inline __u32 wmem_alloc(struct sock *sk)
{
	return (__u32)(sk->sk_wmem_alloc.refs.counter - 1);
}

static __always_inline __u32 rmem_alloc(struct sock *sk)
{
	return (__u32)sk->sk_backlog.rmem_alloc.counter;
}

static __always_inline void read_inet(struct sock *sk, struct fd_rec *r)
{
	/* sizes spelled out: one load per 4 bytes of an address */
	if (r->family == AF_INET) {
		*(__u32 *)r->src = sk->__sk_common.skc_rcv_saddr;
		*(__u32 *)r->dst = sk->__sk_common.skc_daddr;
	} else {
		__builtin_memcpy(r->src, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(r->dst, &sk->__sk_common.skc_v6_daddr, 16);
	}
	r->sport = sk->__sk_common.skc_num;
	r->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	/* what inet_diag reports as idiag_if and INET_DIAG_SKV6ONLY */
	r->bound_if = sk->__sk_common.skc_bound_dev_if;
	if (r->family == AF_INET6)
		r->v6only = BPF_CORE_READ_BITFIELD(&sk->__sk_common, skc_ipv6only);
	if (r->type == SOCK_STREAM && r->protocol == IPPROTO_TCP) {
		struct tcp_sock *tp = AS(tcp_sock, sk);

		if (r->state == TCP_LISTEN) {
			r->rqueue = sk->sk_ack_backlog;
			r->wqueue = sk->sk_max_ack_backlog;
		} else {
			int inq = (int)(tp->rcv_nxt - tp->copied_seq);

			r->rqueue = inq > 0 ? inq : 0;
			r->wqueue = tp->write_seq - tp->snd_una;
		}
	} else {
		struct udp_sock *up = AS(udp_sock, sk);

		r->rqueue = rmem_alloc(sk);
		if (r->protocol == 17 && bpf_core_field_exists(up->forward_deficit))
			r->rqueue -= up->forward_deficit;
		r->wqueue = wmem_alloc(sk);
	}
}

/* unix_inq_len(): a stream socket's unread bytes, a seqpacket's queued bytes, a datagram's
 * first datagram */
static __always_inline __u32 unix_inq(struct sock *sk, struct fd_rec *r)
{
	struct unix_sock *u = AS(unix_sock, sk);
	struct sk_buff *head = (void *)((char *)sk + bpf_core_field_offset(sk->sk_receive_queue));
	struct sk_buff *skb = BPF_CORE_READ(sk, sk_receive_queue.next);
	__u32 sum = 0;

	if (r->type == SOCK_STREAM && bpf_core_field_exists(u->inq_len))
		return u->inq_len;
	for (int i = 0; i < UNIX_SKBS_MAX && skb && skb != head; i++) {
		sum += BPF_CORE_READ(skb, len);
		if (r->type != SOCK_STREAM && r->type != SOCK_SEQPACKET)
			break;
		skb = BPF_CORE_READ(skb, next);
	}
	return sum;
}

static __always_inline void read_unix(struct sock *sk, struct fd_rec *r, char *addr)
{
	struct unix_sock *u = AS(unix_sock, sk);
	struct unix_address *a = u->addr;

	r->peer_ino = sock_ino(u->peer);
	if (r->state == TCP_LISTEN) {
		r->rqueue = sk->sk_receive_queue.qlen;
		r->wqueue = sk->sk_max_ack_backlog;
	} else {
		r->rqueue = unix_inq(sk, r);
		r->wqueue = wmem_alloc(sk);
	}
	if (a) {
		/* the name follows the unix_address header and sun_family */
		const char *name = (char *)a + bpf_core_type_size(struct unix_address) + 2;
		int raw = a->len - 2;
		__u32 len = raw > FD_REC_ADDR_MAX ? FD_REC_ADDR_MAX : raw > 0 ? raw : 0;

		r->unix_bound = 1;
		len &= 127; /* a bound the verifier sees; the buffer has 128 bytes */
		if (len > 0 && bpf_probe_read_kernel(addr, len, name) == 0)
			r->addr_len = len;
	}
}

static __always_inline void read_socket(struct socket *so, struct fd_rec *r, char *addr)
{
	struct sock *sk = so->sk;

	if (!sk)
		return;
	r->has_sock = FD_REC_SOCK;
	r->family = sk->__sk_common.skc_family;
	r->type = sk->sk_type;
	r->protocol = sk->sk_protocol;
	r->state = sk->__sk_common.skc_state;
	r->netns = sk->__sk_common.skc_net.net->ns.inum;
	if (r->family == AF_INET || r->family == AF_INET6) {
		read_inet(sk, r);
	} else if (r->family == AF_UNIX) {
		read_unix(sk, r, addr);
	} else if (r->family == AF_NETLINK) {
		struct netlink_sock *nl = AS(netlink_sock, sk);

		r->nl_portid = nl->portid;
		r->nl_dst_portid = nl->dst_portid;
		r->nl_connected = r->state == NETLINK_CONNECTED;
		r->unix_bound = nl->bound;
		r->rqueue = rmem_alloc(sk);
		r->wqueue = wmem_alloc(sk);
	} else if (r->family == AF_PACKET) {
		struct packet_sock *po = AS(packet_sock, sk);

		r->ifindex = po->ifindex;
		r->packet_proto = bpf_ntohs(po->num);
		r->rqueue = rmem_alloc(sk);
	}
}

SEC("iter/task_file")
int fd_iter(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct scratch *s;
	struct fd_rec *r;
	struct inode *inode;
	struct socket *so;
	__u32 zero = 0, path_len, addr_len;
	long len;

	if (!task || !file)
		return 0;
	s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!s)
		return 0;
	r = &s->rec;
	__builtin_memset(r, 0, sizeof(*r));
	r->magic = FD_REC_MAGIC;
	r->tgid = task->tgid;
	r->tid = task->pid;
	r->fd = (__s32)ctx->fd;
	r->uid = task->cred->euid.val;
	r->nofile_cur = task->signal->rlim[RLIMIT_NOFILE].rlim_cur;
	r->nofile_max = task->signal->rlim[RLIMIT_NOFILE].rlim_max;
	__builtin_memcpy(r->comm, task->comm, FD_REC_COMM);
	inode = file->f_inode;
	r->mode = inode->i_mode;
	r->ino = inode->i_ino;
	r->size = inode->i_size;
	r->nlink = inode->__i_nlink;
	r->dev = inode->i_sb->s_dev;
	r->rdev = inode->i_rdev;
	r->pos = file->f_pos;
	r->flags = file->f_flags;
	if (close_on_exec(task, ctx->fd))
		r->flags |= O_CLOEXEC;
	so = bpf_sock_from_file(file);
	if (so)
		read_socket(so, r, s->addr);
	/* a socket's or a pipe's name is "socket:[INODE]" or "pipe:[INODE]" (sockfs_dname,
	 * pipefs_dname): the reader writes it, d_path's formatting is a third of a pass */
	if (so)
		r->name_kind = FD_REC_NAME_SOCKET;
	else if (inode->i_sb->s_magic == PIPEFS_MAGIC)
		r->name_kind = FD_REC_NAME_PIPE;
	len = r->name_kind ? 0 : bpf_d_path((struct path *)&file->f_path, s->path, sizeof(s->path));
	/* lengths the verifier can bound: 1..FD_REC_PATH_MAX, 1..128 */
	path_len = len > 0 && len <= FD_REC_PATH_MAX ? (((__u32)len - 1) & (FD_REC_PATH_MAX - 1)) + 1 : 0;
	addr_len = r->addr_len ? ((r->addr_len - 1) & 127) + 1 : 0;
	if (addr_len > FD_REC_ADDR_MAX)
		addr_len = 0;
	r->path_len = path_len;
	r->addr_len = addr_len;
	bpf_seq_write(seq, r, sizeof(*r));
	if (path_len)
		bpf_seq_write(seq, s->path, path_len);
	if (addr_len)
		bpf_seq_write(seq, s->addr, addr_len);
	return 0;
}
