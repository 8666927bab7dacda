// SPDX-License-Identifier: MIT
/*
 * no_io_uring: preloaded into our programs by scripts/run-valgrind.sh, it makes every
 * io_uring_queue_init() fail with -ENOSYS, as on a kernel without io_uring. Valgrind 3.19
 * lets no other thread run while one waits in io_uring_enter(), so a ring that waits for
 * another thread's socket never completes; without a ring, the programs take the path they
 * take on such a kernel ("not measured", a test skipped), and the rest runs under memcheck.
 */
#include <errno.h>
#include <liburing.h>

int io_uring_queue_init_params(unsigned int entries, struct io_uring *ring,
			       struct io_uring_params *p)
{
	(void)entries;
	(void)ring;
	(void)p;
	return -ENOSYS;
}

int io_uring_queue_init(unsigned int entries, struct io_uring *ring, unsigned int flags)
{
	(void)entries;
	(void)ring;
	(void)flags;
	return -ENOSYS;
}
