/* SPDX-License-Identifier: MIT */
/* fd_scan_int: what the parts of a snapshot (fd_read, fd_collect, fd_sockets, fd_scan)
 * share; not public API. */
#ifndef NIC2APP_FD_SCAN_INT_H
#define NIC2APP_FD_SCAN_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "nic2app/fd_scan.h"

#define OWN_FDS 5

/* A watcher's fdinfo files, left open between snapshots: a refresh preads each one instead
 * of opening and closing it, which is most of the cost of fdinfo. Slots are by fd number,
 * and each number belongs to one worker during a scan, so slots need no lock. */
struct fdinfo_cache {
	int *handles;       /* -1 when none */
	size_t size;
	atomic_size_t held;
	size_t most;        /* to stay well inside our own RLIMIT_NOFILE */
};

/* Make room for handles of fds below size (the fd table's size); none beyond a 4 MB array. */
int fdinfo_cache_fit(struct fdinfo_cache *c, size_t size);
#define LARGEST_CACHED_TABLE (1 << 20)
/* Close the handles of fds gone from s, or that no longer read fdinfo (now sockets). */
void fdinfo_cache_prune(struct fdinfo_cache *c, const struct fd_snapshot *s);
void fdinfo_cache_release(struct fdinfo_cache *c);

struct scan_dirs {
	int pid_dir;      /* /proc/PID */
	int fd_dir;       /* /proc/PID/fd */
	int info_dir;     /* /proc/PID/fdinfo */
	bool real_proc;   /* /proc itself, not a recorded tree: fd dirs may be seeked by fd number */
	int list_dir;     /* a scan of ourselves: the one handle it lists /proc/self/fd with
			   * (opened before the listing, so it is known), else -1 */
	int own[OWN_FDS]; /* a scan of ourselves leaves out the fds the scan opened */
	struct fdinfo_cache *cache; /* NULL for a one-off snapshot */
	const struct fd_snapshot *previous; /* a watcher's last snapshot, or NULL */
	bool no_fdinfo;   /* FD_SCAN_NO_FDINFO */
};

/* fd_snapshot_take, with a watcher's cache (or NULL). */
int fd_snapshot_take_cached(const char *proc_root, pid_t pid, unsigned int flags,
			    struct fdinfo_cache *cache, const struct fd_snapshot *previous,
			    struct fd_snapshot *out);

enum read_result { READ_OK, READ_VANISHED };

/* Read e->fd (link, stat for paths, fdinfo for non-sockets). READ_OK (possibly as an
 * FD_ERROR entry), READ_VANISHED when the fd closed meanwhile, or -ENOMEM. */
int fd_entry_read(const struct scan_dirs *d, struct fd_entry *e);
void fd_entry_release(struct fd_entry *e);
/* Order s->fds by fd number, as fd_snapshot_find expects. */
void fd_snapshot_sort(struct fd_snapshot *s);

/* List and read every fd of the process into s->fds (unsorted), spreading the work over
 * the CPUs when max_fds (the fd table's size) is large. */
int fd_entries_collect(const struct scan_dirs *d, unsigned int flags, long max_fds,
		       struct fd_snapshot *s);

/* The socket tables of other network namespaces, one each, dumped on first use
 * (fd_sock_netns). */
struct ns_table {
	uint64_t ino;
	struct sock_table table;
	int err;          /* why it could not be filled, or 0 */
};

struct netns_tables {
	struct ns_table *list;
	size_t count;
};

void netns_tables_release(struct netns_tables *n);
/*
 * Look for the socket fd e, which the table of its process's namespace (own_ino) lacks, in the
 * namespace it belongs to (pidfd_getfd + SIOCGSKNS on the process of pidfd, -1 for none; self:
 * the process is ours, so its fd is dup'ed where pidfd_getfd is missing). 1 with
 * *d filled (d->netns set) when found there; 0 when not: *checked says whether its namespace
 * could be asked (else *err is the -errno why); -ENOMEM.
 */
int sock_find_elsewhere(struct netns_tables *n, int pidfd, bool self, uint64_t own_ino,
			const struct fd_entry *e, struct sock_desc *d, bool *checked, int *err);

/*
 * The namespace of fd in the process of pidfd, if it still holds the socket inode: 0 with
 * *netns_fd open (the caller closes it) and *ino set; -errno when it cannot be asked (EPERM
 * without the right to ptrace the process, ENOSYS before 5.6); 1 when the fd holds another
 * file now. self: the process is ours, so its fd is dup'ed where pidfd_getfd is missing.
 */
int fd_socket_netns(int pidfd, bool self, int fd, uint64_t inode, int *netns_fd, uint64_t *ino);

/* The socket table of the target's namespace, filled on its own thread or in place. */
struct sock_job {
	int pid_dir;
	unsigned int flags;
	struct sock_table table;
	enum sock_source source;
	uint64_t netns_ino; /* the namespace the table shows, 0 when not known */
	int err;
	pthread_t thread;
	bool threaded;
};

void sock_job_start(struct sock_job *job, int pid_dir, unsigned int flags, bool threaded);
/* Wait for the table, attach it to every socket fd of s, drop the sockets that closed. Those
 * the table lacks are looked for in their own namespace through pidfd (-1: not). */
int sock_job_resolve(struct sock_job *job, int fd_dir, int pidfd, struct fd_snapshot *s);
void sock_job_release(struct sock_job *job);

#endif
