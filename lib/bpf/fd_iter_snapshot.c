// SPDX-License-Identifier: MIT
/*
 * fd_iter_snapshot: one fd table by the BPF iterator, as the fd_snapshot the /proc engine
 * makes (`nic2app fds PID --engine bpf`, and a watcher's refreshes): the iterator's tid filter
 * reads that task's table only, whether it is its own or its process's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/fd_machine.h"
#include "nic2app/proc_pid.h"
#include "../fd/fd_scan_int.h"

/* A process with no fd open has no record: its snapshot is its name and limits only. */
static int empty_snapshot(pid_t pid, struct fd_snapshot *out)
{
	char path[64], text[4096];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (proc_read_small(AT_FDCWD, path, out->comm, sizeof(out->comm)) < 0 && !out->comm[0])
		return -ESRCH;
	out->comm[strcspn(out->comm, "\n")] = '\0';
	out->limit_soft = out->limit_hard = -1;
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	if (proc_read_small(AT_FDCWD, path, text, sizeof(text)) > 0)
		proc_limits_parse(text, "Max open files", &out->limit_soft, &out->limit_hard);
	if (proc_read_small(AT_FDCWD, "/proc/sys/fs/file-nr", text, sizeof(text)) > 0)
		file_nr_parse(text, &out->system_allocated, &out->system_max);
	out->socket_source = SOCK_SOURCE_BPF;
	return 0;
}

/* The tgid of task pid (Tgid: in its status), or pid when it cannot be read. */
static pid_t tgid_of(pid_t pid)
{
	char path[64], text[4096];
	const char *line;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (proc_read_small(AT_FDCWD, path, text, sizeof(text)) < 0 && !text[0])
		return pid;
	line = strstr(text, "\nTgid:");
	return line ? (pid_t)strtol(line + 6, NULL, 10) : pid;
}

/* A scan of ourselves: the engine's own program, map, link and iterator fds are left out,
 * as the /proc engine leaves out the directories it reads. */
static void drop_own_bpf(struct fd_snapshot *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->count; i++) {
		struct fd_entry *e = &s->fds[i];

		if (e->name && (strncmp(e->name, "anon_inode:bpf", 14) == 0 ||
				strncmp(e->name, "anon_inode:btf", 14) == 0)) {
			fd_entry_release(e);
			continue;
		}
		s->fds[kept++] = *e;
	}
	s->count = kept;
}

/* Whether the process of pidfd has exited (a zombie too) or is exiting: PF_EXITING (in
 * /proc/PID/stat) is set before exit closes the fds, one by one, and the pidfd becomes
 * readable only after that. */
#define PF_EXITING 0x4

static bool has_exited(int pidfd, pid_t pid)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	char path[64], text[1024], *at;
	unsigned long flags = 0;

	if (pidfd >= 0 && poll(&p, 1, 0) == 1)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (proc_read_small(AT_FDCWD, path, text, sizeof(text)) < 0)
		return true; /* gone */
	at = strrchr(text, ')');
	/* after "pid (comm)": state ppid pgrp session tty_nr tpgid flags */
	if (!at || sscanf(at + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & PF_EXITING;
}

/* pid is this process or one of its threads */
static bool is_ours(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)pid);
	return pid == getpid() || access(path, F_OK) == 0;
}

int fd_bpf_snapshot(struct fd_bpf *b, pid_t pid, struct fd_snapshot *out)
{
	struct fd_machine_request req = { .pids = &pid, .npids = 1, .by_tid = true };
	/* a process that exits during the pass leaves a part of its table (or none): the scan
	 * must then say it is gone, never show that part as the table (we, scanning ourselves,
	 * are not exiting, and a pidfd would be one more fd in the table read) */
	bool ours = is_ours(pid);
	int pidfd = ours ? -1 : fd_pidfd_open(pid), r;
	struct fd_machine m;

	memset(out, 0, sizeof(*out));
	if (!ours && pidfd < 0 && errno == ESRCH)
		return -ESRCH;
	r = fd_bpf_scan(b, &req, &m);
	if (r == 0 && has_exited(pidfd, pid)) {
		fd_machine_release(&m);
		r = -ESRCH;
	}
	if (pidfd >= 0)
		close(pidfd);
	if (r < 0)
		return r;
	if (m.count) { /* take the one table and the sockets its entries point into */
		*out = m.procs[0].snap;
		memset(&m.procs[0].snap, 0, sizeof(m.procs[0].snap));
		out->sockets = m.tables[0];
		m.tables[0] = (struct sock_table)SOCK_TABLE_INIT;
		out->tgid = m.procs[0].tgid;
	} else if ((r = empty_snapshot(pid, out)) < 0) {
		fd_machine_release(&m);
		return r;
	} else {
		out->tgid = tgid_of(pid);
	}
	out->pid = pid;
	out->engine = FD_ENGINE_BPF;
	out->elapsed_ns = m.elapsed_ns;
	out->shares_table = 0;
	if (out->tgid != pid) { /* a thread: does it use its process's table? */
		long same = syscall(SYS_kcmp, out->tgid, pid, KCMP_FILES, 0, 0);

		out->shares_table = same == 0 ? 1 : same > 0 ? 0 : -1;
	}
	if (out->tgid == getpid())
		drop_own_bpf(out);
	fd_machine_release(&m);
	return 0;
}

int fd_snapshot_take_bpf(pid_t pid, struct fd_snapshot *out, const char **why)
{
	uint64_t start = monotonic_ns();
	struct fd_bpf *b;
	int r = fd_bpf_open(&b, why);

	if (r < 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	r = fd_bpf_snapshot(b, pid, out);
	fd_bpf_close(b);
	if (r == 0)
		out->elapsed_ns = monotonic_ns() - start; /* the load included */
	else if (r != -ESRCH && why)
		*why = "the BPF iterator's output could not be read";
	return r;
}
