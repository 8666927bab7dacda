// SPDX-License-Identifier: MIT
/* fds_take: one snapshot for `nic2app fds`, and what the user is told when it fails; shared by
 * the one-shot command (cmd_fds) and --watch/--events (fds_live). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fds.h"
#include "nic2app/proc_pid.h"

/* State Z in /proc/PID/stat: exited, waiting for its parent's wait(). */
static bool is_zombie(pid_t pid)
{
	char path[64], text[512], *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (proc_read_small(AT_FDCWD, path, text, sizeof(text)) < 0 || !(paren = strrchr(text, ')')))
		return false;
	return paren[1] == ' ' && paren[2] == 'Z';
}

int fds_report_error(pid_t pid, int err)
{
	char path[64];
	struct stat st;

	if (err == -ESRCH) {
		if (is_zombie(pid))
			cli_error("process %d has exited: a zombie, not yet reaped by its parent, holds no fds",
				  (int)pid);
		else
			cli_error("process %d does not exist (or exited during the scan)", (int)pid);
		return EXIT_RUNTIME;
	}
	if (err == -EACCES || err == -EPERM) {
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		if (geteuid() == 0)
			cli_error("the kernel refuses to show the fds of process %d even to root (a process "
				  "that made itself non-dumpable, a security module, or another user "
				  "namespace); other processes still work",
				  (int)pid);
		else if (stat(path, &st) == 0)
			cli_error("cannot read the fds of process %d (uid %u) as uid %u: another user's "
				  "/proc/%d/fd needs root or CAP_SYS_PTRACE; your own processes and "
				  "'nic2app fds self' still work",
				  (int)pid, (unsigned int)st.st_uid, (unsigned int)geteuid(), (int)pid);
		else
			cli_error("cannot read the fds of process %d: %s", (int)pid, strerror(-err));
		return EXIT_NOT_HERE;
	}
	cli_error("cannot read the fds of process %d: %s", (int)pid, strerror(-err));
	return EXIT_RUNTIME;
}

int fds_take(const struct fds_options *o, struct fd_snapshot *s)
{
	int r = fds_snapshot_scan(o, s);

	if (r > 0)
		return r; /* said why */
	if (r < 0)
		return fds_report_error(o->pid, r);
	if (o->tcp_info && (r = fd_snapshot_add_tcp_info(s)) < 0) {
		cli_error("cannot read the TCP sockets' tcp_info: %s", strerror(-r));
		fd_snapshot_release(s);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* "1234" or "self"; 0 on a bad word. */
pid_t fds_parse_pid(const char *word)
{
	pid_t pid;

	if (strcmp(word, "self") == 0)
		return getpid();
	return cli_parse_pid(word, &pid) == 0 ? pid : 0;
}
