// SPDX-License-Identifier: MIT
/*
 * fds_engine: which engine reads the fds. --engine bpf insists on the BPF iterator (exit 3
 * when it cannot load, saying why); procfs reads /proc; auto uses BPF for the whole machine
 * (one pass instead of a walk of every /proc/PID/fd) and /proc for a few processes, where
 * loading the program costs more than it saves; when BPF cannot be used it says why once, on
 * stderr, and reads /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fds.h"

/* The fd table sizes of the processes asked for, summed. */
static long table_sizes(const struct fd_machine_request *req)
{
	long total = 0;

	for (size_t i = 0; i < req->npids; i++)
		total += fd_table_slots(req->pids[i]);
	return total;
}

/* Load BPF, or say why not: 0 or -errno from BPF, an exit code, or 1: use /proc. */
static int bpf_failed(enum fd_engine engine, int r, const char *why)
{
	if (engine == FD_ENGINE_BPF) {
		cli_error("--engine bpf: %s; --engine procfs still works", why ? why : strerror(-r));
		return EXIT_NOT_HERE;
	}
	cli_error("reading /proc instead of BPF: %s", why ? why : strerror(-r));
	return 1;
}

int fds_snapshot_scan(const struct fds_options *o, struct fd_snapshot *s)
{
	struct fd_machine_request req = { .pids = &o->pid, .npids = 1 };
	const char *why = NULL;
	int r;

	if (o->engine == FD_ENGINE_PROCFS ||
	    (o->engine == FD_ENGINE_AUTO && table_sizes(&req) < FD_BPF_WORTH_SLOTS))
		return fd_snapshot_take("/proc", o->pid, 0, s);
	r = fd_snapshot_take_bpf(o->pid, s, &why);
	if (r == 0 || r == -ENOMEM || r == -ESRCH)
		return r;
	if ((r = bpf_failed(o->engine, r, why)) != 1)
		return r;
	return fd_snapshot_take("/proc", o->pid, 0, s);
}

int fds_machine_scan(const struct fds_machine_options *mo, const struct fd_machine_request *req,
		     struct fd_machine *m)
{
	const char *why = NULL;
	int r;

	if (mo->engine == FD_ENGINE_PROCFS)
		return fd_machine_scan_procfs(req, m);
	if (mo->engine == FD_ENGINE_AUTO && req->pids && table_sizes(req) < FD_BPF_WORTH_SLOTS)
		return fd_machine_scan_procfs(req, m);
	r = fd_machine_scan_bpf(req, m, &why);
	if (r == 0 || r == -ENOMEM)
		return r;
	if ((r = bpf_failed(mo->engine, r, why)) != 1)
		return r; /* said why */
	return fd_machine_scan_procfs(req, m);
}
