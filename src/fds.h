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
	enum fd_engine engine;    /* --engine, for the snapshot of fds PID */
	bool tcp_info;            /* --tcp-info */
};

/* Take a snapshot of o->pid by o->engine (auto: the faster one that works), with the
 * sockets' tcp_info when o->tcp_info; on failure say why on stderr and return the exit code. */
int fds_take(const struct fds_options *o, struct fd_snapshot *s);
/* "1234" or "self": the process asked for; 0 on a bad word. */
pid_t fds_parse_pid(const char *word);
/* The exit code for a failed snapshot (after saying why). */
int fds_report_error(pid_t pid, int err);

int fds_watch(const struct fds_options *o);
int fds_events(const struct fds_options *o);

/* --events from the system calls (BPF, src/fds_syscall.c): an exit code, or
 * FDS_EVENTS_FALLBACK after saying once on stderr why snapshots must do. */
#define FDS_EVENTS_FALLBACK (-1)
int fds_events_syscall(const struct fds_options *o);

/* The whole machine (fds_machine.c): the options that ask for it, and its run. */
#include <limits.h>
#include "nic2app/fd_machine.h"

enum {
	FDS_OPT_ALL = 0x100, FDS_OPT_PID, FDS_OPT_COMM, FDS_OPT_USER, FDS_OPT_PORT,
	FDS_OPT_LISTEN, FDS_OPT_STATE, FDS_OPT_FILE, FDS_OPT_DELETED, FDS_OPT_SUMMARY,
	FDS_OPT_ENGINE, FDS_OPT_TCP_INFO,
};
#define FDS_MACHINE_LONGOPTS \
	{ "all", no_argument, NULL, FDS_OPT_ALL }, \
	{ "pid", required_argument, NULL, FDS_OPT_PID }, \
	{ "comm", required_argument, NULL, FDS_OPT_COMM }, \
	{ "user", required_argument, NULL, FDS_OPT_USER }, \
	{ "port", required_argument, NULL, FDS_OPT_PORT }, \
	{ "listen", no_argument, NULL, FDS_OPT_LISTEN }, \
	{ "state", required_argument, NULL, FDS_OPT_STATE }, \
	{ "file", required_argument, NULL, FDS_OPT_FILE }, \
	{ "deleted", no_argument, NULL, FDS_OPT_DELETED }, \
	{ "summary", no_argument, NULL, FDS_OPT_SUMMARY }, \
	{ "engine", required_argument, NULL, FDS_OPT_ENGINE }, \
	{ "tcp-info", no_argument, NULL, FDS_OPT_TCP_INFO }

struct fds_machine_options {
	bool used;                /* an option that asks for many processes was given */
	bool all, summary, json, tcp_info;
	enum fd_engine engine;
	struct fd_filter filter;
	pid_t pids[4096];
	size_t npids;
	char file[PATH_MAX];
};

/* One option of FDS_MACHINE_LONGOPTS; 0 or the exit code of a usage error. */
int fds_machine_option(struct fds_machine_options *mo, int opt, const char *arg);
/* `fds` without a PID, or with FDS_MACHINE_LONGOPTS: args are what follows the options (a PID
 * or nothing); live: --watch or --events was given. Returns the exit code. */
int fds_machine_run(struct fds_options *o, struct fds_machine_options *mo, int nargs,
		    char **args, bool live);
/* Run the whole-machine view (filters from mo, output options from o). */
int fds_machine_main(const struct fds_options *o, struct fds_machine_options *mo);
/* One process's snapshot by the engine o asks for (fds_engine.c): 0, -errno for the
 * caller to report, or an exit code (> 0) after saying why on stderr. */
int fds_snapshot_scan(const struct fds_options *o, struct fd_snapshot *s);
/* Fill m by the engine mo asks for (auto: the faster one that works). fds_engine.c. 0, -errno,
 * or an exit code (> 0) after saying why on stderr. */
int fds_machine_scan(const struct fds_machine_options *mo, const struct fd_machine_request *req,
		     struct fd_machine *m);

#endif
