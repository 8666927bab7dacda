// SPDX-License-Identifier: MIT
/*
 * fuzz_fdinfo: the text of /proc/PID/fdinfo/N, parsed as every kind of fd in turn (the kind
 * decides which lines count), and the same text as a /proc/PID/fd link and as a type name.
 */
#include "fuzz.h"
#include "nic2app/fd_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct fdinfo info;
	uint64_t inode;
	int t;

	for (t = 0; t < FD_TYPE_COUNT; t++) {
		if (fdinfo_parse(text, (enum fd_type)t, &info) < 0)
			continue;
		FUZZ_ASSERT(memchr(info.detail, '\0', sizeof(info.detail)));
		FUZZ_ASSERT(info.target_count == 0 || info.targets);
		for (size_t i = 0; i < info.target_count; i++)
			(void)*(volatile int *)&info.targets[i];
		fdinfo_release(&info);
	}
	t = fd_type_from_link(text, &inode);
	FUZZ_ASSERT(t >= 0 && t < FD_TYPE_COUNT);
	t = fd_type_from_name(text);
	FUZZ_ASSERT(t == -1 || strcmp(fd_type_name((enum fd_type)t), text) == 0);
	free(text);
	return 0;
}
