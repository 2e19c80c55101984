/* test_track.c - the tracker and classify fed segment sequences. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "track_harness.h"

#define CI 1000u
#define SI 5000u

Test(track, four_way_close_is_graceful_with_rfc_states)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, ACK | PSH, CI + 1, SI + 1, 10);
	h_seg(&h, 0, ACK, SI + 1, CI + 11, 0);
	uint64_t f1 = h_seg(&h, 1, FIN | ACK, CI + 11, SI + 1, 0);
	uint64_t a1 = h_seg(&h, 0, ACK, SI + 1, CI + 12, 0);
	uint64_t f2 = h_seg(&h, 0, FIN | ACK, SI + 1, CI + 12, 0);
	uint64_t a2 = h_seg(&h, 1, ACK, CI + 12, SI + 2, 0);
	h_done(&h);
	cr_assert_eq(h.c.hs_outcome, SF_HS_COMPLETE);
	cr_assert_eq(h.c.td_outcome, SF_TD_FOUR_WAY);
	cr_assert_eq(h.c.td_initiator, h.c.client);
	cr_assert_eq(h.c.roles, SF_ROLES_SYN);
	cr_assert_eq(h.c.n_violations, 0, "violation %s", h.c.n_violations ? sf_violation_name(h.c.violations[0].code) : "");
	cr_assert_eq(h_client(&h)->fin.frame, f1);
	cr_assert_eq(h_client(&h)->fin.acked_frame, a1);
	cr_assert_eq(h_server(&h)->fin.frame, f2);
	cr_assert_eq(h_server(&h)->fin.acked_frame, a2);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_TIME_WAIT);
	cr_assert_eq(h_server(&h)->state, SF_TCPS_CLOSED);
	cr_assert_eq(h.c.hs_ack.frame, 3);
	cr_assert(sf_track_is_closed(&h.c));
	h_free(&h);
}

Test(track, three_way_close_fin_ack_acks_the_first_fin)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 0, FIN | ACK, SI + 1, CI + 1, 0);
	h_seg(&h, 1, FIN | ACK, CI + 1, SI + 2, 0);
	h_seg(&h, 0, ACK, SI + 2, CI + 2, 0);
	h_done(&h);
	cr_assert_eq(h.c.td_outcome, SF_TD_THREE_WAY);
	cr_assert_eq(h.c.td_initiator, 1 - h.c.client);
	cr_assert_eq(h_server(&h)->state, SF_TCPS_TIME_WAIT);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_CLOSED);
	cr_assert_eq(h.c.n_violations, 0);
	h_free(&h);
}

Test(track, simultaneous_close_leaves_both_in_time_wait)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, FIN | ACK, CI + 1, SI + 1, 0);
	h_seg(&h, 0, FIN | ACK, SI + 1, CI + 1, 0); /* sent before the client's FIN arrived */
	h_seg(&h, 1, ACK, CI + 2, SI + 2, 0);
	h_seg(&h, 0, ACK, SI + 2, CI + 2, 0);
	h_done(&h);
	cr_assert_eq(h.c.td_outcome, SF_TD_SIMULTANEOUS);
	cr_assert_eq(h.c.td_initiator, 2);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_TIME_WAIT);
	cr_assert_eq(h_server(&h)->state, SF_TCPS_TIME_WAIT);
	cr_assert_eq(h.c.n_violations, 0);
	h_free(&h);
}

Test(track, half_closed_and_incomplete)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, FIN | ACK, CI + 1, SI + 1, 0);
	h_seg(&h, 0, ACK, SI + 1, CI + 2, 0);
	h_seg(&h, 0, ACK | PSH, SI + 1, CI + 2, 100);
	h_seg(&h, 1, ACK, CI + 2, SI + 101, 0);
	h_done(&h);
	cr_assert_eq(h.c.td_outcome, SF_TD_HALF_CLOSED);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_FIN_WAIT_2);
	cr_assert_eq(h_server(&h)->state, SF_TCPS_CLOSE_WAIT);
	cr_assert_eq(h.c.n_violations, 0);
	h_free(&h);

	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, FIN | ACK, CI + 1, SI + 1, 0);
	h_done(&h);
	cr_assert_eq(h.c.td_outcome, SF_TD_INCOMPLETE);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_FIN_WAIT_1);
	h_free(&h);
}

Test(track, refused_syn_answered_by_rst)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 0, RST | ACK, 0, CI + 1, 0);
	h_done(&h);
	cr_assert_eq(h.c.hs_outcome, SF_HS_REFUSED);
	cr_assert_eq(h.c.td_outcome, SF_TD_RESET);
	cr_assert_eq(h.c.td_initiator, 1 - h.c.client);
	cr_assert_eq(h.c.n_violations, 0);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_CLOSED);
	cr_assert(sf_track_is_closed(&h.c));
	h_free(&h);
}

Test(track, rst_answering_syn_with_wrong_ack)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 0, RST | ACK, 0, CI + 7, 0);
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_RST_BAD_ACK);
	cr_assert_not_null(v);
	cr_assert_eq(v->expected, CI + 1);
	cr_assert_eq(v->actual, CI + 7);
	cr_assert_eq(v->frame, 2);
	h_free(&h);
}

Test(track, unanswered_syn_retransmits_are_counted)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_done(&h);
	cr_assert_eq(h.c.hs_outcome, SF_HS_NO_REPLY);
	cr_assert_eq(h.c.syn_retransmits, 2);
	cr_assert_eq(h.c.td_outcome, SF_TD_OPEN);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_SYN_SENT);
	cr_assert_eq(h_server(&h)->state, SF_TCPS_CLOSED);
	cr_assert_eq(h.c.n_violations, 0);
	h_free(&h);
}

Test(track, no_final_ack_and_synack_retransmit)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 0, SYN | ACK, SI, CI + 1, 0);
	h_seg(&h, 0, SYN | ACK, SI, CI + 1, 0);
	h_done(&h);
	cr_assert_eq(h.c.hs_outcome, SF_HS_NO_FINAL_ACK);
	cr_assert_eq(h.c.synack_retransmits, 1);
	cr_assert_eq(h_server(&h)->state, SF_TCPS_SYN_RECEIVED);
	cr_assert_eq(h.c.n_violations, 0);
	h_free(&h);
}

Test(track, synack_bad_ack)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 0, SYN | ACK, SI, CI + 2, 0);
	h_seg(&h, 1, ACK, CI + 1, SI + 1, 0);
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_SYNACK_BAD_ACK);
	cr_assert_not_null(v);
	cr_assert_eq(v->frame, 2);
	cr_assert_eq(v->expected, CI + 1);
	cr_assert_eq(v->actual, CI + 2);
	cr_assert_eq(h_count(&h, SF_V_ACK_UNSEEN_DATA), 0, "one relation, one code");
	cr_assert_eq(h.c.n_violations, 1);
	h_free(&h);
}

Test(track, final_ack_bad_ack_and_bad_seq)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 0, SYN | ACK, SI, CI + 1, 0);
	h_seg(&h, 1, ACK, CI + 5, SI + 9, 0);
	h_done(&h);
	const struct sf_violation *a = h_find(&h, SF_V_HS_ACK_BAD_ACK);
	const struct sf_violation *s = h_find(&h, SF_V_HS_ACK_BAD_SEQ);
	cr_assert_not_null(a);
	cr_assert_not_null(s);
	cr_assert_eq(a->expected, SI + 1);
	cr_assert_eq(a->actual, SI + 9);
	cr_assert_eq(s->expected, CI + 1);
	cr_assert_eq(s->actual, CI + 5);
	cr_assert_eq(h_count(&h, SF_V_ACK_UNSEEN_DATA), 0);
	h_free(&h);
}

Test(track, fast_open_data_accepted_and_not_accepted)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 20);
	h_seg(&h, 0, SYN | ACK, SI, CI + 21, 0);
	h_seg(&h, 1, ACK, CI + 21, SI + 1, 0);
	h_done(&h);
	cr_assert_eq(h.c.n_violations, 0);
	cr_assert(h_client(&h)->syn_data_accepted);
	cr_assert_eq(h.c.hs_outcome, SF_HS_COMPLETE);
	h_free(&h);

	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 20);
	h_seg(&h, 0, SYN | ACK, SI, CI + 1, 0);
	h_seg(&h, 1, ACK, CI + 1, SI + 1, 0);
	h_seg(&h, 1, ACK | PSH, CI + 1, SI + 1, 20);
	h_seg(&h, 0, ACK, SI + 1, CI + 21, 0);
	h_done(&h);
	cr_assert_eq(h.c.n_violations, 0);
	cr_assert_not(h_client(&h)->syn_data_accepted);
	h_free(&h);
}

Test(track, synack_written_before_its_syn_is_a_complete_handshake)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 0, SYN | ACK, SI, CI + 1, 0);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 1, ACK, CI + 1, SI + 1, 0);
	h_done(&h);
	cr_assert_eq(h.c.hs_outcome, SF_HS_COMPLETE);
	cr_assert_eq(h.c.roles, SF_ROLES_SYN);
	cr_assert_eq(h.c.syn.frame, 2);
	cr_assert(sf_addr_eq(&h_client(&h)->addr, &h.c.ep[1].addr));
	cr_assert_eq(h.c.n_violations, 0);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_ESTABLISHED);
	cr_assert_eq(h_server(&h)->state, SF_TCPS_ESTABLISHED);
	h_free(&h);
}

/*
 * One segment to h's connection and to a copy of it that must take the
 * general path (plain_ok cleared): both must end byte for byte the same.
 * Counts in *plain the segments that took the short path.
 */
static void seg_both_paths(struct h *h, int from_client, uint8_t flags, uint32_t seq, uint32_t ack,
			   uint32_t len, int *plain)
{
	struct sf_packet p;
	bool from0 = h_packet(h, from_client, flags, seq, ack, len, &p);
	h->c.want_ladder = false; /* each copy would allocate its own ladder: pointers would differ */
	struct sf_conn *general = malloc(sizeof *general);
	cr_assert_not_null(general);
	memcpy(general, &h->c, sizeof *general);
	general->plain_ok = false;
	*plain += h->c.plain_ok && (flags & (SYN | FIN | RST)) == 0;
	sf_track_segment(&h->c, &p, from0);
	sf_track_segment(general, &p, from0);
	cr_assert(memcmp(general, &h->c, sizeof *general) == 0,
		  "frame %llu: the short path and the general one differ", (unsigned long long)p.frame);
	free(general);
}

Test(track, plain_segments_take_the_short_path_to_the_same_state)
{
	struct h h;
	int plain = 0;
	uint32_t ci = 0xFFFFFF00u, si = 7000u; /* the client's numbers cross 2^32 */
	h_init(&h);
	seg_both_paths(&h, 1, SYN, ci, 0, 0, &plain);
	seg_both_paths(&h, 0, SYN | ACK, si, ci + 1, 0, &plain);
	seg_both_paths(&h, 1, ACK, ci + 1, si + 1, 0, &plain);
	cr_assert(h.c.plain_ok, "the handshake is done: the next plain segment may take the short path");
	seg_both_paths(&h, 1, ACK | PSH, ci + 1, si + 1, 200, &plain);   /* data past 2^32 */
	seg_both_paths(&h, 0, ACK, si + 1, ci + 201, 0, &plain);
	seg_both_paths(&h, 1, ACK | PSH, ci + 1, si + 1, 200, &plain);   /* retransmitted */
	seg_both_paths(&h, 0, ACK | PSH, si + 1, ci + 201, 100, &plain);
	seg_both_paths(&h, 1, ACK, ci + 201, si + 101, 0, &plain);
	seg_both_paths(&h, 0, ACK, si + 101, ci + 500, 0, &plain);       /* acks data not seen */
	seg_both_paths(&h, 1, ACK | PSH, ci + 400, si + 101, 100, &plain); /* a gap explains it */
	seg_both_paths(&h, 1, ACK | PSH, ci + 201, si + 101, 199, &plain); /* the gap filled late */
	seg_both_paths(&h, 0, ACK, si + 101, ci + 500, 0, &plain);
	seg_both_paths(&h, 0, ACK, si + 100, ci + 500, 1, &plain);       /* keep-alive probe */
	seg_both_paths(&h, 1, ACK, ci + 500, si + 101, 0, &plain);
	seg_both_paths(&h, 0, PSH, si + 101, 0, 10, &plain);             /* no ACK flag */
	seg_both_paths(&h, 1, ACK, ci + 500, si + 111, 0, &plain);
	seg_both_paths(&h, 0, ACK, si + 111, ci + 400, 0, &plain);       /* an old ack */
	seg_both_paths(&h, 1, ACK | SF_TH_URG, ci + 500, si + 111, 5, &plain);
	cr_assert_eq(plain, 15, "%d segments took the short path", plain);
	/* a FIN ends it: general path, and plain_ok is gone */
	seg_both_paths(&h, 1, FIN | ACK, ci + 505, si + 111, 0, &plain);
	cr_assert(!h.c.plain_ok);
	seg_both_paths(&h, 0, ACK, si + 111, ci + 506, 0, &plain);
	seg_both_paths(&h, 0, FIN | ACK, si + 111, ci + 506, 0, &plain);
	seg_both_paths(&h, 1, ACK, ci + 506, si + 112, 0, &plain);
	cr_assert_eq(plain, 15, "after a FIN no segment takes the short path");
	h_done(&h);
	cr_assert_eq(h_count(&h, SF_V_ACK_UNSEEN_DATA), 0, "the gap explained the early ack");
	cr_assert_eq(h.c.td_outcome, SF_TD_FOUR_WAY);
	h_free(&h);
}

Test(track, sequence_wrap_past_2_32_is_not_a_violation)
{
	struct h h;
	uint32_t ci = 0xFFFFFFF0u, si = 0xFFFFFFFEu;
	h_init(&h);
	h_handshake(&h, ci, si);
	h_seg(&h, 1, ACK | PSH, ci + 1, si + 1, 40);    /* crosses 2^32 */
	h_seg(&h, 0, ACK | PSH, si + 1, ci + 41, 40);   /* so does this */
	h_seg(&h, 1, FIN | ACK, ci + 41, si + 41, 0);
	h_seg(&h, 0, FIN | ACK, si + 41, ci + 42, 0);
	h_seg(&h, 1, ACK, ci + 42, si + 42, 0);
	h_done(&h);
	cr_assert_eq(h.c.n_violations, 0, "got %s", h.c.n_violations ? sf_violation_name(h.c.violations[0].code) : "");
	cr_assert_eq(h.c.td_outcome, SF_TD_THREE_WAY);
	h_free(&h);
}

Test(track, fin_acked_past_its_sequence_number)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, FIN | ACK, CI + 1, SI + 1, 0);
	h_seg(&h, 0, ACK, SI + 1, CI + 3, 0);
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_FIN_BAD_ACK);
	cr_assert_not_null(v);
	cr_assert_eq(v->expected, CI + 2);
	cr_assert_eq(v->actual, CI + 3);
	cr_assert_eq(h_count(&h, SF_V_ACK_UNSEEN_DATA), 0);
	h_free(&h);
}

Test(track, fin_retransmitted_with_data_keeps_fin_number)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, FIN | ACK | PSH, CI + 1, SI + 1, 10); /* FIN number CI + 11 */
	h_seg(&h, 1, FIN | ACK | PSH, CI + 6, SI + 1, 5);  /* resend of the tail + FIN */
	h_seg(&h, 0, ACK, SI + 1, CI + 12, 0);
	h_done(&h);
	cr_assert_eq(h.c.n_violations, 0);
	cr_assert_eq(h_client(&h)->fin.fin_seq, CI + 11);
	h_free(&h);
}

Test(track, fin_resent_with_other_number)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, FIN | ACK, CI + 1, SI + 1, 0);
	h_seg(&h, 1, FIN | ACK, CI + 4, SI + 1, 0);
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_FIN_RESEND_DIFF_SEQ);
	cr_assert_not_null(v);
	cr_assert_eq(v->expected, CI + 1);
	cr_assert_eq(v->actual, CI + 4);
	h_free(&h);
}

Test(track, data_after_fin_and_close_ack_seq)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, FIN | ACK, CI + 1, SI + 1, 0);
	h_seg(&h, 1, ACK | PSH, CI + 2, SI + 1, 5);
	h_done(&h);
	cr_assert_not_null(h_find(&h, SF_V_DATA_AFTER_FIN));
	h_free(&h);

	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, FIN | ACK, CI + 1, SI + 1, 0);
	h_seg(&h, 0, FIN | ACK, SI + 1, CI + 2, 0);
	h_seg(&h, 1, ACK, CI + 1, SI + 2, 0); /* keep-alive style: FIN's own number: accepted */
	h_seg(&h, 1, ACK, CI + 9, SI + 2, 0); /* wrong */
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_CLOSE_ACK_BAD_SEQ);
	cr_assert_not_null(v);
	cr_assert_eq(v->frame, 7);
	cr_assert_eq(v->expected, CI + 2);
	cr_assert_eq(v->actual, CI + 9);
	cr_assert_eq(h_count(&h, SF_V_CLOSE_ACK_BAD_SEQ), 1);
	h_free(&h);
}

Test(track, ack_of_unseen_data_unless_a_gap_explains_it)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, ACK | PSH, CI + 1, SI + 1, 10);
	h_seg(&h, 0, ACK, SI + 1, CI + 50, 0);
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_ACK_UNSEEN_DATA);
	cr_assert_not_null(v);
	cr_assert_eq(v->frame, 5);
	cr_assert_eq(v->expected, CI + 11);
	cr_assert_eq(v->actual, CI + 50);
	h_free(&h);

	/* the capture missed CI+11..CI+50; a later segment shows the gap */
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, ACK | PSH, CI + 1, SI + 1, 10);
	h_seg(&h, 0, ACK, SI + 1, CI + 50, 0);
	h_seg(&h, 1, ACK | PSH, CI + 50, SI + 1, 10);
	h_seg(&h, 0, ACK, SI + 1, CI + 60, 0);
	h_done(&h);
	cr_assert_eq(h.c.n_violations, 0);
	h_free(&h);
}

Test(track, rst_with_wrong_seq_is_flagged_and_ignored)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 0, RST, SI + 1000, 0, 0);
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_RST_BAD_SEQ);
	cr_assert_not_null(v);
	cr_assert_eq(v->expected, SI + 1);
	cr_assert_eq(v->actual, SI + 1000);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_ESTABLISHED, "the receiver ignores it (RFC 5961)");
	h_free(&h);
}

Test(track, segments_after_own_rst)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, RST | ACK, CI + 1, SI + 1, 0);
	h_seg(&h, 1, ACK | PSH, CI + 1, SI + 1, 5);
	h_seg(&h, 1, ACK | PSH, CI + 6, SI + 1, 5);
	h_done(&h);
	cr_assert_eq(h_count(&h, SF_V_DATA_AFTER_RST), 1);
	cr_assert_eq(h.c.td_outcome, SF_TD_RESET);
	cr_assert_eq(h.c.td_initiator, h.c.client);
	h_free(&h);
}

Test(track, simultaneous_open_and_bad_isn_in_synack)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 0, SYN, SI, 0, 0);
	h_seg(&h, 1, SYN | ACK, CI, SI + 1, 0);
	h_seg(&h, 0, SYN | ACK, SI, CI + 1, 0);
	h_done(&h);
	cr_assert_eq(h.c.hs_outcome, SF_HS_SIMULTANEOUS_OPEN);
	cr_assert_eq(h.c.n_violations, 0);
	cr_assert_eq(h.c.ep[0].state, SF_TCPS_ESTABLISHED);
	cr_assert_eq(h.c.ep[1].state, SF_TCPS_ESTABLISHED);
	h_free(&h);

	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 0, SYN, SI, 0, 0);
	h_seg(&h, 1, SYN | ACK, CI + 100, SI + 1, 0);
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_SIMOPEN_SYNACK_BAD_SEQ);
	cr_assert_not_null(v);
	cr_assert_eq(v->expected, CI);
	cr_assert_eq(v->actual, CI + 100);
	h_free(&h);
}

Test(track, syn_fin_and_wrong_directions)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN | FIN, CI, 0, 0);
	h_done(&h);
	cr_assert_not_null(h_find(&h, SF_V_SYN_FIN));
	h_free(&h);

	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, SYN | ACK, CI, SI + 1, 0);
	h_done(&h);
	cr_assert_not_null(h_find(&h, SF_V_SYNACK_WRONG_DIR));
	h_free(&h);

	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 0, SYN | ACK, SI, CI + 1, 0);
	h_seg(&h, 0, SYN, SI + 77, 0, 0);
	h_done(&h);
	cr_assert_not_null(h_find(&h, SF_V_SYN_WRONG_DIR));
	h_free(&h);
}

Test(track, syn_during_close_and_resend_differences)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, SYN, CI + 999, 0, 0);
	h_done(&h);
	cr_assert_not_null(h_find(&h, SF_V_SYN_DURING_CLOSE));
	h_free(&h);

	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 1, SYN, CI + 5, 0, 0);
	h_seg(&h, 0, SYN | ACK, SI, CI + 6, 0); /* answers the latest SYN: fine */
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_SYN_RESEND_DIFF_SEQ);
	cr_assert_not_null(v);
	cr_assert_eq(v->expected, CI);
	cr_assert_eq(v->actual, CI + 5);
	cr_assert_eq(h_count(&h, SF_V_SYNACK_BAD_ACK), 0);
	h_free(&h);

	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	h_seg(&h, 0, SYN | ACK, SI, CI + 1, 0);
	h_seg(&h, 0, SYN | ACK, SI + 3, CI + 1, 0);
	h_done(&h);
	v = h_find(&h, SF_V_SYNACK_RESEND_DIFF);
	cr_assert_not_null(v);
	cr_assert_eq(v->expected, SI);
	cr_assert_eq(v->actual, SI + 3);
	h_free(&h);
}

Test(track, midstream_guesses_roles_by_port_and_takes_keepalives)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 0, ACK | PSH, SI, CI, 100); /* server on port 80 speaks first */
	h_seg(&h, 1, ACK, CI, SI + 100, 0);
	h_seg(&h, 1, ACK, CI - 1, SI + 100, 0); /* keep-alive: SND.NXT - 1 */
	h_seg(&h, 0, ACK, SI + 100, CI, 0);
	h_done(&h);
	cr_assert_eq(h.c.roles, SF_ROLES_GUESS);
	cr_assert_eq(h_server(&h)->port, 80);
	cr_assert_eq(h.c.hs_outcome, SF_HS_NOT_SEEN);
	cr_assert_eq(h.c.td_outcome, SF_TD_OPEN);
	cr_assert_eq(h.c.n_violations, 0);
	cr_assert_eq(h_client(&h)->state, SF_TCPS_ESTABLISHED);
	h_free(&h);
}

Test(track, missing_syn_when_capture_starts_at_synack)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 0, SYN | ACK, SI, CI + 1, 0);
	h_seg(&h, 1, ACK, CI + 1, SI + 1, 0);
	h_done(&h);
	cr_assert_eq(h.c.hs_outcome, SF_HS_MISSING_SYN);
	cr_assert_eq(h.c.roles, SF_ROLES_SYNACK);
	cr_assert_eq(h_server(&h)->port, 80);
	cr_assert_eq(h.c.n_violations, 0);
	h_free(&h);
}

Test(track, retransmissions_and_out_of_order_data_are_clean)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, ACK | PSH, CI + 1, SI + 1, 100);
	h_seg(&h, 1, ACK | PSH, CI + 201, SI + 1, 100); /* arrives before the middle */
	h_seg(&h, 1, ACK | PSH, CI + 101, SI + 1, 100);
	h_seg(&h, 1, ACK | PSH, CI + 1, SI + 1, 100);   /* retransmission */
	h_seg(&h, 0, ACK, SI + 1, CI + 301, 0);
	h_seg(&h, 0, ACK, SI + 1, CI + 301, 0);          /* duplicate ACK */
	h_seg(&h, 0, ACK, SI, CI + 301, 0);              /* zero-window probe style */
	h_done(&h);
	cr_assert_eq(h.c.n_violations, 0, "got %s", h.c.n_violations ? sf_violation_name(h.c.violations[0].code) : "");
	h_free(&h);
}

Test(track, new_syn_after_close_starts_a_new_connection)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, FIN | ACK, CI + 1, SI + 1, 0);
	h_seg(&h, 0, FIN | ACK, SI + 1, CI + 2, 0);
	h_seg(&h, 1, ACK, CI + 2, SI + 2, 0);
	struct sf_packet p = {0};
	p.flags = SF_TH_SYN;
	p.seq = CI + 100000;
	cr_assert(sf_track_starts_new(&h.c, &p));
	p.flags = SF_TH_ACK;
	cr_assert_not(sf_track_starts_new(&h.c, &p));
	h_free(&h);

	h_init(&h);
	h_seg(&h, 1, SYN, CI, 0, 0);
	p.flags = SF_TH_SYN;
	p.seq = CI;
	cr_assert_not(sf_track_starts_new(&h.c, &p), "a retransmitted SYN is the same connection");
	h_free(&h);
}

Test(track, violation_list_is_bounded_and_in_frame_order)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, RST | ACK, CI + 1, SI + 1, 0);
	for (int i = 0; i < 200; i++)
		h_seg(&h, 0, RST, SI + 7777 + (uint32_t)i, 0, 0);
	h_done(&h);
	cr_assert_eq(h.c.n_violations, SF_VIOLATIONS_MAX);
	cr_assert_gt(h.c.n_violations_dropped, 0);
	for (uint32_t i = 1; i < h.c.n_violations; i++)
		cr_assert_leq(h.c.violations[i - 1].frame, h.c.violations[i].frame);
	h_free(&h);
}

Test(track, syn_during_close_keeps_its_handshake_and_first_zeek_record)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, CI, SI);
	h_seg(&h, 1, ACK | PSH, CI + 1, SI + 1, 5);
	h_seg(&h, 0, ACK, SI + 1, CI + 6, 0);
	h_seg(&h, 1, FIN | ACK, CI + 6, SI + 1, 0);
	h_seg(&h, 0, ACK, SI + 1, CI + 7, 0);
	uint64_t f = h_seg(&h, 1, SYN, 9000, 0, 0);
	h_done(&h);
	const struct sf_violation *v = h_find(&h, SF_V_SYN_DURING_CLOSE);
	cr_assert_not_null(v);
	cr_assert_eq(v->frame, f);
	cr_assert_eq(h.c.syn.frame, 1, "the handshake SYN stays the first one");
	cr_assert_eq(h_client(&h)->isn, CI);
	/* Zeek and Wireshark would start a new record at that SYN; ours matches the first */
	cr_assert_eq(h.c.zeek.reuses, 1);
	cr_assert_str_eq(sf_zeek_conn_state(&h.c.zeek), "S2");
	cr_assert_eq(h.c.compl.mask, 31);
	h_free(&h);
}
