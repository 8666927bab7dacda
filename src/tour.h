/* SPDX-License-Identifier: MIT */
/* tour: the pieces of `nic2app tour` beyond running the examples. */
#ifndef NIC2APP_TOUR_H
#define NIC2APP_TOUR_H

#include <stdbool.h>

#include "nic2app/strbuf.h"

/* The module's table of typical costs beside quick measurements of each row. */
int tour_module_table(struct strbuf *sb, bool colour);

/* The NIC stop (tour_nic.c): lo's offloads and MTU, the default route device's driver and
 * interrupts, one burst over lo; about 120 words. 0, or -errno when lo cannot be read. */
int tour_nic_stop(struct strbuf *sb, bool colour);

#endif
