// SPDX-License-Identifier: MIT
/*
 * fuzz_tstamp: the control buffer of one recvmsg() (the SCM_TIMESTAMPING and IP_RECVERR or
 * IPV6_RECVERR messages of an error-queue read, or a data message's RX stamp) is the input,
 * in a buffer of exactly its size, as the kernel would have filled msg_control.
 */
#include <errno.h>

#include "fuzz.h"
#include "nic2app/tstamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msghdr msg = { .msg_control = fuzz_copy(data, size), .msg_controllen = size };
	struct tstamp t;
	int r = tstamp_from_msg(&msg, &t);

	FUZZ_ASSERT(r == 0 || r == 1 || r == -EBADMSG);
	if (r == 1)
		FUZZ_ASSERT(t.point < TSTAMP_POINTS && (t.point != TSTAMP_RX || t.id == 0));
	free(msg.msg_control);
	return 0;
}
