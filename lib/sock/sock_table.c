// SPDX-License-Identifier: MIT
/*
 * sock_table: sockets keyed by inode. The entries live in a dense array in the order they were
 * added; an open-addressing index of (inode, position) pairs finds them (linear probing, a
 * power-of-two number of slots, doubled before it is half full, so a probe for a missing inode
 * stops after a couple of slots). Entries are only added or replaced, never removed, so no
 * tombstones are needed. Also the names of states and of where a table came from.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/names.h"
#include "nic2app/sock_table.h"

#define SOCK_TABLE_MIN_SLOTS 64
#define SOCK_TABLE_MIN_DESCS 32

/* Inodes come in runs of consecutive numbers; mixing the bits spreads the runs so that a
 * probe's neighbours are unrelated sockets rather than the next inode's home slot. */
static size_t inode_hash(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/* The slot holding inode, or the free slot where it belongs. The index is never full. */
static struct sock_table_slot *slot_for(struct sock_table_slot *slots, size_t size,
					uint32_t inode)
{
	size_t mask = size - 1, i = inode_hash(inode) & mask;

	while (slots[i].inode != 0 && slots[i].inode != inode)
		i = (i + 1) & mask;
	return &slots[i];
}

static int grow_index(struct sock_table *t)
{
	size_t size = t->size ? t->size * 2 : SOCK_TABLE_MIN_SLOTS, i;
	struct sock_table_slot *slots;

	if (size < t->size)
		return -ENOMEM;
	slots = calloc(size, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < t->size; i++)
		if (t->slots[i].inode != 0)
			*slot_for(slots, size, t->slots[i].inode) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->size = size;
	return 0;
}

/* Room for one more entry. realloc of a large block remaps its pages: nothing is copied. */
static int grow_descs(struct sock_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : SOCK_TABLE_MIN_DESCS;
	struct sock_desc *descs;

	if (cap > UINT32_MAX || cap > SIZE_MAX / sizeof(*descs))
		return -ENOMEM;
	descs = realloc(t->descs, cap * sizeof(*descs));
	if (!descs)
		return -ENOMEM;
	t->descs = descs;
	t->cap = cap;
	return 0;
}

int sock_table_add(struct sock_table *t, const struct sock_desc *d)
{
	struct sock_table_slot *slot;
	int r;

	if (d->inode == 0)
		return 0;
	if ((t->count + 1) * 2 > t->size) {
		r = grow_index(t);
		if (r < 0)
			return r;
	}
	slot = slot_for(t->slots, t->size, d->inode);
	if (slot->inode != 0) {
		t->descs[slot->index] = *d;
		return 0;
	}
	if (t->count == t->cap) {
		r = grow_descs(t);
		if (r < 0)
			return r;
	}
	t->descs[t->count] = *d;
	slot->inode = d->inode;
	slot->index = (uint32_t)t->count++;
	return 0;
}

const struct sock_desc *sock_table_find(const struct sock_table *t, uint32_t inode)
{
	const struct sock_table_slot *slot;

	if (inode == 0 || t->size == 0)
		return NULL;
	slot = slot_for(t->slots, t->size, inode);
	return slot->inode == inode ? &t->descs[slot->index] : NULL;
}

void sock_table_release(struct sock_table *t)
{
	free(t->slots);
	free(t->descs);
	t->slots = NULL;
	t->descs = NULL;
	t->size = 0;
	t->count = 0;
	t->cap = 0;
}

const char *sock_state_name(int state, bool connection_oriented_tcp)
{
	if (state == TCP_CLOSE && !connection_oriented_tcp)
		return "UNCONN";
	return tcp_state_name(state);
}

const char *sock_source_name(enum sock_source s)
{
	switch (s) {
	case SOCK_SOURCE_SOCK_DIAG:
		return "sock_diag";
	case SOCK_SOURCE_PROC_NET:
		return "proc_net";
	case SOCK_SOURCE_BPF:
		return "bpf";
	case SOCK_SOURCE_NONE:
		break;
	}
	return "none";
}
