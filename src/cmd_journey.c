// SPDX-License-Identifier: MIT
/* cmd_journey: `nic2app journey`: one message's way from send() to recv(), stage by stage. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "nic2app/journey.h"
#include "nic2app/journey_live.h"
#include "nic2app/journey_render.h"
#include "nic2app/charts.h"
#include "nic2app/peer_proto.h"
#include "nic2app/report.h"
#include "nic2app/render.h"

#define DEFAULT_SIZE 64
#define DEFAULT_COUNT 1000
#define MOST_MESSAGES 1000000

static void usage(void)
{
	fputs("usage: nic2app journey [--proto udp|tcp] [--size N] [--count N] [--via lo|netns]\n"
	      "                       [--peer HOST:PORT] [--method auto|tracefs|timestamping]\n"
	      "                       [--cpus any|same|split] [--json [--packets]] [--svg FILE]\n"
	      "       nic2app journey --live [--port N] [--pid P] [--dev IFACE] [--proto udp|tcp]\n"
	      "                       [--duration SEC] [--overhead] [--no-sched] [--json [--packets]]\n"
	      "\n"
	      "Sends messages from one thread to an echo server in another and measures each\n"
	      "message's way from the sender's send() to the receiver's recv(), cut into stages\n"
	      "at the points where the kernel shows the packet. Prints a waterfall of the stage\n"
	      "medians, the time by layer (kernel, user/kernel boundary), the round trip with and\n"
	      "without observing, and what could not be observed on this path.\n"
	      "\n"
	      "  --proto P      udp (default) or tcp\n"
	      "  --size N       message bytes (default 64; one packet: at most 65484 over lo,\n"
	      "                 1448 over netns)\n"
	      "  --count N      messages measured (default 1000)\n"
	      "  --via lo       loopback (default): no driver but the loopback device\n"
	      "  --via netns    two private network namespaces joined by a veth pair, made for the\n"
	      "                 run and gone after it (needs root)\n"
	      "  --peer H:P     send to a `nic2app serve` at H:P (another host or namespace) and\n"
	      "                 time the round trip: this host's stages on the way out and on the\n"
	      "                 echo's way in, and what lies between as one stage, \"away\" (the\n"
	      "                 peer's clock is never used); --size counts the protocol's bytes\n"
	      "  --method M     tracefs: tracepoints at up to 10 kernel points (needs root);\n"
	      "                 timestamping: SO_TIMESTAMPING at 3 points (no privilege needed);\n"
	      "                 auto (default): tracefs if it works, else timestamping, saying why\n"
	      "  --cpus C       any (default): where the scheduler puts the two ends; same: both\n"
	      "                 pinned to one CPU (repeatable); split: one CPU each, so every\n"
	      "                 message wakes the receiver's CPU\n"
	      "  --json         one JSON object on stdout\n"
	      "  --packets      with --json: every message's points and stages too\n"
	      "  --svg FILE     also write the waterfall as a standalone SVG picture ('-': to\n"
	      "                 stdout, in place of the text)\n"
	      "\n"
	      "  --live         send nothing: time the traffic that passes, with BPF programs on\n"
	      "                 the kernel's tracepoints (needs root), from the device queue to\n"
	      "                 the end of the reader's recv(); stages are added up in the kernel\n"
	      "                 (percentiles are log2 bucket bounds). Ctrl-C prints what was seen\n"
	      "  --port N       only packets with N as either port\n"
	      "  --pid P        only packets process P sent, or read from a socket it used\n"
	      "  --dev IFACE    only packets through IFACE\n"
	      "  --proto P      with --live: udp or tcp only (default: both)\n"
	      "  --duration S   watch S seconds (default: until Ctrl-C or SIGTERM)\n"
	      "  --overhead     first measure the observer's cost per round trip on an own\n"
	      "                 probe flow (a UDP echo over lo), then watch\n"
	      "  --no-sched     leave the scheduler's tracepoints out (cheaper): the reader's\n"
	      "                 wake-up is not told apart from its recv()\n"
	      "  -h, --help     this text\n"
	      "\n"
	      "All times are CLOCK_MONOTONIC. Ctrl-C stops the run and removes what it set up.\n"
	      "Exit status 3: what was asked needs root or a kernel feature this machine lacks.\n",
	      stdout);
}

/* A whole number in [min, max]; -EINVAL otherwise. */
static int parse_count(const char *word, size_t min, size_t max, size_t *out)
{
	unsigned long long v;
	int r = cli_parse_uint(word, min, max, &v);

	if (r == 0)
		*out = (size_t)v;
	return r;
}

struct options {
	struct journey_config cfg;
	bool json, packets;
	const char *size_word, *peer_word, *svg;
	bool via_given;
	bool live, proto_given;
	const char *own_only;  /* an option for nic2app's own messages, given */
	const char *live_only; /* an option of --live, given */
};

/* The options that only --live takes. */
static int parse_live_word(int opt, const char *arg, struct options *o)
{
	struct journey_config *c = &o->cfg;
	size_t n;
	char *end;

	switch (opt) {
	case 'o':
		if (parse_count(arg, 1, 65535, &n))
			return cli_usage_error("journey", "--port must be a whole number from 1 to 65535, not '%s'", arg);
		c->live_port = (uint16_t)n;
		return 0;
	case 'i':
		if (parse_count(arg, 1, INT_MAX, &n))
			return cli_usage_error("journey", "--pid must be a process id, not '%s'", arg);
		c->live_pid = (pid_t)n;
		if (kill(c->live_pid, 0) < 0 && errno == ESRCH) {
			cli_error("journey: --pid: there is no process %d", (int)c->live_pid);
			return EXIT_RUNTIME;
		}
		return 0;
	case 'd':
		if (strlen(arg) >= IF_NAMESIZE || !(c->live_ifindex = (int)if_nametoindex(arg)))
			return cli_usage_error("journey", "--dev: there is no network device '%s' here", arg);
		snprintf(c->live_dev, sizeof(c->live_dev), "%s", arg);
		return 0;
	case 't':
		errno = 0;
		c->live_duration_s = strtod(arg, &end);
		if (errno || end == arg || *end || !isfinite(c->live_duration_s) ||
		    c->live_duration_s <= 0 || c->live_duration_s > 1e6)
			return cli_usage_error("journey", "--duration must be seconds, more than 0 and "
					       "at most 1000000, not '%s'", arg);
		return 0;
	case 'O':
		c->live_overhead = true;
		return 0;
	case 'S':
		c->live_no_sched = true;
		return 0;
	}
	return EXIT_USAGE;
}

static int parse_word(int opt, const char *arg, struct options *o)
{
	struct journey_config *c = &o->cfg;

	switch (opt) {
	case 'p':
		if (strcmp(arg, "udp") && strcmp(arg, "tcp"))
			return cli_usage_error("journey", "--proto must be udp or tcp, not '%s'", arg);
		c->proto = strcmp(arg, "tcp") == 0 ? JOURNEY_TCP : JOURNEY_UDP;
		o->proto_given = true;
		return 0;
	case 'v':
		if (strcmp(arg, "lo") && strcmp(arg, "netns"))
			return cli_usage_error("journey", "--via must be lo or netns, not '%s'", arg);
		c->via = strcmp(arg, "netns") == 0 ? JOURNEY_VIA_NETNS : JOURNEY_VIA_LO;
		o->via_given = true;
		return 0;
	case 'm':
		if (strcmp(arg, "auto") == 0)
			c->method = JOURNEY_METHOD_AUTO;
		else if (strcmp(arg, "tracefs") == 0)
			c->method = JOURNEY_METHOD_TRACEFS;
		else if (strcmp(arg, "timestamping") == 0)
			c->method = JOURNEY_METHOD_TIMESTAMPING;
		else
			return cli_usage_error("journey",
					       "--method must be auto, tracefs or timestamping, not '%s'", arg);
		return 0;
	case 'u':
		if (strcmp(arg, "any") == 0)
			c->cpus = CPUS_ANY;
		else if (strcmp(arg, "same") == 0)
			c->cpus = CPUS_SAME;
		else if (strcmp(arg, "split") == 0)
			c->cpus = CPUS_SPLIT;
		else
			return cli_usage_error("journey", "--cpus must be any, same or split, not '%s'", arg);
		return 0;
	case 's':
		o->size_word = arg; /* checked once --via is known */
		return 0;
	case 'e':
		if (peer_addr_parse(arg, "127.0.0.1", &c->peer, &c->peer_len) < 0 ||
		    ((struct sockaddr_in *)&c->peer)->sin_port == 0)
			return cli_usage_error("journey", "--peer must be HOST:PORT with an IP address "
					       "and a port from 1 to 65535, not '%s'", arg);
		o->peer_word = arg;
		return 0;
	case 'c':
		if (parse_count(arg, 1, MOST_MESSAGES, &c->count))
			return cli_usage_error("journey", "--count must be a whole number from 1 to %d, not '%s'",
					       MOST_MESSAGES, arg);
		return 0;
	}
	return EXIT_USAGE;
}

static int check_size(struct options *o)
{
	static const char *const paths[] = { "lo", "netns", "--peer" };
	size_t min = journey_min_size(o->cfg.via), max = journey_max_size(o->cfg.via);

	if (o->size_word && parse_count(o->size_word, min, max, &o->cfg.size))
		return cli_usage_error("journey", "--size must be a whole number from %zu to %zu over %s "
				       "(one packet), not '%s'", min, max, paths[o->cfg.via], o->size_word);
	if (!o->size_word && o->cfg.size < min)
		o->cfg.size = min;
	return 0;
}

/* The name of an option that only --live takes. */
static const char *live_option_name(int opt)
{
	switch (opt) {
	case 'o': return "--port";
	case 'i': return "--pid";
	case 'd': return "--dev";
	case 't': return "--duration";
	case 'S': return "--no-sched";
	}
	return "--overhead";
}

/* The name of an option for nic2app's own messages, which --live does not take. */
static const char *own_option_name(int opt)
{
	switch (opt) {
	case 's': return "--size";
	case 'c': return "--count";
	case 'v': return "--via";
	case 'm': return "--method";
	case 'u': return "--cpus";
	case 'e': return "--peer";
	}
	return "that option";
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "proto", required_argument, NULL, 'p' }, { "size", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' }, { "via", required_argument, NULL, 'v' },
		{ "method", required_argument, NULL, 'm' }, { "json", no_argument, NULL, 'j' },
		{ "packets", no_argument, NULL, 'P' },     { "cpus", required_argument, NULL, 'u' },
		{ "peer", required_argument, NULL, 'e' },
		{ "svg", required_argument, NULL, 'g' },
		{ "live", no_argument, NULL, 'L' },         { "port", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'i' },    { "dev", required_argument, NULL, 'd' },
		{ "duration", required_argument, NULL, 't' },
		{ "overhead", no_argument, NULL, 'O' },   { "no-sched", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, r;

	o->cfg = (struct journey_config){ .size = DEFAULT_SIZE, .count = DEFAULT_COUNT };
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			usage();
			return -1;
		} else if (opt == 'j') {
			o->json = true;
		} else if (opt == 'P') {
			o->packets = true;
		} else if (opt == 'g') {
			o->svg = optarg;
			o->own_only = "--svg";
		} else if (opt == 'L') {
			o->live = true;
		} else if (opt == '?' || opt == ':') {
			return cli_bad_option("journey", argc, argv, optopt);
		} else if (strchr("oidtOS", opt)) {
			if ((r = parse_live_word(opt, optarg, o)) != 0)
				return r;
			o->live_only = live_option_name(opt);
		} else if ((r = parse_word(opt, optarg, o)) != 0) {
			return r;
		} else if (opt != 'p') {
			o->own_only = own_option_name(opt);
		}
	}
	if (optind < argc)
		return cli_usage_error("journey", "unexpected argument '%s'", argv[optind]);
	if (o->live_only && !o->live)
		return cli_usage_error("journey", "%s goes with --live", o->live_only);
	if (o->live && o->own_only)
		return cli_usage_error("journey", "--live watches traffic nic2app does not send; %s "
				       "is for nic2app's own messages", o->own_only);
	if (o->live) {
		if (o->packets && !o->json)
			return cli_usage_error("journey", "--packets goes with --json");
		o->cfg.via = JOURNEY_VIA_LIVE;
		o->cfg.method = JOURNEY_METHOD_BPF;
		o->cfg.size = o->cfg.count = 0;
		if (!o->proto_given)
			o->cfg.proto = JOURNEY_ANY;
		return 0;
	}
	if (o->peer_word && o->via_given)
		return cli_usage_error("journey", "--peer and --via are two different paths: choose one");
	if (o->peer_word && o->cfg.cpus == CPUS_SPLIT)
		return cli_usage_error("journey", "--cpus split needs the local receiver thread, which --peer does not have");
	if (o->peer_word)
		o->cfg.via = JOURNEY_VIA_PEER;
	if ((r = check_size(o)) != 0)
		return r;
	if (o->packets && !o->json)
		return cli_usage_error("journey", "--packets goes with --json");
	return 0;
}

/* The result as text or JSON on stdout; releases r. The exit code. */
static int print_result(const struct options *o, struct journey_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	int err = 0;

	if (o->json) {
		err = journey_json(&sb, r, o->packets);
		strbuf_addc(&sb, '\n');
	} else {
		journey_report_render(&sb, r, colour_wanted(STDOUT_FILENO));
	}
	if (err)
		cli_error("journey: cannot format the output: %s", strerror(-err));
	else
		cli_emit(&sb);
	strbuf_release(&sb);
	journey_result_release(r);
	return err ? EXIT_RUNTIME : EXIT_OK;
}

/* What a failed --live run means for the user, and the exit status. */
static int explain_live_failure(int err)
{
	if (err == -EINTR) {
		fprintf(stderr, "nic2app journey: stopped by signal %d before watching; nothing is "
			"left loaded\n", (int)cli_stop_signal);
		return 128 + (int)cli_stop_signal;
	}
	return cli_live_failure("journey", err, (const char *const[]){
		"journey --method timestamping works without it", "journey --method tracefs works",
		"journey --method tracefs may work" });
}

/* `journey --live`: watch, then print what was seen (a signal only ends the watch). */
static int run_live(struct options *o)
{
	struct journey_result r;
	struct journey_live *l;
	int err;

	o->cfg.stop = &cli_stop_signal;
	o->cfg.live_packets = o->packets;
	cli_stop_catch();
	err = journey_live_start(&o->cfg, &r, &l);
	if (!err) {
		fprintf(stderr, "nic2app journey: watching%s; Ctrl-C prints what was seen\n",
			o->cfg.live_duration_s > 0 ? " for the duration asked" : "");
		err = journey_live_finish(&o->cfg, l, &r);
	}
	cli_stop_restore();
	if (err < 0) {
		journey_result_release(&r);
		return explain_live_failure(err);
	}
	return print_result(o, &r);
}

/* What a failed run means for the user, and the exit status. */
static int explain_failure(const struct options *o, int err)
{
	bool netns = o->cfg.via == JOURNEY_VIA_NETNS;

	if (err == -EINTR) {
		fprintf(stderr, "nic2app journey: stopped by signal %d; everything it set up is removed\n",
			(int)cli_stop_signal);
		return 128 + (int)cli_stop_signal;
	}
	if (err == -EPERM || err == -EACCES) {
		cli_error("journey: %s needs root (%s); --via lo --method timestamping works without it",
			  netns ? "--via netns" : "--method tracefs",
			  netns ? "CAP_SYS_ADMIN to make network namespaces" : "tracefs is root's");
		return EXIT_NOT_HERE;
	}
	if (err == -EXDEV) {
		cli_error("journey: --cpus split needs two CPUs this process may run on; --cpus same works");
		return EXIT_NOT_HERE;
	}
	if (o->cfg.via == JOURNEY_VIA_PEER && (err == -ECONNREFUSED || err == -ETIMEDOUT ||
					       err == -ENETUNREACH || err == -EHOSTUNREACH ||
					       err == -EIO || err == -ECONNRESET)) {
		cli_error("journey: the peer %s does not answer as `nic2app serve` would: %s",
			  o->peer_word, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (err == -ENODEV || err == -ENOENT) {
		cli_error("journey: this kernel has no tracefs or lacks one of the journey's tracepoints "
			  "(%s); --method timestamping works without them", strerror(-err));
		return EXIT_NOT_HERE;
	}
	if (err == -ENODATA) {
		cli_error("journey: no message was seen at every point (the kernel gave no stamps or "
			  "events for them); try --method %s", o->cfg.method == JOURNEY_METHOD_TIMESTAMPING ?
			  "tracefs as root" : "timestamping");
		return EXIT_RUNTIME;
	}
	cli_error("journey: the run failed: %s", strerror(-err));
	return EXIT_RUNTIME;
}

static int write_svg(const char *path, const struct out_file *out, const struct journey_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	int err = chart_journey_waterfall(&sb, r), code;

	if (err < 0) {
		cli_error("journey: cannot draw the picture: %s", strerror(-err));
		code = EXIT_RUNTIME;
	} else {
		code = cli_output_write("journey", "the picture", path, out, &sb);
	}
	strbuf_release(&sb);
	return code;
}

int cmd_journey(int argc, char **argv)
{
	struct journey_result r;
	struct options o = { 0 };
	struct out_file svg_out;
	int err, code;

	if ((code = parse_options(argc, argv, &o)) != 0)
		return code < 0 ? EXIT_OK : code;
	if (o.live)
		return run_live(&o);
	/* where the picture goes is checked before the run, not found unwritable after it */
	if (o.svg && (code = cli_output_check("journey", "the picture", o.svg, &svg_out)) != 0)
		return code;
	if (o.svg && o.json && out_file_is_stdout(&svg_out))
		return cli_usage_error("journey", "--svg %s and --json both want stdout: give --svg a file",
				       o.svg);
	o.cfg.stop = &cli_stop_signal;
	cli_stop_catch();
	err = journey_run(&o.cfg, &r);
	cli_stop_restore();
	if (err < 0) {
		journey_result_release(&r);
		return explain_failure(&o, err);
	}
	if (o.svg && (code = write_svg(o.svg, &svg_out, &r)) != EXIT_OK) {
		journey_result_release(&r);
		return code;
	}
	if (o.svg && out_file_is_stdout(&svg_out)) { /* the picture alone on stdout */
		journey_result_release(&r);
		return EXIT_OK;
	}
	return print_result(&o, &r);
}
