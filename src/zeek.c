/*
 * zeek.c - Zeek's conn.log "history" and "conn_state", mirrored segment by segment.
 *
 * This follows Zeek's TCP analyzer closely; every function below names the
 * Zeek function it mirrors.  Sources (github.com/zeek/zeek, master as of 2025):
 *   src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc   Process(), update_history(),
 *       update_window(), init_endpoint(), update_last_seq(), Update*State(), IsReuse()
 *   src/packet_analysis/protocol/tcp/TCP.cc                 WantConnection() (the ^ flip)
 *   src/packet_analysis/protocol/ip/IPBasedAnalyzer.cc      NewConn(), IsLikelyServerPort()
 *   src/analyzer/protocol/tcp/TCP_Endpoint.{h,cc}          CheckHistory(), DidRxmit(),
 *       ZeroWindow(), Gap(), Size(), sequence bookkeeping
 *   src/analyzer/protocol/tcp/TCP_Reassembler.cc           AckReceived(), Undelivered(), Gap()
 *   src/Conn.{h,cc}                                        CheckHistory(), ScaledHistoryEntry(),
 *       FlipRoles() ('^')
 *   scripts/base/protocols/conn/main.zeek                  conn_state()
 * See notes/zeek-wireshark.md for the rules and the places this approximates.
 */
#include "synfin/zeek.h"

#include <stdlib.h>
#include <string.h>

#include "synfin/packet.h"

/* TCPSessionAdapter.cc: constexpr int32_t TOO_LARGE_SEQ_DELTA = 1048576; */
#define TOO_LARGE_SEQ_DELTA 1048576

/* TCP_Endpoint::HistoryMasks (responder masks are shifted left by 16). */
#define HIST_SYN_PKT 0x1u
#define HIST_FIN_PKT 0x2u
#define HIST_RST_PKT 0x4u
#define HIST_FIN_RST_PKT 0x8u
#define HIST_DATA_PKT 0x10u
#define HIST_ACK_PKT 0x20u
#define HIST_MULTI_FLAG_PKT 0x40u

/* TCPSessionAdapter.cc: first_packet_seen bits. */
#define FPS_ORIG 1u
#define FPS_RESP 2u

/* The flags that change an endpoint's state or get a history letter of their own. */
#define CONTROL_FLAGS (SF_TH_SYN | SF_TH_FIN | SF_TH_RST)

/*
 * For the rare branch of a function on the per-segment path: kept out of
 * line, so that the common path through its caller stays short (compilers
 * otherwise inline a static function called once, with the register saves
 * it needs, into a caller that seldom runs it).
 */
#define OUT_OF_LINE __attribute__((noinline))

/* init-bare.zeek: tcp_max_above_hole_without_any_acks = 16384 */
#define MAX_ABOVE_HOLE_WITHOUT_ACKS 16384u

static int32_t seq_delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/*
 * ep[0] or ep[1]. Written as a choice between two constant indices rather
 * than &z->ep[i]: the endpoint struct's size is not a power of two, and
 * compilers otherwise redo the multiplication at every use.
 */
static struct sf_zeek_ep *ep_at(struct sf_zeek *z, unsigned i)
{
	return i == 0 ? &z->ep[0] : &z->ep[1];
}

/* Is ep Zeek's orig right now? (FlipRoles() can change it mid-segment.) */
static bool ep_is_orig(struct sf_zeek *z, const struct sf_zeek_ep *ep)
{
	return ep == ep_at(z, z->orig_ep);
}

/* ---- history (Conn.h / Conn.cc / TCP_Endpoint.cc) ---------------------- */

/* Connection::AddHistory(); the string is bounded here, Zeek's is not. */
static void conn_add_history(struct sf_zeek *z, char code)
{
	if (z->history_len + 1 >= SF_ZEEK_HISTORY_MAX)
		return;
	z->history[z->history_len++] = code;
	z->history[z->history_len] = '\0';
}

/* Connection::CheckHistory(): true if already seen, else record code once. */
OUT_OF_LINE static bool conn_check_history(struct sf_zeek *z, uint32_t mask, char code)
{
	if ((z->hist_seen & mask) == 0) {
		z->hist_seen |= mask;
		conn_add_history(z, code);
		return false;
	}
	return true;
}

/* The responder's form of a history letter (all of them are 'A'..'Z'). */
static char resp_code(char code)
{
	return code >= 'A' && code <= 'Z' ? (char)(code - 'A' + 'a') : code;
}

/*
 * TCP_Endpoint::CheckHistory() for an endpoint that is (is_orig) or is not
 * Zeek's orig: responders use mask << 16 and lower case.
 */
static bool ep_check_history(struct sf_zeek *z, bool is_orig, uint32_t mask, char code)
{
	if (!is_orig) {
		mask <<= 16;
		code = resp_code(code);
	}
	return conn_check_history(z, mask, code);
}

/* TCP_Endpoint::AddHistory() */
static void ep_add_history(struct sf_zeek *z, bool is_orig, char code)
{
	if (!is_orig)
		code = resp_code(code);
	conn_add_history(z, code);
}

/*
 * Connection::ScaledHistoryEntry() with scaling_base 10: the letter is added
 * when the counter reaches 1, 10, 100, ... occurrences.
 */
OUT_OF_LINE static void scaled_history_entry(struct sf_zeek *z, char code, uint32_t *counter,
					     uint32_t *threshold)
{
	if (++*counter == *threshold) {
		conn_add_history(z, code);
		uint32_t next = *threshold * 10u;
		if (next <= *threshold)
			*counter = 0; /* wrap-around: Zeek resets the counter */
		else
			*threshold = next;
	}
}

/* TCP_Endpoint::DidRxmit() - 'T' / 't' */
static void ep_did_rxmit(struct sf_zeek *z, struct sf_zeek_ep *ep)
{
	scaled_history_entry(z, ep_is_orig(z, ep) ? 'T' : 't', &ep->rxmt_cnt, &ep->rxmt_thresh);
}

/* TCP_Endpoint::ZeroWindow() - 'W' / 'w' */
static void ep_zero_window(struct sf_zeek *z, struct sf_zeek_ep *ep)
{
	scaled_history_entry(z, ep_is_orig(z, ep) ? 'W' : 'w', &ep->win0_cnt, &ep->win0_thresh);
}

/* ---- TCP_Endpoint sequence bookkeeping (TCP_Endpoint.h) ---------------- */

static uint32_t ep_start_seq(const struct sf_zeek_ep *ep)
{
	return (uint32_t)ep->start_seq;
}

static uint64_t to_full_seq(uint32_t seq, uint32_t wraps)
{
	return ((uint64_t)wraps << 32) + seq;
}

static uint64_t ep_to_relative(const struct sf_zeek_ep *ep, uint32_t seq, uint32_t wraps)
{
	return to_full_seq(seq, wraps) - (uint64_t)ep->start_seq;
}

static void ep_update_last_seq(struct sf_zeek_ep *ep, uint32_t seq)
{
	if (seq < ep->last_seq)
		++ep->seq_wraps;
	ep->last_seq = seq;
}

static void ep_update_ack_seq(struct sf_zeek_ep *ep, uint32_t seq)
{
	if (seq < ep->ack_seq)
		++ep->ack_wraps;
	ep->ack_seq = seq;
}

/* TCP_Endpoint::NoDataAcked() */
static bool ep_no_data_acked(const struct sf_zeek_ep *ep)
{
	uint64_t ack = to_full_seq(ep->ack_seq, ep->ack_wraps);
	uint64_t start = (uint64_t)ep->start_seq;
	return ack == start || ack == start + 1;
}

/* TCP_Endpoint::SetState() (the statistics side is not needed) */
static void ep_set_state(struct sf_zeek_ep *ep, enum sf_zeek_ep_state s)
{
	if ((uint8_t)s != ep->state) {
		ep->prev_state = ep->state;
		ep->state = (uint8_t)s;
	}
}

/* TCP_Endpoint::Size() */
static inline uint64_t ep_size(const struct sf_zeek_ep *ep, const struct sf_zeek_ep *peer)
{
	if (ep->state == SF_ZEEK_RESET && ep->prev_state == SF_ZEEK_SYN_SENT &&
	    peer->state == SF_ZEEK_INACTIVE && !ep_no_data_acked(ep))
		return 0;

	uint64_t last64 = to_full_seq(ep->last_seq, ep->seq_wraps);
	uint64_t ack64 = to_full_seq(ep->ack_seq, ep->ack_wraps);
	uint64_t size = (last64 > ack64 ? last64 : ack64) - (uint64_t)ep->start_seq;

	if (size != 0)
		--size; /* SYN octet */
	if (ep->fin_cnt > 0 && size != 0)
		--size; /* FIN octet */
	return size;
}

/* ---- TCPSessionAdapter.cc static helpers ------------------------------- */

/* get_segment_len() */
static uint32_t get_segment_len(uint32_t payload_len, uint8_t flags)
{
	uint32_t seg_len = payload_len;
	if (flags & SF_TH_SYN)
		++seg_len;
	if (flags & SF_TH_FIN)
		++seg_len;
	if (flags & SF_TH_RST)
		seg_len -= payload_len; /* RST data is not part of the stream */
	return seg_len;
}

/* init_endpoint() */
static void init_endpoint(struct sf_zeek_ep *ep, uint8_t flags, uint32_t first_seg_seq,
			  uint32_t last_seq)
{
	bool syn = flags & SF_TH_SYN;

	switch ((enum sf_zeek_ep_state)ep->state) {
	case SF_ZEEK_INACTIVE:
		if (syn) {
			ep->ack_seq = first_seg_seq;
			ep->start_seq = first_seg_seq;
		} else {
			/* partial connection: number as though a SYN was seen */
			ep->ack_seq = first_seg_seq - 1;
			ep->start_seq = (uint32_t)(first_seg_seq - 1);
			/* but ensure the first packet is not marked duplicate */
			last_seq = first_seg_seq;
		}
		ep->last_seq = last_seq;
		break;
	case SF_ZEEK_SYN_SENT:
	case SF_ZEEK_SYN_ACK_SENT:
		if (syn && first_seg_seq != ep_start_seq(ep)) { /* Weird("SYN_seq_jump") */
			ep->start_seq = first_seg_seq;
			ep->ack_seq = first_seg_seq;
			ep->last_seq = last_seq;
		}
		break;
	case SF_ZEEK_ESTABLISHED:
	case SF_ZEEK_PARTIAL:
		if (syn) {
			/* guess that this SYN is the one that really sets it up */
			ep->start_seq = first_seg_seq;
			ep->ack_seq = first_seg_seq;
			ep->last_seq = last_seq;
		}
		break;
	case SF_ZEEK_RESET:
		if (syn && ep->prev_state == SF_ZEEK_INACTIVE) {
			ep->start_seq = first_seg_seq;
			ep->ack_seq = first_seg_seq;
			ep->last_seq = last_seq;
		}
		break;
	case SF_ZEEK_CLOSED:
		break;
	}
}

/* get_relative_seq() */
static inline uint64_t get_relative_seq(const struct sf_zeek_ep *ep, uint32_t cur_base,
					uint32_t last, uint32_t wraps, bool *underflow)
{
	int32_t delta = seq_delta(cur_base, last);

	if (delta < 0) {
		if (wraps && cur_base > last)
			--wraps; /* part of a previous 32-bit sequence space */
	} else if (delta > 0) {
		if (cur_base < last)
			++wraps; /* the sequence space wrapped around */
	}

	if (wraps == 0) {
		delta = seq_delta(cur_base, ep_start_seq(ep));
		if (underflow && delta < 0)
			*underflow = true;
		return (uint64_t)(int64_t)delta;
	}
	return ep_to_relative(ep, cur_base, wraps);
}

/*
 * update_history(). A segment without SYN, FIN or RST - nearly every one -
 * adds at most 'D' or 'A' once per side (update_history_plain()), so once
 * both are in the history it costs one test of hist_seen.
 */
static inline void update_history_plain(struct sf_zeek *z, bool is_orig, uint8_t flags,
					uint32_t len)
{
	uint32_t mask = len ? HIST_DATA_PKT : (flags & SF_TH_ACK) ? HIST_ACK_PKT : 0;
	if (mask != 0 && (z->hist_seen & (is_orig ? mask : mask << 16)) == 0)
		ep_check_history(z, is_orig, mask, len ? 'D' : 'A');
}

static void update_history(struct sf_zeek *z, struct sf_zeek_ep *ep, bool is_orig, uint8_t flags,
			   uint64_t rel_seq, uint32_t len)
{
	int bits_set = ((flags & SF_TH_SYN) ? 1 : 0) + ((flags & SF_TH_FIN) ? 1 : 0) +
		       ((flags & SF_TH_RST) ? 1 : 0);

	if (bits_set == 0) {
		update_history_plain(z, is_orig, flags, len);
	} else if (bits_set > 1) {
		if ((flags & SF_TH_FIN) && (flags & SF_TH_RST))
			ep_check_history(z, is_orig, HIST_FIN_RST_PKT, 'I');
		else
			ep_check_history(z, is_orig, HIST_MULTI_FLAG_PKT, 'Q');
	} else {
		if (flags & SF_TH_SYN) {
			char code = (flags & SF_TH_ACK) ? 'H' : 'S';
			if (ep_check_history(z, is_orig, HIST_SYN_PKT, code) &&
			    rel_seq != ep->hist_last_syn)
				ep_add_history(z, is_orig, code);
			ep->hist_last_syn = rel_seq;
		}
		if (flags & SF_TH_FIN) {
			/* a FIN's sequence number comes after the data it carries */
			if (ep_check_history(z, is_orig, HIST_FIN_PKT, 'F') &&
			    rel_seq + len != ep->hist_last_fin)
				ep_add_history(z, is_orig, 'F');
			ep->hist_last_fin = rel_seq + len;
		}
		if (flags & SF_TH_RST) {
			if (ep_check_history(z, is_orig, HIST_RST_PKT, 'R') &&
			    rel_seq != ep->hist_last_rst)
				ep_add_history(z, is_orig, 'R');
			ep->hist_last_rst = rel_seq;
		}
	}
}

/*
 * update_window(): only the zero-window part affects the history.  A raw
 * window of 0 stays 0 whatever the scale, so the scale is not needed.
 */
static inline void update_window(struct sf_zeek *z, struct sf_zeek_ep *ep,
				 const struct sf_zeek_ep *peer, uint16_t window, uint8_t flags)
{
	if (window == 0 && !(flags & SF_TH_RST) && peer->state != SF_ZEEK_CLOSED &&
	    ep->state != SF_ZEEK_RESET)
		ep_zero_window(z, ep);
}

/* init_peer() */
static void init_peer(struct sf_zeek_ep *peer, uint32_t ack_seq)
{
	peer->start_seq = (uint32_t)(ack_seq - 1);
	peer->ack_seq = ack_seq - 1;
	peer->last_seq = ack_seq - 1;
}

/* update_ack_seq() */
static inline void update_ack_seq(struct sf_zeek_ep *ep, uint32_t ack_seq)
{
	int32_t delta_ack = seq_delta(ack_seq, ep->ack_seq);

	if (ack_seq == 0 && delta_ack > TOO_LARGE_SEQ_DELTA)
		; /* more likely a broken ack than a wrap onto 0 */
	else if (delta_ack > 0)
		ep_update_ack_seq(ep, ack_seq);
}

/* update_last_seq(): returns delta_last; data at or below the highest seen is a 'T'. */
static inline int32_t update_last_seq(struct sf_zeek *z, struct sf_zeek_ep *ep,
				      uint32_t last_seq, uint8_t flags, uint32_t len)
{
	int32_t delta_last = seq_delta(last_seq, ep->last_seq);

	if ((flags & (SF_TH_SYN | SF_TH_RST)) &&
	    (delta_last > TOO_LARGE_SEQ_DELTA || delta_last < -TOO_LARGE_SEQ_DELTA))
		; /* don't trust far-off SYN/RST sequence numbers */
	else if ((flags & SF_TH_FIN) && ep->last_seq == (uint32_t)(ep_start_seq(ep) + 1))
		ep_update_last_seq(ep, last_seq); /* >2 GB connections seen as SYN + FIN */
	else if (ep->state == SF_ZEEK_RESET)
		; /* don't trust sequence numbers after a RST */
	else if (delta_last > 0)
		ep_update_last_seq(ep, last_seq);
	else if (delta_last <= 0 && len > 0)
		ep_did_rxmit(z, ep);

	return delta_last;
}

/* TCPSessionAdapter::SetPartialStatus() */
static void set_partial_status(struct sf_zeek *z, uint8_t flags, bool is_orig)
{
	bool syn = flags & SF_TH_SYN, ack = flags & SF_TH_ACK;

	if (is_orig) {
		if (!(z->first_packet_seen & FPS_ORIG))
			z->is_partial = !syn || ack;
	} else {
		if (!(z->first_packet_seen & FPS_RESP) && !z->is_partial)
			z->is_partial = !syn;
	}
}

/* TCPSessionAdapter::SetFirstPacketSeen() */
static void set_first_packet_seen(struct sf_zeek *z, bool is_orig)
{
	z->first_packet_seen |= is_orig ? FPS_ORIG : FPS_RESP;
}

/* Connection::FlipRoles() -> TCPSessionAdapter::FlipRoles(), then AddHistory('^'). */
static void flip_roles(struct sf_zeek *z)
{
	z->orig_ep = (uint8_t)(1 - z->orig_ep);
	z->flipped = z->orig_ep != 0;
	z->first_packet_seen = (uint8_t)(((z->first_packet_seen & FPS_ORIG) ? FPS_RESP : 0) |
					 ((z->first_packet_seen & FPS_RESP) ? FPS_ORIG : 0));
	z->is_partial = false;
	conn_add_history(z, '^');
}

/* ---- TCP_Reassembler: content gaps ('G') --------------------------------- */

static bool is_clean(const struct sf_zeek_ep *a)
{
	return a->state == SF_ZEEK_ESTABLISHED ||
	       (a->state == SF_ZEEK_CLOSED && a->prev_state == SF_ZEEK_ESTABLISHED);
}

/* TCP_Reassembler::Gap() -> TCP_Endpoint::Gap() when both sides are clean. */
static void reass_gap(struct sf_zeek *z, struct sf_zeek_ep *ep, const struct sf_zeek_ep *peer)
{
	if (is_clean(ep) && is_clean(peer))
		scaled_history_entry(z, ep_is_orig(z, ep) ? 'G' : 'g', &ep->gap_cnt, &ep->gap_thresh);
}

/* A few 16-byte entries at most: a plain loop beats a memmove() call. */
static void block_remove(struct sf_zeek_ep *ep, unsigned i)
{
	for (unsigned k = i; k + 1 < ep->nblocks; k++)
		ep->blocks[k] = ep->blocks[k + 1];
	ep->nblocks--;
}

/* Deliver blocks that now start at or below last_reassem_seq (BlockInserted()). */
static void reass_deliver(struct sf_zeek_ep *ep)
{
	while (ep->nblocks > 0 && ep->blocks[0].seq <= ep->last_reassem_seq) {
		if (ep->blocks[0].upper > ep->last_reassem_seq)
			ep->last_reassem_seq = ep->blocks[0].upper;
		block_remove(ep, 0);
	}
}

/*
 * Keep the undelivered data as sorted, disjoint, non-adjacent blocks above
 * last_reassem_seq (DataBlockList::Insert() + BlockInserted()).  Zeek's list
 * is unbounded; when ours is full the new block is merged into its neighbour.
 */
OUT_OF_LINE static void reass_insert_block(struct sf_zeek_ep *ep, uint64_t seq, uint64_t upper)
{
	unsigned i = 0;
	while (i < ep->nblocks && ep->blocks[i].upper < seq)
		i++;
	/* merge every block overlapping or touching [seq, upper) */
	unsigned j = i;
	while (j < ep->nblocks && ep->blocks[j].seq <= upper) {
		if (ep->blocks[j].seq < seq)
			seq = ep->blocks[j].seq;
		if (ep->blocks[j].upper > upper)
			upper = ep->blocks[j].upper;
		j++;
	}
	if (j > i) {
		ep->blocks[i].seq = seq;
		ep->blocks[i].upper = upper;
		for (unsigned k = i + 1; k < j; k++)
			block_remove(ep, i + 1);
	} else if (ep->nblocks < SF_ZEEK_MAX_BLOCKS) {
		for (unsigned k = ep->nblocks; k > i; k--)
			ep->blocks[k] = ep->blocks[k - 1];
		ep->blocks[i].seq = seq;
		ep->blocks[i].upper = upper;
		ep->nblocks++;
	} else if (i == ep->nblocks) {
		ep->blocks[i - 1].upper = upper; /* full: extend the last block */
	} else {
		ep->blocks[i].seq = seq; /* full: extend the next block downwards */
	}
	reass_deliver(ep);
}

static inline void reass_insert(struct sf_zeek_ep *ep, uint64_t seq, uint64_t upper)
{
	if (upper <= ep->last_reassem_seq)
		return;
	if (seq < ep->last_reassem_seq)
		seq = ep->last_reassem_seq;
	if (ep->nblocks == 0 && seq == ep->last_reassem_seq) {
		/* in order with nothing pending: inserting and delivering comes to this */
		ep->last_reassem_seq = upper;
		return;
	}
	reass_insert_block(ep, seq, upper);
}

/* TCP_Reassembler::DataSent() + Reassembler::NewBlock() */
static inline void reass_data_sent(struct sf_zeek_ep *ep, uint64_t seq, uint32_t len)
{
	uint64_t ack = ep_to_relative(ep, ep->ack_seq, ep->ack_wraps);
	uint64_t upper = seq + len;

	if (ep->skip_deliveries)
		return;
	if (seq < ack) {
		if (upper <= ack)
			return; /* already delivered and acked */
		seq = ack;
	}
	if (upper <= ep->trim_seq)
		return;
	if (seq < ep->trim_seq)
		seq = ep->trim_seq;
	reass_insert(ep, seq, upper);

	/* "above_hole_data_without_any_acks": give up reassembling this side */
	if (ep->nblocks > 0 && ep_no_data_acked(ep) &&
	    ep->blocks[ep->nblocks - 1].upper - ep->last_reassem_seq > MAX_ABOVE_HOLE_WITHOUT_ACKS) {
		ep->nblocks = 0;
		ep->skip_deliveries = true;
	}
}

/* TCP_Reassembler::Undelivered() */
OUT_OF_LINE static void reass_undelivered(struct sf_zeek *z, struct sf_zeek_ep *ep,
					  const struct sf_zeek_ep *peer, uint64_t up_to_seq)
{
	if (up_to_seq <= 2 && z->is_partial)
		return; /* the faked-up ISN of a partial connection, not a real gap */

	if (!ep->skip_deliveries) {
		while (ep->nblocks > 0 && ep->blocks[0].seq < up_to_seq) {
			reass_gap(z, ep, peer); /* hole before this block */
			ep->last_reassem_seq = ep->blocks[0].seq;
			reass_deliver(ep);
		}
		if (up_to_seq > ep->last_reassem_seq)
			reass_gap(z, ep, peer);
	}
	if (up_to_seq > ep->last_reassem_seq)
		ep->last_reassem_seq = up_to_seq;
}

/* TCP_Reassembler::AckReceived() -> Reassembler::TrimToSeq() */
static inline void reass_ack_received(struct sf_zeek *z, struct sf_zeek_ep *ep,
				      const struct sf_zeek_ep *peer, uint64_t seq)
{
	if (ep->fin_cnt > 0 && seq >= ep->fin_seq)
		seq = ep->fin_seq - 1;
	if (seq <= ep->trim_seq)
		return;
	if (seq > ep->last_reassem_seq)
		reass_undelivered(z, ep, peer, seq);
	while (ep->nblocks > 0 && ep->blocks[0].upper <= seq)
		block_remove(ep, 0);
	ep->trim_seq = seq;
}

/* ---- the state machine (TCPSessionAdapter::Update*State()) -------------- */

static void update_inactive_state(struct sf_zeek *z, struct sf_zeek_ep *ep, struct sf_zeek_ep *peer,
				  uint32_t base_seq, uint32_t len, bool is_orig, uint8_t flags,
				  bool *do_close)
{
	if (flags & SF_TH_SYN) {
		if (is_orig) {
			if (flags & SF_TH_ACK) /* Weird("connection_originator_SYN_ack") */
				ep_set_state(ep, SF_ZEEK_SYN_ACK_SENT);
			else
				ep_set_state(ep, SF_ZEEK_SYN_SENT);
		} else {
			if (flags & SF_TH_ACK) {
				; /* possibly Weird("bad_SYN_ack") */
			} else if (peer->state == SF_ZEEK_SYN_ACK_SENT && base_seq == ep_start_seq(ep)) {
				/* SYN/SYN-ACK reversal: flip and establish */
				z->is_partial = false;
				flip_roles(z);
				ep_set_state(peer, SF_ZEEK_ESTABLISHED);
				set_first_packet_seen(z, true);
			} else {
				; /* Weird("simultaneous_open") */
			}
			if (peer->state == SF_ZEEK_SYN_SENT)
				ep_set_state(peer, SF_ZEEK_ESTABLISHED);
			ep_set_state(ep, SF_ZEEK_ESTABLISHED);
		}
	}

	if (flags & SF_TH_FIN) {
		ep_set_state(ep, SF_ZEEK_CLOSED);
		*do_close = true;
	}

	if (flags & SF_TH_RST) {
		ep_set_state(ep, SF_ZEEK_RESET);
		*do_close = true;
	}

	if (ep->state == SF_ZEEK_INACTIVE) { /* no control flags changed the state */
		if (!is_orig && len == 0 && z->ep[z->orig_ep].state == SF_ZEEK_SYN_SENT) {
			; /* an ACK of the SYN before the SYN-ACK: not a partial connection */
		} else if ((flags & SF_TH_ACK) && peer->state == SF_ZEEK_ESTABLISHED) {
			/* SYN-ACK seen but not the SYN, and now a pure ACK */
			ep_set_state(ep, SF_ZEEK_ESTABLISHED);
			z->is_partial = false;
			set_first_packet_seen(z, is_orig);
		} else {
			ep_set_state(ep, SF_ZEEK_PARTIAL);
		}
	}
}

static void update_syn_sent_state(struct sf_zeek_ep *ep, uint8_t flags, bool *do_close)
{
	if (flags & SF_TH_FIN) {
		ep_set_state(ep, SF_ZEEK_CLOSED);
		*do_close = true;
	}
	if (flags & SF_TH_RST) {
		ep_set_state(ep, SF_ZEEK_RESET);
		*do_close = true;
	}
}

static void update_established_state(struct sf_zeek_ep *ep, struct sf_zeek_ep *peer, uint8_t flags,
				     bool *do_close)
{
	if (flags & SF_TH_SYN) {
		if (ep->state == SF_ZEEK_PARTIAL && peer->state == SF_ZEEK_INACTIVE &&
		    !(flags & SF_TH_ACK))
			ep_set_state(ep, SF_ZEEK_SYN_SENT); /* Weird("SYN_after_partial") */
	}

	if ((flags & SF_TH_FIN) && !(flags & SF_TH_RST)) {
		ep_set_state(ep, SF_ZEEK_CLOSED);
		/* FIN followed by RST from the peer: that was a normal close */
		if (peer->state == SF_ZEEK_RESET && peer->prev_state == SF_ZEEK_CLOSED)
			ep_set_state(peer, SF_ZEEK_CLOSED);
		*do_close = true;
	}

	if (flags & SF_TH_RST) {
		ep_set_state(ep, SF_ZEEK_RESET);
		*do_close = true;
	}
}

static void update_closed_state(struct sf_zeek_ep *ep, const struct sf_zeek_ep *peer, uint8_t flags,
				bool *do_close)
{
	/* a RST after both sides sent FINs does not change our state */
	if ((flags & SF_TH_RST) && peer->state != SF_ZEEK_CLOSED) {
		ep_set_state(ep, SF_ZEEK_RESET);
		if (!ep->did_close)
			*do_close = true;
	}
}

/* TCPSessionAdapter::UpdateStateMachine() */
static void update_state_machine(struct sf_zeek *z, struct sf_zeek_ep *ep, struct sf_zeek_ep *peer,
				 uint32_t base_seq, uint32_t len, bool is_orig, uint8_t flags,
				 bool *do_close)
{
	*do_close = false;
	switch ((enum sf_zeek_ep_state)ep->state) {
	case SF_ZEEK_INACTIVE:
		update_inactive_state(z, ep, peer, base_seq, len, is_orig, flags, do_close);
		break;
	case SF_ZEEK_SYN_SENT:
	case SF_ZEEK_SYN_ACK_SENT:
		update_syn_sent_state(ep, flags, do_close);
		break;
	case SF_ZEEK_ESTABLISHED:
	case SF_ZEEK_PARTIAL:
		update_established_state(ep, peer, flags, do_close);
		break;
	case SF_ZEEK_CLOSED:
		update_closed_state(ep, peer, flags, do_close);
		break;
	case SF_ZEEK_RESET:
		break; /* UpdateResetState() only reports weirds */
	}
}

/* ---- connection set-up and reuse ---------------------------------------- */

/*
 * Zeek's likely_server_ports for TCP with the default (base) scripts: every
 * TCP port a base/protocols script registers through
 * Analyzer::register_for_ports() or adds by "redef likely_server_ports".
 * Sorted for bsearch.  See notes/zeek-wireshark.md for the per-script origin.
 */
static const uint16_t likely_tcp_ports[] = {
	21,   22,   25,   53,   79,   80,   81,   88,   135,  139,  143,  389,  443,
	445,  465,  502,  514,  563,  585,  587,  614,  631,  636,  989,  990,  992,
	993,  995,  1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269,
	5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static int cmp_port(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return (x > y) - (x < y);
}

bool sf_zeek_is_likely_server_port(uint16_t port)
{
	return bsearch(&port, likely_tcp_ports, sizeof likely_tcp_ports / sizeof likely_tcp_ports[0],
		       sizeof likely_tcp_ports[0], cmp_port) != NULL;
}

/* TCPAnalyzer::WantConnection(): should the first packet's receiver become orig? */
static bool want_connection_flip(uint16_t src_port, uint16_t dst_port, uint8_t flags)
{
	if (!(flags & SF_TH_SYN) || (flags & SF_TH_ACK)) {
		/* partial connection (no SYN, or a SYN-ACK): guess by port */
		if (sf_zeek_is_likely_server_port(src_port)) {
			if (sf_zeek_is_likely_server_port(dst_port))
				/* both plausible: flip only a non-SYN with dst port > src port */
				return !(flags & SF_TH_SYN) && src_port < dst_port;
			return true;
		}
	}
	return false;
}

/* IPBasedAnalyzer::NewConn() + the TCP_Endpoint / TCP_Reassembler constructors */
static void new_conn(struct sf_zeek *z, unsigned sender, uint16_t sport, uint16_t dport,
		     uint8_t flags)
{
	uint32_t reuses = z->reuses;
	bool first_only = z->first_only;

	memset(z, 0, sizeof *z);
	z->reuses = reuses;
	z->first_only = first_only;
	z->started = true;
	for (int i = 0; i < 2; i++) {
		struct sf_zeek_ep *ep = &z->ep[i];
		ep->state = ep->prev_state = SF_ZEEK_INACTIVE;
		ep->rxmt_thresh = ep->win0_thresh = ep->gap_thresh = 1;
		ep->last_reassem_seq = ep->trim_seq = 1; /* Reassembler(1, ...) */
	}
	z->orig_ep = (uint8_t)sender;
	if (want_connection_flip(sport, dport, flags)) {
		/* Connection::FlipRoles() before the adapter exists: roles + '^' */
		z->orig_ep = (uint8_t)(1 - sender);
		conn_add_history(z, '^');
	}
	z->flipped = z->orig_ep != 0;
}

/* TCPSessionAdapter::IsReuse(): would this segment make Zeek start a new connection? */
static bool is_reuse(const struct sf_zeek *z, const struct sf_zeek_seg *s)
{
	const struct sf_zeek_ep *orig = &z->ep[z->orig_ep];
	const struct sf_zeek_ep *resp = &z->ep[1 - z->orig_ep];
	const struct sf_zeek_ep *conn_orig = orig;

	/* reuse only occurs on initial SYNs, or on SYN-ACKs for half connections */
	if (!(s->flags & SF_TH_SYN))
		return false;
	if (s->flags & SF_TH_ACK) {
		if (orig->state != SF_ZEEK_INACTIVE)
			return false;
		conn_orig = resp;
	}
	if (!(orig->did_close || resp->did_close)) { /* !IsClosed() */
		if (s->seq == ep_start_seq(conn_orig))
			return false;
		if (!(s->flags & SF_TH_ACK) && conn_orig->state == SF_ZEEK_SYN_ACK_SENT &&
		    resp->state == SF_ZEEK_INACTIVE && s->seq == ep_start_seq(resp))
			return false; /* SYN and SYN-ACK seen reversed */
	}
	return true;
}

/* ---- TCPSessionAdapter::Process() --------------------------------------- */

static void process(struct sf_zeek *z, struct sf_zeek_ep *ep, struct sf_zeek_ep *peer,
		    const struct sf_zeek_seg *s)
{
	bool is_orig = ep_is_orig(z, ep);
	uint8_t flags = s->flags;
	uint32_t base_seq = s->seq, ack_seq = s->ack, len = s->len;

	set_partial_status(z, flags, is_orig);

	uint32_t seg_len = get_segment_len(len, flags);
	uint32_t seq_one_past_segment = base_seq + seg_len;

	/* init_endpoint() changes nothing unless the segment is a SYN or ep is inactive */
	if ((flags & SF_TH_SYN) || ep->state == SF_ZEEK_INACTIVE)
		init_endpoint(ep, flags, base_seq, seq_one_past_segment);

	bool seq_underflow = false;
	uint64_t rel_seq = get_relative_seq(ep, base_seq, ep->last_seq, ep->seq_wraps, &seq_underflow);

	update_history(z, ep, is_orig, flags, rel_seq, len);
	update_window(z, ep, peer, s->window, flags);

	if (flags & SF_TH_FIN) {
		++ep->fin_cnt;
		ep->fin_seq = rel_seq + seg_len;
	}
	if (flags & SF_TH_RST)
		++ep->rst_cnt;

	uint64_t rel_ack = 0;
	if (flags & SF_TH_ACK) {
		if (peer->state == SF_ZEEK_INACTIVE) {
			rel_ack = 1;
			init_peer(peer, ack_seq);
		} else {
			bool ack_underflow = false;
			rel_ack = get_relative_seq(peer, ack_seq, peer->ack_seq, peer->ack_wraps,
						   &ack_underflow);
			if (ack_underflow)
				rel_ack = 0;
			else if (!(flags & SF_TH_RST)) /* don't trust acks in RSTs */
				update_ack_seq(peer, ack_seq);
		}
	}

	update_last_seq(z, ep, seq_one_past_segment, flags, len);

	/*
	 * Every Update*State() but the inactive one acts on SYN, FIN or RST
	 * alone: a plain data/ACK segment of an active endpoint changes nothing.
	 */
	bool do_close = false;
	if ((flags & CONTROL_FLAGS) || ep->state == SF_ZEEK_INACTIVE)
		update_state_machine(z, ep, peer, base_seq, len, is_orig, flags, &do_close);

	/* after the state machine, so gaps at a FIN/RST end are judged correctly */
	if (flags & SF_TH_ACK)
		reass_ack_received(z, peer, ep, rel_ack);

	uint64_t rel_data_seq = (flags & SF_TH_SYN) ? rel_seq + 1 : rel_seq;
	if (len > 0 && !(flags & SF_TH_RST) && !seq_underflow)
		reass_data_sent(ep, rel_data_seq, len);

	/* ConnectionClosed(); Zeek defers this while data is pending - we don't */
	if (do_close)
		ep->did_close = true;

	/* CheckPIA_FirstPacket(), with Process()'s original is_orig */
	set_first_packet_seen(z, is_orig);
}

/*
 * Can a segment without SYN, FIN or RST take process_plain()? Yes once both
 * endpoints are past INACTIVE and both sides' first packets were seen (so
 * that set_partial_status() and set_first_packet_seen() change nothing).
 * process_plain() changes none of these, so this is worked out once after
 * each process() and kept in z->plain_ok.
 */
static bool plain_ok(const struct sf_zeek *z)
{
	return z->ep[0].state != SF_ZEEK_INACTIVE && z->ep[1].state != SF_ZEEK_INACTIVE &&
	       z->first_packet_seen == (FPS_ORIG | FPS_RESP);
}

/*
 * process() for a segment without SYN, FIN or RST while z->plain_ok: its
 * steps, in its order, with the branches such a segment cannot take left
 * out (init_endpoint(), the SYN/FIN/RST history letters and counters,
 * init_peer(), the state machine, the first-packet bookkeeping). No endpoint
 * state and no role changes, so no public field does either.
 */
static void process_plain(struct sf_zeek *z, struct sf_zeek_ep *ep, struct sf_zeek_ep *peer,
			  bool is_orig, const struct sf_zeek_seg *s)
{
	uint8_t flags = s->flags;
	uint32_t base_seq = s->seq, len = s->len;

	/* only data is reassembled: a bare ACK's relative seq is not needed */
	bool seq_underflow = false;
	uint64_t rel_seq = 0;
	if (len > 0)
		rel_seq = get_relative_seq(ep, base_seq, ep->last_seq, ep->seq_wraps, &seq_underflow);

	update_history_plain(z, is_orig, flags, len);
	update_window(z, ep, peer, s->window, flags);

	/*
	 * The ack is the peer's highest so far, and the peer sent no FIN:
	 * nothing to do with it. update_ack_seq() would not move, and the
	 * reass_ack_received() that followed the update to this ack left
	 * trim_seq at or above it (without a FIN nothing clamps it; only a new
	 * connection lowers trim_seq, and that sets ack_seq as well).
	 */
	bool new_ack = (flags & SF_TH_ACK) && (s->ack != peer->ack_seq || peer->fin_cnt > 0);
	uint64_t rel_ack = 0;
	if (new_ack) {
		bool ack_underflow = false;
		rel_ack = get_relative_seq(peer, s->ack, peer->ack_seq, peer->ack_wraps, &ack_underflow);
		if (ack_underflow)
			rel_ack = 0;
		else
			update_ack_seq(peer, s->ack);
	}

	update_last_seq(z, ep, base_seq + len, flags, len);

	if (new_ack)
		reass_ack_received(z, peer, ep, rel_ack);
	if (len > 0 && !seq_underflow)
		reass_data_sent(ep, rel_seq, len);
}

static void refresh_public(struct sf_zeek *z)
{
	const struct sf_zeek_ep *orig = ep_at(z, z->orig_ep), *resp = ep_at(z, 1u - z->orig_ep);

	z->flipped = z->orig_ep != 0;
	z->state[0] = (enum sf_zeek_ep_state)orig->state;
	z->state[1] = (enum sf_zeek_ep_state)resp->state;
}

uint64_t sf_zeek_size(const struct sf_zeek *z, unsigned side)
{
	unsigned e = side == 0 ? z->orig_ep : 1u - z->orig_ep;
	return ep_size(&z->ep[e], &z->ep[1u - e]);
}

/* Everything but a plain segment: start or restart the connection if need be, then process(). */
OUT_OF_LINE static void segment_general(struct sf_zeek *z, unsigned sender, uint16_t sport,
					uint16_t dport, const struct sf_zeek_seg *s)
{
	if (!z->started) {
		new_conn(z, sender, sport, dport, s->flags);
	} else if ((s->flags & SF_TH_SYN) && is_reuse(z, s)) { /* only a SYN can be a reuse */
		z->reuses++;
		if (z->first_only) {
			/* Zeek logs the connection so far: keep exactly that record */
			z->frozen = true;
			z->plain_ok = false; /* sf_zeek_segment() tests plain_ok before frozen */
			return;
		}
		/* Zeek logs the old connection and starts a new one; we keep the newest */
		new_conn(z, sender, sport, dport, s->flags);
	}
	process(z, ep_at(z, sender), ep_at(z, 1 - sender), s);
	refresh_public(z);
	z->plain_ok = plain_ok(z);
}

void sf_zeek_segment(struct sf_zeek *z, bool from_first, uint16_t sport, uint16_t dport,
		     const struct sf_zeek_seg *s)
{
	unsigned sender = from_first ? 0 : 1;

	/* a frozen connection never has plain_ok */
	if (z->plain_ok && (s->flags & CONTROL_FLAGS) == 0) {
		process_plain(z, ep_at(z, sender), ep_at(z, 1 - sender), sender == z->orig_ep, s);
		return;
	}
	if (z->frozen)
		return;
	/*
	 * A copy for the out-of-line path: s does not escape, so once this is
	 * inlined the caller need not build its segment in memory for the
	 * short path.
	 */
	struct sf_zeek_seg seg = *s;
	segment_general(z, sender, sport, dport, &seg);
}

/* ---- scripts/base/protocols/conn/main.zeek: conn_state() --------------- */

/* c$history matches /\^?S[^HAFGIQ]*R.* / (Zeek's "pattern == string" is anchored). */
static bool history_is_rstos0(const char *h)
{
	if (*h == '^')
		h++;
	if (*h != 'S')
		return false;
	for (h++; *h; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h))
			return false;
	}
	return false;
}

const char *sf_zeek_conn_state(const struct sf_zeek *z)
{
	if (!z->started)
		return "OTH";

	enum sf_zeek_ep_state os = z->state[0], rs = z->state[1];
	bool o_inactive = os == SF_ZEEK_INACTIVE || os == SF_ZEEK_PARTIAL;
	bool r_inactive = rs == SF_ZEEK_INACTIVE || rs == SF_ZEEK_PARTIAL;

	if (rs == SF_ZEEK_RESET) {
		if (os == SF_ZEEK_SYN_SENT || os == SF_ZEEK_SYN_ACK_SENT ||
		    (os == SF_ZEEK_RESET && sf_zeek_size(z, 0) == 0 && sf_zeek_size(z, 1) == 0))
			return "REJ";
		else if (o_inactive)
			return "RSTRH";
		else
			return "RSTR";
	} else if (os == SF_ZEEK_RESET) {
		if (r_inactive) {
			if (history_is_rstos0(z->history))
				return "RSTOS0";
			return "OTH";
		}
		return "RSTO";
	} else if (rs == SF_ZEEK_CLOSED && os == SF_ZEEK_CLOSED) {
		return "SF";
	} else if (os == SF_ZEEK_CLOSED) {
		return r_inactive ? "SH" : "S2";
	} else if (rs == SF_ZEEK_CLOSED) {
		return o_inactive ? "SHR" : "S3";
	} else if (os == SF_ZEEK_SYN_SENT && rs == SF_ZEEK_INACTIVE) {
		return "S0";
	} else if (os == SF_ZEEK_ESTABLISHED && rs == SF_ZEEK_ESTABLISHED) {
		return "S1";
	}
	return "OTH";
}
