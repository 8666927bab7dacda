/* SPDX-License-Identifier: MIT */
/* report_demo: the demo process whose fds `nic2app report` shows when given no --pid. */
#ifndef NIC2APP_REPORT_DEMO_H
#define NIC2APP_REPORT_DEMO_H

#include <sys/types.h>

/* Start it and wait until its fds are open. */
int report_demo_start(pid_t *pid);
/* End it (SIGKILL) and reap it. */
void report_demo_stop(pid_t pid);

#endif
