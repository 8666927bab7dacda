// SPDX-License-Identifier: MIT
/*
 * fd_iter: the BPF engine of fd_machine. It loads fd_iter.bpf.c (a task_file iterator),
 * reads its records in one pass (or one pass per process asked for, with the iterator's pid
 * filter) and turns them into the same fd_snapshot rows the /proc engine makes: what readlink,
 * stat and fdinfo would have said, and for sockets what sock_diag would have said, each from
 * the object itself. The few kinds whose fdinfo holds more (an eventfd's count, an epoll's
 * targets) still read that one file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/fd_machine.h"
#include "nic2app/names.h"
#include "nic2app/proc_pid.h"
#include "../fd/fd_scan_int.h"

#ifdef NIC2APP_NO_BPF

int fd_bpf_open(struct fd_bpf **out, const char **why)
{
	*out = NULL;
	if (why)
		*why = "this nic2app was built without BPF (clang, bpftool, libbpf or the kernel's BTF "
		       "was missing at build time)";
	return -EOPNOTSUPP;
}

void fd_bpf_close(struct fd_bpf *b)
{
	(void)b;
}

int fd_bpf_scan(struct fd_bpf *b, const struct fd_machine_request *req, struct fd_machine *m)
{
	(void)b;
	(void)req;
	memset(m, 0, sizeof(*m));
	return -EOPNOTSUPP;
}

#else

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../sock/sock_diag_int.h"
#include "fd_iter.h"
#include "fd_iter.lskel.h"

/* the kernel's dev_t: 12 bits of major above 20 bits of minor */
static uint64_t kernel_dev(uint32_t dev)
{
	return makedev(dev >> 20, dev & 0xfffff);
}

static const char *inet_proto(const struct fd_rec *r)
{
	if (r->type == SOCK_RAW)
		return "raw";
	if (r->protocol == IPPROTO_ICMP || r->protocol == IPPROTO_ICMPV6)
		return "icmp";
	if (r->protocol == IPPROTO_UDPLITE)
		return "udplite";
	return ipproto_name(r->protocol);
}

/* The sock_desc the /proc engine would build from sock_diag (or its fallbacks). Returns
 * true when sock_diag would not have listed it (the fallback's naming is used). */
static bool sock_desc_from_rec(const struct fd_rec *r, const char *addr, struct sock_desc *d)
{
	char buf[32];

	memset(d, 0, sizeof(*d));
	if (r->family == AF_INET || r->family == AF_INET6) {
		struct inet_sock s = { .family = r->family, .protocol = r->protocol,
				       .state = r->state, .sport = r->sport, .dport = r->dport,
				       .inode = (uint32_t)r->ino, .rqueue = r->rqueue,
				       .wqueue = r->wqueue, .ifindex = r->bound_if,
				       .v6only = r->family == AF_INET6 ? (int)r->v6only : -1,
				       .from_diag = true };

		memcpy(&s.src, r->src, sizeof(s.src));
		memcpy(&s.dst, r->dst, sizeof(s.dst));
		sock_desc_from_inet(&s, inet_proto(r), -1, d);
		/* never bound nor connected: inet_diag does not list it, so the /proc engine
		 * names it by protocol only */
		if (r->sport == 0 && r->dport == 0 && r->type != SOCK_RAW && r->state == 7) {
			d->local[0] = '\0';
			d->known = 0;
			d->recv_q = d->send_q = 0;
			return true;
		}
		return false;
	}
	d->inode = (uint32_t)r->ino;
	d->family = r->family;
	if (r->family == AF_UNIX) {
		snprintf(d->proto, sizeof(d->proto), "%s", socktype_name(r->type));
		snprintf(d->state, sizeof(d->state), "%s", sock_state_name(r->state, false));
		unix_name_format(addr, r->addr_len, d->local, sizeof(d->local));
		d->peer_inode = r->peer_ino;
		d->known = SOCK_KNOWN_QUEUES | SOCK_KNOWN_REMOTE;
	} else if (r->family == AF_NETLINK) {
		if (!r->unix_bound)
			return true; /* netlink_diag lists bound sockets only */
		snprintf(d->proto, sizeof(d->proto), "%s",
			 netlink_protocol_name(r->protocol, buf, sizeof(buf)));
		if (r->nl_portid)
			snprintf(d->local, sizeof(d->local), "%u", r->nl_portid);
		if (r->nl_connected) {
			snprintf(d->state, sizeof(d->state), "ESTABLISHED");
			snprintf(d->remote, sizeof(d->remote), "%u", r->nl_dst_portid);
		} else {
			snprintf(d->state, sizeof(d->state), "UNCONN");
		}
		d->known = SOCK_KNOWN_QUEUES | SOCK_KNOWN_REMOTE;
	} else if (r->family == AF_PACKET) {
		snprintf(d->proto, sizeof(d->proto), "%s", socktype_name(r->type));
		snprintf(d->state, sizeof(d->state), "UNCONN");
		sock_packet_local((unsigned int)r->ifindex, r->packet_proto, -1, d->local,
				  sizeof(d->local));
		d->known = SOCK_KNOWN_QUEUES | SOCK_KNOWN_REMOTE;
		d->recv_q = r->rqueue;
		return false;
	} else {
		return true;
	}
	d->recv_q = r->rqueue;
	d->send_q = r->wqueue;
	return false;
}

static bool has_fdinfo_detail(enum fd_type t)
{
	return t == FD_EVENTFD || t == FD_EPOLL || t == FD_TIMERFD || t == FD_SIGNALFD ||
	       t == FD_INOTIFY || t == FD_FANOTIFY || t == FD_PIDFD || t == FD_IO_URING;
}

/* The kinds whose fdinfo says more than the file does: read that one file. */
static void read_detail(pid_t tid, struct fd_entry *e)
{
	char path[64], *text = NULL;
	struct fdinfo info;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, e->fd);
	if (proc_read_all(AT_FDCWD, path, &text) < 0)
		return;
	if (fdinfo_parse(text, e->type, &info) == 0 && info.ino == e->info.ino) {
		memcpy(e->info.detail, info.detail, sizeof(info.detail));
		e->info.targets = info.targets;
		e->info.target_count = info.target_count;
		e->info.watch_count = info.watch_count;
	} else if (text) {
		fdinfo_release(&info);
	}
	free(text);
}

static int entry_from_rec(const struct fd_rec *r, const char *path, struct fd_entry *e)
{
	static const char deleted[] = " (deleted)";
	size_t len;

	memset(e, 0, sizeof(*e));
	e->fd = r->fd;
	if (r->name_kind != FD_REC_NAME_PATH) { /* named as its file system names it */
		char digits[24];
		const char *kind = r->name_kind == FD_REC_NAME_SOCKET ? "socket:[" : "pipe:[";
		size_t k = strlen(kind), n = sizeof(digits);
		uint64_t v = r->ino;

		/* by hand, not snprintf: two thirds of a big table are sockets and pipes */
		do {
			digits[--n] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		len = k + (sizeof(digits) - n) + 1;
		if ((e->name = malloc(len + 1))) {
			memcpy(e->name, kind, k);
			memcpy(e->name + k, digits + n, sizeof(digits) - n);
			memcpy(e->name + len - 1, "]", 2);
		}
		e->type = r->name_kind == FD_REC_NAME_SOCKET ? FD_SOCKET : FD_PIPE;
	} else {
		e->name = r->path_len ? strndup(path, r->path_len) : strdup("");
		len = e->name ? strlen(e->name) : 0;
		e->type = e->name ? fd_type_from_link(e->name, &e->inode) : FD_UNKNOWN;
	}
	if (!e->name)
		return -ENOMEM;
	/* a memfd's file was never linked: the kernel names it "(deleted)", and so is it */
	if (e->type == FD_MEMFD)
		e->deleted = len >= sizeof(deleted) - 1 &&
			     strcmp(e->name + len - (sizeof(deleted) - 1), deleted) == 0;
	if (e->type == FD_UNKNOWN && e->name[0] == '/') {
		e->type = fd_type_from_mode(r->mode);
		e->deleted = r->nlink == 0 && len >= sizeof(deleted) - 1 &&
			     strcmp(e->name + len - (sizeof(deleted) - 1), deleted) == 0;
		e->has_stat = true;
		e->size = (int64_t)r->size;
		e->dev = kernel_dev(S_ISCHR(r->mode) || S_ISBLK(r->mode) ? r->rdev : r->dev);
	}
	e->inode = r->ino;
	if (e->type != FD_SOCKET) {
		e->has_fdinfo = true;
		e->info.pos = r->pos;
		e->info.flags = (int)r->flags;
		e->info.ino = r->ino;
		e->info.has_ino = true;
		if (has_fdinfo_detail(e->type))
			read_detail((pid_t)r->tid, e);
	}
	return 0;
}

/* The user name of procs[i]: an earlier row's with the same uid, else looked up. */
static void user_of(struct fd_machine *m, size_t i)
{
	struct fd_proc *p = &m->procs[i];

	for (size_t k = 0; k < i; k++) {
		if (m->procs[k].uid == p->uid) {
			memcpy(p->user, m->procs[k].user, sizeof(p->user));
			return;
		}
	}
	fd_user_name(p->uid, p->user, sizeof(p->user));
}

static int add_entry(struct fd_snapshot *s, size_t *cap)
{
	if (s->count == *cap) {
		size_t grown_cap = *cap ? *cap * 2 : 16;
		struct fd_entry *grown = realloc(s->fds, grown_cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->fds = grown;
		*cap = grown_cap;
	}
	return 0;
}

struct parse_state {
	struct fd_machine *m;
	struct sock_table *sockets;
	struct fd_proc *cur;
	size_t cap;
	uint64_t time_ns;
	long allocated, max;
};

static void start_proc(struct parse_state *ps, const struct fd_rec *r, struct fd_proc *p)
{
	p->tgid = (pid_t)r->tgid;
	p->snap.pid = (pid_t)r->tid;
	p->uid = r->uid;
	memcpy(p->snap.comm, r->comm, FD_REC_COMM);
	p->snap.comm[FD_REC_COMM] = '\0';
	p->snap.time_ns = ps->time_ns;
	p->snap.socket_source = SOCK_SOURCE_BPF;
	p->snap.engine = FD_ENGINE_BPF;
	/* RLIM_INFINITY (~0) is "unlimited": -1 */
	p->snap.limit_soft = r->nofile_cur > LONG_MAX ? -1 : (long)r->nofile_cur;
	p->snap.limit_hard = r->nofile_max > LONG_MAX ? -1 : (long)r->nofile_max;
	p->snap.system_allocated = ps->allocated;
	p->snap.system_max = ps->max;
	ps->cur = p;
	ps->cap = 0;
}

static int parse_one(struct parse_state *ps, const struct fd_rec *r, const char *path,
		     const char *addr)
{
	struct fd_entry *e;
	int err;

	if (!ps->cur || ps->cur->snap.pid != (pid_t)r->tid || ps->cur->tgid != (pid_t)r->tgid) {
		struct fd_proc *p = fd_machine_add(ps->m);

		if (!p)
			return -ENOMEM;
		start_proc(ps, r, p);
	}
	if ((err = add_entry(&ps->cur->snap, &ps->cap)) < 0)
		return err;
	e = &ps->cur->snap.fds[ps->cur->snap.count];
	if ((err = entry_from_rec(r, path, e)) < 0)
		return err;
	ps->cur->snap.count++;
	ps->m->fds++;
	if (r->has_sock) {
		struct sock_desc d;

		ps->cur->snap.sockets_unresolved += sock_desc_from_rec(r, addr, &d);
		if ((err = sock_table_add(ps->sockets, &d)) < 0)
			return err;
	}
	return 0;
}

/* Parse the whole records at the start of buf; *used: the bytes they took (a record cut at
 * the end of a read waits for the next one). */
static int parse_records(struct parse_state *ps, const char *buf, size_t len, size_t *used)
{
	size_t off = 0;
	int r = 0;

	while (r == 0 && off + sizeof(struct fd_rec) <= len) {
		struct fd_rec rec;

		memcpy(&rec, buf + off, sizeof(rec));
		if (rec.magic != FD_REC_MAGIC)
			return -EBADMSG;
		if (off + sizeof(rec) + rec.path_len + rec.addr_len > len)
			break;
		r = parse_one(ps, &rec, buf + off + sizeof(rec), buf + off + sizeof(rec) + rec.path_len);
		off += sizeof(rec) + rec.path_len + rec.addr_len;
	}
	*used = off;
	return r;
}

/* Read the iterator's output and parse it as it comes: a buffer of 1 MiB, not one the size of
 * the whole output (4 MB for 15,000 fds, grown by copying and faulted in page by page). */
#define ITER_BUFFER (1u << 20)

static int read_iter(int link, struct parse_state *ps)
{
	char *buf = malloc(ITER_BUFFER);
	int fd = bpf_iter_create(link), r = 0;
	size_t held = 0, used;
	ssize_t n;

	if (fd < 0 || !buf) {
		r = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		n = read(fd, buf + held, ITER_BUFFER - held);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : held ? -EBADMSG : 0; /* a record cut at the end */
			break;
		}
		held += (size_t)n;
		if ((r = parse_records(ps, buf, held, &used)) < 0)
			break;
		memmove(buf, buf + used, held - used);
		held -= used;
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

/* One pass of the iterator: pid 0 for every task; by_tid: the one task pid, else the tasks of
 * process pid. */
static int run_pass(struct fd_iter_bpf *skel, pid_t pid, bool by_tid, struct parse_state *ps)
{
	union bpf_iter_link_info info;
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int link, r;

	memset(&info, 0, sizeof(info));
	if (pid) {
		if (by_tid)
			info.task.tid = (__u32)pid;
		else
			info.task.pid = (__u32)pid;
		opts.iter_info = &info;
		opts.iter_info_len = sizeof(info);
	}
	link = bpf_link_create(skel->progs.fd_iter.prog_fd, 0, BPF_TRACE_ITER, &opts);
	if (link < 0)
		return -errno;
	r = read_iter(link, ps);
	close(link);
	return r;
}

static const char *why_not(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return "loading a BPF program needs root (or CAP_BPF and CAP_PERFMON)";
	case -ENOSYS:
		return "this kernel has no bpf() system call";
	case -EINVAL:
	case -ENOENT:
	case -EOPNOTSUPP:
		return "this kernel refuses the task_file iterator program (BPF iterators, bpf_d_path "
		       "or BTF missing)";
	default:
		return "the BPF program could not be loaded";
	}
}

struct fd_bpf {
	struct fd_iter_bpf *skel;
};

int fd_bpf_open(struct fd_bpf **out, const char **why)
{
	struct fd_bpf *b = calloc(1, sizeof(*b));
	int r;

	*out = NULL;
	if (!b)
		return -ENOMEM;
	/* the light skeleton: the kernel relocates the program against its own BTF */
	b->skel = fd_iter_bpf__open();
	r = b->skel ? fd_iter_bpf__load(b->skel) : -ENOMEM;
	if (r < 0) {
		fd_bpf_close(b);
		if (why)
			*why = why_not(r);
		return r;
	}
	*out = b;
	return 0;
}

void fd_bpf_close(struct fd_bpf *b)
{
	if (!b)
		return;
	fd_iter_bpf__destroy(b->skel);
	free(b);
}

/* Point every socket fd at its entry in sockets, name the users, index the holders. */
static int finish_scan(struct fd_machine *m, struct sock_table *sockets)
{
	sock_table_name_unix_peers(sockets);
	for (size_t i = 0; i < m->count; i++) {
		struct fd_snapshot *s = &m->procs[i].snap;

		user_of(m, i);
		for (size_t k = 0; k < s->count; k++)
			if (s->fds[k].type == FD_SOCKET)
				s->fds[k].sock = sock_table_find(sockets, (uint32_t)s->fds[k].inode);
	}
	if (!(m->tables = malloc(sizeof(*m->tables))))
		return -ENOMEM;
	m->tables[0] = *sockets;
	m->ntables = 1;
	return fd_machine_index_holders(m);
}

int fd_bpf_scan(struct fd_bpf *b, const struct fd_machine_request *req, struct fd_machine *m)
{
	uint64_t start = monotonic_ns();
	struct sock_table sockets = SOCK_TABLE_INIT;
	struct parse_state ps = { .m = m, .sockets = &sockets, .allocated = -1, .max = -1 };
	struct timespec now;
	char text[256];
	int r = 0;

	memset(m, 0, sizeof(*m));
	m->source = FD_ENGINE_BPF;
	clock_gettime(CLOCK_REALTIME, &now);
	ps.time_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	if (proc_read_small(AT_FDCWD, "/proc/sys/fs/file-nr", text, sizeof(text)) > 0)
		file_nr_parse(text, &ps.allocated, &ps.max);
	if (req->pids) {
		for (size_t i = 0; i < req->npids && r == 0; i++)
			r = run_pass(b->skel, req->pids[i], req->by_tid, &ps);
	} else {
		r = run_pass(b->skel, 0, false, &ps);
	}
	if (r == 0)
		r = finish_scan(m, &sockets);
	m->elapsed_ns = monotonic_ns() - start;
	if (r < 0) {
		if (!m->ntables)
			sock_table_release(&sockets);
		fd_machine_release(m);
	}
	return r;
}

#endif

int fd_machine_scan_bpf(const struct fd_machine_request *req, struct fd_machine *m,
			const char **why)
{
	uint64_t start = monotonic_ns();
	struct fd_bpf *b;
	int r = fd_bpf_open(&b, why);

	if (r < 0) {
		memset(m, 0, sizeof(*m));
		return r;
	}
	r = fd_bpf_scan(b, req, m);
	fd_bpf_close(b);
	if (r < 0 && why)
		*why = "the BPF iterator's output could not be read";
	if (r == 0)
		m->elapsed_ns = monotonic_ns() - start; /* the load included */
	return r;
}
