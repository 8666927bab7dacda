/* SPDX-License-Identifier: MIT */
/*
 * fd_scan: one snapshot of one process's file descriptors, read from /proc/PID/fd (what each
 * fd points to), /proc/PID/fdinfo (offset, flags and per-kind details) and sock_diag (what
 * each socket is connected to), the way lsof and lsfd do, with one /proc lookup per socket.
 */
#ifndef NIC2APP_FD_SCAN_H
#define NIC2APP_FD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nic2app/sock_table.h"
#include "nic2app/tcp_info.h"

/* Who reads the fds: /proc (readlink, stat, fdinfo, sock_diag) or the BPF task_file iterator;
 * auto: the faster one that works (src/fds_engine.c). */
enum fd_engine { FD_ENGINE_AUTO, FD_ENGINE_PROCFS, FD_ENGINE_BPF };
const char *fd_engine_name(enum fd_engine e); /* "auto" "procfs" "bpf" */

/* The DESIGN.md `type` vocabulary, in that order. */
enum fd_type {
	FD_FILE, FD_DIR, FD_CHR, FD_BLK, FD_PIPE, FD_FIFO, FD_SOCKET,
	FD_EVENTFD, FD_EPOLL, FD_TIMERFD, FD_SIGNALFD, FD_INOTIFY, FD_FANOTIFY, FD_PIDFD,
	FD_IO_URING, FD_MEMFD, FD_ANON, FD_ERROR, FD_UNKNOWN,
	FD_TYPE_COUNT
};

const char *fd_type_name(enum fd_type type);
/* The type for a name from fd_type_name(), or -1. */
int fd_type_from_name(const char *name);

/* What /proc/PID/fdinfo/N says. */
struct fdinfo {
	int64_t pos;
	int flags;             /* O_* as the kernel stores them (octal in the file) */
	uint64_t ino;
	bool has_ino;
	char detail[96];       /* per kind: "count=5", "clock=CLOCK_MONOTONIC", "pid=1234"... */
	int *targets;          /* epoll: the fds it watches (malloc'd), else NULL */
	size_t target_count;
	size_t watch_count;    /* inotify: its watches; fanotify: its marks */
};

/* Parse the text of an fdinfo file for an fd of the given type. -EBADMSG without "pos:" and
 * "flags:" lines, -ENOMEM. */
int fdinfo_parse(const char *text, enum fd_type type, struct fdinfo *out);
void fdinfo_release(struct fdinfo *info);

/*
 * What the /proc/PID/fd/N link says about the type: "socket:[123]", "pipe:[123]",
 * "anon_inode:[eventfd]", "/memfd:x (deleted)". Returns FD_UNKNOWN for a path (the caller
 * must stat it) or an unrecognised text; *inode is set from "[N]" forms, else 0.
 */
enum fd_type fd_type_from_link(const char *link, uint64_t *inode);
/* file dir chr blk fifo socket for a stat mode; FD_UNKNOWN otherwise. */
enum fd_type fd_type_from_mode(unsigned int mode);

struct fd_entry {
	int fd;
	enum fd_type type;
	int err;               /* FD_ERROR: the errno that stopped the read */
	char *name;            /* the link text, malloc'd; NULL for FD_ERROR */
	uint64_t inode;
	bool deleted;          /* a path whose file has no links left */
	bool has_fdinfo;       /* sockets are described by sock_diag and skip fdinfo */
	char access[3];        /* FD_ERROR whose link the kernel refused: "r", "w" or "rw", the
				* mode it was opened with, from the link's permission bits */
	struct fdinfo info;
	const struct sock_desc *sock; /* sockets: what sock_diag said (in the snapshot's
				       * socket table), or NULL */
	bool has_stat;         /* paths: size and dev below come from a stat of the fd */
	int64_t size;          /* st_size */
	uint64_t dev;          /* st_dev, or st_rdev for a device file (as lsof's DEVICE) */
	bool tcp_asked;        /* a TCP socket whose tcp_info was asked for (--tcp-info) */
	const struct sock_tcp_info *tcp; /* what sock_diag said of it, or NULL (gone since) */
};

struct fd_snapshot {
	pid_t pid;                 /* the id asked for: a process, or one of its threads */
	pid_t tgid;                /* its process (Tgid in /proc/PID/status): pid unless a thread */
	int shares_table;          /* a thread: 1 when it uses its process's fd table, 0 when it
				    * has one of its own (unshare(CLONE_FILES)), -1 unknown */
	char comm[17];
	uint64_t time_ns;          /* CLOCK_REALTIME at the start of the scan */
	long limit_soft, limit_hard; /* RLIMIT_NOFILE of the target; -1 for unlimited */
	long system_allocated, system_max; /* /proc/sys/fs/file-nr */
	uint64_t elapsed_ns;       /* what the scan cost, wall clock */
	enum sock_source socket_source;
	size_t sockets_unresolved; /* socket fds no table listed, named by protocol only */
	size_t sockets_other_netns; /* found in the namespace they were made in, which is not
				     * the process's (it moved with setns() since) */
	size_t sockets_netns_unchecked; /* unresolved ones whose namespace could not be asked */
	int netns_err;             /* why (an errno), for the first of those */
	unsigned int denied;       /* FD_DENIED_*: what the kernel refused to show of the fds */
	struct fd_entry *fds;      /* sorted by fd */
	size_t count;
	struct sock_table sockets; /* what the entries' sock point into */
	struct fd_tcp_infos *tcp_infos; /* what the entries' tcp point into (fd_snapshot_add_tcp_info) */
	enum fd_engine engine;     /* which engine read it: FD_ENGINE_PROCFS or FD_ENGINE_BPF */
};

/* What the kernel may refuse even to root (a process with capabilities the caller lacks, in
 * another user namespace, or not dumpable): the fd numbers are listed all the same. */
#define FD_DENIED_LINKS  0x1 /* what the fds point to (/proc/PID/fd/N links): FD_ERROR rows */
#define FD_DENIED_FDINFO 0x2 /* /proc/PID/fdinfo: offsets, flags, per-kind details */

#define FD_SCAN_PROC_NET_ONLY 0x1 /* skip sock_diag (tests and the fallback path) */
#define FD_SCAN_NO_SOCKETS    0x2 /* do not resolve sockets at all */
#define FD_SCAN_ONE_THREAD    0x4 /* do not spread the reads over the CPUs */
#define FD_SCAN_NO_FDINFO     0x8 /* skip /proc/PID/fdinfo: no offsets, flags or per-kind
				     * details (has_fdinfo false), one read less per fd (the
				     * exporter counts types only) */

/*
 * Take a snapshot of pid under proc_root ("/proc", or a recorded tree in tests/data). Returns
 * 0, -ESRCH when the process is gone (before or during the scan), -EACCES/-EPERM when its fd
 * table may not even be listed, -ENOMEM. An fd that closes during the scan is left out; one
 * whose link or fdinfo cannot be read becomes an FD_ERROR entry (s->denied says when the
 * kernel refused them).
 */
int fd_snapshot_take(const char *proc_root, pid_t pid, unsigned int flags,
		     struct fd_snapshot *out);
void fd_snapshot_release(struct fd_snapshot *s);

/* The TCP internals (tcp_info.h) of every TCP socket of s, from sock_diag in the namespace each
 * socket lives in (its process's, or the one pidfd_getfd + SIOCGSKNS names): sets each such
 * entry's tcp_asked and tcp. 0 or -errno (-ENOMEM; a namespace that cannot be asked leaves its
 * sockets' tcp NULL). */
struct fd_tcp_infos;
int fd_snapshot_add_tcp_info(struct fd_snapshot *s);
void fd_tcp_infos_free(struct fd_tcp_infos *set);

/*
 * A watcher takes snapshot after snapshot of one process (--watch, --events) and keeps its
 * fdinfo files open in between, so that a refresh reads each one instead of opening and
 * closing it: about half the cost of a refresh of a big table. It holds at most a quarter of
 * our own fd limit; a process watching itself gets no such cache.
 */
struct fd_watcher;

int fd_watcher_open(const char *proc_root, pid_t pid, unsigned int flags,
		    struct fd_watcher **out);
/* Like fd_snapshot_take; -ESRCH once the process watched has exited. previous (the last
 * snapshot, or NULL) lets a pipe or a file whose inode fdinfo still shows at the same fd skip
 * its readlink or stat. */
int fd_watcher_take(struct fd_watcher *w, const struct fd_snapshot *previous,
		    struct fd_snapshot *out);
void fd_watcher_free(struct fd_watcher *w);

/* A pidfd for a process or, where the kernel allows (6.9+, PIDFD_THREAD), for one of its
 * threads by its id; -1 with errno set as pidfd_open sets it. */
int fd_pidfd_open(pid_t pid);

/* The entry for fd in a snapshot (binary search), or NULL. */
const struct fd_entry *fd_snapshot_find(const struct fd_snapshot *s, int fd);

#endif
