/* SPDX-License-Identifier: MIT */
/*
 * syscost: what one system call costs, against a plain function call. Each sample is the mean
 * of a batch of consecutive calls timed with CLOCK_MONOTONIC, so the clock's own cost (tens of
 * ns) is spread over the batch; percentiles are over batches.
 *
 * "The cost of a system call" in nic2app is one figure everywhere (example 1, the tour,
 * `nic2app sockets`, `bench syscall`): SYSCOST_GETPPID, the cheapest real system call, so the
 * figure is the user -> kernel -> user mode switch and little else. The other ops are
 * labelled by what they do, never as "a system call".
 */
#ifndef NIC2APP_SYSCOST_H
#define NIC2APP_SYSCOST_H

#include <stddef.h>

#include "nic2app/stats.h"

enum syscost_op {
	SYSCOST_FUNCTION_CALL, /* a call the compiler may not inline: the baseline */
	SYSCOST_GETPPID,       /* syscall(SYS_getppid): about the cheapest real system call */
	SYSCOST_GETSOCKOPT,    /* getsockopt(SO_TYPE) on a TCP socket */
	SYSCOST_SOCKET_CLOSE,  /* socket() + close(): two system calls and a kernel object */
	SYSCOST_CLOCK_VDSO,    /* clock_gettime(CLOCK_MONOTONIC): the vDSO, no system call */
	SYSCOST_NOPS,
};

struct syscost_result {
	enum syscost_op op;
	const char *name;      /* "getppid" */
	const char *what;      /* "syscall(SYS_getppid)" */
	unsigned int batch;    /* calls per sample */
	struct summary ns;     /* per call, in ns */
};

const char *syscost_name(enum syscost_op op);
/* Measure op over batches*batch calls after a warm-up. batch 0: the op's default. */
int syscost_measure(enum syscost_op op, size_t batches, unsigned int batch,
		    struct syscost_result *out);

#endif
