// SPDX-License-Identifier: MIT
/*
 * under_valgrind.h: whether a unit test runs under valgrind (make check-valgrind). Valgrind
 * 3.19 lets no other thread run while one waits in io_uring_enter, so a ring waiting for
 * another thread's socket never completes. scripts/run-valgrind.sh preloads a library that
 * makes io_uring unavailable, and the tests take their no-io_uring path; under valgrind
 * without it, a test that would hang is skipped, saying so.
 */
#ifndef NIC2APP_TEST_UNDER_VALGRIND_H
#define NIC2APP_TEST_UNDER_VALGRIND_H

#include <stdbool.h>

#include "nic2app/batch.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND (RUNNING_ON_VALGRIND != 0)
#else
#define UNDER_VALGRIND false
#endif

#define URING_UNDER_VALGRIND "io_uring waiting on another thread hangs under valgrind"

/* A ring would be made, and hang: under valgrind, with io_uring there. */
static inline bool uring_would_hang(void)
{
	return UNDER_VALGRIND && batch_io_uring_probe() == 0;
}

#endif
