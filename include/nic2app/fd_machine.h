/* SPDX-License-Identifier: MIT */
/*
 * fd_machine: the fds of every process the caller may read (or of a chosen few), as one
 * snapshot per fd table: a process, and each of its threads that has a table of its own (made
 * without CLONE_FILES); threads sharing a table are read once. Two engines fill it: /proc
 * (fd_snapshot_take per process, then one socket table per network namespace) and the BPF
 * task_file iterator (fd_bpf.h). Then the filters of `nic2app fds` without a PID pick rows.
 */
#ifndef NIC2APP_FD_MACHINE_H
#define NIC2APP_FD_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nic2app/fd_render.h"
#include "nic2app/fd_scan.h"
#include "nic2app/sock_table.h"

#define FD_USER_MAX 33

struct fd_proc {
	struct fd_snapshot snap;  /* snap.pid: the process, or the thread with its own table */
	pid_t tgid;               /* the process (snap.pid for all but such threads) */
	uid_t uid;                /* effective uid */
	char user[FD_USER_MAX];   /* its name, or the number when it has none */
	int err;                  /* 0, or why the table could not be read (-EACCES): no fds */
};

/* Where a socket inode is held: which process and fd (the first one found). */
struct fd_holder {
	uint32_t inode;
	uint32_t proc;            /* index into procs */
	int fd;
};


struct fd_machine {
	struct fd_proc *procs;
	size_t count, cap;
	size_t unreadable;        /* tables that could not be read (err != 0) */
	size_t fds;               /* fds read, over every table */
	uint64_t elapsed_ns;
	enum fd_engine source;    /* FD_ENGINE_PROCFS or FD_ENGINE_BPF */
	/* the socket tables the entries' sock point into: one per network namespace */
	struct sock_table *tables;
	size_t ntables;
	struct fd_holder *holders; /* sorted by inode (fd_machine_index_holders) */
	size_t nholders;
	struct fd_tcp_infos *tcp_infos; /* what the entries' tcp point into, or NULL */
};

/* What to read: pids (NULL: every process in /proc); flags FD_SCAN_*. */
struct fd_machine_request {
	const pid_t *pids;
	size_t npids;
	bool no_sockets;          /* leave sockets unresolved (no filter or view needs them) */
	bool by_tid;              /* BPF: pids are tasks: read each one's table only (a thread's
				   * own, or the one it shares), not every table of its process */
};

/* Read with /proc. 0 or -errno (-ENOMEM; a process that cannot be read is an fd_proc with
 * err set, one that is gone is left out). */
int fd_machine_scan_procfs(const struct fd_machine_request *req, struct fd_machine *m);
void fd_machine_release(struct fd_machine *m);
/* fd_snapshot_add_tcp_info for every table read: 0 or -ENOMEM. */
int fd_machine_add_tcp_info(struct fd_machine *m);

/*
 * Read with the BPF task_file iterator (lib/bpf/fd_iter.c): one pass over every task, or the
 * tasks of req->pids (one pass each, with the iterator's pid filter). -EOPNOTSUPP when built
 * without BPF, -EPERM without CAP_BPF and CAP_PERFMON (or root), another -errno when the
 * kernel refuses the program; *why (may be NULL) then says what is missing, in words.
 */
int fd_machine_scan_bpf(const struct fd_machine_request *req, struct fd_machine *m,
			const char **why);

/*
 * From this many fd slots (FDSize in /proc/PID/status) on, the BPF engine reads a table faster
 * than /proc, its ~6 ms load included (--engine auto, a watcher's refreshes). Measured with
 * scripts/bench_fds_engines.py (make bench; 15 rounds, medians, wall, whole runs, on this
 * 2-vCPU VM shared with other builds): the fixed cost is the kernel verifying and relocating
 * the program (the light skeleton reads no BTF in user space, where libbpf's parse of vmlinux
 * BTF cost ~25 ms); a 3-fd process took 7.5 ms by BPF and 1.5 ms by /proc; at FDSize 256 the
 * two are even (50 fds: 7.9 vs 7.6 ms; 200: 8.5 vs 9.0: /proc dumps the namespace's sockets
 * as soon as there is one socket); from FDSize 512 on BPF wins (500 fds: 9.4 vs 11.9 ms;
 * 2,000: 13.6 vs 15.4; 15,000: 52 vs 74).
 */
#define FD_BPF_WORTH_SLOTS 512
/* FDSize of pid (its fd table's slots), 0 when it cannot be read. */
long fd_table_slots(pid_t pid);

/* The BPF iterator loaded once for many passes (a watcher refreshing every second): 0, or
 * -errno with *why as fd_machine_scan_bpf. */
struct fd_bpf;
int fd_bpf_open(struct fd_bpf **out, const char **why);
void fd_bpf_close(struct fd_bpf *b);
/* fd_machine_scan_bpf and fd_snapshot_take_bpf with a loaded iterator (elapsed_ns: the pass,
 * without the load). */
int fd_bpf_scan(struct fd_bpf *b, const struct fd_machine_request *req, struct fd_machine *m);
int fd_bpf_snapshot(struct fd_bpf *b, pid_t pid, struct fd_snapshot *out);

/*
 * One fd table by the BPF iterator (its tid filter): the one-process form of `nic2app fds PID`
 * with --engine bpf. Fills out as fd_snapshot_take does (engine FD_ENGINE_BPF); a scan of
 * ourselves leaves out the BPF objects the scan itself holds. -ESRCH when pid does not exist,
 * else as fd_machine_scan_bpf.
 */
int fd_snapshot_take_bpf(pid_t pid, struct fd_snapshot *out, const char **why);

/* Append an empty fd_proc (zeroed, err 0), or NULL when out of memory. */
struct fd_proc *fd_machine_add(struct fd_machine *m);
/* The user name of uid into buf (the number when it has none). */
void fd_user_name(uid_t uid, char *buf, size_t size);
/* unix_diag names a socket's peer by inode only: give each such socket its peer's own name
 * as remote (what getpeername() returns). */
void sock_table_name_unix_peers(struct sock_table *t);
/* Build the socket-inode index (holders), for fd_machine_holder(). 0 or -ENOMEM. */
int fd_machine_index_holders(struct fd_machine *m);
/* Who holds socket inode, other than (proc, fd) itself; NULL when no one we read. */
const struct fd_holder *fd_machine_holder(const struct fd_machine *m, uint32_t inode,
					  size_t proc, int fd);

/*
 * The filters of `nic2app fds` without a PID; every one that is set must match (AND).
 * Process filters (pids, comm, uid) choose processes; fd filters (the rest) choose fds, and a
 * process is shown only when one of its fds matches them.
 */
struct fd_filter {
	const pid_t *pids;        /* NULL: any */
	size_t npids;
	const char *comm;         /* exact, as /proc/PID/comm (15 bytes at most) */
	bool has_uid;
	uid_t uid;
	unsigned int port;        /* 1..65535, local or remote, TCP or UDP; 0: any */
	bool listen;              /* TCP LISTEN, or an unconnected bound UDP socket */
	const char *state;        /* a socket state as sock_state_name() names it */
	const char *file;         /* an absolute path */
	bool file_under;          /* file ends in '/': anything under that directory */
	bool file_has_id;         /* file exists: match its device and inode too */
	uint64_t file_dev, file_ino;
	bool deleted;             /* deleted files still held open */
	fd_type_mask mask;        /* FD_TYPES_ALL: any */
};

void fd_filter_init(struct fd_filter *f);
bool fd_filter_has_fd_filters(const struct fd_filter *f);
bool fd_filter_wants_proc(const struct fd_filter *f, const struct fd_proc *p);
bool fd_filter_wants_fd(const struct fd_filter *f, const struct fd_entry *e);
/* A process shown: its process filters match, and one of its fds does (when fd filters are
 * set). */
bool fd_filter_shows_proc(const struct fd_filter *f, const struct fd_proc *p);
/* The port of "1.2.3.4:80" or "[::1]:80"; 0 when none. */
unsigned int sock_addr_port(const char *addr);
/* The state name as sock_state_name() writes it, for a name in any case; NULL when unknown. */
const char *sock_state_canonical(const char *name);

/* Rendering (fd_render_machine.c). colour: ANSI escapes. */
int fd_machine_json(struct strbuf *sb, const struct fd_machine *m, const struct fd_filter *f);
int fd_machine_tables_render(struct strbuf *sb, const struct fd_machine *m,
			     const struct fd_filter *f, bool colour);
int fd_machine_summary_render(struct strbuf *sb, const struct fd_machine *m,
			      const struct fd_filter *f, bool colour);
/* The rows the filter shows: fds (and processes). */
size_t fd_machine_count_shown(const struct fd_machine *m, const struct fd_filter *f,
			      size_t *procs);

#endif
