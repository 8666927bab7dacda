// SPDX-License-Identifier: MIT
/*
 * tour_table: the tour's fourth screen, the cost of system calls: the module's table of
 * typical costs, each row beside what this machine measures now (syscost, and quick runs of
 * the copy and rtt suites of `nic2app bench`), and the CPU mitigations that make it vary.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/bench.h"
#include "nic2app/render.h"
#include "nic2app/syscost.h"
#include "tour.h"

static const struct bench_result *find(const struct bench_results *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

/* "13.4 us (CPU 1)", "47.9 us (CPUs 1, 0)", or "-" when the result is missing. */
static void rtt_cell(char *buf, size_t len, const struct bench_result *res)
{
	struct strbuf sb = STRBUF_INIT;

	if (!res) {
		snprintf(buf, len, "-");
		return;
	}
	duration_add(&sb, res->value);
	if (res->cpu[0] == res->cpu[1])
		strbuf_addf(&sb, " (CPU %d)", res->cpu[0]);
	else
		strbuf_addf(&sb, " (CPUs %d, %d)", res->cpu[0], res->cpu[1]);
	snprintf(buf, len, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
}

static void ns_cell(char *buf, size_t len, double ns)
{
	struct strbuf sb = STRBUF_INIT;

	duration_add(&sb, ns);
	snprintf(buf, len, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
}

/* The names of the mitigations in force: /sys/devices/system/cpu/vulnerabilities/NAME says
 * "Mitigation: ..." for each. */
static void mitigations(char *buf, size_t len)
{
	const char *dir = "/sys/devices/system/cpu/vulnerabilities";
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t used = 0;

	buf[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[512], text[16] = "";
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(text, sizeof(text), f) && strncmp(text, "Mitigation", 10) == 0 && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 de->d_name);
		fclose(f);
	}
	closedir(d);
}

int tour_costs(struct strbuf *sb, bool colour, struct tour_facts *f)
{
	static const char *const hdr[] = { "OPERATION", "MODULE'S TYPICAL", "HERE (P50)" };
	struct syscost_result call, sys, vdso;
	struct bench_opts o = { .quick = true };
	struct bench_results r = { 0 };
	char c[6][32], mit[256];
	const struct bench_result *hot, *cold, *pipe;
	struct table t;
	int err;

	if ((err = syscost_measure(SYSCOST_FUNCTION_CALL, 2000, 0, &call)) < 0 ||
	    (err = syscost_measure(SYSCOST_GETPPID, 2000, 0, &sys)) < 0 ||
	    (err = syscost_measure(SYSCOST_CLOCK_VDSO, 2000, 0, &vdso)) < 0 ||
	    (err = bench_copy(&o, &r)) < 0 || (err = bench_rtt(&o, &r)) < 0 ||
	    (err = table_init(&t, 3, hdr)) < 0) {
		bench_results_release(&r);
		return err;
	}
	f->call_ns = call.ns.p50;
	f->syscall_ns = sys.ns.p50;
	hot = find(&r, "copy.memcpy_1k");
	cold = find(&r, "copy.memcpy_1k_cold");
	pipe = find(&r, "copy.pipe_1k");
	ns_cell(c[0], sizeof(c[0]), call.ns.p50);
	ns_cell(c[1], sizeof(c[1]), sys.ns.p50);
	ns_cell(c[2], sizeof(c[2]), vdso.ns.p50);
	ns_cell(c[3], sizeof(c[3]), hot ? hot->value : 0);
	ns_cell(c[4], sizeof(c[4]), cold ? cold->value : 0);
	ns_cell(c[5], sizeof(c[5]), pipe ? pipe->value : 0);
	table_add_row(&t, (const char *const[]){ "a function call", "-", c[0] });
	table_add_row(&t, (const char *const[]){ "a system call (getppid)", "~100-300 ns", c[1] });
	table_add_row(&t, (const char *const[]){ "clock_gettime (vDSO)", "-", c[2] });
	table_add_row(&t, (const char *const[]){ "1 KiB copy, cached", "~500 ns", c[3] });
	table_add_row(&t, (const char *const[]){ "1 KiB copy, from memory", "~500 ns", c[4] });
	table_add_row(&t, (const char *const[]){ "1 KiB into a pipe and out", "-", c[5] });
	{
		static const char *const modes[] = { "rtt.tcp_lo.pinned", "rtt.tcp_lo.blocking",
						     "rtt.tcp_lo.busy_poll" };
		static const char *const labels[] = { "TCP round trip on lo", "the ends on two CPUs",
						      "two CPUs, spinning *" };
		char cell[48];

		for (int i = 0; i < 3; i++) {
			rtt_cell(cell, sizeof(cell), find(&r, modes[i]));
			table_add_row(&t, (const char *const[]){ labels[i], i ? "" : "~50 \u00b5s (LAN)",
							       cell });
		}
	}
	tour_title(sb, colour, "4. The cost of system calls");
	table_render(&t, sb, colour, 2);
	table_release(&t);
	mitigations(mit, sizeof(mit));
	strbuf_addf(sb,
		    "A system call is a mode switch into the kernel and back in the same task (%.0f\n"
		    "function calls), not a context switch; clock_gettime needs none (the vDSO).\n"
		    "Its cost varies with the CPU and its mitigations, here: %s.\n"
		    "Memory bandwidth bounds only copies larger than the caches. The module's\n"
		    "~50 \u00b5s includes a LAN's wire. * recv(MSG_DONTWAIT) in a loop, not SO_BUSY_POLL.\n"
		    "Standard tools: strace -c; perf trace -s\n",
		    sys.ns.p50 / call.ns.p50, mit[0] ? mit : "none reported");
	bench_results_release(&r);
	return 0;
}
