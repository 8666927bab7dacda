// SPDX-License-Identifier: MIT
/* cmd_serve: `nic2app serve`: the peer of `journey --peer` and `bench --peer`. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "server_cli.h"
#include "commands.h"
#include "nic2app/clock.h"
#include "nic2app/peer_proto.h"
#include "nic2app/peer_server.h"

#define MOST_CONNECTIONS 10000 /* each may hold a 64 KiB frame: 640 MiB at worst */
#define MOST_IDLE_S 86400.0
#define OWN_FDS 8              /* stdio, epoll, the two sockets, one to refuse with, spare */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void usage(void)
{
	fputs("usage: nic2app serve [--listen ADDR:PORT] [--max-connections N] [--idle SEC]\n"
	      "\n"
	      "The peer of 'nic2app journey --peer' and 'nic2app bench --peer': a TCP and a UDP\n"
	      "socket on one address and port. TCP clients open with a hello, then either send\n"
	      "frames (a 4-byte length and up to 65536 bytes) that come back whole, or send bytes\n"
	      "that are counted, the count sent back when they shut their side down. Datagrams\n"
	      "that start with \"N2A1\" come back to their sender; others are dropped. Anything\n"
	      "else closes the connection, with a line on stderr.\n"
	      "\n"
	      "  --listen A     PORT, ADDR:PORT or [ADDR6]:PORT (default 127.0.0.1:7701; port 0:\n"
	      "                 any free port). Only this machine can reach 127.0.0.1; 0.0.0.0 or\n"
	      "                 [::] opens the server to the network.\n"
	      "  --max-connections N\n"
	      "                 connections at once (default 64, at most 10000); more are closed\n"
	      "                 as they come\n"
	      "  --idle SEC     close a connection that has sent and received nothing for SEC\n"
	      "                 seconds (default 60; fractions allowed)\n"
	      "  -h, --help     this text\n"
	      "\n"
	      "Prints 'listening on ADDR:PORT (tcp and udp)' once ready. Ctrl-C or SIGTERM stops\n"
	      "it; it then prints what it served on stderr and exits 0.\n"
	      "Exit status 1: the address is taken or not this machine's; 3: a port below 1024\n"
	      "without the privilege for it.\n",
	      stdout);
}

struct options {
	struct peer_server_config cfg;
	const char *listen;
};

static int parse_word(int opt, const char *arg, struct options *o)
{
	double sec;
	unsigned long long n;

	switch (opt) {
	case 'l':
		if (peer_addr_parse(arg, "127.0.0.1", &o->cfg.addr, &o->cfg.addr_len) < 0)
			return cli_usage_error("serve", "--listen must be PORT, ADDR:PORT or [ADDR6]:PORT "
					       "with a numeric address and a port up to 65535, not '%s'", arg);
		o->listen = arg;
		return 0;
	case 'm':
		if (cli_parse_uint(arg, 1, MOST_CONNECTIONS, &n))
			return cli_usage_error("serve", "--max-connections must be a whole number from "
					       "1 to %d, not '%s'", MOST_CONNECTIONS, arg);
		o->cfg.max_connections = (unsigned)n;
		return 0;
	case 'i':
		if (cli_parse_seconds(arg, 0.001, MOST_IDLE_S, &sec))
			return cli_usage_error("serve", "--idle must be seconds from 0.001 to %.0f, not '%s'",
					       MOST_IDLE_S, arg);
		o->cfg.idle_timeout_ms = (unsigned)lround(sec * 1000);
		return 0;
	}
	return EXIT_USAGE;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "idle", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, r;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			usage();
			return -1;
		} else if (opt == '?' || opt == ':') {
			return cli_bad_option("serve", argc, argv, optopt);
		} else if ((r = parse_word(opt, optarg, o)) != 0) {
			return r;
		}
	}
	if (optind < argc)
		return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (!o->listen && peer_addr_parse("7701", "127.0.0.1", &o->cfg.addr, &o->cfg.addr_len) < 0)
		return EXIT_USAGE; /* cannot happen: the default is well formed */
	return 0;
}

static void log_line(void *ctx, enum peer_log_kind kind, const char *what,
		     const struct sockaddr *from)
{
	struct server_log *l = ctx;
	char addr[64];

	if (!server_log_admit(l))
		return;
	peer_addr_format(from, addr, sizeof(addr));
	fprintf(stderr, "nic2app serve: %s %s: %s\n",
		kind == PEER_LOG_CLOSED ? "closed" : "dropped a datagram from", addr, what);
}

/* Why the server could not start, and the exit status. */
static int explain_open_failure(const char *addr, int err)
{
	switch (err) {
	case -EACCES:
		cli_error("serve: cannot listen on %s: %s: ports below 1024 need root or "
			  "CAP_NET_BIND_SERVICE; port 1024 and up work", addr, strerror(-err));
		return EXIT_NOT_HERE;
	case -EAFNOSUPPORT:
		cli_error("serve: cannot listen on %s: %s; IPv4 (e.g. 127.0.0.1:7701) works", addr,
			  strerror(-err));
		return EXIT_NOT_HERE;
	case -EADDRINUSE:
		cli_error("serve: cannot listen on %s: %s (another server has it; --listen "
			  "127.0.0.1:0 takes any free port)", addr, strerror(-err));
		return EXIT_RUNTIME;
	case -EADDRNOTAVAIL:
		cli_error("serve: cannot listen on %s: %s (no interface here has that address)", addr,
			  strerror(-err));
		return EXIT_RUNTIME;
	}
	cli_error("serve: cannot listen on %s: %s", addr, strerror(-err));
	return EXIT_RUNTIME;
}

static void print_summary(const struct peer_server_stats *st)
{
	fprintf(stderr, "nic2app serve: stopped after %" PRIu64 " connections (%" PRIu64
		" refused as too many, %" PRIu64 " closed for bad input, %" PRIu64 " idle, %" PRIu64
		" evicted as silent), %" PRIu64 " frames echoed, %" PRIu64 " datagrams echoed (%" PRIu64
		" dropped), %" PRIu64 " bytes sunk\n", st->accepted, st->refused, st->rejected, st->idle,
		st->evicted, st->frames_echoed, st->datagrams_echoed, st->datagrams_dropped,
		st->bytes_sunk);
}

static int serve(struct options *o)
{
	const struct server_log *lines = o->cfg.log_ctx;
	struct peer_server s;
	struct sockaddr_storage bound;
	char addr[64];
	int err, port;

	peer_addr_format((struct sockaddr *)&o->cfg.addr, addr, sizeof(addr));
	if ((err = peer_server_open(&s, &o->cfg)) < 0)
		return explain_open_failure(addr, err);
	if ((port = peer_server_port(&s)) < 0) {
		peer_server_close(&s);
		cli_error("serve: cannot read the port it is bound to: %s", strerror(-port));
		return EXIT_RUNTIME;
	}
	bound = o->cfg.addr;
	if (bound.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&bound)->sin6_port = htons((in_port_t)port);
	else
		((struct sockaddr_in *)&bound)->sin_port = htons((in_port_t)port);
	peer_addr_format((struct sockaddr *)&bound, addr, sizeof(addr));
	printf("listening on %s (tcp and udp)\n", addr);
	fflush(stdout);
	err = peer_server_run(&s);
	peer_server_close(&s);
	server_log_finish(lines);
	print_summary(&s.stats);
	if (err < 0) {
		cli_error("serve: the server failed: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
	struct server_signals sigs;
	struct server_log lines = { .cmd = "serve" };
	struct options o = { 0 };
	int code;

	if ((code = parse_options(argc, argv, &o)) != 0)
		return code < 0 ? EXIT_OK : code;
	if ((code = server_fit_fd_limit("serve", o.cfg.max_connections ? o.cfg.max_connections
					: PEER_SERVER_MAX_CONNECTIONS, OWN_FDS)) != 0)
		return code;
	o.cfg.stop = &stop_signal;
	o.cfg.log = log_line;
	o.cfg.log_ctx = &lines;
	server_signals_catch(&sigs, on_stop);
	o.cfg.wait_sigmask = &sigs.wait_mask;
	code = serve(&o);
	server_signals_restore(&sigs);
	return code;
}
