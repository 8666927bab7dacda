/* SPDX-License-Identifier: MIT */
/*
 * cpu_place: where two threads run. Left to the scheduler, a sender and its receiver share
 * a CPU most of the time and sometimes not, and the two cases differ by a whole CPU
 * wake-up; pinning them makes a measurement repeatable and says which case it shows.
 */
#ifndef NIC2APP_CPU_PLACE_H
#define NIC2APP_CPU_PLACE_H

#include <sched.h>
#include <stdbool.h>
#include <sys/types.h>

enum cpu_placement {
	CPUS_ANY,   /* wherever the scheduler puts them */
	CPUS_SAME,  /* both on one CPU */
	CPUS_SPLIT, /* each on a CPU of its own */
};

const char *cpu_placement_name(enum cpu_placement p);

/* The CPUs for the sender and the receiver, from the CPUs this thread may run on: the one
 * it is on now, and (split) the next allowed one. -ENODEV when split has only one CPU. */
int cpu_place_pick(enum cpu_placement p, int *sender_cpu, int *receiver_cpu);

/* Pin thread tid (0: the caller) to cpu, saving its previous mask in *saved if not NULL. */
int cpu_place_pin(pid_t tid, int cpu, cpu_set_t *saved);
/* Give thread tid its saved mask back. */
int cpu_place_restore(pid_t tid, const cpu_set_t *saved);

#endif
