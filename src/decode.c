/*
 * decode.c - frame -> struct sf_packet: the entry point, the link-type table,
 * the skip-reason names, and the headers every frame goes through.
 *
 * The per-packet path is kept in this one translation unit, so that it
 * compiles to a single function with its cursor in registers: Ethernet
 * (with VLAN tags), the IPv4 header, the fixed IPv6 header and the TCP base
 * header, each a static inline function below, in pipeline order (inline:
 * they belong in sf_decode_frame(), and some are used twice). The rest is
 * out of line (decode_int.h): the other link types in decode_link.c, the
 * IPv6 extension chain in decode_ip.c, the TCP option list in decode_tcp.c.
 *
 * Bounds: each stage first makes sure the fixed part of its header is
 * captured - with sf_cur_has(), so that a short capture maps to its named
 * skip reason - and then reads that part's fields through the pointer
 * sf_cur_peek() returned, without a check per field (cursor.h).
 */
#include "synfin/decode.h"

#include <pcap/dlt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode_int.h"

/* Values from libpcap's dlt.h, for headers that predate them. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
/*
 * LINKTYPE_RAW: the value pcap files use for raw IP. libpcap translates it
 * to DLT_RAW (12, or 14 on OpenBSD), but accept it as given too.
 */
#define SF_LINKTYPE_RAW 101

/* IEEE 802 EtherTypes and the Ethernet / VLAN tag layout. */
enum {
	ETYPE_IPV4 = 0x0800,
	ETYPE_IPV6 = 0x86DD,
	ETYPE_VLAN = 0x8100,     /* IEEE 802.1Q C-tag */
	ETYPE_QINQ = 0x88A8,     /* IEEE 802.1ad S-tag */
	ETYPE_QINQ_OLD = 0x9100, /* pre-802.1ad vendor S-tag */

	ETH_HDR_LEN = 14, /* dst(6) src(6) type(2) */
	ETH_TYPE_OFF = 12,
	VLAN_TAG_LEN = 4, /* TCI(2) inner type(2) */
	VLAN_TYPE_OFF = 2,
	SF_MAX_VLAN_TAGS = 8, /* real stacks hold 1-2 (QinQ); more is junk */
};

/* IPv4 (RFC 791 §3.1) and fixed IPv6 (RFC 8200 §3) header layout. */
enum {
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
};

/* TCP base header (RFC 9293 §3.1). */
enum {
	TCP_MIN_HDR_LEN = 20,
	TCP_SPORT_OFF = 0,
	TCP_DPORT_OFF = 2,
	TCP_SEQ_OFF = 4,
	TCP_ACK_OFF = 8,
	TCP_DOFF_OFF = 12,  /* data offset in the high nibble, in 32-bit words */
	TCP_FLAGS_OFF = 13, /* CWR ECE URG ACK PSH RST SYN FIN */
	TCP_WIN_OFF = 14,
};

/* ---- link: Ethernet and VLAN tags --------------------------------------- */

static bool is_vlan_tpid(uint16_t type)
{
	return type == ETYPE_VLAN || type == ETYPE_QINQ || type == ETYPE_QINQ_OLD;
}

/* Does this EtherType carry IP? Sets *net if so. */
static inline bool ethertype_is_ip(uint16_t type, enum sf_net *net)
{
	switch (type) {
	case ETYPE_IPV4:
		*net = SF_NET_IPV4;
		return true;
	case ETYPE_IPV6:
		*net = SF_NET_IPV6;
		return true;
	default:
		return false;
	}
}

/*
 * *c is just past an EtherType field whose value is type. Skip any stack of
 * VLAN tags (each names the type of what follows it), then map the final
 * EtherType. The loop is bounded by SF_MAX_VLAN_TAGS; a deeper stack is not
 * treated as IP. A value <= 1500 is an 802.3 length (LLC follows): not IP.
 */
enum sf_skip sf_decode_ethertype(struct sf_cursor *c, uint16_t type, enum sf_net *net)
{
	for (unsigned tags = 0; is_vlan_tpid(type); tags++) {
		if (tags == SF_MAX_VLAN_TAGS)
			return SF_SKIP_NOT_IP;
		if (!sf_cur_has(c, VLAN_TAG_LEN))
			return SF_SKIP_LINK_TRUNCATED;
		type = sf_cur_be16_at(c, VLAN_TYPE_OFF);
		sf_cur_advance(c, VLAN_TAG_LEN);
	}
	return ethertype_is_ip(type, net) ? SF_SKIP_NONE : SF_SKIP_NOT_IP;
}

/* DLT_EN10MB: Ethernet II (no FCS, as libpcap delivers it). */
static inline enum sf_skip decode_link_ether(struct sf_cursor *c, enum sf_net *net)
{
	const uint8_t *h = sf_cur_peek(c, ETH_HDR_LEN);
	if (h == NULL)
		return SF_SKIP_LINK_TRUNCATED;
	uint16_t type = sf_ld_be16(h + ETH_TYPE_OFF);
	sf_cur_advance(c, ETH_HDR_LEN);
	if (ethertype_is_ip(type, net))
		return SF_SKIP_NONE; /* untagged: no VLAN walk */
	return sf_decode_ethertype(c, type, net);
}

/*
 * Link type -> decoder. A list, not an array indexed by DLT: DLT_RAW and
 * DLT_LOOP have platform-dependent values that may collide with each other
 * or with SF_LINKTYPE_RAW. The first match wins.
 */
struct link_decoder {
	int dlt;
	enum sf_skip (*decode)(struct sf_cursor *c, enum sf_net *net);
};

static const struct link_decoder link_decoders[] = {
	{DLT_EN10MB, decode_link_ether},
	{DLT_LINUX_SLL, sf_decode_link_sll},
	{DLT_LINUX_SLL2, sf_decode_link_sll2},
	{DLT_RAW, sf_decode_link_raw},
	{SF_LINKTYPE_RAW, sf_decode_link_raw},
	{DLT_IPV4, sf_decode_link_ipv4},
	{DLT_IPV6, sf_decode_link_ipv6},
	{DLT_NULL, sf_decode_link_null},
	{DLT_LOOP, sf_decode_link_loop},
};

static const struct link_decoder *find_link_decoder(int dlt)
{
	for (size_t i = 0; i < sizeof(link_decoders) / sizeof(link_decoders[0]); i++)
		if (link_decoders[i].dlt == dlt)
			return &link_decoders[i];
	return NULL;
}

bool sf_decode_linktype_supported(int dlt)
{
	return find_link_decoder(dlt) != NULL;
}

/* ---- IP ---------------------------------------------------------------- */

/*
 * What the IP layer hands to TCP. The addresses are not copied yet: src and
 * dst point at their bytes (4 for family 4, 16 for family 6) inside the IP
 * header, which is captured; TCP builds the struct sf_addr values only once
 * the segment is known to be valid.
 */
struct ip_info {
	const uint8_t *src, *dst;
	uint8_t family; /* 4 or 6 */
	size_t l4_len;  /* declared length of the TCP segment, header + payload */
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
 * not a later fragment, protocol is TCP. The fields read all lie below
 * offset 20 <= IHL * 4, inside the peeked header.
 */
static inline enum sf_skip decode_ipv4(struct sf_cursor *c, size_t wire_left,
				       struct ip_info *info)
{
	if (!sf_cur_has(c, 1))
		return SF_SKIP_IP_TRUNCATED;
	uint8_t vhl = sf_cur_u8_at(c, 0);
	if (vhl >> 4 != 4)
		return SF_SKIP_IP_MALFORMED;
	size_t hdr_len = (size_t)(vhl & 0x0F) * 4;
	if (hdr_len < IPV4_MIN_HDR_LEN)
		return SF_SKIP_IP_MALFORMED;
	const uint8_t *h = sf_cur_peek(c, hdr_len);
	if (h == NULL)
		return SF_SKIP_IP_TRUNCATED;

	size_t total_len = sf_ld_be16(h + IPV4_LEN_OFF);
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
	if ((sf_ld_be16(h + IPV4_FRAG_OFF) & IPV4_FRAG_MASK) != 0)
		return SF_SKIP_IP_FRAGMENT;
	if (h[IPV4_PROTO_OFF] != SF_IPPROTO_TCP)
		return SF_SKIP_NOT_TCP;

	info->family = 4;
	info->src = h + IPV4_SRC_OFF;
	info->dst = h + IPV4_DST_OFF;

	/* Options (RFC 791 §3.1) carry nothing synfin needs: skip them. */
	sf_cur_advance(c, hdr_len);
	info->l4_len = total_len - hdr_len;
	sf_cur_limit(c, info->l4_len);
	return SF_SKIP_NONE;
}

/*
 * RFC 8200 §3. At entry: *c at the version byte. After the fixed header the
 * window is cut to the declared payload; an extension chain is walked by
 * sf_decode_ipv6_ext() (decode_ip.c).
 */
static inline enum sf_skip decode_ipv6(struct sf_cursor *c, size_t wire_left,
				       struct ip_info *info)
{
	if (!sf_cur_has(c, 1))
		return SF_SKIP_IP_TRUNCATED;
	if (sf_cur_u8_at(c, 0) >> 4 != 6)
		return SF_SKIP_IP_MALFORMED;
	const uint8_t *h = sf_cur_peek(c, IPV6_HDR_LEN);
	if (h == NULL)
		return SF_SKIP_IP_TRUNCATED;

	/* wire_left >= captured >= IPV6_HDR_LEN here, so this cannot wrap. */
	size_t payload_len = sf_ld_be16(h + IPV6_PLEN_OFF);
	if (payload_len == 0)
		payload_len = zero_length_fallback(wire_left) - IPV6_HDR_LEN;
	/* as for IPv4: never longer than the frame on the wire */
	if (payload_len > wire_left - IPV6_HDR_LEN)
		payload_len = wire_left - IPV6_HDR_LEN;
	uint8_t nxt = h[IPV6_NXT_OFF];

	info->family = 6;
	info->src = h + IPV6_SRC_OFF;
	info->dst = h + IPV6_DST_OFF;

	sf_cur_advance(c, IPV6_HDR_LEN);
	sf_cur_limit(c, payload_len);
	if (nxt != SF_IPPROTO_TCP) {
		enum sf_skip r = sf_decode_ipv6_ext(c, nxt, &payload_len);
		if (r != SF_SKIP_NONE)
			return r;
	}
	info->l4_len = payload_len;
	return SF_SKIP_NONE;
}

/*
 * *c is at the IP header; wire_left is how many bytes followed the link
 * header on the wire, used only when the IP length field is 0 (TSO/GSO
 * captures on the sending host, IPv6 jumbograms); the fallback relies on
 * wire_left >= sf_cur_left(c), which sf_decode_frame() guarantees. On success
 * *c is at the TCP header, its window ends at min(captured, info->l4_len),
 * and *info is filled.
 *
 * Two lengths per layer: what was captured (the cursor's window) and what
 * the header declares. The window handed to TCP ends at the smaller one, so
 * Ethernet padding after a short datagram is never seen as TCP bytes, and a
 * frame cut by the snaplen is "truncated", not "malformed".
 */
static inline enum sf_skip decode_ip(struct sf_cursor *c, enum sf_net net, size_t wire_left,
				     struct ip_info *info)
{
	switch (net) {
	case SF_NET_IPV4:
	case SF_NET_IPV6:
		break;
	case SF_NET_IP:
		if (!sf_cur_has(c, 1))
			return SF_SKIP_IP_TRUNCATED;
		switch (sf_cur_u8_at(c, 0) >> 4) {
		case 4:
			net = SF_NET_IPV4;
			break;
		case 6:
			net = SF_NET_IPV6;
			break;
		default:
			return SF_SKIP_NOT_IP;
		}
		break;
	}
	return net == SF_NET_IPV4 ? decode_ipv4(c, wire_left, info) : decode_ipv6(c, wire_left, info);
}

/* ---- TCP --------------------------------------------------------------- */

/* As sf_addr_set_v4/v6(): the whole struct is compared and hashed, so zero it. */
static inline void set_addr(struct sf_addr *a, uint8_t family, const uint8_t *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (family == 4)
		memcpy(a->b, bytes, 4);
	else
		memcpy(a->b, bytes, 16);
}

/*
 * The option area nearly every segment after the handshake carries when
 * timestamps are on (RFC 7323 Appendix A): NOP, NOP, TS, 12 bytes, all
 * captured. Records exactly what sf_decode_tcp_options() would find in it;
 * false (nothing recorded) for any other area.
 */
static inline bool decode_nop_nop_ts(const struct sf_cursor *o, size_t area_len,
				     struct sf_packet *out)
{
	if (area_len != 2 + SF_TCPOLEN_TS)
		return false;
	const uint8_t *b = sf_cur_peek(o, 2 + SF_TCPOLEN_TS);
	if (b == NULL || b[0] != SF_TCPOPT_NOP || b[1] != SF_TCPOPT_NOP || b[2] != SF_TCPOPT_TS ||
	    b[3] != SF_TCPOLEN_TS)
		return false;
	out->opt_mask = SF_OPT_TS;
	out->tsval = sf_ld_be32(b + 4);
	out->tsecr = sf_ld_be32(b + 8);
	return true;
}

/*
 * At entry: *c at the TCP header, window = min(captured, ip->l4_len).
 * Checks, in order: the declared segment can hold a base header, 20 bytes
 * captured, data offset >= 5, header inside the declared segment. The
 * payload length comes from the IP length fields only: a short snaplen
 * does not shrink it and Ethernet padding does not grow it. Writes every
 * decoder-owned field of *out (all but frame and ts), and only on success,
 * so *out is untouched on a skip.
 */
static inline enum sf_skip decode_tcp(const struct sf_cursor *c, const struct ip_info *ip,
				      struct sf_packet *out, bool options)
{
	if (ip->l4_len < TCP_MIN_HDR_LEN)
		return SF_SKIP_TCP_MALFORMED; /* IP says the segment is shorter than any TCP header */
	const uint8_t *h = sf_cur_peek(c, TCP_MIN_HDR_LEN);
	if (h == NULL)
		return SF_SKIP_TCP_TRUNCATED;
	size_t hdr_len = (size_t)(h[TCP_DOFF_OFF] >> 4) * 4;
	if (hdr_len < TCP_MIN_HDR_LEN)
		return SF_SKIP_TCP_MALFORMED;
	if (hdr_len > ip->l4_len)
		return SF_SKIP_TCP_MALFORMED;

	/* Valid from here on: now write every decoder-owned field of *out. */
	set_addr(&out->src, ip->family, ip->src);
	set_addr(&out->dst, ip->family, ip->dst);
	out->sport = sf_ld_be16(h + TCP_SPORT_OFF);
	out->dport = sf_ld_be16(h + TCP_DPORT_OFF);
	out->seq = sf_ld_be32(h + TCP_SEQ_OFF);
	out->ack = sf_ld_be32(h + TCP_ACK_OFF);
	out->flags = h[TCP_FLAGS_OFF];
	out->window = sf_ld_be16(h + TCP_WIN_OFF);
	size_t payload_len = ip->l4_len - hdr_len;
	out->payload_len = (uint64_t)payload_len > UINT32_MAX ? UINT32_MAX : (uint32_t)payload_len;

	out->opt_mask = 0;
	out->mss = 0;
	out->wscale = 0;
	out->tsval = 0;
	out->tsecr = 0;
	out->options_truncated = !sf_cur_has(c, hdr_len);

	size_t area_len = hdr_len - TCP_MIN_HDR_LEN;
	if (area_len == 0 || !options)
		return SF_SKIP_NONE;
	struct sf_cursor o = *c;
	sf_cur_advance(&o, TCP_MIN_HDR_LEN);
	sf_cur_limit(&o, area_len);
	if (!decode_nop_nop_ts(&o, area_len, out))
		sf_decode_tcp_options(&o, area_len, out);
	return SF_SKIP_NONE;
}

/* ---- the entry point --------------------------------------------------- */

/* JSON keys of input.skipped; index = enum sf_skip. */
static const char *const skip_names[] = {
	[SF_SKIP_NONE] = "none",
	[SF_SKIP_LINK_TRUNCATED] = "link_truncated",
	[SF_SKIP_LINK_UNSUPPORTED] = "link_unsupported",
	[SF_SKIP_NOT_IP] = "not_ip",
	[SF_SKIP_IP_TRUNCATED] = "ip_truncated",
	[SF_SKIP_IP_MALFORMED] = "ip_malformed",
	[SF_SKIP_IPV6_EXT] = "ipv6_ext_malformed",
	[SF_SKIP_IP_FRAGMENT] = "ip_fragment",
	[SF_SKIP_NOT_TCP] = "not_tcp",
	[SF_SKIP_TCP_TRUNCATED] = "tcp_truncated",
	[SF_SKIP_TCP_MALFORMED] = "tcp_malformed",
};
_Static_assert(sizeof(skip_names) / sizeof(skip_names[0]) == SF_SKIP__COUNT,
	       "skip_names[] must name every enum sf_skip value");

const char *sf_skip_name(enum sf_skip r)
{
	if ((unsigned)r >= SF_SKIP__COUNT || skip_names[r] == NULL)
		return "unknown";
	return skip_names[r];
}

/*
 * At entry nothing about the frame is trusted: data may be NULL when
 * caplen is 0, and wirelen may be below caplen. The cursor bounds every
 * read to [data, data + caplen). On a skip *out is left as it was.
 */
static inline enum sf_skip decode_frame(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
					struct sf_packet *out, bool options)
{
	struct sf_cursor c;
	sf_cur_init(&c, data, caplen);
	enum sf_net net;
	enum sf_skip r;
	if (dlt == DLT_EN10MB) {
		/* the common link type, and the table's first entry: no search */
		r = decode_link_ether(&c, &net);
	} else {
		const struct link_decoder *link = find_link_decoder(dlt);
		if (link == NULL)
			return SF_SKIP_LINK_UNSUPPORTED;
		r = link->decode(&c, &net);
	}
	if (r != SF_SKIP_NONE)
		return r;

	/*
	 * Bytes after the link header as the frame was on the wire; only the
	 * IP layer's zero-length (TSO/jumbogram) fallback uses it. At this
	 * point: link_len <= caplen, so nothing below wraps, and the result is
	 * never below the captured remainder.
	 */
	size_t link_len = caplen - sf_cur_left(&c);
	size_t wire_left = wirelen > caplen ? wirelen - link_len : sf_cur_left(&c);

	struct ip_info ip;
	r = decode_ip(&c, net, wire_left, &ip);
	if (r != SF_SKIP_NONE)
		return r;
	return decode_tcp(&c, &ip, out, options);
}

enum sf_skip sf_decode_frame(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
			     struct sf_packet *out)
{
	return decode_frame(dlt, data, caplen, wirelen, out, true);
}

enum sf_skip sf_decode_frame_headers(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
				     struct sf_packet *out)
{
	return decode_frame(dlt, data, caplen, wirelen, out, false);
}
