// SPDX-License-Identifier: MIT
/*
 * bench_machine: what the benchmarks ran on (kernel, CPUs, model, hypervisor, cpufreq
 * governor) and the warnings that go with it: on a virtual machine a blocking round trip
 * between two CPUs mostly measures the wake-up of an idle vCPU, and a governor other than
 * "performance" lets the clock speed move under the measurement.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "nic2app/bench.h"
#include "nic2app/proc_pid.h"

static void warn(struct bench_machine *m, const char *fmt, ...)
{
	va_list ap;

	if (m->nwarnings == BENCH_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(m->warnings[m->nwarnings++], sizeof(m->warnings[0]), fmt, ap);
	va_end(ap);
}

/* "model name : AMD EPYC" and whether the CPU flags say "hypervisor". */
static void read_cpuinfo(struct bench_machine *m)
{
	static char text[65536];
	const char *at;

	if (proc_read_small(AT_FDCWD, "/proc/cpuinfo", text, sizeof(text)) <= 0)
		return;
	if ((at = strstr(text, "model name")) && (at = strchr(at, ':')))
		snprintf(m->cpu_model, sizeof(m->cpu_model), "%.*s", (int)strcspn(at + 2, "\n"), at + 2);
	m->virtualized = strstr(text, " hypervisor") != NULL;
}

/* The hypervisor's own name from CPUID leaf 0x40000000 ("KVMKVMKVM"), on x86. */
static void read_hypervisor(struct bench_machine *m)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int eax, regs[3];
	char name[13];

	if (!m->virtualized)
		return;
	__cpuid(0x40000000, eax, regs[0], regs[1], regs[2]);
	memcpy(name, regs, 12);
	name[12] = '\0';
	if (strncmp(name, "KVMKVMKVM", 9) == 0)
		snprintf(m->hypervisor, sizeof(m->hypervisor), "KVM");
	else if (strcmp(name, "Microsoft Hv") == 0)
		snprintf(m->hypervisor, sizeof(m->hypervisor), "Hyper-V");
	else if (strcmp(name, "VMwareVMware") == 0)
		snprintf(m->hypervisor, sizeof(m->hypervisor), "VMware");
	else if (strcmp(name, "XenVMMXenVMM") == 0)
		snprintf(m->hypervisor, sizeof(m->hypervisor), "Xen");
	else
		snprintf(m->hypervisor, sizeof(m->hypervisor), "%s", name);
#else
	(void)m;
#endif
}

int bench_machine_read(struct bench_machine *m)
{
	struct utsname u;
	char gov[64];

	memset(m, 0, sizeof(*m));
	if (uname(&u) < 0)
		return -errno;
	snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
	m->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	read_cpuinfo(m);
	read_hypervisor(m);
	if (proc_read_small(AT_FDCWD, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
			    gov, sizeof(gov)) > 0)
		snprintf(m->governor, sizeof(m->governor), "%.*s", (int)strcspn(gov, "\n"), gov);
	if (m->virtualized)
		warn(m, "virtual machine%s%s: a blocking round trip between two CPUs mostly measures "
		     "the wake-up of an idle vCPU; compare the pinned and busy_poll modes",
		     m->hypervisor[0] ? " under " : "", m->hypervisor);
	if (m->governor[0] && strcmp(m->governor, "performance") != 0)
		warn(m, "cpufreq governor '%s': the clock speed can change during a measurement",
		     m->governor);
	if (m->cpus < 2)
		warn(m, "one CPU: the modes that need two (blocking across CPUs, busy_poll) are left out");
	return 0;
}
