/* SPDX-License-Identifier: MIT */
/*
 * sock_manifest: for test_sock_table and test_proc_net, the manifest that
 * tests/helpers/record_sock_diag writes beside its recordings (what each socket it made is, seen
 * from the socket itself), and a check of a table entry against it. Include after cmocka.h.
 */
#ifndef NIC2APP_TESTS_SOCK_MANIFEST_H
#define NIC2APP_TESTS_SOCK_MANIFEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/names.h"
#include "nic2app/sock_table.h"

#define DATA "tests/data/"
#define NONE (-1L)
#define MAX_EXPECTED 64

struct expected {
	char where[8], family[16], proto[16], state[16];
	char local[SOCK_ADDR_MAX], remote[SOCK_ADDR_MAX];
	uint32_t inode;
	long peer, recv_q, send_q;
};

/* Undo the manifest's escapes: "-" is empty, %XX a byte. */
static inline void unescape(const char *in, char *out, size_t size)
{
	size_t n = 0;
	unsigned int byte;

	if (strcmp(in, "-") == 0)
		in = "";
	for (; *in && n + 1 < size; n++) {
		if (*in == '%' && sscanf(in + 1, "%2x", &byte) == 1) {
			out[n] = (char)byte;
			in += 3;
		} else {
			out[n] = *in++;
		}
	}
	out[n] = '\0';
}

static inline long number(const char *s)
{
	return strcmp(s, "-") == 0 ? NONE : strtol(s, NULL, 10);
}

static inline int load_manifest(struct expected *e, int max)
{
	char where[8], fam[16], proto[16], state[16], local[400], remote[400], peer[16], rq[16],
		sq[16];
	unsigned long inode;
	FILE *f = fopen(DATA "sock_table.manifest", "r");
	int n = 0;

	assert_non_null(f);
	while (n < max && fscanf(f, "%7s %lu %15s %15s %15s %399s %399s %15s %15s %15s", where,
				 &inode, fam, proto, state, local, remote, peer, rq, sq) == 10) {
		snprintf(e[n].where, sizeof(e[n].where), "%s", where);
		e[n].inode = (uint32_t)inode;
		unescape(fam, e[n].family, sizeof(e[n].family));
		unescape(proto, e[n].proto, sizeof(e[n].proto));
		unescape(state, e[n].state, sizeof(e[n].state));
		unescape(local, e[n].local, sizeof(e[n].local));
		unescape(remote, e[n].remote, sizeof(e[n].remote));
		e[n].peer = number(peer);
		e[n].recv_q = number(rq);
		e[n].send_q = number(sq);
		n++;
	}
	fclose(f);
	assert_true(n >= 20);
	return n;
}

/* A whole file, NUL-terminated; NULL when it does not exist. */
static inline char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	int r = proc_file_read(path, &buf, len);

	if (r == -ENOENT)
		return NULL;
	assert_int_equal(r, 0);
	return buf;
}

static inline void check_entry(const struct sock_desc *d, const struct expected *e)
{
	if (!d)
		fail_msg("inode %u (%s %s %s) not in the table", e->inode, e->family, e->proto,
			 e->local);
	assert_string_equal(family_name(d->family), e->family);
	assert_string_equal(d->proto, e->proto);
	assert_string_equal(d->state, e->state);
	assert_string_equal(d->local, e->local);
	assert_string_equal(d->remote, e->remote);
	if (e->peer != NONE)
		assert_int_equal(d->peer_inode, e->peer);
	if (e->recv_q != NONE) {
		assert_true(d->known & SOCK_KNOWN_RECV_Q);
		assert_int_equal(d->recv_q, e->recv_q);
	}
	if (e->send_q != NONE) {
		assert_true(d->known & SOCK_KNOWN_SEND_Q);
		assert_int_equal(d->send_q, e->send_q);
	}
}

#endif
