// SPDX-License-Identifier: MIT
/* sockets_json: the JSON form of `nic2app sockets` (one object). */
#include "nic2app/json.h"
#include "nic2app/names.h"
#include "sockets_report.h"

static void json_identity(struct json *j, const struct sock_identity *id)
{
	json_string(j, "domain", family_constant(id->domain));
	json_string(j, "type", socktype_constant(id->type));
	json_string(j, "protocol", ipproto_constant(id->protocol));
	json_string(j, "family", family_name(id->domain));
	json_string(j, "proto", id->domain == AF_UNIX ? socktype_name(id->type)
						     : ipproto_name(id->protocol));
	json_bool(j, "blocking", !id->nonblocking);
	json_int(j, "rcvtimeo_us", id->rcvtimeo_us);
	json_int(j, "sndtimeo_us", id->sndtimeo_us);
}

static void json_basics(struct json *j, const struct socket_basics *b)
{
	char flags[64];
	size_t i;

	json_array_begin(j, "std_fds");
	for (i = 0; i < 3; i++) {
		const struct fd_brief *f = &b->std[i];

		json_object_begin(j, NULL);
		json_int(j, "fd", f->fd);
		json_bool(j, "open", f->open);
		if (f->open && !f->err) {
			json_string(j, "target", f->target);
			json_string(j, "type", f->kind);
			json_string(j, "flags", open_flags_format(f->flags, flags, sizeof(flags)));
		} else {
			json_string(j, "error", errno_name(-f->err));
		}
		json_object_end(j);
	}
	json_array_end(j);

	json_array_begin(j, "sockets");
	for (i = 0; i < b->nsocks; i++) {
		json_object_begin(j, NULL);
		json_string(j, "label", b->socks[i].label);
		json_int(j, "fd", b->socks[i].fd);
		json_identity(j, &b->socks[i].id);
		json_object_end(j);
	}
	json_array_end(j);

	json_object_begin(j, "blocking");
	json_int(j, "timeout_requested_us", b->blocking.timeout_requested_us);
	json_object_begin(j, "before");
	json_identity(j, &b->blocking.before);
	json_object_end(j);
	json_object_begin(j, "after");
	json_identity(j, &b->blocking.after);
	json_object_end(j);
	json_int(j, "jiffy_us", b->blocking.jiffy_us);
	json_int(j, "hz", b->blocking.hz);
	json_object_end(j);

	json_array_begin(j, "options");
	for (i = 0; i < b->nopts; i++) {
		json_object_begin(j, NULL);
		json_string(j, "name", b->opts[i].name);
		json_int(j, "before", b->opts[i].before);
		json_int(j, "requested", b->opts[i].requested);
		json_int(j, "after", b->opts[i].after);
		json_object_end(j);
	}
	json_array_end(j);

	json_object_begin(j, "limits");
	json_int(j, "rmem_default", b->limits.rmem_default);
	json_int(j, "rmem_max", b->limits.rmem_max);
	json_int(j, "wmem_default", b->limits.wmem_default);
	json_int(j, "wmem_max", b->limits.wmem_max);
	json_int(j, "somaxconn", b->limits.somaxconn);
	json_array_begin(j, "tcp_rmem");
	for (i = 0; i < 3; i++)
		json_int(j, NULL, b->tcp_rmem[i]);
	json_array_end(j);
	json_array_begin(j, "tcp_wmem");
	for (i = 0; i < 3; i++)
		json_int(j, NULL, b->tcp_wmem[i]);
	json_array_end(j);
	json_object_end(j);
}

static void json_state(struct json *j, const char *key, int state)
{
	if (state == LIFECYCLE_GONE || state < 0)
		json_null(j, key); /* the socket no longer exists */
	else
		json_string(j, key, tcp_state_name(state));
}

static void json_lifecycle(struct json *j, const struct lifecycle *lc)
{
	size_t i, k;

	json_uint(j, "lifecycle_port", lc->port);
	json_array_begin(j, "lifecycle");
	for (i = 0; i < lc->nsteps; i++) {
		const struct lifecycle_step *st = &lc->steps[i];

		json_object_begin(j, NULL);
		json_string(j, "step", st->step);
		json_string(j, "call", st->call);
		json_string(j, "role", st->role);
		json_int(j, "fd", st->fd);
		json_state(j, "state", st->state);
		json_string(j, "source", st->source);
		json_array_begin(j, "fds");
		for (k = 0; k < st->nfds; k++) {
			json_object_begin(j, NULL);
			json_string(j, "role", st->fds[k].role);
			json_int(j, "fd", st->fds[k].fd);
			json_state(j, "state", st->fds[k].state);
			json_string(j, "local", st->fds[k].local);
			json_string(j, "remote", st->fds[k].remote);
			json_object_end(j);
		}
		json_array_end(j);
		if (st->diag_err)
			json_string(j, "kernel_error", errno_name(-st->diag_err));
		json_array_begin(j, "kernel");
		for (k = 0; k < st->nkernel; k++) {
			json_object_begin(j, NULL);
			json_string(j, "local", st->kernel[k].local);
			json_string(j, "remote", st->kernel[k].remote);
			json_state(j, "state", st->kernel[k].state);
			json_uint(j, "inode", st->kernel[k].inode);
			json_uint(j, "recv_q", st->kernel[k].rqueue);
			json_uint(j, "send_q", st->kernel[k].wqueue);
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_cost(struct json *j, const struct sockets_report *r)
{
	double base = r->cost[SYSCOST_FUNCTION_CALL].ns.p50;
	size_t i;

	json_string(j, "syscall_cost_method",
		    "CLOCK_MONOTONIC around batches of consecutive calls; each sample is a batch's "
		    "mean per call; percentiles are over batches");
	json_string(j, "syscall_cost_definition",
		    "the cost of a system call is getppid's p50: the cheapest real system call, "
		    "so it is the mode switch into the kernel and back");
	json_object_begin(j, "syscall_cost");
	for (i = 0; i < SYSCOST_NOPS; i++) {
		const struct syscost_result *c = &r->cost[i];

		json_object_begin(j, c->name);
		json_string(j, "what", c->what);
		json_uint(j, "batch", c->batch);
		json_uint(j, "samples", c->ns.n);
		json_double(j, "p50_ns", c->ns.p50, 2);
		json_double(j, "p99_ns", c->ns.p99, 2);
		json_double(j, "min_ns", c->ns.min, 2);
		json_double(j, "max_ns", c->ns.max, 2);
		json_double(j, "mean_ns", c->ns.mean, 2);
		json_double(j, "ratio_to_function_call", c->ns.p50 / base, 1);
		if (i == SYSCOST_GETPPID || i == SYSCOST_GETSOCKOPT) /* kept for old readers */
			json_string(j, "module_typical", MODULE_TYPICAL_SYSCALL);
		json_bool(j, "is_system_call", i != SYSCOST_FUNCTION_CALL && i != SYSCOST_CLOCK_VDSO);
		json_object_end(j);
	}
	json_object_end(j);
}

int sockets_render_json(struct strbuf *sb, const struct sockets_report *r)
{
	struct json j;
	int err;

	json_init(&j, sb);
	json_object_begin(&j, NULL);
	json_basics(&j, &r->basics);
	json_lifecycle(&j, &r->lifecycle);
	json_cost(&j, r);
	json_object_end(&j);
	err = json_finish(&j);
	strbuf_addc(sb, '\n');
	return err;
}
