/*
 * completeness.c - Wireshark's tcp.completeness for one connection.
 *
 * Mirrors dissect_tcp() in epan/dissectors/packet-tcp.c (github.com/wireshark/
 * wireshark, the 4.0-era code; checked against tshark 4.0.17):
 *
 *   if (conversation_is_new) {            // first packet of the conversation
 *       if ((flags & (SYN|ACK)) == SYN) { completeness |= SYNSENT;
 *                                         if (seglen > 0) completeness |= DATA; }
 *   } else {
 *       if ((flags & (SYN|ACK)) == (SYN|ACK)) completeness |= SYNACK;
 *       if ((flags & (SYN|ACK)) == ACK) completeness |= seglen > 0 ? DATA : ACK;
 *       if ((flags & (FIN|ACK)) == (FIN|ACK)) completeness |= FIN;
 *       if (flags & RST) completeness |= RST;
 *   }
 *
 * The field is added to the tree before this update, and in two-pass mode
 * the second pass re-runs the "else" branch for every packet - the first one
 * included - on top of the first pass's result (see completeness.h).
 *
 * Port reuse: a pure SYN (SYN without ACK) whose seq differs from the
 * base_seq already known for its direction creates a new conversation (a new
 * tcp.stream) whose completeness starts at 1.  base_seq is set by
 * tcp_analyze_sequence_number(): from a direction's first segment (seq, or
 * seq - 1 without SYN), or from the other direction's first ACK (ack - 1).
 */
#include "synfin/completeness.h"

#include <string.h>

#include "synfin/packet.h"

/*
 * The "else" (not a new conversation) branch of dissect_tcp()'s update,
 * grouped by ACK: SYN|ACK -> SYNACK, ACK alone -> DATA or ACK, FIN|ACK -> FIN;
 * RST -> RST. Written once, as a constant expression, and laid out as a
 * table indexed by the flags it reads (flags & LATER_FLAGS) and one bit for
 * payload: a load instead of four tests on every segment.
 */
#define LATER_FLAGS (SF_TH_ACK | SF_TH_RST | SF_TH_SYN | SF_TH_FIN)
#define LATER_BITS(f, data)                                                                        \
	((((f) & SF_TH_ACK) ? ((((f) & SF_TH_SYN) ? SF_COMPL_SYNACK                              \
					      : (data) ? SF_COMPL_DATA : SF_COMPL_ACK) |         \
			      (((f) & SF_TH_FIN) ? SF_COMPL_FIN : 0))                             \
			   : 0) |                                                                  \
	 (((f) & SF_TH_RST) ? SF_COMPL_RST : 0))
#define LATER_ROW(f) LATER_BITS(f, 0), LATER_BITS(f, 1)
#define LATER_ROW4(f) LATER_ROW(f), LATER_ROW((f) + 1), LATER_ROW((f) + 2), LATER_ROW((f) + 3)
_Static_assert(LATER_FLAGS == 0x17, "the table below covers flags & 0x17");
static const uint8_t later_bits[2 * (LATER_FLAGS + 1)] = {
	LATER_ROW4(0), LATER_ROW4(4), LATER_ROW4(8), LATER_ROW4(12), LATER_ROW4(16), LATER_ROW4(20),
};

static inline uint8_t later_packet_bits(uint8_t flags, uint32_t payload_len)
{
	return later_bits[(unsigned)(flags & LATER_FLAGS) << 1 | (payload_len > 0)];
}

static inline void update_mask(struct sf_completeness *c)
{
	c->mask = c->packets >= 2 ? (uint8_t)(c->first_pass | c->first_extra) : c->first_pass;
}

void sf_completeness_segment(struct sf_completeness *c, uint8_t flags, uint32_t payload_len)
{
	if (c->packets++ == 0) {
		/* conversation_is_new: a pure SYN must be sought in new conversations only */
		c->first_pass = 0;
		if ((flags & (SF_TH_SYN | SF_TH_ACK)) == SF_TH_SYN) {
			c->first_pass |= SF_COMPL_SYN;
			if (payload_len > 0) /* TCP Fast Open */
				c->first_pass |= SF_COMPL_DATA;
		}
		c->first_extra = later_packet_bits(flags, payload_len);
	} else {
		c->first_pass |= later_packet_bits(flags, payload_len);
	}
	update_mask(c);
}

/* tcp_analyze_sequence_number(): remember each direction's base_seq. */
static inline void note_base_seq(struct sf_completeness *c, int dir, uint8_t flags,
				 uint32_t seq, uint32_t ack)
{
	if (!c->base_set[dir]) {
		c->base_seq[dir] = (flags & SF_TH_SYN) ? seq : seq - 1;
		c->base_set[dir] = true;
	}
	if (!c->base_set[1 - dir] && (flags & SF_TH_ACK)) {
		c->base_seq[1 - dir] = ack - 1;
		c->base_set[1 - dir] = true;
	}
}

/*
 * Everything sf_completeness_segment_seq() does but its fast path: the
 * first packet, SYNs (port reuse, a SYN-ACK's new ISN). Out of line, so
 * that the fast path needs no register saves.
 */
__attribute__((noinline)) static void segment_seq(struct sf_completeness *c, int dir, uint8_t flags,
						  uint32_t payload_len, uint32_t seq, uint32_t ack)
{
	uint8_t sa = flags & (SF_TH_SYN | SF_TH_ACK);

	if (c->packets > 0 && sa == SF_TH_SYN && c->base_set[dir] && seq != c->base_seq[dir]) {
		if (c->first_only) {
			/* Wireshark opens a new tcp.stream here: keep the first one's value */
			c->new_streams++;
			c->frozen = true;
			return;
		}
		/*
		 * Ports reused: conversation_new() with completeness 1; the SYN itself
		 * then goes through the "else" branch (on both passes).
		 */
		uint32_t n = c->new_streams + 1;
		memset(c, 0, sizeof *c);
		c->new_streams = n;
		c->packets = 1;
		c->first_extra = later_packet_bits(flags, payload_len);
		c->first_pass = (uint8_t)(SF_COMPL_SYN | c->first_extra);
		update_mask(c);
	} else {
		if (c->packets > 0 && sa == (SF_TH_SYN | SF_TH_ACK) && c->base_set[dir] &&
		    seq != c->base_seq[dir])
			c->base_seq[dir] = seq; /* SYN-ACK with another ISN: base_seq follows it */
		sf_completeness_segment(c, flags, payload_len);
	}
	note_base_seq(c, dir, flags, seq, ack);
}

void sf_completeness_segment_seq(struct sf_completeness *c, bool from_first, uint8_t flags,
				 uint32_t payload_len, uint32_t seq, uint32_t ack)
{
	if (c->steady && !(flags & SF_TH_SYN) && c->packets > 0) {
		/*
		 * The usual segment: without SYN it opens no new stream, after the
		 * first packet it takes the "else" branch, and both base seqs are
		 * known - what segment_seq() does, without its tests.
		 */
		c->packets++;
		c->first_pass |= later_packet_bits(flags, payload_len);
		update_mask(c);
		return;
	}
	if (c->frozen)
		return;
	segment_seq(c, from_first ? 0 : 1, flags, payload_len, seq, ack);
	/* only segment_seq() sets base_set and frozen (and its memset clears them) */
	c->steady = !c->frozen && c->base_set[0] && c->base_set[1];
}
