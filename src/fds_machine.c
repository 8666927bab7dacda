// SPDX-License-Identifier: MIT
/*
 * fds_machine: `nic2app fds` without a PID (or with --all or a filter): every process the
 * caller may read, filtered (--pid --comm --user --port --listen --state --file --deleted
 * --type, all AND-combined), as tables, one summary row per process, or JSON.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fds.h"
#include "nic2app/fd_machine.h"

#define MOST_PIDS 4096

static int parse_pids(struct fds_machine_options *mo, const char *list)
{
	char *copy = strdup(list), *save = NULL, *word;
	int r = 0;

	if (!copy) {
		cli_error("cannot parse --pid: %s", strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	/* strtok_r would take ",," or a trailing comma as one separator: reject those first */
	if (!*list || list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		r = -EINVAL;
	for (word = strtok_r(copy, ",", &save); word && r == 0; word = strtok_r(NULL, ",", &save)) {
		pid_t pid;

		if (cli_parse_pid(word, &pid) < 0)
			r = -EINVAL;
		else if (mo->npids == MOST_PIDS)
			r = -E2BIG;
		else
			mo->pids[mo->npids++] = pid;
	}
	free(copy);
	if (r == -E2BIG)
		return cli_usage_error("fds", "--pid takes at most %d process ids", MOST_PIDS);
	if (r < 0)
		return cli_usage_error("fds", "--pid wants process ids separated by commas, not '%s'", list);
	return 0;
}

static int parse_user(struct fds_machine_options *mo, const char *name)
{
	struct passwd pw, *found = NULL;
	char text[1024];
	unsigned long long v;

	if (getpwnam_r(name, &pw, text, sizeof(text), &found) == 0 && found) {
		mo->filter.uid = pw.pw_uid;
	} else {
		if (cli_parse_uint(name, 0, UINT_MAX - 1, &v) < 0)
			return cli_usage_error("fds", "--user: no user named '%s' (a name from the password "
					       "database, or a numeric uid)", name);
		mo->filter.uid = (uid_t)v;
	}
	mo->filter.has_uid = true;
	return 0;
}

static int parse_port(struct fds_machine_options *mo, const char *word)
{
	unsigned long long v;

	if (cli_parse_uint(word, 1, 65535, &v) < 0)
		return cli_usage_error("fds", "--port wants a port between 1 and 65535, not '%s'", word);
	mo->filter.port = (unsigned int)v;
	return 0;
}

/* An absolute path; with a trailing '/', a directory whose contents are asked for. */
static int parse_file(struct fds_machine_options *mo, const char *path)
{
	size_t len = strlen(path);
	struct stat st;

	if (path[0] != '/')
		return cli_usage_error("fds", "--file wants an absolute path (from /), not '%s'", path);
	if (len >= PATH_MAX)
		return cli_usage_error("fds", "--file: the path is longer than PATH_MAX");
	if (stat(path, &st) < 0)
		return cli_usage_error("fds", "--file: cannot stat '%s': %s", path, strerror(errno));
	mo->filter.file_under = len > 1 && path[len - 1] == '/';
	if (mo->filter.file_under && !S_ISDIR(st.st_mode))
		return cli_usage_error("fds", "--file: '%s' ends in '/' but is not a directory", path);
	if (!mo->filter.file_under && len > 1 && path[len - 1] == '/')
		len--;
	snprintf(mo->file, sizeof(mo->file), "%.*s", (int)len, path);
	mo->filter.file = mo->file;
	mo->filter.file_has_id = true;
	mo->filter.file_ino = st.st_ino;
	/* as fd entries hold it: a device file's own device number */
	mo->filter.file_dev = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
	return 0;
}

static int parse_engine(struct fds_machine_options *mo, const char *word)
{
	if (strcmp(word, "auto") == 0)
		mo->engine = FD_ENGINE_AUTO;
	else if (strcmp(word, "bpf") == 0)
		mo->engine = FD_ENGINE_BPF;
	else if (strcmp(word, "procfs") == 0)
		mo->engine = FD_ENGINE_PROCFS;
	else
		return cli_usage_error("fds", "--engine wants auto, bpf or procfs, not '%s'", word);
	return 0;
}

int fds_machine_option(struct fds_machine_options *mo, int opt, const char *arg)
{
	/* --engine and --tcp-info apply to one process too; the others ask for many */
	if (opt != FDS_OPT_ENGINE && opt != FDS_OPT_TCP_INFO)
		mo->used = true;
	switch (opt) {
	case FDS_OPT_ALL: mo->all = true; return 0;
	case FDS_OPT_PID: return parse_pids(mo, arg);
	case FDS_OPT_COMM:
		if (!arg[0] || strlen(arg) > 15)
			return cli_usage_error("fds", "--comm wants a command name of 1 to 15 bytes, as "
					       "/proc/PID/comm holds it, not '%s'", arg);
		mo->filter.comm = arg;
		return 0;
	case FDS_OPT_USER: return parse_user(mo, arg);
	case FDS_OPT_PORT: return parse_port(mo, arg);
	case FDS_OPT_LISTEN: mo->filter.listen = true; return 0;
	case FDS_OPT_STATE:
		if (!(mo->filter.state = sock_state_canonical(arg)))
			return cli_usage_error("fds", "--state: unknown socket state '%s' (LISTEN, "
					       "ESTABLISHED, CLOSE_WAIT, UNCONN...)", arg);
		return 0;
	case FDS_OPT_FILE: return parse_file(mo, arg);
	case FDS_OPT_DELETED: mo->filter.deleted = true; return 0;
	case FDS_OPT_SUMMARY: mo->summary = true; return 0;
	case FDS_OPT_ENGINE: return parse_engine(mo, arg);
	case FDS_OPT_TCP_INFO: mo->tcp_info = true; return 0;
	default: return cli_usage_error("fds", "unknown option");
	}
}

/* Filters that cannot all match: a clear message and exit 2. */
static int check_conflicts(const struct fds_machine_options *mo, fd_type_mask mask)
{
	const struct fd_filter *f = &mo->filter;
	bool socket_filter = f->port || f->listen || f->state;

	if (f->listen && f->state && strcmp(f->state, "LISTEN") != 0 && strcmp(f->state, "UNCONN") != 0)
		return cli_usage_error("fds", "--listen shows LISTEN and UNCONN sockets: --state %s "
				       "cannot match too", f->state);
	if (socket_filter && (f->file || f->deleted))
		return cli_usage_error("fds", "--port, --listen and --state choose sockets; --file and "
				       "--deleted choose files: no fd is both");
	if (socket_filter && !(mask & FD_TYPE_BIT(FD_SOCKET)))
		return cli_usage_error("fds", "--port, --listen and --state choose sockets, which "
				       "--type leaves out");
	if (f->deleted && !(mask & FD_TYPE_BIT(FD_FILE)))
		return cli_usage_error("fds", "--deleted chooses files, which --type leaves out");
	if (mo->summary && mo->json)
		return cli_usage_error("fds", "--summary is a text view; --json has every field");
	return 0;
}

static int scan(const struct fds_machine_options *mo, struct fd_machine *m)
{
	struct fd_machine_request req = { .pids = mo->npids ? mo->pids : NULL, .npids = mo->npids };

	return fds_machine_scan(mo, &req, m);
}

static void say_nothing_matched(const struct fds_machine_options *mo, const struct fd_machine *m)
{
	if (m->unreadable && geteuid() != 0)
		cli_error("no fd matches (%zu processes could not be read: another user's fds need "
			  "root or CAP_SYS_PTRACE)", m->unreadable);
	else
		cli_error("no %s matches", fd_filter_has_fd_filters(&mo->filter) ? "fd" : "process");
}

static void scan_line(struct strbuf *sb, const struct fd_machine *m, size_t procs, size_t fds,
		      bool colour)
{
	colour_add(sb, colour, COLOUR_BOLD, "scan:");
	strbuf_addf(sb, " %zu processes, %zu fds shown; %zu fd tables, %zu fds read in %.2f ms (%s)",
		    procs, fds, m->count - m->unreadable, m->fds, (double)m->elapsed_ns / 1e6,
		    fd_engine_name(m->source));
	if (m->unreadable)
		strbuf_addf(sb, "; %zu could not be read%s", m->unreadable,
			    geteuid() ? " (another user's fds need root or CAP_SYS_PTRACE)" : "");
	strbuf_addc(sb, '\n');
}

int fds_machine_main(const struct fds_options *o, struct fds_machine_options *mo)
{
	struct strbuf sb = STRBUF_INIT;
	struct fd_machine m;
	size_t procs, fds;
	int r;

	mo->json = o->json;
	if ((r = check_conflicts(mo, o->mask)))
		return r;
	mo->filter.mask = o->mask;
	if (mo->npids) {
		mo->filter.pids = mo->pids;
		mo->filter.npids = mo->npids;
	}
	r = scan(mo, &m);
	if (r > 0)
		return r; /* an exit code; fds_machine_scan said why */
	if (r < 0) {
		cli_error("cannot read the fds of the machine: %s", strerror(-r));
		return r == -EPERM || r == -EACCES ? EXIT_NOT_HERE : EXIT_RUNTIME;
	}
	if (mo->tcp_info && (r = fd_machine_add_tcp_info(&m)) < 0) {
		cli_error("cannot read the TCP sockets' tcp_info: %s", strerror(-r));
		fd_machine_release(&m);
		return EXIT_RUNTIME;
	}
	fds = fd_machine_count_shown(&m, &mo->filter, &procs);
	if (procs == 0) {
		say_nothing_matched(mo, &m);
		fd_machine_release(&m);
		return EXIT_RUNTIME;
	}
	if (o->json) {
		r = fd_machine_json(&sb, &m, &mo->filter);
	} else if (mo->summary) {
		r = fd_machine_summary_render(&sb, &m, &mo->filter, o->colour);
		scan_line(&sb, &m, procs, fds, o->colour);
	} else {
		r = fd_machine_tables_render(&sb, &m, &mo->filter, o->colour);
		scan_line(&sb, &m, procs, fds, o->colour);
	}
	if (r == 0)
		r = sb.err;
	if (r)
		cli_error("cannot format the output: %s", strerror(-r));
	else
		cli_emit(&sb);
	strbuf_release(&sb);
	fd_machine_release(&m);
	return r ? EXIT_RUNTIME : EXIT_OK;
}


int fds_machine_run(struct fds_options *o, struct fds_machine_options *mo, int nargs,
		    char **args, bool live)
{
	if (live)
		return cli_usage_error("fds", "--watch and --events follow one process: give its PID "
				       "without the whole-machine options");
	if (nargs > 1)
		return cli_usage_error("fds", "unexpected argument '%s'", args[1]);
	if (nargs == 1) {
		pid_t pid = fds_parse_pid(args[0]);

		if (!pid)
			return cli_usage_error("fds", "'%s' is not a process id (a positive number or "
					       "'self')", args[0]);
		if (mo->all)
			return cli_usage_error("fds", "--all reads every process; a PID reads one: pick one");
		if (mo->npids)
			return cli_usage_error("fds", "give the processes either as PID or with --pid, "
					       "not both");
		mo->pids[mo->npids++] = pid;
	}
	if (mo->all && mo->npids)
		return cli_usage_error("fds", "--all reads every process; --pid chooses some: pick one");
	o->colour = !o->json && colour_wanted(STDOUT_FILENO);
	return fds_machine_main(o, mo);
}
