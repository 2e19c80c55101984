/* test_msg.c - one-line messages and terminal-safe escaping. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <string.h>

#include "synfin/msg.h"

Test(msg, escape_keeps_printable_ascii)
{
	char buf[64];
	cr_assert_str_eq(sf_escape("eth0 x.pcap", buf, sizeof buf), "eth0 x.pcap");
}

Test(msg, escape_neutralises_control_and_high_bytes)
{
	char buf[64];
	cr_assert_str_eq(sf_escape("a\x1b[31mb", buf, sizeof buf), "a\\x1b[31mb");
	cr_assert_str_eq(sf_escape("tab\there\n", buf, sizeof buf), "tab\\x09here\\x0a");
	cr_assert_str_eq(sf_escape("\xff\xc3\xa9", buf, sizeof buf), "\\xff\\xc3\\xa9");
	cr_assert_str_eq(sf_escape("back\\slash", buf, sizeof buf), "back\\\\slash");
}

Test(msg, escape_truncates_whole_sequences)
{
	char buf[6];
	cr_assert_str_eq(sf_escape("ab\x01zz", buf, sizeof buf), "ab");
	char one[1];
	cr_assert_str_eq(sf_escape("abc", one, sizeof one), "");
	cr_assert_str_eq(sf_escape(NULL, buf, sizeof buf), "");
}

Test(msg, errors_are_one_prefixed_line, .init = cr_redirect_stderr)
{
	sf_errorf("cannot read %s", "x");
	sf_warnf("late %d", 3);
	fflush(stderr);
	cr_assert_stderr_eq_str("synfin: cannot read x\nsynfin: warning: late 3\n");
}
