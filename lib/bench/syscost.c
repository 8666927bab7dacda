// SPDX-License-Identifier: MIT
/* syscost: time system calls in batches; see syscost.h for the method. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/syscost.h"

/* noinline and an empty asm keep the compiler from removing or inlining the call */
__attribute__((noinline)) static int plain_function(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

struct op_info {
	const char *name;
	const char *what;
	unsigned int default_batch;
};

static const struct op_info ops[SYSCOST_NOPS] = {
	[SYSCOST_FUNCTION_CALL] = { "function_call", "a function call (not inlined)", 1000 },
	[SYSCOST_GETPPID] = { "getppid", "syscall(SYS_getppid)", 100 },
	[SYSCOST_GETSOCKOPT] = { "getsockopt", "getsockopt(SO_TYPE)", 100 },
	[SYSCOST_SOCKET_CLOSE] = { "socket_close", "socket() + close()", 10 },
	[SYSCOST_CLOCK_VDSO] = { "clock_gettime_vdso", "clock_gettime() (vDSO, no system call)", 100 },
};

const char *syscost_name(enum syscost_op op)
{
	return op < SYSCOST_NOPS ? ops[op].name : "unknown";
}

/* One batch; returns its duration in ns, or 0 and sets *err. */
static uint64_t run_batch(enum syscost_op op, unsigned int batch, int sock, int *err)
{
	uint64_t t0, t1;
	unsigned int i;
	int v = 0, type;
	socklen_t len;

	t0 = monotonic_ns();
	switch (op) {
	case SYSCOST_FUNCTION_CALL:
		for (i = 0; i < batch; i++)
			v = plain_function(v);
		break;
	case SYSCOST_GETPPID:
		for (i = 0; i < batch; i++)
			syscall(SYS_getppid);
		break;
	case SYSCOST_GETSOCKOPT:
		for (i = 0; i < batch; i++) {
			len = sizeof(type);
			if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
				*err = -errno;
				return 0;
			}
		}
		break;
	case SYSCOST_SOCKET_CLOSE:
		for (i = 0; i < batch; i++) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

			if (fd < 0) {
				*err = -errno;
				return 0;
			}
			close(fd);
		}
		break;
	case SYSCOST_CLOCK_VDSO:
		for (i = 0; i < batch; i++) {
			struct timespec ts;

			/* glibc reads the clock in the vDSO: code and data the kernel maps into
			 * every process, so no mode switch happens */
			clock_gettime(CLOCK_MONOTONIC, &ts);
			v ^= (int)ts.tv_nsec; /* use the result; xor cannot overflow */
		}
		break;
	default:
		*err = -EINVAL;
		return 0;
	}
	t1 = monotonic_ns();
	__asm__ volatile("" : : "r"(v));
	return t1 - t0;
}

int syscost_measure(enum syscost_op op, size_t batches, unsigned int batch,
		    struct syscost_result *out)
{
	struct samples s = SAMPLES_INIT;
	size_t i, warmup;
	int sock = -1, err = 0;
	uint64_t ns;

	if (op >= SYSCOST_NOPS || batches == 0)
		return -EINVAL;
	if (batch == 0)
		batch = ops[op].default_batch;
	if (op == SYSCOST_GETSOCKOPT) {
		sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0)
			return -errno;
	}
	/* warm-up: caches, branch predictors, the CPU's clock speed */
	warmup = batches / 10 + 1;
	for (i = 0; i < warmup && !err; i++)
		run_batch(op, batch, sock, &err);
	for (i = 0; i < batches && !err; i++) {
		ns = run_batch(op, batch, sock, &err);
		if (!err)
			err = samples_add(&s, (double)ns / batch);
	}
	if (!err) {
		out->op = op;
		out->name = ops[op].name;
		out->what = ops[op].what;
		out->batch = batch;
		err = samples_summarize(&s, &out->ns);
	}
	samples_release(&s);
	if (sock >= 0)
		close(sock);
	return err;
}
