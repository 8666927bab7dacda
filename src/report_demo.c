// SPDX-License-Identifier: MIT
/*
 * report_demo: a short-lived process with one fd of each common kind, for the report's fd
 * section when no --pid is given: a TCP listener and a connection to it (both ends), a UDP
 * socket, a UNIX socket pair, a pipe, an eventfd and a deleted temporary file. It tells its
 * parent it is ready through a pipe and waits to be ended.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report_demo.h"

/* In the child: open the fds (failures are fine: fewer kinds shown), then wait. */
static void __attribute__((noreturn)) demo_child(int ready)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), pair[2], p[2];
	char path[] = "/tmp/nic2app-report-demo-XXXXXX";
	int tmp = mkstemp(path);

	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the report */
	if (tmp >= 0)
		unlink(path);
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 1) == 0 &&
	    getsockname(l, (struct sockaddr *)&a, &len) == 0 &&
	    connect(c, (struct sockaddr *)&a, sizeof(a)) == 0)
		accept(l, NULL, NULL);
	socket(AF_INET, SOCK_DGRAM, 0);
	socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
	if (pipe(p) < 0)
		_exit(1);
	eventfd(0, 0);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	close(ready);
	for (;;)
		pause();
}

int report_demo_start(pid_t *pid)
{
	int ready[2];
	char c;
	ssize_t n;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	if ((*pid = fork()) < 0) {
		close(ready[0]);
		close(ready[1]);
		return -errno;
	}
	if (*pid == 0) {
		close(ready[0]);
		demo_child(ready[1]);
	}
	close(ready[1]);
	do
		n = read(ready[0], &c, 1);
	while (n < 0 && errno == EINTR);
	close(ready[0]);
	if (n != 1) {
		report_demo_stop(*pid);
		return -ECHILD;
	}
	return 0;
}

void report_demo_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
