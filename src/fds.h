/* SPDX-License-Identifier: MIT */
/* fds: the parts of `nic2app fds` shared by the snapshot, --watch and --events. */
#ifndef NIC2APP_SRC_FDS_H
#define NIC2APP_SRC_FDS_H

#include <stdbool.h>
#include <sys/types.h>

#include "nic2app/fd_render.h"

struct fds_options {
	pid_t pid;
	bool json;
	bool colour;
	fd_type_mask mask;
	double interval_s;
};

/* Take a snapshot of o->pid; on failure say why on stderr and return the exit code. */
int fds_take(const struct fds_options *o, struct fd_snapshot *s);
/* The exit code for a failed snapshot (after saying why). */
int fds_report_error(pid_t pid, int err);

int fds_watch(const struct fds_options *o);
int fds_events(const struct fds_options *o);

/* --events from the system calls (BPF, src/fds_syscall.c): an exit code, or
 * FDS_EVENTS_FALLBACK after saying once on stderr why snapshots must do. */
#define FDS_EVENTS_FALLBACK (-1)
int fds_events_syscall(const struct fds_options *o);

#endif
