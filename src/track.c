/*
 * track.c - one connection's TCP tracker.
 *
 * Each segment is an event for its sender and, as far as the capture shows,
 * for its receiver. The tracker records what happened (handshake segments,
 * FINs and the ACKs that covered them, the first RST), moves each endpoint
 * through the RFC 9293 states (tcp_state.c), and checks the seq/ack rules of
 * the contract (violation.h). It never sees packet bytes, only sf_packet.
 *
 * Sequence numbers: every endpoint keeps nxt, the end of the sequence space
 * it has been seen to use (SND.MAX as seen at the capture point): a SYN and a
 * FIN each take one number, data its length. All arithmetic is modulo 2^32
 * (seq.h).
 */
#include <stdlib.h>
#include <string.h>

#include "synfin/seq.h"
#include "synfin/track.h"
#include "synfin/zeek.h"

struct seg {
	const struct sf_packet *p;
	int s, r;                 /* sender and receiver endpoint index */
	struct sf_endpoint *S, *R;
	bool syn, ack, fin, rst;
	uint32_t len;
	bool ack_checked;         /* a more specific ack rule applied to this segment */
};

/* Room for one more violation; per connection, not per packet. */
static bool reserve_violations(struct sf_conn *c)
{
	if (c->violations)
		return true;
	c->violations = malloc(SF_VIOLATIONS_MAX * sizeof *c->violations);
	return c->violations != NULL;
}

static void add_violation_at(struct sf_conn *c, enum sf_violation_code code, uint64_t frame, int by,
			     bool has_values, uint32_t expected, uint32_t actual)
{
	for (uint32_t i = 0; i < c->n_violations; i++)
		if (c->violations[i].code == code && c->violations[i].frame == frame)
			return;
	if (c->n_violations >= SF_VIOLATIONS_MAX || !reserve_violations(c)) {
		c->n_violations_dropped++;
		return;
	}
	struct sf_violation *v = &c->violations[c->n_violations++];
	v->code = code;
	v->frame = frame;
	v->by = by;
	v->has_values = has_values;
	v->expected = expected;
	v->actual = actual;
}

/* A violation by the segment being tracked. */
static void add_violation(struct sf_conn *c, enum sf_violation_code code, const struct seg *g,
			  bool has_values, uint32_t expected, uint32_t actual)
{
	add_violation_at(c, code, g->p->frame, g->s, has_values, expected, actual);
}

static void ladder_add(struct sf_conn *c, const struct seg *g)
{
	if (!c->want_ladder)
		return;
	if (c->n_ladder > 0 && c->ladder[c->n_ladder - 1].frame == g->p->frame)
		return;
	if (!c->ladder)
		c->ladder = malloc(SF_LADDER_MAX * sizeof *c->ladder);
	if (c->n_ladder >= SF_LADDER_MAX || !c->ladder) {
		c->n_ladder_dropped++;
		return;
	}
	struct sf_ladder_row *row = &c->ladder[c->n_ladder++];
	row->frame = g->p->frame;
	row->ts = g->p->ts;
	row->by = (uint8_t)g->s;
	row->flags = g->p->flags;
	row->seq = g->p->seq;
	row->ack = g->p->ack;
	row->len = g->len;
}

static void set_ref(struct sf_seg_ref *ref, const struct seg *g)
{
	ref->seen = true;
	ref->frame = g->p->frame;
	ref->ts = g->p->ts;
	ref->seq = g->p->seq;
	ref->ack = g->p->ack;
	ref->len = g->len;
	ref->flags = g->p->flags;
}

static void ep_event(struct sf_endpoint *e, enum sf_tcp_event ev)
{
	e->state = sf_tcp_state_next(e->state, ev);
	/* In a simultaneous open an endpoint whose SYN was already acked is
	 * established as soon as it has answered the peer's SYN. */
	if (e->state == SF_TCPS_SYN_RECEIVED && e->syn_acked && e->sent_hs_ack)
		e->state = SF_TCPS_ESTABLISHED;
}

/* The value a correct ACK of the client's SYN carries. */
static uint32_t syn_ack_value(const struct sf_conn *c, const struct sf_endpoint *client)
{
	uint32_t v = c->syn.seq + 1;
	if (client->syn_data_accepted)
		v += client->syn_len;
	return v;
}

/*
 * Check the latest SYN-ACK against the SYN it answers. Called when the
 * SYN-ACK arrives after its SYN, or when a SYN arrives after a SYN-ACK that
 * was written first (a capture that reorders the handshake).
 */
static void check_synack_ack(struct sf_conn *c)
{
	struct sf_endpoint *client = &c->ep[c->syn_by];
	uint32_t base = c->syn.seq + 1;
	uint32_t ack = c->synack.ack;

	c->synack_answers = c->syn.frame;
	if (client->syn_len > 0 && ack == base + client->syn_len) {
		/* RFC 7413 §4.2: the server acknowledged the SYN's data */
		client->syn_data_accepted = true;
		return;
	}
	client->syn_data_accepted = false;
	if (ack != base)
		add_violation_at(c, SF_V_SYNACK_BAD_ACK, c->synack.frame, c->synack_by, true, base, ack);
}

/* The handshake's final ACK must follow the SYN: seq = SYN seq + 1 (+ accepted data). */
static void check_hs_ack_seq(struct sf_conn *c)
{
	const struct sf_endpoint *client = &c->ep[c->syn_by];
	uint32_t want_seq = syn_ack_value(c, client);
	if (c->hs_ack.seq != want_seq)
		add_violation_at(c, SF_V_HS_ACK_BAD_SEQ, c->hs_ack.frame, c->syn_by, true, want_seq,
				 c->hs_ack.seq);
}

static void handle_rst(struct sf_conn *c, struct seg *g)
{
	const struct sf_packet *p = g->p;
	bool acceptable = true;

	ladder_add(c, g);
	if (!c->rst.seen) {
		c->rst.seen = true;
		c->rst.by = g->s;
		c->rst.frame = p->frame;
		c->rst.ts = p->ts;
		c->rst.seq = p->seq;
		c->rst.ack = p->ack;
		c->rst.flags = p->flags;
	}

	bool answers_syn = c->syn_by == g->r && !c->synack.seen && !c->simultaneous_open &&
			   !c->hs_done && g->R->state == SF_TCPS_SYN_SENT;
	if (answers_syn) {
		/* RFC 9293 §3.10.7.3: in SYN-SENT a RST is acceptable if it acks the SYN */
		c->refused = true;
		if (g->ack) {
			uint32_t want = c->syn.seq + 1;
			uint32_t want_data = want + g->R->syn_len;
			if (p->ack != want && p->ack != want_data) {
				add_violation(c, SF_V_RST_BAD_ACK, g, true, want, p->ack);
				acceptable = false;
			}
		}
	} else {
		/* RFC 5961 §3.2: exactly RCV.NXT resets; the receiver's RCV.NXT
		 * is what it has acked, or the sender's own nxt if the receiver
		 * has not acked the latest data yet. */
		if (g->S->have_nxt || g->R->have_ack) {
			bool ok = (g->S->have_nxt && p->seq == g->S->nxt) ||
				  (g->R->have_ack && p->seq == g->R->max_ack);
			if (!ok) {
				uint32_t want = g->R->have_ack ? g->R->max_ack : g->S->nxt;
				add_violation(c, SF_V_RST_BAD_SEQ, g, true, want, p->seq);
				acceptable = false;
			}
		}
		/* an ACK in a RST must acknowledge something the peer sent */
		if (g->ack && g->R->have_nxt) {
			bool too_far = sf_seq_gt(p->ack, g->R->nxt) && !g->R->gap;
			bool too_old = g->S->have_ack && sf_seq_lt(p->ack, g->S->max_ack);
			if (too_far || too_old) {
				add_violation(c, SF_V_RST_BAD_ACK, g, true, g->R->nxt, p->ack);
				acceptable = false;
			}
		}
	}

	g->S->rst_sent = true;
	ep_event(g->S, SF_TCPE_SEND_RST);
	if (acceptable) {
		ep_event(g->R, SF_TCPE_RECV_RST);
		c->rst_effective = true;
		c->closed = true;
	}
}

static void note_syn_isn(struct sf_endpoint *e, uint32_t seq, uint32_t len)
{
	e->have_isn = true;
	e->isn_from_syn = true;
	e->isn = seq;
	e->syn_len = len;
	e->have_nxt = true;
	e->nxt = seq + 1 + len;
	e->gap = false;
}

/* A bare SYN (no ACK) from g->S. */
static void handle_syn(struct sf_conn *c, struct seg *g)
{
	const struct sf_packet *p = g->p;

	ladder_add(c, g);
	if (c->syn_by == g->s) {
		/* the client again */
		if (p->seq == c->syn.seq) {
			c->syn_retransmits++;
			return;
		}
		if (c->hs_done || c->ep[g->s].fin.seen || c->ep[g->r].fin.seen) {
			/* the handshake is over: this SYN does not replace its SYN */
			add_violation(c, SF_V_SYN_DURING_CLOSE, g, false, 0, 0);
			return;
		}
		add_violation(c, SF_V_SYN_RESEND_DIFF_SEQ, g, true, c->syn.seq, p->seq);
		/* a SYN-ACK is checked against the latest SYN */
		set_ref(&c->syn, g);
		note_syn_isn(g->S, p->seq, g->len);
		return;
	}

	if (c->syn_by == g->r) {
		/* the peer of the client sends a bare SYN */
		bool peer_answered = c->synack.seen && c->synack_by == g->s;
		if (!peer_answered && !g->S->have_nxt && !c->hs_done) {
			/* RFC 9293 §3.5 Figure 8: simultaneous open */
			c->simultaneous_open = true;
			note_syn_isn(g->S, p->seq, g->len);
			ep_event(g->S, SF_TCPE_SEND_SYN);
			ep_event(g->S, SF_TCPE_RECV_SYN);
			return;
		}
		if (g->S->isn_from_syn && p->seq == g->S->isn && c->simultaneous_open)
			return; /* retransmitted SYN of a simultaneous open */
		if (c->hs_done)
			add_violation(c, SF_V_SYN_DURING_CLOSE, g, false, 0, 0);
		else
			add_violation(c, SF_V_SYN_WRONG_DIR, g, false, 0, 0);
		return;
	}

	/* first bare SYN on this connection */
	bool reordered = c->synack.seen && c->synack_by == g->r;
	if (!reordered && (c->hs_done || g->S->have_nxt || g->S->fin.seen || g->R->fin.seen)) {
		/* the connection was already running (midstream) or closing */
		add_violation(c, SF_V_SYN_DURING_CLOSE, g, false, 0, 0);
		return;
	}
	if (c->synack.seen && c->synack_by == g->s) {
		/* this side sent a SYN-ACK first, now a bare SYN: odd direction */
		add_violation(c, SF_V_SYN_WRONG_DIR, g, false, 0, 0);
		return;
	}
	bool had_nxt = g->S->have_nxt;
	uint32_t old_nxt = g->S->nxt;
	c->syn_by = g->s;
	set_ref(&c->syn, g);
	note_syn_isn(g->S, p->seq, g->len);
	if (had_nxt && sf_seq_gt(old_nxt, g->S->nxt))
		g->S->nxt = old_nxt;
	if (c->roles != SF_ROLES_SYN) {
		/* a SYN-ACK was written before its SYN: the SYN decides */
		c->roles = SF_ROLES_SYN;
		c->client = g->s;
	}
	ep_event(g->S, SF_TCPE_SEND_SYN);
	if (reordered) {
		/* the capture wrote the handshake out of order: check it now */
		check_synack_ack(c);
		g->S->syn_acked = true;
		if (c->hs_ack.seen) {
			check_hs_ack_seq(c);
			ep_event(g->S, SF_TCPE_SEND_ACK);
		}
	}
}

/* A SYN+ACK from g->S. */
static void handle_synack(struct sf_conn *c, struct seg *g)
{
	const struct sf_packet *p = g->p;

	ladder_add(c, g);
	if (c->simultaneous_open && g->S->isn_from_syn) {
		/* RFC 9293 Figure 8: each side's SYN-ACK repeats its own ISN */
		if (p->seq != g->S->isn)
			add_violation(c, SF_V_SIMOPEN_SYNACK_BAD_SEQ, g, true, g->S->isn, p->seq);
		g->ack_checked = true;
		if (g->R->isn_from_syn && p->ack != g->R->isn + 1 + g->R->syn_len &&
		    p->ack != g->R->isn + 1)
			add_violation(c, SF_V_SYNACK_BAD_ACK, g, true, g->R->isn + 1, p->ack);
		else
			g->R->syn_acked = true;
		if (g->S->sent_hs_ack) {
			c->synack_retransmits++;
			return;
		}
		g->S->sent_hs_ack = true;
		if (!c->synack.seen) {
			set_ref(&c->synack, g);
			c->synack_by = g->s;
		}
		ep_event(g->S, SF_TCPE_SEND_SYNACK);
		ep_event(g->R, SF_TCPE_RECV_ACK_SYN);
		if (c->ep[0].sent_hs_ack && c->ep[1].sent_hs_ack) {
			c->hs_done = true;
			set_ref(&c->hs_ack, g);
		}
		return;
	}

	if (c->syn_by == g->s) {
		/* the client sends a SYN-ACK: not a simultaneous open */
		add_violation(c, SF_V_SYNACK_WRONG_DIR, g, false, 0, 0);
		return;
	}

	if (c->synack.seen && c->synack_by == g->s) {
		bool same = p->seq == c->synack.seq && p->ack == c->synack.ack;
		bool new_syn = c->syn.seen && c->synack_answers != c->syn.frame;
		c->synack_retransmits++;
		if (same)
			return;
		if (!new_syn) {
			bool seq_differs = p->seq != c->synack.seq;
			add_violation(c, SF_V_SYNACK_RESEND_DIFF, g, true,
				      seq_differs ? c->synack.seq : c->synack.ack,
				      seq_differs ? p->seq : p->ack);
		}
		/* either way the final ACK is checked against this, the latest SYN-ACK */
	} else if (c->hs_done || g->S->fin.seen || g->R->fin.seen) {
		add_violation(c, SF_V_SYNACK_WRONG_DIR, g, false, 0, 0);
		return;
	}

	set_ref(&c->synack, g);
	c->synack_by = g->s;
	g->S->have_isn = true;
	g->S->isn_from_syn = true;
	g->S->isn = p->seq;
	g->S->syn_len = g->len;
	g->S->have_nxt = true;
	g->S->nxt = p->seq + 1 + g->len;
	g->S->gap = false;
	g->ack_checked = true;
	if (c->syn.seen && c->syn_by == g->r) {
		check_synack_ack(c);
		g->R->syn_acked = true;
	}
	ep_event(g->S, SF_TCPE_SEND_SYNACK);
	ep_event(g->R, SF_TCPE_RECV_SYNACK);
	ep_event(g->R, SF_TCPE_RECV_ACK_SYN);
}

/* The handshake's final ACK: the client's first ACK after the SYN-ACK. */
static void handle_hs_ack(struct sf_conn *c, struct seg *g)
{
	const struct sf_packet *p = g->p;
	uint32_t want_ack = c->synack.seq + 1;

	set_ref(&c->hs_ack, g);
	ladder_add(c, g);
	c->hs_done = true;
	g->S->sent_hs_ack = true;
	g->ack_checked = true;
	if (p->ack != want_ack)
		add_violation(c, SF_V_HS_ACK_BAD_ACK, g, true, want_ack, p->ack);
	if (c->syn.seen && c->syn_by == g->s)
		check_hs_ack_seq(c);
	ep_event(g->S, SF_TCPE_SEND_ACK);
	ep_event(g->R, SF_TCPE_RECV_ACK_SYN);
}

/*
 * What every segment with ACK tells, after the handshake's and the FINs'
 * own checks (ack_checked: one of them judged this ack already): an ack
 * past R's data is held as ACK_UNSEEN_DATA, and S's highest ack rises.
 */
static inline void ack_sent(struct sf_endpoint *S, struct sf_endpoint *R, const struct sf_packet *p, int s,
			    bool ack_checked)
{
	/* (the ack past R's data, rare, is tested first: one compare for nearly every segment) */
	if (sf_seq_gt(p->ack, R->nxt) && !ack_checked && R->isn_from_syn && R->have_nxt && !R->gap &&
	    !R->unseen_pending && !R->unseen_ack_reported) {
		/* held back: a later segment of R may show the capture missed data */
		R->unseen_pending = true;
		R->unseen.code = SF_V_ACK_UNSEEN_DATA;
		R->unseen.frame = p->frame;
		R->unseen.by = s;
		R->unseen.has_values = true;
		R->unseen.expected = R->nxt;
		R->unseen.actual = p->ack;
	}

	if (!S->have_ack || sf_seq_gt(p->ack, S->max_ack)) {
		S->have_ack = true;
		S->max_ack = p->ack;
	}
}

/* A segment of S starts at seq: past everything seen, the capture missed some of S's data. */
static inline void seq_start(struct sf_endpoint *S, uint32_t seq)
{
	if (S->have_nxt && sf_seq_gt(seq, S->nxt)) {
		S->gap = true;
		S->unseen_pending = false;
	}
}

/* S has used its sequence space up to end. */
static inline void seq_end(struct sf_endpoint *S, uint32_t end)
{
	if (!S->have_nxt) {
		S->have_nxt = true;
		S->nxt = end;
	} else if (sf_seq_gt(end, S->nxt)) {
		S->nxt = end;
	}
}

/* What the ACK field of a non-SYN segment acknowledges. */
static void handle_ack(struct sf_conn *c, struct seg *g)
{
	const struct sf_packet *p = g->p;
	struct sf_endpoint *R = g->R;

	if (R->fin.seen && !R->fin.acked && sf_seq_geq(p->ack, R->fin.fin_seq + 1)) {
		uint32_t want = R->fin.fin_seq + 1;
		R->fin.acked = true;
		R->fin.acked_frame = p->frame;
		R->fin.acked_ts = p->ts;
		R->fin.acked_with_fin = g->fin;
		ladder_add(c, g);
		if (p->ack != want) {
			add_violation(c, SF_V_FIN_BAD_ACK, g, true, want, p->ack);
			g->ack_checked = true;
		}
		/* the ACK shows the FIN reached its sender's peer */
		ep_event(g->S, SF_TCPE_RECV_FIN);
		ep_event(R, SF_TCPE_RECV_ACK_FIN);
	}

	ack_sent(g->S, R, p, g->s, g->ack_checked);
}

/* Sequence space used by a segment that is not a SYN: data and FIN. */
static void handle_seq(struct sf_conn *c, struct seg *g)
{
	const struct sf_packet *p = g->p;
	struct sf_endpoint *S = g->S;
	uint32_t data_end = p->seq + g->len;

	seq_start(S, p->seq);

	if (S->fin.seen) {
		if (g->fin) {
			if (data_end != S->fin.fin_seq)
				add_violation(c, SF_V_FIN_RESEND_DIFF_SEQ, g, true, S->fin.fin_seq, data_end);
		} else if (g->len > 0) {
			if (sf_seq_gt(data_end, S->fin.fin_seq) && !S->data_after_fin_reported) {
				S->data_after_fin_reported = true;
				add_violation(c, SF_V_DATA_AFTER_FIN, g, true, S->fin.fin_seq, data_end);
			}
		} else if (p->seq != S->fin.fin_seq + 1 && p->seq != S->fin.fin_seq &&
			   !S->close_seq_reported) {
			/* RFC 9293 §3.10.7.4: after the FIN, SND.NXT = FIN seq + 1;
			 * SND.NXT - 1 is a keep-alive probe */
			S->close_seq_reported = true;
			add_violation(c, SF_V_CLOSE_ACK_BAD_SEQ, g, true, S->fin.fin_seq + 1, p->seq);
		}
	}

	if (g->fin && !S->fin.seen) {
		S->fin.seen = true;
		S->fin.frame = p->frame;
		S->fin.ts = p->ts;
		S->fin.seq = p->seq;
		S->fin.fin_seq = data_end;
		ladder_add(c, g);
		ep_event(S, SF_TCPE_SEND_FIN);
	}

	seq_end(S, data_end + (g->fin ? 1u : 0u));
}

static void note_midstream(struct sf_endpoint *e, const struct sf_packet *p)
{
	if (!e->have_isn) {
		/* as Wireshark: the first segment seen midstream is relative seq 1 */
		e->have_isn = true;
		e->isn = p->seq - 1;
	}
	if (e->state == SF_TCPS_CLOSED && !e->rst_sent && !e->fin.seen)
		ep_event(e, SF_TCPE_MIDSTREAM);
}

/* What every segment does first: the counters and the Zeek and Wireshark views. */
__attribute__((always_inline)) static inline void segment_seen(struct sf_conn *c, struct sf_endpoint *S,
								const struct sf_packet *p, bool from0)
{
	c->last_ts = p->ts;
	c->last_frame = p->frame;
	S->packets++;
	S->bytes += p->payload_len;

	struct sf_zeek_seg zs = {
		.flags = p->flags,
		.seq = p->seq,
		.ack = p->ack,
		.len = p->payload_len,
		.window = p->window,
	};
	sf_zeek_segment(&c->zeek, from0, p->sport, p->dport, &zs);
	sf_completeness_segment_seq(&c->compl, from0, p->flags, p->payload_len, p->seq, p->ack);
}

/*
 * Can a segment without SYN, FIN or RST take track_plain()? Yes once the
 * handshake is done and neither side has sent a FIN or a RST: then
 * track_general() takes no branch but ACK and sequence bookkeeping for it.
 * track_plain() changes none of these, so this is worked out after each
 * track_general() and kept in c->plain_ok.
 */
static bool plain_ok(const struct sf_conn *c)
{
	return c->hs_done && !c->ep[0].rst_sent && !c->ep[1].rst_sent && !c->ep[0].fin.seen &&
	       !c->ep[1].fin.seen;
}

/*
 * track_general() for a segment without SYN, FIN or RST while c->plain_ok,
 * with the branches such a segment cannot take left out: no RST was sent
 * (DATA_AFTER_RST), the handshake is done (its final ACK, a midstream
 * start), no FIN was sent (FIN acks, the checks after a FIN). Its steps,
 * in its order.
 */
__attribute__((flatten)) static inline void track_plain(struct sf_conn *c, const struct sf_packet *p,
							 bool from0)
{
	struct sf_endpoint *S = from0 ? &c->ep[0] : &c->ep[1];
	struct sf_endpoint *R = from0 ? &c->ep[1] : &c->ep[0];

	segment_seen(c, S, p, from0);
	if (p->flags & SF_TH_ACK)
		ack_sent(S, R, p, from0 ? 0 : 1, false);
	seq_start(S, p->seq);
	seq_end(S, p->seq + p->payload_len);
}

/* Any segment. Kept out of line, so that track_plain() needs no register saves. */
__attribute__((noinline)) static void track_general(struct sf_conn *c, const struct sf_packet *p, bool from0)
{
	struct seg g = {
		.p = p,
		.s = from0 ? 0 : 1,
		.r = from0 ? 1 : 0,
		.syn = (p->flags & SF_TH_SYN) != 0,
		.ack = (p->flags & SF_TH_ACK) != 0,
		.fin = (p->flags & SF_TH_FIN) != 0,
		.rst = (p->flags & SF_TH_RST) != 0,
		.len = p->payload_len,
	};
	g.S = &c->ep[g.s];
	g.R = &c->ep[g.r];

	segment_seen(c, g.S, p, from0);

	if (g.S->rst_sent && !g.rst && !g.S->after_rst_reported) {
		g.S->after_rst_reported = true;
		add_violation(c, SF_V_DATA_AFTER_RST, &g, false, 0, 0);
	}
	if (g.syn && g.fin)
		add_violation(c, SF_V_SYN_FIN, &g, false, 0, 0);

	if (g.rst) {
		handle_rst(c, &g);
		return;
	}

	if (g.syn && !g.ack) {
		handle_syn(c, &g);
		if (g.fin)
			handle_seq(c, &g);
		return;
	}
	if (g.syn) {
		handle_synack(c, &g);
		if (g.fin)
			handle_seq(c, &g);
		return;
	}

	if (!g.S->isn_from_syn && !c->hs_done)
		note_midstream(g.S, p);
	if (g.ack) {
		bool final_ack = !c->hs_done && !c->simultaneous_open && c->synack.seen &&
				 c->synack_by == g.r && !g.S->sent_hs_ack;
		if (final_ack)
			handle_hs_ack(c, &g);
		handle_ack(c, &g);
	}
	handle_seq(c, &g);
}

void sf_track_segment(struct sf_conn *c, const struct sf_packet *p, bool from0)
{
	if (c->plain_ok && (p->flags & (SF_TH_SYN | SF_TH_FIN | SF_TH_RST)) == 0) {
		track_plain(c, p, from0);
		return;
	}
	track_general(c, p, from0);
	c->plain_ok = plain_ok(c);
}

void sf_track_init(struct sf_conn *c, uint64_t id, const struct sf_packet *p, bool want_ladder)
{
	memset(c, 0, sizeof *c);
	c->want_ladder = want_ladder;
	c->id = id;
	c->ep[0].addr = p->src;
	c->ep[0].port = p->sport;
	c->ep[1].addr = p->dst;
	c->ep[1].port = p->dport;
	c->first_ts = p->ts;
	c->last_ts = p->ts;
	c->first_frame = p->frame;
	c->last_frame = p->frame;
	c->syn_by = -1;
	c->synack_by = -1;
	c->td_initiator = -1;
	/* zeek and completeness describe the record that starts where this connection starts */
	c->zeek.first_only = true;
	c->compl.first_only = true;

	uint8_t sa = p->flags & (SF_TH_SYN | SF_TH_ACK | SF_TH_RST);
	if (sa == SF_TH_SYN) {
		c->roles = SF_ROLES_SYN;
		c->client = 0;
	} else if (sa == (SF_TH_SYN | SF_TH_ACK)) {
		c->roles = SF_ROLES_SYNACK;
		c->client = 1;
	} else {
		/* midstream: the side on a likely server port is the server (as Zeek) */
		bool s_srv = sf_zeek_is_likely_server_port(p->sport);
		bool d_srv = sf_zeek_is_likely_server_port(p->dport);
		c->roles = SF_ROLES_GUESS;
		if (s_srv != d_srv)
			c->client = s_srv ? 1 : 0;
		else if ((p->sport < 1024) != (p->dport < 1024))
			c->client = p->sport < 1024 ? 1 : 0;
		else
			c->client = 0;
	}
}

void sf_track_finish(struct sf_conn *c)
{
	for (int i = 0; i < 2; i++) {
		struct sf_endpoint *e = &c->ep[i];
		if (!e->unseen_pending)
			continue;
		e->unseen_pending = false;
		e->unseen_ack_reported = true;
		add_violation_at(c, e->unseen.code, e->unseen.frame, e->unseen.by, true,
				 e->unseen.expected, e->unseen.actual);
	}
	/* report violations in frame order */
	for (uint32_t i = 1; i < c->n_violations; i++) {
		struct sf_violation v = c->violations[i];
		uint32_t j = i;
		while (j > 0 && c->violations[j - 1].frame > v.frame) {
			c->violations[j] = c->violations[j - 1];
			j--;
		}
		c->violations[j] = v;
	}
}

bool sf_track_is_closed(const struct sf_conn *c)
{
	return c->closed || (c->ep[0].fin.seen && c->ep[1].fin.seen);
}

bool sf_track_starts_new(const struct sf_conn *c, const struct sf_packet *p)
{
	if ((p->flags & (SF_TH_SYN | SF_TH_ACK | SF_TH_RST)) != SF_TH_SYN)
		return false;
	if (!sf_track_is_closed(c))
		return false;
	/* a retransmission of the SYN this connection began with is not a new one */
	if (c->syn.seen && p->seq == c->syn.seq && !c->hs_done && !c->refused)
		return false;
	return true;
}
