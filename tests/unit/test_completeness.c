/* test_completeness.c - Wireshark tcp.completeness emulation (src/completeness.c). */
#include <criterion/criterion.h>
#include <stddef.h>

#include "synfin/completeness.h"
#include "synfin/packet.h"

#define F_S SF_TH_SYN
#define F_SA (SF_TH_SYN | SF_TH_ACK)
#define F_A SF_TH_ACK
#define F_PA (SF_TH_PSH | SF_TH_ACK)
#define F_FA (SF_TH_FIN | SF_TH_ACK)
#define F_R SF_TH_RST
#define F_RA (SF_TH_RST | SF_TH_ACK)

struct seg {
	bool from0;
	uint8_t flags;
	uint32_t len, seq, ack;
};

#define X 1000u
#define Y 5000u

static struct sf_completeness run(const struct seg *s, size_t n)
{
	struct sf_completeness c = {0};
	for (size_t i = 0; i < n; i++)
		sf_completeness_segment_seq(&c, s[i].from0, s[i].flags, s[i].len, s[i].seq, s[i].ack);
	return c;
}

/* Also feed the plain (no sequence numbers) entry point and check it agrees. */
#define RUN(out, ...)                                                                             \
	do {                                                                                      \
		const struct seg segs_[] = {__VA_ARGS__};                                         \
		size_t n_ = sizeof segs_ / sizeof segs_[0];                                       \
		(out) = run(segs_, n_);                                                           \
		struct sf_completeness plain_ = {0};                                              \
		for (size_t i_ = 0; i_ < n_; i_++)                                                \
			sf_completeness_segment(&plain_, segs_[i_].flags, segs_[i_].len);         \
		if ((out).new_streams == 0)                                                       \
			cr_expect_eq(plain_.mask, (out).mask);                                    \
	} while (0)

#define CL(fl, ln, sq, ak) {true, (fl), (ln), (sq), (ak)}
#define SV(fl, ln, sq, ak) {false, (fl), (ln), (sq), (ak)}
#define HANDSHAKE CL(F_S, 0, X, 0), SV(F_SA, 0, Y, X + 1), CL(F_A, 0, X + 1, Y + 1)

/* Expected values below were checked against tshark 4.0.17 (-2, last packet of the stream). */

Test(completeness, full_connection_with_data_and_fins_is_31)
{
	struct sf_completeness c;
	RUN(c, HANDSHAKE, CL(F_PA, 5, X + 1, Y + 1), SV(F_A, 0, Y + 1, X + 6),
	    SV(F_PA, 5, Y + 1, X + 6), CL(F_A, 0, X + 6, Y + 6), CL(F_FA, 0, X + 6, Y + 6),
	    SV(F_FA, 0, Y + 6, X + 7), CL(F_A, 0, X + 7, Y + 7));
	cr_expect_eq(c.mask, 31);
	cr_expect_eq(c.first_pass, 31);
}

Test(completeness, syn_only_sets_bit_1)
{
	struct sf_completeness c;
	RUN(c, CL(F_S, 0, X, 0), CL(F_S, 0, X, 0));
	cr_expect_eq(c.mask, SF_COMPL_SYN);
}

Test(completeness, syn_synack_sets_bits_1_and_2)
{
	struct sf_completeness c;
	RUN(c, CL(F_S, 0, X, 0), SV(F_SA, 0, Y, X + 1));
	cr_expect_eq(c.mask, SF_COMPL_SYN | SF_COMPL_SYNACK);
}

Test(completeness, handshake_sets_bits_1_2_4)
{
	struct sf_completeness c;
	RUN(c, HANDSHAKE);
	cr_expect_eq(c.mask, 7);
}

Test(completeness, syn_answered_by_rst_ack_is_37)
{
	struct sf_completeness c;
	/* RST+ACK without payload counts as an ACK (4) as well as a RST (32) */
	RUN(c, CL(F_S, 0, X, 0), SV(F_RA, 0, 0, X + 1));
	cr_expect_eq(c.mask, SF_COMPL_SYN | SF_COMPL_ACK | SF_COMPL_RST);
}

Test(completeness, bare_rst_sets_only_bit_32)
{
	struct sf_completeness c;
	RUN(c, HANDSHAKE, CL(F_R, 0, X + 1, 0));
	cr_expect_eq(c.mask, 7 | SF_COMPL_RST);
}

Test(completeness, fin_needs_ack_to_count)
{
	struct sf_completeness a, b;
	RUN(a, HANDSHAKE, CL(SF_TH_FIN, 0, X + 1, 0));
	cr_expect_eq(a.mask, 7);
	RUN(b, HANDSHAKE, CL(F_FA, 0, X + 1, Y + 1));
	cr_expect_eq(b.mask, 7 | SF_COMPL_FIN);
}

Test(completeness, fin_ack_with_payload_is_data_not_ack)
{
	struct sf_completeness c;
	RUN(c, CL(F_S, 0, X, 0), SV(F_SA, 0, Y, X + 1),
	    CL(SF_TH_FIN | SF_TH_PSH | SF_TH_ACK, 5, X + 1, Y + 1));
	cr_expect_eq(c.mask, SF_COMPL_SYN | SF_COMPL_SYNACK | SF_COMPL_DATA | SF_COMPL_FIN);
}

Test(completeness, synack_payload_is_not_data)
{
	struct sf_completeness c;
	RUN(c, CL(F_S, 0, X, 0), SV(F_SA, 5, Y, X + 1), CL(F_A, 0, X + 1, Y + 6));
	cr_expect_eq(c.mask, 7);
}

Test(completeness, tcp_fast_open_syn_payload_sets_data)
{
	struct sf_completeness c;
	RUN(c, CL(F_S, 5, X, 0), SV(F_SA, 0, Y, X + 6), CL(F_A, 0, X + 6, Y + 1));
	cr_expect_eq(c.mask, 15);
}

Test(completeness, syn_fin_is_a_pure_syn)
{
	struct sf_completeness c;
	RUN(c, CL(SF_TH_SYN | SF_TH_FIN, 0, X, 0), SV(F_RA, 0, 0, X + 1));
	cr_expect_eq(c.mask, 37);
}

Test(completeness, simultaneous_open_is_7)
{
	struct sf_completeness c;
	RUN(c, CL(F_S, 0, X, 0), SV(F_S, 0, Y, 0), CL(F_SA, 0, X, Y + 1), SV(F_SA, 0, Y, X + 1),
	    CL(F_A, 0, X + 1, Y + 1));
	cr_expect_eq(c.mask, 7);
	cr_expect_eq(c.new_streams, 0);
}

/* ---- the first packet of a conversation ------------------------------- */

Test(completeness, single_synack_is_0)
{
	struct sf_completeness c;
	RUN(c, SV(F_SA, 0, Y, X + 1));
	cr_expect_eq(c.mask, 0);
}

Test(completeness, single_fin_ack_is_0)
{
	struct sf_completeness c;
	RUN(c, CL(F_FA, 0, X, Y));
	cr_expect_eq(c.mask, 0);
}

Test(completeness, midstream_data_counts_first_packet_on_second_pass)
{
	struct sf_completeness c;
	RUN(c, CL(F_PA, 5, X, Y), SV(F_A, 0, Y, X + 5), SV(F_PA, 5, Y, X + 5));
	cr_expect_eq(c.mask, SF_COMPL_ACK | SF_COMPL_DATA);
	cr_expect_eq(c.first_pass, SF_COMPL_ACK | SF_COMPL_DATA);
}

Test(completeness, synack_first_is_added_by_second_pass)
{
	struct sf_completeness c;
	RUN(c, SV(F_SA, 0, Y, X + 1), CL(F_A, 0, X + 1, Y + 1), CL(F_PA, 5, X + 1, Y + 1));
	cr_expect_eq(c.first_pass, SF_COMPL_ACK | SF_COMPL_DATA);
	cr_expect_eq(c.mask, SF_COMPL_SYNACK | SF_COMPL_ACK | SF_COMPL_DATA);
}

Test(completeness, rst_first_is_added_by_second_pass)
{
	struct sf_completeness c;
	RUN(c, SV(F_R, 0, Y, 0), CL(F_S, 0, X, 0), SV(F_SA, 0, Y, X + 1));
	cr_expect_eq(c.first_pass, SF_COMPL_SYNACK);
	cr_expect_eq(c.mask, SF_COMPL_SYNACK | SF_COMPL_RST);
}

Test(completeness, midstream_ack_then_fin_ack_is_20)
{
	struct sf_completeness c;
	RUN(c, CL(F_A, 0, X, Y), SV(F_FA, 0, Y, X));
	cr_expect_eq(c.mask, SF_COMPL_ACK | SF_COMPL_FIN);
}

/* ---- port reuse: a new tcp.stream ------------------------------------------ */

Test(completeness, syn_with_new_isn_after_close_starts_new_stream)
{
	struct sf_completeness c;
	RUN(c, HANDSHAKE, CL(F_FA, 0, X + 1, Y + 1), SV(F_FA, 0, Y + 1, X + 2),
	    CL(F_A, 0, X + 2, Y + 2), CL(F_S, 0, X + 90000, 0), SV(F_SA, 0, Y + 90000, X + 90001),
	    CL(F_A, 0, X + 90001, Y + 90001), CL(F_RA, 0, X + 90001, Y + 90001));
	cr_expect_eq(c.new_streams, 1);
	cr_expect_eq(c.mask, 7 | SF_COMPL_RST);
}

Test(completeness, syn_retransmitted_with_new_isn_starts_new_stream)
{
	struct sf_completeness c;
	RUN(c, CL(F_S, 0, X, 0), CL(F_S, 0, X + 777, 0), SV(F_SA, 0, Y, X + 778),
	    CL(F_A, 0, X + 778, Y + 1));
	cr_expect_eq(c.new_streams, 1);
	cr_expect_eq(c.mask, 7);
}

Test(completeness, syn_with_same_isn_after_rst_stays_in_stream)
{
	struct sf_completeness c;
	RUN(c, CL(F_S, 0, X, 0), SV(F_RA, 0, 0, X + 1), CL(F_S, 0, X, 0), SV(F_RA, 0, 0, X + 1));
	cr_expect_eq(c.new_streams, 0);
	cr_expect_eq(c.mask, 37);
}

Test(completeness, syn_after_midstream_data_uses_seq_minus_one_base)
{
	struct sf_completeness a, b;
	/* base_seq of a non-SYN first segment is seq - 1 */
	RUN(a, CL(F_PA, 5, X + 1, Y + 1), CL(F_S, 0, X + 50, 0));
	cr_expect_eq(a.new_streams, 1);
	cr_expect_eq(a.mask, SF_COMPL_SYN);
	RUN(b, CL(F_PA, 5, X + 1, Y + 1), CL(F_S, 0, X, 0));
	cr_expect_eq(b.new_streams, 0);
}

Test(completeness, synack_with_new_isn_does_not_start_new_stream)
{
	struct sf_completeness c;
	RUN(c, CL(F_S, 0, X, 0), SV(F_SA, 0, Y, X + 1), SV(F_SA, 0, Y + 5, X + 1),
	    CL(F_A, 0, X + 1, Y + 6));
	cr_expect_eq(c.new_streams, 0);
	cr_expect_eq(c.mask, 7);
}

Test(completeness, each_bit_alone)
{
	struct sf_completeness c = {0};
	sf_completeness_segment(&c, F_S, 0);
	cr_expect_eq(c.mask, 1);
	sf_completeness_segment(&c, F_SA, 0);
	cr_expect_eq(c.mask, 3);
	sf_completeness_segment(&c, F_A, 0);
	cr_expect_eq(c.mask, 7);
	sf_completeness_segment(&c, F_PA, 1);
	cr_expect_eq(c.mask, 15);
	sf_completeness_segment(&c, SF_TH_FIN | SF_TH_ACK, 0);
	cr_expect_eq(c.mask, 31);
	sf_completeness_segment(&c, SF_TH_RST, 0);
	cr_expect_eq(c.mask, 63);
	cr_expect_eq(c.packets, 6);
}

/*
 * Once a stream is steady (both base seqs known), a segment without SYN
 * takes a short path: for every flag byte and with and without payload,
 * it must leave what the general path leaves.
 */
Test(completeness, short_path_matches_the_general_one_for_every_flag_byte)
{
	int shorts = 0;
	for (unsigned f = 0; f < 256; f++) {
		for (uint32_t len = 0; len < 2; len++) {
			struct sf_completeness c;
			RUN(c, {true, F_S, 0, X, 0}, {false, F_SA, 0, Y, X + 1});
			cr_assert(c.steady, "both base seqs are known after a SYN and its SYN-ACK");
			struct sf_completeness general = c;
			general.steady = false;
			sf_completeness_segment_seq(&c, true, (uint8_t)f, len, X + 1, Y + 1);
			sf_completeness_segment_seq(&general, true, (uint8_t)f, len, X + 1, Y + 1);
			cr_assert_eq(c.mask, general.mask, "flags 0x%02x len %u: mask %u, general %u", f, len,
				     c.mask, general.mask);
			cr_assert_eq(c.first_pass, general.first_pass, "flags 0x%02x len %u", f, len);
			cr_assert_eq(c.packets, general.packets, "flags 0x%02x len %u", f, len);
			cr_assert_eq(c.new_streams, general.new_streams, "flags 0x%02x len %u", f, len);
			cr_assert_eq(c.steady, general.steady, "flags 0x%02x len %u", f, len);
			shorts += !(f & SF_TH_SYN);
		}
	}
	cr_assert_eq(shorts, 256, "half the flag bytes have no SYN, each with and without payload");
}
