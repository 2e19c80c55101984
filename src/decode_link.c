/*
 * decode_link.c - link-layer headers: Ethernet (+ VLAN stacks), Linux cooked
 * v1/v2, BSD loopback (NULL, LOOP) and raw IP.
 *
 * Every decoder here only finds out which network protocol follows and
 * consumes the link header; the link layer plays no part in a connection's
 * identity (CONTRACT.md: VLAN tags are not part of the key).
 */
#include "decode_int.h"

#include <stdbool.h>
#include <stdint.h>

/* IEEE 802 EtherTypes. */
enum {
	ETYPE_IPV4 = 0x0800,
	ETYPE_IPV6 = 0x86DD,
	ETYPE_VLAN = 0x8100,   /* IEEE 802.1Q C-tag */
	ETYPE_QINQ = 0x88A8,   /* IEEE 802.1ad S-tag */
	ETYPE_QINQ_OLD = 0x9100, /* pre-802.1ad vendor S-tag */
};

enum {
	ETH_HDR_LEN = 14,   /* dst(6) src(6) type(2) */
	ETH_TYPE_OFF = 12,
	VLAN_TAG_LEN = 4,     /* TCI(2) inner type(2) */
	VLAN_TYPE_OFF = 2,
	SF_MAX_VLAN_TAGS = 8, /* real stacks hold 1-2 (QinQ); more is junk */
	SLL_HDR_LEN = 16,     /* pkttype(2) hatype(2) halen(2) addr(8) protocol(2) */
	SLL_PROTO_OFF = 14,
	SLL2_HDR_LEN = 20,    /* protocol(2) rsvd(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8) */
	SLL2_PROTO_OFF = 0,
	LOOP_HDR_LEN = 4,     /* address family, 32 bits */
};

/*
 * Address-family values in DLT_NULL / DLT_LOOP headers. AF_INET is 2
 * everywhere; AF_INET6 differs per OS, so accept every value a capture may
 * carry (the same set tcpdump's af.h and Wireshark's packet-null.c know).
 */
enum {
	BSD_AF_INET = 2,
	LINUX_AF_INET6 = 10,
	BSD_AF_INET6_BSD = 24,     /* NetBSD, OpenBSD, BSD/OS, Npcap */
	BSD_AF_INET6_FREEBSD = 28,
	BSD_AF_INET6_DARWIN = 30,
};

static bool is_vlan_tpid(uint16_t type)
{
	return type == ETYPE_VLAN || type == ETYPE_QINQ || type == ETYPE_QINQ_OLD;
}

/*
 * *c is just past an EtherType field whose value is type. Skip any stack of
 * VLAN tags (each names the type of what follows it), then map the final
 * EtherType. The loop is bounded by SF_MAX_VLAN_TAGS; a deeper stack is not
 * treated as IP. A value <= 1500 is an 802.3 length (LLC follows): not IP.
 */
static enum sf_skip ethertype(struct sf_cursor *c, uint16_t type, enum sf_net *net)
{
	for (unsigned tags = 0; is_vlan_tpid(type); tags++) {
		if (tags == SF_MAX_VLAN_TAGS)
			return SF_SKIP_NOT_IP;
		if (!sf_cur_has(c, VLAN_TAG_LEN))
			return SF_SKIP_LINK_TRUNCATED;
		type = sf_cur_be16_at(c, VLAN_TYPE_OFF);
		sf_cur_advance(c, VLAN_TAG_LEN);
	}
	switch (type) {
	case ETYPE_IPV4:
		*net = SF_NET_IPV4;
		return SF_SKIP_NONE;
	case ETYPE_IPV6:
		*net = SF_NET_IPV6;
		return SF_SKIP_NONE;
	default:
		return SF_SKIP_NOT_IP;
	}
}

/* DLT_EN10MB: Ethernet II (no FCS, as libpcap delivers it). */
enum sf_skip sf_decode_link_ether(struct sf_cursor *c, enum sf_net *net)
{
	if (!sf_cur_has(c, ETH_HDR_LEN))
		return SF_SKIP_LINK_TRUNCATED;
	uint16_t type = sf_cur_be16_at(c, ETH_TYPE_OFF);
	sf_cur_advance(c, ETH_HDR_LEN);
	return ethertype(c, type, net);
}

/*
 * DLT_LINUX_SLL: the protocol field is an EtherType for every ARPHRD that
 * can carry IP; the special values (1 = 802.3, 4 = 802.2 LLC, netlink
 * families, ...) are all below 0x0600 and so fall out as not IP.
 */
enum sf_skip sf_decode_link_sll(struct sf_cursor *c, enum sf_net *net)
{
	if (!sf_cur_has(c, SLL_HDR_LEN))
		return SF_SKIP_LINK_TRUNCATED;
	uint16_t type = sf_cur_be16_at(c, SLL_PROTO_OFF);
	sf_cur_advance(c, SLL_HDR_LEN);
	return ethertype(c, type, net);
}

/* DLT_LINUX_SLL2: as SLL, with the protocol type first. */
enum sf_skip sf_decode_link_sll2(struct sf_cursor *c, enum sf_net *net)
{
	if (!sf_cur_has(c, SLL2_HDR_LEN))
		return SF_SKIP_LINK_TRUNCATED;
	uint16_t type = sf_cur_be16_at(c, SLL2_PROTO_OFF);
	sf_cur_advance(c, SLL2_HDR_LEN);
	return ethertype(c, type, net);
}

static bool af_to_net(uint32_t af, enum sf_net *net)
{
	switch (af) {
	case BSD_AF_INET:
		*net = SF_NET_IPV4;
		return true;
	case LINUX_AF_INET6:
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		*net = SF_NET_IPV6;
		return true;
	default:
		return false;
	}
}

static uint32_t bswap32(uint32_t v)
{
	return (v & 0xFF) << 24 | (v & 0xFF00) << 8 | (v >> 8 & 0xFF00) | v >> 24;
}

/*
 * DLT_NULL: the family is in the byte order of the host that captured, which
 * the file does not record. Try network order, then swapped: every family we
 * accept is below 256, so no 32-bit value matches in both orders.
 */
enum sf_skip sf_decode_link_null(struct sf_cursor *c, enum sf_net *net)
{
	if (!sf_cur_has(c, LOOP_HDR_LEN))
		return SF_SKIP_LINK_TRUNCATED;
	uint32_t af = sf_cur_be32_at(c, 0);
	if (!af_to_net(af, net) && !af_to_net(bswap32(af), net))
		return SF_SKIP_NOT_IP;
	sf_cur_advance(c, LOOP_HDR_LEN);
	return SF_SKIP_NONE;
}

/* DLT_LOOP (OpenBSD): as DLT_NULL, always in network byte order. */
enum sf_skip sf_decode_link_loop(struct sf_cursor *c, enum sf_net *net)
{
	if (!sf_cur_has(c, LOOP_HDR_LEN))
		return SF_SKIP_LINK_TRUNCATED;
	if (!af_to_net(sf_cur_be32_at(c, 0), net))
		return SF_SKIP_NOT_IP;
	sf_cur_advance(c, LOOP_HDR_LEN);
	return SF_SKIP_NONE;
}

/* DLT_RAW / LINKTYPE_RAW: no link header; the IP version nibble decides. */
enum sf_skip sf_decode_link_raw(struct sf_cursor *c, enum sf_net *net)
{
	(void)c;
	*net = SF_NET_IP;
	return SF_SKIP_NONE;
}

/* DLT_IPV4: no link header, always IPv4. */
enum sf_skip sf_decode_link_ipv4(struct sf_cursor *c, enum sf_net *net)
{
	(void)c;
	*net = SF_NET_IPV4;
	return SF_SKIP_NONE;
}

/* DLT_IPV6: no link header, always IPv6. */
enum sf_skip sf_decode_link_ipv6(struct sf_cursor *c, enum sf_net *net)
{
	(void)c;
	*net = SF_NET_IPV6;
	return SF_SKIP_NONE;
}
