// SPDX-License-Identifier: MIT
/*
 * bench_batch_flow: keeps a batch run's sender and receiver in step (struct batch_flow in
 * bench_batch_int.h). The run sets it up; the send and receive loops wait on and publish it.
 */
#include <errno.h>
#include <time.h>

#include "bench_batch_int.h"

int batch_flow_init(struct batch_flow *f)
{
	pthread_condattr_t a;
	int r;

	if ((r = pthread_condattr_init(&a)) != 0)
		return -r;
	r = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	if (r == 0)
		r = pthread_cond_init(&f->cond, &a);
	pthread_condattr_destroy(&a);
	if (r != 0)
		return -r;
	if ((r = pthread_mutex_init(&f->lock, NULL)) != 0) {
		pthread_cond_destroy(&f->cond);
		return -r;
	}
	atomic_init(&f->progress, 0);
	atomic_init(&f->wait_for, 0);
	atomic_init(&f->sender_done, false);
	atomic_init(&f->receiver_done, false);
	return 0;
}

void batch_flow_destroy(struct batch_flow *f)
{
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
}

/* Both sides use sequentially consistent atomics: either the receiver sees what the
 * sender waits for and signals under the lock, or the sender sees the new progress. */
void batch_flow_publish(struct batch_flow *f, uint64_t progress)
{
	uint64_t wait_for;

	atomic_store(&f->progress, progress);
	wait_for = atomic_load(&f->wait_for);
	if (wait_for && progress >= wait_for) {
		pthread_mutex_lock(&f->lock);
		pthread_cond_signal(&f->cond);
		pthread_mutex_unlock(&f->lock);
	}
}

void batch_flow_receiver_done(struct batch_flow *f)
{
	pthread_mutex_lock(&f->lock);
	atomic_store(&f->receiver_done, true);
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static bool flow_ready(struct batch_flow *f, uint64_t target)
{
	return atomic_load(&f->progress) >= target || atomic_load(&f->receiver_done);
}

int batch_flow_wait(struct batch_flow *f, uint64_t target, unsigned int timeout_ms)
{
	struct timespec until;
	int r = 0;

	if (flow_ready(f, target))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&f->lock);
	atomic_store(&f->wait_for, target);
	while (!flow_ready(f, target) && r == 0)
		r = pthread_cond_timedwait(&f->cond, &f->lock, &until);
	atomic_store(&f->wait_for, 0);
	pthread_mutex_unlock(&f->lock);
	return flow_ready(f, target) ? 0 : -ETIMEDOUT;
}
