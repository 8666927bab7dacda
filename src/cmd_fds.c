// SPDX-License-Identifier: MIT
/* cmd_fds: `nic2app fds PID|self`: one process's fds as tables or JSON, live or as events. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "fds.h"
#include "nic2app/proc_pid.h"

#define DEFAULT_INTERVAL_S 1.0
#define SHORTEST_INTERVAL_S 0.01

static void usage(void)
{
	fputs("usage: nic2app fds PID|self [--json] [--type T,...] [--tcp-info] [--engine auto|bpf|procfs]\n"
	      "                        [--watch | --events] [--interval SEC]\n"
	      "\n"
	      "The file descriptors of one process: what each one points to, grouped as files,\n"
	      "sockets and other kernel objects, with every socket's addresses and state read from\n"
	      "the kernel (sock_diag, in the process's own network namespace), then a summary by\n"
	      "type, the headroom left under its RLIMIT_NOFILE, and what the scan cost.\n"
	      "\n"
	      "  --json          one JSON object (with --watch: one per line; --events: one event per line)\n"
	      "  --type T,...    only these types: file dir chr blk pipe fifo socket eventfd epoll\n"
	      "                  timerfd signalfd inotify fanotify pidfd io_uring memfd anon error unknown\n"
	      "  --watch         refresh every interval: in place on a terminal (q or Ctrl-C quits;\n"
	      "                  arrows, PgUp/PgDn, Home/End scroll; new fds green, changed yellow,\n"
	      "                  closed red), else one snapshot each time\n"
	      "  --events        print open, close and change events until the process exits or Ctrl-C\n"
	      "                  (as root, from its system calls through BPF, every fd however short-lived;\n"
	      "                  else by comparing snapshots: shorter-lived fds are not seen)\n"
	      "  --interval SEC  time between snapshots for --watch and --events (default 1)\n"
	      "  --tcp-info      TCP internals under each TCP socket, as ss -ti shows them (rtt,\n"
	      "                  cwnd, mss, retransmits, bytes acked/received, delivery rate, timer)\n"
	      "  --engine E      bpf: a BPF iterator (root); procfs: /proc; auto (default): bpf for\n"
	      "                  a big fd table, /proc for a small one or when BPF cannot be used\n"
	      "  -h, --help      this text\n"
	      "\n"
	      "PID may be a thread's id: its fd table is shown, naming its process.\n"
	      "Another user's process needs root (CAP_SYS_PTRACE); exit status 3 says so.\n"
	      "\n"
	      "usage: nic2app fds [--all] [--pid P,...] [--comm NAME] [--user U] [--port N] [--listen]\n"
	      "                   [--state S] [--file PATH] [--deleted] [--type T,...] [--summary | --json]\n"
	      "                   [--engine auto|bpf|procfs] [--tcp-info]\n"
	      "\n"
	      "Without a PID: every process you may read, filtered (every filter given must match):\n"
	      "  --pid, --comm, --user  these processes (comm exact; user a name or a uid)\n"
	      "  --port N        TCP/UDP sockets with N as local or remote port\n"
	      "  --listen        listening TCP and bound unconnected UDP sockets (as ss -tulnp)\n"
	      "  --state S       sockets in state S (LISTEN, ESTABLISHED, CLOSE_WAIT, UNCONN...)\n"
	      "  --file PATH     holders of PATH (absolute); PATH/ : anything under that directory\n"
	      "  --deleted       deleted files still held open, with their size\n"
	      "  --summary       one row per process: fds by kind, limits, headroom (least first)\n"
	      "  --engine E      bpf: a BPF iterator, one pass (root); procfs: /proc; auto (default)\n"
	      "Nothing matched: exit status 1.\n",
	      stdout);
}

static int parse_interval(const char *word, double *out)
{
	return cli_parse_seconds(word, SHORTEST_INTERVAL_S, 3600, out);
}

static int show_snapshot(const struct fds_options *o)
{
	struct strbuf sb = STRBUF_INIT;
	struct fd_snapshot s;
	int code = fds_take(o, &s), r;

	if (code)
		return code;
	if (o->json) {
		r = fd_snapshot_json(&sb, &s, o->mask);
		strbuf_addc(&sb, '\n');
	} else {
		fd_snapshot_title(&sb, &s);
		strbuf_addc(&sb, '\n');
		r = fd_tables_render(&sb, &s, o->mask, NULL, o->colour, 0);
		fd_summary_render(&sb, &s, o->mask, o->colour);
	}
	if (r == 0)
		r = sb.err;
	if (r)
		cli_error("cannot format the output: %s", strerror(-r));
	else
		cli_emit(&sb);
	strbuf_release(&sb);
	fd_snapshot_release(&s);
	return r ? EXIT_RUNTIME : EXIT_OK;
}

int cmd_fds(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "type", required_argument, NULL, 't' },
		{ "watch", no_argument, NULL, 'w' },
		{ "events", no_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		FDS_MACHINE_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct fds_options o = { .mask = FD_TYPES_ALL, .interval_s = DEFAULT_INTERVAL_S };
	struct fds_machine_options mo = { .engine = FD_ENGINE_AUTO };
	bool watch = false, events = false, interval_set = false;
	const char *bad;
	size_t bad_len;
	int opt;

	opterr = 0;
	/* options may follow the PID, as DESIGN.md writes them: let getopt permute */
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': o.json = true; break;
		case 'w': watch = true; break;
		case 'e': events = true; break;
		case 't':
			if (fd_type_mask_parse(optarg, &o.mask, &bad, &bad_len))
				return cli_usage_error("fds", "unknown fd type '%.*s' in --type",
						       (int)bad_len, bad);
			break;
		case 'i':
			if (parse_interval(optarg, &o.interval_s))
				return cli_usage_error("fds", "--interval wants seconds between %g and 3600, not '%s'",
						       SHORTEST_INTERVAL_S, optarg);
			interval_set = true;
			break;
		case 'h':
			usage();
			return EXIT_OK;
		case FDS_OPT_ALL ... FDS_OPT_TCP_INFO: { /* the whole machine: fds_machine.c */
			int code = fds_machine_option(&mo, opt, optarg);

			if (code)
				return code;
			break;
		}
		default:
			return cli_bad_option("fds", argc, argv, optopt);
		}
	}
	if (optind >= argc || mo.used)
		return fds_machine_run(&o, &mo, argc - optind, argv + optind, watch || events);
	o.pid = fds_parse_pid(argv[optind]);
	if (!o.pid)
		return cli_usage_error("fds", "'%s' is not a process id (a positive number or 'self')",
				       argv[optind]);
	if (optind + 1 < argc)
		return cli_usage_error("fds", "unexpected argument '%s'", argv[optind + 1]);
	if (watch && events)
		return cli_usage_error("fds", "--watch and --events are two views: pick one");
	if ((watch || events) && (mo.tcp_info || mo.engine != FD_ENGINE_AUTO))
		return cli_usage_error("fds", "--tcp-info and --engine shape one snapshot: --watch and "
				       "--events read the process their own way");
	if (interval_set && !watch && !events)
		return cli_usage_error("fds", "--interval needs --watch or --events");
	o.colour = !o.json && colour_wanted(STDOUT_FILENO);
	o.engine = mo.engine;
	o.tcp_info = mo.tcp_info;
	/* A snapshot of a big fd table is a few MB allocated on several threads at once: grow the
	 * heaps in large steps, or each step is an mprotect() that stalls every thread's page
	 * faults (measured: about a quarter of a 15,000-fd scan). */
	mallopt(M_TOP_PAD, 16 << 20);
	if (watch)
		return fds_watch(&o);
	if (events)
		return fds_events(&o);
	return show_snapshot(&o);
}
