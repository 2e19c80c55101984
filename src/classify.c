/*
 * classify.c - how a finished connection opened and closed.
 *
 * Pure functions of what the tracker recorded; they never change endpoint
 * states or violations ("what happened" and "what was wrong" live in
 * track.c, "how it ended" lives here).
 */
#include "synfin/classify.h"

enum sf_hs_outcome sf_classify_handshake(const struct sf_conn *c)
{
	if (c->simultaneous_open)
		return SF_HS_SIMULTANEOUS_OPEN;
	if (c->syn.seen && c->syn_by == c->client) {
		if (c->synack.seen)
			return c->hs_ack.seen ? SF_HS_COMPLETE : SF_HS_NO_FINAL_ACK;
		if (c->refused)
			return SF_HS_REFUSED;
		/*
		 * No SYN-ACK in the capture. If the server nonetheless acked the
		 * SYN and the client acked the server, the handshake took place
		 * and only the SYN-ACK is missing from the capture.
		 */
		const struct sf_endpoint *srv = &c->ep[sf_conn_server(c)];
		const struct sf_endpoint *cli = &c->ep[c->client];
		if (srv->have_ack && srv->max_ack == c->syn.seq + 1 + (cli->syn_data_accepted ? cli->syn_len : 0) &&
		    cli->have_ack)
			return SF_HS_COMPLETE;
		return SF_HS_NO_REPLY;
	}
	if (c->synack.seen)
		return SF_HS_MISSING_SYN;
	return SF_HS_NOT_SEEN;
}

/* Index of the endpoint whose FIN came first (-1 when none). */
static int first_fin(const struct sf_conn *c)
{
	const struct sf_fin_ref *f0 = &c->ep[0].fin, *f1 = &c->ep[1].fin;
	if (f0->seen && f1->seen)
		return f0->frame <= f1->frame ? 0 : 1;
	if (f0->seen)
		return 0;
	if (f1->seen)
		return 1;
	return -1;
}

enum sf_td_outcome sf_classify_teardown(const struct sf_conn *c, int *initiator)
{
	int first = first_fin(c);
	*initiator = first;

	/*
	 * A RST ends the connection unless both FINs had already been
	 * acknowledged (a stray RST after a finished close), or it was not
	 * acceptable (RFC 5961) and the connection went on to close gracefully.
	 */
	const struct sf_fin_ref *a = &c->ep[0].fin, *b = &c->ep[1].fin;
	bool both_acked = a->acked && b->acked;
	bool closed_before_rst = both_acked && a->acked_frame < c->rst.frame && b->acked_frame < c->rst.frame;
	if (c->rst.seen && !closed_before_rst && (c->rst_effective || !both_acked)) {
		/* who began the ending: the first FIN if it came before the RST, else the RST's sender */
		if (first < 0 || c->ep[first].fin.frame > c->rst.frame)
			*initiator = c->rst.by;
		return SF_TD_RESET;
	}
	if (first < 0) {
		*initiator = -1;
		return SF_TD_OPEN;
	}

	const struct sf_fin_ref *f1 = &c->ep[first].fin;
	const struct sf_fin_ref *f2 = &c->ep[1 - first].fin;
	if (!f2->seen)
		return f1->acked ? SF_TD_HALF_CLOSED : SF_TD_INCOMPLETE;
	if (!f1->acked || !f2->acked)
		return SF_TD_INCOMPLETE;
	/* both FINs sent before either was acknowledged */
	if (f1->acked_frame > f2->frame) {
		*initiator = 2;
		return SF_TD_SIMULTANEOUS;
	}
	/* FIN, FIN+ACK, ACK: the second FIN acked the first */
	if (f1->acked_frame == f2->frame)
		return SF_TD_THREE_WAY;
	return SF_TD_FOUR_WAY;
}

void sf_classify(struct sf_conn *c)
{
	c->hs_outcome = sf_classify_handshake(c);
	c->td_outcome = sf_classify_teardown(c, &c->td_initiator);
}
