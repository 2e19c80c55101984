/* zeek.h - Zeek's conn_state and history, fed one segment at a time. */
#ifndef SYNFIN_ZEEK_H
#define SYNFIN_ZEEK_H

#include <stdbool.h>
#include <stdint.h>

#define SF_ZEEK_HISTORY_MAX 48

/* Zeek's TCP endpoint states (TCP_ENDPOINT_* in Zeek's TCP analyzer). */
enum sf_zeek_ep_state {
	SF_ZEEK_INACTIVE,
	SF_ZEEK_SYN_SENT,
	SF_ZEEK_SYN_ACK_SENT,
	SF_ZEEK_PARTIAL,
	SF_ZEEK_ESTABLISHED,
	SF_ZEEK_CLOSED,
	SF_ZEEK_RESET,
};

/* What the tracker knows about one segment that Zeek's analyzer would use. */
struct sf_zeek_seg {
	uint8_t flags;       /* SF_TH_* */
	uint32_t seq, ack;
	uint32_t len;        /* payload bytes */
	uint16_t window;     /* raw window field */
};

/* Undelivered (above-a-hole) data blocks kept per endpoint, like TCP_Reassembler. */
#define SF_ZEEK_MAX_BLOCKS 6

struct sf_zeek_block {
	uint64_t seq, upper; /* relative sequence space, [seq, upper) */
};

/*
 * One TCP_Endpoint (zeek: src/analyzer/protocol/tcp/TCP_Endpoint.h) plus the
 * part of its TCP_Reassembler that decides content gaps ('G').  Private to zeek.c.
 */
struct sf_zeek_ep {
	/* read or written by every segment */
	uint8_t state, prev_state; /* enum sf_zeek_ep_state */
	bool did_close;
	bool skip_deliveries;
	uint8_t nblocks;
	uint32_t last_seq, ack_seq;
	uint32_t seq_wraps, ack_wraps;
	uint32_t rxmt_cnt, rxmt_thresh; /* 'T' */
	uint32_t win0_cnt, win0_thresh; /* 'W' */
	uint32_t gap_cnt, gap_thresh;   /* 'G' */
	uint32_t fin_cnt, rst_cnt;
	int64_t start_seq;
	uint64_t last_reassem_seq, trim_seq;
	uint64_t fin_seq;
	/* SYN, FIN and RST segments and data above a hole only */
	uint64_t hist_last_syn, hist_last_fin, hist_last_rst;
	struct sf_zeek_block blocks[SF_ZEEK_MAX_BLOCKS];
};

/*
 * Zero-initialise before the first sf_zeek_segment() call.
 * Public (read-only for callers): started, flipped, state, history; the
 * sizes through sf_zeek_size().
 */
struct sf_zeek {
	bool started;
	bool flipped;                   /* Zeek's orig is the receiver of the first packet */
	/*
	 * Set by the caller before the first segment: keep the values of the
	 * Zeek connection that starts with the first segment, and ignore what
	 * Zeek would log as a new connection on the same tuple (synfin keeps
	 * such segments in one connection where the contract says so).
	 */
	bool first_only;
	bool frozen;
	/* private: ep[i] is the flow's endpoint i; orig_ep says which one is Zeek's orig */
	uint8_t orig_ep;
	bool is_partial;           /* TCPSessionAdapter::is_partial */
	uint8_t first_packet_seen; /* TCPSessionAdapter::first_packet_seen (1 ORIG, 2 RESP) */
	bool plain_ok;             /* a segment without SYN/FIN/RST may take the short path */
	uint32_t hist_seen;        /* Connection::hist_seen */
	enum sf_zeek_ep_state state[2]; /* [0] Zeek orig, [1] Zeek resp */
	struct sf_zeek_ep ep[2];
	/* public, written only when a letter is added */
	uint8_t history_len;
	char history[SF_ZEEK_HISTORY_MAX];
	uint32_t reuses; /* times Zeek's IsReuse() would have started a new connection */
};

/*
 * Feed one segment. from_first is true when the segment was sent by the
 * sender of the connection's first packet (the flow's endpoint 0); sport and
 * dport are this segment's own source and destination ports. The first call
 * decides Zeek's orig/resp (including the ^ flip).
 */
void sf_zeek_segment(struct sf_zeek *z, bool from_first, uint16_t sport, uint16_t dport,
		     const struct sf_zeek_seg *s);
/*
 * Payload bytes of Zeek's orig (side 0) or resp (side 1): TCP_Endpoint::Size()
 * of the endpoints as they are now (worked out when asked: only conn_state
 * reads it, once per connection).
 */
uint64_t sf_zeek_size(const struct sf_zeek *z, unsigned side);
/* conn_state per scripts/base/protocols/conn/main.zeek. */
const char *sf_zeek_conn_state(const struct sf_zeek *z);
/* Does Zeek treat port as a likely server port (used for the role guess too)? */
bool sf_zeek_is_likely_server_port(uint16_t port);
/* Is Zeek's orig the flow's endpoint 0? */
static inline bool sf_zeek_orig_is_first(const struct sf_zeek *z) { return !z->flipped; }

#endif
