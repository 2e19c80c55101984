/*
 * decode_tcp.c - the TCP option list (RFC 9293 §3.1) and the options synfin
 * reports. The base header, and the NOP, NOP, timestamps layout nearly every
 * segment after the handshake carries, are decoded on the per-packet path
 * in decode.c; every other option area comes here.
 */
#include "decode_int.h"

#include <stdint.h>

/*
 * Record one option: v points at its kind byte, and all len bytes of it are
 * captured. A known kind with the wrong length is ignored (its bit stays
 * clear), not trusted. Every value read lies inside the len bytes.
 */
static void record_option(const uint8_t *v, uint8_t kind, size_t len, struct sf_packet *out)
{
	switch (kind) {
	case SF_TCPOPT_MSS:
		if (len == SF_TCPOLEN_MSS) {
			out->opt_mask |= SF_OPT_MSS;
			out->mss = sf_ld_be16(v + 2);
		}
		break;
	case SF_TCPOPT_WSCALE:
		if (len == SF_TCPOLEN_WSCALE) {
			out->opt_mask |= SF_OPT_WSCALE;
			out->wscale = v[2]; /* raw shift count, not capped at 14 */
		}
		break;
	case SF_TCPOPT_SACK_PERM:
		if (len == SF_TCPOLEN_SACK_PERM)
			out->opt_mask |= SF_OPT_SACK_PERM;
		break;
	case SF_TCPOPT_SACK:
		if (len >= SF_TCPOLEN_SACK_MIN && (len - 2) % 8 == 0)
			out->opt_mask |= SF_OPT_SACK;
		break;
	case SF_TCPOPT_TS:
		if (len == SF_TCPOLEN_TS) {
			out->opt_mask |= SF_OPT_TS;
			out->tsval = sf_ld_be32(v + 2);
			out->tsecr = sf_ld_be32(v + 6);
		}
		break;
	case SF_TCPOPT_TFO:
		out->opt_mask |= SF_OPT_TFO; /* any length >= 2: request or cookie */
		break;
	case SF_TCPOPT_EXP:
		if (len >= SF_TCPOLEN_EXP_MIN && sf_ld_be16(v + 2) == SF_TCPOPT_EXID_TFO)
			out->opt_mask |= SF_OPT_TFO;
		break;
	default:
		break;
	}
}

/*
 * RFC 9293 §3.1 option list. area_len is the declared option space
 * (data offset * 4 - 20); the window *o may end sooner when the snaplen cut
 * the header. Walk only captured bytes: the first `captured` bytes of the
 * area, all peeked at once. EOL ends the list; NOP is one byte; every other
 * option is kind, length (>= 2, counting both), value. A length below 2 or
 * running past area_len is malformed: stop, keeping what was found, without
 * failing the segment. An option cut by the snaplen stops the walk as well
 * (the caller has set options_truncated).
 */
void sf_decode_tcp_options(const struct sf_cursor *o, size_t area_len, struct sf_packet *out)
{
	size_t captured = sf_cur_left(o) < area_len ? sf_cur_left(o) : area_len;
	const uint8_t *p = sf_cur_peek(o, captured);
	if (p == NULL)
		return; /* nothing captured */

	size_t off = 0;
	while (off < captured) {
		uint8_t kind = p[off];
		if (kind == SF_TCPOPT_EOL)
			return;
		if (kind == SF_TCPOPT_NOP) {
			off++;
			continue;
		}
		if (area_len - off < 2)
			return; /* no room for a length byte: malformed */
		if (captured - off < 2)
			return; /* length byte not captured */
		size_t len = p[off + 1];
		if (len < 2 || len > area_len - off)
			return; /* malformed */
		if (len > captured - off)
			return; /* value not captured */
		record_option(p + off, kind, len, out);
		off += len;
	}
}
