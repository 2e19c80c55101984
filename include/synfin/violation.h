/* violation.h - the sequence/acknowledgement rules synfin checks. */
#ifndef SYNFIN_VIOLATION_H
#define SYNFIN_VIOLATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sf_violation_code {
	SF_V_SYNACK_BAD_ACK,
	SF_V_HS_ACK_BAD_ACK,
	SF_V_HS_ACK_BAD_SEQ,
	SF_V_SYN_RESEND_DIFF_SEQ,
	SF_V_SYNACK_RESEND_DIFF,
	SF_V_FIN_BAD_ACK,
	SF_V_FIN_RESEND_DIFF_SEQ,
	SF_V_DATA_AFTER_FIN,
	SF_V_CLOSE_ACK_BAD_SEQ,
	SF_V_ACK_UNSEEN_DATA,
	SF_V_RST_BAD_ACK,
	SF_V_RST_BAD_SEQ,
	SF_V_DATA_AFTER_RST,
	SF_V_SIMOPEN_SYNACK_BAD_SEQ,
	SF_V_SYN_FIN,
	SF_V_SYN_WRONG_DIR,
	SF_V_SYNACK_WRONG_DIR,
	SF_V_SYN_DURING_CLOSE,
	SF_V__COUNT
};

struct sf_violation {
	enum sf_violation_code code;
	uint64_t frame;
	int by;             /* endpoint index (0/1) that sent the offending segment */
	bool has_values;    /* expected/actual are meaningful */
	uint32_t expected, actual;
};

/* "SYNACK_BAD_ACK", ... */
const char *sf_violation_name(enum sf_violation_code c);
/* One-line statement of the rule, for the man page and --help. */
const char *sf_violation_rule(enum sf_violation_code c);
/* Human message for one violation, e.g. "SYN-ACK acks 1001, expected SYN seq + 1 = 1000". */
void sf_violation_format(const struct sf_violation *v, char *buf, size_t len);

#endif
