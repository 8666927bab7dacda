// SPDX-License-Identifier: MIT
/* exporter_live: the --live options of `nic2app exporter`, and starting its BPF observer. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "exporter_live.h"

bool exporter_live_option(int opt)
{
	return opt >= OPT_LIVE_PORT && opt <= OPT_LIVE_NO_SCHED;
}

int exporter_live_parse(int opt, const char *name, const char *arg, struct exporter_live *x)
{
	unsigned long long n;

	x->option = name;
	switch (opt) {
	case OPT_LIVE_PORT:
		if (cli_parse_uint(arg, 1, 65535, &n) < 0)
			return cli_usage_error("exporter", "--live-port must be a whole number from 1 "
					       "to 65535, not '%s'", arg);
		x->filter.port = (uint16_t)n;
		return 0;
	case OPT_LIVE_PID:
		if (cli_parse_pid(arg, &x->filter.pid) < 0)
			return cli_usage_error("exporter", "--live-pid must be a process id, not '%s'",
					       arg);
		if (kill(x->filter.pid, 0) < 0 && errno == ESRCH) {
			cli_error("exporter: --live-pid: there is no process %d", (int)x->filter.pid);
			return EXIT_RUNTIME;
		}
		return 0;
	case OPT_LIVE_DEV:
		if (strlen(arg) >= IF_NAMESIZE || !(x->filter.ifindex = (int)if_nametoindex(arg)))
			return cli_usage_error("exporter", "--live-dev: there is no network device "
					       "'%s' here", arg);
		snprintf(x->dev, sizeof(x->dev), "%s", arg);
		return 0;
	case OPT_LIVE_PROTO:
		if (strcmp(arg, "udp") && strcmp(arg, "tcp"))
			return cli_usage_error("exporter", "--live-proto must be udp or tcp, not '%s'",
					       arg);
		x->filter.ip_proto = arg[0] == 'u' ? IPPROTO_UDP : IPPROTO_TCP;
		return 0;
	case OPT_LIVE_NO_SCHED:
		x->filter.no_sched = true;
		return 0;
	}
	return EXIT_USAGE;
}

/* One line on stderr: what the programs watch, for the operator's log. */
static void describe(const struct exporter_live *x)
{
	const struct journey_live_filter *f = &x->filter;

	fprintf(stderr, "nic2app exporter: --live: BPF programs attached, timing %s packets",
		f->ip_proto == IPPROTO_UDP ? "UDP" : f->ip_proto == IPPROTO_TCP ? "TCP" :
		"UDP and TCP");
	if (f->port)
		fprintf(stderr, " with port %u at either end", (unsigned)f->port);
	if (f->pid)
		fprintf(stderr, " that process %d sends or reads", (int)f->pid);
	if (x->dev[0])
		fprintf(stderr, " through %s", x->dev);
	fprintf(stderr, "%s\n", f->no_sched ? " (without the scheduler's tracepoints)" : "");
}

int exporter_live_start(const struct exporter_live *x, struct journey_live **out)
{
	int err = journey_live_open(out, &x->filter);

	if (!err && (err = journey_live_attach(*out)) < 0) {
		journey_live_close(*out);
		*out = NULL;
	}
	if (!err) {
		describe(x);
		return EXIT_OK;
	}
	return cli_live_failure("exporter", err, (const char *const[]){
		"without --live the fd, socket and system metrics work",
		"without --live the other metrics work",
		"without --live the other metrics work" });
}
