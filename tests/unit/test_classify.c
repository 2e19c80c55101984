/* test_classify.c - outcomes as pure functions of what the tracker recorded. */
#include <criterion/criterion.h>
#include <string.h>

#include "synfin/classify.h"

/* A connection record built by hand: client is endpoint 0. */
static struct sf_conn conn(void)
{
	struct sf_conn c;
	memset(&c, 0, sizeof c);
	c.client = 0;
	c.syn_by = -1;
	c.synack_by = -1;
	return c;
}

static void fin(struct sf_conn *c, int ep, uint64_t frame, uint64_t acked_frame)
{
	c->ep[ep].fin.seen = true;
	c->ep[ep].fin.frame = frame;
	c->ep[ep].fin.acked = acked_frame != 0;
	c->ep[ep].fin.acked_frame = acked_frame;
}

Test(classify, handshake_outcomes)
{
	struct sf_conn c = conn();
	cr_assert_eq(sf_classify_handshake(&c), SF_HS_NOT_SEEN);
	c.synack.seen = true;
	cr_assert_eq(sf_classify_handshake(&c), SF_HS_MISSING_SYN);
	c = conn();
	c.syn.seen = true;
	c.syn_by = 0;
	cr_assert_eq(sf_classify_handshake(&c), SF_HS_NO_REPLY);
	c.refused = true;
	cr_assert_eq(sf_classify_handshake(&c), SF_HS_REFUSED);
	c.refused = false;
	c.synack.seen = true;
	cr_assert_eq(sf_classify_handshake(&c), SF_HS_NO_FINAL_ACK);
	c.hs_ack.seen = true;
	cr_assert_eq(sf_classify_handshake(&c), SF_HS_COMPLETE);
	c.simultaneous_open = true;
	cr_assert_eq(sf_classify_handshake(&c), SF_HS_SIMULTANEOUS_OPEN);
}

Test(classify, teardown_by_fin_order_and_acks)
{
	int who;
	struct sf_conn c = conn();
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_OPEN);
	cr_assert_eq(who, -1);

	fin(&c, 0, 10, 0);
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_INCOMPLETE);
	cr_assert_eq(who, 0);
	fin(&c, 0, 10, 11);
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_HALF_CLOSED);

	fin(&c, 1, 12, 13);
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_FOUR_WAY);
	cr_assert_eq(who, 0);

	fin(&c, 1, 11, 12); /* the server's FIN acked the client's: FIN, FIN+ACK, ACK */
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_THREE_WAY);

	fin(&c, 0, 10, 13); /* both FINs out before either was acked */
	fin(&c, 1, 11, 12);
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_SIMULTANEOUS);
	cr_assert_eq(who, 2);

	fin(&c, 1, 11, 0);
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_INCOMPLETE);
}

Test(classify, reset_rules)
{
	int who;
	struct sf_conn c = conn();
	c.rst.seen = true;
	c.rst.by = 1;
	c.rst.frame = 5;
	c.rst_effective = true;
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_RESET);
	cr_assert_eq(who, 1, "no FIN: the RST's sender");

	fin(&c, 0, 3, 4);
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_RESET);
	cr_assert_eq(who, 0, "with FINs: who sent the first FIN");

	fin(&c, 0, 7, 8); /* the FIN came after the RST: the RST began the ending */
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_RESET);
	cr_assert_eq(who, 1);

	/* a stray RST after a finished close does not undo it */
	c = conn();
	fin(&c, 0, 3, 4);
	fin(&c, 1, 5, 6);
	c.rst.seen = true;
	c.rst.frame = 9;
	c.rst_effective = true;
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_FOUR_WAY);

	/* an unacceptable RST (RFC 5961) on a connection that then closed gracefully */
	c = conn();
	c.rst.seen = true;
	c.rst.frame = 2;
	fin(&c, 0, 3, 4);
	fin(&c, 1, 5, 6);
	cr_assert_eq(sf_classify_teardown(&c, &who), SF_TD_FOUR_WAY);
}

Test(classify, classify_fills_the_record)
{
	struct sf_conn c = conn();
	c.syn.seen = true;
	c.syn_by = 0;
	fin(&c, 0, 3, 0);
	sf_classify(&c);
	cr_assert_eq(c.hs_outcome, SF_HS_NO_REPLY);
	cr_assert_eq(c.td_outcome, SF_TD_INCOMPLETE);
	cr_assert_eq(c.td_initiator, 0);
	cr_assert_str_eq(sf_hs_outcome_name(c.hs_outcome), "no_reply");
	cr_assert_str_eq(sf_td_outcome_name(c.td_outcome), "incomplete");
}
