// SPDX-License-Identifier: MIT
/* cpu_place: pick CPUs for two threads and pin them there (sched_setaffinity per thread). */
#include <errno.h>

#include "nic2app/cpu_place.h"

const char *cpu_placement_name(enum cpu_placement p)
{
	switch (p) {
	case CPUS_ANY: return "any";
	case CPUS_SAME: return "same";
	case CPUS_SPLIT: return "split";
	}
	return "unknown";
}

int cpu_place_pick(enum cpu_placement p, int *sender_cpu, int *receiver_cpu)
{
	cpu_set_t allowed;
	int here = sched_getcpu();

	if (here < 0 || sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -errno;
	*sender_cpu = *receiver_cpu = here;
	if (p != CPUS_SPLIT)
		return 0;
	for (int step = 1; step < CPU_SETSIZE; step++) {
		int cpu = (here + step) % CPU_SETSIZE;

		if (CPU_ISSET(cpu, &allowed)) {
			*receiver_cpu = cpu;
			return 0;
		}
	}
	return -ENODEV;
}

int cpu_place_pin(pid_t tid, int cpu, cpu_set_t *saved)
{
	cpu_set_t one;

	if (saved && sched_getaffinity(tid, sizeof(*saved), saved) < 0)
		return -errno;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(tid, sizeof(one), &one) < 0 ? -errno : 0;
}

int cpu_place_restore(pid_t tid, const cpu_set_t *saved)
{
	return sched_setaffinity(tid, sizeof(*saved), saved) < 0 ? -errno : 0;
}
