/* test_zeek.c - Zeek conn_state / history emulation (src/zeek.c). */
#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>

#include "synfin/packet.h"
#include "synfin/zeek.h"

#define F_S SF_TH_SYN
#define F_SA (SF_TH_SYN | SF_TH_ACK)
#define F_A SF_TH_ACK
#define F_PA (SF_TH_PSH | SF_TH_ACK)
#define F_FA (SF_TH_FIN | SF_TH_ACK)
#define F_R SF_TH_RST
#define F_RA (SF_TH_RST | SF_TH_ACK)

/* One segment: who sent it (the flow's endpoint 0 = the first packet's sender). */
struct step {
	bool from0;
	uint8_t flags;
	uint32_t seq, ack, len;
	uint16_t win; /* 0: the default WIN; ZERO_WIN: a zero window */
};

#define WIN 1000
#define ZERO_WIN 0xffff
#define X 1000u  /* client ISN */
#define Y 5000u  /* server ISN */
#define CP 40000 /* client port: not a likely server port */
#define SP 8081  /* server port: not a likely server port */

/* ep0_port is endpoint 0's port, ep1_port endpoint 1's. */
static void feed(struct sf_zeek *z, uint16_t ep0_port, uint16_t ep1_port, const struct step *st,
		 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sf_zeek_seg s = {
			.flags = st[i].flags,
			.seq = st[i].seq,
			.ack = st[i].ack,
			.len = st[i].len,
			.window = st[i].win ? st[i].win : WIN,
		};
		if (st[i].win == ZERO_WIN)
			s.window = 0;
		uint16_t sport = st[i].from0 ? ep0_port : ep1_port;
		uint16_t dport = st[i].from0 ? ep1_port : ep0_port;
		sf_zeek_segment(z, st[i].from0, sport, dport, &s);
	}
}

#define FEED(z, p0, p1, ...)                                                                      \
	do {                                                                                      \
		const struct step steps_[] = {__VA_ARGS__};                                       \
		feed((z), (p0), (p1), steps_, sizeof steps_ / sizeof steps_[0]);                  \
	} while (0)

/* client = endpoint 0 */
#define CL(fl, sq, ak, ln) {true, (fl), (sq), (ak), (ln), 0}
#define SV(fl, sq, ak, ln) {false, (fl), (sq), (ak), (ln), 0}
#define SV0WIN(fl, sq, ak, ln) {false, (fl), (sq), (ak), (ln), ZERO_WIN}

#define HANDSHAKE CL(F_S, X, 0, 0), SV(F_SA, Y, X + 1, 0), CL(F_A, X + 1, Y + 1, 0)

#define EXPECT(z, hist, state)                                                                    \
	do {                                                                                      \
		cr_expect_str_eq((z)->history, (hist));                                           \
		cr_expect_str_eq(sf_zeek_conn_state(z), (state));                                 \
	} while (0)

/* ---- conn_state values ---------------------------------------------------- */

Test(zeek, full_connection_with_data_and_fins_is_SF)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, CL(F_PA, X + 1, Y + 1, 5), SV(F_A, Y + 1, X + 6, 0),
	     SV(F_PA, Y + 1, X + 6, 7), CL(F_A, X + 6, Y + 8, 0), CL(F_FA, X + 6, Y + 8, 0),
	     SV(F_FA, Y + 8, X + 7, 0), CL(F_A, X + 7, Y + 9, 0));
	EXPECT(&z, "ShADadFf", "SF");
	cr_expect(sf_zeek_orig_is_first(&z));
	cr_expect_eq(sf_zeek_size(&z, 0), 5);
	cr_expect_eq(sf_zeek_size(&z, 1), 7);
	cr_expect_eq(z.state[0], SF_ZEEK_CLOSED);
	cr_expect_eq(z.state[1], SF_ZEEK_CLOSED);
}

Test(zeek, syn_without_reply_is_S0)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, CL(F_S, X, 0, 0), CL(F_S, X, 0, 0), CL(F_S, X, 0, 0));
	EXPECT(&z, "S", "S0");
	cr_expect_eq(z.state[0], SF_ZEEK_SYN_SENT);
	cr_expect_eq(z.state[1], SF_ZEEK_INACTIVE);
}

Test(zeek, syn_then_rst_from_responder_is_REJ)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, CL(F_S, X, 0, 0), SV(F_RA, 0, X + 1, 0));
	EXPECT(&z, "Sr", "REJ");
}

Test(zeek, rst_from_both_sides_without_data_is_REJ_by_sizes)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, CL(F_R, X, 0, 0), SV(F_R, Y, 0, 0));
	EXPECT(&z, "Rr", "REJ");
	cr_expect_eq(sf_zeek_size(&z, 0), 0);
	cr_expect_eq(sf_zeek_size(&z, 1), 0);
}

Test(zeek, established_then_responder_rst_is_RSTR)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, SV(F_RA, Y + 1, X + 1, 0));
	EXPECT(&z, "ShAr", "RSTR");
}

Test(zeek, established_then_originator_rst_is_RSTO)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, CL(F_R, X + 1, 0, 0));
	EXPECT(&z, "ShAR", "RSTO");
}

Test(zeek, syn_then_originator_rst_is_RSTOS0)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, CL(F_S, X, 0, 0), CL(F_R, X + 1, 0, 0));
	EXPECT(&z, "SR", "RSTOS0");
}

Test(zeek, originator_rst_without_syn_and_quiet_responder_is_OTH)
{
	struct sf_zeek z = {0};
	/* "DR" does not match the RSTOS0 history regex (it needs an S first) */
	FEED(&z, CP, SP, CL(F_PA, X, Y, 5), CL(F_R, X + 5, 0, 0));
	EXPECT(&z, "DR", "OTH");
}

Test(zeek, synack_then_rst_from_responder_without_syn_is_RSTRH)
{
	struct sf_zeek z = {0};
	/* first packet is the server's SYN-ACK from port 80: flipped by port */
	FEED(&z, 80, CP, {true, F_SA, Y, X + 1, 0, 0}, {true, F_R, Y + 1, 0, 0, 0});
	EXPECT(&z, "^hr", "RSTRH");
	cr_expect_not(sf_zeek_orig_is_first(&z));
}

Test(zeek, syn_then_fin_without_synack_is_SH)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, CL(F_S, X, 0, 0), CL(SF_TH_FIN, X + 1, 0, 0));
	EXPECT(&z, "SF", "SH");
}

Test(zeek, synack_then_fin_from_responder_without_syn_is_SHR)
{
	struct sf_zeek z = {0};
	FEED(&z, 80, CP, {true, F_SA, Y, X + 1, 0, 0}, {true, F_FA, Y + 1, X + 1, 0, 0});
	EXPECT(&z, "^hf", "SHR");
}

Test(zeek, originator_fin_without_reply_is_S2)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, CL(F_FA, X + 1, Y + 1, 0));
	EXPECT(&z, "ShAF", "S2");
}

Test(zeek, responder_fin_without_reply_is_S3)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, SV(F_FA, Y + 1, X + 1, 0));
	EXPECT(&z, "ShAf", "S3");
}

Test(zeek, established_not_closed_is_S1)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, CL(F_PA, X + 1, Y + 1, 3));
	EXPECT(&z, "ShAD", "S1");
	cr_expect_eq(sf_zeek_size(&z, 0), 3);
}

Test(zeek, midstream_traffic_is_OTH)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, CL(F_PA, X, Y, 5), SV(F_A, Y, X + 5, 0), SV(F_PA, Y, X + 5, 9));
	EXPECT(&z, "Dad", "OTH");
	cr_expect_eq(z.state[0], SF_ZEEK_PARTIAL);
	cr_expect_eq(z.state[1], SF_ZEEK_PARTIAL);
	cr_expect_eq(sf_zeek_size(&z, 0), 5);
	cr_expect_eq(sf_zeek_size(&z, 1), 9);
}

Test(zeek, synack_only_is_OTH)
{
	struct sf_zeek z = {0};
	FEED(&z, SP, CP, {true, F_SA, Y, X + 1, 0, 0});
	EXPECT(&z, "H", "OTH");
	cr_expect(sf_zeek_orig_is_first(&z));
}

Test(zeek, unstarted_connection_is_OTH)
{
	struct sf_zeek z = {0};
	cr_expect_str_eq(sf_zeek_conn_state(&z), "OTH");
}

/* ---- roles and the ^ flip ------------------------------------------------- */

Test(zeek, midstream_from_likely_server_port_is_flipped)
{
	struct sf_zeek z = {0};
	/* endpoint 0 is the server on port 80 */
	FEED(&z, 80, CP, {true, F_PA, Y, X, 9, 0}, {false, F_A, X, Y + 9, 0, 0});
	EXPECT(&z, "^dA", "OTH");
	cr_expect(z.flipped);
	cr_expect_not(sf_zeek_orig_is_first(&z));
}

Test(zeek, midstream_to_likely_server_port_is_not_flipped)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, 80, CL(F_PA, X, Y, 5));
	EXPECT(&z, "D", "OTH");
	cr_expect_not(z.flipped);
}

Test(zeek, both_ports_likely_flips_non_syn_only_towards_lower_port)
{
	struct sf_zeek a = {0}, b = {0}, c = {0};
	/* 443 -> 8080: both likely, src < dst, not a SYN: flip */
	FEED(&a, 443, 8080, CL(F_PA, X, Y, 5));
	cr_expect_str_eq(a.history, "^d");
	/* 8080 -> 443: src > dst: no flip */
	FEED(&b, 8080, 443, CL(F_PA, X, Y, 5));
	cr_expect_str_eq(b.history, "D");
	/* 443 -> 8080 SYN-ACK: never flipped when both are likely */
	FEED(&c, 443, 8080, CL(F_SA, Y, X + 1, 0));
	cr_expect_str_eq(c.history, "H");
}

Test(zeek, synack_first_from_likely_port_then_handshake_ack)
{
	struct sf_zeek z = {0};
	FEED(&z, 443, CP, {true, F_SA, Y, X + 1, 0, 0}, {false, F_A, X + 1, Y + 1, 0, 0},
	     {false, F_PA, X + 1, Y + 1, 4, 0});
	/* resp ESTABLISHED by its SYN-ACK; orig's pure ACK establishes it too */
	EXPECT(&z, "^hAD", "S1");
}

Test(zeek, syn_after_synack_reverses_roles)
{
	struct sf_zeek z = {0};
	/* SYN-ACK seen before its SYN (e.g. two capture interfaces), unlikely ports */
	FEED(&z, SP, CP, {true, F_SA, Y, X + 1, 0, 0}, {false, F_S, X, 0, 0, 0},
	     {false, F_A, X + 1, Y + 1, 0, 0});
	EXPECT(&z, "Hs^A", "S1");
	cr_expect(z.flipped);
	cr_expect_eq(z.reuses, 0);
}

/* ---- once-per-direction letters and repeats ----------------------------- */

Test(zeek, data_and_ack_letters_are_recorded_once_per_direction)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, CL(F_PA, X + 1, Y + 1, 5), CL(F_PA, X + 6, Y + 1, 5),
	     SV(F_A, Y + 1, X + 6, 0), SV(F_A, Y + 1, X + 11, 0), CL(F_A, X + 11, Y + 1, 0));
	EXPECT(&z, "ShADa", "S1");
}

Test(zeek, fin_repeated_with_new_sequence_number_is_recorded_again)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, CL(F_FA, X + 1, Y + 1, 0), CL(F_FA, X + 1, Y + 1, 0),
	     CL(F_FA, X + 1, Y + 1, 4));
	/* the retransmitted FIN (same seq) adds nothing; the FIN at seq+4 does */
	cr_expect_str_eq(z.history, "ShAFF");
}

Test(zeek, syn_retransmission_same_isn_is_not_repeated)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, CL(F_S, X, 0, 0), CL(F_S, X, 0, 0), SV(F_SA, Y, X + 1, 0),
	     SV(F_SA, Y, X + 1, 0), CL(F_A, X + 1, Y + 1, 0));
	EXPECT(&z, "ShA", "S1");
}

Test(zeek, fin_rst_packet_is_I_and_syn_fin_packet_is_Q)
{
	struct sf_zeek a = {0}, b = {0};
	FEED(&a, CP, SP, HANDSHAKE, SV(SF_TH_FIN | SF_TH_RST | SF_TH_ACK, Y + 1, X + 1, 0));
	cr_expect_str_eq(a.history, "ShAi");
	FEED(&b, CP, SP, CL(SF_TH_SYN | SF_TH_FIN, X, 0, 0), SV(F_RA, 0, X + 1, 0));
	EXPECT(&b, "Qr", "RSTR");
}

Test(zeek, retransmitted_data_scales_T_at_1_10_100)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, CL(F_PA, X + 1, Y + 1, 5));
	for (int i = 1; i <= 100; i++) {
		FEED(&z, CP, SP, CL(F_PA, X + 1, Y + 1, 5));
		if (i == 1)
			cr_expect_str_eq(z.history, "ShADT");
		if (i == 9)
			cr_expect_str_eq(z.history, "ShADT");
		if (i == 10)
			cr_expect_str_eq(z.history, "ShADTT");
		if (i == 99)
			cr_expect_str_eq(z.history, "ShADTT");
	}
	cr_expect_str_eq(z.history, "ShADTTT");
}

Test(zeek, responder_retransmission_is_lowercase_t)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, SV(F_PA, Y + 1, X + 1, 8), SV(F_PA, Y + 1, X + 1, 8));
	cr_expect_str_eq(z.history, "ShAdt");
}

Test(zeek, keepalive_probe_counts_as_retransmission)
{
	struct sf_zeek z = {0};
	/* keep-alive: one byte at SND.NXT - 1; it is also the first "data" */
	FEED(&z, CP, SP, HANDSHAKE, CL(F_A, X, Y + 1, 1));
	cr_expect_str_eq(z.history, "ShADT");
}

Test(zeek, zero_window_scales_W_at_1_and_10)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE);
	for (int i = 0; i < 10; i++)
		FEED(&z, CP, SP, SV0WIN(F_A, Y + 1, X + 1, 0));
	/* update_history() runs before update_window(): 'a' comes first */
	cr_expect_str_eq(z.history, "ShAaww");
}

Test(zeek, zero_window_after_peer_fin_is_not_recorded)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE, CL(F_FA, X + 1, Y + 1, 0), SV0WIN(F_A, Y + 1, X + 2, 0));
	cr_expect_str_eq(z.history, "ShAFa");
}

Test(zeek, acked_data_never_seen_is_a_content_gap)
{
	struct sf_zeek z = {0};
	/* client bytes 1..5 are missing from the capture; 6..10 are seen, 1..10 acked */
	FEED(&z, CP, SP, HANDSHAKE, CL(F_PA, X + 6, Y + 1, 5), SV(F_A, Y + 1, X + 11, 0));
	cr_expect_str_eq(z.history, "ShADaG");
}

Test(zeek, out_of_order_data_filled_before_the_ack_is_not_a_gap)
{
	struct sf_zeek z = {0};
	/* the late segment lies below the highest seq seen: Zeek calls it a 'T' */
	FEED(&z, CP, SP, HANDSHAKE, CL(F_PA, X + 6, Y + 1, 5), CL(F_PA, X + 1, Y + 1, 5),
	     SV(F_A, Y + 1, X + 11, 0));
	cr_expect_str_eq(z.history, "ShADTa");
}

Test(zeek, gaps_scale_G_per_hole)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE);
	for (uint32_t i = 0; i < 10; i++)
		FEED(&z, CP, SP, CL(F_PA, X + 1 + 20 * i + 10, Y + 1, 10),
		     SV(F_A, Y + 1, X + 1 + 20 * i + 20, 0));
	cr_expect_str_eq(z.history, "ShADaGG");
}

Test(zeek, gap_in_partial_connection_is_not_recorded)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, CL(F_PA, X, Y, 5), SV(F_A, Y, X + 50, 0));
	cr_expect_str_eq(z.history, "Da");
}

/* ---- reuse, bounds ------------------------------------------------------- */

Test(zeek, syn_with_new_isn_after_rst_starts_a_new_zeek_connection)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, CL(F_S, X, 0, 0), SV(F_RA, 0, X + 1, 0), CL(F_S, X + 9000, 0, 0),
	     SV(F_SA, Y, X + 9001, 0), CL(F_A, X + 9001, Y + 1, 0));
	EXPECT(&z, "ShA", "S1");
	cr_expect_eq(z.reuses, 1);
}

Test(zeek, history_is_bounded)
{
	struct sf_zeek z = {0};
	FEED(&z, CP, SP, HANDSHAKE);
	/* 60 FINs at distinct sequence numbers would each add an 'F' */
	for (uint32_t i = 0; i < 60; i++)
		FEED(&z, CP, SP, CL(F_FA, X + 1 + i, Y + 1, 0));
	cr_expect_eq(strlen(z.history), SF_ZEEK_HISTORY_MAX - 1);
	cr_expect_eq(z.history_len, SF_ZEEK_HISTORY_MAX - 1);
}

Test(zeek, likely_server_ports)
{
	const uint16_t yes[] = {21, 22, 25, 53, 80, 443, 445, 3306, 3389, 5432, 6379, 8080, 20000};
	const uint16_t no[] = {0, 23, 1024, 8081, 40000, 65535};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		cr_expect(sf_zeek_is_likely_server_port(yes[i]), "port %u", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		cr_expect_not(sf_zeek_is_likely_server_port(no[i]), "port %u", no[i]);
}
