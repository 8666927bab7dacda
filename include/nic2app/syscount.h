/* SPDX-License-Identifier: MIT */
/*
 * syscount: how many system calls some threads make, counted by the kernel. A private
 * tracefs instance records raw_syscalls:sys_enter filtered to the threads; the count is
 * what its buffers took in (entries plus overruns), so nothing is read or decoded. Needs
 * root; without it the benchmarks say their counts are by design, not counted.
 */
#ifndef NIC2APP_SYSCOUNT_H
#define NIC2APP_SYSCOUNT_H

#include <stdint.h>
#include <sys/types.h>

struct tracefs;

struct syscount {
	struct tracefs *t;
	uint64_t read_cost; /* the system calls one syscount_read makes itself, when the
			     * counted thread is the reader */
};

/* Count the system calls of tids[0..n-1] from now on. -EPERM without root. */
int syscount_open(struct syscount *s, const pid_t *tids, int n);
/* The system calls counted since syscount_open. */
int syscount_read(const struct syscount *s, uint64_t *count);
/* The calls made between two reads by the counted thread, less the reads' own. */
static inline uint64_t syscount_between(const struct syscount *s, uint64_t before, uint64_t after)
{
	return after - before > s->read_cost ? after - before - s->read_cost : 0;
}
/* Stop counting and remove the instance. Safe twice, and after a failed open. */
void syscount_close(struct syscount *s);

#endif
