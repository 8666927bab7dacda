/* SPDX-License-Identifier: MIT */
/* fd_event_int: what fd_event_stream.c and fd_event_entry.c share; not public API. */
#ifndef NIC2APP_FD_EVENT_INT_H
#define NIC2APP_FD_EVENT_INT_H

#include "fd_scan_int.h"
#include "nic2app/fd_events.h"

/* e as the call's record describes the fd (e->name malloc'd). 0 or -ENOMEM. */
int fd_entry_from_event(const struct fd_event *ev, struct fd_entry *e);
/* A socket's description from the record (bound and connected as when the call returned). */
void sock_desc_from_event(const struct fd_event *ev, struct sock_desc *sd);
/* A deep copy (name, epoll targets); e->sock is copied as is. 0 or -ENOMEM. */
int fd_entry_copy(struct fd_entry *dst, const struct fd_entry *src);

#endif
