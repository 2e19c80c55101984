/*
 * decode_int.h - what the decoder files share (private).
 *
 * The pipeline is link -> IP -> TCP, each stage a function that takes a
 * cursor positioned at its header. On success a stage leaves the cursor on
 * the next header, its window cut to min(captured bytes, declared length),
 * and returns SF_SKIP_NONE; otherwise it returns the reason and the caller
 * stops. Stages never print, allocate or exit.
 *
 * The stages every frame goes through - Ethernet, the IPv4 header, the
 * fixed IPv6 header, the TCP base header - are static functions in
 * decode.c, so that the per-packet path compiles to one function with its
 * cursor in registers. The rest is declared here and lives out of line:
 * the other link types (decode_link.c), the IPv6 extension chain
 * (decode_ip.c) and the TCP option list (decode_tcp.c).
 */
#ifndef SYNFIN_DECODE_INT_H
#define SYNFIN_DECODE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "synfin/decode.h"
#include "synfin/packet.h"

#include "cursor.h"

/* What a link layer says comes next. */
enum sf_net {
	SF_NET_IPV4, /* must be IPv4: a version nibble other than 4 is malformed */
	SF_NET_IPV6, /* must be IPv6 */
	SF_NET_IP,   /* raw IP: the version nibble decides */
};

/* IP protocol / IPv6 Next Header number of TCP. */
#define SF_IPPROTO_TCP 6

/* TCP option kinds (IANA "TCP Option Kind Numbers") and their lengths. */
enum {
	SF_TCPOPT_EOL = 0,
	SF_TCPOPT_NOP = 1,
	SF_TCPOPT_MSS = 2,          /* RFC 9293 §3.2 */
	SF_TCPOLEN_MSS = 4,
	SF_TCPOPT_WSCALE = 3,       /* RFC 7323 §2.2 */
	SF_TCPOLEN_WSCALE = 3,
	SF_TCPOPT_SACK_PERM = 4,    /* RFC 2018 §2 */
	SF_TCPOLEN_SACK_PERM = 2,
	SF_TCPOPT_SACK = 5,         /* RFC 2018 §3: 2 + 8n */
	SF_TCPOLEN_SACK_MIN = 10,
	SF_TCPOPT_TS = 8,           /* RFC 7323 §3.2 */
	SF_TCPOLEN_TS = 10,
	SF_TCPOPT_TFO = 34,         /* RFC 7413 §4.1.1: 2 (cookie request) or 2 + cookie */
	SF_TCPOPT_EXP = 254,        /* RFC 6994 shared experimental option, 16-bit ExID */
	SF_TCPOLEN_EXP_MIN = 4,
	SF_TCPOPT_EXID_TFO = 0xF989, /* pre-RFC 7413 Fast Open (RFC 7413 §4.1.1) */
};

/*
 * Link decoders for the link types other than Ethernet (decode_link.c).
 * Each consumes its link-layer header from *c and sets *net. Failures:
 * SF_SKIP_LINK_TRUNCATED (header or a VLAN tag not captured),
 * SF_SKIP_NOT_IP.
 */
enum sf_skip sf_decode_link_sll(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_sll2(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_null(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_loop(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_raw(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_ipv4(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_ipv6(struct sf_cursor *c, enum sf_net *net);

/*
 * decode.c: *c is just past an EtherType field whose value is type (Ethernet,
 * Linux cooked). Skips any stack of VLAN tags and maps the final EtherType.
 */
enum sf_skip sf_decode_ethertype(struct sf_cursor *c, uint16_t type, enum sf_net *net);

/*
 * decode_ip.c: the IPv6 extension chain. *c is at the header named nxt (not
 * TCP) and *payload_len is the declared length from there to the end of the
 * datagram, the window no longer than that. On success *c is at the TCP
 * header and *payload_len is the TCP segment's declared length. Failures:
 * SF_SKIP_IPV6_EXT, SF_SKIP_IP_FRAGMENT, SF_SKIP_NOT_TCP.
 */
enum sf_skip sf_decode_ipv6_ext(struct sf_cursor *c, uint8_t nxt, size_t *payload_len);

/*
 * decode_tcp.c: the TCP option list. *o is the option area (the window cut
 * to area_len, shorter when the snaplen cut the header). Records the
 * options found into *out, whose option fields the caller has zeroed.
 */
void sf_decode_tcp_options(const struct sf_cursor *o, size_t area_len, struct sf_packet *out);

#endif
