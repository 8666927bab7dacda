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
#include "nic2app/proc_pid.h"

/* Below this many fds in the processes asked for, /proc is faster than loading the program
 * (measured: make bench, "fds.engine_*"). */
#define BPF_WORTH_FDS 2000

/* The fd table sizes of the processes asked for (FDSize: in /proc/PID/status), summed. */
static long table_sizes(const struct fd_machine_request *req)
{
	long total = 0;

	for (size_t i = 0; i < req->npids; i++) {
		char path[64], text[2048];
		const char *line;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)req->pids[i]);
		if (proc_read_small(AT_FDCWD, path, text, sizeof(text)) < 0 && text[0] == '\0')
			continue;
		if ((line = strstr(text, "\nFDSize:")))
			total += strtol(line + 8, NULL, 10);
	}
	return total;
}

int fds_machine_scan(const struct fds_machine_options *mo, const struct fd_machine_request *req,
		     struct fd_machine *m)
{
	const char *why = NULL;
	int r;

	if (mo->engine == FD_ENGINE_PROCFS)
		return fd_machine_scan_procfs(req, m);
	if (mo->engine == FD_ENGINE_AUTO && req->pids && table_sizes(req) < BPF_WORTH_FDS)
		return fd_machine_scan_procfs(req, m);
	r = fd_machine_scan_bpf(req, m, &why);
	if (r == 0 || r == -ENOMEM)
		return r;
	if (mo->engine == FD_ENGINE_BPF) {
		cli_error("--engine bpf: %s; --engine procfs still works", why ? why : strerror(-r));
		return EXIT_NOT_HERE; /* said why */
	}
	cli_error("reading /proc instead of BPF: %s", why ? why : strerror(-r));
	return fd_machine_scan_procfs(req, m);
}
