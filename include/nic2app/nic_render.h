/* SPDX-License-Identifier: MIT */
/*
 * nic_render: `nic2app nic` as text (one block per interface, then each burst) or as JSON
 * (the DESIGN.md contract: {"interfaces":[...],"bursts":[...]}).
 */
#ifndef NIC2APP_NIC_RENDER_H
#define NIC2APP_NIC_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "nic2app/json.h"
#include "nic2app/nic.h"
#include "nic2app/nic_burst.h"
#include "nic2app/strbuf.h"

/* One interface as text: driver, sizes, queues, offloads, rings, interrupts. */
void nic_render_text(struct strbuf *sb, const struct nic_info *info, bool colour);
/* One burst as text: packets, interrupts, softirqs and softnet per CPU, the watched device. */
void nic_burst_render_text(struct strbuf *sb, const struct nic_burst *b, bool colour);
/* What "checksum offload on" means on lo, in three lines (used by the text and the tour). */
void nic_lo_checksum_note(struct strbuf *sb, int indent);

/* One interface's JSON object (key NULL: inside an array). */
void nic_json(struct json *j, const char *key, const struct nic_info *info);
/* One burst's JSON object. */
void nic_burst_json(struct json *j, const char *key, const struct nic_burst *b);

#endif
