/*
 * decode_link.c - the link-layer headers other than Ethernet: Linux cooked
 * v1/v2, BSD loopback (NULL, LOOP) and raw IP. Ethernet and the VLAN tag
 * walk (shared with Linux cooked) are on the per-packet path in decode.c.
 *
 * Every decoder here only finds out which network protocol follows and
 * consumes the link header; the link layer plays no part in a connection's
 * identity (CONTRACT.md: VLAN tags are not part of the key).
 */
#include "decode_int.h"

#include <stdbool.h>
#include <stdint.h>

enum {
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
	return sf_decode_ethertype(c, type, net);
}

/* DLT_LINUX_SLL2: as SLL, with the protocol type first. */
enum sf_skip sf_decode_link_sll2(struct sf_cursor *c, enum sf_net *net)
{
	if (!sf_cur_has(c, SLL2_HDR_LEN))
		return SF_SKIP_LINK_TRUNCATED;
	uint16_t type = sf_cur_be16_at(c, SLL2_PROTO_OFF);
	sf_cur_advance(c, SLL2_HDR_LEN);
	return sf_decode_ethertype(c, type, net);
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
