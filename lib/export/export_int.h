/* SPDX-License-Identifier: MIT */
/* export_int: what the parts of the exporter (collect, fold, server) share; not public API. */
#ifndef NIC2APP_EXPORT_INT_H
#define NIC2APP_EXPORT_INT_H

#include "nic2app/export.h"

/* Add count sockets of (family, proto, state) with their queues to p, merged with an entry
 * that has the same three. 0 or -ENOMEM. */
int export_sockets_add(struct export_process *p, const struct export_sockets *add);
/* Add a listener to p: by its address while p has fewer than EXPORT_LISTENERS_MOST (or fold
 * is false and there is room), else summed into the entry with local "other" of its family
 * and proto. 0 or -ENOMEM. */
int export_listener_add(struct export_process *p, const struct export_listener *add, bool fold);
/* Free what p holds. */
void export_process_release(struct export_process *p);
/* The families of exporter --live (export_live.c). */
void export_live_families(struct export_writer *w, const struct journey_live_totals *t);

#endif
