// SPDX-License-Identifier: MIT
/*
 * test_bench_ctxswitch: the pipe ping-pong gives a positive, finite switch cost, smaller
 * than half a round trip; the child is gone afterwards (no process in /proc has this test
 * as its parent, zombies included) whether the run ends, is stopped through the stop flag
 * (-EINTR), or loses its child to a SIGKILL (-EPIPE, and no SIGPIPE kills the test). The
 * suite gives ctxswitch.pipe in ns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/bench.h"
#include "nic2app/ctxswitch.h"

/* The parent of process pid (from /proc/PID/stat), or -1 when it is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *end;
	FILE *f;
	int ppid = -1;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses */
	if ((end = strrchr(buf, ')')) && sscanf(end + 1, " %*c %d", &ppid) != 1)
		ppid = -1;
	return ppid;
}

/* A child of this process (zombie or not), or 0 when there is none. */
static pid_t some_child(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	assert_non_null(d);
	while (!found && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) && parent_of(atoi(e->d_name)) == getpid())
			found = atoi(e->d_name);
	closedir(d);
	return found;
}

static void test_measure(void **state)
{
	struct ctxswitch_opts o = { .batches = 50, .batch = 100 };
	struct ctxswitch_result r;

	(void)state;
	assert_int_equal(ctxswitch_measure(&o, &r), 0);
	assert_true(r.child > 0);
	assert_int_equal(some_child(), 0);
	assert_int_equal(parent_of(r.child) == getpid(), 0);
	assert_int_equal(r.switch_ns.n, 50);
	assert_true(isfinite(r.switch_ns.p50) && r.switch_ns.p50 > 0);
	assert_true(r.switch_ns.min <= r.switch_ns.p50 && r.switch_ns.p50 <= r.switch_ns.max);
	assert_true(isfinite(r.pipe_ns) && r.pipe_ns > 0);
	/* a round trip is two switches plus two write+read pairs */
	assert_true(r.round_trip_ns > 2 * r.pipe_ns);
	assert_true(r.switch_ns.p50 < r.round_trip_ns / 2);
	assert_true(r.cpu >= 0);
	print_message("switch %.0f ns (round trip %.0f ns, pipe write+read %.0f ns, CPU %d)\n",
		      r.switch_ns.p50, r.round_trip_ns, r.pipe_ns, r.cpu);
}

static void test_suite_result(void **state)
{
	struct bench_opts o = { .quick = true };
	struct bench_results res = { 0 };
	const struct bench_result *x;

	(void)state;
	assert_int_equal(bench_ctxswitch(&o, &res), 0);
	assert_int_equal(res.n, 1);
	x = &res.v[0];
	assert_string_equal(x->name, "ctxswitch.pipe");
	assert_string_equal(x->unit, "ns");
	assert_true(isfinite(x->value) && x->value > 0);
	assert_true(x->value == x->dist.p50);
	assert_true(x->dist.n > 0);
	assert_non_null(strstr(x->what, "write + read"));
	assert_non_null(strstr(x->note, "same run"));
	assert_int_equal(some_child(), 0);
	bench_results_release(&res);
}

/* Another thread acts once the child exists: raises the stop flag, or kills the child. */
struct actor {
	volatile sig_atomic_t *stop;
	bool kill_child;
	pid_t seen;
};

static void *act(void *arg)
{
	struct actor *a = arg;
	struct timespec ms = { .tv_nsec = 1000000 };

	for (int i = 0; i < 5000 && !a->seen; i++) {
		a->seen = some_child();
		nanosleep(&ms, NULL);
	}
	ms.tv_nsec = 20000000; /* let a few batches run */
	nanosleep(&ms, NULL);
	if (a->kill_child && a->seen)
		kill(a->seen, SIGKILL);
	else
		*a->stop = 1;
	return NULL;
}

static int run_with_actor(bool kill_child, struct ctxswitch_result *r, struct actor *a)
{
	volatile sig_atomic_t stop = 0;
	struct ctxswitch_opts o = { .batches = 1000000, .batch = 100, .stop = &stop };
	pthread_t th;
	int ret;

	*a = (struct actor){ .stop = &stop, .kill_child = kill_child };
	assert_int_equal(pthread_create(&th, NULL, act, a), 0);
	ret = ctxswitch_measure(&o, r);
	stop = 1;
	pthread_join(th, NULL);
	return ret;
}

static void test_stop_reaps_child(void **state)
{
	volatile sig_atomic_t stop = 1;
	struct ctxswitch_opts o = { .batches = 10, .batch = 10, .stop = &stop };
	struct ctxswitch_result r;
	struct actor a;

	(void)state;
	assert_int_equal(run_with_actor(false, &r, &a), -EINTR);
	assert_true(a.seen > 0);
	assert_int_equal(r.child, a.seen);
	assert_int_equal(some_child(), 0);
	/* stopped before the first batch: the child was made, and is gone */
	assert_int_equal(ctxswitch_measure(&o, &r), -EINTR);
	assert_true(r.child > 0);
	assert_int_equal(some_child(), 0);
}

static void test_killed_child(void **state)
{
	struct ctxswitch_result r;
	struct actor a;

	(void)state;
	assert_int_equal(run_with_actor(true, &r, &a), -EPIPE);
	assert_int_equal(r.child, a.seen);
	assert_int_equal(some_child(), 0);
}

static void test_invalid(void **state)
{
	struct ctxswitch_opts o = { .batches = 0, .batch = 10 };
	struct ctxswitch_result r;

	(void)state;
	assert_int_equal(ctxswitch_measure(&o, &r), -EINVAL);
	assert_int_equal(r.child, 0);
	assert_int_equal(some_child(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_suite_result),
		cmocka_unit_test(test_stop_reaps_child),
		cmocka_unit_test(test_killed_child),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
