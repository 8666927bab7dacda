/* SPDX-License-Identifier: MIT */
/* clock: CLOCK_MONOTONIC in nanoseconds, the one clock every nic2app measurement uses. */
#ifndef NIC2APP_CLOCK_H
#define NIC2APP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
