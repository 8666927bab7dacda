// SPDX-License-Identifier: MIT
/*
 * test_tracefs: a private tracing instance is created, records a loopback packet's
 * net_dev_queue event on the mono clock, and leaves nothing behind: no instance, and tracefs
 * unmounted again if the test had to mount it. Stale instances of dead nic2app processes are
 * swept, also that of a killed one its parent has not reaped yet (a zombie). Needs root:
 * skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nic2app/proc_pid.h"
#include "nic2app/trace_raw.h"
#include "nic2app/tracefs.h"
#include <time.h>

/* What a test opened, so teardown undoes it even when an assertion ends the test early. */
static struct tracefs opened;
static char stale[PATH_MAX * 2];

static int teardown(void **state)
{
	(void)state;
	if (stale[0])
		rmdir(stale);
	stale[0] = '\0';
	return tracefs_close(&opened);
}

static bool mounted(const char *root)
{
	char line[512], dir[256], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");
	bool found = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %255s %63s", dir, type) == 2 && strcmp(dir, root) == 0 &&
		    strcmp(type, "tracefs") == 0)
			found = true;
	fclose(f);
	return found;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int open_or_skip(struct tracefs *t)
{
	int r;

	if (geteuid() != 0) {
		print_message("tracefs needs root: skipped\n");
		skip();
	}
	r = tracefs_open(t);
	if (r == -ENODEV) {
		print_message("no tracefs in this kernel: skipped\n");
		skip();
	}
	return r;
}

static void send_loopback_datagram(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[8];

	assert_int_equal(bind(rx, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(rx, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(sendto(tx, "journey", 7, 0, (struct sockaddr *)&a, sizeof(a)), 7);
	assert_int_equal(recv(rx, buf, sizeof(buf), 0), 7);
	close(rx);
	close(tx);
}

struct queued {
	const struct trace_format *format;
	uint64_t after_ns, before_ns; /* the datagram was sent between these */
	int ours, in_window;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int count_queued(const struct trace_record *r, void *ctx)
{
	struct queued *q = ctx;
	char dev[16];

	if (r->type != q->format->id)
		return 0;
	assert_int_equal(trace_field_str(trace_format_field(q->format, "name"), r, dev, sizeof(dev)), 0);
	if (strcmp(dev, "lo") == 0 &&
	    (pid_t)trace_field_u64(trace_format_field(q->format, "common_pid"), r) == getpid()) {
		q->ours++;
		/* trace_clock mono: the record's time is a CLOCK_MONOTONIC reading */
		q->in_window += r->ts_ns >= q->after_ns && r->ts_ns <= q->before_ns;
	}
	return 0;
}

static void test_instance_lifecycle(void **state)
{
	struct tracefs *tp = &opened, t;
	char buf[65536], filter[64], root[256], instance[PATH_MAX];
	struct trace_format format;
	struct queued q = { 0 };
	size_t missed = 0;
	bool we_mounted;

	(void)state;
	assert_int_equal(open_or_skip(tp), 0);
	t = *tp;
	we_mounted = t.mounted_here;
	snprintf(root, sizeof(root), "%s", t.root);
	snprintf(instance, sizeof(instance), "%s", t.instance);
	assert_true(exists(instance));
	assert_int_equal(tracefs_write(&t, "trace_clock", "mono"), 0);
	assert_true(tracefs_read(&t, "trace_clock", buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "[mono]"));
	/* only our own packets: the datagram is queued by this process */
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)getpid());
	assert_int_equal(tracefs_enable_event(&t, "net/net_dev_queue", filter), 0);
	assert_int_equal(tracefs_enable_event(&t, "net/no_such_event", NULL), -ENOENT);
	assert_int_equal(tracefs_write(&t, "tracing_on", "1"), 0);
	q.after_ns = mono_ns();
	send_loopback_datagram();
	q.before_ns = mono_ns();
	assert_int_equal(tracefs_write(&t, "tracing_on", "0"), 0);
	assert_true(tracefs_read(&t, "trace", buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "net_dev_queue: dev=lo"));
	/* the same event in binary, in nanoseconds, between our own clock readings */
	assert_int_equal(tracefs_event_format(&t, "net/net_dev_queue", &format), 0);
	q.format = &format;
	assert_int_equal(tracefs_read_records(&t, count_queued, &q, &missed), 0);
	assert_int_equal(missed, 0);
	assert_int_equal(q.ours, 1);
	assert_int_equal(q.in_window, 1);
	assert_int_equal(tracefs_close(tp), 0);
	assert_int_equal(tracefs_close(tp), 0); /* twice is harmless */
	assert_false(exists(instance));
	if (we_mounted)
		assert_false(mounted(root));
}

static void test_sweep_stale(void **state)
{
	struct tracefs *t = &opened;
	pid_t dead = fork();

	(void)state;
	if (dead == 0)
		_exit(0);
	assert_true(dead > 0);
	waitpid(dead, NULL, 0); /* reaped: no process has that pid now */
	assert_int_equal(open_or_skip(t), 0);
	snprintf(stale, sizeof(stale), "%s/instances/%s%d", t->root, TRACEFS_PREFIX, (int)dead);
	assert_int_equal(mkdir(stale, 0700), 0);
	assert_true(tracefs_sweep_stale(t->root) >= 1);
	assert_false(exists(stale));
	assert_true(exists(t->instance)); /* ours is alive and stays */
	assert_int_equal(tracefs_close(t), 0);
}

/* The state letter of /proc/PID/stat (after the last ')'), or '?' when it cannot be read. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

/* The sweep's reading of /proc/PID/stat: the state after the last ')' (a name may hold one). */
static void test_stat_state(void **state)
{
	(void)state;
	assert_int_equal(proc_stat_state("42 (nic2app) S 1 42 42 0 -1"), 'S');
	assert_int_equal(proc_stat_state("42 (a) Z (b) R 1 42"), 'R');
	assert_int_equal(proc_stat_state("42 (nic2app) Z 1 42 42 0 -1"), 'Z');
	assert_int_equal(proc_stat_state("42 (nic2app)"), '\0');
	assert_int_equal(proc_stat_state("42 nic2app S"), '\0');
}

/* A run killed with SIGKILL is a zombie until its parent reaps it: its pid still answers
 * kill(pid, 0), but it will never remove its instance, so the sweep takes it for dead. */
static void test_sweep_zombie(void **state)
{
	struct tracefs *t = &opened;
	pid_t killed = fork();
	bool zombie = false;

	(void)state;
	if (killed == 0) {
		pause();
		_exit(0);
	}
	assert_true(killed > 0);
	kill(killed, SIGKILL);
	for (int i = 0; i < 2000 && !zombie; i++) { /* up to 2 s for the kernel to end it */
		zombie = proc_state(killed) == 'Z';
		if (!zombie)
			usleep(1000);
	}
	if (open_or_skip(t) != 0 || !zombie) {
		waitpid(killed, NULL, 0);
		fail_msg("the killed child is no zombie (state %c) or tracefs failed", proc_state(killed));
	}
	snprintf(stale, sizeof(stale), "%s/instances/%s%d", t->root, TRACEFS_PREFIX, (int)killed);
	assert_int_equal(mkdir(stale, 0700), 0);
	assert_int_equal(kill(killed, 0), 0); /* the pid is still there: the old test of life */
	assert_true(tracefs_sweep_stale(t->root) >= 1);
	assert_false(exists(stale));
	assert_true(exists(t->instance)); /* ours is alive and stays */
	waitpid(killed, NULL, 0);
	assert_int_equal(tracefs_close(t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_instance_lifecycle, teardown),
		cmocka_unit_test_teardown(test_sweep_stale, teardown),
		cmocka_unit_test_teardown(test_sweep_zombie, teardown),
		cmocka_unit_test(test_stat_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
