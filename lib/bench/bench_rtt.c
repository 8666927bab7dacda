// SPDX-License-Identifier: MIT
/*
 * bench_rtt: 64-byte ping-pong, always timed as a whole round trip (sockperf halves it by
 * default; we never do). TCP and UDP over loopback and a UNIX stream pair, each three ways:
 *   blocking   the two ends on two CPUs, each sleeping in recv(): every message wakes the
 *              other CPU (on a VM, a vCPU), which is what most of the time goes to;
 *   pinned     both ends on one CPU, sleeping in recv(): a wake-up is a context switch;
 *   busy_poll  the two ends on two CPUs, each spinning on recv(MSG_DONTWAIT): no sleep,
 *              no wake-up (SO_BUSY_POLL needs a NAPI device, which loopback is not, so the
 *              spinning is done in user space).
 * With --peer, TCP and UDP round trips to a `nic2app serve`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic2app/bench.h"
#include "nic2app/clock.h"
#include "nic2app/cpu_place.h"
#include "nic2app/echo_pair.h"
#include "nic2app/loopback.h"

#define MSG 64
#define WARMUP 500
#define MODULE_RTT "~50 \u00b5s"

enum rtt_kind { RTT_TCP, RTT_UDP, RTT_UNIX };
enum rtt_mode { MODE_BLOCKING, MODE_PINNED, MODE_BUSY_POLL };

static const char *const kind_names[] = { "tcp_lo", "udp_lo", "unix_stream" };
static const char *const mode_names[] = { "blocking", "pinned", "busy_poll" };
static const char *const mode_what[] = {
	"64 B there and back, the two ends on two CPUs, each sleeping in recv()",
	"64 B there and back, both ends pinned to one CPU, each sleeping in recv()",
	"64 B there and back, the two ends on two CPUs, each spinning on recv(MSG_DONTWAIT)",
};

struct pingpong {
	int fd[2];                /* [0] the client's, [1] the server's */
	bool spin;
	int server_cpu;
	int err;                  /* the server's */
	int done;                 /* set (atomically) when the client is finished: a spinning
				   * UDP receiver never sees the shutdown, only EAGAIN */
};

/* Receive exactly len bytes; spinning on MSG_DONTWAIT when spin. 0 when the peer is gone
 * or *done is set. */
static ssize_t recv_all(int fd, unsigned char *buf, size_t len, bool spin, const int *done)
{
	size_t got = 0;

	while (got < len) {
		if (done && __atomic_load_n(done, __ATOMIC_RELAXED))
			return 0;
		ssize_t n = recv(fd, buf + got, len - got, spin ? MSG_DONTWAIT : 0);

		if (n > 0)
			got += (size_t)n;
		else if (n == 0)
			return 0;
		else if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return (ssize_t)got;
}

static void *serve(void *arg)
{
	struct pingpong *pp = arg;
	unsigned char buf[MSG];
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	if (pp->server_cpu >= 0)
		cpu_place_pin(0, pp->server_cpu, NULL);
	for (;;) {
		ssize_t n = recv_all(pp->fd[1], buf, MSG, pp->spin, &pp->done);

		if (n <= 0) {
			pp->err = (int)n;
			break;
		}
		if (send(pp->fd[1], buf, MSG, MSG_NOSIGNAL) != MSG) {
			pp->err = -errno;
			break;
		}
	}
	return NULL;
}

static int udp_fds(int fd[2])
{
	struct sockaddr_in a[2];

	for (int i = 0; i < 2; i++) {
		socklen_t len = sizeof(a[i]);

		a[i] = (struct sockaddr_in){ .sin_family = AF_INET,
					     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		if ((fd[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
		    bind(fd[i], (struct sockaddr *)&a[i], sizeof(a[i])) < 0 ||
		    getsockname(fd[i], (struct sockaddr *)&a[i], &len) < 0)
			return -errno;
	}
	if (connect(fd[0], (struct sockaddr *)&a[1], sizeof(a[1])) < 0 ||
	    connect(fd[1], (struct sockaddr *)&a[0], sizeof(a[0])) < 0)
		return -errno;
	return 0;
}

static int make_fds(enum rtt_kind k, int fd[2])
{
	fd[0] = fd[1] = -1;
	if (k == RTT_TCP)
		return loopback_tcp_pair(fd);
	if (k == RTT_UDP)
		return udp_fds(fd);
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) < 0 ? -errno : 0;
}

/* The client's rounds; each measured one into s and the result's histogram. */
static int client_rounds(const struct bench_opts *o, struct pingpong *pp, size_t rounds,
			 struct samples *s, struct bench_result *res)
{
	unsigned char buf[MSG] = { 0 };

	for (size_t i = 0; i < WARMUP + rounds; i++) {
		uint64_t t0 = monotonic_ns();
		ssize_t n;
		int err;

		if (send(pp->fd[0], buf, MSG, MSG_NOSIGNAL) != MSG)
			return -errno;
		if ((n = recv_all(pp->fd[0], buf, MSG, pp->spin, NULL)) <= 0)
			return n < 0 ? (int)n : -EPIPE;
		if (i < WARMUP)
			continue;
		if ((err = samples_add(s, (double)(monotonic_ns() - t0))) < 0)
			return err;
		bench_hist_add(res, s->v[s->n - 1]);
		if ((i & 1023) == 0 && o->stop && *o->stop)
			return -EINTR;
	}
	return 0;
}

/* One kind in one mode: a server thread, the client in this thread (pinned, given back). */
static int measure(const struct bench_opts *o, enum rtt_kind k, enum rtt_mode m, int cpu[2],
		   size_t rounds, struct bench_result *res)
{
	struct pingpong pp = { .spin = m == MODE_BUSY_POLL,
			       .server_cpu = m == MODE_PINNED ? cpu[0] : cpu[1] };
	struct samples s = SAMPLES_INIT;
	cpu_set_t saved;
	pthread_t thread;
	int err = make_fds(k, pp.fd), started = 0;

	if (!err && (err = cpu_place_pin(0, cpu[0], &saved)) == 0) {
		started = !(err = -pthread_create(&thread, NULL, serve, &pp));
		if (started)
			err = client_rounds(o, &pp, rounds, &s, res);
		cpu_place_restore(0, &saved);
	}
	__atomic_store_n(&pp.done, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++)
		if (pp.fd[i] >= 0)
			shutdown(pp.fd[i], SHUT_RDWR); /* a sleeping server's recv returns 0 */
	if (started)
		pthread_join(thread, NULL);
	for (int i = 0; i < 2; i++)
		if (pp.fd[i] >= 0)
			close(pp.fd[i]);
	if (!err && (err = samples_summarize(&s, &res->dist)) == 0)
		res->value = res->dist.p50;
	samples_release(&s);
	return err;
}

static int local_rtt(const struct bench_opts *o, struct bench_results *out)
{
	size_t rounds = o->quick ? 2000 : 20000;
	int cpu[2], err;

	if ((err = cpu_place_pick(CPUS_SPLIT, &cpu[0], &cpu[1])) < 0 && err != -ENODEV)
		return err;
	for (int k = RTT_TCP; k <= RTT_UNIX; k++)
		for (int m = MODE_BLOCKING; m <= MODE_BUSY_POLL; m++) {
			struct bench_result *res;
			char name[48];

			if (m != MODE_PINNED && cpu[0] == cpu[1])
				continue; /* one CPU: the machine section says so */
			snprintf(name, sizeof(name), "rtt.%s.%s", kind_names[k], mode_names[m]);
			if (o->progress)
				o->progress(o->progress_ctx, name);
			if (!(res = bench_result_new(out, name, "ns")))
				return -ENOMEM;
			res->mode = mode_names[m];
			res->what = mode_what[m];
			res->module_typical = MODULE_RTT;
			res->full_round_trip = true;
			if ((err = measure(o, k, m, cpu, rounds, res)) < 0)
				return err;
			res->ends = (struct bench_ends){ .known = true, .client_cpu = cpu[0],
							 .server_cpu = m == MODE_PINNED ? cpu[0] : cpu[1] };
			snprintf(res->note, sizeof(res->note), "a full round trip; %zu of them after "
				 "%d to warm up; CPUs %d and %d", rounds, WARMUP, cpu[0],
				 m == MODE_PINNED ? cpu[0] : cpu[1]);
		}
	return 0;
}

/* Whether addr is one of this machine's own (in this namespace): binding to it works. */
static bool address_is_local(const struct sockaddr_storage *addr, socklen_t len)
{
	struct sockaddr_storage a = *addr;
	int fd = socket(a.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool local;

	if (fd < 0)
		return false;
	if (a.ss_family == AF_INET)
		((struct sockaddr_in *)&a)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&a)->sin6_port = 0;
	local = bind(fd, (struct sockaddr *)&a, len) == 0;
	close(fd);
	return local;
}

/* The client's CPU at the end of one measured round (it is not pinned). */
static void client_cpu_seen(struct bench_ends *ends, int cpu, int *last)
{
	if (cpu >= 0 && cpu < BENCH_MAX_CPUS)
		ends->client_on[cpu]++;
	ends->client_moves += *last >= 0 && cpu != *last;
	*last = cpu;
}

/* With --peer: round trips to `nic2app serve` (echo frames over TCP, magic datagrams). */
static int peer_rtt(const struct bench_opts *o, struct bench_results *out)
{
	static const char *const names[] = { "rtt.tcp_peer", "rtt.udp_peer" };
	size_t rounds = o->quick ? 2000 : 20000;

	for (int k = 0; k < 2; k++) {
		struct samples s = SAMPLES_INIT;
		struct bench_result *res = bench_result_new(out, names[k], "ns");
		struct echo_pair e;
		int err, cpu, last = -1;

		if (!res)
			return -ENOMEM;
		/* this end is left to the scheduler, as the peer is: say where it ran */
		res->ends = (struct bench_ends){ .known = true, .client_cpu = -1, .server_cpu = -1,
						 .server_is_peer = true,
						 .peer_on_this_machine = address_is_local(o->peer, o->peer_len) };
		err = echo_pair_connect(&e, k == 0 ? JOURNEY_TCP : JOURNEY_UDP, MSG,
					(const struct sockaddr *)o->peer, o->peer_len);
		for (size_t i = 0; !err && i < WARMUP + rounds; i++) {
			uint64_t sent, back;

			if (!(err = echo_pair_round(&e, &sent, &back, &cpu)) && i >= WARMUP) {
				err = samples_add(&s, (double)(back - sent));
				bench_hist_add(res, (double)(back - sent));
				client_cpu_seen(&res->ends, cpu, &last);
			}
		}
		echo_pair_close(&e);
		echo_pair_release(&e);
		if (!err && (err = samples_summarize(&s, &res->dist)) == 0)
			res->value = res->dist.p50;
		samples_release(&s);
		if (err < 0)
			return err;
		res->mode = "blocking";
		res->full_round_trip = true;
		res->module_typical = MODULE_RTT;
		res->what = "64 B there and back to a `nic2app serve` (its protocol's bytes included)";
	}
	return 0;
}

int bench_rtt(const struct bench_opts *o, struct bench_results *out)
{
	int err = local_rtt(o, out);

	return err < 0 || !o->peer ? err : peer_rtt(o, out);
}
