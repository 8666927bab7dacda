// SPDX-License-Identifier: MIT
/*
 * fd_events: the loader of fd_events.bpf.c. It tells the program which process to watch and
 * what each system call of this architecture does to the fd table (numbers differ between
 * architectures, so the table is filled here, from <sys/syscall.h>), attaches it to sys_exit
 * and reads its ring buffer into a queue that fd_events_next() empties in order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "nic2app/fd_events.h"

#ifdef NIC2APP_NO_BPF

int fd_events_open(pid_t pid, struct fd_events **out, const char **why)
{
	(void)pid;
	*out = NULL;
	*why = "this nic2app was built without BPF";
	return -EOPNOTSUPP;
}
int fd_events_fd(const struct fd_events *ev) { (void)ev; return -1; }
int fd_events_drain(struct fd_events *ev) { (void)ev; return -EOPNOTSUPP; }
int fd_events_next(struct fd_events *ev, struct fd_event *out) { (void)ev; (void)out; return 0; }
int fd_events_lost(const struct fd_events *ev, uint64_t *lost) { (void)ev; *lost = 0; return 0; }
void fd_events_close(struct fd_events *ev) { (void)ev; }

#else

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <unistd.h>

#include "fd_events.h"
#include "fd_events.skel.h"

#define PROC_PID_INIT_INO 0xEFFFFFFCu /* the initial pid namespace's inode (linux/proc_ns.h) */
#define RING_BYTES (8u << 20)      /* 8 MiB: ~58,000 records, ~0.15 s at 200,000 fds/s */
#define WAKEUP_BYTES (256u << 10)  /* wake the reader for every 256 KiB, else it polls */

struct sys_desc {
	int nr;
	const char *name;
	enum fde_sys kind;
};

#define SYS(n, k) { SYS_##n, #n, FDE_SYS_##k }
static const struct sys_desc sys_table[] = {
#ifdef SYS_open
	SYS(open, OPEN_PATH),
#endif
#ifdef SYS_creat
	SYS(creat, OPEN_PATH),
#endif
	SYS(openat, OPENAT_PATH),
#ifdef SYS_openat2
	SYS(openat2, OPENAT_PATH),
#endif
	SYS(open_by_handle_at, NEWFD),
	SYS(socket, NEWFD),
	SYS(socketpair, SOCKETPAIR),
#ifdef SYS_accept
	SYS(accept, NEWFD),
#endif
	SYS(accept4, NEWFD),
#ifdef SYS_pipe
	SYS(pipe, PIPE),
#endif
	SYS(pipe2, PIPE),
	SYS(dup, NEWFD),
#ifdef SYS_dup2
	SYS(dup2, DUP2),
#endif
	SYS(dup3, DUP2),
	SYS(fcntl, FCNTL),
#ifdef SYS_eventfd
	SYS(eventfd, NEWFD),
#endif
	SYS(eventfd2, NEWFD),
#ifdef SYS_epoll_create
	SYS(epoll_create, NEWFD),
#endif
	SYS(epoll_create1, NEWFD),
	SYS(timerfd_create, NEWFD),
#ifdef SYS_signalfd
	SYS(signalfd, SIGNALFD),
#endif
	SYS(signalfd4, SIGNALFD),
#ifdef SYS_inotify_init
	SYS(inotify_init, NEWFD),
#endif
	SYS(inotify_init1, NEWFD),
	SYS(fanotify_init, NEWFD),
	SYS(memfd_create, NEWFD),
#ifdef SYS_memfd_secret
	SYS(memfd_secret, NEWFD),
#endif
	SYS(pidfd_open, NEWFD),
	SYS(pidfd_getfd, NEWFD),
	SYS(io_uring_setup, NEWFD),
	SYS(userfaultfd, NEWFD),
	SYS(perf_event_open, NEWFD),
	SYS(mq_open, NEWFD),
	SYS(open_tree, NEWFD),
	SYS(fsopen, NEWFD),
	SYS(fsmount, NEWFD),
	SYS(fspick, NEWFD),
	SYS(landlock_create_ruleset, NEWFD),
	SYS(close, CLOSE),
};
#undef SYS

struct fd_events {
	struct fd_events_bpf *skel;
	struct ring_buffer *rb;
	struct fde_rec *queue;     /* drained, not yet taken */
	size_t head, count, cap;
	const char *names[FDE_NR_MAX];
};

static int queue_rec(void *ctx, void *data, size_t size)
{
	struct fd_events *ev = ctx;

	if (size < sizeof(struct fde_rec))
		return 0;
	if (ev->count == ev->cap) {
		size_t cap = ev->cap ? ev->cap * 2 : 1024;
		struct fde_rec *q = realloc(ev->queue, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		ev->queue = q;
		ev->cap = cap;
	}
	memcpy(&ev->queue[ev->count++], data, sizeof(struct fde_rec));
	return 0;
}

static void set_kinds(struct fd_events *ev)
{
	for (size_t i = 0; i < sizeof(sys_table) / sizeof(sys_table[0]); i++) {
		int nr = sys_table[i].nr;

		if (nr < 0 || nr >= FDE_NR_MAX)
			continue;
		ev->skel->rodata->sys_kind[nr] = (__u8)sys_table[i].kind;
		ev->names[nr] = sys_table[i].name;
	}
}

static int fail(struct fd_events *ev, int err, const char *step, const char **why)
{
	*why = step;
	fd_events_close(ev);
	return err < 0 ? err : -EINVAL;
}

int fd_events_open(pid_t pid, struct fd_events **out, const char **why)
{
	struct fd_events *ev = calloc(1, sizeof(*ev));
	struct stat ns;
	int r;

	*out = NULL;
	*why = NULL;
	if (!ev)
		return -ENOMEM;
	libbpf_set_print(NULL); /* the library never prints: errors come back as -errno */
	ev->skel = fd_events_bpf__open();
	if (!ev->skel)
		return fail(ev, -errno, "cannot open the BPF object", why);
	ev->skel->rodata->target_tgid = (__u32)pid;
	/* in a container's pid namespace, pid is not what the kernel calls the process: the
	 * program asks for the pid in ours (bpf_get_ns_current_pid_tgid) */
	if (stat("/proc/self/ns/pid", &ns) == 0 && ns.st_ino != PROC_PID_INIT_INO) {
		ev->skel->rodata->in_pidns = true;
		ev->skel->rodata->pidns_dev = ns.st_dev;
		ev->skel->rodata->pidns_ino = ns.st_ino;
	}
	ev->skel->rodata->wakeup_bytes = WAKEUP_BYTES;
	set_kinds(ev);
	bpf_map__set_max_entries(ev->skel->maps.events, RING_BYTES);
	if ((r = fd_events_bpf__load(ev->skel)))
		return fail(ev, r, "cannot load the BPF program (tp_btf on sys_exit)", why);
	if ((r = fd_events_bpf__attach(ev->skel)))
		return fail(ev, r, "cannot attach the BPF program to sys_exit", why);
	ev->rb = ring_buffer__new(bpf_map__fd(ev->skel->maps.events), queue_rec, ev, NULL);
	if (!ev->rb)
		return fail(ev, -errno, "cannot map the BPF ring buffer", why);
	*out = ev;
	return 0;
}

int fd_events_fd(const struct fd_events *ev)
{
	return ring_buffer__epoll_fd(ev->rb);
}

int fd_events_drain(struct fd_events *ev)
{
	int r;

	if (ev->head == ev->count)
		ev->head = ev->count = 0;
	r = ring_buffer__consume(ev->rb);
	return r < 0 ? r : (int)(ev->count - ev->head);
}

int fd_events_next(struct fd_events *ev, struct fd_event *out)
{
	const struct fde_rec *r;

	if (ev->head == ev->count)
		return 0;
	r = &ev->queue[ev->head++];
	memset(out, 0, sizeof(*out));
	out->time_ns = r->time_ns;
	out->action = r->action == FDE_CLOSE ? FD_EVENT_CLOSE
		      : r->action == FDE_REPLACE ? FD_EVENT_REPLACE : FD_EVENT_OPEN;
	out->fd = r->fd;
	out->other_fd = r->other_fd;
	out->tid = (pid_t)r->tid;
	out->syscall = r->nr >= 0 && r->nr < FDE_NR_MAX && ev->names[r->nr] ? ev->names[r->nr] : "?";
	out->inode = r->ino;
	out->pos = r->pos;
	out->mode = r->mode;
	out->flags = r->flags;
	out->fs_magic = r->magic;
	out->family = r->family;
	out->sock_type = r->type;
	out->protocol = r->protocol;
	out->state = r->state;
	memcpy(out->src, r->src, sizeof(out->src));
	memcpy(out->dst, r->dst, sizeof(out->dst));
	out->sport = r->sport;
	out->dport = r->dport;
	out->peer_inode = r->peer_ino;
	out->name_len = r->name_len < sizeof(out->name) ? r->name_len : sizeof(out->name);
	memcpy(out->name, r->name, out->name_len);
	if (out->name_len < sizeof(out->name))
		out->name[out->name_len] = '\0';
	return 1;
}

int fd_events_lost(const struct fd_events *ev, uint64_t *lost)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 key = 0;
	__u64 *per_cpu;
	int r;

	*lost = 0;
	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	r = bpf_map_lookup_elem(bpf_map__fd(ev->skel->maps.lost), &key, per_cpu);
	if (r == 0)
		for (int i = 0; i < ncpu; i++)
			*lost += per_cpu[i];
	free(per_cpu);
	return r < 0 ? -errno : 0;
}

void fd_events_close(struct fd_events *ev)
{
	if (!ev)
		return;
	ring_buffer__free(ev->rb);
	fd_events_bpf__destroy(ev->skel);
	free(ev->queue);
	free(ev);
}

#endif
