// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fd_events.bpf.c: exact fd events of one process, from its system calls. Two tp_btf programs
 * on the raw_syscalls tracepoints see every system call enter and return; they keep those of
 * the watched process (tgid, filtered here, in the kernel) that open, close or replace an fd,
 * read what the fd holds (inode, mode, flags, and for a socket what it is bound and connected
 * to) and write one struct fde_rec per fd to a ring buffer, read by fd_events.c.
 *
 * New fds are read at sys_exit: a system call's arguments are still in the saved user
 * registers when it returns (the return value is not written over them), so the array pipe()
 * filled and the path open() was given are at hand there. A close() is read at sys_enter,
 * before its number can be reused (see fd_events_enter).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "fd_events.h"

/* from the uapi headers, which vmlinux.h does not carry */
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define O_CLOEXEC 02000000
#define F_DUPFD 0
#define F_DUPFD_CLOEXEC 1030
#define EBADF 9

/* a record's room in the ring buffer: its 8-byte header, rounded up to 8 bytes */
#define REC_BYTES ((sizeof(struct fde_rec) + 8 + 7) / 8 * 8)

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* set by the loader before the program is loaded */
const volatile __u32 target_tgid;              /* as nic2app's pid namespace numbers it */
const volatile bool in_pidns;                  /* nic2app is not in the initial pid namespace: */
const volatile __u64 pidns_dev, pidns_ino;     /* then its namespace's /proc/self/ns/pid */
const volatile __u8 sys_kind[FDE_NR_MAX];      /* enum fde_sys, by syscall number */
const volatile __u64 wakeup_bytes = 65536;     /* wake the reader once this much waits */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);              /* the loader may change it */
} events SEC(".maps");

/* records that found the ring buffer full: counted, never dropped silently */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* sock_i_ino() of a sock, 0 when none */
static __always_inline __u32 sock_ino(struct sock *sk)
{
	struct socket *so = sk ? BPF_CORE_READ(sk, sk_socket) : NULL;
	struct socket_alloc *sa = (void *)so;

	return so ? (__u32)BPF_CORE_READ(sa, vfs_inode.i_ino) : 0;
}

static __always_inline void read_sock(struct file *f, struct fde_rec *r)
{
	struct socket *so = BPF_CORE_READ(f, private_data);
	struct sock *sk = so ? BPF_CORE_READ(so, sk) : NULL;
	struct unix_sock *u = (void *)sk;
	struct unix_address *a;
	__u64 len;
	long alen;

	if (!sk)
		return;
	r->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r->type = BPF_CORE_READ(sk, sk_type);
	r->protocol = BPF_CORE_READ(sk, sk_protocol);
	r->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (r->family == AF_INET || r->family == AF_INET6) {
		if (r->family == AF_INET) {
			BPF_CORE_READ_INTO(r->src, sk, __sk_common.skc_rcv_saddr);
			BPF_CORE_READ_INTO(r->dst, sk, __sk_common.skc_daddr);
		} else {
			BPF_CORE_READ_INTO(r->src, sk, __sk_common.skc_v6_rcv_saddr);
			BPF_CORE_READ_INTO(r->dst, sk, __sk_common.skc_v6_daddr);
		}
		r->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
		r->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		return;
	}
	if (r->family != AF_UNIX)
		return;
	r->peer_ino = sock_ino(BPF_CORE_READ(u, peer));
	a = BPF_CORE_READ(u, addr);
	if (!a)
		return;
	/* len counts sun_family (2 bytes) and the name; 64-bit values keep the verifier sure */
	alen = BPF_CORE_READ(a, len);
	if (alen <= 2)
		return;
	len = (__u64)alen - 2;
	if (len > FDE_NAME_MAX)
		len = FDE_NAME_MAX;
	if (bpf_probe_read_kernel(r->name, len, (char *)a + bpf_core_field_offset(a->name) + 2) == 0)
		r->name_len = len;
}

/* a kernel pointer read as a number, made a typed pointer again: its fields are then read by
 * plain loads (the verifier makes faults safe), much cheaper than a helper call each */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* What the fd now holds, read from the process's own table. */
static __always_inline bool read_file(int fd, struct fde_rec *r, bool name_set, bool brief)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file *f = NULL;
	struct inode *ino;
	unsigned long word;
	long n;

	if (!fdt || fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return false;
	if (bpf_probe_read_kernel(&f, sizeof(f), fdt->fd + fd) || !f)
		return false;
	f = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
	ino = f->f_inode;
	r->ino = ino->i_ino;
	r->mode = ino->i_mode;
	r->magic = (__u32)ino->i_sb->s_magic;
	r->flags = f->f_flags;
	r->pos = f->f_pos;
	if (bpf_probe_read_kernel(&word, sizeof(word), fdt->close_on_exec + fd / 64) == 0 &&
	    (word >> (fd % 64)) & 1)
		r->flags |= O_CLOEXEC;
	/* a close's record is read only when nic2app did not know the fd: the kind is enough */
	if (brief)
		return true;
	if ((r->mode & S_IFMT) == S_IFSOCK) {
		read_sock(f, r);
		return true;
	}
	if (name_set)
		return true;
	n = bpf_probe_read_kernel_str(r->name, sizeof(r->name), f->f_path.dentry->d_name.name);
	r->name_len = n > 0 ? n - 1 : 0;
	return true;
}

/* one function, called from every case (not inlined: the program stays small) */
static __noinline void emit(__s32 nr, __u32 action, int fd, int other_fd, const char *path)
{
	struct fde_rec *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	struct bpf_pidns_info ns;
	__u32 zero = 0;
	__u64 *n, avail;
	long len;

	if (!r) {
		n = bpf_map_lookup_elem(&lost, &zero);
		if (n)
			*n += 1;
		return;
	}
	/* the fixed fields; of name, only the name_len bytes set are ever read */
	__builtin_memset(r, 0, __builtin_offsetof(struct fde_rec, name));
	r->time_ns = bpf_ktime_get_ns();
	if (in_pidns && bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)) == 0)
		r->tid = ns.pid;
	else
		r->tid = (__u32)bpf_get_current_pid_tgid();
	r->nr = nr;
	r->action = action;
	r->fd = fd;
	r->other_fd = other_fd;
	if (path) {
		len = bpf_probe_read_user_str(r->name, sizeof(r->name), path);
		r->name_len = len > 0 ? len - 1 : 0;
	}
	/* a close is recorded as the call enters (what it closes), and only if the fd is open */
	if (!read_file(fd, r, path != NULL, action == FDE_CLOSE) && action == FDE_CLOSE) {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		return;
	}
	/* wake the reader once per wakeup_bytes of records waiting (when this record crosses
	 * a multiple), not for each: the reader also reads every 100 ms on its own */
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(r, avail / wakeup_bytes != (avail - REC_BYTES) / wakeup_bytes
				      ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/* pipe() and socketpair(): both fds, from the array the call filled */
static __always_inline void emit_pair(__s32 nr, const int *user_fds)
{
	int fds[2];

	if (bpf_probe_read_user(fds, sizeof(fds), user_fds))
		return;
	emit(nr, FDE_OPEN, fds[0], fds[1], NULL);
	emit(nr, FDE_OPEN, fds[1], fds[0], NULL);
}

/* The watched process (its tgid as nic2app's pid namespace numbers it)? */
static __always_inline bool watched(void)
{
	struct bpf_pidns_info ns;

	if (!in_pidns)
		return (__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid;
	/* fails for a process outside nic2app's namespace */
	return bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)) == 0 &&
	       ns.tgid == target_tgid;
}

/*
 * close() at its entry: once it returns, its fd number may already be another thread's new
 * fd, whose record could then come first. Recorded as it enters, the close always comes
 * before any reuse of the number (and says what it closes). Linux frees the fd whatever
 * close() then returns, but for EBADF (the fd was not open: no record).
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(fd_events_enter, struct pt_regs *regs, long id)
{
	__u64 idx = (__u64)id; /* unsigned and 64-bit: one bound the verifier follows */

	/* the call first: most are not close, and that test needs no helper call */
	if (idx >= FDE_NR_MAX || sys_kind[idx] != FDE_SYS_CLOSE || !watched())
		return 0;
	emit((__s32)id, FDE_CLOSE, (int)PT_REGS_PARM1_SYSCALL(regs), -1, NULL);
	return 0;
}

/* the system call's number, as syscall_get_nr() finds it */
static __always_inline __s32 syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return (__s32)regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	return (__s32)regs->syscallno;
#else
	return -1; /* not known here: no events, the snapshots still see every change */
#endif
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fd_events_exit, struct pt_regs *regs, long ret)
{
	__u64 idx;
	__s32 nr;
	__u8 kind;

	/* the call first (no helper call for the many that touch no fd), then the process */
	nr = syscall_nr(regs);
	idx = (__u64)(__u32)nr; /* unsigned and 64-bit: one bound the verifier follows */
	if (ret < 0 || idx >= FDE_NR_MAX)
		return 0;
	kind = sys_kind[idx];
	if (kind == FDE_SYS_NONE || kind == FDE_SYS_CLOSE || !watched())
		return 0;
	switch (kind) {
	case FDE_SYS_NEWFD:
		emit(nr, FDE_OPEN, (int)ret, -1, NULL);
		break;
	case FDE_SYS_OPEN_PATH:
		emit(nr, FDE_OPEN, (int)ret, -1, (const char *)PT_REGS_PARM1_SYSCALL(regs));
		break;
	case FDE_SYS_OPENAT_PATH:
		emit(nr, FDE_OPEN, (int)ret, -1, (const char *)PT_REGS_PARM2_SYSCALL(regs));
		break;
	case FDE_SYS_PIPE:
		emit_pair(nr, (const int *)PT_REGS_PARM1_SYSCALL(regs));
		break;
	case FDE_SYS_SOCKETPAIR:
		emit_pair(nr, (const int *)PT_REGS_PARM4_SYSCALL(regs));
		break;
	case FDE_SYS_DUP2: {
		int from = (int)PT_REGS_PARM1_SYSCALL(regs);

		if (from != (int)ret) /* dup2(fd, fd) changes nothing */
			emit(nr, FDE_REPLACE, (int)ret, from, NULL);
		break;
	}
	case FDE_SYS_FCNTL: {
		int cmd = (int)PT_REGS_PARM2_SYSCALL(regs);

		if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
			emit(nr, FDE_OPEN, (int)ret, (int)PT_REGS_PARM1_SYSCALL(regs), NULL);
		break;
	}
	case FDE_SYS_SIGNALFD:
		if ((int)PT_REGS_PARM1_SYSCALL(regs) == -1)
			emit(nr, FDE_OPEN, (int)ret, -1, NULL);
		break;
	}
	return 0;
}
