/* SPDX-License-Identifier: MIT */
/*
 * tracefs: a private tracing instance (Documentation/trace/ftrace.rst, "Instances"): its own
 * ring buffer, clock and enabled events, so nic2app never touches the system's own tracing
 * setup. Everything it turns on is turned off and removed by tracefs_close(); instances left
 * by a nic2app that died are removed the next time one is opened. Needs root.
 */
#ifndef NIC2APP_TRACEFS_H
#define NIC2APP_TRACEFS_H

#include <limits.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACEFS_PREFIX "nic2app-"

struct tracefs {
	char root[256];           /* where tracefs is mounted */
	char instance[PATH_MAX];  /* root/instances/nic2app-PID */
	bool mounted_here;        /* tracefs was not mounted: we did, and unmount it on close */
	bool created;
};

/* Find (or mount at /sys/kernel/tracing) tracefs, remove instances of dead nic2app
 * processes, and create instances/nic2app-PID. -EPERM without root, -ENODEV without
 * tracefs. */
int tracefs_open(struct tracefs *t);

/* Write text to a file of the instance ("trace_clock", "tracing_on", "buffer_size_kb"). */
int tracefs_write(const struct tracefs *t, const char *file, const char *text);
/* Read a file of the instance into buf (NUL-terminated); the length or -errno. */
ssize_t tracefs_read(const struct tracefs *t, const char *file, char *buf, size_t size);

/* Enable "system/event" (e.g. "net/net_dev_queue") in the instance, with a filter
 * expression ("common_pid == 123") or NULL. -ENOENT when the kernel has no such event. */
int tracefs_enable_event(const struct tracefs *t, const char *event, const char *filter);

struct trace_format;
struct trace_record;

/* The format of "system/event" as this kernel lays it out (see trace_raw.h). */
int tracefs_event_format(const struct tracefs *t, const char *event, struct trace_format *out);

/* Every record in the instance's buffers, CPU by CPU (each CPU's in time order), read from
 * per_cpu/cpuN/trace_pipe_raw without blocking; reading consumes them. *missed counts pages
 * after which the kernel had lost events (the buffer was full). Returns 0 or -errno, or
 * fn's non-zero return. Stop tracing first (tracing_on 0) to read a complete picture. */
int tracefs_read_records(const struct tracefs *t,
			 int (*fn)(const struct trace_record *r, void *ctx), void *ctx,
			 size_t *missed);

/* Events the instance's ring buffers lost so far: the sum over CPUs of "overrun" (old
 * events overwritten) and "dropped events" (new ones refused) in per_cpu/cpuN/stats. */
int tracefs_lost_events(const struct tracefs *t, uint64_t *lost);

/* Events the instance's buffers took in so far: "entries" still held plus "overrun"
 * overwritten, summed over CPUs (nothing read from the buffers). */
int tracefs_count_events(const struct tracefs *t, uint64_t *count);

/* Stop tracing, disable every event of the instance, remove it, unmount if we mounted.
 * Safe to call twice. Returns the first error. */
int tracefs_close(struct tracefs *t);

/* Remove instances/nic2app-PID directories whose process no longer exists, under root.
 * Returns how many were removed, or -errno. */
int tracefs_sweep_stale(const char *root);

#endif
