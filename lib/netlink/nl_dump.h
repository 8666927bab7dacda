/* SPDX-License-Identifier: MIT */
/*
 * nl_dump: private to lib/. The plumbing every NETLINK_SOCK_DIAG dump shares: open the socket,
 * send one SOCK_DIAG_BY_FAMILY dump request, receive until NLMSG_DONE and hand each buffer to a
 * parser, which runs a libmnl callback over it with nl_batch_run().
 */
#ifndef NIC2APP_LIB_NL_DUMP_H
#define NIC2APP_LIB_NL_DUMP_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>

/* The kernel sizes each dump message batch to the reader's buffer, up to 32 KiB: with this
 * size a dump of 10,000 sockets takes a few hundred recv calls rather than thousands. */
#define NL_DUMP_BUFFER_SIZE 32768

/* Netlink delivers whole messages only: false when bytes are left after the last complete one
 * (a cut or forged buffer, which libmnl would skip silently). */
bool nl_messages_whole(const void *buf, size_t len);

/*
 * Run cb over one buffer of replies. Returns 1 when NLMSG_DONE was seen, 0 when more is to come,
 * -EBADMSG for a cut buffer, or -errno: NLMSG_ERROR's, the one an NLMSG_DONE carries (a dump the
 * kernel ended early, e.g. -ENOENT for a missing inet_diag protocol module), or the one cb set
 * before returning MNL_CB_ERROR (errno is EINVAL when cb returns it). seq and portid of 0
 * accept any (recorded replies).
 */
int nl_batch_run(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		 mnl_cb_t cb, void *data);

/* A parser of one received buffer, as nl_batch_run() returns: 1 done, 0 more, else stop. */
typedef int (*nl_batch_fn)(const void *buf, size_t len, unsigned int seq, unsigned int portid,
			   void *ctx);

/* A NETLINK_SOCK_DIAG socket, bound. Returns NULL with errno set. */
struct mnl_socket *nl_diag_open(void);

/*
 * Send SOCK_DIAG_BY_FAMILY with NLM_F_DUMP and the family's request (req, req_len bytes) on nl,
 * then feed every reply buffer to fn until it returns non-zero. Returns 0 when fn saw the end,
 * -errno, or fn's other return value.
 */
int nl_dump_run(struct mnl_socket *nl, unsigned int seq, const void *req, size_t req_len,
		nl_batch_fn fn, void *ctx);

/* The most attributes a family may ask nl_diag_parse() and nl_diag_dump() for. */
#define NL_DIAG_ATTR_MAX 31

/* One SOCK_DIAG_BY_FAMILY reply: msg is the family's header (hdr_len bytes, checked), tb its
 * attributes by type (NULL when absent). 0, or -errno to stop the dump. */
typedef int (*nl_diag_msg_fn)(const void *msg, const struct nlattr *const *tb, void *ctx);

/* What a family's replies look like and what to do with each. */
struct nl_diag_family {
	size_t hdr_len;          /* sizeof its *_diag_msg */
	unsigned int attr_max;   /* its *_DIAG_MAX, at most NL_DIAG_ATTR_MAX */
	nl_diag_msg_fn on_msg;
};

/* Run f->on_msg(msg, tb, ctx) over every SOCK_DIAG_BY_FAMILY message of one recorded buffer
 * (other messages are skipped). As nl_batch_run(); a message too short for the family's
 * header, or with broken attributes, is -EBADMSG. */
int nl_diag_parse(const void *buf, size_t len, const struct nl_diag_family *f, void *ctx);

/* nl_dump_run() with the request req, handing every reply to f->on_msg as nl_diag_parse(). */
int nl_diag_dump(struct mnl_socket *nl, unsigned int seq, const void *req, size_t req_len,
		 const struct nl_diag_family *f, void *ctx);

/* Fill tb[0..max] with the attributes after a family header of hdr_len bytes (types above max
 * are ignored: newer kernels may add some). 0 or -EBADMSG. */
int nl_attrs_parse(const struct nlmsghdr *nlh, size_t hdr_len, const struct nlattr **tb,
		   unsigned int max);

/* The u32 at index i of an array attribute (SK_MEMINFO_*), or false when it is too short. */
bool nl_attr_u32_at(const struct nlattr *a, unsigned int i, uint32_t *value);

#endif
