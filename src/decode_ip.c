/*
 * decode_ip.c - the IPv6 extension-header chain (RFC 8200 §4) down to TCP.
 *
 * The IPv4 header and the fixed IPv6 header are on the per-packet path in
 * decode.c; a datagram whose Next Header is not TCP comes here.
 */
#include "decode_int.h"

#include <stdint.h>

enum {
	/* Next Header values (IANA "Assigned Internet Protocol Numbers"). */
	IP6_NXT_HOPOPTS = 0,    /* RFC 8200 §4.3 */
	IP6_NXT_ROUTING = 43,   /* RFC 8200 §4.4 */
	IP6_NXT_FRAGMENT = 44,  /* RFC 8200 §4.5 */
	IP6_NXT_AH = 51,        /* RFC 4302 §2.2: length in 4-octet units, minus 2 */
	IP6_NXT_DSTOPTS = 60,   /* RFC 8200 §4.6 */
	IP6_NXT_MOBILITY = 135, /* RFC 6275 §6.1 */
	IP6_NXT_HIP = 139,      /* RFC 7401 §5.1 */
	IP6_NXT_SHIM6 = 140,    /* RFC 5533 §5 */
	/* ESP (50), No Next Header (59) and everything else end the walk. */

	IP6_FRAG_HDR_LEN = 8,
	IP6_FRAG_OFF_OFF = 2,   /* offset(13) res(2) M(1) */
	IP6_MAX_EXT_HDRS = 16,  /* bound on the chain walk; real chains hold 1-3 */
};

/*
 * The window was cut to the declared payload, so an extension header that
 * fits the window is both captured and inside the payload length; one that
 * does not is SF_SKIP_IPV6_EXT, whichever of the two it overran.
 *
 * Invariant: *c is at the header named nxt and *payload_len is the declared
 * length from there to the end of the datagram, so sf_cur_left(c) <=
 * *payload_len.
 */
enum sf_skip sf_decode_ipv6_ext(struct sf_cursor *c, uint8_t nxt, size_t *payload_len)
{
	for (unsigned n = 0; nxt != SF_IPPROTO_TCP; n++) {
		size_t ext_len;

		if (n == IP6_MAX_EXT_HDRS)
			return SF_SKIP_IPV6_EXT;
		switch (nxt) {
		case IP6_NXT_HOPOPTS:
		case IP6_NXT_ROUTING:
		case IP6_NXT_DSTOPTS:
		case IP6_NXT_MOBILITY:
		case IP6_NXT_HIP:
		case IP6_NXT_SHIM6:
			/* Hdr Ext Len: 8-octet units, not counting the first 8. */
			if (!sf_cur_has(c, 2))
				return SF_SKIP_IPV6_EXT;
			ext_len = ((size_t)sf_cur_u8_at(c, 1) + 1) * 8;
			break;
		case IP6_NXT_AH:
			/* Payload Len: 4-octet units, minus 2 (RFC 4302 §2.2). */
			if (!sf_cur_has(c, 2))
				return SF_SKIP_IPV6_EXT;
			ext_len = ((size_t)sf_cur_u8_at(c, 1) + 2) * 4;
			break;
		case IP6_NXT_FRAGMENT:
			ext_len = IP6_FRAG_HDR_LEN;
			break;
		default:
			return SF_SKIP_NOT_TCP;
		}
		if (!sf_cur_has(c, ext_len))
			return SF_SKIP_IPV6_EXT;
		/* Only the first fragment (offset 0) holds the TCP header. */
		if (nxt == IP6_NXT_FRAGMENT && (sf_cur_be16_at(c, IP6_FRAG_OFF_OFF) >> 3) != 0)
			return SF_SKIP_IP_FRAGMENT;
		nxt = sf_cur_u8_at(c, 0);
		sf_cur_advance(c, ext_len);
		*payload_len -= ext_len; /* ext_len <= left <= payload_len */
	}
	return SF_SKIP_NONE;
}
