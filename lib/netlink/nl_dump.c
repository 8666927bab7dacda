// SPDX-License-Identifier: MIT
/* nl_dump: send one sock_diag dump request on a libmnl socket and feed every received buffer
 * to a parser; shared by inet_diag.c and the sock_table readers (see nl_dump.h). */
#include <errno.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nl_dump.h"

bool nl_messages_whole(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	if (len > INT32_MAX)
		return false;
	while (mnl_nlmsg_ok(nlh, left)) {
		/* fuzz regressions/sock_diag/nlmsg_len_over_2g: passed libmnl's signed check */
		if (nlh->nlmsg_len > (uint32_t)left)
			return false;
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return left <= 0;
}

static int on_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP; /* an acknowledgement */
	/* fuzz regressions/sock_diag/error_int_min: -INT_MIN overflowed */
	if (err->error == INT_MIN)
		errno = EBADMSG;
	else
		errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

/* The int after NLMSG_DONE is 0, or the -errno that ended the dump. */
static int on_done(const struct nlmsghdr *nlh, void *data)
{
	int err;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			/* fuzz regressions/sock_diag/done_int_min: -INT_MIN overflowed */
			errno = err == INT_MIN ? EBADMSG : -err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

int nl_batch_run(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		 mnl_cb_t cb, void *data)
{
	/* control messages go here, not to libmnl's defaults, which ignore NLMSG_DONE's error */
	mnl_cb_t ctl[NLMSG_OVERRUN + 1] = {
		[NLMSG_NOOP] = on_noop,
		[NLMSG_ERROR] = on_error,
		[NLMSG_DONE] = on_done,
		[NLMSG_OVERRUN] = on_noop,
	};
	int r;

	if (!nl_messages_whole(buf, len))
		return -EBADMSG;
	errno = EINVAL;
	r = mnl_cb_run2(buf, len, seq, portid, cb, data, ctl, NLMSG_OVERRUN + 1);
	if (r == MNL_CB_ERROR)
		return errno ? -errno : -EINVAL;
	return r == MNL_CB_STOP ? 1 : 0;
}

struct mnl_socket *nl_diag_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	int err;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		mnl_socket_close(nl);
		errno = err;
		return NULL;
	}
	return nl;
}

int nl_dump_run(struct mnl_socket *nl, unsigned int seq, const void *req, size_t req_len,
		nl_batch_fn fn, void *ctx)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh;
	char *buf;
	ssize_t n;
	int r;

	if (req_len > NL_DUMP_BUFFER_SIZE - MNL_NLMSG_HDRLEN)
		return -EINVAL;
	buf = malloc(NL_DUMP_BUFFER_SIZE);
	if (!buf)
		return -ENOMEM;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, req_len), req, req_len);

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out_free;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, NL_DUMP_BUFFER_SIZE);
		if (n < 0)
			r = -errno;
		else if (n == 0)
			r = -ENODATA; /* netlink never sends empty datagrams */
		else
			r = fn(buf, (size_t)n, seq, portid, ctx);
	} while (r == 0);
	if (r == 1)
		r = 0;
out_free:
	free(buf);
	return r;
}

struct nl_diag_run {
	const struct nl_diag_family *f;
	void *ctx;
};

static int nl_diag_on_message(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_DIAG_ATTR_MAX + 1];
	const struct nl_diag_run *run = data;
	const struct nl_diag_family *f = run->f;
	int r;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	if (f->attr_max > NL_DIAG_ATTR_MAX) {
		errno = EINVAL;
		return MNL_CB_ERROR;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < f->hdr_len ||
	    nl_attrs_parse(nlh, f->hdr_len, tb, f->attr_max) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	r = f->on_msg(mnl_nlmsg_get_payload(nlh), tb, run->ctx);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int nl_diag_batch(const void *buf, size_t len, unsigned int seq, unsigned int portid,
			 void *data)
{
	return nl_batch_run(buf, len, seq, portid, nl_diag_on_message, data);
}

int nl_diag_parse(const void *buf, size_t len, const struct nl_diag_family *f, void *ctx)
{
	struct nl_diag_run run = { .f = f, .ctx = ctx };

	return nl_diag_batch(buf, len, 0, 0, &run);
}

int nl_diag_dump(struct mnl_socket *nl, unsigned int seq, const void *req, size_t req_len,
		 const struct nl_diag_family *f, void *ctx)
{
	struct nl_diag_run run = { .f = f, .ctx = ctx };

	return nl_dump_run(nl, seq, req, req_len, nl_diag_batch, &run);
}

int nl_attrs_parse(const struct nlmsghdr *nlh, size_t hdr_len, const struct nlattr **tb,
		   unsigned int max)
{
	size_t start = MNL_ALIGN(hdr_len), payload = mnl_nlmsg_get_payload_len(nlh);
	const struct nlattr *a;
	int left;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (payload <= start)
		return 0;
	a = mnl_nlmsg_get_payload_offset(nlh, hdr_len);
	left = (int)(payload - start);
	while (mnl_attr_ok(a, left)) {
		uint16_t type = mnl_attr_get_type(a);

		if (type <= max)
			tb[type] = a;
		left -= (int)MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	return left <= 0 ? 0 : -EBADMSG; /* below 0: the last one was not padded */
}

bool nl_attr_u32_at(const struct nlattr *a, unsigned int i, uint32_t *value)
{
	if (!a || mnl_attr_get_payload_len(a) < (i + 1) * sizeof(uint32_t))
		return false;
	memcpy(value, (const char *)mnl_attr_get_payload(a) + i * sizeof(uint32_t), sizeof(*value));
	return true;
}
