// SPDX-License-Identifier: MIT
/* test_sysctl: /proc/sys parsing, on text and on a recorded tree in tests/data/proc_sys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "nic2app/sysctl.h"

static void test_parse(void **state)
{
	long v = -1;

	(void)state;
	assert_int_equal(sysctl_parse_long("4194304\n", &v), 0);
	assert_int_equal(v, 4194304);
	assert_int_equal(sysctl_parse_long("4096\t4096\t4194304\n", &v), 0); /* tcp_rmem style */
	assert_int_equal(v, 4096);
	assert_int_equal(sysctl_parse_long("-1\n", &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(sysctl_parse_long("", &v), -EINVAL);
	assert_int_equal(sysctl_parse_long("abc", &v), -EINVAL);
	assert_int_equal(sysctl_parse_long("12x", &v), -EINVAL);
	assert_int_equal(sysctl_parse_long("99999999999999999999999", &v), -ERANGE);
}

static void test_recorded_tree(void **state)
{
	struct net_core_limits l;

	(void)state;
	assert_int_equal(net_core_limits_read("tests/data/proc_sys", &l), 0);
	/* values recorded from a Debian 12 VM, kernel 6.18 */
	assert_int_equal(l.rmem_default, 212992);
	assert_int_equal(l.rmem_max, 4194304);
	assert_int_equal(l.wmem_default, 212992);
	assert_int_equal(l.wmem_max, 4194304);
	assert_int_equal(l.somaxconn, 4096);
	assert_int_equal(net_core_limits_read("tests/data/no_such_dir", &l), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_recorded_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
