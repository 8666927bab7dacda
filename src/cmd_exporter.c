// SPDX-License-Identifier: MIT
/* cmd_exporter: `nic2app exporter`: the machine's fds and sockets as Prometheus metrics. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "commands.h"
#include "exporter_live.h"
#include "server_cli.h"
#include "nic2app/clock.h"
#include "nic2app/export.h"
#include "nic2app/peer_proto.h"
#include "nic2app/version.h"

#define DEFAULT_LISTEN "9877"
#define DEFAULT_MAX_PROCESSES 100
#define MOST_PROCESSES 100000
#define MOST_CONNECTIONS 10000
#define MOST_FILTERS 64
#define COLLECTOR_FDS 64       /* the collector's /proc dirs, sock_diag socket, threads' reads */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void usage(void)
{
	fputs("usage: nic2app exporter [--listen ADDR:PORT] [--pid P,...] [--comm NAME] [--user U]\n"
	      "                        [--max-processes N] [--max-connections N] [--timeout SEC]\n"
	      "                        [--scrape-timeout SEC] [--once [--openmetrics]]\n"
	      "                        [--live [--live-port N] [--live-pid P] [--live-dev IFACE]\n"
	      "                         [--live-proto udp|tcp] [--live-no-sched]]\n"
	      "\n"
	      "Serves Prometheus metrics over HTTP at /metrics: each process's open fds by type,\n"
	      "its fd limits, its sockets by family, protocol and state with their queued bytes,\n"
	      "its listeners' accept queues, and the system's file handles and TCP listen drops,\n"
	      "all read when the scrape comes (text format 0.0.4, or OpenMetrics 1.0 when the\n"
	      "scraper's Accept header asks for it).\n"
	      "\n"
	      "  --listen A          PORT, ADDR:PORT or [ADDR6]:PORT (default 127.0.0.1:9877; port\n"
	      "                      0: any free port). Any other address than loopback opens the\n"
	      "                      port to the network: a warning says so.\n"
	      "  --pid P,...         only these processes (repeatable)\n"
	      "  --comm NAME         only processes with this name, as in /proc/PID/comm (repeatable)\n"
	      "  --user U            only processes of this user, a name or a uid (repeatable)\n"
	      "  --max-processes N   series for the N processes with the most fds (default 100);\n"
	      "                      the others are summed under comm=\"other\"\n"
	      "  --max-connections N clients at once (default 256, at most 10000)\n"
	      "  --timeout SEC       a client has this long to send its request, and again to\n"
	      "                      read the answer (default 10)\n"
	      "  --scrape-timeout SEC  the longest a scrape reads processes (default 10; lower\n"
	      "                      when Prometheus's X-Prometheus-Scrape-Timeout-Seconds is)\n"
	      "  --once              print one scrape on stdout and exit, without serving\n"
	      "  --openmetrics       with --once: in OpenMetrics 1.0\n"
	      "  --live              also time packets through the kernel, stage by stage, as\n"
	      "                      journey --live does (BPF programs on its tracepoints, root):\n"
	      "                      histograms nic2app_stage_duration_seconds and\n"
	      "                      nic2app_journey_duration_seconds, counters nic2app_packets,\n"
	      "                      nic2app_journeys and nic2app_lost, counting from the start\n"
	      "  --live-port N       with --live: packets with this port at either end\n"
	      "  --live-pid P        with --live: packets process P sends or reads\n"
	      "  --live-dev IFACE    with --live: packets through this device\n"
	      "  --live-proto P      with --live: udp or tcp only (default: both)\n"
	      "  --live-no-sched     with --live: leave the scheduler's tracepoints out (cheaper;\n"
	      "                      the reader's wake-up is not split from its recv())\n"
	      "  -h, --help          this text\n"
	      "\n"
	      "Prints 'listening on http://ADDR:PORT/metrics' once ready. Another user's processes\n"
	      "need root (or CAP_SYS_PTRACE); the rest are counted in nic2app_scrape_processes.\n"
	      "SIGTERM or Ctrl-C stops it (exit 0).\n",
	      stdout);
}

struct options {
	struct export_server_config cfg;
	const char *listen;
	pid_t pids[MOST_FILTERS];
	const char *comms[MOST_FILTERS];
	uid_t uids[MOST_FILTERS];
	bool once, openmetrics;
	struct exporter_live live;
};

static int parse_count(const char *opt, const char *arg, unsigned long most, unsigned long *out)
{
	unsigned long long n;

	if (cli_parse_uint(arg, 1, most, &n) < 0)
		return cli_usage_error("exporter", "%s must be a whole number from 1 to %lu, not '%s'",
				       opt, most, arg);
	*out = (unsigned long)n;
	return 0;
}

static int parse_seconds(const char *opt, const char *arg, unsigned *ms)
{
	double sec;

	if (cli_parse_seconds(arg, 0.001, 3600, &sec) < 0)
		return cli_usage_error("exporter", "%s must be seconds from 0.001 to 3600, not '%s'",
				       opt, arg);
	*ms = (unsigned)lround(sec * 1000);
	return 0;
}

static int add_pids(struct options *o, const char *arg)
{
	const char *p = arg;
	char *end;
	long v;

	do {
		errno = 0;
		v = strtol(p, &end, 10);
		if (errno || end == p || (*end && *end != ',') || v <= 0 || v > INT_MAX)
			return cli_usage_error("exporter", "--pid wants process ids separated by "
					       "commas, not '%s'", arg);
		if (o->cfg.filter.n_pids == MOST_FILTERS)
			return cli_usage_error("exporter", "at most %d --pid values", MOST_FILTERS);
		o->pids[o->cfg.filter.n_pids++] = (pid_t)v;
		p = end + (*end == ',');
	} while (*end);
	return 0;
}

static int add_user(struct options *o, const char *arg)
{
	struct passwd *pw = getpwnam(arg);
	char *end;
	unsigned long uid;

	if (o->cfg.filter.n_uids == MOST_FILTERS)
		return cli_usage_error("exporter", "at most %d --user values", MOST_FILTERS);
	if (pw) {
		o->uids[o->cfg.filter.n_uids++] = pw->pw_uid;
		return 0;
	}
	errno = 0;
	uid = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || uid > UINT32_MAX - 1)
		return cli_usage_error("exporter", "--user: no user '%s' here (a name or a uid)", arg);
	o->uids[o->cfg.filter.n_uids++] = (uid_t)uid;
	return 0;
}

static int parse_word(int opt, const char *arg, struct options *o)
{
	unsigned long n = 0;
	int r;

	switch (opt) {
	case 'l':
		if (peer_addr_parse(arg, "127.0.0.1", &o->cfg.addr, &o->cfg.addr_len) < 0)
			return cli_usage_error("exporter", "--listen must be PORT, ADDR:PORT or "
					       "[ADDR6]:PORT with a numeric address, not '%s'", arg);
		o->listen = arg;
		return 0;
	case 'p':
		return add_pids(o, arg);
	case 'c':
		if (o->cfg.filter.n_comms == MOST_FILTERS)
			return cli_usage_error("exporter", "at most %d --comm values", MOST_FILTERS);
		o->comms[o->cfg.filter.n_comms++] = arg;
		return 0;
	case 'u':
		return add_user(o, arg);
	case 'm':
		if ((r = parse_count("--max-processes", arg, MOST_PROCESSES, &n)) == 0)
			o->cfg.max_processes = n;
		return r;
	case 'M':
		if ((r = parse_count("--max-connections", arg, MOST_CONNECTIONS, &n)) == 0)
			o->cfg.max_connections = (unsigned)n;
		return r;
	case 't':
		return parse_seconds("--timeout", arg, &o->cfg.timeout_ms);
	case 'T':
		return parse_seconds("--scrape-timeout", arg, &o->cfg.scrape_timeout_ms);
	}
	return EXIT_USAGE;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "max-processes", required_argument, NULL, 'm' },
		{ "max-connections", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "scrape-timeout", required_argument, NULL, 'T' },
		{ "once", no_argument, NULL, 'o' },
		{ "openmetrics", no_argument, NULL, 'O' },
		{ "live", no_argument, NULL, 'L' },
		{ "live-port", required_argument, NULL, OPT_LIVE_PORT },
		{ "live-pid", required_argument, NULL, OPT_LIVE_PID },
		{ "live-dev", required_argument, NULL, OPT_LIVE_DEV },
		{ "live-proto", required_argument, NULL, OPT_LIVE_PROTO },
		{ "live-no-sched", no_argument, NULL, OPT_LIVE_NO_SCHED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, r, index;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", longopts, &index)) != -1) {
		if (opt == 'h') {
			usage();
			return -1;
		} else if (opt == '?' || opt == ':') {
			return cli_bad_option("exporter", argc, argv, optopt);
		} else if (opt == 'o') {
			o->once = true;
		} else if (opt == 'O') {
			o->openmetrics = true;
		} else if (opt == 'L') {
			o->live.on = true;
		} else if (exporter_live_option(opt)) {
			if ((r = exporter_live_parse(opt, longopts[index].name, optarg, &o->live)) != 0)
				return r;
		} else if ((r = parse_word(opt, optarg, o)) != 0) {
			return r;
		}
	}
	if (optind < argc)
		return cli_usage_error("exporter", "unexpected argument '%s'", argv[optind]);
	if (o->openmetrics && !o->once)
		return cli_usage_error("exporter", "--openmetrics goes with --once (a scraper says "
				       "which format it wants)");
	if (o->live.option && !o->live.on)
		return cli_usage_error("exporter", "--%s goes with --live", o->live.option);
	if (o->live.on && o->once)
		return cli_usage_error("exporter", "--live counts from the moment its programs attach, "
				       "so --once would show nothing: serve, or run journey --live "
				       "--duration SEC");
	if (!o->listen && peer_addr_parse(DEFAULT_LISTEN, "127.0.0.1", &o->cfg.addr,
					  &o->cfg.addr_len) < 0)
		return EXIT_USAGE;
	return 0;
}

static void log_line(void *ctx, const char *what, const struct sockaddr *from)
{
	struct server_log *l = ctx;
	char addr[64];

	if (!server_log_admit(l))
		return;
	peer_addr_format(from, addr, sizeof(addr));
	fprintf(stderr, "nic2app exporter: %s: %s\n", addr, what);
}

static bool is_loopback(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)a)->sin6_addr);
}

static int explain_open_failure(const char *addr, int err)
{
	if (err == -EACCES) {
		cli_error("exporter: cannot listen on %s: %s: ports below 1024 need root or "
			  "CAP_NET_BIND_SERVICE; port 1024 and up work", addr, strerror(-err));
		return EXIT_NOT_HERE;
	}
	cli_error("exporter: cannot listen on %s: %s%s", addr, strerror(-err),
		  err == -EADDRINUSE ? " (another server has it; --listen 127.0.0.1:0 takes any "
				       "free port)" : "");
	return err == -EAFNOSUPPORT ? EXIT_NOT_HERE : EXIT_RUNTIME;
}

static int serve(struct options *o)
{
	const struct server_log *lines = o->cfg.log_ctx;
	struct export_server_stats st;
	struct export_server *s;
	struct sockaddr_storage bound = o->cfg.addr;
	char addr[64];
	int err, port;

	peer_addr_format((struct sockaddr *)&o->cfg.addr, addr, sizeof(addr));
	if ((err = export_server_open(&o->cfg, &s)) < 0)
		return explain_open_failure(addr, err);
	if ((port = export_server_port(s)) < 0) {
		export_server_free(s);
		cli_error("exporter: cannot read the port it is bound to: %s", strerror(-port));
		return EXIT_RUNTIME;
	}
	if (bound.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&bound)->sin6_port = htons((in_port_t)port);
	else
		((struct sockaddr_in *)&bound)->sin_port = htons((in_port_t)port);
	peer_addr_format((struct sockaddr *)&bound, addr, sizeof(addr));
	if (!is_loopback(&bound))
		fprintf(stderr, "nic2app exporter: warning: %s is reachable from the network: "
			"whoever can connect sees every process's name, user and sockets; keep it "
			"to 127.0.0.1 or put a firewall in front\n", addr);
	printf("listening on http://%s/metrics\n", addr);
	fflush(stdout);
	err = export_server_run(s);
	export_server_stats(s, &st);
	export_server_free(s);
	server_log_finish(lines);
	fprintf(stderr, "nic2app exporter: stopped after %" PRIu64 " connections (%" PRIu64
		" refused as too many, %" PRIu64 " bad requests, %" PRIu64 " timed out), %" PRIu64
		" scrapes served by %" PRIu64 " collections\n", st.accepted, st.refused,
		st.bad_requests, st.timeouts, st.scrapes, st.collections);
	if (err < 0) {
		cli_error("exporter: the server failed: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* --once: one scrape, as the server would answer it, on stdout. */
static int scrape_once(const struct options *o)
{
	struct strbuf sb = STRBUF_INIT;
	struct export_data d;
	uint64_t deadline = monotonic_ns() + (uint64_t)o->cfg.scrape_timeout_ms * 1000000u;
	int r = export_collect("/proc", &o->cfg.filter, deadline, &stop_signal, &d);

	if (r < 0) {
		cli_error("exporter: cannot read /proc: %s", strerror(-r));
		return EXIT_RUNTIME;
	}
	if ((r = export_fold(&d, o->cfg.max_processes)) == 0)
		r = export_render(&sb, o->openmetrics ? EXPORT_OPENMETRICS : EXPORT_TEXT, &d,
				  NIC2APP_VERSION);
	export_data_release(&d);
	if (r == 0)
		cli_emit(&sb);
	else
		cli_error("exporter: cannot format the metrics: %s", strerror(-r));
	strbuf_release(&sb);
	return r ? EXIT_RUNTIME : EXIT_OK;
}

int cmd_exporter(int argc, char **argv)
{
	struct server_signals sigs;
	struct server_log lines = { .cmd = "exporter" };
	struct options o = { .cfg = { .max_processes = DEFAULT_MAX_PROCESSES,
				      .scrape_timeout_ms = 10000, .timeout_ms = 10000 } };
	int code;

	if ((code = parse_options(argc, argv, &o)) != 0)
		return code < 0 ? EXIT_OK : code;
	o.cfg.filter.pids = o.pids;
	o.cfg.filter.comms = o.comms;
	o.cfg.filter.uids = o.uids;
	o.cfg.proc_root = "/proc";
	o.cfg.version = NIC2APP_VERSION;
	if (o.once)
		return scrape_once(&o);
	if ((code = server_fit_fd_limit("exporter", o.cfg.max_connections ? o.cfg.max_connections
					: EXPORT_SERVER_MAX_CONNECTIONS, COLLECTOR_FDS)) != 0)
		return code;
	o.cfg.stop = &stop_signal;
	o.cfg.log = log_line;
	o.cfg.log_ctx = &lines;
	server_signals_catch(&sigs, on_stop);
	o.cfg.wait_sigmask = &sigs.wait_mask;
	/* attached before "listening on": the first scrape already counts */
	if (!o.live.on || (code = exporter_live_start(&o.live, &o.cfg.live)) == EXIT_OK)
		code = serve(&o);
	journey_live_close(o.cfg.live); /* every program detached and unloaded */
	server_signals_restore(&sigs);
	return code;
}
