/* violation.c - violation codes, the rule each enforces, and messages. */
#include <stdio.h>

#include "synfin/violation.h"

struct violation_info {
	const char *name;
	const char *rule;
	const char *what; /* what the expected/actual values are, for messages */
};

static const struct violation_info violation_table[] = {
	[SF_V_SYNACK_BAD_ACK] = {"SYNACK_BAD_ACK",
		"SYN-ACK ack must be SYN seq + 1 (+ SYN payload length when the server accepted SYN data)",
		"SYN-ACK ack"},
	[SF_V_HS_ACK_BAD_ACK] = {"HS_ACK_BAD_ACK",
		"the handshake's final ACK must ack SYN-ACK seq + 1",
		"final ACK ack"},
	[SF_V_HS_ACK_BAD_SEQ] = {"HS_ACK_BAD_SEQ",
		"the handshake's final ACK seq must be SYN seq + 1 (+ accepted SYN data)",
		"final ACK seq"},
	[SF_V_SYN_RESEND_DIFF_SEQ] = {"SYN_RESEND_DIFF_SEQ",
		"a repeated SYN on a connection still in its handshake must keep its sequence number",
		"repeated SYN seq"},
	[SF_V_SYNACK_RESEND_DIFF] = {"SYNACK_RESEND_DIFF",
		"a repeated SYN-ACK must keep its seq and ack (unless it answers a new SYN)",
		"repeated SYN-ACK"},
	[SF_V_FIN_BAD_ACK] = {"FIN_BAD_ACK",
		"an ACK covering a FIN must equal FIN seq + FIN payload length + 1; acking past it is a violation",
		"ACK of FIN"},
	[SF_V_FIN_RESEND_DIFF_SEQ] = {"FIN_RESEND_DIFF_SEQ",
		"a retransmitted FIN must keep the FIN's sequence number (seq + payload length)",
		"repeated FIN's sequence number"},
	[SF_V_DATA_AFTER_FIN] = {"DATA_AFTER_FIN",
		"no new payload may be sent beyond the sender's own FIN",
		"data sequence end"},
	[SF_V_CLOSE_ACK_BAD_SEQ] = {"CLOSE_ACK_BAD_SEQ",
		"after its FIN, a side's segments must carry seq = FIN seq + 1 (or the FIN's own number, a keep-alive)",
		"seq after FIN"},
	[SF_V_ACK_UNSEEN_DATA] = {"ACK_UNSEEN_DATA",
		"an ACK must not acknowledge sequence space its peer was never seen to send, unless the capture shows a gap",
		"ack"},
	[SF_V_RST_BAD_ACK] = {"RST_BAD_ACK",
		"a RST answering a SYN must ack SYN seq + 1; a RST with ACK set must carry an acceptable ack",
		"RST ack"},
	[SF_V_RST_BAD_SEQ] = {"RST_BAD_SEQ",
		"a RST's seq must equal the next sequence number its receiver expects (RFC 5961 §3)",
		"RST seq"},
	[SF_V_DATA_AFTER_RST] = {"DATA_AFTER_RST",
		"the side that sent a RST must not keep sending segments afterwards",
		"segment"},
	[SF_V_SIMOPEN_SYNACK_BAD_SEQ] = {"SIMOPEN_SYNACK_BAD_SEQ",
		"in a simultaneous open, a side's SYN-ACK must reuse its own SYN's ISN",
		"SYN-ACK seq"},
	[SF_V_SYN_FIN] = {"SYN_FIN",
		"SYN and FIN must not be set in one segment",
		"flags"},
	[SF_V_SYN_WRONG_DIR] = {"SYN_WRONG_DIR",
		"a bare SYN must not come from the server outside a simultaneous open",
		"SYN"},
	[SF_V_SYNACK_WRONG_DIR] = {"SYNACK_WRONG_DIR",
		"a SYN-ACK must not come from the client outside a simultaneous open",
		"SYN-ACK"},
	[SF_V_SYN_DURING_CLOSE] = {"SYN_DURING_CLOSE",
		"no SYN on a connection that is established or closing, unless it starts a new connection after a complete close",
		"SYN"},
};
_Static_assert(sizeof violation_table / sizeof violation_table[0] == SF_V__COUNT,
	       "violation_table out of step with enum sf_violation_code");

const char *sf_violation_name(enum sf_violation_code c)
{
	return (unsigned)c < SF_V__COUNT ? violation_table[c].name : "?";
}

const char *sf_violation_rule(enum sf_violation_code c)
{
	return (unsigned)c < SF_V__COUNT ? violation_table[c].rule : "?";
}

void sf_violation_format(const struct sf_violation *v, char *buf, size_t len)
{
	if (len == 0)
		return;
	if ((unsigned)v->code >= SF_V__COUNT) {
		snprintf(buf, len, "unknown violation");
		return;
	}
	const struct violation_info *vi = &violation_table[v->code];
	if (v->has_values)
		snprintf(buf, len, "%s is %lu, expected %lu: %s", vi->what,
			 (unsigned long)v->actual, (unsigned long)v->expected, vi->rule);
	else
		snprintf(buf, len, "%s", vi->rule);
}
