/* test_violation.c - the code table and messages. */
#include <criterion/criterion.h>
#include <string.h>

#include "synfin/violation.h"

Test(violation, every_code_has_name_and_rule)
{
	static const char *const contract[] = {
		"SYNACK_BAD_ACK", "HS_ACK_BAD_ACK", "HS_ACK_BAD_SEQ", "SYN_RESEND_DIFF_SEQ", "SYNACK_RESEND_DIFF",
		"FIN_BAD_ACK", "FIN_RESEND_DIFF_SEQ", "DATA_AFTER_FIN", "CLOSE_ACK_BAD_SEQ", "ACK_UNSEEN_DATA",
		"RST_BAD_ACK", "RST_BAD_SEQ", "DATA_AFTER_RST", "SIMOPEN_SYNACK_BAD_SEQ", "SYN_FIN",
		"SYN_WRONG_DIR", "SYNACK_WRONG_DIR", "SYN_DURING_CLOSE"};
	cr_assert_eq(sizeof contract / sizeof contract[0], SF_V__COUNT);
	for (int i = 0; i < SF_V__COUNT; i++) {
		cr_assert_str_eq(sf_violation_name((enum sf_violation_code)i), contract[i]);
		cr_assert_gt(strlen(sf_violation_rule((enum sf_violation_code)i)), 20);
	}
	cr_assert_str_eq(sf_violation_name(SF_V__COUNT), "?");
}

Test(violation, message_states_expected_and_actual)
{
	struct sf_violation v = {SF_V_FIN_BAD_ACK, 9, 0, true, 1001, 1005};
	char buf[256];
	sf_violation_format(&v, buf, sizeof buf);
	cr_assert_not_null(strstr(buf, "1005"));
	cr_assert_not_null(strstr(buf, "expected 1001"));
	struct sf_violation w = {SF_V_SYN_FIN, 3, 0, false, 0, 0};
	sf_violation_format(&w, buf, sizeof buf);
	cr_assert_not_null(strstr(buf, "SYN and FIN"));
	sf_violation_format(&w, buf, 4);
	cr_assert_eq(strlen(buf), 3);
}
