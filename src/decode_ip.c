/*
 * decode_ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200) headers down to TCP.
 *
 * Two lengths per layer: what was captured (the cursor's window) and what
 * the header declares. The window handed to TCP ends at the smaller one, so
 * Ethernet padding after a short datagram is never seen as TCP bytes, and a
 * frame cut by the snaplen is "truncated", not "malformed".
 */
#include "decode_int.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	IPPROTO_TCP_NUM = 6,

	IPV4_MIN_HDR_LEN = 20,
	IPV4_LEN_OFF = 2,
	IPV4_FRAG_OFF = 6,
	IPV4_FRAG_MASK = 0x1FFF, /* fragment offset, in 8-byte units; high 3 bits are flags */
	IPV4_PROTO_OFF = 9,
	IPV4_SRC_OFF = 12,
	IPV4_DST_OFF = 16,

	IPV6_HDR_LEN = 40,
	IPV6_PLEN_OFF = 4,
	IPV6_NXT_OFF = 6,
	IPV6_SRC_OFF = 8,
	IPV6_DST_OFF = 24,

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
 * The declared length is 0: a TSO/GSO super-frame captured on the sending
 * host before segmentation, or an IPv6 jumbogram (RFC 2675). Do as
 * Wireshark does and take the datagram to run to the end of the frame as it
 * was on the wire; for a frame that is not truncated that is exactly the
 * captured bytes after the link header.
 */
static size_t zero_length_fallback(size_t wire_left)
{
	return wire_left;
}

/*
 * RFC 791 §3.1. At entry: *c at the version byte. Checks, in order, each a
 * named reason: version, IHL >= 5, header captured, total length >= header,
 * not a later fragment, protocol is TCP.
 */
static enum sf_skip decode_ipv4(struct sf_cursor *c, size_t wire_left, struct sf_ip_info *info)
{
	if (!sf_cur_has(c, 1))
		return SF_SKIP_IP_TRUNCATED;
	uint8_t vhl = sf_cur_u8_at(c, 0);
	if (vhl >> 4 != 4)
		return SF_SKIP_IP_MALFORMED;
	size_t hdr_len = (size_t)(vhl & 0x0F) * 4;
	if (hdr_len < IPV4_MIN_HDR_LEN)
		return SF_SKIP_IP_MALFORMED;
	if (!sf_cur_has(c, hdr_len))
		return SF_SKIP_IP_TRUNCATED;

	size_t total_len = sf_cur_be16_at(c, IPV4_LEN_OFF);
	if (total_len == 0)
		total_len = zero_length_fallback(wire_left);
	/*
	 * A header claiming more than the frame carried on the wire lies (a
	 * snaplen cut shortens only the capture, never the wire length): the
	 * datagram ends with the frame, as tcpdump's "truncated-ip" reading.
	 */
	if (total_len > wire_left)
		total_len = wire_left;
	if (total_len < hdr_len)
		return SF_SKIP_IP_MALFORMED;
	/* A first fragment (offset 0, MF set) still starts with the TCP header. */
	if ((sf_cur_be16_at(c, IPV4_FRAG_OFF) & IPV4_FRAG_MASK) != 0)
		return SF_SKIP_IP_FRAGMENT;
	if (sf_cur_u8_at(c, IPV4_PROTO_OFF) != IPPROTO_TCP_NUM)
		return SF_SKIP_NOT_TCP;

	uint8_t a[4];
	sf_cur_copy_at(c, IPV4_SRC_OFF, a, sizeof(a));
	sf_addr_set_v4(&info->src, a);
	sf_cur_copy_at(c, IPV4_DST_OFF, a, sizeof(a));
	sf_addr_set_v4(&info->dst, a);

	/* Options (RFC 791 §3.1) carry nothing synfin needs: skip them. */
	sf_cur_advance(c, hdr_len);
	info->l4_len = total_len - hdr_len;
	sf_cur_limit(c, info->l4_len);
	return SF_SKIP_NONE;
}

/*
 * RFC 8200 §3-4. At entry: *c at the version byte. After the fixed header
 * the window is cut to the declared payload, so an extension header that
 * fits the window is both captured and inside the payload length; one that
 * does not is SF_SKIP_IPV6_EXT, whichever of the two it overran.
 */
static enum sf_skip decode_ipv6(struct sf_cursor *c, size_t wire_left, struct sf_ip_info *info)
{
	if (!sf_cur_has(c, 1))
		return SF_SKIP_IP_TRUNCATED;
	if (sf_cur_u8_at(c, 0) >> 4 != 6)
		return SF_SKIP_IP_MALFORMED;
	if (!sf_cur_has(c, IPV6_HDR_LEN))
		return SF_SKIP_IP_TRUNCATED;

	/* wire_left >= captured >= IPV6_HDR_LEN here, so this cannot wrap. */
	size_t payload_len = sf_cur_be16_at(c, IPV6_PLEN_OFF);
	if (payload_len == 0)
		payload_len = zero_length_fallback(wire_left) - IPV6_HDR_LEN;
	/* as for IPv4: never longer than the frame on the wire */
	if (payload_len > wire_left - IPV6_HDR_LEN)
		payload_len = wire_left - IPV6_HDR_LEN;
	uint8_t nxt = sf_cur_u8_at(c, IPV6_NXT_OFF);

	uint8_t a[16];
	sf_cur_copy_at(c, IPV6_SRC_OFF, a, sizeof(a));
	sf_addr_set_v6(&info->src, a);
	sf_cur_copy_at(c, IPV6_DST_OFF, a, sizeof(a));
	sf_addr_set_v6(&info->dst, a);

	sf_cur_advance(c, IPV6_HDR_LEN);
	sf_cur_limit(c, payload_len);

	/*
	 * Walk the extension chain. Invariant: *c is at the header named by
	 * nxt and payload_len is the declared length from there to the end of
	 * the datagram, so sf_cur_left(c) <= payload_len.
	 */
	for (unsigned n = 0; nxt != IPPROTO_TCP_NUM; n++) {
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
		payload_len -= ext_len; /* ext_len <= left <= payload_len */
	}
	info->l4_len = payload_len;
	return SF_SKIP_NONE;
}

enum sf_skip sf_decode_ip(struct sf_cursor *c, enum sf_net net, size_t wire_left,
			  struct sf_ip_info *info)
{
	/* The fallback relies on it; decode.c guarantees it. */
	if (wire_left < sf_cur_left(c))
		wire_left = sf_cur_left(c);

	switch (net) {
	case SF_NET_IPV4:
		return decode_ipv4(c, wire_left, info);
	case SF_NET_IPV6:
		return decode_ipv6(c, wire_left, info);
	case SF_NET_IP:
		if (!sf_cur_has(c, 1))
			return SF_SKIP_IP_TRUNCATED;
		switch (sf_cur_u8_at(c, 0) >> 4) {
		case 4:
			return decode_ipv4(c, wire_left, info);
		case 6:
			return decode_ipv6(c, wire_left, info);
		default:
			return SF_SKIP_NOT_IP;
		}
	}
	return SF_SKIP_NOT_IP; /* unreachable: every enum sf_net is handled above */
}
