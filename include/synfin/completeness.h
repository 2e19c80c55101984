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

/* Zero-initialise before the first segment. */
struct sf_completeness {
	uint8_t mask;
	/* private: Wireshark's per-conversation state (packet-tcp.c, struct tcp_analysis) */
	bool started;         /* the conversation exists (its first packet was seen) */
	bool base_set[2];     /* flow[i].static_flags & TCP_S_BASE_SEQ_SET; [0] = first sender */
	uint32_t base_seq[2]; /* flow[i].base_seq */
	uint32_t new_streams; /* pure SYNs with a new ISN that made Wireshark open a new tcp.stream */
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
