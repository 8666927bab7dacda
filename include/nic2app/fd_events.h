/* SPDX-License-Identifier: MIT */
/*
 * fd_events: exact fd events of one process, from its system calls. BPF programs on the
 * sys_enter and sys_exit tracepoints (lib/bpf/fd_events.bpf.c), filtered in the kernel by
 * the process's tgid, report every fd that open, openat, openat2, creat, socket, socketpair,
 * accept, accept4, pipe, pipe2, dup, dup2, dup3, fcntl(F_DUPFD*), eventfd, epoll_create,
 * timerfd_create, signalfd, inotify_init, fanotify_init, memfd_create, pidfd_open,
 * pidfd_getfd, io_uring_setup (and a few more) created, that close closed or that dup2/dup3
 * replaced, through a ring buffer, in order, with a CLOCK_MONOTONIC time in ns. What no such
 * call does (close_range, exec closing O_CLOEXEC fds, fds received by SCM_RIGHTS or installed
 * by io_uring, exit) is not seen here: fd_event_stream (below) finds those with snapshots.
 *
 * Needs CAP_BPF and CAP_PERFMON (or root), BTF and a build with BPF (not NIC2APP_NO_BPF).
 */
#ifndef NIC2APP_FD_EVENTS_H
#define NIC2APP_FD_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nic2app/fd_diff.h"
#include "nic2app/fd_scan.h"

enum fd_event_action {
	FD_EVENT_OPEN,     /* a new fd number (or a number an unseen close freed) */
	FD_EVENT_CLOSE,
	FD_EVENT_REPLACE,  /* dup2/dup3 made fd a copy of other_fd, closing what it held */
};

/* One record, as the system call left the fd. */
struct fd_event {
	uint64_t time_ns;          /* CLOCK_MONOTONIC, when the system call returned (a close:
				    * when it entered, before its number could be reused) */
	enum fd_event_action action;
	int fd;
	int other_fd;              /* dup*: the fd copied; pipe, socketpair: the other end; -1 */
	pid_t tid;                 /* the thread that made the call */
	const char *syscall;       /* "openat", "close"... (static) */
	/* what fd held when the call returned (a close: what it closed) */
	uint64_t inode;
	int64_t pos;
	unsigned int mode;         /* st_mode */
	unsigned int flags;        /* O_* (with O_CLOEXEC) */
	uint32_t fs_magic;         /* the file system (pipefs, sockfs, anon_inodefs...) */
	int family, sock_type, protocol, state; /* sockets; state as the kernel's TCP_* */
	uint8_t src[16], dst[16];  /* inet addresses (AF_INET: 4 bytes) */
	uint16_t sport, dport;
	uint32_t peer_inode;       /* unix: the peer's inode */
	size_t name_len;
	char name[128];            /* the path as passed (open family), a unix socket's address
				    * (a leading NUL for an abstract one), else the file's own name
				    * ("[eventfd]", "memfd:x"); not NUL-terminated for unix names */
};

struct fd_events;

/*
 * Load and attach the program for process pid (a tgid). Returns 0, -EOPNOTSUPP when built
 * without BPF, -EPERM/-EACCES without the privilege, -ENOENT/-EINVAL when the kernel lacks
 * BTF, tp_btf or ring buffers, or -errno of the failing step. *why names that step.
 */
int fd_events_open(pid_t pid, struct fd_events **out, const char **why);
/* An fd to poll for POLLIN: records are waiting (wakeups are batched: poll with a timeout). */
int fd_events_fd(const struct fd_events *ev);
/* Move every record waiting in the ring buffer to the queue next() reads. Count or -errno. */
int fd_events_drain(struct fd_events *ev);
/* The next record of the queue, in the order the calls returned: 1, or 0 when empty. */
int fd_events_next(struct fd_events *ev, struct fd_event *out);
/* Records the ring buffer had no room for, since open (summed over the CPUs). */
int fd_events_lost(const struct fd_events *ev, uint64_t *lost);
/* Detach and unload: nothing is left in the kernel after it. */
void fd_events_close(struct fd_events *ev);

/*
 * fd_event_stream: the events of one process as the fd table saw them. Every record from the
 * system calls becomes an open, close or change of an fd object (what the fd is: type, inode,
 * name, flags, socket), read the way a snapshot reads it (from /proc, once per fd still open
 * when its batch is read) or, when the fd was closed or replaced before it could be read,
 * from what the system call saw (then `gone`). snapshot() compares a new snapshot with the
 * table the events built and reports what the calls did not show, as source snapshot.
 */
struct fd_event_stream;

struct fd_report {
	uint64_t time_ns;          /* CLOCK_REALTIME (a snapshot's time, as fd_snapshot's) */
	bool lost;                 /* a count of lost records: only count is set */
	uint64_t count;
	enum fd_change change;
	bool from_syscall;         /* false: found by a snapshot */
	const char *syscall;       /* the call, when from_syscall */
	pid_t tid;
	const struct fd_entry *before; /* NULL for an open (or when not known) */
	const struct fd_entry *after;  /* NULL for a close */
	bool gone;                 /* after is what the call saw: the fd did not last until read */
};

typedef int (*fd_report_fn)(const struct fd_report *r, void *ctx);

/* Start: load the program, then take the first snapshot (the table events start from).
 * Errors as fd_events_open (with *why), or fd_snapshot_take's. */
int fd_event_stream_open(pid_t pid, struct fd_event_stream **out, const char **why);
int fd_event_stream_fd(const struct fd_event_stream *st);
/* The first snapshot (fds open at the start). */
const struct fd_snapshot *fd_event_stream_first(const struct fd_event_stream *st);
/* Report what the ring buffer holds, in order, and new losses. fn's non-zero return stops. */
int fd_event_stream_drain(struct fd_event_stream *st, fd_report_fn fn, void *ctx);
/* Drain, take a snapshot and report what the calls did not explain. -ESRCH once the process
 * has exited. */
int fd_event_stream_snapshot(struct fd_event_stream *st, fd_report_fn fn, void *ctx);
void fd_event_stream_free(struct fd_event_stream *st);

#endif
