// SPDX-License-Identifier: MIT
/*
 * fuzz_limits: the text of /proc/PID/limits, asked for every resource the kernel lists (and
 * names it does not), and the same text as /proc/sys/fs/file-nr.
 */
#include "fuzz.h"
#include "nic2app/proc_pid.h"

/* fs/proc/base.c's lnames[], and two that are not there */
static const char *const resources[] = {
	"Max cpu time", "Max file size", "Max data size", "Max stack size",
	"Max core file size", "Max resident set", "Max processes", "Max open files",
	"Max locked memory", "Max address space", "Max file locks", "Max pending signals",
	"Max msgqueue size", "Max nice priority", "Max realtime priority",
	"Max realtime timeout", "Limit", "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	long soft, hard, allocated, max;

	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		proc_limits_parse(text, resources[i], &soft, &hard);
	file_nr_parse(text, &allocated, &max);
	free(text);
	return 0;
}
