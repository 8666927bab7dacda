// SPDX-License-Identifier: MIT
/*
 * record_journey: record a short journey over lo for the unit tests of the event matcher,
 * observed two ways at once: the journey's tracepoints in a private tracefs instance, and
 * SO_TIMESTAMPING on the same sockets. The stamps are an independent witness: the matcher
 * must put net_dev_queue, net_dev_start_xmit and netif_rx where the kernel's SCHED, SND and
 * RX stamps of the same message are. Saves every CPU's raw trace pages, the events' format
 * files, and a manifest (threads, the clock offset, and per message: the application's two
 * clock readings and the three stamps). Needs root.
 *
 * Usage: record_journey DIR udp|tcp COUNT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nic2app/echo_pair.h"
#include "nic2app/journey_stamps.h"
#include "nic2app/journey_trace.h"
#include "nic2app/tracefs.h"

#define SIZE 64
#define WARMUP 20

static struct journey_trace trace;

static void die(const char *what, int err)
{
	fprintf(stderr, "record_journey: %s: %s\n", what, strerror(err));
	journey_trace_close(&trace);
	exit(1);
}

static void on_signal(int sig)
{
	journey_trace_close(&trace); /* plain syscalls: removes the instance */
	_exit(128 + sig);
}

static void save_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (in < 0 || out < 0)
		die(from, errno);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die(to, errno);
	close(in);
	close(out);
}

static void save_pages(const char *dir)
{
	char path[PATH_MAX * 2], out[PATH_MAX + 64], page[4096];
	struct dirent *d;
	DIR *cpus;

	snprintf(path, sizeof(path), "%s/per_cpu", trace.tfs->instance);
	if (!(cpus = opendir(path)))
		die(path, errno);
	while ((d = readdir(cpus))) {
		int in, o;
		ssize_t n;

		if (strncmp(d->d_name, "cpu", 3) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/per_cpu/%s/trace_pipe_raw", trace.tfs->instance, d->d_name);
		snprintf(out, sizeof(out), "%s/%s.raw", dir, d->d_name);
		if ((in = open(path, O_RDONLY | O_NONBLOCK)) < 0 ||
		    (o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
			die(path, errno);
		while ((n = read(in, page, sizeof(page))) > 0)
			if (write(o, page, (size_t)n) != n)
				die(out, errno);
		close(in);
		close(o);
	}
	closedir(cpus);
}

static void save_formats(const char *dir)
{
	char from[PATH_MAX * 2], to[PATH_MAX + 64];

	for (int k = 0; k < JE_KINDS; k++) {
		const char *name = jevent_tracefs_name(k);

		snprintf(from, sizeof(from), "%s/events/%s/format", trace.tfs->instance, name);
		snprintf(to, sizeof(to), "%s/format_%s", dir, strchr(name, '/') + 1);
		save_file(from, to);
	}
}

int main(int argc, char **argv)
{
	enum journey_proto proto;
	struct journey_stamps stamps;
	struct clock_offset offset;
	struct echo_pair e;
	const char *lo[] = { "lo", NULL };
	uint64_t *sent;
	size_t count;
	char path[PATH_MAX];
	FILE *m;
	int err;

	if (argc != 4 || (strcmp(argv[2], "udp") && strcmp(argv[2], "tcp")) ||
	    !(count = strtoul(argv[3], NULL, 10))) {
		fprintf(stderr, "usage: record_journey DIR udp|tcp COUNT\n");
		return 2;
	}
	proto = strcmp(argv[2], "tcp") == 0 ? JOURNEY_TCP : JOURNEY_UDP;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!(sent = calloc(count, sizeof(*sent))))
		die("calloc", ENOMEM);
	if ((err = echo_pair_open(&e, proto, SIZE, WARMUP + count, NULL)) < 0)
		die("echo pair", -err);
	if ((err = journey_trace_open(&trace, gettid(), e.server_tid, lo)) < 0)
		die("tracefs", -err);
	if ((err = journey_stamps_enable(e.client_fd, e.server_fd, proto)) < 0 ||
	    (err = journey_stamps_init(&stamps, proto, SIZE, WARMUP, count)) < 0)
		die("SO_TIMESTAMPING", -err);
	clock_offset_measure(&offset, 1000);
	for (size_t i = 0; i < WARMUP + count; i++) {
		uint64_t at, back;
		int cpu;

		if (i == WARMUP && (err = journey_trace_start(&trace)) < 0)
			die("tracing_on", -err);
		if ((err = echo_pair_round(&e, &at, &back, &cpu)) < 0 ||
		    (err = journey_stamps_drain(&stamps, e.client_fd)) < 0)
			die("round trip", -err);
		if (i >= WARMUP)
			sent[i - WARMUP] = at;
	}
	tracefs_write(trace.tfs, "tracing_on", "0");
	save_formats(argv[1]);
	save_pages(argv[1]);
	snprintf(path, sizeof(path), "%s/manifest", argv[1]);
	if (!(m = fopen(path, "w")))
		die(path, errno);
	fprintf(m, "proto %s\nsize %d\nsender_tid %d\nreceiver_tid %d\noffset_ns %" PRId64 "\n",
		argv[2], SIZE, (int)gettid(), (int)e.server_tid, offset.realtime_minus_monotonic_ns);
	journey_trace_close(&trace);
	echo_pair_close(&e);
	for (size_t i = 0; i < count; i++)
		fprintf(m, "packet %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64 " %" PRId64 "\n",
			sent[i], e.recv_at[WARMUP + i], stamps.tx[i].sched_ns, stamps.tx[i].snd_ns,
			e.rx_stamp_ns[WARMUP + i]);
	fclose(m);
	echo_pair_release(&e);
	journey_stamps_release(&stamps);
	free(sent);
	return 0;
}
