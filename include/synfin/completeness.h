/* completeness.h - Wireshark's tcp.completeness bitmask for one connection. */
#ifndef SYNFIN_COMPLETENESS_H
#define SYNFIN_COMPLETENESS_H

#include <stdbool.h>
#include <stdint.h>

enum {
	SF_COMPL_SYN = 1,
	SF_COMPL_SYNACK = 2,
	SF_COMPL_ACK = 4,
	SF_COMPL_DATA = 8,
	SF_COMPL_FIN = 16,
	SF_COMPL_RST = 32,
};

/*
 * Zero-initialise before the first segment.
 *
 * tshark prints, on each packet, the conversation's value as it stood before
 * that packet.  In two-pass mode (tshark -2, and the GUI once a file is
 * loaded) the second pass starts from the first pass's final value and folds
 * every packet in again, the conversation's first packet now under the rules
 * for later packets.  So:
 *   first_pass - tcp_analysis.conversation_completeness after the first pass;
 *   mask       - what `tshark -2` shows on every packet of the stream except
 *                the first: first_pass | first_extra (first_pass alone when the
 *                stream has one packet).  Report this one.
 */
struct sf_completeness {
	uint8_t mask;
	uint8_t first_pass;
	/* private: Wireshark's per-conversation state (packet-tcp.c, struct tcp_analysis) */
	uint8_t first_extra;  /* bits the first packet adds on the second pass */
	uint32_t packets;     /* packets of the current Wireshark conversation */
	bool base_set[2];     /* flow[i].static_flags & TCP_S_BASE_SEQ_SET; [0] = first sender */
	uint32_t base_seq[2]; /* flow[i].base_seq */
	uint32_t new_streams; /* pure SYNs with a new ISN that made Wireshark open a new tcp.stream */
	/* set by the caller: keep the first tcp.stream's value, ignore later streams on the tuple */
	bool first_only;
	bool frozen;
	bool steady; /* !frozen and both base seqs known: completeness.c's short path */
};

/*
 * Fold one segment (flags SF_TH_*, payload length) in, as Wireshark 4.x does.
 * The first call is the conversation's first packet: it only counts as a SYN.
 */
void sf_completeness_segment(struct sf_completeness *c, uint8_t flags, uint32_t payload_len);

/*
 * The same, plus Wireshark's port-reuse rule: a pure SYN whose seq differs
 * from that direction's base seq starts a new tcp.stream (mask restarts at 1).
 * from_first: the segment was sent by the connection's first sender.
 */
void sf_completeness_segment_seq(struct sf_completeness *c, bool from_first, uint8_t flags,
				 uint32_t payload_len, uint32_t seq, uint32_t ack);

#endif
