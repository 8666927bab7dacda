/* SPDX-License-Identifier: MIT */
/* exporter_live: `nic2app exporter --live`: its options, and the BPF observer it keeps
 * attached for its whole life (the programs of `journey --live`). */
#ifndef NIC2APP_SRC_EXPORTER_LIVE_H
#define NIC2APP_SRC_EXPORTER_LIVE_H

#include <net/if.h>
#include <stdbool.h>

#include "nic2app/journey_live.h"

struct exporter_live {
	bool on;                        /* --live */
	const char *option;             /* the last --live-* option given, for the message when
					 * --live is not */
	struct journey_live_filter filter;
	char dev[IF_NAMESIZE];
};

/* getopt's values of the --live-* options */
enum exporter_live_opt {
	OPT_LIVE_PORT = 0x100, OPT_LIVE_PID, OPT_LIVE_DEV, OPT_LIVE_PROTO, OPT_LIVE_NO_SCHED,
};

/* Whether getopt's opt is one of the --live-* options; when it is, parse arg into x: 0, or
 * the exit status after saying what is wrong. */
bool exporter_live_option(int opt);
int exporter_live_parse(int opt, const char *name, const char *arg, struct exporter_live *x);

/* Load and attach the programs: EXIT_OK with *out set, or the exit status after saying why
 * (EXIT_NOT_HERE without root or BPF). */
int exporter_live_start(const struct exporter_live *x, struct journey_live **out);

#endif
