// SPDX-License-Identifier: MIT
/*
 * test_fd_scan: fd classification, fdinfo parsing, snapshot diffs, /proc text files, and a
 * whole snapshot of a recorded process tree in tests/data/proc/4242 (links, fdinfo, net).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nic2app/fd_diff.h"
#include "nic2app/fd_render.h"
#include "nic2app/fd_scan.h"
#include "nic2app/proc_pid.h"

static void test_type_from_link(void **state)
{
	uint64_t ino;

	(void)state;
	assert_int_equal(fd_type_from_link("socket:[12345]", &ino), FD_SOCKET);
	assert_int_equal(ino, 12345);
	assert_int_equal(fd_type_from_link("pipe:[77]", &ino), FD_PIPE);
	assert_int_equal(ino, 77);
	assert_int_equal(fd_type_from_link("anon_inode:[eventfd]", &ino), FD_EVENTFD);
	assert_int_equal(fd_type_from_link("anon_inode:[eventpoll]", &ino), FD_EPOLL);
	assert_int_equal(fd_type_from_link("anon_inode:inotify", &ino), FD_INOTIFY);
	assert_int_equal(fd_type_from_link("anon_inode:[pidfd]", &ino), FD_PIDFD);
	assert_int_equal(fd_type_from_link("anon_inode:[io_uring]", &ino), FD_IO_URING);
	assert_int_equal(fd_type_from_link("anon_inode:[userfaultfd]", &ino), FD_ANON);
	assert_int_equal(fd_type_from_link("/memfd:x (deleted)", &ino), FD_MEMFD);
	/* a path, or a malformed bracket, is for stat to decide */
	assert_int_equal(fd_type_from_link("/socket:[1]", &ino), FD_UNKNOWN);
	assert_int_equal(fd_type_from_link("socket:[12x]", &ino), FD_UNKNOWN);
	assert_int_equal(fd_type_from_link("net:[4026531833]", &ino), FD_UNKNOWN);
	assert_int_equal(fd_type_from_mode(S_IFCHR | 0666), FD_CHR);
	assert_int_equal(fd_type_from_mode(S_IFLNK), FD_UNKNOWN);
	for (int t = 0; t < FD_TYPE_COUNT; t++)
		assert_int_equal(fd_type_from_name(fd_type_name(t)), t);
	assert_int_equal(fd_type_from_name("nonsense"), -1);
}

static void test_fdinfo_kinds(void **state)
{
	struct fdinfo fi;

	(void)state;
	assert_int_equal(fdinfo_parse("pos:\t100\nflags:\t02102002\nmnt_id:\t27\nino:\t5\n",
				      FD_FILE, &fi), 0);
	assert_int_equal(fi.pos, 100);
	assert_int_equal(fi.flags, O_RDWR | O_APPEND | O_CLOEXEC | 0100000); /* the kernel's O_LARGEFILE */
	assert_true(fi.has_ino);
	assert_int_equal(fi.ino, 5);
	fdinfo_release(&fi);

	assert_int_equal(fdinfo_parse("pos:\t0\nflags:\t02\neventfd-count:               1f\n",
				      FD_EVENTFD, &fi), 0);
	assert_string_equal(fi.detail, "count=31"); /* the kernel prints it in hex */
	fdinfo_release(&fi);

	assert_int_equal(fdinfo_parse("pos:\t0\nflags:\t02\ntfd:        7 events: 19\ntfd:       12 events: 19\n",
				      FD_EPOLL, &fi), 0);
	assert_int_equal(fi.target_count, 2);
	assert_int_equal(fi.targets[0], 7);
	assert_int_equal(fi.targets[1], 12);
	fdinfo_release(&fi);

	assert_int_equal(fdinfo_parse("pos:\t0\nflags:\t02\nclockid: 1\nit_value: (0, 5)\n",
				      FD_TIMERFD, &fi), 0);
	assert_string_equal(fi.detail, "clock=CLOCK_MONOTONIC armed");
	fdinfo_release(&fi);

	assert_int_equal(fdinfo_parse("pos:\t0\nflags:\t02\nsigmask:\t0000000000004200\n",
				      FD_SIGNALFD, &fi), 0);
	assert_string_equal(fi.detail, "signals=USR1,TERM");
	fdinfo_release(&fi);

	assert_int_equal(fdinfo_parse("pos:\t0\nflags:\t0\ninotify wd:1 ino:1\ninotify wd:2 ino:2\n",
				      FD_INOTIFY, &fi), 0);
	assert_string_equal(fi.detail, "watches=2");
	fdinfo_release(&fi);

	/* fanotify groups with 0, 1 and 2 marks, as 6.18 prints them: the "fanotify flags:" line
	 * is the group's own, not a mark */
	for (int marks = 0; marks <= 2; marks++) {
		static const char group[] = "pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t1038\n"
					    "fanotify flags:0 event-flags:8000\n";
		static const char mark[] = "fanotify ino:3c51a sdev:fe00000 mflags:0 mask:8 "
					   "ignored_mask:0 fhandle-bytes:8 fhandle-type:1 "
					   "f_handle:1ac5030000000000\n";
		char text[512], want[16];

		snprintf(text, sizeof(text), "%s%s%s", group, marks > 0 ? mark : "", marks > 1 ? mark : "");
		snprintf(want, sizeof(want), "marks=%d", marks);
		assert_int_equal(fdinfo_parse(text, FD_FANOTIFY, &fi), 0);
		assert_string_equal(fi.detail, want);
		fdinfo_release(&fi);
	}
	assert_int_equal(fdinfo_parse("pos:\t0\nflags:\t0\n", FD_INOTIFY, &fi), 0);
	assert_string_equal(fi.detail, "watches=0");
	fdinfo_release(&fi);

	assert_int_equal(fdinfo_parse("pos:\t0\nflags:\t02\nPid:\t-1\n", FD_PIDFD, &fi), 0);
	assert_string_equal(fi.detail, "pid=-1");
	fdinfo_release(&fi);

	assert_int_equal(fdinfo_parse("flags:\t02\n", FD_FILE, &fi), -EBADMSG);
	assert_int_equal(fdinfo_parse("", FD_FILE, &fi), -EBADMSG);
}

static void test_proc_text(void **state)
{
	long soft, hard, alloc, max;

	(void)state;
	assert_int_equal(proc_limits_parse("Limit   Soft Limit Hard Limit Units\n"
					   "Max open files            1024                 20000                files\n",
					   "Max open files", &soft, &hard), 0);
	assert_int_equal(soft, 1024);
	assert_int_equal(hard, 20000);
	assert_int_equal(proc_limits_parse("Max open files            unlimited            unlimited            files\n",
					   "Max open files", &soft, &hard), 0);
	assert_int_equal(soft, -1);
	assert_int_equal(proc_limits_parse("Max cpu time  1 1 seconds\n", "Max open files", &soft,
					   &hard), -ENOENT);
	assert_int_equal(file_nr_parse("2848\t0\t9223372036854775807\n", &alloc, &max), 0);
	assert_int_equal(alloc, 2848);
	assert_int_equal(file_nr_parse("junk", &alloc, &max), -EBADMSG);
}

static void test_type_mask(void **state)
{
	fd_type_mask m;
	const char *bad;
	size_t len;

	(void)state;
	assert_int_equal(fd_type_mask_parse("socket,pipe", &m, &bad, &len), 0);
	assert_int_equal(m, FD_TYPE_BIT(FD_SOCKET) | FD_TYPE_BIT(FD_PIPE));
	assert_int_equal(fd_type_mask_parse("socket,sockets", &m, &bad, &len), -EINVAL);
	assert_int_equal(len, 7);
	assert_memory_equal(bad, "sockets", 7);
	assert_int_equal(fd_type_mask_parse("", &m, &bad, &len), -EINVAL);
}

/* The recorded tree: what each fd must become, and what must be left out. */
static void test_recorded_snapshot(void **state)
{
	struct fd_snapshot s;
	const struct fd_entry *e;

	(void)state;
	assert_int_equal(fd_snapshot_take("tests/data/proc", 4242, FD_SCAN_PROC_NET_ONLY, &s), 0);
	assert_string_equal(s.comm, "fixture");
	assert_int_equal(s.limit_soft, 1024);
	assert_int_equal(s.limit_hard, 20000);
	assert_int_equal(s.system_allocated, 2848);

	e = fd_snapshot_find(&s, 0);
	assert_non_null(e);
	assert_int_equal(e->type, FD_CHR);
	assert_int_equal(e->info.flags & O_ACCMODE, O_RDWR);
	assert_int_equal(fd_snapshot_find(&s, 1)->type, FD_DIR);
	e = fd_snapshot_find(&s, 3);
	assert_int_equal(e->type, FD_SOCKET);
	assert_int_equal(e->inode, 1001);
	assert_non_null(e->sock);
	assert_string_equal(e->sock->local, "127.0.0.1:8080");
	assert_string_equal(e->sock->state, "LISTEN");
	assert_false(e->has_fdinfo); /* sockets are described by the socket table alone */
	e = fd_snapshot_find(&s, 13);
	assert_non_null(e->sock);
	assert_string_equal(e->sock->local, "/run/x.sock");
	assert_int_equal(fd_snapshot_find(&s, 4)->type, FD_PIPE);
	assert_int_equal(fd_snapshot_find(&s, 4)->info.flags, O_NONBLOCK);
	assert_string_equal(fd_snapshot_find(&s, 5)->info.detail, "count=5");
	assert_int_equal(fd_snapshot_find(&s, 6)->info.target_count, 2);
	assert_string_equal(fd_snapshot_find(&s, 9)->info.detail, "clock=CLOCK_MONOTONIC armed");
	assert_string_equal(fd_snapshot_find(&s, 12)->info.detail, "pid=14996");
	/* 7 points to a file that stat cannot reach (it closed meanwhile); 11 is a socket no table
	 * lists and whose link no longer leads anywhere: both are left out */
	assert_null(fd_snapshot_find(&s, 7));
	assert_null(fd_snapshot_find(&s, 11));
	/* 8's fdinfo names another inode than its link at every attempt: an error row, never a
	 * row that mixes two files */
	e = fd_snapshot_find(&s, 8);
	assert_non_null(e);
	assert_int_equal(e->type, FD_ERROR);
	assert_int_equal(e->err, EAGAIN);
	assert_int_equal(s.count, 11);
	fd_snapshot_release(&s);

	assert_int_equal(fd_snapshot_take("tests/data/proc", 4243, 0, &s), -ESRCH);
}

/* The line of text that starts with prefix, copied into line. */
static void find_line(const char *text, const char *prefix, char *line, size_t size)
{
	const char *at = strstr(text, prefix), *end;

	assert_non_null(at);
	end = strchr(at, '\n');
	snprintf(line, size, "%.*s", (int)(end ? end - at : (long)strlen(at)), at);
}

/* From /proc/net alone, what the tables do not say is unknown: null in JSON, blank in text,
 * never 0. A listener's tx_queue column is not its backlog (what sock_diag gives as send_q),
 * and the tables name no bound device. */
static void test_proc_net_unknowns(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct fd_snapshot s;
	char line[256];

	(void)state;
	assert_int_equal(fd_snapshot_take("tests/data/proc", 4242, FD_SCAN_PROC_NET_ONLY, &s), 0);
	assert_int_equal(fd_snapshot_json(&sb, &s, FD_TYPE_BIT(FD_SOCKET)), 0);
	find_line(strbuf_str(&sb), "{\"fd\":3,", line, sizeof(line));
	assert_non_null(strstr(line, "\"local\":\"127.0.0.1:8080\""));
	assert_non_null(strstr(line, "\"recv_q\":0,"));
	assert_non_null(strstr(line, "\"send_q\":null"));
	assert_non_null(strstr(line, "\"dev\":null"));
	strbuf_reset(&sb);
	assert_int_equal(fd_tables_render(&sb, &s, FD_TYPE_BIT(FD_SOCKET), NULL, false, 0), 0);
	find_line(strbuf_str(&sb), "   3  tcp", line, sizeof(line));
	/* the row ends with RECV-Q 0, a blank SEND-Q and the inode */
	assert_non_null(strstr(line, "LISTEN"));
	assert_non_null(strstr(line, "LISTEN       0           1001"));
	strbuf_release(&sb);
	fd_snapshot_release(&s);
}

static int record_change(enum fd_change c, const struct fd_entry *before,
			 const struct fd_entry *after, void *ctx)
{
	char *log = ctx;
	const struct fd_entry *e = after ? after : before;

	sprintf(log + strlen(log), "%s %d;", fd_change_name(c), e->fd);
	return 0;
}

static void test_diff(void **state)
{
	struct sock_desc listen = { .state = "LISTEN" }, est = { .state = "ESTABLISHED" };
	struct fd_entry a[] = {
		{ .fd = 0, .type = FD_CHR, .inode = 5 },
		{ .fd = 3, .type = FD_SOCKET, .inode = 9, .sock = &listen },
		{ .fd = 4, .type = FD_PIPE, .inode = 10 },
		{ .fd = 6, .type = FD_FILE, .inode = 11 },
	};
	struct fd_entry b[] = {
		{ .fd = 0, .type = FD_CHR, .inode = 5 },
		{ .fd = 3, .type = FD_SOCKET, .inode = 9, .sock = &est },
		{ .fd = 5, .type = FD_PIPE, .inode = 12 },
		{ .fd = 6, .type = FD_FILE, .inode = 13 },
	};
	struct fd_snapshot sa = { .fds = a, .count = 4 }, sb = { .fds = b, .count = 4 };
	char log[256] = "";

	(void)state;
	assert_int_equal(fd_snapshot_diff(&sa, &sb, record_change, log), 0);
	assert_string_equal(log, "change 3;close 4;open 5;change 6;");
	log[0] = '\0';
	assert_int_equal(fd_snapshot_diff(&sa, &sa, record_change, log), 0);
	assert_string_equal(log, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_from_link),
		cmocka_unit_test(test_fdinfo_kinds),
		cmocka_unit_test(test_proc_text),
		cmocka_unit_test(test_type_mask),
		cmocka_unit_test(test_recorded_snapshot),
		cmocka_unit_test(test_proc_net_unknowns),
		cmocka_unit_test(test_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
