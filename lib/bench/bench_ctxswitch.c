// SPDX-License-Identifier: MIT
/*
 * bench_ctxswitch: pipe ping-pong between two processes on one CPU (see ctxswitch.h). The
 * calling thread pins itself before fork(), so the child inherits the same single CPU. The
 * child echoes bytes until its pipe is closed, and dies with its parent (PR_SET_PDEATHSIG);
 * it is always reaped here, and killed first when the run fails or is stopped. SIGPIPE is
 * blocked in the calling thread meanwhile, so a child that died makes a write fail (EPIPE)
 * instead of killing the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nic2app/bench.h"
#include "nic2app/clock.h"
#include "nic2app/cpu_place.h"
#include "nic2app/ctxswitch.h"

#define BATCHES 500
#define QUICK_BATCHES 100
#define BATCH 200

struct pingpong {
	int to_child[2];
	int to_parent[2];
	int own[2];      /* the parent's own pipe: write + read with no switch */
	pid_t child;
};

/* One byte through fd; EOF (the other end is gone) is -EPIPE. */
static int move_byte(int fd, bool out)
{
	char c = 'p';
	ssize_t n;

	do
		n = out ? write(fd, &c, 1) : read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : n < 0 ? -errno : -EPIPE;
}

/* The child: echo every byte until the parent closes its end. Async-signal-safe calls
 * only, since the parent may have other threads. */
__attribute__((noreturn)) static void child_echo(const struct pingpong *p, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	close(p->to_child[1]);
	close(p->to_parent[0]);
	close(p->own[0]);
	close(p->own[1]);
	for (;;) {
		int r = move_byte(p->to_child[0], false);

		if (r == -EPIPE)
			_exit(0);
		if (r < 0 || move_byte(p->to_parent[1], true) < 0)
			_exit(1);
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void pingpong_close(struct pingpong *p)
{
	for (int i = 0; i < 2; i++) {
		close_fd(&p->to_child[i]);
		close_fd(&p->to_parent[i]);
		close_fd(&p->own[i]);
	}
}

static int pingpong_open(struct pingpong *p)
{
	pid_t parent = getpid();

	*p = (struct pingpong){ .to_child = { -1, -1 }, .to_parent = { -1, -1 },
				.own = { -1, -1 } };
	if (pipe2(p->to_child, O_CLOEXEC) < 0 || pipe2(p->to_parent, O_CLOEXEC) < 0 ||
	    pipe2(p->own, O_CLOEXEC) < 0)
		return -errno;
	p->child = fork();
	if (p->child < 0)
		return -errno;
	if (p->child == 0)
		child_echo(p, parent);
	close_fd(&p->to_child[0]);
	close_fd(&p->to_parent[1]);
	return 0;
}

/* Close the pipes (the child reads EOF and leaves), kill it first if asked, and reap it. */
static int pingpong_end(struct pingpong *p, bool kill_child)
{
	int status = 0, r = 0;

	if (p->child > 0 && kill_child)
		kill(p->child, SIGKILL);
	pingpong_close(p);
	if (p->child <= 0)
		return 0;
	while (waitpid(p->child, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!kill_child && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = -ECHILD;
	return r;
}

/* Time n round trips through the child, or n write+read pairs on the own pipe. */
static int time_batch(const struct pingpong *p, unsigned int n, bool own, double *ns_each)
{
	int out_fd = own ? p->own[1] : p->to_child[1];
	int in_fd = own ? p->own[0] : p->to_parent[0];
	uint64_t t0 = monotonic_ns();
	int r;

	for (unsigned int i = 0; i < n; i++)
		if ((r = move_byte(out_fd, true)) < 0 || (r = move_byte(in_fd, false)) < 0)
			return r;
	*ns_each = (double)(monotonic_ns() - t0) / n;
	return 0;
}

/* Warm-up, then batches of both kinds, interleaved so that both see the same CPU speed. */
static int run_batches(const struct pingpong *p, const struct ctxswitch_opts *o,
		       struct samples *rt, struct samples *own)
{
	size_t warmup = o->batches / 10 + 1;
	double ns;
	int r;

	for (size_t i = 0; i < warmup + o->batches; i++) {
		if (o->stop && *o->stop)
			return -EINTR;
		if ((r = time_batch(p, o->batch, true, &ns)) < 0 ||
		    (i >= warmup && (r = samples_add(own, ns)) < 0))
			return r;
		if ((r = time_batch(p, o->batch, false, &ns)) < 0 ||
		    (i >= warmup && (r = samples_add(rt, ns)) < 0))
			return r;
	}
	return 0;
}

/* switch = round trip / 2 - (write + read), per batch, against the run's own p50. */
static int derive(struct samples *rt, struct samples *own, struct ctxswitch_result *out)
{
	struct samples sw = SAMPLES_INIT;
	struct summary s;
	int r;

	if ((r = samples_summarize(own, &s)) < 0)
		return r;
	out->pipe_ns = s.p50;
	for (size_t i = 0; i < rt->n && r == 0; i++)
		r = samples_add(&sw, rt->v[i] / 2 - out->pipe_ns);
	if (r == 0 && (r = samples_summarize(&sw, &out->switch_ns)) == 0 &&
	    (r = samples_summarize(rt, &s)) == 0)
		out->round_trip_ns = s.p50;
	samples_release(&sw);
	return r;
}

/* The measurement proper, with SIGPIPE blocked and the CPU pinned. */
static int measure_pinned(const struct ctxswitch_opts *o, struct ctxswitch_result *out)
{
	struct samples rt = SAMPLES_INIT, own = SAMPLES_INIT;
	struct pingpong p;
	int r, end;

	r = pingpong_open(&p);
	out->child = p.child > 0 ? p.child : 0;
	if (r == 0)
		r = run_batches(&p, o, &rt, &own);
	end = pingpong_end(&p, r < 0);
	if (r == 0)
		r = end < 0 ? end : derive(&rt, &own, out);
	samples_release(&rt);
	samples_release(&own);
	return r;
}

int ctxswitch_measure(const struct ctxswitch_opts *o, struct ctxswitch_result *out)
{
	struct timespec zero = { 0 };
	sigset_t pipe_set, old;
	cpu_set_t saved;
	int r, other;

	*out = (struct ctxswitch_result){ .cpu = -1 };
	if (o->batches == 0 || o->batch == 0)
		return -EINVAL;
	if ((r = cpu_place_pick(CPUS_SAME, &out->cpu, &other)) < 0 ||
	    (r = cpu_place_pin(0, out->cpu, &saved)) < 0)
		return r;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	r = measure_pinned(o, out);
	if (!sigismember(&old, SIGPIPE)) {
		/* a SIGPIPE raised meanwhile must not reach the caller once unblocked */
		while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
			;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	cpu_place_restore(0, &saved);
	return r;
}

int bench_ctxswitch(const struct bench_opts *o, struct bench_results *out)
{
	struct ctxswitch_opts co = { .batches = o->quick ? QUICK_BATCHES : BATCHES,
				     .batch = BATCH, .stop = o->stop };
	struct ctxswitch_result cr;
	struct bench_result *res;
	int r;

	if (o->progress)
		o->progress(o->progress_ctx, "ctxswitch: pipe ping-pong");
	if ((r = ctxswitch_measure(&co, &cr)) < 0)
		return r;
	if (!(res = bench_result_new(out, "ctxswitch.pipe", "ns")))
		return -ENOMEM;
	res->value = cr.switch_ns.p50;
	res->dist = cr.switch_ns;
	res->what = "two processes on one CPU, 1-byte pipe ping-pong: one switch = round trip / 2 "
		    "- (write + read on an own pipe, no switch)";
	snprintf(res->note, sizeof(res->note),
		 "CPU %d; round trip %.0f ns less 2 x %.0f ns of pipe write+read, measured in the "
		 "same run; includes the wake-up; %zu batches of %u",
		 cr.cpu, cr.round_trip_ns, cr.pipe_ns, co.batches, co.batch);
	return 0;
}
