/*
 * decode_tcp.c - the TCP header (RFC 9293 §3.1) and the options synfin reports.
 */
#include "decode_int.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	TCP_MIN_HDR_LEN = 20,
	TCP_SPORT_OFF = 0,
	TCP_DPORT_OFF = 2,
	TCP_SEQ_OFF = 4,
	TCP_ACK_OFF = 8,
	TCP_DOFF_OFF = 12,  /* data offset in the high nibble, in 32-bit words */
	TCP_FLAGS_OFF = 13, /* CWR ECE URG ACK PSH RST SYN FIN */
	TCP_WIN_OFF = 14,

	/* Option kinds (IANA "TCP Option Kind Numbers") and their lengths. */
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,          /* RFC 9293 §3.2 */
	TCPOLEN_MSS = 4,
	TCPOPT_WSCALE = 3,       /* RFC 7323 §2.2 */
	TCPOLEN_WSCALE = 3,
	TCPOPT_SACK_PERM = 4,    /* RFC 2018 §2 */
	TCPOLEN_SACK_PERM = 2,
	TCPOPT_SACK = 5,         /* RFC 2018 §3: 2 + 8n */
	TCPOLEN_SACK_MIN = 10,
	TCPOPT_TS = 8,           /* RFC 7323 §3.2 */
	TCPOLEN_TS = 10,
	TCPOPT_TFO = 34,         /* RFC 7413 §4.1.1: 2 (cookie request) or 2 + cookie */
	TCPOPT_EXP = 254,        /* RFC 6994 shared experimental option, 16-bit ExID */
	TCPOLEN_EXP_MIN = 4,
	TCPOPT_EXID_TFO = 0xF989, /* pre-RFC 7413 Fast Open (RFC 7413 §4.1.1) */
};

/*
 * Record one option whose kind and length bytes, and all of whose len bytes,
 * are in the window at off. A known kind with the wrong length is ignored
 * (its bit stays clear), not trusted.
 */
static void record_option(const struct sf_cursor *o, size_t off, uint8_t kind, size_t len,
			  struct sf_packet *out)
{
	switch (kind) {
	case TCPOPT_MSS:
		if (len == TCPOLEN_MSS) {
			out->opt_mask |= SF_OPT_MSS;
			out->mss = sf_cur_be16_at(o, off + 2);
		}
		break;
	case TCPOPT_WSCALE:
		if (len == TCPOLEN_WSCALE) {
			out->opt_mask |= SF_OPT_WSCALE;
			out->wscale = sf_cur_u8_at(o, off + 2); /* raw shift count, not capped at 14 */
		}
		break;
	case TCPOPT_SACK_PERM:
		if (len == TCPOLEN_SACK_PERM)
			out->opt_mask |= SF_OPT_SACK_PERM;
		break;
	case TCPOPT_SACK:
		if (len >= TCPOLEN_SACK_MIN && (len - 2) % 8 == 0)
			out->opt_mask |= SF_OPT_SACK;
		break;
	case TCPOPT_TS:
		if (len == TCPOLEN_TS) {
			out->opt_mask |= SF_OPT_TS;
			out->tsval = sf_cur_be32_at(o, off + 2);
			out->tsecr = sf_cur_be32_at(o, off + 6);
		}
		break;
	case TCPOPT_TFO:
		out->opt_mask |= SF_OPT_TFO; /* any length >= 2: request or cookie */
		break;
	case TCPOPT_EXP:
		if (len >= TCPOLEN_EXP_MIN && sf_cur_be16_at(o, off + 2) == TCPOPT_EXID_TFO)
			out->opt_mask |= SF_OPT_TFO;
		break;
	default:
		break;
	}
}

/*
 * RFC 9293 §3.1 option list. area_len is the declared option space
 * (data offset * 4 - 20); the window *o may end sooner when the snaplen cut
 * the header. Walk only captured bytes. EOL ends the list; NOP is one byte;
 * every other option is kind, length (>= 2, counting both), value. A length
 * below 2 or running past area_len is malformed: stop, keeping what was
 * found, without failing the segment. An option cut by the snaplen stops the
 * walk as well (the caller has set options_truncated).
 */
static void parse_options(const struct sf_cursor *o, size_t area_len, struct sf_packet *out)
{
	size_t off = 0;

	while (off < area_len && sf_cur_has_at(o, off, 1)) {
		uint8_t kind = sf_cur_u8_at(o, off);
		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			off++;
			continue;
		}
		if (area_len - off < 2)
			return; /* no room for a length byte: malformed */
		if (!sf_cur_has_at(o, off, 2))
			return; /* length byte not captured */
		size_t len = sf_cur_u8_at(o, off + 1);
		if (len < 2 || len > area_len - off)
			return; /* malformed */
		if (!sf_cur_has_at(o, off, len))
			return; /* value not captured */
		record_option(o, off, kind, len, out);
		off += len;
	}
}

/*
 * At entry: *c at the TCP header, window = min(captured, ip->l4_len).
 * Checks, in order: the declared segment can hold a base header, 20 bytes
 * captured, data offset >= 5, header inside the declared segment. The
 * payload length comes from the IP length fields only: a short snaplen
 * does not shrink it and Ethernet padding does not grow it.
 */
enum sf_skip sf_decode_tcp(const struct sf_cursor *c, const struct sf_ip_info *ip,
			   struct sf_packet *out)
{
	if (ip->l4_len < TCP_MIN_HDR_LEN)
		return SF_SKIP_TCP_MALFORMED; /* IP says the segment is shorter than any TCP header */
	if (!sf_cur_has(c, TCP_MIN_HDR_LEN))
		return SF_SKIP_TCP_TRUNCATED;
	size_t hdr_len = (size_t)(sf_cur_u8_at(c, TCP_DOFF_OFF) >> 4) * 4;
	if (hdr_len < TCP_MIN_HDR_LEN)
		return SF_SKIP_TCP_MALFORMED;
	if (hdr_len > ip->l4_len)
		return SF_SKIP_TCP_MALFORMED;

	/*
	 * Valid from here on: now write every decoder-owned field of *out
	 * (all of struct sf_packet but frame and ts).
	 */
	out->src = ip->src;
	out->dst = ip->dst;
	out->sport = sf_cur_be16_at(c, TCP_SPORT_OFF);
	out->dport = sf_cur_be16_at(c, TCP_DPORT_OFF);
	out->seq = sf_cur_be32_at(c, TCP_SEQ_OFF);
	out->ack = sf_cur_be32_at(c, TCP_ACK_OFF);
	out->flags = sf_cur_u8_at(c, TCP_FLAGS_OFF);
	out->window = sf_cur_be16_at(c, TCP_WIN_OFF);
	size_t payload_len = ip->l4_len - hdr_len;
	out->payload_len = (uint64_t)payload_len > UINT32_MAX ? UINT32_MAX : (uint32_t)payload_len;

	out->opt_mask = 0;
	out->mss = 0;
	out->wscale = 0;
	out->tsval = 0;
	out->tsecr = 0;
	out->options_truncated = !sf_cur_has(c, hdr_len);

	struct sf_cursor o = *c;
	sf_cur_advance(&o, TCP_MIN_HDR_LEN);
	sf_cur_limit(&o, hdr_len - TCP_MIN_HDR_LEN);
	parse_options(&o, hdr_len - TCP_MIN_HDR_LEN, out);
	return SF_SKIP_NONE;
}
