/* conn.h - everything the report needs about one TCP connection. */
#ifndef SYNFIN_CONN_H
#define SYNFIN_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "synfin/addr.h"
#include "synfin/completeness.h"
#include "synfin/packet.h"
#include "synfin/tcp_state.h"
#include "synfin/violation.h"
#include "synfin/zeek.h"

enum sf_hs_outcome {
	SF_HS_COMPLETE,
	SF_HS_NO_REPLY,
	SF_HS_REFUSED,
	SF_HS_NO_FINAL_ACK,
	SF_HS_SIMULTANEOUS_OPEN,
	SF_HS_MISSING_SYN,
	SF_HS_NOT_SEEN,
	SF_HS__COUNT
};

enum sf_td_outcome {
	SF_TD_FOUR_WAY,
	SF_TD_THREE_WAY,
	SF_TD_SIMULTANEOUS,
	SF_TD_HALF_CLOSED,
	SF_TD_INCOMPLETE,
	SF_TD_RESET,
	SF_TD_OPEN,
	SF_TD__COUNT
};

enum sf_roles { SF_ROLES_SYN, SF_ROLES_SYNACK, SF_ROLES_GUESS, SF_ROLES__COUNT };

/* Why the flow table let go of a connection (JSON "end_reason"). */
enum sf_end_reason {
	SF_END_CLOSED,  /* closed gracefully and settled */
	SF_END_RESET,   /* reset and settled */
	SF_END_IDLE,    /* idle longer than --idle-timeout */
	SF_END_REUSED,  /* a new SYN reused the 4-tuple */
	SF_END_EVICTED, /* table full (--max-flows): finished early */
	SF_END_INPUT,   /* end of input */
	SF_END__COUNT
};

/* A handshake segment as the JSON report shows it. */
struct sf_seg_ref {
	bool seen;
	uint64_t frame;
	struct sf_ts ts;
	uint32_t seq, ack;
	uint32_t len;
	uint8_t flags;
};

struct sf_fin_ref {
	/* read on every segment once a FIN was seen */
	bool seen;
	bool acked;
	bool acked_with_fin; /* the acknowledging segment carried the peer's FIN (three-way) */
	uint32_t seq;     /* the segment's seq field */
	uint32_t fin_seq; /* the FIN's own sequence number: seq + payload length (+1 if SYN) */
	/* for the report */
	uint64_t frame;
	struct sf_ts ts;
	uint64_t acked_frame;
	struct sf_ts acked_ts;
};

struct sf_rst_ref {
	bool seen;
	int by; /* endpoint index */
	uint64_t frame;
	struct sf_ts ts;
	uint32_t seq, ack;
	uint8_t flags;
};

/* One row of the -v ladder diagram. */
struct sf_ladder_row {
	uint64_t frame;
	struct sf_ts ts;
	uint8_t by; /* endpoint index */
	uint8_t flags;
	uint32_t seq, ack, len;
};

#define SF_LADDER_MAX 24
#define SF_VIOLATIONS_MAX 32

/*
 * Per-endpoint facts. Endpoint 0 sent the connection's first packet.
 * The fields every segment reads or writes come first (to fin.fin_seq,
 * 88 of the 176 bytes), so a segment touches only those two or three cache
 * lines of each endpoint.
 */
struct sf_endpoint {
	struct sf_addr addr;
	uint16_t port;
	enum sf_tcp_state state;

	/* sequence tracking (all modulo 2^32) */
	bool have_isn;
	bool isn_from_syn;
	bool have_nxt;
	bool have_ack;
	bool gap;          /* a segment started past nxt: the capture missed some of its data */
	bool syn_data_accepted;
	bool syn_acked;    /* its SYN was acknowledged by the peer */
	bool sent_hs_ack;  /* sent the handshake's final ACK (or its SYN-ACK in a simultaneous open) */
	bool rst_sent;
	bool after_rst_reported;
	bool data_after_fin_reported;
	bool close_seq_reported;
	bool unseen_ack_reported;
	/* an ACK of this endpoint's unseen data, held until the end: a later
	 * segment of this endpoint that shows a capture gap withdraws it */
	bool unseen_pending;
	uint32_t isn;      /* SYN seq, else first seq seen: base of relative numbers */
	uint32_t nxt;      /* highest seq + len (+1 SYN, +1 FIN) sent: SND.MAX as seen */
	uint32_t max_ack;  /* highest ack value sent */
	uint32_t syn_len;  /* payload carried on its SYN (TFO) */
	uint64_t packets, bytes;

	struct sf_fin_ref fin;
	struct sf_violation unseen;
};

/*
 * One connection. The layout follows use: the endpoints and the block from
 * lpos to the hot part of zeek are read or written by every segment; what
 * follows zeek is written a few times per connection and read by the report.
 */
struct sf_conn {
	struct sf_endpoint ep[2];

	/* flow-table bookkeeping (opaque to the tracker and the report) */
	size_t lpos;                    /* this connection's live entry in its activity list */
	int64_t touch_ns;               /* the table's clock at the last packet: orders the activity lists */
	uint32_t hash;
	uint8_t list;
	bool closed;                    /* tracker: both FINs seen, or RST seen */

	/* per-segment connection state */
	bool hs_done;
	bool plain_ok;         /* track.c: the next plain segment may take the short path */
	bool simultaneous_open;
	bool refused;          /* the SYN was answered by a RST */
	bool rst_effective;    /* an acceptable RST ended the connection */
	bool want_ladder;
	int client;          /* index of the client endpoint in ep[] (server = 1 - client) */
	enum sf_roles roles;
	int syn_by;          /* endpoint that sent the latest SYN without ACK, -1 none */
	int synack_by;       /* endpoint that sent the latest SYN-ACK, -1 none */
	struct sf_ts last_ts;
	uint64_t last_frame;

	/* classifiers fed per segment */
	struct sf_completeness compl;
	struct sf_zeek zeek;

	uint64_t id;
	struct sf_ts first_ts;
	uint64_t first_frame;

	/* handshake */
	struct sf_seg_ref syn, synack, hs_ack;
	uint32_t syn_retransmits, synack_retransmits;
	uint64_t synack_answers; /* frame of the SYN the latest SYN-ACK answered (0 unknown) */

	/* teardown */
	struct sf_rst_ref rst;

	/* allocated on first use (most connections have none), at most SF_VIOLATIONS_MAX */
	struct sf_violation *violations;
	uint32_t n_violations;         /* stored */
	uint32_t n_violations_dropped; /* found beyond SF_VIOLATIONS_MAX (or out of memory) */

	/* -v ladder rows: allocated on first use, only when want_ladder */
	struct sf_ladder_row *ladder;
	uint32_t n_ladder;
	uint32_t n_ladder_dropped;

	/* set when the connection is finished (sf_classify) */
	enum sf_end_reason end_reason;
	enum sf_hs_outcome hs_outcome;
	enum sf_td_outcome td_outcome;
	int td_initiator;    /* endpoint index, -1 none, 2 both */

	/* where sf_conn_free puts it back (conn_pool.h); NULL: it came from malloc */
	struct sf_conn_pool *pool;
	struct sf_conn *pool_next; /* the pool's link while in it: keep last */
};

static inline int sf_conn_server(const struct sf_conn *c) { return 1 - c->client; }
static inline uint32_t sf_conn_total_violations(const struct sf_conn *c)
{
	return c->n_violations + c->n_violations_dropped;
}

const char *sf_hs_outcome_name(enum sf_hs_outcome o);
const char *sf_td_outcome_name(enum sf_td_outcome o);
const char *sf_roles_name(enum sf_roles r);
const char *sf_end_reason_name(enum sf_end_reason r);

#endif
