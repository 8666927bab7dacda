// SPDX-License-Identifier: MIT
/*
 * record_trace: record a loopback packet's tracepoints for the unit tests of the raw trace
 * reader. In a private tracefs instance on the mono clock it enables the journey's net, sock
 * and skb events, sends one UDP datagram and 100 TCP bytes over lo, then saves: the text
 * `trace` (the kernel's own rendering, the tests' ground truth), every CPU's binary
 * trace_pipe_raw pages, and the format files that say where each field lies. Needs root.
 *
 * Usage: record_trace DIR
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/tracefs.h"

static const char *const events[] = {
	"net/net_dev_queue", "net/net_dev_start_xmit", "net/netif_rx", "net/netif_receive_skb",
	"sock/sk_data_ready", "skb/skb_copy_datagram_iovec",
};

static struct tracefs t;

static void die(const char *what)
{
	fprintf(stderr, "record_trace: %s: %s\n", what, strerror(errno));
	tracefs_close(&t);
	exit(1);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (in < 0 || out < 0)
		die(from);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die(to);
	close(in);
	close(out);
}

static void traffic(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int u = socket(AF_INET, SOCK_DGRAM, 0), v = socket(AF_INET, SOCK_DGRAM, 0);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s = -1;
	char buf[128];

	memset(buf, 'x', sizeof(buf));
	if (bind(u, (struct sockaddr *)&a, sizeof(a)) || getsockname(u, (struct sockaddr *)&a, &len) ||
	    sendto(v, buf, 64, 0, (struct sockaddr *)&a, sizeof(a)) != 64 || recv(u, buf, sizeof(buf), 0) != 64)
		die("udp");
	a.sin_port = 0;
	len = sizeof(a);
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) || connect(c, (struct sockaddr *)&a, sizeof(a)) ||
	    (s = accept(l, NULL, NULL)) < 0 || send(c, buf, 100, 0) != 100 ||
	    recv(s, buf, 100, MSG_WAITALL) != 100)
		die("tcp");
	close(u), close(v), close(l), close(c), close(s);
}

static void save_raw(const char *dir)
{
	char path[PATH_MAX * 2], out[PATH_MAX], page[4096];
	struct dirent *d;
	DIR *cpus;

	snprintf(path, sizeof(path), "%s/per_cpu", t.instance);
	if (!(cpus = opendir(path)))
		die(path);
	while ((d = readdir(cpus))) {
		ssize_t n;
		int in, o = -1;

		if (strncmp(d->d_name, "cpu", 3) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/per_cpu/%s/trace_pipe_raw", t.instance, d->d_name);
		if ((in = open(path, O_RDONLY | O_NONBLOCK)) < 0)
			die(path);
		while ((n = read(in, page, sizeof(page))) > 0) {
			snprintf(out, sizeof(out), "%s/%s.raw", dir, d->d_name);
			if (o < 0 && (o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
				die(out);
			if (write(o, page, (size_t)n) != n)
				die(out);
		}
		close(in);
		if (o >= 0)
			close(o);
	}
	closedir(cpus);
}

/* Killed halfway, still leave nothing behind (the calls in tracefs_close are plain syscalls). */
static void on_signal(int sig)
{
	tracefs_close(&t);
	_exit(128 + sig);
}

int main(int argc, char **argv)
{
	char path[PATH_MAX * 2], out[PATH_MAX];

	if (argc != 2) {
		fprintf(stderr, "usage: record_trace DIR\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if ((errno = -tracefs_open(&t)))
		die("tracefs");
	if (tracefs_write(&t, "trace_clock", "mono") || tracefs_write(&t, "buffer_size_kb", "1024"))
		die("trace_clock");
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		const char *filter = strncmp(events[i], "net/", 4) == 0 ? "name == \"lo\"" : NULL;

		if ((errno = -tracefs_enable_event(&t, events[i], filter)))
			die(events[i]);
		snprintf(path, sizeof(path), "%s/events/%s/format", t.instance, events[i]);
		snprintf(out, sizeof(out), "%s/format_%s", argv[1], strchr(events[i], '/') + 1);
		copy_file(path, out);
	}
	snprintf(path, sizeof(path), "%s/events/header_page", t.root);
	snprintf(out, sizeof(out), "%s/header_page", argv[1]);
	copy_file(path, out);
	tracefs_write(&t, "tracing_on", "1");
	traffic();
	tracefs_write(&t, "tracing_on", "0");
	/* the text first: reading trace_pipe_raw consumes the events */
	snprintf(path, sizeof(path), "%s/trace", t.instance);
	snprintf(out, sizeof(out), "%s/trace.txt", argv[1]);
	copy_file(path, out);
	save_raw(argv[1]);
	return tracefs_close(&t) ? 1 : 0;
}
